import FluentKit

struct M0001_Organisations: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Organisation.schema)
            .id()
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("legal_name", .string)
            .field("company_number", .string)
            .field("charity_number", .string)
            .field("gss_code", .string)
            .field("address", .string)
            .field("postcode", .string)
            .field("contact_name", .string)
            .field("contact_email", .string)
            .field("contact_phone", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema(User.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await db.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id))
            .field("token_hash", .string, .required)
            .field("label", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [APIToken.schema, User.schema, Organisation.schema] { try await db.schema(schema).delete() }
    }
}

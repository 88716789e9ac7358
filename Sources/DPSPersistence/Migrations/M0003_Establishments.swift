import FluentKit

struct M0003_Establishments: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(EstablishmentRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("urn", .string)
            .field("address", .string, .required)
            .field("town", .string, .required)
            .field("postcode", .string, .required)
            .field("postcode_district", .string, .required)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("location_approximate", .bool, .required)
            .field("age_low", .int, .required)
            .field("age_high", .int, .required)
            .field("genders", .string, .required)
            .field("capacity", .int, .required)
            .field("inspectorate", .string, .required)
            .field("framework", .string)
            .field("judgement", .string, .required)
            .field("judgement_date", .string)
            .field("la_gss_code", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema(EvidenceRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("application_category_id", .uuid, .required)
            .field("question_key", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size_bytes", .int, .required)
            .field("sha256", .string, .required)
            .field("expires_on", .string)
            .field("data", .data, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(EvidenceRecord.schema).delete()
        try await db.schema(EstablishmentRecord.schema).delete()
    }
}

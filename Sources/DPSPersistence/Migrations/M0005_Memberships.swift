import FluentKit

struct M0005_Memberships: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(MembershipRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, .id))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("state", .string, .required)
            .field("qualification_score", .int, .required)
            .field("core_costs_json", .string, .required)
            .field("discounts_json", .string, .required)
            .field("admitted_at", .datetime, .required)
            .field("application_category_id", .uuid)
            .unique(on: "category_id", "establishment_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(MembershipRecord.schema).delete()
    }
}

import FluentKit

struct M0002_DPS: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(DPSRecord.schema)
            .id()
            .field("title", .string, .required)
            .field("lead_organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("regime", .string, .required)
            .field("validity_start", .string, .required)
            .field("validity_end", .string, .required)
            .field("short_deadlines_agreed", .bool, .required)
            .field("description", .string, .required)
            .field("terms", .string, .required)
            .field("parent_choice_band_points", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema(ValidityChangeRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("kind", .string, .required)
            .field("old_end", .string, .required)
            .field("new_end", .string, .required)
            .field("reason", .string, .required)
            .field("changed_by", .uuid, .required)
            .field("changed_at", .datetime, .required)
            .create()
        try await db.schema(ClosedWindowRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("reason", .string, .required)
            .create()
        try await db.schema(CategoryRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("name", .string, .required)
            .field("code", .string, .required)
            .field("description", .string, .required)
            .field("contract_name", .string, .required)
            .field("affordability_cap_pence", .int)
            .field("minimum_invitees", .int, .required)
            .field("content_json", .string, .required)
            .field("position", .int, .required)
            .unique(on: "dps_id", "code")
            .create()
        try await db.schema(PartnerRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("category_ids_json", .string, .required)
            .field("is_joiner", .bool, .required)
            .field("joined_on", .string, .required)
            .unique(on: "dps_id", "organisation_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [
            PartnerRecord.schema, CategoryRecord.schema, ClosedWindowRecord.schema,
            ValidityChangeRecord.schema, DPSRecord.schema,
        ] { try await db.schema(schema).delete() }
    }
}

import FluentKit

struct M0004_Applications: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ApplicationRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("state", .string, .required)
            .field("submitted_at", .datetime)
            .field("deadline", .string)
            .field("extended", .bool, .required)
            .field("extension_reason", .string)
            .field("decided_at", .datetime)
            .field("copied_from_id", .uuid)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema(ApplicationCategoryRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, .id))
            .field("decision", .string, .required)
            .field("decision_reason", .string)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .field("pass_fail_json", .string, .required)
            .field("statements_json", .string, .required)
            .field("costs_json", .string, .required)
            .field("discounts_json", .string, .required)
            .field("review_json", .string, .required)
            .unique(on: "application_id", "category_id")
            .create()
        try await db.schema(StatementScoreRecord.schema)
            .id()
            .field("application_category_id", .uuid, .required, .references(ApplicationCategoryRecord.schema, .id))
            .field("statement_key", .string, .required)
            .field("evaluator_id", .uuid, .required)
            .field("is_consensus", .bool, .required)
            .field("score", .int, .required)
            .field("comment", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "application_category_id", "statement_key", "evaluator_id", "is_consensus")
            .create()
        try await db.schema(ClarificationRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("question", .string, .required)
            .field("asked_by", .uuid, .required)
            .field("asked_at", .datetime, .required)
            .field("answer", .string)
            .field("answered_by", .uuid)
            .field("answered_at", .datetime)
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [
            ClarificationRecord.schema, StatementScoreRecord.schema, ApplicationCategoryRecord.schema,
            ApplicationRecord.schema,
        ] { try await db.schema(schema).delete() }
    }
}

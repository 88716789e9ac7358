import FluentKit
import Foundation
import SQLKit

/// Concerns about establishments, coordinated reviews, their action plans and visits (contract management, DOMAIN
/// §5, §9), and the DPS's concern threshold (any safeguarding concern, or `concern_count` concerns from
/// `concern_partners` partners within `concern_months` months).
public struct M0025_ConcernsReviews: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        // One column a statement: SQLite adds one column per ALTER TABLE.
        for (name, type, value) in [
            ("concern_count", DatabaseSchema.DataType.int, SQLLiteral.numeric("3")),
            ("concern_partners", .int, .numeric("2")), ("concern_months", .int, .numeric("12")),
            ("concern_any_safeguarding", .bool, .boolean(true)),
        ] {
            try await db.schema(DPSRecord.schema)
                .field(FieldKey(stringLiteral: name), type, .required, .sql(.default(value)))
                .update()
        }
        try await db.schema(QualityTables.reviews)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, "id"))
            .field("reason", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("opened_by", .string, .required)
            .field("state", .string, .required)
            .field("closed_at", .datetime)
            .field("closed_by", .string)
            .field("outcome", .string)
            .create()
        try await db.schema(QualityTables.concerns)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, "id"))
            .field("raised_by_organisation", .uuid, .required, .references(Organisation.schema, "id"))
            .field("raised_by_label", .string, .required)
            .field("kind", .string, .required)
            .field("details", .string, .required)
            .field("raised_at", .datetime, .required)
            .field("review_id", .uuid, .references(QualityTables.reviews, "id"))
            .create()
        try await db.schema(QualityTables.actions)
            .id()
            .field("review_id", .uuid, .required, .references(QualityTables.reviews, "id"))
            .field("action", .string, .required)
            .field("owner", .string, .required)
            .field("due_on", .string, .required)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("closed_note", .string)
            .create()
        try await db.schema(QualityTables.visits)
            .id()
            .field("review_id", .uuid, .required, .references(QualityTables.reviews, "id"))
            .field("kind", .string, .required)
            .field("visited_on", .string, .required)
            .field("report", .string, .required)
            .field("filename", .string)
            .field("data", .data)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "concerns_establishment").on(QualityTables.concerns)
            .column("dps_id").column("establishment_id").column("raised_at").run()
        try await sql.create(index: "quality_reviews_establishment").on(QualityTables.reviews)
            .column("dps_id").column("establishment_id").column("state").run()
        // At most one open review of an establishment in a DPS (both engines support a partial unique index).
        try await sql.raw(
            """
            CREATE UNIQUE INDEX quality_reviews_one_open ON quality_reviews (dps_id, establishment_id)
            WHERE state = 'open'
            """
        ).run()
    }

    public func revert(on db: any Database) async throws {
        for table in [QualityTables.visits, QualityTables.actions, QualityTables.concerns, QualityTables.reviews] {
            try await db.schema(table).delete()
        }
        for field in ["concern_count", "concern_partners", "concern_months", "concern_any_safeguarding"] {
            try await db.schema(DPSRecord.schema).deleteField(FieldKey(stringLiteral: field)).update()
        }
    }
}

/// The tables of concerns, coordinated reviews, their actions and visits (read and written with SQL by the
/// contract-management use cases).
public enum QualityTables {
    public static let concerns = "concerns"
    public static let reviews = "quality_reviews"
    public static let actions = "review_actions"
    public static let visits = "review_visits"
}

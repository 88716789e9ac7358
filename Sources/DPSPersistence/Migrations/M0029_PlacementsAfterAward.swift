import FluentKit
import Foundation
import SQLKit

/// Placements after award (DOMAIN §8): `placement_reviews`, one row per scheduled outcome review (unique by placement
/// and number, opened by the daily job as each comes near); `placement_review_ratings`, the provider's rating per
/// agreed outcome with its comment and optional evidence file, and the placing authority's own rating where it
/// differs; `placement_changes`, fee variations and other changes with before and after (one proposal open per
/// placement, by a partial unique index); `placements.pattern` (a pattern changed since award) and
/// `placements.ending_note`; `dps.review_months`, how often outcomes are reviewed (6 by default).
public struct M0029_PlacementsAfterAward: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(PlacementTables.reviews)
            .id()
            .field("placement_id", .uuid, .required, .references(PlacementRecord.schema, "id"))
            .field("sequence", .int, .required)
            .field("due_date", .string, .required)
            .field("state", .string, .required)
            .field("recorded_at", .datetime)
            .field("recorded_by", .string)
            .field("responded_at", .datetime)
            .field("responded_by", .string)
            .field("authority_agreed", .bool)
            .field("authority_view", .string)
            .field("overdue_notified", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime, .required)
            .unique(on: "placement_id", "sequence")
            .create()
        try await db.schema(PlacementTables.ratings)
            .id()
            .field("review_id", .uuid, .required, .references(PlacementTables.reviews, "id"))
            .field("outcome_index", .int, .required)
            .field("outcome", .string, .required)
            .field("rating", .string, .required)
            .field("comment", .string, .required)
            .field("filename", .string)
            .field("data", .data)
            .field("authority_rating", .string)
            .unique(on: "review_id", "outcome_index")
            .create()
        try await db.schema(PlacementTables.changes)
            .id()
            .field("placement_id", .uuid, .required, .references(PlacementRecord.schema, "id"))
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("before_json", .string, .required)
            .field("after_json", .string, .required)
            .field("reason", .string, .required)
            .field("effective_date", .string, .required)
            .field("proposed_by_org", .uuid, .required)
            .field("proposed_by", .string, .required)
            .field("proposed_at", .datetime, .required)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .field("decision_note", .string)
            .create()
        for (name, type) in [("pattern", DatabaseSchema.DataType.string), ("ending_note", .string)] {
            try await db.schema(PlacementRecord.schema).field(
                .definition(name: .key(FieldKey(stringLiteral: name)), dataType: type, constraints: [])
            ).update()
        }
        try await db.schema(DPSRecord.schema).field("review_months", .int, .required, .sql(.default(6))).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "placement_reviews_due").on(PlacementTables.reviews).column("state")
            .column("due_date").run()
        try await sql.create(index: "placement_changes_placement").on(PlacementTables.changes).column("placement_id")
            .run()
        try await sql.raw(
            """
            CREATE UNIQUE INDEX placement_changes_one_open ON placement_changes (placement_id)
            WHERE state = 'proposed'
            """
        ).run()
        try await sql.create(index: "placements_status_end").on(PlacementRecord.schema).column("status")
            .column("actual_end_date").run()
    }

    public func revert(on db: any Database) async throws {
        for table in [PlacementTables.ratings, PlacementTables.reviews, PlacementTables.changes] {
            try await db.schema(table).delete()
        }
    }
}

/// The tables of placements after award (read and written with SQL by the placement use cases).
public enum PlacementTables {
    public static let reviews = "placement_reviews"
    public static let ratings = "placement_review_ratings"
    public static let changes = "placement_changes"
}

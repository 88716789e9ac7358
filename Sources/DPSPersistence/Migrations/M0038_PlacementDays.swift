import FluentKit
import SQLKit

/// How long buying took, kept on the placement at the award (issue 11, ten years at national scale). The days from
/// publication to award and to the placement's start were worked out from three stored times on every read: over ten
/// years of the largest DPS (30,000 placements), 29-44 ms on PostgreSQL, the slowest statement of the whole DPS's
/// figures page, most of it converting times to days and sorting by the results. None of the three changes after the
/// award (a placement's start date is agreed with it), so the award now writes the two numbers of days, and the
/// indexes of placements by award time carry them: the figure groups plain integers read from an index range.
/// Direct placements were never published: both stay empty.
struct M0038_PlacementDays: AsyncMigration {
    /// They replace M0033's indexes of the same names.
    static let indexes: [M0033_PlacementFacts.Index] = [
        .init("placements_dps_created", "placements", ["dps_id", "created_at"], awarded),
        .init("placements_authority_created", "placements", ["authority_id", "created_at"], awarded),
    ]
    static let awarded = ["dps_id", "authority_id", "category_id", "competing_bids", "days_to_award", "days_to_start"]

    func prepare(on db: any Database) async throws {
        // One column at a time: SQLite adds one per ALTER TABLE.
        try await db.schema(PlacementRecord.schema).field("days_to_award", .int).update()
        try await db.schema(PlacementRecord.schema).field("days_to_start", .int).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await PlacementFacts.fillDays("published_at IS NOT NULL", sql: sql)
        for index in Self.indexes {
            try await sql.drop(index: index.name).run()
            try await sql.raw(index.create(sql)).run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            let before = M0033_PlacementFacts.indexes.filter { old in Self.indexes.contains { $0.name == old.name } }
            for index in before {
                try await sql.drop(index: index.name).run()
                try await sql.raw(index.create(sql)).run()
            }
        }
        for column in ["days_to_start", "days_to_award"] {
            try await db.schema(PlacementRecord.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

extension PlacementFacts {
    /// Writes the days from publication to award and to start on the published placements `condition` selects (a
    /// condition on `placements`), whose publication time M0033's facts hold: calendar days in UTC, as the figures
    /// have always counted them.
    public static func fillDays(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        let published = MarketSummaries.dayNumber("published_at", isDate: false, sql)
        let awarded = MarketSummaries.dayNumber("created_at", isDate: false, sql)
        let start = MarketSummaries.dayNumber("start_date", isDate: true, sql)
        try await sql.raw(
            """
            UPDATE placements SET days_to_award = \(awarded) - \(published), days_to_start = \(start) - \(published)
            WHERE published_at IS NOT NULL AND \(condition)
            """
        ).run()
    }
}

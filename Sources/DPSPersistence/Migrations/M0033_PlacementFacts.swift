import FluentKit
import SQLKit

/// The facts of a placement's competition, kept on the placement when it is awarded (issue 11, national scale), and
/// indexes that hold what the figures read of a placement, so a DPS's placements are counted from an index range
/// alone. Before this, each placement of a period was joined to its referral (the pattern, the publication time and
/// the number of bids), to its winning bid and to that bid's invitation (the distance from home): at national scale
/// that is three lookups a placement in tables of a million, 19 million and 24 million rows, which took most of the
/// whole DPS's figures page. None of these facts changes after the award:
/// - `pattern` is now always written (the referral's until a change of pattern replaces it); it was empty when the
///   referral's applied, and every reader already takes the placement's first;
/// - `published_at`: when the referral was published (days from publication to award and to start);
/// - `competing_bids`: how many bids the referral had when it closed (awards with a single bid);
/// - `distance_miles`: the winning establishment's distance from the child's home, as its invitation measured it.
/// Direct placements have no competition: the three stay empty.
struct M0033_PlacementFacts: AsyncMigration {
    /// An index that carries the columns a figure reads besides its key: PostgreSQL's `INCLUDE`; SQLite has no such
    /// clause, so they are appended to the key there, which serves the same reads. Optionally partial.
    struct Index: Sendable {
        let name: String
        let table: String
        let key: [String]
        let carried: [String]
        let condition: String?

        init(_ name: String, _ table: String, _ key: [String], _ carried: [String], where condition: String? = nil) {
            (self.name, self.table, self.key, self.carried, self.condition) = (name, table, key, carried, condition)
        }

        func create(_ sql: any SQLDatabase) -> SQLQueryString {
            let carried = self.carried.filter { !key.contains($0) }
            let postgres = sql.dialect.name == "postgresql"
            let columns = (postgres ? key : key + carried).joined(separator: ", ")
            var statement: SQLQueryString = """
                CREATE INDEX \(unsafeRaw: name) ON \(unsafeRaw: table) (\(unsafeRaw: columns))
                """
            if postgres { statement = "\(statement) INCLUDE (\(unsafeRaw: carried.joined(separator: ", ")))" }
            if let condition { statement = "\(statement) WHERE \(unsafeRaw: condition)" }
            return statement
        }
    }

    /// They replace M0031's plain indexes of the same names, and add the placements by award time (days to award,
    /// single-bid awards).
    static let indexes: [Index] = [
        .init("placements_dps_start", "placements", ["dps_id", "start_date"], started),
        .init("placements_authority_start", "placements", ["authority_id", "start_date"], started),
        .init("placements_dps_created", "placements", ["dps_id", "created_at"], awarded),
        .init("placements_authority_created", "placements", ["authority_id", "created_at"], awarded),
        .init("referrals_dps_published", "referrals", ["dps_id", "published_at"], published),
        .init("referrals_organisation_published", "referrals", ["organisation_id", "published_at"], published),
    ]
    static let started = [
        "dps_id", "authority_id", "category_id", "weekly_fee_pence", "pattern", "direct", "distance_miles",
    ]
    static let awarded = ["dps_id", "authority_id", "category_id", "start_date", "published_at", "competing_bids"]
    /// What the responses and re-issues read of a referral.
    static let published = [
        "id", "dps_id", "organisation_id", "category_id", "closed_at", "previous_id", "invited_count", "bid_count",
        "declined_count",
    ]
    /// M0031's plain indexes, replaced here.
    static let replaced = [
        ("placements_dps_start", "placements", "dps_id", "start_date"),
        ("placements_authority_start", "placements", "authority_id", "start_date"),
        ("referrals_dps_published", "referrals", "dps_id", "published_at"),
        ("referrals_organisation_published", "referrals", "organisation_id", "published_at"),
    ]

    func prepare(on db: any Database) async throws {
        // One column at a time: SQLite adds one per ALTER TABLE.
        try await db.schema(PlacementRecord.schema).field("published_at", .datetime).update()
        try await db.schema(PlacementRecord.schema).field("competing_bids", .int).update()
        try await db.schema(PlacementRecord.schema).field("distance_miles", .double).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await PlacementFacts.fillCompetition("referral_id IS NOT NULL", sql: sql)
        for index in Self.replaced { try await sql.drop(index: index.0).run() }
        for index in Self.indexes { try await sql.raw(index.create(sql)).run() }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            for index in Self.indexes.reversed() { try await sql.drop(index: index.name).run() }
            for (name, table, first, second) in Self.replaced {
                try await sql.create(index: name).on(table).column(first).column(second).run()
            }
        }
        for column in ["distance_miles", "competing_bids", "published_at"] {
            try await db.schema(PlacementRecord.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

/// What M0033 keeps on a placement, written the same way by the award, the migration and `dps generate`.
public enum PlacementFacts {
    /// Keeps the facts of their competition on the placements `condition` selects (a condition on `placements`): what
    /// the award, `dps generate` and the migrations since M0038 write.
    public static func fill(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        try await fillCompetition(condition, sql: sql)
        try await fillDays(condition, sql: sql)
    }

    /// Copies the competition's facts onto the placements `condition` selects, and the referral's pattern where the
    /// placement has none of its own (M0033's columns).
    static func fillCompetition(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE placements SET
                pattern = COALESCE(pattern, (SELECT r.pattern FROM referrals r WHERE r.id = placements.referral_id)),
                published_at = (SELECT r.published_at FROM referrals r WHERE r.id = placements.referral_id),
                competing_bids = (SELECT r.bid_count FROM referrals r WHERE r.id = placements.referral_id),
                distance_miles = (SELECT i.distance_miles FROM bids b JOIN invitations i ON i.id = b.invitation_id
                    WHERE b.id = placements.bid_id)
            WHERE \(condition)
            """
        ).run()
    }
}

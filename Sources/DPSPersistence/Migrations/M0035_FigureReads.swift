import FluentKit
import SQLKit

/// The last of the market figures' reads that grew with the data (issue 11, national scale), measured on the regional
/// set after M0033: outcome reviews found by due date across every DPS and then joined to their placements (84 ms for
/// a year of one DPS), declines by reason counted over each referral's declined invitations (52 ms), and endings read
/// from the placements' wide rows (23 ms).
/// - A review keeps its placement's DPS, council and category (`dps_id`, `authority_id`, `category_id`, which never
///   change), written when the review opens, and is indexed by them and its due date, carrying its state.
/// - The market's declines by reason, council, category and quarter of publication (`market_declines`), added by the
///   close as M0032's summaries are: an invitation can be declined only while its referral is open.
/// - The ended placements' partial indexes carry the category, the kind of ending and the provider.
struct M0035_FigureReads: AsyncMigration {
    static let declines = "market_declines"
    static let indexes: [M0033_PlacementFacts.Index] = [
        .init("placement_reviews_dps_due", "placement_reviews", ["dps_id", "due_date"], ["category_id", "state"]),
        .init(
            "placement_reviews_authority_due", "placement_reviews", ["authority_id", "due_date"],
            ["category_id", "state"]),
        .init(
            "placements_ended_dps", "placements", ["dps_id", "actual_end_date"], ended, where: "status = 'ended'"),
        .init(
            "placements_ended_authority", "placements", ["authority_id", "actual_end_date"], ended,
            where: "status = 'ended'"),
    ]
    static let ended = ["category_id", "ending_kind", "provider_id"]
    /// M0032's partial indexes of the same names, replaced here.
    static let replaced = M0032_FigureSummaries.partialIndexes.filter { $0.0.hasPrefix("placements_ended") }

    func prepare(on db: any Database) async throws {
        for column in ["dps_id", "authority_id", "category_id"] {
            try await db.schema(PlacementTables.reviews).field(FieldKey(stringLiteral: column), .uuid).update()
        }
        try await db.schema(Self.declines)
            .field("dps_id", .uuid, .required)
            .field("authority_id", .uuid, .required)
            .field("category_id", .uuid, .required)
            .field("quarter", .string, .required)
            .field("reason", .string, .required)
            .field("declines", .int64, .required)
            .unique(on: "dps_id", "authority_id", "category_id", "quarter", "reason")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await Self.carryAcross(sql)
        for (name, _) in Self.replaced { try await sql.drop(index: name).run() }
        for index in Self.indexes { try await sql.raw(index.create(sql)).run() }
    }

    /// Fills what this migration adds from the data already there: each review's scope from its placement, and the
    /// market's declines from the closed referrals.
    static func carryAcross(_ sql: any SQLDatabase) async throws {
        try await sql.raw(
            """
            UPDATE placement_reviews SET
                dps_id = (SELECT p.dps_id FROM placements p WHERE p.id = placement_reviews.placement_id),
                authority_id = (SELECT p.authority_id FROM placements p WHERE p.id = placement_reviews.placement_id),
                category_id = (SELECT p.category_id FROM placements p WHERE p.id = placement_reviews.placement_id)
            """
        ).run()
        try await MarketSummaries.addDeclines("r.closed_at IS NOT NULL", sql: sql)
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            for index in Self.indexes.reversed() { try await sql.drop(index: index.name).run() }
            for (name, definition) in Self.replaced {
                try await sql.raw("CREATE INDEX \(unsafeRaw: name) \(unsafeRaw: definition)").run()
            }
        }
        try await db.schema(Self.declines).delete()
        for column in ["category_id", "authority_id", "dps_id"] {
            try await db.schema(PlacementTables.reviews).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

extension MarketSummaries {
    public static let declines = M0035_FigureReads.declines

    /// Adds the declined invitations of the closed referrals `condition` selects (`r` is the referral) to the market's
    /// declines by reason (an empty reason: none given).
    public static func addDeclines(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        let q = quarter(sql)
        try await sql.raw(
            """
            INSERT INTO \(unsafeRaw: declines) (dps_id, authority_id, category_id, quarter, reason, declines)
            SELECT r.dps_id, r.organisation_id, r.category_id, \(q), COALESCE(i.declined_reason, ''), COUNT(*)
            FROM invitations i JOIN referrals r ON r.id = i.referral_id
            WHERE i.declined_at IS NOT NULL AND \(condition)
            GROUP BY r.dps_id, r.organisation_id, r.category_id, \(q), COALESCE(i.declined_reason, '')
            ORDER BY r.dps_id, r.organisation_id, r.category_id, \(q), COALESCE(i.declined_reason, '')
            ON CONFLICT (dps_id, authority_id, category_id, quarter, reason)
                DO UPDATE SET declines = \(unsafeRaw: declines).declines + excluded.declines
            """
        ).run()
    }
}

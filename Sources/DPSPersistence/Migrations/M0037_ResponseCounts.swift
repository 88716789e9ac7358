import FluentKit
import SQLKit

/// The responses to referrals by quarter (issue 11, ten years at national scale). The responses figure (referrals,
/// invitations, bids and declines) added up each closed referral's own counts (M0032) from an index range: over ten
/// years the largest DPS's 100,000 referrals, 53 ms on PostgreSQL, the slowest statement of its figures page. The counts
/// are final at the close, so the close now also adds them to `market_responses` by DPS, council, category and quarter
/// of publication, as it adds the declines (M0035): a period reads at most one row per council, category and quarter.
/// The re-issues (a few in a hundred referrals) get partial indexes of their own instead of being picked out of every
/// referral's index entry.
struct M0037_ResponseCounts: AsyncMigration {
    static let reissued: [M0033_PlacementFacts.Index] = [
        .init(
            "referrals_dps_reissued", "referrals", ["dps_id", "published_at"], ["organisation_id", "category_id"],
            where: "previous_id IS NOT NULL"),
        .init(
            "referrals_organisation_reissued", "referrals", ["organisation_id", "published_at"],
            ["dps_id", "category_id"], where: "previous_id IS NOT NULL"),
    ]

    func prepare(on db: any Database) async throws {
        try await db.schema(MarketSummaries.responses)
            .field("dps_id", .uuid, .required)
            .field("authority_id", .uuid, .required)
            .field("category_id", .uuid, .required)
            .field("quarter", .string, .required)
            .field("referrals", .int64, .required)
            .field("invited", .int64, .required)
            .field("bids", .int64, .required)
            .field("declined", .int64, .required)
            .unique(on: "dps_id", "authority_id", "category_id", "quarter")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await MarketSummaries.addResponses("r.closed_at IS NOT NULL", sql: sql)
        for index in Self.reissued { try await sql.raw(index.create(sql)).run() }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            for index in Self.reissued.reversed() { try await sql.drop(index: index.name).run() }
        }
        try await db.schema(MarketSummaries.responses).delete()
    }
}

extension MarketSummaries {
    public static let responses = "market_responses"

    /// Adds the closed referrals `condition` selects (`r`), whose own counts the close has written, to the market's
    /// responses by council, category and quarter of publication.
    public static func addResponses(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        let q = quarter(sql)
        try await sql.raw(
            """
            INSERT INTO \(unsafeRaw: responses)
                (dps_id, authority_id, category_id, quarter, referrals, invited, bids, declined)
            SELECT r.dps_id, r.organisation_id, r.category_id, \(q), COUNT(*),
                COALESCE(SUM(r.invited_count), 0), COALESCE(SUM(r.bid_count), 0), COALESCE(SUM(r.declined_count), 0)
            FROM referrals r
            WHERE r.published_at IS NOT NULL AND r.closed_at IS NOT NULL AND \(condition)
            GROUP BY r.dps_id, r.organisation_id, r.category_id, \(q)
            ORDER BY r.dps_id, r.organisation_id, r.category_id, \(q)
            ON CONFLICT (dps_id, authority_id, category_id, quarter) DO UPDATE SET
                referrals = \(unsafeRaw: responses).referrals + excluded.referrals,
                invited = \(unsafeRaw: responses).invited + excluded.invited,
                bids = \(unsafeRaw: responses).bids + excluded.bids,
                declined = \(unsafeRaw: responses).declined + excluded.declined
            """
        ).run()
    }
}

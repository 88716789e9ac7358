import FluentKit
import SQLKit

/// A provider's own results at national scale (issue 11): measured on the national set with every bid ranked, a
/// provider's year took a second, its statements reading every invitation and bid the provider ever had (tens of
/// thousands for the largest) and each one's referral. What they count is final once the referral closes or is
/// awarded, so it is counted then, like M0032's summaries, by provider, category and quarter of publication (London
/// time), one row per kind of count (`provider_counts`):
/// - `invited` (value empty): the invitations of the closed referral;
/// - `declined` (value: the reason, empty when none was given);
/// - `price` (value: a submitted bid's weekly cost in pence);
/// - `rank` (value: a bid's rank in the evaluation its referral was awarded on), added by the award.
/// Its bids, bids on awarded referrals and wins are M0032's `market_bidders`.
struct M0036_ProviderCounts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(MarketSummaries.providerCounts)
            .field("organisation_id", .uuid, .required)
            .field("category_id", .uuid, .required)
            .field("quarter", .string, .required)
            .field("kind", .string, .required)
            .field("value", .string, .required)
            .field("n", .int64, .required)
            .unique(on: "organisation_id", "quarter", "kind", "category_id", "value")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await Self.carryAcross(sql)
    }

    /// Counts the referrals closed and awarded before this migration.
    static func carryAcross(_ sql: any SQLDatabase) async throws {
        try await MarketSummaries.addProviderCounts("r.closed_at IS NOT NULL", sql: sql)
        try await MarketSummaries.addRanks("r.state = 'awarded'", sql: sql)
    }

    func revert(on db: any Database) async throws {
        try await db.schema(MarketSummaries.providerCounts).delete()
    }
}

extension MarketSummaries {
    public static let providerCounts = "provider_counts"

    /// Everything the close counts of the referrals `condition` selects (`r`), as the close and `dps generate` do:
    /// the market's prices and bidders (M0032), its declines (M0035), each provider's counts (M0036) and the responses
    /// (M0037). The referrals' own counts (`closedCounts`) must be written first.
    public static func addClosedReferrals(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        try await addClosed(condition, sql: sql)
        try await addDeclines(condition, sql: sql)
        try await addProviderCounts(condition, sql: sql)
        try await addResponses(condition, sql: sql)
    }

    /// Everything the award counts of the awarded referrals `condition` selects, once their bids' ranks are kept: the
    /// bidders' awarded bids and wins (M0032) and each provider's ranks (M0036).
    public static func addAwardedReferrals(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        try await addAwarded(condition, sql: sql)
        try await addRanks(condition, sql: sql)
    }

    /// Adds the closed referrals' (`condition` on `r`) invitations, declines and bid prices to each provider's counts.
    public static func addProviderCounts(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        let invitations: SQLQueryString = "FROM invitations i JOIN referrals r ON r.id = i.referral_id"
        try await add(
            "'invited'", "''", from: "\(invitations) WHERE \(condition)", organisation: "i.organisation_id", sql: sql)
        try await add(
            "'declined'", "COALESCE(i.declined_reason, '')",
            from: "\(invitations) WHERE i.declined_at IS NOT NULL AND \(condition)", organisation: "i.organisation_id",
            sql: sql)
        try await add(
            "'price'", "CAST(b.weekly_cost_pence AS TEXT)",
            from: "FROM bids b JOIN referrals r ON r.id = b.referral_id WHERE b.state = 'submitted' AND \(condition)",
            organisation: "b.organisation_id", sql: sql)
    }

    /// Adds the awarded referrals' (`condition` on `r`) ranked bids to each provider's counts, by rank.
    public static func addRanks(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        try await add(
            "'rank'", "CAST(b.award_rank AS TEXT)",
            from: """
                FROM bids b JOIN referrals r ON r.id = b.referral_id
                WHERE b.state = 'submitted' AND b.award_rank IS NOT NULL AND \(condition)
                """, organisation: "b.organisation_id", sql: sql)
    }

    private static func add(
        _ kind: SQLQueryString, _ value: SQLQueryString, from: SQLQueryString, organisation: SQLQueryString,
        sql: any SQLDatabase
    ) async throws {
        let q = quarter(sql)
        try await sql.raw(
            """
            INSERT INTO \(unsafeRaw: providerCounts) (organisation_id, category_id, quarter, kind, value, n)
            SELECT \(organisation), r.category_id, \(q), \(kind), \(value), COUNT(*) \(from)
            GROUP BY 1, 2, 3, 5 ORDER BY 1, 2, 3, 5
            ON CONFLICT (organisation_id, quarter, kind, category_id, value)
                DO UPDATE SET n = \(unsafeRaw: providerCounts).n + excluded.n
            """
        ).run()
    }
}

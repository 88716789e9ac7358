import DPSDomain
import FluentKit
import Foundation
import SQLKit

/// Summaries for the market figures at national scale (issue 11), each written in the transaction of the change it
/// counts, so a figure adds up a few rows instead of counting a period's invitations and bids on every view (one DPS's
/// year at national scale is about 10,000 referrals, 250,000 invitations and 190,000 bids):
/// - a closed referral's counts on its own row: how many establishments were invited, how many bid and how many
///   declined. Nothing changes them after the deadline (submitting, revising, withdrawing and declining all need an
///   open referral), so the close writes them;
/// - the market's bids by category and quarter of publication: how many at each weekly price
///   (`market_bid_prices`), and by bidding provider how many bids, how many on referrals since awarded and how many
///   won (`market_bidders`). The close adds a referral's bids, the award its awarded bids and the win; an award is
///   final, and a referral cancelled or re-issued after its close keeps its bids in the market, as before;
/// - each ranked bid's rank in the evaluation its referral was awarded on (`bids.award_rank`), so a provider's ranks
///   are counted in SQL instead of decoding every stored evaluation it took part in.
/// Referrals closed or awarded before this migration are counted here, once. Also partial indexes for the
/// dashboards' counts (`partialIndexes`).
struct M0032_FigureSummaries: AsyncMigration {
    static let columns = ["invited_count", "bid_count", "declined_count"]
    /// Indexes of the few rows the dashboards count among many: declined invitations by referral (declines by
    /// reason), placements running and ended by DPS and by council (live placements, endings), referrals open (by
    /// deadline) and reviews not completed (by due date). Measured on the national set, the open referrals of a DPS
    /// went from 252 to 1 ms and its running placements from 25 to 2 ms.
    static let partialIndexes = [
        ("invitations_declined", "ON invitations (referral_id, declined_reason) WHERE declined_at IS NOT NULL"),
        ("placements_active_dps", "ON placements (dps_id, start_date) WHERE status = 'active'"),
        ("placements_active_authority", "ON placements (authority_id, start_date) WHERE status = 'active'"),
        ("placements_ended_dps", "ON placements (dps_id, actual_end_date) WHERE status = 'ended'"),
        ("placements_ended_authority", "ON placements (authority_id, actual_end_date) WHERE status = 'ended'"),
        ("referrals_open", "ON referrals (deadline) WHERE state = 'published'"),
        ("placement_reviews_open", "ON placement_reviews (due_date) WHERE state <> 'completed'"),
    ]

    func prepare(on db: any Database) async throws {
        // One column at a time: SQLite adds one per ALTER TABLE.
        for column in Self.columns {
            try await db.schema(ReferralRecord.schema).field(FieldKey(stringLiteral: column), .int).update()
        }
        try await db.schema(BidRecord.schema).field("award_rank", .int).update()
        try await db.schema(MarketSummaries.prices)
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, "id"))
            .field("quarter", .string, .required)
            .field("weekly_cost_pence", .int64, .required)
            .field("bids", .int64, .required)
            .unique(on: "category_id", "quarter", "weekly_cost_pence")
            .create()
        try await db.schema(MarketSummaries.bidders)
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, "id"))
            .field("quarter", .string, .required)
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("bids", .int64, .required)
            .field("awarded_bids", .int64, .required)
            .field("wins", .int64, .required)
            .unique(on: "category_id", "quarter", "organisation_id")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw(
            "UPDATE referrals SET \(unsafeRaw: MarketSummaries.closedCounts) WHERE closed_at IS NOT NULL"
        ).run()
        try await MarketSummaries.addClosed("r.closed_at IS NOT NULL", sql: sql)
        try await MarketSummaries.addAwarded("r.closed_at IS NOT NULL", sql: sql)
        let evaluated = "SELECT id, evaluation_json FROM referrals WHERE evaluation_json IS NOT NULL"
        for row in try await sql.raw(SQLQueryString(evaluated)).all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let stored = try row.decode(column: "evaluation_json", as: String.self)
            guard let evaluation = try? JSONDecoder().decode(EvaluationResult.self, from: Data(stored.utf8)) else {
                throw MigrationDataError(
                    detail: "referral \(id): its stored evaluation could not be read; fix the row and migrate again")
            }
            try await MarketSummaries.setRanks(evaluation, referral: id, sql: sql)
        }
        for (name, definition) in Self.partialIndexes {
            try await sql.raw("CREATE INDEX \(unsafeRaw: name) \(unsafeRaw: definition)").run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            for (name, _) in Self.partialIndexes.reversed() {
                try await sql.raw("DROP INDEX \(unsafeRaw: name)").run()
            }
        }
        try await db.schema(MarketSummaries.bidders).delete()
        try await db.schema(BidRecord.schema).field("award_rank", .int).update()
        try await db.schema(MarketSummaries.prices).delete()
        try await db.schema(BidRecord.schema).deleteField("award_rank").update()
        for column in Self.columns.reversed() {
            try await db.schema(ReferralRecord.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

/// The figures' summaries (M0032), written the same way by the close and the award, the migration and
/// `dps generate`.
public enum MarketSummaries {
    public static let prices = "market_bid_prices"
    public static let bidders = "market_bidders"

    /// A closed referral's counts, as the assignment list of an `UPDATE referrals`.
    public static let closedCounts = """
        invited_count = (SELECT COUNT(*) FROM invitations i WHERE i.referral_id = referrals.id), \
        bid_count = (SELECT COUNT(*) FROM bids b WHERE b.referral_id = referrals.id AND b.state = 'submitted'), \
        declined_count = (SELECT COUNT(*) FROM invitations i WHERE i.referral_id = referrals.id \
        AND i.declined_at IS NOT NULL)
        """

    /// Days since 1970-01-01 (UTC) of a stored time or an ISO date, in each engine's words.
    public static func dayNumber(_ column: String, isDate: Bool, _ sql: any SQLDatabase) -> SQLQueryString {
        if sql.dialect.name == "postgresql" {
            return isDate
                ? "(CAST(\(unsafeRaw: column) AS DATE) - DATE '1970-01-01')"
                : "(CAST((\(unsafeRaw: column) AT TIME ZONE 'UTC') AS DATE) - DATE '1970-01-01')"
        }
        return isDate
            ? "CAST(julianday(\(unsafeRaw: column)) - 2440587.5 AS INTEGER)"
            : "CAST(\(unsafeRaw: column) / 86400 AS INTEGER)"
    }

    /// The quarter of a referral's publication (`2026-Q3`, as `Quarter.key` writes it), in London time as the
    /// figures' periods are. SQLite knows no time zones, but none is needed: every quarter but the first begins in
    /// British Summer Time (1 April, 1 July and 1 October fall between the last Sundays of March and October), when
    /// London is an hour ahead of UTC, and the first begins in GMT; so the quarter is the UTC quarter of an hour later,
    /// except in December.
    static func quarter(_ sql: any SQLDatabase) -> SQLQueryString {
        if sql.dialect.name == "postgresql" {
            return "to_char(r.published_at AT TIME ZONE 'Europe/London', 'YYYY\"-Q\"Q')"
        }
        let london: SQLQueryString = """
            r.published_at + CASE WHEN strftime('%m', r.published_at, 'unixepoch') = '12' THEN 0 ELSE 3600 END
            """
        return """
            strftime('%Y', \(london), 'unixepoch') || '-Q' \
            || ((CAST(strftime('%m', \(london), 'unixepoch') AS INTEGER) + 2) / 3)
            """
    }

    /// Adds the submitted bids of the closed referrals `condition` selects (`r` is the referral) to the market's
    /// prices and bidders.
    public static func addClosed(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        let q = quarter(sql)
        try await sql.raw(
            """
            INSERT INTO \(unsafeRaw: prices) (category_id, quarter, weekly_cost_pence, bids)
            SELECT r.category_id, \(q), b.weekly_cost_pence, COUNT(*)
            FROM bids b JOIN referrals r ON r.id = b.referral_id
            WHERE b.state = 'submitted' AND \(condition)
            GROUP BY r.category_id, \(q), b.weekly_cost_pence
            ORDER BY r.category_id, \(q), b.weekly_cost_pence
            ON CONFLICT (category_id, quarter, weekly_cost_pence)
                DO UPDATE SET bids = \(unsafeRaw: prices).bids + excluded.bids
            """
        ).run()
        try await sql.raw(
            """
            INSERT INTO \(unsafeRaw: bidders) (category_id, quarter, organisation_id, bids, awarded_bids, wins)
            SELECT r.category_id, \(q), b.organisation_id, COUNT(*), 0, 0
            FROM bids b JOIN referrals r ON r.id = b.referral_id
            WHERE b.state = 'submitted' AND \(condition)
            GROUP BY r.category_id, \(q), b.organisation_id
            ORDER BY r.category_id, \(q), b.organisation_id
            ON CONFLICT (category_id, quarter, organisation_id)
                DO UPDATE SET bids = \(unsafeRaw: bidders).bids + excluded.bids
            """
        ).run()
    }

    /// Keeps each ranked bid's rank from the evaluation a referral is awarded on, in one statement.
    public static func setRanks(_ evaluation: EvaluationResult, referral: UUID, sql: any SQLDatabase) async throws {
        let ranked = try evaluation.ranking.map { e in
            guard let id = UUID(uuidString: e.id) else {
                throw MigrationDataError(detail: "referral \(referral): its evaluation ranks a bid without an id")
            }
            return (id, e.rank)
        }
        guard !ranked.isEmpty else { return }
        var cases: SQLQueryString = "CASE id"
        for (id, rank) in ranked { cases = "\(cases) WHEN \(bind: id) THEN \(bind: rank)" }
        try await sql.raw(
            """
            UPDATE bids SET award_rank = \(cases) END
            WHERE referral_id = \(bind: referral) AND id IN (\(binds: ranked.map(\.0)))
            """
        ).run()
    }

    /// Adds the submitted bids of the awarded referrals `condition` selects, and their wins, to the market's bidders.
    public static func addAwarded(_ condition: SQLQueryString, sql: any SQLDatabase) async throws {
        let q = quarter(sql)
        try await sql.raw(
            """
            INSERT INTO \(unsafeRaw: bidders) (category_id, quarter, organisation_id, bids, awarded_bids, wins)
            SELECT r.category_id, \(q), b.organisation_id, 0, COUNT(*), SUM(CASE WHEN p.id IS NULL THEN 0 ELSE 1 END)
            FROM bids b JOIN referrals r ON r.id = b.referral_id LEFT JOIN placements p ON p.bid_id = b.id
            WHERE b.state = 'submitted' AND r.state = 'awarded' AND \(condition)
            GROUP BY r.category_id, \(q), b.organisation_id
            ORDER BY r.category_id, \(q), b.organisation_id
            ON CONFLICT (category_id, quarter, organisation_id) DO UPDATE
                SET awarded_bids = \(unsafeRaw: bidders).awarded_bids + excluded.awarded_bids,
                    wins = \(unsafeRaw: bidders).wins + excluded.wins
            """
        ).run()
    }
}

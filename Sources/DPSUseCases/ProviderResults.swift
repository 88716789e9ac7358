import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// A provider's own results (issue 11): for the referrals published in a period whose deadline has passed (bids are
/// sealed until then), its invitations, bids, declines and wins (of the referrals since awarded) and where its bids
/// ranked, beside the market's anonymised distributions in the same categories: the quartiles of every bid's weekly
/// price and of the bidding providers' win rates. A market distribution is shown only when at least
/// `Figures.suppressionThreshold` providers bid in the category, so no competitor's figure can be read from it. Only
/// the provider's own organisation is named.
package enum ProviderResults {
    package typealias Quartiles = (lower: Int, median: Int, upper: Int)

    package struct CategoryRow: Sendable {
        package var category: String
        package var invited: Int
        package var bids: Int
        /// Bids on referrals since awarded: the ones that could win or lose.
        package var decided: Int
        package var declined: Int
        package var wins: Int
        /// Ranked bids by rank (1 = top score), in the evaluation each referral was awarded on.
        package var ranks: [Int: Int]
        /// The provider's own weekly bid prices, and the market's (every bid in the category), in pence.
        package var ownPrice: Quartiles?
        package var marketPrice: Quartiles?
        /// How many providers bid in the category; the market's win rates (per cent of bids won) by quartile.
        package var marketProviders: Int
        package var marketWinRate: Quartiles?

        package var winPercent: Int? { Figures.percent(wins, of: decided) }
    }

    package struct Report: Sendable {
        package var rows: [CategoryRow]
        package var declines: [MarketFigures.CountRow]
    }

    package static func report(actor: Actor, filter: MarketFigures.Filter, db: any Database) async throws -> Report {
        guard actor.organisationKind == .provider else {
            throw UseCaseError(.forbidden, "These are a provider's own results.")
        }
        let org = actor.organisationID
        let sql = try db.sql()
        let (from, until) = (filter.from.start.startOfDay(), filter.to.next.start.startOfDay())
        // Only referrals whose deadline has passed: bids are sealed until then, and no figure may hint at them.
        var period: SQLQueryString =
            "r.published_at >= \(bind: from) AND r.published_at < \(bind: until) AND r.closed_at IS NOT NULL"
        if let category = filter.category { period = "\(period) AND r.category_id = \(bind: category)" }
        // The provider's invitations of the period, read from its index by organisation and time: an invitation is
        // made when its referral is published (the one statement that inserts them sets both times alike), so this
        // is the same period, and only its referrals are then looked up, not every referral the provider was ever
        // invited to.
        let invited: SQLQueryString = """
            i.organisation_id = \(bind: org) AND i.invited_at >= \(bind: from) AND i.invited_at < \(bind: until)
            """
        // The market: the categories the provider belongs to, never wider.
        func market(_ alias: String) -> SQLQueryString {
            """
            \(unsafeRaw: alias).category_id IN
                (SELECT category_id FROM memberships WHERE organisation_id = \(bind: org))
            """
        }
        func int(_ row: any SQLRow, _ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }

        var rows: [String: CategoryRow] = [:]
        var order: [String: Int] = [:]
        func empty(_ name: String) -> CategoryRow {
            CategoryRow(
                category: name, invited: 0, bids: 0, decided: 0, declined: 0, wins: 0, ranks: [:], ownPrice: nil,
                marketPrice: nil,
                marketProviders: 0, marketWinRate: nil)
        }
        for row in try await sql.raw(
            """
            SELECT c.name AS category, c.position, COUNT(*) AS invited,
                SUM(CASE WHEN i.declined_at IS NOT NULL THEN 1 ELSE 0 END) AS declined,
                SUM(CASE WHEN b.id IS NOT NULL THEN 1 ELSE 0 END) AS bids,
                SUM(CASE WHEN b.id IS NOT NULL AND r.state = 'awarded' THEN 1 ELSE 0 END) AS decided,
                SUM(CASE WHEN p.id IS NOT NULL THEN 1 ELSE 0 END) AS wins
            FROM invitations i JOIN referrals r ON r.id = i.referral_id JOIN categories c ON c.id = r.category_id
                LEFT JOIN bids b ON b.invitation_id = i.id AND b.state = 'submitted'
                LEFT JOIN placements p ON p.bid_id = b.id
            WHERE \(invited) AND \(period)
            GROUP BY c.name, c.position
            """
        ).all() {
            let name = try row.decode(column: "category", as: String.self)
            order[name] = try int(row, "position")
            var r = empty(name)
            (r.invited, r.declined, r.bids, r.decided, r.wins) = (
                try int(row, "invited"), try int(row, "declined"), try int(row, "bids"), try int(row, "decided"),
                try int(row, "wins")
            )
            rows[name] = r
        }

        // Weekly prices: the provider's own bids', and the market's from its summary by category and quarter of
        // publication (M0032: the bids each referral had when it closed), as histograms grouped in SQL.
        var own: [String: [(value: Int, count: Int)]] = [:]
        var all: [String: [(value: Int, count: Int)]] = [:]
        for row in try await sql.raw(
            """
            SELECT c.name AS category, c.position, b.weekly_cost_pence AS fee, COUNT(*) AS n
            FROM invitations i JOIN bids b ON b.invitation_id = i.id JOIN referrals r ON r.id = i.referral_id
                JOIN categories c ON c.id = r.category_id
            WHERE \(invited) AND b.state = 'submitted' AND \(market("r")) AND \(period)
            GROUP BY c.name, c.position, b.weekly_cost_pence
            """
        ).all() {
            own[try row.decode(column: "category", as: String.self), default: []].append(
                (try int(row, "fee"), try int(row, "n")))
        }
        var quarters: SQLQueryString =
            "s.quarter >= \(bind: filter.from.key) AND s.quarter <= \(bind: filter.to.key) AND \(market("s"))"
        if let category = filter.category { quarters = "\(quarters) AND s.category_id = \(bind: category)" }
        for row in try await sql.raw(
            """
            SELECT c.name AS category, c.position, s.weekly_cost_pence AS fee, CAST(SUM(s.bids) AS BIGINT) AS n
            FROM \(unsafeRaw: MarketSummaries.prices) s JOIN categories c ON c.id = s.category_id
            WHERE \(quarters)
            GROUP BY c.name, c.position, s.weekly_cost_pence
            """
        ).all() {
            let name = try row.decode(column: "category", as: String.self)
            order[name] = try int(row, "position")
            all[name, default: []].append((try int(row, "fee"), try int(row, "n")))
        }
        // How many providers bid in each category, and the win rate of each, per cent, on the referrals since
        // awarded (one row per category and provider), from the summary of bidders.
        var rates: [String: [(value: Int, count: Int)]] = [:]
        var providers: [String: Int] = [:]
        for row in try await sql.raw(
            """
            SELECT c.name AS category, c.position, s.organisation_id, CAST(SUM(s.bids) AS BIGINT) AS bids,
                CAST(SUM(s.awarded_bids) AS BIGINT) AS decided, CAST(SUM(s.wins) AS BIGINT) AS wins
            FROM \(unsafeRaw: MarketSummaries.bidders) s JOIN categories c ON c.id = s.category_id
            WHERE \(quarters)
            GROUP BY c.name, c.position, s.organisation_id
            """
        ).all() {
            let name = try row.decode(column: "category", as: String.self)
            order[name] = try int(row, "position")
            if try int(row, "bids") > 0 { providers[name, default: 0] += 1 }
            let decided = try int(row, "decided")
            if decided > 0 {
                rates[name, default: []].append((Figures.percent(try int(row, "wins"), of: decided) ?? 0, 1))
            }
        }
        for name in Set(all.keys).union(rates.keys) {
            var r = rows[name] ?? empty(name)
            r.ownPrice = Figures.quartiles(counts: own[name] ?? [])
            r.marketProviders = providers[name] ?? 0
            if r.marketProviders >= Figures.suppressionThreshold {
                r.marketPrice = Figures.quartiles(counts: all[name] ?? [])
            }
            if (rates[name]?.count ?? 0) >= Figures.suppressionThreshold {
                r.marketWinRate = Figures.quartiles(counts: rates[name] ?? [])
            }
            rows[name] = r
        }

        // Where the provider's bids ranked in the evaluations their referrals were awarded on (kept on each bid).
        for row in try await sql.raw(
            """
            SELECT c.name AS category, b.award_rank AS rank, COUNT(*) AS n
            FROM invitations i JOIN bids b ON b.invitation_id = i.id JOIN referrals r ON r.id = i.referral_id
                JOIN categories c ON c.id = r.category_id
            WHERE \(invited) AND b.state = 'submitted' AND b.award_rank IS NOT NULL AND \(period)
            GROUP BY c.name, b.award_rank
            """
        ).all() {
            let name = try row.decode(column: "category", as: String.self)
            rows[name, default: empty(name)].ranks[try int(row, "rank"), default: 0] += try int(row, "n")
        }

        let labels = Dictionary(Referrals.declineReasons, uniquingKeysWith: { a, _ in a })
        let declines = try await sql.raw(
            """
            SELECT i.declined_reason AS reason, COUNT(*) AS n
            FROM invitations i JOIN referrals r ON r.id = i.referral_id
            WHERE \(invited) AND i.declined_at IS NOT NULL AND \(period)
            GROUP BY i.declined_reason ORDER BY COUNT(*) DESC, i.declined_reason
            """
        ).all().map {
            MarketFigures.CountRow(
                label: labels[try $0.decode(column: "reason", as: String?.self) ?? ""] ?? "Not given",
                count: try int($0, "n"))
        }
        return Report(
            rows: rows.values.sorted {
                (order[$0.category] ?? 0, $0.category) < (order[$1.category] ?? 0, $1.category)
            },
            declines: declines)
    }
}

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
        // Counted when each referral closed and was awarded (bids are sealed until the deadline, so nothing of an open
        // referral is in them), by category and quarter of publication: M0036's counts of the provider's invitations,
        // declines, prices and ranks, and M0032's bidders (its bids, bids on referrals since awarded, and wins).
        var quarters: SQLQueryString = "s.quarter >= \(bind: filter.from.key) AND s.quarter <= \(bind: filter.to.key)"
        if let category = filter.category { quarters = "\(quarters) AND s.category_id = \(bind: category)" }
        let own: SQLQueryString = "s.organisation_id = \(bind: org) AND \(quarters)"
        // The market: the categories the provider belongs to, never wider.
        func market(_ alias: String) -> SQLQueryString {
            """
            \(unsafeRaw: alias).category_id IN
                (SELECT category_id FROM memberships WHERE organisation_id = \(bind: org))
            """
        }
        /// The provider's counts of one kind by category and value.
        func counts(_ kind: String, where extra: SQLQueryString = "1 = 1") async throws -> [(String, Int, String, Int)]
        {
            try await sql.raw(
                """
                SELECT c.name AS category, c.position, s.value, CAST(SUM(s.n) AS BIGINT) AS n
                FROM \(unsafeRaw: MarketSummaries.providerCounts) s JOIN categories c ON c.id = s.category_id
                WHERE \(own) AND s.kind = \(bind: kind) AND \(extra)
                GROUP BY c.name, c.position, s.value
                """
            ).all().map {
                (
                    try $0.decode(column: "category", as: String.self), try int($0, "position"),
                    try $0.decode(column: "value", as: String.self), try int($0, "n")
                )
            }
        }

        var rows: [String: CategoryRow] = [:]
        var order: [String: Int] = [:]
        func empty(_ name: String) -> CategoryRow {
            CategoryRow(
                category: name, invited: 0, bids: 0, decided: 0, declined: 0, wins: 0, ranks: [:], ownPrice: nil,
                marketPrice: nil,
                marketProviders: 0, marketWinRate: nil)
        }
        let declinedCounts = try await counts("declined")
        for (kind, list) in [("invited", try await counts("invited")), ("declined", declinedCounts)] {
            for (name, position, _, n) in list {
                order[name] = position
                if kind == "invited" { rows[name, default: empty(name)].invited += n }
                else { rows[name, default: empty(name)].declined += n }
            }
        }
        for row in try await sql.raw(
            """
            SELECT c.name AS category, c.position, CAST(SUM(s.bids) AS BIGINT) AS bids,
                CAST(SUM(s.awarded_bids) AS BIGINT) AS decided, CAST(SUM(s.wins) AS BIGINT) AS wins
            FROM \(unsafeRaw: MarketSummaries.bidders) s JOIN categories c ON c.id = s.category_id
            WHERE \(own)
            GROUP BY c.name, c.position
            """
        ).all() {
            let name = try row.decode(column: "category", as: String.self)
            order[name] = try int(row, "position")
            rows[name, default: empty(name)].bids += try int(row, "bids")
            rows[name, default: empty(name)].decided += try int(row, "decided")
            rows[name, default: empty(name)].wins += try int(row, "wins")
        }

        // Weekly prices: the provider's own bids', and the market's from its summary by category and quarter of
        // publication (M0032: the bids each referral had when it closed), as histograms grouped in SQL.
        var ownPrices: [String: [(value: Int, count: Int)]] = [:]
        var all: [String: [(value: Int, count: Int)]] = [:]
        for (name, _, value, n) in try await counts("price", where: market("s")) {
            guard let pence = Int(value) else {
                throw UseCaseError(.internalFailure, "A stored bid price count does not read: \(value.prefix(20)).")
            }
            ownPrices[name, default: []].append((pence, n))
        }
        let marketQuarters: SQLQueryString = "\(quarters) AND \(market("s"))"
        for row in try await sql.raw(
            """
            SELECT c.name AS category, c.position, s.weekly_cost_pence AS fee, CAST(SUM(s.bids) AS BIGINT) AS n
            FROM \(unsafeRaw: MarketSummaries.prices) s JOIN categories c ON c.id = s.category_id
            WHERE \(marketQuarters)
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
            WHERE \(marketQuarters)
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
            r.ownPrice = Figures.quartiles(counts: ownPrices[name] ?? [])
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
        for (name, _, value, n) in try await counts("rank") {
            guard let rank = Int(value) else {
                throw UseCaseError(.internalFailure, "A stored rank count does not read: \(value.prefix(20)).")
            }
            rows[name, default: empty(name)].ranks[rank, default: 0] += n
        }

        let labels = Dictionary(Referrals.declineReasons, uniquingKeysWith: { a, _ in a })
        var byReason: [String: Int] = [:]
        for (_, _, reason, n) in declinedCounts { byReason[reason, default: 0] += n }
        let declines = byReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
            MarketFigures.CountRow(label: labels[$0.key] ?? "Not given", count: $0.value)
        }
        return Report(
            rows: rows.values.sorted {
                (order[$0.category] ?? 0, $0.category) < (order[$1.category] ?? 0, $1.category)
            },
            declines: declines)
    }
}

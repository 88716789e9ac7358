import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The market figures councils read (DOMAIN §11, issue 11, first part): placements started and their value by
/// quarter, weekly cost benchmarks by category, endings by category, and referrals' responses, for a period of
/// quarters, a category and (for the lead's staff) a partner. A partner's staff read their own authority's; the
/// lead's contract managers, administrators and auditor the whole of their DPSs, by partner. Counted in SQL.
package enum MarketFigures {
    /// What the figures are narrowed to.
    package struct Filter: Sendable, Equatable {
        package var from: Quarter
        package var to: Quarter
        package var category: UUID?
        /// A partner authority (the lead's staff only).
        package var partner: UUID?

        package init(from: Quarter, to: Quarter, category: UUID? = nil, partner: UUID? = nil) throws {
            guard from <= to else { throw UseCaseError(field: "from", "The first quarter must not be after the last") }
            let count = (to.year * 4 + to.number) - (from.year * 4 + from.number)
            guard count < 40 else { throw UseCaseError(field: "from", "Choose at most ten years of quarters") }
            self.from = from
            self.to = to
            self.category = category
            self.partner = partner
        }

        /// The four quarters up to the one `now` falls in.
        package static func lastYear(now: Date) -> Filter {
            let to = Quarter(containing: LocalDate.from(now))
            return (try? Filter(from: to.previous.previous.previous, to: to))
                ?? (try! Filter(from: to, to: to))  // one quarter is always a valid period
        }

        /// The first day and the day after the last, as the ISO dates stored.
        var days: (String, String) { (from.start.iso, to.next.start.iso) }

        /// The same, ending after `today` at the latest: what has started by now.
        func days(until today: LocalDate) -> (String, String) {
            (from.start.iso, min(to.next.start, today.adding(days: 1)).iso)
        }

        /// Words for file names: `2026-Q1-to-2026-Q4`, and the narrowing.
        package var fileLabel: String {
            "\(from.key)-to-\(to.key)" + (category == nil ? "" : "-category") + (partner == nil ? "" : "-partner")
        }
    }

    package struct StartedRow: Sendable, Equatable {
        package var quarter: Quarter
        package var placements: Int
        /// Weekly fees over the weeks each pattern charges a year, in pence.
        package var annualPence: Int
        package var direct: Int
    }

    package struct BenchmarkRow: Sendable, Equatable {
        package var category: String
        package var placements: Int
        package var lowerPence: Int
        package var medianPence: Int
        package var upperPence: Int
    }

    package struct EndingRow: Sendable, Equatable {
        package var category: String
        package var planned: Int
        package var unplanned: Int
    }

    package struct ResponseRow: Sendable, Equatable {
        package var category: String
        package var referrals: Int
        package var invited: Int
        package var bids: Int
        package var declined: Int
        /// Bids per referral in tenths (23 = 2.3).
        package var bidsPerReferralTenths: Int
        /// Bids and declines as a share of invitations, in whole per cent.
        package var responsePercent: Int?
    }

    package struct Report: Sendable, Equatable {
        package var filter: Filter
        package var started: [StartedRow]
        package var benchmarks: [BenchmarkRow]
        package var endings: [EndingRow]
        package var responses: [ResponseRow]

        /// No figures: what a reader of `market`'s half alone passes for this one.
        package static func none(_ filter: Filter) -> Report {
            Report(filter: filter, started: [], benchmarks: [], endings: [], responses: [])
        }
    }

    /// Who the figures are for, asked of the access policy once per page: a partner's own authority, or the lead's
    /// DPSs (narrowed by the filter's partner); forbidden for providers.
    struct Scope: Sendable {
        let scope: AccessPolicy.PlacementScope
        let filter: Filter

        init(_ actor: Actor, _ filter: Filter, db: any Database) async throws {
            scope = try await AccessPolicy.placementScope(of: actor, db: db)
            if case .provider = scope { throw UseCaseError(.forbidden, "The market figures are the councils'.") }
            self.filter = filter
        }

        /// The scope and the filter's category as SQL on a table aliased `alias`, whose council column is `authority`.
        func condition(_ alias: String, authority: String) -> SQLQueryString {
            var condition: SQLQueryString
            switch scope {
            case .provider: condition = "1 = 0"  // refused in init
            case .authority(let org): condition = "\(unsafeRaw: alias).\(unsafeRaw: authority) = \(bind: org)"
            case .dps(let ids):
                condition = ids.isEmpty ? "1 = 0" : "\(unsafeRaw: alias).dps_id IN (\(binds: ids))"
                if let partner = filter.partner {
                    condition = "\(condition) AND \(unsafeRaw: alias).\(unsafeRaw: authority) = \(bind: partner)"
                }
            }
            if let category = filter.category {
                condition = "\(condition) AND \(unsafeRaw: alias).category_id = \(bind: category)"
            }
            return condition
        }
    }

    /// `today` bounds the placements counted as started: one agreed to start later in the period has not yet.
    package static func report(actor: Actor, filter: Filter, today: LocalDate, db: any Database) async throws
        -> Report
    {
        let sql = try db.sql()
        let scope = try await Scope(actor, filter, db: db)
        let placements = scope.condition("p", authority: "authority_id")
        let (first, next) = filter.days(until: today)
        // Placements started, by month (quarters are made of months), with the weeks a year each pattern charges.
        let startedRows = try await sql.raw(
            """
            SELECT SUBSTR(p.start_date, 1, 7) AS month, COUNT(*) AS n,
                CAST(SUM(\(annualValue)) AS BIGINT) AS annual,
                SUM(CASE WHEN p.direct THEN 1 ELSE 0 END) AS direct
            FROM placements p
            WHERE \(placements) AND p.start_date >= \(bind: first) AND p.start_date < \(bind: next)
            GROUP BY SUBSTR(p.start_date, 1, 7)
            """
        ).all()
        var started: [Quarter: StartedRow] = [:]
        for row in startedRows {
            guard let day = LocalDate(iso: try row.decode(column: "month", as: String.self) + "-01") else { continue }
            let q = Quarter(containing: day)
            var s = started[q] ?? StartedRow(quarter: q, placements: 0, annualPence: 0, direct: 0)
            s.placements += try row.decode(column: "n", as: Int.self)
            s.annualPence = SafeArithmetic.sum([s.annualPence, try row.decode(column: "annual", as: Int.self)]) ?? .max
            s.direct += try row.decode(column: "direct", as: Int.self)
            started[q] = s
        }
        var quarters: [StartedRow] = []
        var q = filter.from
        while q <= filter.to {
            quarters.append(started[q] ?? StartedRow(quarter: q, placements: 0, annualPence: 0, direct: 0))
            q = q.next
        }
        // Benchmarks: the period's weekly fees per category, as a histogram (one row per distinct fee).
        let fees = try await sql.raw(
            """
            SELECT c.name AS category, c.position, p.weekly_fee_pence AS fee, COUNT(*) AS n
            FROM placements p JOIN categories c ON c.id = p.category_id
            WHERE \(placements) AND p.start_date >= \(bind: first) AND p.start_date < \(bind: next)
            GROUP BY c.name, c.position, p.weekly_fee_pence
            ORDER BY c.position, c.name
            """
        ).all()
        var byCategory: [(String, [(value: Int, count: Int)])] = []
        for row in fees {
            let name = try row.decode(column: "category", as: String.self)
            let entry = (
                value: try row.decode(column: "fee", as: Int.self), count: try row.decode(column: "n", as: Int.self)
            )
            if byCategory.last?.0 == name {
                byCategory[byCategory.count - 1].1.append(entry)
            } else {
                byCategory.append((name, [entry]))
            }
        }
        let benchmarks = byCategory.compactMap { name, counts in
            Figures.quartiles(counts: counts).map {
                BenchmarkRow(
                    category: name, placements: counts.reduce(0) { $0 + $1.count }, lowerPence: $0.lower,
                    medianPence: $0.median, upperPence: $0.upper)
            }
        }
        // Endings in the period, planned and unplanned.
        let endings = try await sql.raw(
            """
            SELECT c.name AS category, c.position,
                SUM(CASE WHEN p.ending_kind = 'planned' THEN 1 ELSE 0 END) AS planned,
                SUM(CASE WHEN p.ending_kind = 'unplanned' THEN 1 ELSE 0 END) AS unplanned
            FROM placements p JOIN categories c ON c.id = p.category_id
            WHERE \(placements) AND p.status = 'ended' AND p.actual_end_date >= \(bind: first)
                AND p.actual_end_date < \(bind: next)
            GROUP BY c.name, c.position ORDER BY c.position, c.name
            """
        ).all().map {
            EndingRow(
                category: try $0.decode(column: "category", as: String.self),
                planned: try $0.decode(column: "planned", as: Int.self),
                unplanned: try $0.decode(column: "unplanned", as: Int.self))
        }
        // Referrals published in the period and closed: invitations, bids submitted, declines, as each referral
        // kept them when it closed (M0032), added up by council, category and quarter by the close (M0037).
        let summary = scope.condition("s", authority: "authority_id")
        let responses = try await sql.raw(
            """
            SELECT c.name AS category, c.position, CAST(SUM(s.referrals) AS BIGINT) AS referrals,
                CAST(SUM(s.invited) AS BIGINT) AS invited, CAST(SUM(s.bids) AS BIGINT) AS bids,
                CAST(SUM(s.declined) AS BIGINT) AS declined
            FROM \(unsafeRaw: MarketSummaries.responses) s JOIN categories c ON c.id = s.category_id
            WHERE \(summary) AND s.quarter >= \(bind: filter.from.key) AND s.quarter <= \(bind: filter.to.key)
            GROUP BY c.name, c.position ORDER BY c.position, c.name
            """
        ).all().map { row in
            let referrals = try row.decode(column: "referrals", as: Int.self)
            let invited = try row.decode(column: "invited", as: Int.self)
            let bids = try row.decode(column: "bids", as: Int.self)
            let declined = try row.decode(column: "declined", as: Int.self)
            return ResponseRow(
                category: try row.decode(column: "category", as: String.self), referrals: referrals, invited: invited,
                bids: bids, declined: declined,
                bidsPerReferralTenths: referrals == 0 ? 0 : (bids * 20 + referrals) / (referrals * 2),
                responsePercent: Figures.percent(bids + declined, of: invited))
        }
        return Report(
            filter: filter, started: quarters, benchmarks: benchmarks, endings: endings, responses: responses)
    }

    /// The partners the lead's staff can narrow the figures to: every partner (and the lead) of their DPSs.
    package static func partners(actor: Actor, db: any Database) async throws -> [(id: UUID, name: String)] {
        guard case .dps(let ids) = try await AccessPolicy.placementScope(of: actor, db: db), !ids.isEmpty else {
            return []
        }
        return try await db.sql().raw(
            """
            SELECT DISTINCT o.id, o.name FROM organisations o
            WHERE o.id IN (SELECT organisation_id FROM dps_partners WHERE dps_id IN (\(binds: ids)))
                OR o.id IN (SELECT lead_organisation_id FROM dps WHERE id IN (\(binds: ids)))
            ORDER BY o.name
            """
        ).all().map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "name", as: String.self)) }
    }

    /// One cell of the public demand signals: referrals published in a quarter for a category, by the placing council
    /// and an area of need, with small counts held back.
    package struct DemandCell: Sendable, Equatable {
        package var category: String
        package var council: String
        package var need: String
        package var referrals: Figures.PublicCount
    }

    /// The public demand signals for a quarter (no sign-in): how many referrals were published for each category,
    /// placing council and area of need (a referral counts once under each area its needs are coded with; uncoded
    /// needs count as "Not coded"). Counts under 5 are shown as "fewer than 5", and no totals are given, so no cell can
    /// be worked out from others. Nothing about a child beyond the coded area of need is read.
    package static func demand(quarter: Quarter, db: any Database) async throws -> [DemandCell] {
        try await db.sql().raw(
            """
            SELECT c.name AS category, c.position, o.name AS council, i.code, COUNT(DISTINCT r.id) AS n
            FROM referrals r JOIN categories c ON c.id = r.category_id
                JOIN organisations o ON o.id = r.organisation_id
                LEFT JOIN referral_items i ON i.referral_id = r.id AND i.kind = 'need'
            WHERE r.published_at IS NOT NULL AND r.published_at >= \(bind: quarter.start.startOfDay())
                AND r.published_at < \(bind: quarter.next.start.startOfDay())
            GROUP BY c.name, c.position, o.name, i.code
            ORDER BY c.position, c.name, o.name, i.code
            """
        ).all().map { row in
            let code = try row.decode(column: "code", as: String?.self)
            return DemandCell(
                category: try row.decode(column: "category", as: String.self),
                council: try row.decode(column: "council", as: String.self),
                need: code.map { NeedArea(rawValue: $0)?.label ?? "Not coded" } ?? "Not coded",
                referrals: Figures.publicCount(try row.decode(column: "n", as: Int.self)))
        }
    }
}

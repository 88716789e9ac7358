import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The rest of the councils' figures (issue 11): spend by partner and the share bought off competition, the
/// committed value of live placements, how long buying takes, declines by reason, distance from home, outcome
/// reviews, and endings by provider. Same scope and filter as `report`; every count an SQL aggregate, every median
/// from a histogram grouped in SQL (memory bounded by the distinct values, not the rows).
extension MarketFigures {
    package struct PartnerRow: Sendable, Equatable {
        package var partner: String
        package var placements: Int
        package var annualPence: Int
        package var direct: Int
        package var directAnnualPence: Int
    }

    package struct TimingRow: Sendable, Equatable {
        package var category: String
        /// Referrals awarded in the period.
        package var awarded: Int
        /// Median calendar days (UTC) from publication to award, and to the placement's start.
        package var medianDaysToAward: Int?
        package var medianDaysToStart: Int?
        /// Awarded with a single bid: no real competition.
        package var singleBid: Int
        /// Referrals published in the period that re-issue an earlier one.
        package var reissued: Int
    }

    package struct CountRow: Sendable, Equatable {
        package var label: String
        package var count: Int
    }

    package struct DistanceRow: Sendable, Equatable {
        package var category: String
        /// Placements through a referral, whose distance from home was measured when the referral was published.
        package var measured: Int
        package var within20: Int
        /// Counts by `Figures.distanceBands`.
        package var bands: [Int]
    }

    package struct ReviewRow: Sendable, Equatable {
        package var category: String
        /// Reviews due in the period, and of those: agreed by both sides, waiting for the provider or the authority,
        /// and overdue now.
        package var due: Int
        package var completed: Int
        package var waitingProvider: Int
        package var waitingAuthority: Int
        package var overdue: Int
    }

    package struct ProviderEndingRow: Sendable, Equatable {
        package var provider: String
        package var planned: Int
        package var unplanned: Int
    }

    package struct Market: Sendable, Equatable {
        package var partners: [PartnerRow]
        /// Placements running now (active and started, whatever the period), their number and their value a year.
        package var livePlacements: Int
        package var liveAnnualPence: Int
        package var timing: [TimingRow]
        package var declines: [CountRow]
        package var distance: [DistanceRow]
        package var reviews: [ReviewRow]
        package var providerEndings: [ProviderEndingRow]

        /// No figures: what a reader of `report`'s half alone passes for this one.
        package static let none = Market(
            partners: [], livePlacements: 0, liveAnnualPence: 0, timing: [], declines: [], distance: [], reviews: [],
            providerEndings: [])
    }

    /// A placement's value a year: its weekly fee over the weeks its pattern charges (38, 42 or 52). The pattern is
    /// the placement's own (the referral's, kept at the award since M0033).
    static let annualValue: SQLQueryString = """
        p.weekly_fee_pence * CASE p.pattern
            WHEN 'day38' THEN 38 WHEN 'weekly38' THEN 38 WHEN 'residential42' THEN 42 ELSE 52 END
        """

    package static func market(actor: Actor, filter: Filter, today: LocalDate, db: any Database) async throws
        -> Market
    {
        let sql = try db.sql()
        let scope = try await Scope(actor, filter, db: db)
        let placements = scope.condition("p", authority: "authority_id")
        let referrals = scope.condition("r", authority: "organisation_id")
        let (first, next) = filter.days
        let (firstStarted, nextStarted) = filter.days(until: today)
        let (from, until) = (filter.from.start.startOfDay(), filter.to.next.start.startOfDay())
        // The slowest statements, over ten years at national scale, run beside the rest on their own connections.
        async let timingRows = timing(
            sql: sql, placements: placements, referrals: referrals, from: from, until: until)
        async let later = reviewsAndEndings(
            sql: sql, scope: scope, placements: placements, first: first, next: next, today: today)

        let partners = try await sql.raw(
            """
            SELECT o.name AS partner, t.n, t.annual, t.direct, t.direct_annual
            FROM (
                SELECT p.authority_id, COUNT(*) AS n, CAST(SUM(\(annualValue)) AS BIGINT) AS annual,
                    SUM(CASE WHEN p.direct THEN 1 ELSE 0 END) AS direct,
                    CAST(SUM(CASE WHEN p.direct THEN \(annualValue) ELSE 0 END) AS BIGINT) AS direct_annual
                FROM placements p
                WHERE \(placements) AND p.start_date >= \(bind: firstStarted) AND p.start_date < \(bind: nextStarted)
                GROUP BY p.authority_id
            ) t JOIN organisations o ON o.id = t.authority_id
            ORDER BY o.name, o.id
            """
        ).all().map {
            PartnerRow(
                partner: try $0.decode(column: "partner", as: String.self), placements: try int($0, "n"),
                annualPence: try int($0, "annual"), direct: try int($0, "direct"),
                directAnnualPence: try int($0, "direct_annual"))
        }

        let live = try await sql.raw(
            """
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(\(annualValue)), 0) AS BIGINT) AS annual
            FROM placements p
            WHERE \(placements) AND p.status = 'active' AND p.start_date <= \(bind: today.iso)
            """
        ).first()

        let labels = Dictionary(Referrals.declineReasons, uniquingKeysWith: { a, _ in a })
        // Declines by reason on the referrals published in the period and closed, from the market's summary by
        // council, category and quarter of publication, which the close adds to (M0035).
        let summary = scope.condition("s", authority: "authority_id")
        let declines = try await sql.raw(
            """
            SELECT s.reason, CAST(SUM(s.declines) AS BIGINT) AS n
            FROM \(unsafeRaw: MarketSummaries.declines) s
            WHERE \(summary) AND s.quarter >= \(bind: filter.from.key) AND s.quarter <= \(bind: filter.to.key)
            GROUP BY s.reason ORDER BY SUM(s.declines) DESC, s.reason
            """
        ).all().map {
            let code = try $0.decode(column: "reason", as: String?.self) ?? ""
            return CountRow(label: labels[code] ?? "Not given", count: try int($0, "n"))
        }

        // Distance: the winning establishment's distance as its invitation measured it (kept on the placement at the
        // award, M0033), in the evaluation's bands.
        var band: SQLQueryString = "CASE"
        for (i, b) in Figures.distanceBands.enumerated() {
            if let below = b.below { band = "\(band) WHEN p.distance_miles < \(literal: below) THEN \(literal: i)" }
        }
        band = "\(band) ELSE \(literal: Figures.distanceBands.count - 1) END"
        let distanceRows = try await sql.raw(
            """
            SELECT c.name AS category, c.position, t.band, t.n
            FROM (
                SELECT p.category_id, \(band) AS band, COUNT(*) AS n
                FROM placements p
                WHERE \(placements) AND p.distance_miles IS NOT NULL AND p.start_date >= \(bind: firstStarted)
                    AND p.start_date < \(bind: nextStarted)
                GROUP BY p.category_id, \(band)
            ) t JOIN categories c ON c.id = t.category_id
            ORDER BY c.position, c.name, c.id
            """
        ).all()
        var distance: [DistanceRow] = []
        for row in distanceRows {
            let name = try row.decode(column: "category", as: String.self)
            if distance.last?.category != name {
                distance.append(
                    DistanceRow(
                        category: name, measured: 0, within20: 0,
                        bands: Array(repeating: 0, count: Figures.distanceBands.count)))
            }
            let (b, n) = (try int(row, "band"), try int(row, "n"))
            guard Figures.distanceBands.indices.contains(b) else { continue }
            distance[distance.count - 1].bands[b] += n
            distance[distance.count - 1].measured += n
            if b < 3 { distance[distance.count - 1].within20 += n }
        }

        return Market(
            partners: partners, livePlacements: try live.map { try int($0, "n") } ?? 0,
            liveAnnualPence: try live.map { try int($0, "annual") } ?? 0, timing: try await timingRows,
            declines: declines, distance: distance, reviews: try await later.reviews,
            providerEndings: try await later.endings)
    }

    /// Time to award and to start, single-bid awards and re-issues by category: part of `market`, run beside the rest.
    static func timing(
        sql: any SQLDatabase, placements: SQLQueryString, referrals: SQLQueryString, from: Date, until: Date
    ) async throws -> [TimingRow] {
        // Awards in the period: days from publication to award and to start, as histograms per category, from the
        // numbers of days the award keeps on the placement (M0038). Grouped by category before its name is joined.
        let timingRows = try await sql.raw(
            """
            SELECT c.name AS category, c.position, t.to_award, t.to_start, t.n, t.single
            FROM (
                SELECT p.category_id, p.days_to_award AS to_award, p.days_to_start AS to_start, COUNT(*) AS n,
                    SUM(CASE WHEN p.competing_bids = 1 THEN 1 ELSE 0 END) AS single
                FROM placements p
                WHERE \(placements) AND p.days_to_award IS NOT NULL AND p.created_at >= \(bind: from)
                    AND p.created_at < \(bind: until)
                GROUP BY p.category_id, p.days_to_award, p.days_to_start
            ) t JOIN categories c ON c.id = t.category_id
            ORDER BY c.position, c.name
            """
        ).all()
        var timing: [String: (position: Int, award: [Int: Int], start: [Int: Int], n: Int, single: Int)] = [:]
        for row in timingRows {
            let name = try row.decode(column: "category", as: String.self)
            let position = try int(row, "position")
            var t = timing[name] ?? (position, [:], [:], 0, 0)
            let n = try int(row, "n")
            t.award[try int(row, "to_award"), default: 0] += n
            t.start[try int(row, "to_start"), default: 0] += n
            t.n += n
            t.single += try int(row, "single")
            timing[name] = t
        }
        let reissued = try await sql.raw(
            """
            SELECT c.name AS category, c.position, COUNT(*) AS n
            FROM referrals r JOIN categories c ON c.id = r.category_id
            WHERE \(referrals) AND r.previous_id IS NOT NULL AND r.published_at >= \(bind: from)
                AND r.published_at < \(bind: until)
            GROUP BY c.name, c.position
            """
        ).all()
        for row in reissued {
            let name = try row.decode(column: "category", as: String.self)
            let position = try int(row, "position")
            if timing[name] == nil { timing[name] = (position, [:], [:], 0, 0) }
        }
        let reissuedBy = Dictionary(
            try reissued.map { (try $0.decode(column: "category", as: String.self), try int($0, "n")) },
            uniquingKeysWith: +)
        let timingOut = timing.sorted { ($0.value.position, $0.key) < ($1.value.position, $1.key) }.map {
            name, t in
            TimingRow(
                category: name, awarded: t.n,
                medianDaysToAward: Figures.quartiles(counts: t.award.map { ($0.key, $0.value) })?.median,
                medianDaysToStart: Figures.quartiles(counts: t.start.map { ($0.key, $0.value) })?.median,
                singleBid: t.single, reissued: reissuedBy[name] ?? 0)
        }

        return timingOut
    }

    /// Outcome reviews and endings by provider (part of `market`, run beside the rest).
    static func reviewsAndEndings(
        sql: any SQLDatabase, scope: Scope, placements: SQLQueryString, first: String, next: String, today: LocalDate
    ) async throws -> (reviews: [ReviewRow], endings: [ProviderEndingRow]) {
        // Reviews by the placement's scope, kept on each review (M0035).
        let reviewScope = scope.condition("v", authority: "authority_id")
        let reviews = try await sql.raw(
            """
            SELECT c.name AS category, c.position, CAST(SUM(t.due) AS BIGINT) AS due,
                CAST(SUM(t.completed) AS BIGINT) AS completed,
                CAST(SUM(t.waiting_provider) AS BIGINT) AS waiting_provider,
                CAST(SUM(t.waiting_authority) AS BIGINT) AS waiting_authority,
                CAST(SUM(t.overdue) AS BIGINT) AS overdue
            FROM (
                SELECT v.category_id, COUNT(*) AS due,
                    SUM(CASE WHEN v.state = 'completed' THEN 1 ELSE 0 END) AS completed,
                    SUM(CASE WHEN v.state = 'due' THEN 1 ELSE 0 END) AS waiting_provider,
                    SUM(CASE WHEN v.state = 'recorded' THEN 1 ELSE 0 END) AS waiting_authority,
                    SUM(CASE WHEN v.state <> 'completed' AND v.due_date < \(bind: today.iso) THEN 1 ELSE 0 END)
                        AS overdue
                FROM placement_reviews v
                WHERE \(reviewScope) AND v.due_date >= \(bind: first) AND v.due_date < \(bind: next)
                GROUP BY v.category_id
            ) t JOIN categories c ON c.id = t.category_id
            GROUP BY c.name, c.position ORDER BY c.position, c.name
            """
        ).all().map {
            ReviewRow(
                category: try $0.decode(column: "category", as: String.self), due: try int($0, "due"),
                completed: try int($0, "completed"), waitingProvider: try int($0, "waiting_provider"),
                waitingAuthority: try int($0, "waiting_authority"), overdue: try int($0, "overdue"))
        }

        let providerEndings = try await sql.raw(
            """
            SELECT o.name AS provider, t.planned, t.unplanned
            FROM (
                SELECT p.provider_id, SUM(CASE WHEN p.ending_kind = 'planned' THEN 1 ELSE 0 END) AS planned,
                    SUM(CASE WHEN p.ending_kind = 'unplanned' THEN 1 ELSE 0 END) AS unplanned
                FROM placements p
                WHERE \(placements) AND p.status = 'ended' AND p.actual_end_date >= \(bind: first)
                    AND p.actual_end_date < \(bind: next)
                GROUP BY p.provider_id
            ) t JOIN organisations o ON o.id = t.provider_id
            ORDER BY t.unplanned DESC, o.name, o.id
            LIMIT 50
            """
        ).all().map {
            ProviderEndingRow(
                provider: try $0.decode(column: "provider", as: String.self), planned: try int($0, "planned"),
                unplanned: try int($0, "unplanned"))
        }

        return (reviews, providerEndings)
    }
}

extension MarketFigures {
    /// The weekly-fee benchmark a bid is read against: quartiles of the weekly fees of the category's placements
    /// that started in the twelve months before `today`, across the DPS (award values are published anyway), with
    /// how many placements they come from. Nil when none did.
    package struct Benchmark: Sendable, Equatable {
        package var lowerPence: Int
        package var medianPence: Int
        package var upperPence: Int
        package var placements: Int

        package func position(of pence: Int) -> String {
            Figures.position(of: pence, in: (lowerPence, medianPence, upperPence))
        }
    }

    package static func benchmark(category: UUID, today: LocalDate, db: any Database) async throws -> Benchmark? {
        let counts = try await db.sql().raw(
            """
            SELECT p.weekly_fee_pence AS fee, COUNT(*) AS n FROM placements p
            WHERE p.category_id = \(bind: category) AND p.start_date >= \(bind: today.adding(months: -12).iso)
                AND p.start_date <= \(bind: today.iso)
            GROUP BY p.weekly_fee_pence
            """
        ).all().map {
            (value: try $0.decode(column: "fee", as: Int.self), count: try $0.decode(column: "n", as: Int.self))
        }
        return Figures.quartiles(counts: counts).map {
            Benchmark(
                lowerPence: $0.lower, medianPence: $0.median, upperPence: $0.upper,
                placements: counts.reduce(0) { $0 + $1.count })
        }
    }
}

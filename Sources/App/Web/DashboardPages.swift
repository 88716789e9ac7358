import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// Each organisation's dashboard (issue 11): the headline numbers of its placements and referrals with the way into
/// its work and its figures, and for providers their own results against the market. Evaluators and the young
/// people's panel go straight to the applications they score, which is their whole work.
struct DashboardPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.resultsExport, use: resultsExport)
    }

    func dashboard(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        if [.evaluator, .panelMember].contains(actor.role) { return req.redirect(to: .assessmentQueue) }
        let today = LocalDate.from(req.now)
        let h = try await Dashboard.headlines(actor: actor, today: today, now: req.now, db: req.readDB)
        if actor.isProvider { return try await results(req: req, headlines: h) }
        let work: [(String, SiteURL)] =
            switch actor.role {
            case .dpsAdmin: [("DPS set-up", .dpsOverview), ("Applications", .assessmentQueue)]
            case .contractManager: [("Memberships", .memberships), ("Publication calendar", .publication)]
            case .auditor: [("Audit trail", .audit)]
            default: [("Referrals", .referrals)]
            }
        return HTMLResponse.make(
            Layout.page(title: "Dashboard", context: PageContext(request: req)) {
                UI.h1("Dashboard", caption: actor.organisationName)
                tiles([
                    ("Placements running", "\(h.livePlacements)", placements([("status", "active")])),
                    ("Committed a year", formatPence(h.liveAnnualPence), SiteURL.figures.path),
                    ("Referrals open for bids", "\(h.openReferrals)", SiteURL.referrals.path),
                    ("Outcome reviews overdue", "\(h.overdueReviews)", placements([("overdue", "yes")])),
                    (
                        "Unplanned endings in the last 12 months", "\(h.unplannedEndings)",
                        placements([("ending", "unplanned")])
                    ),
                ])
                UI.h2("Your work")
                el("ul", .class("govuk-list")) {
                    for (label, url) in work { el("li") { UI.link(label, url) } }
                    el("li") { UI.link("Placements", .placements) }
                }
                UI.h2("Figures")
                el("ul", .class("govuk-list")) {
                    el("li") {
                        UI.link("Market figures: spend, benchmarks, responses, timing, distance, outcomes", .figures)
                    }
                    el("li") { UI.link("Market capacity and the map of members", .capacity) }
                    if actor.role != .placementOfficer { el("li") { UI.link("Cost-sharing statement", .costSharing) } }
                    el("li") { UI.link("Public demand signals", .demand) }
                }
            })
    }

    private func placements(_ query: [(String, String)]) -> String { SiteURL.placements.path(query: query) }

    /// Headline numbers as a row of cards, each a link to the list the number comes from.
    private func tiles(_ items: [(String, String, String)]) -> Markup {
        el("ul", .class("dps-tiles")) {
            for (label, value, href) in items {
                el("li", .class("dps-card dps-tile")) {
                    el("a", .class("govuk-link dps-tile__link"), .href(href)) {
                        el("span", .class("dps-tile__value")) { value }
                        el("span", .class("dps-tile__label")) { label }
                    }
                }
            }
        }
    }

    static func tables(_ r: ProviderResults.Report) -> [FigureTable] {
        func q(_ q: ProviderResults.Quartiles?, _ show: (Int) -> String) -> [String] {
            guard let q else {
                let hidden = "Not shown: fewer than \(Figures.suppressionThreshold) providers"
                return [hidden, hidden, hidden]
            }
            return [show(q.lower), show(q.median), show(q.upper)]
        }
        let percent = { (n: Int) in "\(n)%" }
        let maxRank = 3
        func ranks(_ row: ProviderResults.CategoryRow) -> [String] {
            (1...maxRank).map { "\(row.ranks[$0] ?? 0)" }
                + ["\(row.ranks.filter { $0.key > maxRank }.reduce(0) { $0 + $1.value })"]
        }
        let priced = r.rows.filter { $0.ownPrice != nil || $0.marketPrice != nil }
        return [
            FigureTable(
                key: "bids", heading: "Your bids and wins",
                intro: "Counted when a referral closes: a referral still open for bids is not here until its deadline.",
                chart: BarChart.svg(
                    id: "bids", title: "Your win rate by category",
                    description: "The share of your bids on awarded referrals that won, for referrals published in "
                        + "the period.",
                    bars: r.rows.map {
                        .init(
                            label: $0.category, value: $0.winPercent ?? 0,
                            shown: $0.winPercent.map(percent) ?? "No bids")
                    }),
                caption: "Referrals published in the period and closed",
                headers: [
                    "Category", "Invited", "Bids", "Declined", "Won", "Your win rate",
                    "Market win rate: lower quartile",
                    "Market win rate: median", "Market win rate: upper quartile",
                ],
                rows: r.rows.map {
                    [
                        $0.category, "\($0.invited)", "\($0.bids)", "\($0.declined)", "\($0.wins)",
                        $0.winPercent.map(percent) ?? ($0.bids == 0 ? "No bids" : "None awarded yet"),
                    ] + q($0.marketWinRate, percent)
                },
                csvHeaders: [
                    "Category", "Invited", "Bids", "Declined", "Won", "Win rate (%)",
                    "Market win rate lower quartile (%)",
                    "Market win rate median (%)", "Market win rate upper quartile (%)",
                ],
                csvRows: r.rows.map {
                    [
                        $0.category, "\($0.invited)", "\($0.bids)", "\($0.declined)", "\($0.wins)",
                        $0.winPercent.map(String.init) ?? "",
                    ]
                        + ($0.marketWinRate.map { [String($0.lower), String($0.median), String($0.upper)] } ?? [
                            "", "", "",
                        ])
                },
                empty: "You were not invited to any referral published in the period and closed."),
            FigureTable(
                key: "prices", heading: "Your prices against the market",
                intro: "Weekly prices of the bids in each category you belong to: yours, and every provider's as "
                    + "quartiles.",
                caption: "Weekly bid prices, referrals published in the period",
                headers: [
                    "Category", "Your median", "Where yours sits", "Market: lower quartile", "Market: median",
                    "Market: upper quartile",
                ],
                rows: priced.map { row in
                    let own = row.ownPrice.map { formatPence($0.median) } ?? "No bids"
                    let sits =
                        row.ownPrice.flatMap { o in row.marketPrice.map { Figures.position(of: o.median, in: $0) } }
                        ?? "Not shown"
                    return [row.category, own, sits] + q(row.marketPrice, formatPence)
                },
                csvHeaders: [
                    "Category", "Your median (pence)", "Market lower quartile (pence)", "Market median (pence)",
                    "Market upper quartile (pence)",
                ],
                csvRows: priced.map { row in
                    [row.category, row.ownPrice.map { String($0.median) } ?? ""]
                        + (row.marketPrice.map { [String($0.lower), String($0.median), String($0.upper)] } ?? [
                            "", "", "",
                        ])
                },
                empty: "No bids were made in your categories in the period, by you or by at least "
                    + "\(Figures.suppressionThreshold) providers (fewer are not shown)."),
            FigureTable(
                key: "ranks", heading: "Where your bids ranked",
                intro: "Your ranked bids by their place in each evaluated referral (1 is the top score).",
                caption: "Ranked bids, referrals published in the period",
                headers: ["Category", "First", "Second", "Third", "Lower"],
                rows: r.rows.filter { !$0.ranks.isEmpty }.map { [$0.category] + ranks($0) },
                empty: "None of your bids has been ranked in the period."),
            FigureTable(
                key: "declines", heading: "Your declines by reason",
                caption: "Invitations you declined", headers: ["Reason", "Declines"],
                rows: r.declines.map { [$0.label, "\($0.count)"] }, empty: "You declined no invitation in the period."),
        ]
    }

    private func results(req: Request, headlines h: Dashboard.Headlines) async throws -> Response {
        let actor = try req.requireActor()
        let categories = try await Placements.categories(actor: actor, db: req.readDB)
        let (filter, errors) = FigureFilter.readForPage(req, categories: categories, partners: [])
        let report = try await ProviderResults.report(actor: actor, filter: filter, db: req.readDB)
        let tables = Self.tables(report)
        let kept = FigureFilter.query(filter)
        return HTMLResponse.make(
            Layout.page(title: "Dashboard", context: PageContext(request: req)) {
                UI.errorSummary(errors)
                UI.h1("Dashboard", caption: actor.organisationName)
                tiles([
                    ("Invitations waiting for your bid", "\(h.openReferrals)", SiteURL.invitations.path),
                    ("Placements running", "\(h.livePlacements)", placements([("status", "active")])),
                    ("Outcome reviews overdue", "\(h.overdueReviews)", placements([("overdue", "yes")])),
                ])
                UI.h2("Your results, \(FigureFilter.period(filter))")
                UI.p(
                    "Your bids against the market in the categories you belong to. The market's figures are "
                        + "quartiles over every bidding provider, shown only where at least "
                        + "\(Figures.suppressionThreshold) providers bid, so no other provider's figure can be read.")
                FigureFilter.form(
                    filter, action: .dashboard, now: req.now, categories: categories, partners: [], errors: errors)
                FigureTable.contents(tables)
                for table in tables { table.section(export: .resultsExport, query: kept) }
                UI.p("Demand for placements across the market is on the public demand page.")
                el("p", .class("govuk-body")) { UI.link("Demand for placements", .demand) }
            }, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    func resultsExport(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let key = req.query[String.self, at: "figure"] ?? ""
        guard ["bids", "prices", "ranks", "declines"].contains(key) else {
            throw UseCaseError(field: "figure", "Choose a figure from the page")
        }
        let categories = try await Placements.categories(actor: actor, db: req.readDB)
        let filter = try FigureFilter.read(req, categories: categories, partners: [])
        let tables = Self.tables(try await ProviderResults.report(actor: actor, filter: filter, db: req.readDB))
        guard let table = tables.first(where: { $0.key == key }) else {
            throw UseCaseError(field: "figure", "Choose a figure from the page")
        }
        return table.download(
            label: FigureFilter.fileLabel(filter, categories: categories, partners: []), prefix: "results")
    }
}

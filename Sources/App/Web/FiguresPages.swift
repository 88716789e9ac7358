import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// "Market figures" (issue 11, first part): each figure as an accessible SVG chart beside its table, for a period of
/// quarters, a category and, for the lead's staff, a partner; each table as CSV with the period and filters in the
/// file name. Works without JavaScript.
struct FiguresPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.figures, use: page)
        routes.get(.figuresExport, use: export)
        routes.get(.capacity, use: capacity)
        routes.get(.demand, use: demand)
    }

    /// The public demand signals for a quarter, with the rule on small counts stated.
    func demand(req: Request) async throws -> Response {
        let current = Quarter(containing: LocalDate.from(req.now))
        let quarter: Quarter
        if let raw = req.query[String.self, at: "quarter"], !raw.isEmpty {
            guard let q = Quarter(key: raw) else { throw UseCaseError(field: "quarter", "Give the quarter as 2026-Q3") }
            quarter = q
        } else {
            quarter = current
        }
        let cells = try await MarketFigures.demand(quarter: quarter, db: req.readDB)
        var recent: [Quarter] = []
        var q = current
        for _ in 0..<8 {
            recent.append(q)
            q = q.previous
        }
        return HTMLResponse.make(
            Layout.page(title: "Demand for placements", context: PageContext(request: req)) {
                UI.h1("Demand for placements", caption: quarter.label)
                UI.p(
                    "How many referrals councils published, by category, placing council and area of need, so "
                        + "providers can plan places where children need them. A referral counts once under each area "
                        + "of need it names.")
                UI.inset(
                    "To protect children's privacy, any count from 1 to 4 is shown as \"fewer than 5\", and no "
                        + "totals are given, so no small count can be worked out from the others. Nothing else about "
                        + "a child is shown.")
                el("nav", Attr("aria-label", "Quarters")) {
                    el("ul", .class("govuk-list dps-inline-list")) {
                        for r in recent {
                            el("li") {
                                if r == quarter {
                                    el("strong") { r.label }
                                } else {
                                    UI.link(r.label, href: SiteURL.demand.path(query: [("quarter", r.key)]))
                                }
                            }
                        }
                    }
                }
                if cells.isEmpty {
                    UI.inset("No referrals were published in this quarter.")
                } else {
                    UI.table(
                        caption: "Referrals published, \(quarter.label)",
                        headers: ["Category", "Placing council", "Area of need", "Referrals"],
                        rows: cells.map {
                            [text($0.category), text($0.council), text($0.need), text($0.referrals.description)]
                        })
                }
            })
    }

    /// The figures `MarketFigures.report` reads; the rest are `MarketFigures.market`'s. A CSV reads only its half.
    static let reportKeys: Set = ["started", "benchmarks", "responses", "endings"]

    /// Every council figure, built from the two reports.
    static func tables(_ r: MarketFigures.Report, _ m: MarketFigures.Market) -> [FigureTable] {
        let pence = { (n: Int) in String(n) }
        let distanceTotals = Figures.distanceBands.indices.map { i in m.distance.reduce(0) { $0 + $1.bands[i] } }
        return [
            FigureTable(
                key: "started", heading: "Placements started and their value a year",
                chart: BarChart.svg(
                    id: "started", title: "Placements started by quarter",
                    description: "The number of placements that started in each quarter of the period.",
                    bars: r.started.map {
                        .init(label: $0.quarter.label, value: $0.placements, shown: "\($0.placements)")
                    }),
                caption: "By quarter of the start date",
                headers: ["Quarter", "Placements", "Of which direct", "Value a year"],
                rows: r.started.map {
                    ["\($0.quarter.label)", "\($0.placements)", "\($0.direct)", formatPence($0.annualPence)]
                },
                csvHeaders: ["Quarter", "Placements", "Of which direct", "Value a year (pence)"],
                csvRows: r.started.map { [$0.quarter.key, "\($0.placements)", "\($0.direct)", pence($0.annualPence)] },
                empty: "No placement started in the period."),
            FigureTable(
                key: "partners", heading: "Spend by partner",
                intro: "The value a year of the placements each partner started in the period, and how much of it was "
                    + "bought directly, without a competition.",
                chart: BarChart.svg(
                    id: "partners", title: "Value a year of placements started, by partner",
                    description: "Each partner's placements started in the period, valued at a year's fees.",
                    bars: m.partners.map {
                        .init(label: $0.partner, value: $0.annualPence, shown: formatPence($0.annualPence))
                    }),
                caption: "Placements started in the period, by placing authority",
                headers: ["Partner", "Placements", "Value a year", "Direct", "Direct value a year", "Direct share"],
                rows: m.partners.map {
                    [
                        $0.partner, "\($0.placements)", formatPence($0.annualPence), "\($0.direct)",
                        formatPence($0.directAnnualPence),
                        Figures.percent($0.directAnnualPence, of: $0.annualPence).map { "\($0)%" } ?? "None",
                    ]
                },
                csvHeaders: [
                    "Partner", "Placements", "Value a year (pence)", "Direct", "Direct value a year (pence)",
                    "Direct share (%)",
                ],
                csvRows: m.partners.map {
                    [
                        $0.partner, "\($0.placements)", pence($0.annualPence), "\($0.direct)",
                        pence($0.directAnnualPence),
                        Figures.percent($0.directAnnualPence, of: $0.annualPence).map(String.init) ?? "",
                    ]
                },
                empty: "No placement started in the period."),
            FigureTable(
                key: "benchmarks", heading: "Weekly cost benchmarks",
                intro:
                    "Quartiles of the weekly fee of the placements that started in the period (the inclusive method: "
                    + "positions a quarter, half and three quarters of the way along the sorted fees).",
                chart: BarChart.svg(
                    id: "benchmarks", title: "Median weekly cost by category",
                    description: "The median weekly fee of the placements that started in the period, by category.",
                    bars: r.benchmarks.map {
                        .init(label: $0.category, value: $0.medianPence, shown: formatPence($0.medianPence))
                    }),
                caption: "Weekly fee of the placements started in the period",
                headers: ["Category", "Placements", "Lower quartile", "Median", "Upper quartile"],
                rows: r.benchmarks.map {
                    [
                        $0.category, "\($0.placements)", formatPence($0.lowerPence), formatPence($0.medianPence),
                        formatPence($0.upperPence),
                    ]
                },
                csvHeaders: [
                    "Category", "Placements", "Lower quartile (pence)", "Median (pence)", "Upper quartile (pence)",
                ],
                csvRows: r.benchmarks.map {
                    [
                        $0.category, "\($0.placements)", pence($0.lowerPence), pence($0.medianPence),
                        pence($0.upperPence),
                    ]
                },
                empty: "No placement started in the period."),
            FigureTable(
                key: "responses", heading: "Referrals and responses",
                intro: "Counted when a referral closes: bids are sealed until the deadline, so a referral still "
                    + "open is not in these figures yet.",
                chart: BarChart.svg(
                    id: "responses", title: "Bids per referral by category",
                    description:
                        "The average number of bids each referral published in the period and closed received.",
                    bars: r.responses.map {
                        .init(
                            label: $0.category, value: $0.bidsPerReferralTenths,
                            shown: FigureFilter.tenths($0.bidsPerReferralTenths))
                    }),
                caption: "Referrals published in the period and closed",
                headers: ["Category", "Referrals", "Invited", "Bids", "Declined", "Bids per referral", "Responded"],
                rows: r.responses.map {
                    [
                        $0.category, "\($0.referrals)", "\($0.invited)", "\($0.bids)", "\($0.declined)",
                        FigureFilter.tenths($0.bidsPerReferralTenths),
                        $0.responsePercent.map { "\($0)%" } ?? "None invited",
                    ]
                },
                csvHeaders: [
                    "Category", "Referrals", "Invited", "Bids", "Declined", "Bids per referral", "Responded (%)",
                ],
                csvRows: r.responses.map {
                    [
                        $0.category, "\($0.referrals)", "\($0.invited)", "\($0.bids)", "\($0.declined)",
                        FigureFilter.tenths($0.bidsPerReferralTenths), $0.responsePercent.map(String.init) ?? "",
                    ]
                },
                empty: "No referral published in the period has closed."),
            FigureTable(
                key: "declines", heading: "Declines by reason",
                intro:
                    "Why invited providers declined. Declines because a provider cannot meet the child's needs measure "
                    + "referrals sent to providers they did not fit.",
                chart: BarChart.svg(
                    id: "declines", title: "Declines by reason",
                    description: "How many invitations to referrals published in the period were declined, by reason.",
                    bars: m.declines.map { .init(label: $0.label, value: $0.count, shown: "\($0.count)") }),
                caption: "Invitations declined, referrals published in the period and closed",
                headers: ["Reason", "Declines"], rows: m.declines.map { [$0.label, "\($0.count)"] },
                empty: "No invitation was declined."),
            FigureTable(
                key: "timing", heading: "Time to award and to start",
                intro: "For referrals awarded in the period: median calendar days from publication to the award and to "
                    + "the placement's start; awards made on a single bid; referrals re-issued for want of bids.",
                chart: BarChart.svg(
                    id: "timing", title: "Median days from publication to award, by category",
                    description: "The median number of days between publishing a referral and awarding it.",
                    bars: m.timing.map {
                        .init(label: $0.category, value: $0.medianDaysToAward ?? 0, shown: days($0.medianDaysToAward))
                    }),
                caption: "Referrals awarded in the period",
                headers: [
                    "Category", "Awarded", "Median days to award", "Median days to start", "Single bid", "Re-issued",
                ],
                rows: m.timing.map {
                    [
                        $0.category, "\($0.awarded)", days($0.medianDaysToAward), days($0.medianDaysToStart),
                        "\($0.singleBid)", "\($0.reissued)",
                    ]
                },
                csvHeaders: [
                    "Category", "Awarded", "Median days to award", "Median days to start", "Single bid", "Re-issued",
                ],
                csvRows: m.timing.map {
                    [
                        $0.category, "\($0.awarded)", $0.medianDaysToAward.map(String.init) ?? "",
                        $0.medianDaysToStart.map(String.init) ?? "", "\($0.singleBid)", "\($0.reissued)",
                    ]
                },
                empty: "No referral was awarded or re-issued in the period."),
            FigureTable(
                key: "distance", heading: "Distance from home",
                intro: "Placements started in the period through a referral, by the distance from the child's home "
                    + "measured when the referral was published. Direct placements have no measured distance.",
                chart: BarChart.svg(
                    id: "distance", title: "Placements by distance from home",
                    description: "How many placements started in the period fall in each distance band.",
                    bars: Figures.distanceBands.enumerated().map { i, band in
                        .init(label: band.label, value: distanceTotals[i], shown: "\(distanceTotals[i])")
                    }),
                caption: "Placements started in the period through a referral",
                headers: ["Category", "Placements", "Within 20 miles", "Share within 20 miles"]
                    + Figures.distanceBands.map(\.label),
                rows: m.distance.map {
                    [
                        $0.category, "\($0.measured)", "\($0.within20)",
                        Figures.percent($0.within20, of: $0.measured).map { "\($0)%" } ?? "None",
                    ] + $0.bands.map(String.init)
                },
                csvHeaders: ["Category", "Placements", "Within 20 miles", "Share within 20 miles (%)"]
                    + Figures.distanceBands.map(\.label),
                csvRows: m.distance.map {
                    [
                        $0.category, "\($0.measured)", "\($0.within20)",
                        Figures.percent($0.within20, of: $0.measured).map(String.init) ?? "",
                    ] + $0.bands.map(String.init)
                },
                empty: "No placement through a referral started in the period."),
            FigureTable(
                key: "reviews", heading: "Outcome reviews",
                intro: "Reviews due in the period and where each stands; overdue means past its date and not agreed.",
                chart: BarChart.svg(
                    id: "reviews", title: "Overdue outcome reviews by category",
                    description: "How many reviews due in the period are past their date and not completed.",
                    bars: m.reviews.map { .init(label: $0.category, value: $0.overdue, shown: "\($0.overdue)") }),
                caption: "Reviews due in the period",
                headers: [
                    "Category", "Due", "Completed", "Waiting for the provider", "Waiting for the authority", "Overdue",
                ],
                rows: m.reviews.map {
                    [
                        $0.category, "\($0.due)", "\($0.completed)", "\($0.waitingProvider)", "\($0.waitingAuthority)",
                        "\($0.overdue)",
                    ]
                }, empty: "No outcome review fell due in the period."),
            FigureTable(
                key: "endings", heading: "Endings by category",
                chart: BarChart.svg(
                    id: "endings", title: "Unplanned endings by category",
                    description: "The number of placements that ended unplanned in the period, by category.",
                    bars: r.endings.map { .init(label: $0.category, value: $0.unplanned, shown: "\($0.unplanned)") }),
                caption: "Placements that ended in the period",
                headers: ["Category", "Planned", "Unplanned"],
                rows: r.endings.map { [$0.category, "\($0.planned)", "\($0.unplanned)"] },
                empty: "No placement ended in the period."),
            FigureTable(
                key: "provider-endings", heading: "Endings by provider",
                intro: "The 50 providers with the most unplanned endings in the period.",
                caption: "Placements that ended in the period, by provider",
                headers: ["Provider", "Planned", "Unplanned"],
                rows: m.providerEndings.map { [$0.provider, "\($0.planned)", "\($0.unplanned)"] },
                empty: "No placement ended in the period."),
        ]
    }

    static func days(_ n: Int?) -> String { n.map { $0 == 1 ? "1 day" : "\($0) days" } ?? "None" }

    func page(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let categories = try await Placements.categories(actor: actor, db: req.readDB)
        let partners = try await MarketFigures.partners(actor: actor, db: req.readDB)
        let (filter, errors) = FigureFilter.readForPage(req, categories: categories, partners: partners)
        let today = LocalDate.from(req.now)
        // The two halves at once, on two connections: the page waits for the slower, not for both.
        async let reading = MarketFigures.report(actor: actor, filter: filter, today: today, db: req.readDB)
        let market = try await MarketFigures.market(actor: actor, filter: filter, today: today, db: req.readDB)
        let report = try await reading
        let tables = Self.tables(report, market)
        let kept = FigureFilter.query(filter)
        return HTMLResponse.make(
            Layout.page(title: "Market figures", context: PageContext(request: req)) {
                UI.backLink(.dashboard, "Dashboard")
                UI.errorSummary(errors)
                UI.h1("Market figures", caption: FigureFilter.period(filter))
                UI.p(
                    partners.isEmpty
                        ? "Your authority's placements and referrals."
                        : "Every partner's placements and referrals in the DPSs you run; narrow to one partner below.")
                FigureFilter.form(
                    filter, action: .figures, now: req.now, categories: categories, partners: partners, errors: errors)
                UI.inset(
                    "Placements running now: \(market.livePlacements), committed at "
                        + "\(formatPence(market.liveAnnualPence)) a year.")
                el("p", .class("govuk-body")) {
                    UI.link("Market capacity and the map of members", href: SiteURL.capacity.path(query: kept))
                }
                FigureTable.contents(tables)
                for table in tables { table.section(export: .figuresExport, query: kept) }
            }, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static let marketKeys: Set<String> = [
        "started", "partners", "benchmarks", "responses", "declines", "timing", "distance", "reviews", "endings",
        "provider-endings",
    ]
    static let capacityKeys: Set<String> = ["capacity-categories", "capacity-areas", "capacity-quarters"]

    static func capacityTables(_ c: MarketCapacity.Report) -> [FigureTable] {
        let placed = c.areas.filter { $0.memberships > 0 }
        return [
            FigureTable(
                key: "capacity-categories", heading: "Active members by category",
                chart: BarChart.svg(
                    id: "capacity-categories", title: "Active memberships by category",
                    description: "How many establishments are active members of each category now.",
                    bars: c.byCategory.map { .init(label: $0.label, value: $0.count, shown: "\($0.count)") }),
                caption: "Active memberships now", headers: ["Category", "Active memberships"],
                rows: c.byCategory.map { [$0.label, "\($0.count)"] }, empty: "No active member yet."),
            FigureTable(
                key: "capacity-areas", heading: "Where members are",
                intro: "Each blue circle is a local authority with active members, its area in proportion to their "
                    + "number, drawn at the authority's centre of population; the five with most are named. Grey dots "
                    + "are the authorities with none. Places are the registered places of the members' "
                    + "establishments (agencies have none recorded)."
                    + (c.unplaced > 0
                        ? " \(c.unplaced) memberships are of establishments with no known local authority." : ""),
                chart: DotMap.svg(
                    id: "capacity-map", title: "Map of England: active memberships by local authority",
                    description: "Circles sized by the number of active memberships in each local authority; "
                        + "the table after the map lists every authority with members.",
                    places: c.areas.map {
                        .init(label: $0.name, latitude: $0.latitude, longitude: $0.longitude, value: $0.memberships)
                    }),
                caption: "Active memberships by the establishment's local authority",
                headers: ["Local authority", "Active memberships", "Places"],
                rows: placed.map { [$0.name, "\($0.memberships)", $0.places > 0 ? "\($0.places)" : "Not recorded"] },
                csvHeaders: ["GSS code", "Local authority", "Active memberships", "Places"],
                csvRows: placed.map { [$0.code, $0.name, "\($0.memberships)", "\($0.places)"] },
                empty: "No active member yet."),
            FigureTable(
                key: "capacity-quarters", heading: "Suspensions and concerns",
                chart: BarChart.svg(
                    id: "capacity-quarters", title: "Suspensions by quarter",
                    description: "How many memberships were suspended in each quarter of the period.",
                    bars: c.quarters.map {
                        .init(label: $0.quarter.label, value: $0.suspensions, shown: "\($0.suspensions)")
                    }),
                caption: "By quarter", headers: ["Quarter", "Suspensions", "Concerns raised"],
                rows: c.quarters.map { [$0.quarter.label, "\($0.suspensions)", "\($0.concerns)"] },
                csvHeaders: ["Quarter", "Suspensions", "Concerns raised"],
                csvRows: c.quarters.map { [$0.quarter.key, "\($0.suspensions)", "\($0.concerns)"] },
                empty: "Nothing in the period."),
        ]
    }

    func capacity(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let categories = try await Placements.categories(actor: actor, db: req.readDB)
        var (filter, errors) = FigureFilter.readForPage(req, categories: categories, partners: [])
        filter.partner = nil
        let report = try await MarketCapacity.report(actor: actor, filter: filter, db: req.readDB)
        let tables = Self.capacityTables(report)
        let kept = FigureFilter.query(filter)
        return HTMLResponse.make(
            Layout.page(title: "Market capacity", context: PageContext(request: req)) {
                UI.backLink(.figures, "Market figures")
                UI.errorSummary(errors)
                UI.h1("Market capacity", caption: FigureFilter.period(filter))
                UI.p(
                    "The members of the DPSs your authority belongs to, where they are, and the suspensions and "
                        + "concerns of the period.")
                FigureFilter.form(
                    filter, action: .capacity, now: req.now, categories: categories, partners: [], errors: errors)
                FigureTable.contents(tables)
                for table in tables { table.section(export: .figuresExport, query: kept) }
            }, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    func export(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let key = req.query[String.self, at: "figure"] ?? ""
        guard Self.marketKeys.contains(key) || Self.capacityKeys.contains(key) else {
            throw UseCaseError(field: "figure", "Choose a figure from the page")
        }
        let categories = try await Placements.categories(actor: actor, db: req.readDB)
        let capacity = Self.capacityKeys.contains(key)
        let partners = capacity ? [] : try await MarketFigures.partners(actor: actor, db: req.readDB)
        let filter = try FigureFilter.read(req, categories: categories, partners: partners)
        let today = LocalDate.from(req.now)
        let tables =
            capacity
            ? Self.capacityTables(try await MarketCapacity.report(actor: actor, filter: filter, db: req.readDB))
            : Self.reportKeys.contains(key)
                ? Self.tables(
                    try await MarketFigures.report(actor: actor, filter: filter, today: today, db: req.readDB), .none)
                : Self.tables(
                    .none(filter),
                    try await MarketFigures.market(actor: actor, filter: filter, today: today, db: req.readDB))
        guard let table = tables.first(where: { $0.key == key }) else {
            throw UseCaseError(field: "figure", "Choose a figure from the page")
        }
        return table.download(
            label: FigureFilter.fileLabel(filter, categories: categories, partners: partners), prefix: "figures")
    }
}

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
        let cells = try await MarketFigures.demand(quarter: quarter, db: req.db)
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

    enum Figure: String, CaseIterable {
        case started, benchmarks, endings, responses
    }

    /// The filter as sent; each value read as text on its own and checked by name.
    private func filter(_ req: Request, actor: Actor) throws -> MarketFigures.Filter {
        func text(_ name: String) -> String? { req.query[String.self, at: name].flatMap { $0.isEmpty ? nil : $0 } }
        let fallback = MarketFigures.Filter.lastYear(now: req.now)
        func quarter(_ name: String, _ otherwise: Quarter) throws -> Quarter {
            guard let raw = text(name) else { return otherwise }
            guard let q = Quarter(key: raw) else { throw UseCaseError(field: name, "Choose a quarter from the list") }
            return q
        }
        func id(_ name: String) throws -> UUID? {
            guard let raw = text(name) else { return nil }
            guard let value = UUID(uuidString: raw) else {
                throw UseCaseError(field: name, "Choose a \(name) from the list")
            }
            return value
        }
        return try MarketFigures.Filter(
            from: try quarter("from", fallback.from), to: try quarter("to", fallback.to), category: try id("category"),
            partner: try id("partner"))
    }

    private func query(_ f: MarketFigures.Filter) -> [(String, String)] {
        [("from", f.from.key), ("to", f.to.key)] + (f.category.map { [("category", $0.uuidString)] } ?? [])
            + (f.partner.map { [("partner", $0.uuidString)] } ?? [])
    }

    func page(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let filter = try filter(req, actor: actor)
        let report = try await MarketFigures.report(actor: actor, filter: filter, db: req.db)
        let categories = try await Placements.categories(actor: actor, db: req.db)
        let partners = try await MarketFigures.partners(actor: actor, db: req.db)
        let now = Quarter(containing: LocalDate.from(req.now))
        var choices: [Quarter] = []
        var q = now
        for _ in 0..<16 {
            choices.append(q)
            q = q.previous
        }
        let kept = query(filter)
        func csv(_ figure: Figure) -> Markup {
            el("p", .class("govuk-body")) {
                UI.link(
                    "Download this table (CSV)",
                    href: SiteURL.figuresExport.path(query: kept + [("figure", figure.rawValue)]))
            }
        }
        return HTMLResponse.make(
            Layout.page(title: "Market figures", context: PageContext(request: req)) {
                UI.h1("Market figures", caption: "\(filter.from.label) to \(filter.to.label)")
                UI.p(
                    partners.isEmpty
                        ? "Your authority's placements and referrals."
                        : "Every partner's placements and referrals in the DPSs you run; narrow to one partner below.")
                el("form", .class("dps-filter"), Attr("method", "get"), Attr("action", SiteURL.figures.path)) {
                    UI.select(
                        "from", label: "From",
                        options: choices.reversed().map { .init(value: $0.key, label: $0.label) },
                        selected: filter.from.key)
                    UI.select(
                        "to", label: "To", options: choices.map { .init(value: $0.key, label: $0.label) },
                        selected: filter.to.key)
                    UI.select(
                        "category", label: "Category",
                        options: [.init(value: "", label: "All")]
                            + categories.map { .init(value: $0.id.uuidString, label: $0.name) },
                        selected: filter.category?.uuidString ?? "")
                    if !partners.isEmpty {
                        UI.select(
                            "partner", label: "Partner",
                            options: [.init(value: "", label: "All")]
                                + partners.map { .init(value: $0.id.uuidString, label: $0.name) },
                            selected: filter.partner?.uuidString ?? "")
                    }
                    el("div", .class("govuk-button-group")) { UI.button("Show", kind: "secondary") }
                }

                UI.h2("Placements started and their value a year")
                Markup(
                    unsafeRaw: BarChart.svg(
                        id: "started", title: "Placements started by quarter",
                        description: "The number of placements that started in each quarter of the period.",
                        bars: report.started.map {
                            .init(label: $0.quarter.label, value: $0.placements, shown: "\($0.placements)")
                        }))
                UI.table(
                    caption: "By quarter of the start date",
                    headers: ["Quarter", "Placements", "Of which direct", "Value a year"],
                    rows: report.started.map {
                        [
                            text($0.quarter.label), text("\($0.placements)"), text("\($0.direct)"),
                            text(formatPence($0.annualPence)),
                        ]
                    })
                csv(.started)

                UI.h2("Weekly cost benchmarks")
                if report.benchmarks.isEmpty {
                    UI.inset("No placements started in the period.")
                } else {
                    Markup(
                        unsafeRaw: BarChart.svg(
                            id: "benchmarks", title: "Median weekly cost by category",
                            description:
                                "The median weekly fee of the placements that started in the period, by category.",
                            bars: report.benchmarks.map {
                                .init(label: $0.category, value: $0.medianPence, shown: formatPence($0.medianPence))
                            }))
                    UI.table(
                        caption: "Weekly fee of the placements started in the period",
                        headers: ["Category", "Placements", "Lower quartile", "Median", "Upper quartile"],
                        rows: report.benchmarks.map {
                            [
                                text($0.category), text("\($0.placements)"), text(formatPence($0.lowerPence)),
                                text(formatPence($0.medianPence)), text(formatPence($0.upperPence)),
                            ]
                        })
                    csv(.benchmarks)
                }

                UI.h2("Endings")
                if report.endings.isEmpty {
                    UI.inset("No placement ended in the period.")
                } else {
                    Markup(
                        unsafeRaw: BarChart.svg(
                            id: "endings", title: "Unplanned endings by category",
                            description: "The number of placements that ended unplanned in the period, by category.",
                            bars: report.endings.map {
                                .init(label: $0.category, value: $0.unplanned, shown: "\($0.unplanned)")
                            }))
                    UI.table(
                        caption: "Placements that ended in the period",
                        headers: ["Category", "Planned", "Unplanned"],
                        rows: report.endings.map {
                            [text($0.category), text("\($0.planned)"), text("\($0.unplanned)")]
                        })
                    csv(.endings)
                }

                UI.h2("Referrals and responses")
                if report.responses.isEmpty {
                    UI.inset("No referral was published in the period.")
                } else {
                    Markup(
                        unsafeRaw: BarChart.svg(
                            id: "responses", title: "Bids per referral by category",
                            description: "The average number of bids each referral published in the period received.",
                            bars: report.responses.map {
                                .init(
                                    label: $0.category, value: $0.bidsPerReferralTenths,
                                    shown: tenths($0.bidsPerReferralTenths))
                            }))
                    UI.table(
                        caption: "Referrals published in the period",
                        headers: [
                            "Category", "Referrals", "Invited", "Bids", "Declined", "Bids per referral", "Responded",
                        ],
                        rows: report.responses.map {
                            [
                                text($0.category), text("\($0.referrals)"), text("\($0.invited)"), text("\($0.bids)"),
                                text("\($0.declined)"), text(tenths($0.bidsPerReferralTenths)),
                                text($0.responsePercent.map { "\($0)%" } ?? "None invited"),
                            ]
                        })
                    csv(.responses)
                }
            })
    }

    private func tenths(_ n: Int) -> String { "\(n / 10).\(n % 10)" }

    func export(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let filter = try filter(req, actor: actor)
        guard let figure = req.query[String.self, at: "figure"].flatMap(Figure.init(rawValue:)) else {
            throw UseCaseError(field: "figure", "Choose a figure: started, benchmarks, endings or responses")
        }
        let report = try await MarketFigures.report(actor: actor, filter: filter, db: req.db)
        let (header, rows): ([String], [[String]]) =
            switch figure {
            case .started:
                (
                    ["Quarter", "Placements", "Of which direct", "Value a year (pence)"],
                    report.started.map { [$0.quarter.key, "\($0.placements)", "\($0.direct)", "\($0.annualPence)"] }
                )
            case .benchmarks:
                (
                    ["Category", "Placements", "Lower quartile (pence)", "Median (pence)", "Upper quartile (pence)"],
                    report.benchmarks.map {
                        [$0.category, "\($0.placements)", "\($0.lowerPence)", "\($0.medianPence)", "\($0.upperPence)"]
                    }
                )
            case .endings:
                (
                    ["Category", "Planned", "Unplanned"],
                    report.endings.map { [$0.category, "\($0.planned)", "\($0.unplanned)"] }
                )
            case .responses:
                (
                    ["Category", "Referrals", "Invited", "Bids", "Declined", "Bids per referral", "Responded (%)"],
                    report.responses.map {
                        [
                            $0.category, "\($0.referrals)", "\($0.invited)", "\($0.bids)", "\($0.declined)",
                            tenths($0.bidsPerReferralTenths), $0.responsePercent.map(String.init) ?? "",
                        ]
                    }
                )
            }
        return CSVDownload.stream(
            filename: "figures-\(figure.rawValue)-\(filter.fileLabel)", header: header, first: 1
        ) { _ in (rows, nil) }
    }
}

import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// One figure as the pages show it and as its CSV holds it (issue 11): a heading, an optional chart, the table beside
/// it in words (money in pounds) and the same table for a spreadsheet (money in pence, rates as numbers). The page and
/// the download are built from this one definition, so they cannot disagree.
struct FigureTable {
    /// The figure's name in the CSV address and file name, and the section's anchor.
    var key: String
    var heading: String
    var intro: String? = nil
    var chart: String? = nil
    var caption: String
    var headers: [String]
    var rows: [[String]]
    var csvHeaders: [String]
    var csvRows: [[String]]
    /// Said instead of the table when it has no rows.
    var empty: String

    /// The section: heading, words, chart, table and the download link (with the filters the page was shown with).
    func section(export: SiteURL, query: [(String, String)]) -> Markup {
        el("section", .id(key)) {
            UI.h2(heading)
            if let intro { UI.p(intro) }
            if rows.isEmpty {
                UI.inset(empty)
            } else {
                if let chart { Markup(unsafeRaw: chart) }
                UI.table(caption: caption, headers: headers, rows: rows.map { $0.map { text($0) } })
                el("p", .class("govuk-body")) {
                    UI.link(
                        "Download \"\(heading.lowercased())\" (CSV)",
                        href: export.path(query: query + [("figure", key)]))
                }
            }
        }
    }

    /// The table as a CSV download named by the figure and the filters.
    func download(label: String, prefix: String) -> Response {
        let rows = csvRows
        return CSVDownload.stream(filename: "\(prefix)-\(key)-\(label)", header: csvHeaders, first: 1) { _ in
            (rows, nil)
        }
    }

    /// The contents list that opens a page of several figures.
    static func contents(_ tables: [FigureTable]) -> Markup {
        el("nav", Attr("aria-label", "Figures on this page")) {
            el("ul", .class("govuk-list dps-inline-list")) {
                for t in tables { el("li") { UI.link(t.heading, href: "#\(t.key)") } }
            }
        }
    }
}

/// The filter every figures page reads: a period of quarters, a category and (the lead's staff) a partner, each value
/// read as text on its own and refused by name when it does not read.
enum FigureFilter {
    static func read(_ req: Request) throws -> MarketFigures.Filter {
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

    /// The filter as query items, to keep it across links and downloads.
    static func query(_ f: MarketFigures.Filter) -> [(String, String)] {
        [("from", f.from.key), ("to", f.to.key)] + (f.category.map { [("category", $0.uuidString)] } ?? [])
            + (f.partner.map { [("partner", $0.uuidString)] } ?? [])
    }

    /// The filter form: sixteen quarters back from now, the categories and (when given) the partners.
    static func form(
        _ filter: MarketFigures.Filter, action: SiteURL, now: Date, categories: [(id: UUID, name: String)],
        partners: [(id: UUID, name: String)], period: Bool = true
    ) -> Markup {
        var choices: [Quarter] = []
        var q = Quarter(containing: LocalDate.from(now))
        for _ in 0..<16 {
            choices.append(q)
            q = q.previous
        }
        return el("form", .class("dps-filter"), Attr("method", "get"), Attr("action", action.path)) {
            if period {
                UI.select(
                    "from", label: "From", options: choices.reversed().map { .init(value: $0.key, label: $0.label) },
                    selected: filter.from.key)
                UI.select(
                    "to", label: "To", options: choices.map { .init(value: $0.key, label: $0.label) },
                    selected: filter.to.key)
            }
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
    }

    static func tenths(_ n: Int) -> String { "\(n / 10).\(n % 10)" }
}

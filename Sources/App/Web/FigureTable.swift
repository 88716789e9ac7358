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
    /// The spreadsheet's table where it differs from the page's (money in pence, rates as numbers).
    var csvHeaders: [String]? = nil
    var csvRows: [[String]]? = nil
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
        let rows = csvRows ?? self.rows
        return CSVDownload.stream(filename: "\(prefix)-\(key)-\(label)", header: csvHeaders ?? headers, first: 1) { _ in
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

/// The filter every figures page reads: a period of quarters from the last ten years, a category and (the lead's
/// staff) a partner from the page's own lists, each value read as text on its own and refused by name when it does
/// not read or is not on offer. A page shows the refusal above its form (422) with the default period.
enum FigureFilter {
    /// The quarters on offer, newest first: the current one and the 39 before it (ten years).
    static func quarters(now: Date) -> [Quarter] {
        var choices: [Quarter] = []
        var q = Quarter(containing: LocalDate.from(now))
        for _ in 0..<40 {
            choices.append(q)
            q = q.previous
        }
        return choices
    }

    static func read(
        _ req: Request, categories: [(id: UUID, name: String)], partners: [(id: UUID, name: String)]
    ) throws -> MarketFigures.Filter {
        func text(_ name: String) -> String? { req.query[String.self, at: name].flatMap { $0.isEmpty ? nil : $0 } }
        let fallback = MarketFigures.Filter.lastYear(now: req.now)
        let offered = Set(quarters(now: req.now))
        var errors: [FieldError] = []
        func quarter(_ name: String, _ words: String, _ otherwise: Quarter) -> Quarter {
            guard let raw = text(name) else { return otherwise }
            guard let q = Quarter(key: raw), offered.contains(q) else {
                errors.append(FieldError(field: name, message: "Choose the \(words) from the list"))
                return otherwise
            }
            return q
        }
        func id(_ name: String, among list: [(id: UUID, name: String)]) -> UUID? {
            guard let raw = text(name) else { return nil }
            guard let value = UUID(uuidString: raw), list.contains(where: { $0.id == value }) else {
                errors.append(FieldError(field: name, message: "Choose a \(name) from the list"))
                return nil
            }
            return value
        }
        let from = quarter("from", "first quarter (From)", fallback.from)
        let to = quarter("to", "last quarter (To)", fallback.to)
        let category = id("category", among: categories)
        let partner = id("partner", among: partners)
        guard errors.isEmpty else { throw UseCaseError(errors) }
        do {
            return try MarketFigures.Filter(from: from, to: to, category: category, partner: partner)
        } catch let error as UseCaseError {
            throw UseCaseError(
                error.errors.map {
                    $0.field == "from"
                        ? FieldError(field: "from", message: "The first quarter (From) must not be after the last (To)")
                        : $0
                })
        }
    }

    /// The filter, or the default period with the errors to show above the form.
    static func readForPage(
        _ req: Request, categories: [(id: UUID, name: String)], partners: [(id: UUID, name: String)]
    ) -> (MarketFigures.Filter, [FieldError]) {
        do {
            return (try read(req, categories: categories, partners: partners), [])
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return (.lastYear(now: req.now), error.errors)
        } catch {
            return (.lastYear(now: req.now), [FieldError(field: "from", message: "Choose a period from the list")])
        }
    }

    /// The filter as query items, to keep it across links and downloads.
    static func query(_ f: MarketFigures.Filter) -> [(String, String)] {
        [("from", f.from.key), ("to", f.to.key)] + (f.category.map { [("category", $0.uuidString)] } ?? [])
            + (f.partner.map { [("partner", $0.uuidString)] } ?? [])
    }

    /// Words for file names: the period, then the category's and the partner's names (`2026-Q1-to-2026-Q4`,
    /// `…-independent-fostering-kent-county-council`), in lower-case letters, digits and hyphens only.
    static func fileLabel(
        _ f: MarketFigures.Filter, categories: [(id: UUID, name: String)], partners: [(id: UUID, name: String)]
    ) -> String {
        func slug(_ s: String) -> String {
            let words = s.lowercased().unicodeScalars.map {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : " "
            }
            return String(words).split(separator: " ").joined(separator: "-").prefix(40).description
        }
        var label = "\(f.from.key)-to-\(f.to.key)"
        if let c = f.category, let name = categories.first(where: { $0.id == c })?.name { label += "-" + slug(name) }
        if let p = f.partner, let name = partners.first(where: { $0.id == p })?.name { label += "-" + slug(name) }
        return label
    }

    /// The period in words: "1 January 2026 to 31 December 2026".
    static func period(_ f: MarketFigures.Filter) -> String {
        "\(f.from.start.longForm) to \(f.to.next.start.adding(days: -1).longForm)"
    }

    /// The filter form: the last ten years' quarters, newest first, the categories and (when given) the partners.
    static func form(
        _ filter: MarketFigures.Filter, action: SiteURL, now: Date, categories: [(id: UUID, name: String)],
        partners: [(id: UUID, name: String)], errors: [FieldError] = []
    ) -> Markup {
        let choices = quarters(now: now).map { UI.Option(value: $0.key, label: $0.label) }
        return el("form", .class("dps-filter"), Attr("method", "get"), Attr("action", action.path)) {
            UI.select("from", label: "From", options: choices, selected: filter.from.key, errors: errors)
            UI.select("to", label: "To", options: choices, selected: filter.to.key, errors: errors)
            UI.select(
                "category", label: "Category",
                options: [.init(value: "", label: "All")]
                    + categories.map { .init(value: $0.id.uuidString, label: $0.name) },
                selected: filter.category?.uuidString ?? "", errors: errors)
            if !partners.isEmpty {
                UI.select(
                    "partner", label: "Partner",
                    options: [.init(value: "", label: "All")]
                        + partners.map { .init(value: $0.id.uuidString, label: $0.name) },
                    selected: filter.partner?.uuidString ?? "", errors: errors)
            }
            el("div", .class("govuk-button-group")) { UI.button("Show", kind: "secondary") }
        }
    }

    static func tenths(_ n: Int) -> String { "\(n / 10).\(n % 10)" }
}

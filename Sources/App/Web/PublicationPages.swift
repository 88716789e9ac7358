import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// Publication: the public page of awards by quarter, with links to the open data; and the lead authority's
/// calendar of the notices due by regime, where a contract manager marks each as sent with its notice id.
struct PublicationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.published, use: published)
        routes.get(.publication, use: calendar)
        routes.post(.publicationSent, use: markSent)
    }

    // MARK: Public

    func published(req: Request) async throws -> Response {
        let quarters = try await Publication.awardQuarters(db: req.db)
        let asked = req.query[String.self, at: "quarter"].flatMap { $0.isEmpty ? nil : $0 }
        let quarter: Quarter?
        if let asked {
            guard let q = Quarter(key: asked) else {
                throw UseCaseError(field: "quarter", "Give the quarter as 2026-Q3")
            }
            quarter = q
        } else {
            quarter = quarters.first?.quarter
        }
        let page = try await quarter.asyncMap {
            try await Publication.quarterAwards($0, page: try req.listPage(), db: req.db)
        }
        let markets = try await Publication.markets(db: req.db)
        let api = "/api/v1/ocds"
        return HTMLResponse.make(
            Layout.page(title: "Published contracts", context: PageContext(request: req)) {
                UI.h1("Published contracts", caption: "Open Contracting Data Standard 1.1.5")
                UI.p(
                    "Every admission to the DPS, every placement awarded through it or made directly, each agreement, "
                        + "change and ending is published as open data (JSON, in the Open Contracting Data Standard); "
                        + "this page lists the awards by quarter. No child's details are published: no "
                        + "name, date of birth, age, needs, postcode or case reference, and no address.")
                el("ul", .class("govuk-list govuk-list--bullet")) {
                    for market in markets {
                        el("li") {
                            UI.link("\(market.title) (JSON)", href: "\(api)/records/\(market.ocid)")
                            " (\(market.regime == .pa2023 ? "Procurement Act 2023 dynamic market" : "PCR 2015 DPS"))"
                        }
                    }
                    el("li") { UI.link("All releases, newest first (a page at a time)", href: "\(api)/releases") }
                    el("li") { UI.link("Everything as one file (JSON)", href: "\(api)/download") }
                }
                if quarters.isEmpty {
                    UI.inset("No placements have been awarded yet.")
                } else {
                    el("nav", Attr("aria-label", "Quarters")) {
                        el("ul", .class("govuk-list dps-inline-list")) {
                            for q in quarters {
                                el("li") {
                                    if q.quarter == quarter {
                                        el("strong") {
                                            "\(q.quarter.label) (\(q.awards) award\(q.awards == 1 ? "" : "s"))"
                                        }
                                    } else {
                                        UI.link(
                                            "\(q.quarter.label) (\(q.awards) award\(q.awards == 1 ? "" : "s"))",
                                            href: SiteURL.published.path(query: [("quarter", q.quarter.key)]))
                                    }
                                }
                            }
                        }
                    }
                }
                if let quarter, let page {
                    UI.h2("Awards, \(quarter.label)")
                    el("p", .class("govuk-body")) {
                        "The quarter's grouped award notice is this list as data: "
                        UI.link("awards of \(quarter.label) (JSON)", href: "\(api)/quarters/\(quarter.key)")
                    }
                    UI.table(
                        caption: "Oldest first",
                        headers: ["Awarded", "Buyer", "Provider", "Contract", "Value", "Data"],
                        rows: page.rows.map { r in
                            let award = r.awards?.first
                            return [
                                text(DisplayDate.date(String(r.date.prefix(10)))), text(r.buyer?.name ?? ""),
                                text(award?.suppliers.map(\.name).joined(separator: ", ") ?? ""),
                                text(award?.title ?? ""),
                                text(
                                    award?.value.map { formatPence(NSDecimalNumber(decimal: $0.amount * 100).intValue) }
                                        ?? ""),
                                UI.link("Record (JSON)", href: "\(api)/records/\(r.ocid)"),
                            ]
                        })
                    UI.pagination(page, base: .published, query: "quarter=\(quarter.key)")
                }
            })
    }

    // MARK: The calendar

    func calendar(req: Request) async throws -> Response {
        HTMLResponse.make(try await calendarView(req, errors: [], values: [:]))
    }

    private func calendarView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let raw = req.query[String.self, at: "state"].flatMap { $0.isEmpty ? nil : $0 }
        let state = try raw.map { value in
            guard let state = Publication.CalendarState(rawValue: value) else {
                throw UseCaseError(field: "state", "Choose due, overdue or sent")
            }
            return state
        }
        let page = try await Publication.calendar(
            actor: actor, state: state, page: try req.listPage(), db: req.db, now: req.now)
        let manager = actor.role == .contractManager
        return Layout.page(title: "Publication calendar", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Publication calendar")
            UI.p(
                "The notices the law asks for, made from the published data: under PCR 2015 the quarterly grouped "
                    + "award notices (due 30 days after each quarter) and Contracts Finder for awards over £30,000; "
                    + "under the Procurement Act 2023 UK7 contract details (120 days), UK10 changes (before they take "
                    + "effect), UK11 terminations (30 days) and the dynamic market notices. Send each to the central "
                    + "platform, then record its notice id here.")
            el("p", .class("govuk-body")) {
                UI.link("All", .publication)
                for s in Publication.CalendarState.allCases {
                    " · "
                    UI.link(s.rawValue.capitalized, href: SiteURL.publication.path(query: [("state", s.rawValue)]))
                }
            }
            if page.rows.isEmpty {
                UI.inset("No notices here.")
            } else {
                UI.table(
                    caption: "Not yet sent first, soonest due first",
                    headers: ["Notice", "For", "Happened on", "Due", "Status"],
                    rows: page.rows.map { n in
                        [
                            text(n.kind.label), noticeData(n), text(n.event.longForm), text(n.due.longForm),
                            n.sentAt != nil
                                ? el("div") {
                                    UI.tag("Sent: \(n.reference ?? "")", colour: "green")
                                    el("p", .class("govuk-body-s")) { n.sentBy ?? "" }
                                }
                                : (n.overdue ? UI.tag("Overdue", colour: "red") : UI.tag("Due", colour: "yellow")),
                        ]
                    })
                UI.pagination(page, base: .publication, query: state.map { "state=\($0.rawValue)" })
                let unsent = page.rows.filter { $0.sentAt == nil }
                if manager && !unsent.isEmpty {
                    UI.h2("Record a notice as sent")
                    UI.form(action: .publicationSent, csrf: req.csrfToken) {
                        UI.select(
                            "notice", label: "Notice",
                            options: [.init(value: "", label: "Choose a notice")]
                                + unsent.map {
                                    .init(value: $0.id.uuidString, label: "Due \($0.due.longForm): \($0.title)")
                                }, selected: values["notice"], errors: errors)
                        UI.textInput(
                            "reference", label: "Notice id on the central platform", value: values["reference"],
                            hint: "For example 2026/S 000-012345", errors: errors, width: "20")
                        UI.button("Mark as sent", kind: "secondary")
                    }
                }
            }
        }
    }

    private func noticeData(_ n: Publication.CalendarNotice) -> Markup {
        el("div") {
            el("p", .class("govuk-body-s")) { n.title }
            if let value = n.valuePence { el("p", .class("govuk-body-s")) { formatPence(value) } }
            if let quarter = n.quarter {
                UI.link("Data for \(quarter.label)", href: "/api/v1/ocds/quarters/\(quarter.key)")
            } else if let ocid = n.ocid {
                UI.link("Data", href: "/api/v1/ocds/records/\(ocid)")
            }
        }
    }

    func markSent(req: Request) async throws -> Response {
        let fields = Forms.values(req)
        let id = fields["notice"].flatMap(UUID.init(uuidString:))
        return try await Forms.handle(
            req, success: "Marked as sent with its notice id.", redirect: { .publication },
            render: { errors, values in try await calendarView(req, errors: errors, values: values) }
        ) {
            guard let id else { throw UseCaseError(field: "notice", "Choose the notice you sent") }
            try await Publication.markSent(
                id, reference: fields["reference"] ?? "", actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }
}

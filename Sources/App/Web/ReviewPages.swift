import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// Coordinated reviews: the list, and one review with its concerns, action plan and visits; for the lead's contract
/// managers the forms to add actions, mark them done, record visits and close the review.
struct ReviewPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.reviews, use: list)
        routes.get(.review(.any), use: show)
        routes.post(.review(.any, .actions), use: addAction)
        routes.post(.review(.any, .done), use: completeAction)
        routes.post(.review(.any, .visits), use: recordVisit)
        routes.get(.reviewVisitFile(.any, visit: .any), use: visitFile)
        routes.post(.review(.any, .close), use: close)
        routes.post(.review(.any, .report), use: reportVisit)
    }

    private func id(_ req: Request) throws -> UUID { try req.uuid("id") }

    func list(req: Request) async throws -> Response {
        let page = try await Concerns.reviews(actor: try req.requireActor(), page: try req.listPage(), db: req.db)
        return HTMLResponse.make(
            Layout.page(title: "Coordinated reviews", context: PageContext(request: req)) {
                UI.h1("Coordinated reviews")
                UI.p(
                    "A review opens when concerns about an establishment cross the DPS's threshold, or when a contract "
                        + "manager opens one. It holds the action plan and the visits.")
                if page.rows.isEmpty {
                    UI.inset("No reviews you can read. Concerns are raised from a membership's page.")
                } else {
                    UI.table(
                        caption: "Newest first", headers: ["Establishment", "Opened", "Why", "Status"],
                        rows: page.rows.map { r in
                            [
                                UI.link(r.establishment, .review(r.id)), text(LocalDate.from(r.openedAt).longForm),
                                text(r.reason), text(r.state.capitalized),
                            ]
                        })
                }
                UI.pagination(page, base: .reviews)
            })
    }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let review = try await Concerns.review(try id(req), actor: actor, db: req.db)
        let r = review.row
        let manager = actor.isLeadAuthority && actor.role == .contractManager && r.state == "open"
        let today = LocalDate.from(req.now)
        return Layout.page(title: "Review of \(r.establishment)", context: PageContext(request: req)) {
            UI.backLink(.reviews)
            UI.errorSummary(errors)
            UI.h1(r.establishment, caption: "Coordinated review")
            UI.summaryList(
                [
                    ("Status", UI.tag(r.state.capitalized, colour: r.state == "open" ? "yellow" : "green")),
                    ("Opened", text("\(DisplayDate.dateTime(r.openedAt)) by \(r.openedBy)")),
                    ("Why", text(r.reason)),
                ] + (r.outcome.map { [("Outcome", text($0))] } ?? []))
            UI.h2("Concerns")
            if review.concerns.isEmpty {
                UI.p("None: the contract manager opened this review.")
            } else {
                UI.table(
                    headers: ["Raised", "About", "Details"] + (review.reading == .full ? ["By"] : []),
                    rows: review.concerns.map { c in
                        [text(DisplayDate.dateTime(c.raisedAt)), text(c.kind.capitalized), text(c.details)]
                            + (review.reading == .full ? [text(c.raisedBy ?? "")] : [])
                    })
            }
            UI.h2("Action plan")
            if review.actions.isEmpty { UI.p("No actions yet.") }
            for a in review.actions {
                el("section", .class("dps-card")) {
                    UI.summaryList([
                        ("Action", text(a.action)), ("Owner", text(a.owner)),
                        (
                            "Due",
                            text(
                                (LocalDate(iso: a.dueOn)?.longForm ?? a.dueOn)
                                    + (a.state == "open" && (LocalDate(iso: a.dueOn).map { $0 < today } ?? false)
                                        ? " (overdue)" : ""))
                        ),
                        ("Status", text(a.state == "done" ? "Done: \(a.closedNote ?? "")" : "Open")),
                    ])
                }
            }
            let open = review.actions.filter { $0.state == "open" }
            if manager && !open.isEmpty {
                UI.details("Mark an action as done", errors: errors) {
                    UI.form(action: .review(r.id, .done), csrf: req.csrfToken) {
                        UI.radios(
                            "done", legend: "Which action",
                            options: open.map { .init(value: $0.id.uuidString, label: "\($0.action) (\($0.owner))") },
                            selected: values["done"], errors: errors)
                        UI.textInput("note", label: "How it was done", value: values["note"], errors: errors)
                        UI.button("Mark as done", kind: "secondary")
                    }
                }
            }
            if manager {
                UI.details("Add an action", errors: errors) {
                    UI.form(action: .review(r.id, .actions), csrf: req.csrfToken) {
                        UI.textarea("action", label: "Action", value: values["action"], errors: errors, rows: 2)
                        UI.textInput(
                            "owner", label: "Owner", value: values["owner"], hint: "A person, or the provider",
                            errors: errors)
                        UI.dateInput(
                            "dueOn", legend: "Due", values: values, hint: "For example 31 1 2027", errors: errors)
                        UI.button("Add the action", kind: "secondary")
                    }
                }
            }
            UI.h2("Visits and meetings")
            if review.visits.isEmpty { UI.p("None recorded yet.") }
            for v in review.visits {
                el("section", .class("dps-card")) {
                    UI.summaryList(
                        [
                            ("Kind", text(Concerns.VisitKind(rawValue: v.kind)?.label ?? v.kind)),
                            ("Date", text(LocalDate(iso: v.visitedOn)?.longForm ?? v.visitedOn)),
                            ("Report", text(v.report.isEmpty ? "Scheduled: no report yet" : v.report)),
                            ("Recorded by", text(v.recordedBy)),
                        ] + (v.filename.map { [("File", UI.link($0, .reviewVisitFile(r.id, visit: v.id)))] } ?? []))
                }
            }
            if manager {
                UI.details("Record a visit or meeting", errors: errors) {
                    UI.form(action: .review(r.id, .visits), csrf: req.csrfToken, multipart: true) {
                        UI.radios(
                            "visitKind", legend: "Kind",
                            options: Concerns.VisitKind.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                            selected: values["visitKind"], errors: errors)
                        UI.dateInput(
                            "visitedOn", legend: "Date", values: values, hint: "For example 5 1 2027", errors: errors)
                        UI.textarea(
                            "report", label: "Report or minutes", value: values["report"],
                            hint: "Every partner that reads this review, and the provider, read it. Leave it empty for "
                                + "a visit you are scheduling; add the report after it.", errors: errors, rows: 5)
                        UI.fileUpload(
                            "reportFile", label: "File (optional)", hint: "Smaller than 10 MB", errors: errors)
                        UI.button("Record it", kind: "secondary")
                    }
                }
                let scheduled = review.visits.filter { $0.report.isEmpty }
                if !scheduled.isEmpty {
                    UI.details("Report a scheduled visit", errors: errors) {
                        UI.form(action: .review(r.id, .report), csrf: req.csrfToken, multipart: true) {
                            UI.radios(
                                "visit", legend: "Which visit",
                                options: scheduled.map {
                                    .init(
                                        value: $0.id.uuidString,
                                        label: "\(Concerns.VisitKind(rawValue: $0.kind)?.label ?? $0.kind), "
                                            + (LocalDate(iso: $0.visitedOn)?.longForm ?? $0.visitedOn))
                                }, selected: values["visit"], errors: errors)
                            UI.textarea(
                                "visitReport", label: "Report or minutes", value: values["visitReport"], errors: errors,
                                rows: 5)
                            UI.fileUpload(
                                "visitFile", label: "File (optional)", hint: "Smaller than 10 MB", errors: errors)
                            UI.button("Save the report", kind: "secondary")
                        }
                    }
                }
                UI.details("Close the review", errors: errors) {
                    UI.form(action: .review(r.id, .close), csrf: req.csrfToken) {
                        UI.textarea(
                            "outcome", label: "Outcome", value: values["outcome"],
                            hint: "The provider and the partners involved are told.", errors: errors, rows: 3)
                        UI.button("Close the review", kind: "warning")
                    }
                }
            }
        }
    }

    struct ActionForm: Content, HasDateInputs {
        var action: String?
        var owner: String?
        var dueOn: String?
        static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.dueOn, "dueOn")] }
    }

    func addAction(req: Request) async throws -> Response {
        let reviewID = try id(req)
        let form = try req.decodeForm(ActionForm.self)
        return try await Forms.handle(
            req, success: "Action added. The provider has been told.", redirect: { .review(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await Concerns.addAction(
                reviewID, action: form.action ?? "", owner: form.owner ?? "",
                due: LocalDate(typed: form.dueOn ?? ""), actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct DoneForm: Content {
        var done: String?
        var note: String?
    }

    func completeAction(req: Request) async throws -> Response {
        let reviewID = try id(req)
        let form = try req.content.decode(DoneForm.self)
        return try await Forms.handle(
            req, success: "Action marked as done.", redirect: { .review(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await Concerns.completeAction(
                reviewID, action: form.done.flatMap(UUID.init(uuidString:)), note: form.note ?? "",
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct VisitForm: Content, HasDateInputs {
        var visitKind: String?
        var visitedOn: String?
        var report: String?
        var reportFile: File?
        static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.visitedOn, "visitedOn")] }
    }

    func recordVisit(req: Request) async throws -> Response {
        let reviewID = try id(req)
        let form = try req.decodeForm(VisitForm.self)
        return try await Forms.handle(
            req, success: "Visit recorded. The provider has been told.", redirect: { .review(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await Concerns.recordVisit(
                reviewID, kind: Concerns.VisitKind(rawValue: form.visitKind ?? ""),
                on: LocalDate(typed: form.visitedOn ?? ""), report: form.report ?? "",
                file: form.reportFile.flatMap { $0.data.readableBytes == 0 ? nil : $0.uploaded },
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    func visitFile(req: Request) async throws -> Response {
        let visit = try req.uuid("visitID")
        let file = try await Concerns.visitFile(try id(req), visit: visit, actor: try req.requireActor(), db: req.db)
        let response = Response(status: .ok, body: .init(data: file.data))
        response.headers.replaceOrAdd(name: .contentType, value: "application/octet-stream")
        response.headers.replaceOrAdd(name: .contentDisposition, value: SafeHeaders.attachment(file.filename))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    struct ReportForm: Content {
        var visit: String?
        var visitReport: String?
        var visitFile: File?
    }

    func reportVisit(req: Request) async throws -> Response {
        let reviewID = try id(req)
        let form = try req.content.decode(ReportForm.self)
        return try await Forms.handle(
            req, success: "Report saved. The provider has been told.", redirect: { .review(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await Concerns.reportVisit(
                reviewID, visit: form.visit.flatMap(UUID.init(uuidString:)), report: form.visitReport ?? "",
                file: form.visitFile.flatMap { $0.data.readableBytes == 0 ? nil : $0.uploaded },
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct CloseForm: Content { var outcome: String? }

    func close(req: Request) async throws -> Response {
        let reviewID = try id(req)
        return try await Forms.handle(
            req, success: "Review closed. Everyone involved has been told.", redirect: { .review(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await Concerns.close(
                reviewID, outcome: try req.content.decode(CloseForm.self).outcome ?? "", actor: try req.requireActor(),
                db: req.db, now: req.now)
        }
    }
}

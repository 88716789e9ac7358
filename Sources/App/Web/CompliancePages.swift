import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation
import Vapor

/// Annual compliance checks: the list and the form to open one (contract managers); a check's report of who has
/// answered, who is late, who failed and who was suspended, with the form to fail an answer; the provider's own
/// memberships in it and the form to confirm them.
struct CompliancePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.complianceChecks, use: list)
        routes.post(.complianceChecks, use: open)
        routes.get(.complianceCheck(.any), use: show)
        routes.post(.complianceCheck(.any, .confirm), use: confirm)
        routes.post(.complianceCheck(.any, .fail), use: fail)
    }

    private func id(_ req: Request) throws -> UUID { try req.uuid("id") }

    func list(req: Request) async throws -> Response {
        HTMLResponse.make(try await listView(req, errors: [], values: [:]))
    }

    private func listView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let checks = try await ComplianceChecks.checks(actor: actor, db: req.db)
        let manager = actor.isLeadAuthority && actor.role == .contractManager
        let scopes = manager ? try await ComplianceChecks.scopes(actor: actor, db: req.db) : []
        return Layout.page(title: "Compliance checks", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Compliance checks")
            UI.p(
                "At least once a year every admitted provider confirms that its details are current and renews what "
                    + "has expired, within 5 working days. A membership not confirmed by the end of the grace period "
                    + "is suspended for every partner.")
            if checks.isEmpty {
                UI.inset("No compliance checks yet.")
            } else {
                UI.table(
                    caption: "Newest first", headers: ["Opened", "Of", "Answer by", "Suspended from"],
                    rows: checks.map { c in
                        [
                            UI.link(LocalDate.from(c.openedAt).longForm, .complianceCheck(c.id)), text(c.scope),
                            text(c.answerBy.longForm), text(c.suspendsOn.longForm),
                        ]
                    })
            }
            if manager {
                UI.details("Open a compliance check", errors: errors) {
                    UI.form(action: .complianceChecks, csrf: req.csrfToken) {
                        UI.radios(
                            "category", legend: "Which memberships",
                            options: scopes.flatMap { s in
                                [UI.Option(value: "dps:\(s.dps)", label: "Every category of \(s.title)")]
                                    + s.categories.map { UI.Option(value: $0.id.uuidString, label: $0.name) }
                            }, selected: values["category"], errors: errors)
                        UI.button("Open the check", kind: "secondary")
                    }
                }
            }
        }
    }

    struct OpenForm: Content { var category: String? }

    func open(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let choice = try req.content.decode(OpenForm.self).category ?? ""
        var opened: UUID?
        return try await Forms.handle(
            req, success: "Compliance check opened. Every provider in it has been told.",
            redirect: { opened.map { .complianceCheck($0) } ?? .complianceChecks },
            render: { errors, values in try await listView(req, errors: errors, values: values) }
        ) {
            let scopes = try await ComplianceChecks.scopes(actor: actor, db: req.db)
            if choice.hasPrefix("dps:"), let dps = UUID(uuidString: String(choice.dropFirst(4))) {
                opened = try await ComplianceChecks.open(
                    dps: dps, category: nil, actor: actor, db: req.db, now: req.now)
            } else if let category = UUID(uuidString: choice),
                let scope = scopes.first(where: { $0.categories.contains { $0.id == category } })
            {
                opened = try await ComplianceChecks.open(
                    dps: scope.dps, category: category, actor: actor, db: req.db, now: req.now)
            } else {
                throw UseCaseError(field: "category", "Choose the memberships to check")
            }
        }
    }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let (check, answers) = try await ComplianceChecks.report(try id(req), actor: actor, db: req.db)
        let today = LocalDate.from(req.now)
        func status(_ a: ComplianceChecks.Answer) -> (String, String?) {
            switch a.state {
            case .confirmed: ("Confirmed", "green")
            case .failed: ("Failed", "red")
            case .suspended: ("Not answered: suspended", "red")
            case .waiting: check.answerBy < today ? ("Late", "yellow") : ("Waiting", nil)
            }
        }
        let counts = Dictionary(grouping: answers, by: { status($0).0 }).mapValues(\.count)
        let manager = actor.isLeadAuthority && actor.role == .contractManager
        return Layout.page(title: "Compliance check", context: PageContext(request: req)) {
            UI.backLink(.complianceChecks)
            UI.errorSummary(errors)
            UI.h1("Compliance check", caption: check.scope)
            UI.summaryList([
                ("Opened", text("\(DisplayDate.dateTime(check.openedAt)) by \(check.openedBy)")),
                ("Answer by", text(check.answerBy.longForm)),
                ("Not answered by then: suspended from", text(check.suspendsOn.longForm)),
                (
                    "Answers",
                    text(
                        ["Confirmed", "Waiting", "Late", "Failed", "Not answered: suspended"]
                            .compactMap { key in counts[key].map { "\(key): \($0)" } }.joined(separator: "; "))
                ),
            ])
            UI.table(
                headers: ["Establishment", "Provider", "Category", "Status", "Statement"],
                rows: answers.map { a in
                    let (label, colour) = status(a)
                    return [
                        UI.link(a.establishment, .membership(a.membership)), text(a.provider), text(a.category),
                        UI.tag(label, colour: colour),
                        text(
                            a.statement.map { "\($0) (\(a.answeredBy ?? ""), \(DisplayDate.dateTime(a.answeredAt!)))" }
                                ?? ""),
                    ]
                })
            if actor.isProvider && actor.role == .providerAdmin && answers.contains(where: { $0.state == .waiting }) {
                UI.h2("Confirm your details")
                UI.form(action: .complianceCheck(check.id, .confirm), csrf: req.csrfToken) {
                    UI.textarea(
                        "statement", label: "What you checked", value: values["statement"],
                        hint: "For example: registration, insurance, policies and staffing checked on 4 January; "
                            + "all current. Renew any expired evidence on the membership's page first.",
                        errors: errors, rows: 3)
                    UI.button("Confirm for every membership waiting")
                }
            }
            let decidable = answers.filter { $0.state == .waiting || $0.state == .confirmed }
            if manager && !decidable.isEmpty {
                UI.details("Fail an answer", errors: errors) {
                    UI.form(action: .complianceCheck(check.id, .fail), csrf: req.csrfToken) {
                        UI.radios(
                            "answer", legend: "Which membership",
                            options: decidable.map {
                                .init(value: $0.id.uuidString, label: "\($0.establishment) (\($0.category))")
                            }, selected: values["answer"], errors: errors)
                        UI.textarea(
                            "failReason", label: "Why it fails", value: values["failReason"],
                            hint: "The membership is suspended for every partner; the provider reads this.",
                            errors: errors, rows: 3)
                        UI.button("Fail and suspend", kind: "warning")
                    }
                }
            }
        }
    }

    struct ConfirmForm: Content { var statement: String? }

    func confirm(req: Request) async throws -> Response {
        let checkID = try id(req)
        return try await Forms.handle(
            req, success: "Confirmed. Thank you.", redirect: { .complianceCheck(checkID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await ComplianceChecks.confirm(
                checkID, statement: try req.content.decode(ConfirmForm.self).statement ?? "",
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct FailForm: Content {
        var answer: String?
        var failReason: String?
    }

    func fail(req: Request) async throws -> Response {
        let checkID = try id(req)
        let form = try req.content.decode(FailForm.self)
        return try await Forms.handle(
            req, success: "Failed. The membership is suspended and the provider has been told.",
            redirect: { .complianceCheck(checkID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await ComplianceChecks.fail(
                checkID, answer: form.answer.flatMap(UUID.init(uuidString:)), reason: form.failReason ?? "",
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }
}

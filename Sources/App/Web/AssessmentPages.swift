import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The evaluator's queue, deadline report and the review page of one application.
struct AssessmentPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.assessmentQueue, use: queue)
        routes.get(.assessmentReport, use: report)
        routes.get(.assessment(.any), use: review)
        routes.post(.assessmentPart(.any, .review, part: .any), use: reviewAnswer)
        routes.post(.assessmentPart(.any, .score, part: .any), use: score)
        routes.post(.assessment(.any, .clarify), use: clarify)
        routes.post(.assessment(.any, .extend), use: extend)
        routes.post(.assessmentPart(.any, .decide, part: .any), use: decide)
    }

    static func statusTag(_ status: AssessmentClock.DeadlineStatus?) -> Markup {
        switch status {
        case .onTrack(let left)?: UI.tag("\(left) working days left", colour: "blue")
        case .dueSoon(let left)?: UI.tag("Due soon: \(left) working day\(left == 1 ? "" : "s") left", colour: "yellow")
        case .dueToday?: UI.tag("Due today", colour: "yellow")
        case .breached(let late)?: UI.tag("Overdue by \(late) working day\(late == 1 ? "" : "s")", colour: "red")
        case nil: .empty
        }
    }

    /// The open applications a page at a time, most urgent first; `?list=decided` pages through the decided and
    /// withdrawn ones, latest first, each with its decision.
    func queue(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let decided = req.query[String.self, at: "list"] == "decided"
        let options = Assessment.queueOptions(decided: decided)
        let (filter, errors) = req.listFilter(options)
        let page = try await Assessment.queue(
            actor: actor, decided: decided, filter: filter, page: try req.listPage(), db: req.db, now: req.now,
            calendar: req.calendar)
        let panel = actor.role == .panelMember
        let kept = [decided ? "list=decided" : nil, filter.query(options)].compactMap { $0 }.joined(separator: "&")
        let warnings =
            panel
            ? []
            : page.rows.filter {
                switch $0.status {
                case .breached?, .dueSoon?, .dueToday?: true
                case .onTrack?, nil: false
                }
            }
        return HTMLResponse.make(
            Layout.page(title: decided ? "Decided applications" : "Applications", context: PageContext(request: req)) {
                UI.errorSummary(errors)
                UI.h1(decided ? "Decided applications" : "Applications to assess")
                if !warnings.isEmpty {
                    UI.warning(
                        "\(warnings.count) application\(warnings.count == 1 ? " needs" : "s need") a decision soon or "
                            + "\(warnings.count == 1 ? "is" : "are") overdue."
                    )
                }
                if panel {
                    UI.p("The applications whose young people's question you score. Open one to read and score it.")
                } else {
                    el("p", .class("govuk-body")) {
                        decided
                            ? UI.link("Applications to assess", .assessmentQueue)
                            : UI.link("Decided applications", href: SiteURL.assessmentQueue.path + "?list=decided")
                    }
                }
                if !panel {
                    UI.listFilter(
                        .assessmentQueue, filter: filter, options: options, searchLabel: "Establishment or provider",
                        errors: errors, keep: decided ? [("list", "decided")] : [])
                    if page.rows.isEmpty && filter.narrows {
                        UI.emptyList(
                            "", narrowed: true,
                            clear: SiteURL.assessmentQueue.path + (decided ? "?list=decided" : ""))
                    }
                }
                if decided {
                    UI.table(
                        caption: "Decided, latest first",
                        headers: ["Establishment", "Provider", "Decision", "Decided", "In time"],
                        rows: page.rows.map { r in
                            [
                                UI.link(r.app.establishmentName, .assessment(r.app.id)),
                                text(r.app.organisationName), ProviderPages.stateTag(r.app.state),
                                text(r.app.decidedAt.map(DisplayDate.dateTime) ?? "—"),
                                r.decidedInTime == false ? UI.tag("Late", colour: "red") : UI.tag("Yes"),
                            ]
                        })
                } else if panel {
                    UI.table(
                        caption: "To score", headers: ["Establishment", "Categories"],
                        rows: page.rows.map { r in
                            [
                                UI.link(r.app.establishmentName, .assessment(r.app.id)),
                                text(r.categories.joined(separator: "; ")),
                            ]
                        })
                } else {
                    UI.table(
                        caption: "Open, most urgent first",
                        headers: ["Establishment", "Provider", "Categories", "Status", "Decide by", "Clock"],
                        rows: page.rows.map { r in
                            [
                                UI.link(r.app.establishmentName, .assessment(r.app.id)),
                                text(r.app.organisationName), text(r.categories.joined(separator: "; ")),
                                ProviderPages.stateTag(r.app.state), text(DisplayDate.date(r.app.deadline)),
                                Self.statusTag(r.status),
                            ]
                        })
                    if page.rows.isEmpty && !filter.narrows { UI.p("No applications are waiting for a decision.") }
                }
                UI.pagination(page, base: .assessmentQueue, query: kept.isEmpty ? nil : kept)
            }, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    func report(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let rows = try await Assessment.queue(actor: actor, db: req.db, now: req.now, calendar: req.calendar)
        let breaches = rows.filter { r in
            if case .breached = r.status { return true }
            return r.decidedInTime == false
        }
        return HTMLResponse.make(
            Layout.page(title: "Deadline report", context: PageContext(request: req)) {
                UI.h1("Assessment deadline report")
                UI.p(
                    "Applications must be decided within 10 working days of submission, "
                        + "or 15 when extended with a reason. \(rows.count) applications submitted; "
                        + "\(breaches.count) breach\(breaches.count == 1 ? "" : "es")."
                )
                UI.table(
                    headers: ["Establishment", "Submitted", "Deadline", "Extended", "Breach"],
                    rows: breaches.map { r in
                        [
                            UI.link(r.app.establishmentName, .assessment(r.app.id)),
                            text(r.app.submittedAt.map(DisplayDate.dateTime) ?? ""),
                            text(DisplayDate.date(r.app.deadline)),
                            text(r.app.extended ? "Yes: \(r.app.extensionReason ?? "")" : "No"),
                            r.status == nil ? text("Decided late") : Self.statusTag(r.status),
                        ]
                    })
            })
    }

    func review(req: Request) async throws -> Response {
        HTMLResponse.make(try await reviewView(req, errors: [], values: [:]))
    }

    private func reviewView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let model = try await AssessmentDetail.query(id, actor: try req.requireActor(), db: req.db, now: req.now)
        return AssessmentDetail.view(
            model, context: PageContext(request: req), form: FormState(errors: errors, values: values))
    }

    private func form(_ req: Request, success: String, action: @escaping (Actor, UUID) async throws -> Void)
        async throws -> Response
    {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        return try await Forms.handle(
            req, success: success, redirect: { .assessment(id) },
            render: { errors, values in try await reviewView(req, errors: errors, values: values) },
            action: { try await action(actor, id) })
    }

    private func partID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("partID", as: UUID.self) else { throw Abort(.notFound) }
        return id
    }

    func reviewAnswer(req: Request) async throws -> Response {
        try await form(req, success: "Review saved.") { actor, id in
            try await Assessment.review(
                id, partID: try partID(req), try req.content.decode(AssessmentForms.Review.self).command, actor: actor,
                db: req.db, now: req.now)
        }
    }

    func score(req: Request) async throws -> Response {
        try await form(req, success: "Score saved.") { actor, id in
            try await Assessment.score(
                id, partID: try partID(req), try req.content.decode(AssessmentForms.Score.self).command, actor: actor,
                db: req.db, now: req.now)
        }
    }

    struct TextForm: Content {
        var question: String?
        var reason: String?
    }

    func clarify(req: Request) async throws -> Response {
        try await form(req, success: "Question sent to the provider.") { actor, id in
            try await Assessment.askClarification(
                id, question: try req.content.decode(TextForm.self).question, actor: actor, db: req.db, now: req.now)
        }
    }

    func extend(req: Request) async throws -> Response {
        try await form(req, success: "Deadline extended to 15 working days.") { actor, id in
            try await Assessment.extend(
                id, reason: try req.content.decode(TextForm.self).reason, actor: actor, db: req.db, now: req.now,
                calendar: req.calendar)
        }
    }

    func decide(req: Request) async throws -> Response {
        let posted = try req.content.decode(AssessmentForms.Decision.self)
        let kind = posted.command.decision
        let reason = posted.command.reason.trimmed
        // What stops the decision shows on the application's page first; a decision that can be made is confirmed
        // (it cannot be undone).
        if let kind, !Confirmation.given(req), let id = req.parameters.get("id", as: UUID.self) {
            do {
                try await Assessment.decide(
                    id, partID: try partID(req), posted.command, actor: try req.requireActor(), db: req.db,
                    now: req.now, checkOnly: true)
            } catch let error as UseCaseError where !error.errors.isEmpty {
                return HTMLResponse.make(
                    try await reviewView(req, errors: error.errors, values: Forms.values(req)), status: error.httpStatus
                )
            }
            let actor = try req.requireActor()
            let app = try await Assessment.application(id, actor: actor, db: req.db)
            let part = try await Assessment.part(try partID(req), of: app, db: req.db)
            let category = try await part.$category.get(on: req.db)
            return Confirmation.page(
                req, title: kind == .admit ? "Admit to \(category.name)" : "Refuse \(category.name)",
                caption: app.establishment.name,
                facts: [("Provider", app.organisation.name), ("Establishment", app.establishment.name)]
                    + (reason.isEmpty ? [] : [("Reason given to the provider", reason)]),
                consequence: kind == .admit
                    ? "Admitting makes it a member of the category from today: it is invited to every referral it is "
                        + "eligible for. The provider is told at once. This cannot be undone here."
                    : "Refusing cannot be undone: the provider is told with your reason and may apply again.",
                action: .assessmentPart(id, .decide, part: try partID(req)),
                button: kind == .admit ? "Admit" : "Refuse", back: .assessment(id), warning: kind == .refuse)
        }
        return try await form(req, success: "Decision recorded and the provider has been told.") { actor, id in
            try await Assessment.decide(
                id, partID: try partID(req), try req.content.decode(AssessmentForms.Decision.self).command,
                actor: actor,
                db: req.db, now: req.now)
        }
    }
}

extension [FieldError] {
    /// The errors of one qualified field under the short name its small form renders it with.
    func named(_ qualified: String, as short: String) -> [FieldError] {
        filter { $0.field == qualified }.map { FieldError(field: short, message: $0.message) }
    }
}

extension Markup {
    /// Gives a field rendered under its short form name the id (and error) of its qualified name, so one
    /// page can hold many small forms whose errors still link to the right field.
    /// The same markup with the ids a component derived from `short` (and the references to them) made unique
    /// for `qualified`: `"f-score` becomes `"f-score-<id>`. One pass over the bytes (Foundation's replace cost a
    /// tenth of a page of score forms).
    func replacingIDs(_ short: String, _ qualified: String) -> Markup {
        let pattern = Array("\"\(UI.fieldID(short))".utf8)
        let replacement = Array("\"\(UI.fieldID(qualified))".utf8)
        let bytes = Array(html.utf8)
        guard let first = pattern.first, bytes.count >= pattern.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 512)
        var i = 0
        while i < bytes.count {
            if bytes[i] == first, i + pattern.count <= bytes.count,
                bytes[i..<(i + pattern.count)].elementsEqual(pattern)
            {
                out.append(contentsOf: replacement)
                i += pattern.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return Markup(unsafeRaw: String(decoding: out, as: UTF8.self))
    }
}

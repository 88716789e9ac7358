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

    func queue(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let rows = try await Assessment.queue(actor: actor, db: req.db, now: req.now, calendar: req.calendar)
        let open = rows.filter { $0.status != nil }
        let warnings = open.filter {
            if case .breached = $0.status { return true }
            if case .dueSoon = $0.status { return true }
            return $0.status == .dueToday
        }
        return HTMLResponse.make(
            Layout.page(title: "Applications", context: PageContext(request: req)) {
                UI.h1("Applications to assess")
                if !warnings.isEmpty {
                    UI.warning(
                        "\(warnings.count) application\(warnings.count == 1 ? " needs" : "s need") a decision soon or "
                            + "\(warnings.count == 1 ? "is" : "are") overdue."
                    )
                }
                UI.table(
                    caption: "Open (\(open.count))",
                    headers: ["Establishment", "Provider", "Categories", "Status", "Decide by", "Clock"],
                    rows: open.map { r in
                        [
                            UI.link(r.app.establishment.name, .assessment(r.app.id!)),
                            text(r.app.organisation.name), text(r.categories.joined(separator: "; ")),
                            ProviderPages.stateTag(r.app.state), text(DisplayDate.date(r.app.deadline)),
                            Self.statusTag(r.status),
                        ]
                    })
                let decided = rows.filter { $0.status == nil }
                UI.table(
                    caption: "Decided (\(decided.count))",
                    headers: ["Establishment", "Provider", "Decided", "In time"],
                    rows: decided.map { r in
                        [
                            UI.link(r.app.establishment.name, .assessment(r.app.id!)),
                            text(r.app.organisation.name), text(r.app.decidedAt.map(DisplayDate.dateTime) ?? "—"),
                            r.decidedInTime == false ? UI.tag("Late", colour: "red") : UI.tag("Yes"),
                        ]
                    })
            })
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
                            UI.link(r.app.establishment.name, .assessment(r.app.id!)),
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
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let app = try await Assessment.application(id, actor: actor, db: req.db)
        let parts = try await ApplicationCategoryRecord.query(on: req.db).filter(\.$application.$id == id).with(
            \.$category
        ).all().sorted { $0.category.position < $1.category.position }
        let evidence = try await EvidenceRecord.query(on: req.db).filter(
            \.$applicationCategoryID ~~ parts.compactMap(\.id)
        ).all()
        let scores = try await StatementScoreRecord.query(on: req.db).filter(
            \.$applicationCategory.$id ~~ parts.compactMap(\.id)
        ).all()
        let users = Dictionary(
            try await User.query(on: req.db).filter(\.$organisation.$id == actor.organisationID).all().map {
                ($0.id!, $0.name)
            }, uniquingKeysWith: { a, _ in a })
        let clarifications = try await ClarificationRecord.query(on: req.db).filter(\.$application.$id == id).sort(
            \.$askedAt
        ).all()
        let open =
            app.state == ApplicationState.submitted.rawValue
            || app.state == ApplicationState.clarificationRequested.rawValue
        let deadline = app.deadline.flatMap { LocalDate(iso: $0) }
        let status =
            open ? deadline.map { AssessmentClock.status(deadline: $0, now: req.now, calendar: req.calendar) } : nil
        let e = app.establishment
        let judgement = InspectionThreshold.assess(
            InspectionRating(
                inspectorate: Inspectorate(rawValue: e.inspectorate) ?? .other, framework: e.framework,
                judgement: e.judgement, date: e.judgementDate.flatMap { LocalDate(iso: $0) }))
        let isPanel = actor.role == .panelMember
        let canDecide = [Role.evaluator, .dpsAdmin].contains(actor.role)
        let criteria = try Dictionary(uniqueKeysWithValues: parts.map { ($0.id!, try $0.criteria) })
        let answersByPart = try Dictionary(
            uniqueKeysWithValues: parts.map { ($0.id!, try ProviderUseCases.Answers($0)) })
        let reviewsByPart = try Dictionary(uniqueKeysWithValues: parts.map { ($0.id!, try Assessment.reviews(of: $0)) })
        return Layout.page(title: "Assess: \(e.name)", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1(e.name, caption: "Application from \(app.organisation.name)")
            UI.summaryList([
                ("Status", ProviderPages.stateTag(app.state)),
                (
                    "Decide by",
                    MarkupBuilder.buildBlock(
                        text(
                            DisplayDate.date(app.deadline)
                                + (app.extended ? " (extended: \(app.extensionReason ?? ""))" : "") + " "),
                        Self.statusTag(status))
                ),
                (
                    "Establishment",
                    text(
                        "\(EstablishmentType(rawValue: e.type)?.label ?? e.type), URN \(e.urn ?? "none"), "
                            + "\(e.postcode)\(e.locationApproximate ? " (approximate)" : ""), "
                            + "ages \(e.ageLow) to \(e.ageHigh), \(e.capacity) places"
                    )
                ),
                (
                    "Inspection",
                    MarkupBuilder.buildBlock(
                        text(
                            "\(e.judgement) (\(Inspectorate(rawValue: e.inspectorate)?.displayName ?? e.inspectorate)"
                                + "\(e.judgementDate.map { ", \(DisplayDate.date($0))" } ?? "")) "
                        ),
                        {
                            switch judgement {
                            case .meetsThreshold: return UI.tag("Meets the threshold")
                            case .belowThreshold: return UI.tag("Below the threshold", colour: "red")
                            case .referToEvaluator(let reason):
                                return UI.tag("Evaluator to judge: \(reason)", colour: "yellow")
                            }
                        }())
                ),
            ])
            if !clarifications.isEmpty {
                UI.h2("Clarifications")
                UI.table(
                    headers: ["Question", "Answer"],
                    rows: clarifications.map { [text($0.question), text($0.answer ?? "Awaiting answer")] })
            }
            if open && canDecide {
                el("div", .class("dps-grid")) {
                    el("div", .class("dps-card")) {
                        UI.form(action: .assessment(id, .clarify), csrf: req.csrfToken) {
                            UI.textarea(
                                "question", label: "Ask the provider a clarification question",
                                value: values["question"], errors: errors, rows: 3)
                            UI.button("Send question", kind: "secondary")
                        }
                    }
                    if !app.extended {
                        el("div", .class("dps-card")) {
                            UI.form(action: .assessment(id, .extend), csrf: req.csrfToken) {
                                UI.textarea(
                                    "reason", label: "Extend the deadline to 15 working days", value: values["reason"],
                                    hint: "Give the reason; it is recorded and sent to the provider.", errors: errors,
                                    rows: 3)
                                UI.button("Extend deadline", kind: "secondary")
                            }
                        }
                    }
                }
            }
            for part in parts {
                let code = part.category.code
                let content = criteria[part.id!]!
                let answers = answersByPart[part.id!]!
                let reviews = reviewsByPart[part.id!]!
                let partScores = scores.filter { $0.$applicationCategory.id == part.id }
                el("section", .class("dps-card")) {
                    el("h2", .class("govuk-heading-m")) { part.category.name }
                    if part.decision != CategoryDecisionState.pending.rawValue {
                        UI.banner("Decision: \(part.decision)", success: part.decision == "admitted") {
                            if let r = part.decisionReason { UI.p(r) }
                        }
                    }
                    if !isPanel {
                        el("h3", .class("govuk-heading-s")) { "Pass/fail answers" }
                        UI.table(
                            headers: ["Question", "Answer and evidence", "Review"],
                            rows: content.passFail.map { q in
                                let docs = evidence.filter {
                                    $0.applicationCategoryID == part.id && $0.questionKey == q.key
                                }
                                let review = reviews[q.key]
                                return [
                                    text(q.text),
                                    MarkupBuilder.buildBlock(
                                        text(answers.passFail[q.key]?.capitalized ?? "Not answered"),
                                        MarkupBuilder.buildArray(
                                            docs.map { d in
                                                el("div") {
                                                    UI.link(d.filename, .evidence(d.id!))
                                                    d.expiresOn.map { " (expires \(DisplayDate.date($0)))" } ?? ""
                                                }
                                            })),
                                    open && canDecide
                                        ? UI.form(
                                            action: .assessmentPart(id, .review, part: part.id!), csrf: req.csrfToken
                                        ) {
                                            void("input", [.type("hidden"), .name("question"), .value(q.key)])
                                            UI.radios(
                                                "outcome", legend: "Outcome",
                                                options: [
                                                    .init(value: "pass", label: "Pass"),
                                                    .init(value: "fail", label: "Fail"),
                                                ], selected: review?.outcome.rawValue,
                                                errors: errors.named("outcome.\(code).\(q.key)", as: "outcome"),
                                                inline: true
                                            )
                                            .replacingIDs("outcome", "outcome.\(code).\(q.key)")
                                            UI.textInput(
                                                "note", label: "Note", value: review?.note,
                                                errors: errors.named("note.\(code).\(q.key)", as: "note")
                                            )
                                            .replacingIDs("note", "note.\(code).\(q.key)")
                                            UI.button("Save review", kind: "secondary")
                                        }
                                        : text(
                                            review.map { r in
                                                let outcome = r.outcome.rawValue.capitalized
                                                return r.note.isEmpty ? outcome : "\(outcome): \(r.note)"
                                            } ?? "Not reviewed"),
                                ]
                            })
                        el("h3", .class("govuk-heading-s")) { "Core costs" }
                        UI.summaryList(
                            content.costLines.map { l in
                                (l.name, text(answers.costs[l.key].map(formatPence) ?? "—"))
                            }
                                + [
                                    (
                                        "Total a week",
                                        text(
                                            formatPence(answers.costs.values.reduce(0, +))
                                                + (part.category.affordabilityCapPence.map {
                                                    " (cap \(formatPence($0)))"
                                                } ?? ""))
                                    )
                                ]
                                + content.discountTiers.map { t in
                                    (
                                        "Discount, \(t.children)+ children",
                                        text(answers.discounts[String(t.children)].map(Money.percent) ?? "—")
                                    )
                                })
                    }
                    el("h3", .class("govuk-heading-s")) { "Method statements" }
                    for s in content.statements where !isPanel || s.youngPeoplesPanel {
                        let mine = partScores.first {
                            $0.statementKey == s.key && $0.evaluatorID == actor.userID && !$0.isConsensus
                        }
                        let individual = partScores.filter { $0.statementKey == s.key && !$0.isConsensus }
                        let consensus = partScores.first { $0.statementKey == s.key && $0.isConsensus }
                        // the panel scores its question; evaluators the rest
                        let mayScore = open && s.youngPeoplesPanel == isPanel
                        el("div", .class("dps-card")) {
                            el("h4", .class("govuk-heading-s")) {
                                "\(s.title) (weight \(s.weight))"
                                    + "\(s.youngPeoplesPanel ? ", scored by the young people's panel" : "")"
                            }
                            el("p", .class("govuk-body dps-preline")) { answers.statements[s.key] ?? "Not answered" }
                            if !individual.isEmpty {
                                UI.table(
                                    headers: ["Scorer", "Score", "Comment"],
                                    rows: individual.map {
                                        [
                                            text(users[$0.evaluatorID] ?? "Evaluator"), text(String($0.score)),
                                            text($0.comment),
                                        ]
                                    })
                            }
                            if let consensus { UI.inset("Consensus: \(consensus.score) of 5. \(consensus.comment)") }
                            if mayScore {
                                let scoreNames = ["no answer", "poor", "weak", "satisfactory", "good", "excellent"]
                                let meanScore = QualificationScoring.proposedConsensus(scores: individual.map(\.score))
                                let scoreOptions = (0...5).map {
                                    UI.Option(
                                        value: String($0),
                                        label: "\($0): \(scoreNames[$0])"
                                    )
                                }
                                UI.form(action: .assessmentPart(id, .score, part: part.id!), csrf: req.csrfToken) {
                                    void("input", [.type("hidden"), .name("statement"), .value(s.key)])
                                    UI.radios(
                                        "score", legend: "Your score", options: scoreOptions,
                                        selected: mine.map { String($0.score) },
                                        errors: errors.named("score.\(code).\(s.key)", as: "score"),
                                        inline: true
                                    )
                                    .replacingIDs("score", "score.\(code).\(s.key)")
                                    UI.textarea(
                                        "comment", label: "Comment", value: mine?.comment,
                                        errors: errors.named("comment.\(code).\(s.key)", as: "comment"), rows: 2
                                    ).replacingIDs("comment", "comment.\(code).\(s.key)")
                                    UI.checkboxes(
                                        "consensus", legend: "Moderation",
                                        options: [
                                            .init(
                                                value: "yes",
                                                label: "Record this as the moderated consensus score"
                                                    + (individual.isEmpty
                                                        ? ""
                                                        : " (mean of scores: \(meanScore))")
                                            )
                                        ], selected: [], errors: errors
                                    )
                                    .replacingIDs("consensus", "consensus.\(code).\(s.key)")
                                    UI.button("Save score", kind: "secondary")
                                }
                            }
                        }
                    }
                    if open && canDecide && part.decision == CategoryDecisionState.pending.rawValue {
                        UI.form(action: .assessmentPart(id, .decide, part: part.id!), csrf: req.csrfToken) {
                            UI.radios(
                                "decision", legend: "Decision for \(part.category.name)",
                                options: [
                                    .init(
                                        value: "admit", label: "Admit",
                                        hint:
                                            "Creates a membership with the qualification score and the core costs above"
                                    ), .init(value: "refuse", label: "Refuse"),
                                ], selected: nil, errors: errors.named("decision.\(code)", as: "decision")
                            )
                            .replacingIDs("decision", "decision.\(code)")
                            UI.textarea(
                                "reason", label: "Reasons (sent to the provider; required to refuse)",
                                errors: errors.named("reason.\(code)", as: "reason"),
                                rows: 3
                            ).replacingIDs("reason", "reason.\(code)")
                            UI.button("Record decision")
                        }
                    }
                }
            }
        }
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
        try await form(req, success: "Decision recorded and the provider has been told.") { actor, id in
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
    func replacingIDs(_ short: String, _ qualified: String) -> Markup {
        Markup(unsafeRaw: html.replacingOccurrences(of: "\"\(UI.fieldID(short))", with: "\"\(UI.fieldID(qualified))"))
    }
}

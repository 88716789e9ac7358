import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Vapor

/// The lead authority's assessment of applications (DOMAIN §4): deadlines, scoring, consensus,
/// clarifications and decisions that create memberships.
enum Assessment {
    /// An application the actor's lead authority may assess (it runs the DPS the application is for).
    static func application(_ id: UUID, actor: Actor, db: any Database) async throws -> ApplicationRecord {
        guard actor.isLeadAuthority, let app = try await ApplicationRecord.query(on: db).filter(\.$id == id)
            .with(\.$establishment).with(\.$organisation).with(\.$dps).first(),
              app.dps.$lead.id == actor.organisationID, app.state != ApplicationState.draft.rawValue else {
            throw Abort(.notFound, reason: "No such application.")
        }
        return app
    }

    static func part(_ partID: UUID, of app: ApplicationRecord, db: any Database) async throws -> ApplicationCategoryRecord {
        guard let part = try await ApplicationCategoryRecord.query(on: db).filter(\.$id == partID)
            .filter(\.$application.$id == app.requireID()).with(\.$category).first() else {
            throw Abort(.notFound, reason: "No such category in this application.")
        }
        return part
    }

    static func requireOpen(_ app: ApplicationRecord) throws {
        guard app.state == ApplicationState.submitted.rawValue || app.state == ApplicationState.clarificationRequested.rawValue else {
            throw Abort(.conflict, reason: "This application has been decided or withdrawn; it can no longer be changed.")
        }
    }

    struct ReviewInput: Content {
        var question: String?
        var outcome: String?
        var note: String?
    }

    struct Review: Codable, Equatable { var outcome: String; var note: String; var by: UUID }

    /// Records an evaluator's pass/fail review of one answer and its evidence.
    static func review(_ id: UUID, partID: UUID, _ input: ReviewInput, actor: Actor, db: any Database, now: Date) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let part = try await part(partID, of: app, db: db)
        guard let key = input.question, part.criteria.passFail.contains(where: { $0.key == key }) else {
            throw InputError(field: "question", "Choose the question you are reviewing")
        }
        guard let outcome = input.outcome, ["pass", "fail"].contains(outcome) else {
            throw InputError(field: "outcome.\(key)", "Choose pass or fail")
        }
        let note = (input.note ?? "").trimmed
        if outcome == "fail" && note.isEmpty { throw InputError(field: "note.\(key)", "Give the reason the answer fails") }
        var reviews = (try? JSONDecoder().decode([String: Review].self, from: Data(part.reviewJSON.utf8))) ?? [:]
        let before = reviews[key]
        reviews[key] = Review(outcome: outcome, note: note, by: actor.userID)
        let updated = reviews
        try await db.writeTransaction { db in
            part.reviewJSON = Audit.encode(updated)
            try await part.update(on: db)
            try await Audit.record(on: db, actor: actor, action: "application.passfail.reviewed", entityType: "application_category", entityID: part.id,
                                   before: before, after: updated[key], at: now)
        }
    }

    struct ScoreInput: Content {
        var statement: String?
        var score: String?
        var comment: String?
        var consensus: String?
    }

    /// Scores a method statement 0-5 with a comment, or records the moderator's consensus. The young
    /// people's panel scores only its own question; evaluators score the others.
    static func score(_ id: UUID, partID: UUID, _ input: ScoreInput, actor: Actor, db: any Database, now: Date) async throws {
        try actor.require(.evaluator, .panelMember, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let part = try await part(partID, of: app, db: db)
        guard let key = input.statement, let statement = part.criteria.statements.first(where: { $0.key == key }) else {
            throw InputError(field: "statement", "Choose the method statement you are scoring")
        }
        if statement.youngPeoplesPanel != (actor.role == .panelMember) {
            throw Abort(.forbidden, reason: statement.youngPeoplesPanel
                        ? "Only the young people's panel scores the young people's question."
                        : "The young people's panel scores only the young people's question.")
        }
        let field = "score.\(part.category.code).\(key)"
        guard let score = Int((input.score ?? "").trimmed), (0...5).contains(score) else {
            throw InputError(field: field, "Choose a score from 0 to 5")
        }
        let comment = (input.comment ?? "").trimmed
        if comment.isEmpty { throw InputError(field: "comment.\(part.category.code).\(key)", "Give a comment that explains the score") }
        let isConsensus = input.consensus == "yes"
        try await db.writeTransaction { db in
            let existing = try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id == part.requireID())
                .filter(\.$statementKey == key).filter(\.$evaluatorID == actor.userID).filter(\.$isConsensus == isConsensus).first()
            let record = existing ?? StatementScoreRecord()
            let before = existing.map { ["score": String($0.score), "comment": $0.comment] }
            record.$applicationCategory.id = try part.requireID()
            record.statementKey = key
            record.evaluatorID = actor.userID
            record.isConsensus = isConsensus
            record.score = score
            record.comment = comment
            if isConsensus {
                // One consensus per statement: replace any other moderator's.
                try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id == part.requireID())
                    .filter(\.$statementKey == key).filter(\.$isConsensus == true).filter(\.$evaluatorID != actor.userID).delete()
            }
            try await record.save(on: db)
            try await Audit.record(on: db, actor: actor, action: isConsensus ? "application.consensus.recorded" : "application.statement.scored",
                                   entityType: "application_category", entityID: part.id, before: before,
                                   after: ["statement": key, "score": String(score), "comment": comment], at: now)
        }
    }

    /// Asks the provider a clarification question; the application waits for the answer.
    static func askClarification(_ id: UUID, question: String?, actor: Actor, db: any Database, now: Date) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let text = (question ?? "").trimmed
        guard !text.isEmpty else { throw InputError(field: "question", "Enter the clarification question") }
        try await db.writeTransaction { db in
            let c = ClarificationRecord()
            c.$application.id = try app.requireID()
            c.question = text
            c.askedBy = actor.userID
            c.askedAt = now
            try await c.create(on: db)
            if app.state == ApplicationState.submitted.rawValue {
                app.state = try ApplicationState.submitted.applying(.askClarification).rawValue
                try await app.update(on: db)
            }
            try await Audit.record(on: db, actor: actor, action: "clarification.asked", entityType: "clarification", entityID: c.id,
                                   before: String?.none, after: ["question": text], at: now)
            try await Outbox.send(on: db, organisationID: app.organisation.id, recipient: app.organisation.contactEmail ?? app.organisation.name,
                                  subject: "Clarification needed: \(app.establishment.name)", body: text,
                                  link: "/provider/applications/\(app.id!)", at: now)
        }
    }

    /// Extends the assessment deadline from 10 to 15 working days, with a recorded reason.
    static func extend(_ id: UUID, reason: String?, actor: Actor, db: any Database, now: Date, calendar: WorkingDayCalendar) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let recorded: String
        do { recorded = try AssessmentClock.extend(currentlyExtended: app.extended, reason: reason ?? "") } catch { throw InputError(error.errors) }
        guard let submittedAt = app.submittedAt else { throw Abort(.conflict, reason: "The application has not been submitted.") }
        let deadline = AssessmentClock.deadline(submittedAt: submittedAt, extended: true, calendar: calendar)
        try await db.writeTransaction { db in
            let before = ["deadline": app.deadline ?? ""]
            app.extended = true
            app.extensionReason = recorded
            app.deadline = deadline.iso
            try await app.update(on: db)
            try await Audit.record(on: db, actor: actor, action: "application.deadline.extended", entityType: "application", entityID: app.id,
                                   before: before, after: ["deadline": deadline.iso, "reason": recorded], at: now)
            try await Outbox.send(on: db, organisationID: app.organisation.id, recipient: app.organisation.contactEmail ?? app.organisation.name,
                                  subject: "Assessment extended: \(app.establishment.name)",
                                  body: "We need more time to assess your application. We will decide by \(deadline.longForm). Reason: \(recorded)",
                                  link: "/provider/applications/\(app.id!)", at: now)
        }
    }

    /// The consensus scores of a category part, keyed by statement.
    static func consensus(_ partID: UUID, db: any Database) async throws -> [String: Int] {
        let rows = try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id == partID).filter(\.$isConsensus == true).all()
        return Dictionary(rows.map { ($0.statementKey, $0.score) }, uniquingKeysWith: { a, _ in a })
    }

    struct DecisionInput: Content {
        var decision: String?
        var reason: String?
    }

    /// Admits or refuses one category. Admission needs a consensus score for every statement and creates
    /// the membership with the qualification score and the approved core cost schedule. The provider is
    /// told the decision and reasons; the application is decided once every category is.
    static func decide(_ id: UUID, partID: UUID, _ input: DecisionInput, actor: Actor, db: any Database, now: Date) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let part = try await part(partID, of: app, db: db)
        let code = part.category.code
        let decision: CategoryDecision
        switch input.decision {
        case "admit": decision = .admit(reason: input.reason)
        case "refuse": decision = .refuse(reason: input.reason ?? "")
        default: throw InputError(field: "decision.\(code)", "Choose whether to admit or refuse")
        }
        let nextState: CategoryDecisionState
        do { nextState = try (CategoryDecisionState(rawValue: part.decision) ?? .pending).applying(decision) } catch {
            throw InputError(error.errors.map { FieldError(field: $0.field == "reason" ? "reason.\(code)" : "decision.\(code)", message: $0.message) })
        }
        var computed = 0
        if case .admit = decision {
            if app.state == ApplicationState.clarificationRequested.rawValue {
                throw InputError(field: "decision.\(code)", "Wait for the answer to the open clarification question before admitting", status: .conflict)
            }
            do {
                let consensusScores = try await consensus(part.requireID(), db: db)
                computed = try QualificationScoring.score(statements: part.criteria.statementSpecs, consensus: consensusScores)
            } catch let error as ValidationFailure {
                throw InputError(error.errors.map { FieldError(field: "decision.\(code)", message: "Record a consensus score for every method statement before admitting (\($0.message))") })
            }
        }
        let score = computed
        let answers = ProviderUseCases.Answers(part)
        let otherPending = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id == app.requireID())
            .filter(\.$decision == CategoryDecisionState.pending.rawValue).filter(\.$id != part.requireID()).count()
        try await db.writeTransaction { db in
            part.decision = nextState.rawValue
            part.decisionReason = decision.recordedReason
            part.decidedBy = actor.userID
            part.decidedAt = now
            try await part.update(on: db)
            try await Audit.record(on: db, actor: actor, action: "application.category.\(nextState.rawValue)", entityType: "application_category",
                                   entityID: part.id, before: ["decision": "pending"],
                                   after: ["decision": nextState.rawValue, "reason": decision.recordedReason ?? "", "qualificationScore": String(score)], at: now)
            var body = "\(app.establishment.name): \(part.category.name): \(nextState == .admitted ? "admitted" : "not admitted")."
            if nextState == .admitted {
                let membership = MembershipRecord()
                membership.$dps.id = app.$dps.id
                membership.$category.id = part.$category.id
                membership.$establishment.id = app.$establishment.id
                membership.$organisation.id = app.$organisation.id
                membership.state = MembershipState.active.rawValue
                membership.qualificationScore = score
                membership.coreCostsJSON = Audit.encode(answers.costs)
                membership.discountsJSON = Audit.encode(answers.discounts)
                membership.admittedAt = now
                membership.applicationCategoryID = part.id
                try await membership.create(on: db)
                try await Audit.record(on: db, actor: actor, action: "membership.created", entityType: "membership", entityID: membership.id,
                                       before: String?.none, after: ["category": code, "qualificationScore": QualificationScoring.formatHundredths(score),
                                                                     "coreCosts": membership.coreCostsJSON], at: now)
                body += " Qualification score \(QualificationScoring.formatHundredths(score)) out of 100."
            }
            if let reason = decision.recordedReason { body += " Reasons: \(reason)" }
            if otherPending == 0 {
                let before = app.state
                app.state = try (ApplicationState(rawValue: app.state) ?? .submitted).applying(.decideAll).rawValue
                app.decidedAt = now
                try await app.update(on: db)
                try await Audit.record(on: db, actor: actor, action: "application.decided", entityType: "application", entityID: app.id,
                                       before: ["state": before], after: ["state": app.state], at: now)
            }
            try await Outbox.send(on: db, organisationID: app.organisation.id, recipient: app.organisation.contactEmail ?? app.organisation.name,
                                  subject: "Decision on your application: \(part.category.name)", body: body,
                                  link: "/provider/applications/\(app.id!)", at: now)
        }
    }

    struct QueueRow {
        var app: ApplicationRecord
        var categories: [String]
        var status: AssessmentClock.DeadlineStatus?
        var decidedInTime: Bool?
    }

    /// Every submitted application of the actor's DPS with its deadline status, most urgent first.
    static func queue(actor: Actor, db: any Database, now: Date, calendar: WorkingDayCalendar) async throws -> [QueueRow] {
        guard actor.isLeadAuthority else { throw Abort(.forbidden, reason: "Only the lead authority assesses applications.") }
        let dpsIDs = try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).all(\.$id)
        let apps = try await ApplicationRecord.query(on: db).filter(\.$dps.$id ~~ dpsIDs).filter(\.$state != ApplicationState.draft.rawValue)
            .with(\.$establishment).with(\.$organisation).sort(\.$deadline).all()
        let parts = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id ~~ apps.compactMap(\.id)).with(\.$category).all()
        return apps.map { app in
            let deadline = app.deadline.flatMap { LocalDate(iso: $0) }
            let open = app.state == ApplicationState.submitted.rawValue || app.state == ApplicationState.clarificationRequested.rawValue
            return QueueRow(app: app, categories: parts.filter { $0.$application.id == app.id }.map(\.category.name),
                            status: open ? deadline.map { AssessmentClock.status(deadline: $0, now: now, calendar: calendar) } : nil,
                            decidedInTime: app.decidedAt.flatMap { at in deadline.map { AssessmentClock.decidedInTime(deadline: $0, decidedAt: at) } })
        }
    }
}

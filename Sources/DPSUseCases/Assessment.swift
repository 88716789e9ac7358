import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The lead authority's assessment of applications (DOMAIN §4): deadlines, scoring, consensus,
/// clarifications and decisions that create memberships.
package enum Assessment {
    /// An application the actor's lead authority may assess (it runs the DPS the application is for).
    package static func application(_ id: UUID, actor: Actor, db: any Database) async throws -> ApplicationRecord {
        guard actor.isLeadAuthority,
            let app = try await ApplicationRecord.query(on: db).filter(\.$id == id)
                .with(\.$establishment).with(\.$organisation).with(\.$dps).first(),
            app.dps.$lead.id == actor.organisationID, app.state != ApplicationState.draft.rawValue
        else {
            throw UseCaseError(.notFound, "No such application.")
        }
        return app
    }

    package static func part(_ partID: UUID, of app: ApplicationRecord, db: any Database) async throws
        -> ApplicationCategoryRecord
    {
        guard
            let part = try await ApplicationCategoryRecord.query(on: db).filter(\.$id == partID)
                .filter(\.$application.$id == app.requireID()).with(\.$category).first()
        else {
            throw UseCaseError(.notFound, "No such category in this application.")
        }
        return part
    }

    package static func requireOpen(_ app: ApplicationRecord) throws {
        guard
            app.state == ApplicationState.submitted.rawValue
                || app.state == ApplicationState.clarificationRequested.rawValue
        else {
            throw UseCaseError(
                .conflict, "This application has been decided or withdrawn; it can no longer be changed.")
        }
    }

    /// Claims the application for a change, inside the caller's transaction: one UPDATE that matches only
    /// while it is open for assessment, taking its row lock, so two evaluators acting at once act one after
    /// the other and the second sees the first's change. Returns the state as it is now (a copy read before
    /// the transaction is never trusted).
    static func claimOpen(_ app: ApplicationRecord, db: any Database) async throws -> ApplicationState {
        let sql = try db.sql()
        let open = [ApplicationState.submitted, .clarificationRequested].map { SQLBind($0.rawValue) }
        let row = try await sql.update(ApplicationRecord.schema)
            .set(SQLIdentifier("state"), to: SQLColumn("state"))
            .where(SQLIdentifier("id"), .equal, SQLBind(try app.requireID()))
            .where(SQLIdentifier("state"), .in, SQLGroupExpression(open))
            .returning("state").first()
        guard let raw = try row?.decode(column: "state", as: String.self), let state = ApplicationState(rawValue: raw)
        else {
            throw UseCaseError(
                .conflict, "This application has been decided or withdrawn; it can no longer be changed.")
        }
        return state
    }

    /// One evaluator's review of one pass/fail answer. `outcome` is nil when none was chosen (or the form
    /// sent something else), which the use case reports on the question's field.
    package struct ReviewCommand: Sendable {
        package var question: String
        package var outcome: ReviewOutcome?
        package var note: String

        package init(question: String, outcome: ReviewOutcome?, note: String = "") {
            self.question = question
            self.outcome = outcome
            self.note = note
        }
    }

    package struct Review: Codable, Equatable {
        package var outcome: ReviewOutcome
        package var note: String
        package var by: UUID

        package init(outcome: ReviewOutcome, note: String, by: UUID) {
            self.outcome = outcome
            self.note = note
            self.by = by
        }
    }

    /// The pass/fail reviews of an application part by question key. Text that does not decode is an error:
    /// read as empty, the next review would overwrite every earlier one.
    package static func reviews(of part: ApplicationCategoryRecord) throws -> [String: Review] {
        try Referrals.decode(part.reviewJSON) ?? [:]
    }

    /// Records an evaluator's pass/fail review of one answer and its evidence.
    package static func review(
        _ id: UUID, partID: UUID, _ input: ReviewCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let part = try await part(partID, of: app, db: db)
        let key = input.question
        guard try part.criteria.passFail.contains(where: { $0.key == key }) else {
            throw UseCaseError(field: "question", "Choose the question you are reviewing")
        }
        guard let outcome = input.outcome else {
            throw UseCaseError(field: "outcome.\(part.category.code).\(key)", "Choose pass or fail")
        }
        let note = input.note.trimmed
        guard note.count <= Bounded.longText else {
            throw UseCaseError(
                field: "note.\(part.category.code).\(key)", "Write the note in at most \(Bounded.longText) characters")
        }
        if outcome == .fail && note.isEmpty {
            throw UseCaseError(field: "note.\(part.category.code).\(key)", "Give the reason the answer fails")
        }
        let review = Review(outcome: outcome, note: note, by: actor.userID)
        try await db.writeTransaction { db in
            _ = try await claimOpen(app, db: db)
            // Read under the claim: two evaluators reviewing two questions at once both keep their review.
            guard let part = try await ApplicationCategoryRecord.find(part.requireID(), on: db) else {
                throw UseCaseError(.notFound, "No such category in this application.")
            }
            var updated = try reviews(of: part)
            let before = updated[key]
            updated[key] = review
            part.reviewJSON = Audit.encode(updated)
            try await part.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "application.passfail.reviewed",
                entityType: "application_category",
                entityID: part.id,
                before: before, after: updated[key], at: now)
        }
    }

    /// One score of one method statement: `score` is nil when none was chosen or it is not a whole number;
    /// `consensus` marks the moderator's agreed score, the one that counts.
    package struct ScoreCommand: Sendable {
        package var statement: String
        package var score: Int?
        package var comment: String
        package var consensus: Bool

        package init(statement: String, score: Int?, comment: String, consensus: Bool = false) {
            self.statement = statement
            self.score = score
            self.comment = comment
            self.consensus = consensus
        }
    }

    /// Scores a method statement 0-5 with a comment, or records the moderator's consensus. The young
    /// people's panel scores only its own question; evaluators score the others.
    package static func score(
        _ id: UUID, partID: UUID, _ input: ScoreCommand, actor: Actor, db: any Database, now: Date
    )
        async throws
    {
        try actor.require(.evaluator, .panelMember, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let part = try await part(partID, of: app, db: db)
        let key = input.statement
        guard let statement = try part.criteria.statements.first(where: { $0.key == key }) else {
            throw UseCaseError(field: "statement", "Choose the method statement you are scoring")
        }
        if statement.youngPeoplesPanel != (actor.role == .panelMember) {
            throw UseCaseError(
                .forbidden,
                statement.youngPeoplesPanel
                    ? "Only the young people's panel scores the young people's question."
                    : "The young people's panel scores only the young people's question.")
        }
        let field = "score.\(part.category.code).\(key)"
        guard let score = input.score, (0...5).contains(score) else {
            throw UseCaseError(field: field, "Choose a score from 0 to 5")
        }
        let comment = input.comment.trimmed
        let commentField = "comment.\(part.category.code).\(key)"
        if comment.isEmpty {
            throw UseCaseError(field: commentField, "Give a comment that explains the score")
        }
        guard comment.count <= Bounded.longText else {
            throw UseCaseError(field: commentField, "Write the comment in at most \(Bounded.longText) characters")
        }
        let isConsensus = input.consensus
        try await db.writeTransaction { db in
            _ = try await claimOpen(app, db: db)
            let partID = try part.requireID()
            /// The actor's own score of this statement, individual or consensus, if any.
            func own(consensus: Bool) async throws -> StatementScoreRecord? {
                try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id == partID)
                    .filter(\.$statementKey == key).filter(\.$evaluatorID == actor.userID)
                    .filter(\.$isConsensus == consensus).first()
            }
            func filled(_ record: StatementScoreRecord, consensus: Bool) -> StatementScoreRecord {
                record.$applicationCategory.id = partID
                record.statementKey = key
                record.evaluatorID = actor.userID
                record.isConsensus = consensus
                record.score = score
                record.comment = comment
                return record
            }
            let existing = try await own(consensus: isConsensus)
            let before = existing.map { ["score": String($0.score), "comment": $0.comment] }
            let record = filled(existing ?? StatementScoreRecord(), consensus: isConsensus)
            if isConsensus {
                // The moderator's own view stays beside the consensus: recorded as their individual score too
                // when they had none.
                if try await own(consensus: false) == nil {
                    try await filled(StatementScoreRecord(), consensus: false).save(on: db)
                }
                // One consensus per statement: replace any other moderator's.
                try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id == part.requireID())
                    .filter(\.$statementKey == key).filter(\.$isConsensus == true).filter(
                        \.$evaluatorID != actor.userID
                    ).delete()
            }
            try await record.save(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id,
                action: isConsensus ? "application.consensus.recorded" : "application.statement.scored",
                entityType: "application_category", entityID: part.id, before: before,
                after: ["statement": key, "score": String(score), "comment": comment], at: now)
        }
    }

    /// Asks the provider a clarification question; the application waits for the answer.
    package static func askClarification(_ id: UUID, question: String?, actor: Actor, db: any Database, now: Date)
        async throws
    {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let text = (question ?? "").trimmed
        guard !text.isEmpty else { throw UseCaseError(field: "question", "Enter the clarification question") }
        guard text.count <= Bounded.longText else {
            throw UseCaseError(field: "question", "Ask in at most \(Bounded.longText) characters")
        }
        try await db.writeTransaction { db in
            let state = try await claimOpen(app, db: db)
            let c = ClarificationRecord()
            c.$application.id = try app.requireID()
            c.question = text
            c.askedBy = actor.userID
            c.askedAt = now
            try await c.create(on: db)
            if state == .submitted {
                app.state = try ApplicationState.submitted.applying(.askClarification).rawValue
                try await app.update(on: db)
            }
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "clarification.asked", entityType: "clarification",
                entityID: c.id,
                before: String?.none, after: ["question": text], at: now)
            try await Outbox.send(
                on: db, organisationID: app.organisation.id,
                recipient: app.organisation.contactEmail ?? app.organisation.name,
                subject: "Clarification needed: \(app.establishment.name)", body: text,
                link: SiteURL.application(app.id!).path, at: now)
        }
    }

    /// Extends the assessment deadline from 10 to 15 working days, with a recorded reason.
    package static func extend(
        _ id: UUID, reason: String?, actor: Actor, db: any Database, now: Date, calendar: WorkingDayCalendar
    ) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let recorded: String
        do { recorded = try AssessmentClock.extend(currentlyExtended: app.extended, reason: reason ?? "") } catch {
            throw UseCaseError(error.errors)
        }
        guard let submittedAt = app.submittedAt else {
            throw UseCaseError(.conflict, "The application has not been submitted.")
        }
        let deadline = AssessmentClock.deadline(submittedAt: submittedAt, extended: true, calendar: calendar)
        try await db.writeTransaction { db in
            _ = try await claimOpen(app, db: db)
            let before = ["deadline": app.deadline ?? ""]
            app.extended = true
            app.extensionReason = recorded
            app.deadline = deadline.iso
            try await app.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "application.deadline.extended",
                entityType: "application",
                entityID: app.id,
                before: before, after: ["deadline": deadline.iso, "reason": recorded], at: now)
            try await Outbox.send(
                on: db, organisationID: app.organisation.id,
                recipient: app.organisation.contactEmail ?? app.organisation.name,
                subject: "Assessment extended: \(app.establishment.name)",
                body:
                    "We need more time to assess your application. We will decide by \(deadline.longForm). "
                    + "Reason: \(recorded)",
                link: SiteURL.application(app.id!).path, at: now)
        }
    }

    /// The consensus scores of a category part, keyed by statement.
    package static func consensus(_ partID: UUID, db: any Database) async throws -> [String: Int] {
        let rows = try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id == partID).filter(
            \.$isConsensus == true
        ).all()
        return Dictionary(rows.map { ($0.statementKey, $0.score) }, uniquingKeysWith: { a, _ in a })
    }

    /// A decision on one category: `decision` is nil when neither admit nor refuse was chosen.
    package struct DecisionCommand: Sendable {
        package var decision: CategoryDecision.Kind?
        package var reason: String

        package init(decision: CategoryDecision.Kind?, reason: String = "") {
            self.decision = decision
            self.reason = reason
        }
    }

    /// Admits or refuses one category. Admission needs a consensus score for every statement and creates
    /// the membership with the qualification score and the approved core cost schedule. The provider is
    /// told the decision and reasons; the application is decided once every category is.
    /// Decides one category; with `checkOnly`, only says what stops the decision (before asking to confirm it).
    package static func decide(
        _ id: UUID, partID: UUID, _ input: DecisionCommand, actor: Actor, db: any Database, now: Date,
        checkOnly: Bool = false
    ) async throws {
        try actor.require(.evaluator, .dpsAdmin)
        let app = try await application(id, actor: actor, db: db)
        try requireOpen(app)
        let part = try await part(partID, of: app, db: db)
        let code = part.category.code
        let decision: CategoryDecision
        switch input.decision {
        case .admit: decision = .admit(reason: input.reason)
        case .refuse: decision = .refuse(reason: input.reason)
        case nil: throw UseCaseError(field: "decision.\(code)", "Choose whether to admit or refuse")
        }
        guard input.reason.count <= Bounded.longText else {
            throw UseCaseError(field: "reason.\(code)", "Give the reasons in at most \(Bounded.longText) characters")
        }
        let nextState: CategoryDecisionState
        let current = CategoryDecisionState(rawValue: part.decision) ?? .pending
        do { nextState = try current.applying(decision) } catch {
            let errors = error.errors.map {
                FieldError(field: $0.field == "reason" ? "reason.\(code)" : "decision.\(code)", message: $0.message)
            }
            // Already decided (perhaps by another evaluator a moment ago) is a conflict, not bad input.
            guard current == .pending else { throw UseCaseError(errors, status: .conflict) }
            throw UseCaseError(errors)
        }
        var computed = 0
        if case .admit = decision {
            // Every pass/fail answer reviewed and passed first (reviews read again under the claim below).
            let blockers = ReviewOutcome.admissionBlockers(
                questions: try part.criteria.passFail.map { ($0.key, $0.text) },
                reviews: try reviews(of: part).mapValues(\.outcome))
            if !blockers.isEmpty {
                let more = blockers.count > 3 ? "; and \(blockers.count - 3) more" : ""
                throw UseCaseError(
                    field: "decision.\(code)",
                    "Review every pass/fail answer, and pass it, before admitting: "
                        + blockers.prefix(3).joined(separator: "; ") + more)
            }
            if app.state == ApplicationState.clarificationRequested.rawValue {
                throw UseCaseError(
                    field: "decision.\(code)",
                    "Wait for the answer to the open clarification question before admitting", status: .conflict)
            }
            do {
                let consensusScores = try await consensus(part.requireID(), db: db)
                computed = try QualificationScoring.score(
                    statements: part.criteria.statementSpecs, consensus: consensusScores)
            } catch let error as ValidationFailure {
                throw UseCaseError(
                    error.errors.map {
                        FieldError(
                            field: "decision.\(code)",
                            message:
                                "Record a consensus score for every method statement before admitting (\($0.message))")
                    })
            }
        }
        let score = computed
        let answers = try ProviderUseCases.Answers(part)
        if checkOnly { return }
        try await db.writeTransaction { db in
            let sql = try db.sql()
            let state = try await claimOpen(app, db: db)
            if case .admit = decision, state == .clarificationRequested {
                throw UseCaseError(
                    field: "decision.\(code)",
                    "Wait for the answer to the open clarification question before admitting", status: .conflict)
            }
            // Reviews are written under the same claim: one changed meanwhile is seen here.
            if case .admit = decision, let fresh = try await ApplicationCategoryRecord.find(part.requireID(), on: db),
                !ReviewOutcome.admissionBlockers(
                    questions: try part.criteria.passFail.map { ($0.key, $0.text) },
                    reviews: try reviews(of: fresh).mapValues(\.outcome)
                ).isEmpty
            {
                throw UseCaseError(
                    field: "decision.\(code)", "A pass/fail review changed meanwhile; reload the application",
                    status: .conflict)
            }
            // Only a pending category is decided: two evaluators deciding it at once make one decision.
            guard
                try await sql.update(ApplicationCategoryRecord.schema)
                    .set(SQLIdentifier("decision"), to: SQLBind(nextState.rawValue))
                    .set(SQLIdentifier("decision_reason"), to: SQLBind(decision.recordedReason))
                    .set(SQLIdentifier("decided_by"), to: SQLBind(actor.userID))
                    .set(SQLIdentifier("decided_at"), to: SQLBind(now))
                    .where(SQLIdentifier("id"), .equal, SQLBind(try part.requireID()))
                    .where(SQLIdentifier("decision"), .equal, SQLBind(CategoryDecisionState.pending.rawValue))
                    .returning("id").first() != nil
            else {
                throw UseCaseError(
                    field: "decision.\(code)", "This category has been decided meanwhile", status: .conflict)
            }
            // Counted under the claim, so the last of two decisions made at once decides the application.
            let otherPending = try await ApplicationCategoryRecord.query(on: db).filter(
                \.$application.$id == app.requireID()
            )
            .filter(\.$decision == CategoryDecisionState.pending.rawValue).filter(\.$id != part.requireID()).count()
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "application.category.\(nextState.rawValue)",
                entityType: "application_category",
                entityID: part.id, before: ["decision": "pending"],
                after: [
                    "decision": nextState.rawValue, "reason": decision.recordedReason ?? "",
                    "qualificationScore": String(score),
                ], at: now)
            var body =
                "\(app.establishment.name): \(part.category.name): "
                + "\(nextState == .admitted ? "admitted" : "not admitted")."
            if nextState == .admitted {
                // One membership per establishment and category: a live one refuses a second admission (it used to
                // fail on the unique key, a 500); one that ended (removed, withdrawn) is admitted afresh in its row.
                let existing = try await MembershipRecord.query(on: db).filter(\.$category.$id == part.$category.id)
                    .filter(\.$establishment.$id == app.$establishment.id).first()
                if let existing, !(MembershipState(rawValue: existing.state)?.isFinal ?? false) {
                    throw UseCaseError(
                        field: "decision.\(code)",
                        "\(app.establishment.name) is already a member of \(part.category.name); "
                            + "nothing is admitted twice",
                        status: .conflict)
                }
                let membership = existing ?? MembershipRecord()
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
                if existing == nil { try await membership.create(on: db) } else { try await membership.update(on: db) }
                try await ContractManagement.log(
                    .admitted, membership: try membership.requireID(), dps: app.$dps.id,
                    detail: "Qualification score \(QualificationScoring.formatHundredths(score)) out of 100",
                    actorLabel: actor.name, at: now, db: db)
                try await Audit.record(
                    on: db, actor: actor, dps: app.$dps.id, action: "membership.created", entityType: "membership",
                    entityID: membership.id,
                    before: String?.none,
                    after: [
                        "category": code, "qualificationScore": QualificationScoring.formatHundredths(score),
                        "coreCosts": membership.coreCostsJSON,
                    ], at: now)
                body += " Qualification score \(QualificationScoring.formatHundredths(score)) out of 100."
            }
            if let reason = decision.recordedReason { body += " Reasons: \(reason)" }
            if otherPending == 0 {
                let before = state.rawValue
                app.state = try state.applying(.decideAll).rawValue
                app.decidedAt = now
                try await app.update(on: db)
                try await Audit.record(
                    on: db, actor: actor, dps: app.$dps.id, action: "application.decided", entityType: "application",
                    entityID: app.id,
                    before: ["state": before], after: ["state": app.state], at: now)
            }
            try await Outbox.send(
                on: db, organisationID: app.organisation.id,
                recipient: app.organisation.contactEmail ?? app.organisation.name,
                subject: "Decision on your application: \(part.category.name)", body: body,
                link: SiteURL.application(app.id!).path, at: now)
        }
    }

    /// An application in the assessment queue: plain columns, its establishment's and provider's names.
    package struct QueueApplication: Sendable {
        package var id: UUID
        package var establishmentName: String
        package var organisationName: String
        package var state: String
        package var deadline: String?
        package var submittedAt: Date?
        package var decidedAt: Date?
        package var extended: Bool
        package var extensionReason: String?
    }

    package struct QueueRow: Sendable {
        package var app: QueueApplication
        package var categories: [String]
        package var status: AssessmentClock.DeadlineStatus?
        package var decidedInTime: Bool?
    }

    /// The statement scores of these application parts that the viewer may see. Evaluators score independently
    /// (DOMAIN §4): an evaluator or panel member sees every consensus, their own scores, and another's score of a
    /// statement only once they have scored it themselves; the other lead-authority roles, who score nothing,
    /// read them all.
    package static func visibleScores(_ partIDs: [UUID], viewer: Actor, db: any Database) async throws
        -> [StatementScoreRecord]
    {
        let all = try await StatementScoreRecord.query(on: db).filter(\.$applicationCategory.$id ~~ partIDs).all()
        guard [.evaluator, .panelMember, .dpsAdmin].contains(viewer.role) else { return all }
        struct Statement: Hashable {
            var part: UUID
            var key: String
        }
        let scored = Set(
            all.filter { $0.evaluatorID == viewer.userID && !$0.isConsensus }.map {
                Statement(part: $0.$applicationCategory.id, key: $0.statementKey)
            })
        return all.filter {
            $0.isConsensus || $0.evaluatorID == viewer.userID
                || scored.contains(Statement(part: $0.$applicationCategory.id, key: $0.statementKey))
        }
    }

    /// Every submitted application of the actor's DPS with its deadline status, most urgent first (the deadline
    /// report, which reads them all).
    package static func queue(actor: Actor, db: any Database, now: Date, calendar: WorkingDayCalendar) async throws
        -> [QueueRow]
    {
        if actor.role == .panelMember {
            throw UseCaseError(.forbidden, "The young people's panel sees the applications it is to score.")
        }
        let apps = try await queueApplications(
            actor, "a.state <> \(bind: ApplicationState.draft.rawValue)", order: "a.deadline, a.id", limit: nil, db: db)
        return try await rows(apps, db: db, now: now, calendar: calendar)
    }

    /// The open queue's search (establishment or provider) and orders; the decided list's.
    package static func queueOptions(decided: Bool) -> ListFilter.Options {
        ListFilter.Options(
            states: [],
            sorts: decided
                ? [
                    ListFilter.Choice("latest", "Latest decision first"),
                    ListFilter.Choice("establishment", "Establishment"),
                ]
                : [
                    ListFilter.Choice("deadline", "Decide by, soonest first"),
                    ListFilter.Choice("submitted", "Latest submitted first"),
                    ListFilter.Choice("establishment", "Establishment"),
                ])
    }

    /// A page of the assessment queue: the open applications (submitted, or waiting for a clarification), most
    /// urgent first; or the decided and withdrawn ones, latest decision first; narrowed and ordered by `filter`.
    package static func queue(
        actor: Actor, decided: Bool, filter: ListFilter? = nil, page: ListPage, db: any Database, now: Date,
        calendar: WorkingDayCalendar
    ) async throws -> PageOf<QueueRow> {
        // The young people's panel scores open applications' panel question only; decisions are not theirs.
        if decided && actor.role == .panelMember {
            throw UseCaseError(.forbidden, "The young people's panel sees the applications it is to score.")
        }
        let states =
            decided
            ? [ApplicationState.decided.rawValue, ApplicationState.withdrawn.rawValue]
            : [ApplicationState.submitted.rawValue, ApplicationState.clarificationRequested.rawValue]
        let narrowing = filter ?? .none(queueOptions(decided: decided))
        let order =
            switch narrowing.sort {
            case "establishment": "e.name, a.id"
            case "submitted": "a.submitted_at DESC, a.id DESC"
            default: decided ? "a.decided_at DESC, a.id DESC" : "a.deadline, a.id"
            }
        let apps = try await queueApplications(
            actor, "a.state IN (\(binds: states)) AND \(narrowing.matches(["e.name", "o.name"]))", order: order,
            limit: page, db: db)
        return PageOf(try await rows(apps, db: db, now: now, calendar: calendar), page)
    }

    /// The applications of the DPSs the actor's lead authority runs that match `filter`, with their names: one
    /// joined statement of plain rows (a page of them, one more than the page, when `limit` is given).
    private static func queueApplications(
        _ actor: Actor, _ filter: SQLQueryString, order: String, limit page: ListPage?, db: any Database
    ) async throws -> [QueueApplication] {
        guard actor.isLeadAuthority else {
            throw UseCaseError(.forbidden, "Only the lead authority assesses applications.")
        }
        let dpsIDs = try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).all(\.$id)
            .compactMap { $0 }
        guard !dpsIDs.isEmpty else { return [] }
        var query: SQLQueryString = """
            SELECT a.id, a.state, a.deadline, a.submitted_at, a.decided_at, a.extended, a.extension_reason,
                e.name AS establishment_name, o.name AS organisation_name
            FROM applications a JOIN establishments e ON e.id = a.establishment_id
                JOIN organisations o ON o.id = a.organisation_id
            WHERE a.dps_id IN (\(binds: dpsIDs)) AND \(filter) ORDER BY \(unsafeRaw: order)
            """
        if let page {
            query = query + " LIMIT \(literal: page.size + 1) OFFSET \(literal: page.offset)"
        }
        return try await db.sql().raw(query).all().map { row in
            QueueApplication(
                id: try row.decode(column: "id", as: UUID.self),
                establishmentName: try row.decode(column: "establishment_name", as: String.self),
                organisationName: try row.decode(column: "organisation_name", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                deadline: try row.decode(column: "deadline", as: String?.self),
                submittedAt: try row.decode(column: "submitted_at", as: Date?.self),
                decidedAt: try row.decode(column: "decided_at", as: Date?.self),
                extended: try row.decode(column: "extended", as: Bool.self),
                extensionReason: try row.decode(column: "extension_reason", as: String?.self))
        }
    }

    /// Queue rows of these applications: their categories' names (one statement) and deadline status.
    private static func rows(_ apps: [QueueApplication], db: any Database, now: Date, calendar: WorkingDayCalendar)
        async throws -> [QueueRow]
    {
        var names: [UUID: [String]] = [:]
        if !apps.isEmpty {
            let parts = try await db.sql().raw(
                """
                SELECT ac.application_id, c.name FROM application_categories ac
                JOIN categories c ON c.id = ac.category_id
                WHERE ac.application_id IN (\(binds: apps.map(\.id))) ORDER BY c.position, c.name
                """
            ).all()
            for part in parts {
                names[try part.decode(column: "application_id", as: UUID.self), default: []].append(
                    try part.decode(column: "name", as: String.self))
            }
        }
        return apps.map { app in
            let deadline = app.deadline.flatMap { LocalDate(iso: $0) }
            let open =
                app.state == ApplicationState.submitted.rawValue
                || app.state == ApplicationState.clarificationRequested.rawValue
            return QueueRow(
                app: app, categories: names[app.id] ?? [],
                status: open
                    ? deadline.map { AssessmentClock.status(deadline: $0, now: now, calendar: calendar) } : nil,
                decidedInTime: app.decidedAt.flatMap { at in
                    deadline.map { AssessmentClock.decidedInTime(deadline: $0, decidedAt: at) }
                })
        }
    }
}

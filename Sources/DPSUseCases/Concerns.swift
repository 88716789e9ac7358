import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Concerns, coordinated reviews, action plans and visits (issue 9, DOMAIN §5, §9). Any partner's officer (and the
/// lead's contract managers) logs a concern about an establishment; the contract managers and every partner that has
/// placed children there read it, and the provider reads it without who raised it. When the concerns cross the DPS's
/// threshold (`ConcernThreshold`) a coordinated review opens by itself; a contract manager may open one too (after a
/// poor inspection, say). A review carries an action plan (actions with owners, due dates and states) and the
/// quality-assurance and monitoring visits and relationship meetings recorded against it, shared with every partner
/// that reads it; the contract manager closes it with its outcome.
package enum Concerns {
    package static let system = "Concern threshold"

    package struct RaiseCommand: Sendable {
        package var kind: ConcernThreshold.Kind?
        package var details: String

        package init(kind: ConcernThreshold.Kind?, details: String) {
            self.kind = kind
            self.details = details
        }
    }

    /// The establishment and DPS a membership stands for, as the concern and review use cases read them.
    struct Subject {
        var dps: UUID
        var lead: UUID
        var establishment: UUID
        var establishmentName: String
        var provider: UUID
        var threshold: ConcernThreshold
    }

    private static func subject(membership: UUID, db: any Database) async throws -> Subject? {
        guard
            let row = try await db.sql().raw(
                """
                SELECT m.dps_id, d.lead_organisation_id, m.establishment_id, e.name, e.organisation_id,
                    d.concern_count, d.concern_partners, d.concern_months, d.concern_any_safeguarding
                FROM memberships m JOIN dps d ON d.id = m.dps_id JOIN establishments e ON e.id = m.establishment_id
                WHERE m.id = \(bind: membership)
                """
            ).first()
        else { return nil }
        return try subject(row)
    }

    private static func subject(review: UUID, db: any Database) async throws -> Subject? {
        guard
            let row = try await db.sql().raw(
                """
                SELECT r.dps_id, d.lead_organisation_id, r.establishment_id, e.name, e.organisation_id,
                    d.concern_count, d.concern_partners, d.concern_months, d.concern_any_safeguarding
                FROM quality_reviews r JOIN dps d ON d.id = r.dps_id JOIN establishments e ON e.id = r.establishment_id
                WHERE r.id = \(bind: review)
                """
            ).first()
        else { return nil }
        return try subject(row)
    }

    private static func subject(dps: UUID, establishment: UUID, db: any Database) async throws -> Subject? {
        guard
            let row = try await db.sql().raw(
                """
                SELECT d.id AS dps_id, d.lead_organisation_id, e.id AS establishment_id, e.name, e.organisation_id,
                    d.concern_count, d.concern_partners, d.concern_months, d.concern_any_safeguarding
                FROM dps d, establishments e WHERE d.id = \(bind: dps) AND e.id = \(bind: establishment)
                """
            ).first()
        else { return nil }
        return try subject(row)
    }

    /// After an inspection below the threshold (the inspection watch), opens a coordinated review of the
    /// establishment in the DPS to hold its action plan, unless one is open; inside the caller's transaction.
    static func openAfterInspection(
        dps: UUID, establishment: UUID, reason: String, by: String, db: any Database, now: Date
    ) async throws -> UUID? {
        guard let s = try await subject(dps: dps, establishment: establishment, db: db) else { return nil }
        try await lock(s, db: db)
        guard try await openReview(s, db: db) == nil else { return nil }
        let review = try await open(s, reason: reason, by: by, db: db, now: now)
        try await attach(s, to: review, db: db)
        return review
    }

    private static func subject(_ row: any SQLRow) throws -> Subject {
        Subject(
            dps: try row.decode(column: "dps_id", as: UUID.self),
            lead: try row.decode(column: "lead_organisation_id", as: UUID.self),
            establishment: try row.decode(column: "establishment_id", as: UUID.self),
            establishmentName: try row.decode(column: "name", as: String.self),
            provider: try row.decode(column: "organisation_id", as: UUID.self),
            threshold: ConcernThreshold(
                concerns: try row.decode(column: "concern_count", as: Int.self),
                partners: try row.decode(column: "concern_partners", as: Int.self),
                months: try row.decode(column: "concern_months", as: Int.self),
                anySafeguarding: try row.decode(column: "concern_any_safeguarding", as: Bool.self)))
    }

    /// How the actor reads an establishment's concerns and reviews in a DPS.
    package enum Reading: Equatable, Sendable {
        /// Not at all (told there is no such thing).
        case none
        /// Everything, with who raised each concern: the lead's contract managers, administrators and auditor, and
        /// partners that have placed children there or raised a concern about it.
        case full
        /// The provider that runs it: everything but who raised each concern.
        case provider
    }

    static func reading(_ s: Subject, actor: Actor, db: any Database) async throws -> Reading {
        if actor.isProvider { return actor.organisationID == s.provider ? .provider : .none }
        if actor.isLeadAuthority {
            return actor.organisationID == s.lead && [.contractManager, .dpsAdmin, .auditor].contains(actor.role)
                ? .full : .none
        }
        guard try await AccessPolicy.dpsIDs(of: actor, db: db).contains(s.dps) else { return .none }
        let involved = try await db.sql().raw(
            """
            SELECT 1 AS hit FROM placements
            WHERE dps_id = \(bind: s.dps) AND establishment_id = \(bind: s.establishment)
                AND authority_id = \(bind: actor.organisationID)
            UNION ALL
            SELECT 1 AS hit FROM concerns
            WHERE dps_id = \(bind: s.dps) AND establishment_id = \(bind: s.establishment)
                AND raised_by_organisation = \(bind: actor.organisationID)
            """
        ).first()
        return involved == nil ? .none : .full
    }

    /// The partners told of a review: every partner that has placed children at the establishment in the DPS, or
    /// raised a concern about it.
    private static func involvedPartners(_ s: Subject, db: any Database) async throws -> [UUID] {
        try await db.sql().raw(
            """
            SELECT authority_id AS org FROM placements
            WHERE dps_id = \(bind: s.dps) AND establishment_id = \(bind: s.establishment)
            UNION
            SELECT raised_by_organisation AS org FROM concerns
            WHERE dps_id = \(bind: s.dps) AND establishment_id = \(bind: s.establishment)
            """
        ).all().map { try $0.decode(column: "org", as: UUID.self) }.filter { $0 != s.lead }
    }

    /// Logs a concern about the establishment of `membership`. Opens a coordinated review when the concerns now
    /// cross the threshold and none is open; a concern raised while one is open joins it. Returns the review the
    /// concern joined, if any.
    @discardableResult
    package static func raise(
        about membership: UUID, _ command: RaiseCommand, actor: Actor, db: any Database, now: Date
    ) async throws -> UUID? {
        guard
            (actor.organisationKind == .partnerAuthority && [.placementOfficer, .councilAdmin].contains(actor.role))
                || (actor.isLeadAuthority && actor.role == .contractManager)
        else { throw UseCaseError(.forbidden, "Placement officers and contract managers raise concerns.") }
        guard let s = try await subject(membership: membership, db: db),
            try await AccessPolicy.dpsIDs(of: actor, db: db).contains(s.dps)
        else { throw UseCaseError(.notFound, "There is no such membership in your DPS.") }
        var errors: [FieldError] = []
        if command.kind == nil {
            errors.append(FieldError(field: "concernKind", message: "Choose what the concern is about"))
        }
        let details = command.details.trimmed
        if !(10...4_000).contains(details.count) {
            errors.append(
                FieldError(field: "concernDetails", message: "Describe the concern in 10 to 4,000 characters"))
        }
        guard errors.isEmpty, let kind = command.kind else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            try await lock(s, db: db)
            let id = UUID()
            try await db.sql().insert(into: QualityTables.concerns)
                .columns(
                    "id", "dps_id", "establishment_id", "raised_by_organisation", "raised_by_label", "kind", "details",
                    "raised_at"
                )
                .values(
                    SQLBind(id), SQLBind(s.dps), SQLBind(s.establishment), SQLBind(actor.organisationID),
                    SQLBind("\(actor.name), \(actor.organisationName)"), SQLBind(kind.rawValue), SQLBind(details),
                    SQLBind(now)
                ).run()
            try await Audit.record(
                on: db, actor: actor, dps: s.dps, action: "concern.raised", entityType: "establishment",
                entityID: s.establishment, before: String?.none, after: ["kind": kind.rawValue], at: now)
            try await Outbox.send(
                on: db, organisationID: s.lead, recipient: "Contract managers",
                subject: "Concern raised: \(s.establishmentName)",
                body: "\(actor.organisationName) has raised a \(kind.rawValue) concern about \(s.establishmentName). "
                    + details,
                link: SiteURL.membership(membership).path, at: now)
            try await Outbox.send(
                on: db, organisationID: s.provider, recipient: "Provider",
                subject: "A concern has been raised: \(s.establishmentName)",
                body: "A partner council has raised a \(kind.rawValue) concern about \(s.establishmentName). "
                    + "The contract manager will be in touch.",
                link: SiteURL.membership(membership).path, at: now)
            // The concern joins the open review, or opens one when the threshold is crossed.
            if let open = try await openReview(s, db: db) {
                try await attach(s, to: open, db: db)
                return open
            }
            let all = try await db.sql().raw(
                """
                SELECT kind, raised_by_organisation, raised_at FROM concerns
                WHERE dps_id = \(bind: s.dps) AND establishment_id = \(bind: s.establishment)
                """
            ).all().map { row in
                guard let kind = ConcernThreshold.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else {
                    throw UseCaseError(.internalFailure, "A stored concern's kind cannot be read.")
                }
                return ConcernThreshold.Concern(
                    kind: kind,
                    partner: try row.decode(column: "raised_by_organisation", as: UUID.self).uuidString,
                    raisedOn: LocalDate.from(try row.decode(column: "raised_at", as: Date.self)))
            }
            guard s.threshold.opensReview(all, on: LocalDate.from(now)) else { return nil }
            let reason =
                kind == .safeguarding && s.threshold.anySafeguarding
                ? "A safeguarding concern was raised."
                : "\(s.threshold.concerns) or more concerns from \(s.threshold.partners) or more partners within "
                    + "\(s.threshold.months) months."
            let review = try await open(s, reason: reason, by: system, db: db, now: now)
            try await attach(s, to: review, db: db)
            return review
        }
    }

    /// A contract manager opens a coordinated review of the establishment of `membership` (after a poor inspection,
    /// say); refused while one is open.
    @discardableResult
    package static func openReview(
        about membership: UUID, reason raw: String, actor: Actor, db: any Database, now: Date
    ) async throws -> UUID {
        guard actor.isLeadAuthority else { throw UseCaseError(.forbidden, "Contract managers open reviews.") }
        try actor.require(.contractManager)
        guard let s = try await subject(membership: membership, db: db), s.lead == actor.organisationID else {
            throw UseCaseError(.notFound, "There is no such membership in your DPS.")
        }
        let reason = raw.trimmed
        guard (10...2_000).contains(reason.count) else {
            throw UseCaseError(field: "reviewReason", "Say why the review opens, in 10 to 2,000 characters")
        }
        return try await db.writeTransaction { db in
            try await lock(s, db: db)
            if try await openReview(s, db: db) != nil {
                throw UseCaseError(
                    field: "reviewReason", "A review of this establishment is already open", status: .conflict)
            }
            let review = try await open(s, reason: reason, by: actor.name, db: db, now: now)
            try await attach(s, to: review, db: db)
            return review
        }
    }

    /// Takes the establishment's row lock for the rest of the transaction (SQLite's write transactions are already
    /// one at a time), so two concerns crossing the threshold at once open one review.
    private static func lock(_ s: Subject, db: any Database) async throws {
        try await db.sql().raw("UPDATE establishments SET id = id WHERE id = \(bind: s.establishment)").run()
    }

    private static func openReview(_ s: Subject, db: any Database) async throws -> UUID? {
        try await db.sql().raw(
            """
            SELECT id FROM quality_reviews
            WHERE dps_id = \(bind: s.dps) AND establishment_id = \(bind: s.establishment) AND state = 'open'
            """
        ).first()?.decode(column: "id", as: UUID.self)
    }

    private static func attach(_ s: Subject, to review: UUID, db: any Database) async throws {
        try await db.sql().update(QualityTables.concerns)
            .set(SQLIdentifier("review_id"), to: SQLBind(review))
            .where(SQLIdentifier("dps_id"), .equal, SQLBind(s.dps))
            .where(SQLIdentifier("establishment_id"), .equal, SQLBind(s.establishment))
            .where(SQLIdentifier("review_id"), .is, SQLLiteral.null)
            .run()
    }

    private static func open(_ s: Subject, reason: String, by: String, db: any Database, now: Date) async throws
        -> UUID
    {
        let id = UUID()
        try await db.sql().insert(into: QualityTables.reviews)
            .columns("id", "dps_id", "establishment_id", "reason", "opened_at", "opened_by", "state")
            .values(
                SQLBind(id), SQLBind(s.dps), SQLBind(s.establishment), SQLBind(reason), SQLBind(now), SQLBind(by),
                SQLBind("open")
            ).run()
        try await Audit.record(
            on: db, actor: nil, actorLabel: by, dps: s.dps, action: "review.opened", entityType: "review",
            entityID: id, before: String?.none, after: ["reason": reason], at: now)
        let subject = "Coordinated review opened: \(s.establishmentName)"
        let body = "A coordinated review of \(s.establishmentName) has opened. \(reason)"
        try await Outbox.send(
            on: db, organisationID: s.lead, recipient: "Contract managers", subject: subject, body: body,
            link: SiteURL.review(id).path, at: now)
        for partner in try await involvedPartners(s, db: db) {
            try await Outbox.send(
                on: db, organisationID: partner, recipient: "Placement officers", subject: subject, body: body,
                link: SiteURL.review(id).path, at: now)
        }
        try await Outbox.send(
            on: db, organisationID: s.provider, recipient: "Provider", subject: subject,
            body: "A coordinated review of \(s.establishmentName) has opened. The contract manager will agree an "
                + "action plan with you.",
            link: SiteURL.review(id).path, at: now)
        return id
    }

    // MARK: Reading

    package struct ConcernRow: Sendable {
        package var kind: String
        package var details: String
        /// Nil for the provider.
        package var raisedBy: String?
        package var raisedAt: Date
        package var review: UUID?
    }

    package struct ReviewRow: Sendable {
        package var id: UUID
        package var establishment: String
        package var reason: String
        package var openedAt: Date
        package var openedBy: String
        package var state: String
        package var outcome: String?
        package var closedAt: Date?
    }

    package struct ActionRow: Sendable {
        package var id: UUID
        package var action: String
        package var owner: String
        package var dueOn: String
        package var state: String
        package var closedNote: String?
    }

    package struct VisitRow: Sendable {
        package var id: UUID
        package var kind: String
        package var visitedOn: String
        package var report: String
        package var filename: String?
        package var recordedBy: String
    }

    package struct Review: Sendable {
        package var row: ReviewRow
        package var reading: Reading
        package var concerns: [ConcernRow]
        package var actions: [ActionRow]
        package var visits: [VisitRow]
    }

    /// The concerns and reviews about the establishment of `membership`, as the actor may read them (empty when it
    /// may not).
    package static func about(membership: UUID, actor: Actor, db: any Database) async throws
        -> (reading: Reading, concerns: [ConcernRow], reviews: [ReviewRow])
    {
        guard let s = try await subject(membership: membership, db: db) else { return (.none, [], []) }
        let reading = try await reading(s, actor: actor, db: db)
        guard reading != .none else { return (.none, [], []) }
        let concerns = try await concernRows(
            "c.dps_id = \(bind: s.dps) AND c.establishment_id = \(bind: s.establishment)", reading: reading, db: db)
        let reviews = try await reviewRows(
            "r.dps_id = \(bind: s.dps) AND r.establishment_id = \(bind: s.establishment)", db: db)
        return (reading, concerns, reviews)
    }

    private static func concernRows(_ condition: SQLQueryString, reading: Reading, db: any Database) async throws
        -> [ConcernRow]
    {
        try await db.sql().raw(
            """
            SELECT c.kind, c.details, c.raised_by_label, c.raised_at, c.review_id FROM concerns c
            WHERE \(condition) ORDER BY c.raised_at DESC, c.id DESC LIMIT 200
            """
        ).all().map { row in
            ConcernRow(
                kind: try row.decode(column: "kind", as: String.self),
                details: try row.decode(column: "details", as: String.self),
                raisedBy: reading == .full ? try row.decode(column: "raised_by_label", as: String.self) : nil,
                raisedAt: try row.decode(column: "raised_at", as: Date.self),
                review: try row.decode(column: "review_id", as: UUID?.self))
        }
    }

    private static func reviewRows(_ condition: SQLQueryString, limit: Int = 200, offset: Int = 0, db: any Database)
        async throws -> [ReviewRow]
    {
        try await db.sql().raw(
            """
            SELECT r.id, e.name, r.reason, r.opened_at, r.opened_by, r.state, r.outcome, r.closed_at
            FROM quality_reviews r JOIN establishments e ON e.id = r.establishment_id
            WHERE \(condition) ORDER BY r.opened_at DESC, r.id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
            """
        ).all().map { row in
            ReviewRow(
                id: try row.decode(column: "id", as: UUID.self),
                establishment: try row.decode(column: "name", as: String.self),
                reason: try row.decode(column: "reason", as: String.self),
                openedAt: try row.decode(column: "opened_at", as: Date.self),
                openedBy: try row.decode(column: "opened_by", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                outcome: try row.decode(column: "outcome", as: String?.self),
                closedAt: try row.decode(column: "closed_at", as: Date?.self))
        }
    }

    /// One review with its concerns, action plan and visits, for those who read it.
    package static func review(_ id: UUID, actor: Actor, db: any Database) async throws -> Review {
        guard let s = try await subject(review: id, db: db) else {
            throw UseCaseError(.notFound, "There is no such review.")
        }
        let reading = try await reading(s, actor: actor, db: db)
        guard reading != .none, let row = try await reviewRows("r.id = \(bind: id)", db: db).first else {
            throw UseCaseError(.notFound, "There is no such review.")
        }
        let actions = try await db.sql().raw(
            """
            SELECT id, action, owner, due_on, state, closed_note FROM review_actions
            WHERE review_id = \(bind: id) ORDER BY due_on, created_at
            """
        ).all().map { a in
            ActionRow(
                id: try a.decode(column: "id", as: UUID.self), action: try a.decode(column: "action", as: String.self),
                owner: try a.decode(column: "owner", as: String.self),
                dueOn: try a.decode(column: "due_on", as: String.self),
                state: try a.decode(column: "state", as: String.self),
                closedNote: try a.decode(column: "closed_note", as: String?.self))
        }
        let visits = try await db.sql().raw(
            """
            SELECT id, kind, visited_on, report, filename, recorded_by FROM review_visits
            WHERE review_id = \(bind: id) ORDER BY visited_on DESC, recorded_at DESC
            """
        ).all().map { v in
            VisitRow(
                id: try v.decode(column: "id", as: UUID.self), kind: try v.decode(column: "kind", as: String.self),
                visitedOn: try v.decode(column: "visited_on", as: String.self),
                report: try v.decode(column: "report", as: String.self),
                filename: try v.decode(column: "filename", as: String?.self),
                recordedBy: try v.decode(column: "recorded_by", as: String.self))
        }
        return Review(
            row: row, reading: reading,
            concerns: try await concernRows("c.review_id = \(bind: id)", reading: reading, db: db), actions: actions,
            visits: visits)
    }

    // MARK: The action plan, visits and closing

    private static func managed(_ id: UUID, actor: Actor, db: any Database) async throws -> Subject {
        guard actor.isLeadAuthority else { throw UseCaseError(.forbidden, "Contract managers run reviews.") }
        try actor.require(.contractManager)
        guard let s = try await subject(review: id, db: db), s.lead == actor.organisationID else {
            throw UseCaseError(.notFound, "There is no such review.")
        }
        return s
    }

    /// Claims the open review inside the transaction, so nothing is added to a review closed meanwhile.
    private static func claimOpen(_ id: UUID, field: String, db: any Database) async throws {
        let open = try await db.sql().update(QualityTables.reviews)
            .set(SQLIdentifier("state"), to: SQLBind("open"))
            .where(SQLIdentifier("id"), .equal, SQLBind(id)).where(SQLIdentifier("state"), .equal, SQLBind("open"))
            .returning("id").first()
        guard open != nil else { throw UseCaseError(field: field, "This review is closed", status: .conflict) }
    }

    package static func addAction(
        _ review: UUID, action raw: String, owner rawOwner: String, due: LocalDate?, actor: Actor, db: any Database,
        now: Date
    ) async throws {
        let s = try await managed(review, actor: actor, db: db)
        var errors: [FieldError] = []
        let action = raw.trimmed
        let owner = rawOwner.trimmed
        if !(3...1_000).contains(action.count) {
            errors.append(FieldError(field: "action", message: "Describe the action in 3 to 1,000 characters"))
        }
        if !(2...200).contains(owner.count) {
            errors.append(FieldError(field: "owner", message: "Say who owns the action, in 2 to 200 characters"))
        }
        if due == nil {
            errors.append(FieldError(field: "dueOn", message: "Enter the date it is due, for example 31 1 2027"))
        }
        guard errors.isEmpty, let due else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            try await claimOpen(review, field: "action", db: db)
            let id = UUID()
            try await db.sql().insert(into: QualityTables.actions)
                .columns("id", "review_id", "action", "owner", "due_on", "state", "created_at")
                .values(
                    SQLBind(id), SQLBind(review), SQLBind(action), SQLBind(owner), SQLBind(due.iso), SQLBind("open"),
                    SQLBind(now)
                ).run()
            try await Audit.record(
                on: db, actor: actor, dps: s.dps, action: "review.action.added", entityType: "review",
                entityID: review, before: String?.none, after: ["action": action, "owner": owner, "due": due.iso],
                at: now)
            try await Outbox.send(
                on: db, organisationID: s.provider, recipient: "Provider",
                subject: "Action plan: \(s.establishmentName)",
                body: "A new action in the review of \(s.establishmentName), owned by \(owner), due "
                    + "\(due.longForm): \(action)",
                link: SiteURL.review(review).path, at: now)
        }
    }

    /// Marks an action done with a note; once only.
    package static func completeAction(
        _ review: UUID, action chosen: UUID?, note raw: String, actor: Actor, db: any Database, now: Date
    ) async throws {
        let s = try await managed(review, actor: actor, db: db)
        let note = raw.trimmed
        var errors: [FieldError] = []
        if chosen == nil { errors.append(FieldError(field: "done", message: "Choose the action that is done")) }
        if !(3...1_000).contains(note.count) {
            errors.append(FieldError(field: "note", message: "Say how it was done, in 3 to 1,000 characters"))
        }
        guard errors.isEmpty, let action = chosen else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let done = try await db.sql().update(QualityTables.actions)
                .set(SQLIdentifier("state"), to: SQLBind("done"))
                .set(SQLIdentifier("closed_at"), to: SQLBind(now))
                .set(SQLIdentifier("closed_note"), to: SQLBind(note))
                .where(SQLIdentifier("id"), .equal, SQLBind(action))
                .where(SQLIdentifier("review_id"), .equal, SQLBind(review))
                .where(SQLIdentifier("state"), .equal, SQLBind("open"))
                .returning("id").first()
            guard done != nil else {
                throw UseCaseError(
                    field: "done", "This action is already done, or not in this review", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: s.dps, action: "review.action.done", entityType: "review", entityID: review,
                before: String?.none, after: ["action": action.uuidString, "note": note], at: now)
            try await Outbox.send(
                on: db, organisationID: s.provider, recipient: "Provider",
                subject: "Action done: \(s.establishmentName)",
                body: "An action in the review of \(s.establishmentName) is marked done. \(note)",
                link: SiteURL.review(review).path, at: now)
        }
    }

    package enum VisitKind: String, CaseIterable, Sendable {
        case qualityAssurance = "quality_assurance"
        case monitoring
        case relationshipMeeting = "relationship_meeting"

        package var label: String {
            switch self {
            case .qualityAssurance: "Quality-assurance visit"
            case .monitoring: "Monitoring visit"
            case .relationshipMeeting: "Supplier relationship meeting (minutes)"
            }
        }
    }

    /// Records a visit or meeting with its report (or minutes) and an optional file; every partner that reads the
    /// review reads it, and the provider is told. A visit dated after today is scheduled: its report may wait
    /// (`reportVisit`).
    package static func recordVisit(
        _ review: UUID, kind: VisitKind?, on date: LocalDate?, report raw: String, file: ProviderUseCases.UploadedFile?,
        actor: Actor, db: any Database, now: Date
    ) async throws {
        let s = try await managed(review, actor: actor, db: db)
        var errors: [FieldError] = []
        if kind == nil { errors.append(FieldError(field: "visitKind", message: "Choose what kind of visit it was")) }
        if date == nil {
            errors.append(FieldError(field: "visitedOn", message: "Enter the date of the visit, for example 5 1 2027"))
        }
        let report = raw.trimmed
        let scheduled = date.map { $0 > LocalDate.from(now) } ?? false
        if !(10...8_000).contains(report.count) && !(scheduled && report.isEmpty) {
            errors.append(
                FieldError(
                    field: "report",
                    message: "Write the report in 10 to 8,000 characters (a visit after today may have none yet)"))
        }
        if let file, file.data.count > ProviderUseCases.maxEvidenceBytes {
            errors.append(FieldError(field: "reportFile", message: "The file must be smaller than 10 MB"))
        }
        guard errors.isEmpty, let kind, let date else {
            throw UseCaseError(
                errors, status: errors.contains { $0.message.contains("10 MB") } ? .tooLarge : .invalid)
        }
        try await db.writeTransaction { db in
            try await claimOpen(review, field: "report", db: db)
            let attached = file.flatMap { $0.data.isEmpty ? nil : $0 }
            try await db.sql().insert(into: QualityTables.visits)
                .columns(
                    "id", "review_id", "kind", "visited_on", "report", "filename", "data", "recorded_by", "recorded_at"
                )
                .values(
                    SQLBind(UUID()), SQLBind(review), SQLBind(kind.rawValue), SQLBind(date.iso), SQLBind(report),
                    SQLBind(attached.map { SafeHeaders.filename(String($0.filename.suffix(150))) }),
                    SQLBind(attached?.data), SQLBind(actor.name), SQLBind(now)
                ).run()
            try await Audit.record(
                on: db, actor: actor, dps: s.dps, action: "review.visit.recorded", entityType: "review",
                entityID: review, before: String?.none, after: ["kind": kind.rawValue, "on": date.iso], at: now)
            try await Outbox.send(
                on: db, organisationID: s.provider, recipient: "Provider",
                subject: "\(kind.label) \(report.isEmpty ? "scheduled" : "recorded"): \(s.establishmentName)",
                body: report.isEmpty
                    ? "A \(kind.label.lowercased()) is planned for \(date.longForm)."
                    : "The report of the \(kind.label.lowercased()) of \(date.longForm) is on the review's page.",
                link: SiteURL.review(review).path, at: now)
        }
    }

    /// Adds the report (and an optional file) to a scheduled visit, once it has taken place; once only.
    package static func reportVisit(
        _ review: UUID, visit chosen: UUID?, report raw: String, file: ProviderUseCases.UploadedFile?, actor: Actor,
        db: any Database, now: Date
    ) async throws {
        let s = try await managed(review, actor: actor, db: db)
        var errors: [FieldError] = []
        if chosen == nil { errors.append(FieldError(field: "visit", message: "Choose the visit you are reporting")) }
        let report = raw.trimmed
        if !(10...8_000).contains(report.count) {
            errors.append(FieldError(field: "visitReport", message: "Write the report in 10 to 8,000 characters"))
        }
        if let file, file.data.count > ProviderUseCases.maxEvidenceBytes {
            errors.append(FieldError(field: "visitFile", message: "The file must be smaller than 10 MB"))
        }
        guard errors.isEmpty, let visit = chosen else {
            throw UseCaseError(
                errors, status: errors.contains { $0.message.contains("10 MB") } ? .tooLarge : .invalid)
        }
        let attached = file.flatMap { $0.data.isEmpty ? nil : $0 }
        try await db.writeTransaction { db in
            var update = try db.sql().update(QualityTables.visits)
                .set(SQLIdentifier("report"), to: SQLBind(report))
                .set(SQLIdentifier("recorded_by"), to: SQLBind(actor.name))
                .set(SQLIdentifier("recorded_at"), to: SQLBind(now))
            if let attached {
                update = update.set(
                    SQLIdentifier("filename"), to: SQLBind(SafeHeaders.filename(String(attached.filename.suffix(150))))
                )
                .set(SQLIdentifier("data"), to: SQLBind(attached.data))
            }
            let moved = try await update.where(SQLIdentifier("id"), .equal, SQLBind(visit))
                .where(SQLIdentifier("review_id"), .equal, SQLBind(review))
                .where(SQLIdentifier("report"), .equal, SQLBind(""))
                .returning("id").first()
            guard moved != nil else {
                throw UseCaseError(field: "visit", "This visit already has its report", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: s.dps, action: "review.visit.reported", entityType: "review",
                entityID: review, before: String?.none, after: ["visit": visit.uuidString], at: now)
            try await Outbox.send(
                on: db, organisationID: s.provider, recipient: "Provider",
                subject: "Visit report: \(s.establishmentName)",
                body: "The report of the visit is on the review's page.", link: SiteURL.review(review).path, at: now)
        }
    }

    /// A visit's file, for those who read the review.
    package static func visitFile(_ review: UUID, visit: UUID, actor: Actor, db: any Database) async throws
        -> (filename: String, data: Data)
    {
        _ = try await self.review(review, actor: actor, db: db)
        guard
            let row = try await db.sql().raw(
                """
                SELECT filename, data FROM review_visits
                WHERE id = \(bind: visit) AND review_id = \(bind: review) AND data IS NOT NULL
                """
            ).first()
        else { throw UseCaseError(.notFound, "There is no such file.") }
        return (try row.decode(column: "filename", as: String.self), try row.decode(column: "data", as: Data.self))
    }

    /// Closes the review with its outcome; once only. Everyone who reads it is told.
    package static func close(_ review: UUID, outcome raw: String, actor: Actor, db: any Database, now: Date)
        async throws
    {
        let s = try await managed(review, actor: actor, db: db)
        let outcome = raw.trimmed
        guard (10...4_000).contains(outcome.count) else {
            throw UseCaseError(field: "outcome", "Record the outcome in 10 to 4,000 characters")
        }
        try await db.writeTransaction { db in
            let closed = try await db.sql().update(QualityTables.reviews)
                .set(SQLIdentifier("state"), to: SQLBind("closed"))
                .set(SQLIdentifier("closed_at"), to: SQLBind(now))
                .set(SQLIdentifier("closed_by"), to: SQLBind(actor.name))
                .set(SQLIdentifier("outcome"), to: SQLBind(outcome))
                .where(SQLIdentifier("id"), .equal, SQLBind(review))
                .where(SQLIdentifier("state"), .equal, SQLBind("open"))
                .returning("id").first()
            guard closed != nil else {
                throw UseCaseError(field: "outcome", "This review is already closed", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: s.dps, action: "review.closed", entityType: "review", entityID: review,
                before: ["state": "open"], after: ["state": "closed", "outcome": outcome], at: now)
            let subject = "Review closed: \(s.establishmentName)"
            for org in [s.provider] + (try await involvedPartners(s, db: db)) {
                try await Outbox.send(
                    on: db, organisationID: org, recipient: org == s.provider ? "Provider" : "Placement officers",
                    subject: subject, body: "The coordinated review of \(s.establishmentName) is closed. \(outcome)",
                    link: SiteURL.review(review).path, at: now)
            }
        }
    }

    /// The reviews the actor reads, newest first: all of the lead's DPSs for its staff; those of establishments a
    /// partner placed children at or raised a concern about; a provider's own.
    package static func reviews(actor: Actor, page: ListPage = .first, db: any Database) async throws
        -> PageOf<ReviewRow>
    {
        let condition: SQLQueryString
        if actor.isProvider {
            condition = "e.organisation_id = \(bind: actor.organisationID)"
        } else if actor.isLeadAuthority {
            guard [.contractManager, .dpsAdmin, .auditor].contains(actor.role) else { return PageOf([], page) }
            condition = "r.dps_id IN (SELECT id FROM dps WHERE lead_organisation_id = \(bind: actor.organisationID))"
        } else {
            condition = """
                r.dps_id IN (SELECT dps_id FROM dps_partners WHERE organisation_id = \(bind: actor.organisationID))
                AND (EXISTS (SELECT 1 FROM placements p WHERE p.dps_id = r.dps_id
                        AND p.establishment_id = r.establishment_id AND p.authority_id = \(bind: actor.organisationID))
                    OR EXISTS (SELECT 1 FROM concerns c WHERE c.dps_id = r.dps_id
                        AND c.establishment_id = r.establishment_id
                        AND c.raised_by_organisation = \(bind: actor.organisationID)))
                """
        }
        let rows = try await reviewRows(condition, limit: page.size + 1, offset: page.offset, db: db)
        return PageOf(rows, page)
    }
}

import Crypto
import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The lead authority's contract management (DOMAIN §5, §9): the master log of memberships, and suspension and
/// reinstatement for every partner at once. Only the lead's contract managers change a membership's standing;
/// no partner can suspend a provider on its own. Every change is claimed by a conditional UPDATE inside its
/// transaction, logged as a dated membership event, audited and announced through the outbox.
package enum ContractManagement {
    package enum EventKind: String, Sendable, CaseIterable {
        case admitted, suspended, reinstated, removed, withdrawn
        /// The provider sent its evidence about the reason.
        case responded
        /// The contract manager reviewed the evidence and kept the suspension, with reasons.
        case kept
        /// A newer inspection read from the public register by the inspection watch.
        case inspected
        /// A document the membership rests on expired (and the membership was not suspended for it).
        case lapsed
        /// The provider uploaded a renewed document.
        case renewed
        /// A contract manager changed the qualification score.
        case rescored
        /// The annual fee review changed the core fees, from a date.
        case feesChanged = "fees_changed"

        package var label: String {
            switch self {
            case .admitted: "Admitted"
            case .suspended: "Suspended"
            case .reinstated: "Reinstated"
            case .removed: "Removed"
            case .withdrawn: "Withdrawn"
            case .responded: "Evidence sent by the provider"
            case .kept: "Suspension kept after review"
            case .inspected: "New inspection on the register"
            case .lapsed: "Evidence expired"
            case .renewed: "Evidence renewed"
            case .rescored: "Re-scored"
            case .feesChanged: "Fees changed"
            }
        }
    }

    /// One dated change of a membership, as the master log shows it.
    package struct Event: Sendable {
        package var kind: EventKind?
        package var kindCode: String
        package var reason: SuspensionReason?
        package var detail: String
        package var exclusion: ExclusionStatus?
        package var actorLabel: String
        package var occurredAt: Date
    }

    /// Writes a membership event inside the caller's transaction.
    package static func log(
        _ kind: EventKind, membership: UUID, dps: UUID, reason: SuspensionReason? = nil, detail: String = "",
        exclusion: ExclusionStatus? = nil, actorLabel: String, at now: Date, db: any Database
    ) async throws {
        try await db.sql().insert(into: MembershipEvents.schema)
            .columns(
                "id", "membership_id", "dps_id", "kind", "reason_code", "detail", "exclusion", "actor_label",
                "occurred_at"
            )
            .values(
                SQLBind(UUID()), SQLBind(membership), SQLBind(dps), SQLBind(kind.rawValue), SQLBind(reason?.rawValue),
                SQLBind(detail), SQLBind(exclusion?.rawValue), SQLBind(actorLabel), SQLBind(now)
            ).run()
    }

    /// Which memberships a suspension covers: one, every one of an establishment, or every one of a provider
    /// (in the DPSs the contract manager's authority leads).
    package enum Scope: Sendable, Equatable {
        case membership(UUID)
        case establishment(UUID)
        case provider(UUID)
    }

    package struct SuspendCommand: Sendable {
        package var scope: Scope
        package var reason: SuspensionReason?
        package var detail: String
        package var exclusion: ExclusionStatus?
        package init(scope: Scope, reason: SuspensionReason?, detail: String, exclusion: ExclusionStatus? = nil) {
            self.scope = scope
            self.reason = reason
            self.detail = detail
            self.exclusion = exclusion
        }
    }

    /// A membership as the suspension reads it.
    struct Target {
        var id: UUID
        var dps: UUID
        var regime: Regime?
        var establishment: String
        var establishmentID: UUID
        var category: String
        var categoryID: UUID
        var provider: UUID
    }

    private static func requireContractManager(_ actor: Actor) throws {
        guard actor.isLeadAuthority else {
            throw UseCaseError(.forbidden, "Only the lead authority's contract managers suspend or reinstate.")
        }
        try actor.require(.contractManager)
    }

    /// The memberships of the lead's DPSs that `scope` names, in `states`.
    private static func targets(_ scope: Scope, states: [MembershipState], actor: Actor, db: any Database)
        async throws -> [Target]
    {
        try await targets(scope, states: states, in: AccessPolicy.dpsIDs(of: actor, db: db), db: db)
    }

    /// The memberships of the DPSs `dpsIDs` that `scope` names, in `states`.
    static func targets(_ scope: Scope, states: [MembershipState], in dpsIDs: [UUID], db: any Database)
        async throws -> [Target]
    {
        guard !dpsIDs.isEmpty else { return [] }
        let condition: SQLQueryString =
            switch scope {
            case .membership(let id): "m.id = \(bind: id)"
            case .establishment(let id): "m.establishment_id = \(bind: id)"
            case .provider(let id): "m.organisation_id = \(bind: id)"
            }
        let rows = try await db.sql().raw(
            """
            SELECT m.id, m.dps_id, d.regime, e.name AS establishment, m.establishment_id, c.name AS category,
                m.category_id, m.organisation_id
            FROM memberships m JOIN dps d ON d.id = m.dps_id JOIN establishments e ON e.id = m.establishment_id
                JOIN categories c ON c.id = m.category_id
            WHERE m.dps_id IN (\(binds: dpsIDs)) AND \(condition) AND m.state IN (\(binds: states.map(\.rawValue)))
            ORDER BY e.name, c.name
            """
        ).all()
        return try rows.map { row in
            Target(
                id: try row.decode(column: "id", as: UUID.self), dps: try row.decode(column: "dps_id", as: UUID.self),
                regime: Regime(rawValue: try row.decode(column: "regime", as: String.self)),
                establishment: try row.decode(column: "establishment", as: String.self),
                establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
                category: try row.decode(column: "category", as: String.self),
                categoryID: try row.decode(column: "category_id", as: UUID.self),
                provider: try row.decode(column: "organisation_id", as: UUID.self))
        }
    }

    /// The membership `id` of the lead's DPSs while it is suspended; 404 when it is not one of them, 409 (naming
    /// `field`) when it is not suspended.
    private static func suspended(_ id: UUID, field: String, _ message: String, actor: Actor, db: any Database)
        async throws -> Target
    {
        if let target = try await targets(.membership(id), states: [.suspended], actor: actor, db: db).first {
            return target
        }
        if try await targets(.membership(id), states: MembershipState.allCases, actor: actor, db: db).isEmpty {
            throw UseCaseError(.notFound, "There is no such membership in your DPS.")
        }
        throw UseCaseError(field: field, message, status: .conflict)
    }

    /// Moves a membership from one state to another by one conditional UPDATE: true when this call made the move.
    private static func claim(_ id: UUID, from: MembershipState, to: MembershipState, db: any Database)
        async throws -> Bool
    {
        try await db.sql().update(MembershipRecord.schema)
            .set(SQLIdentifier("state"), to: SQLBind(to.rawValue))
            .where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("state"), .equal, SQLBind(from.rawValue))
            .returning("id").first() != nil
    }

    /// Suspends the active memberships `command.scope` names, for every partner at once: from now on they are not
    /// invited to new referrals, and in referrals still open for bids their bids are set aside when the referral
    /// closes (`SuspensionEffect`); awarded placements continue. Under the Procurement Act 2023 an *excluded*
    /// supplier's memberships are removed instead. The provider is told why and what lifts it; every partner
    /// council of the DPS is told. Returns how many memberships it suspended (or removed).
    @discardableResult
    package static func suspend(_ command: SuspendCommand, actor: Actor, db: any Database, now: Date) async throws
        -> Int
    {
        try requireContractManager(actor)
        var errors: [FieldError] = []
        if command.reason == nil {
            errors.append(FieldError(field: "reason", message: "Choose the reason for the suspension"))
        }
        let detail = command.detail.trimmed
        if detail.count < 10 || detail.count > 2_000 {
            errors.append(
                FieldError(
                    field: "detail",
                    message: "Describe what happened and the evidence, in 10 to 2,000 characters"))
        }
        guard errors.isEmpty, let reason = command.reason else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            let found = try await targets(command.scope, states: [.active], actor: actor, db: db)
            guard !found.isEmpty else {
                if case .membership = command.scope,
                    !(try await targets(command.scope, states: MembershipState.allCases, actor: actor, db: db).isEmpty)
                {
                    throw UseCaseError(
                        field: "reason", "This membership is not active, so it cannot be suspended", status: .conflict)
                }
                throw UseCaseError(.notFound, "There is no active membership to suspend there.")
            }
            for target in found {
                if let problem = ExclusionStatus.check(command.exclusion, regime: target.regime ?? .pcr2015) {
                    throw UseCaseError([problem])
                }
            }
            let done = try await apply(
                found, reason: reason, detail: detail, exclusion: command.exclusion, by: Performer(actor), db: db,
                now: now)
            guard !done.isEmpty else {
                throw UseCaseError(field: "reason", "Someone has just changed these memberships", status: .conflict)
            }
            return done.count
        }
    }

    /// Suspends one membership of the manager's DPSs inside the caller's transaction (a failed compliance check);
    /// nothing when it is no longer active.
    static func suspend(
        membershipInTransaction id: UUID, reason: SuspensionReason, detail: String, actor: Actor, db: any Database,
        now: Date
    ) async throws {
        try requireContractManager(actor)
        let found = try await targets(.membership(id), states: [.active], actor: actor, db: db)
        _ = try await apply(
            found, reason: reason, detail: detail, exclusion: nil, by: Performer(actor), db: db, now: now)
    }

    /// Who changes a membership's standing: a contract manager, or the system on the DPS's own rule (the inspection
    /// watch), named in the log, the audit trail and the messages.
    struct Performer {
        var actor: Actor?
        var name: String
        var organisationName: String

        init(_ actor: Actor) {
            self.actor = actor
            name = actor.name
            organisationName = actor.organisationName
        }

        init(system name: String, for lead: String) {
            actor = nil
            self.name = name
            organisationName = lead
        }
    }

    /// Suspends (or, for an excluded supplier, removes) the active memberships among `found`, each claimed by a
    /// conditional UPDATE, logged and audited, then tells the providers and partners; inside the caller's
    /// transaction. Returns the memberships this call changed.
    static func apply(
        _ found: [Target], reason: SuspensionReason, detail: String, exclusion: ExclusionStatus?, by: Performer,
        db: any Database, now: Date
    ) async throws -> [Target] {
        let removing = exclusion?.requiresRemoval == true
        var done: [Target] = []
        for target in found
        where try await claim(target.id, from: .active, to: removing ? .removed : .suspended, db: db) {
            done.append(target)
            try await log(
                removing ? .removed : .suspended, membership: target.id, dps: target.dps, reason: reason,
                detail: detail, exclusion: exclusion, actorLabel: by.name, at: now, db: db)
            try await Audit.record(
                on: db, actor: by.actor, actorLabel: by.actor == nil ? by.name : nil, dps: target.dps,
                action: removing ? "membership.removed" : "membership.suspended", entityType: "membership",
                entityID: target.id, before: ["state": "active"],
                after: [
                    "state": removing ? "removed" : "suspended", "reason": reason.rawValue,
                    "exclusion": exclusion?.rawValue ?? "",
                ], at: now)
        }
        if !done.isEmpty {
            try await announce(done, suspended: !removing, reason: reason, detail: detail, by: by, db: db, now: now)
        }
        return done
    }

    /// Tells the providers (which memberships, why, what lifts it, which open referrals it affects) and every
    /// partner council of the DPSs concerned.
    private static func announce(
        _ done: [Target], suspended: Bool, reason: SuspensionReason, detail: String, by: Performer, db: any Database,
        now: Date
    ) async throws {
        let verb = suspended ? "suspended" : "removed"
        let list = done.map { "\($0.establishment) (\($0.category))" }.joined(separator: "; ")
        for provider in Set(done.map(\.provider)) {
            let own = done.filter { $0.provider == provider }
            let open = try await openInvitations(own, db: db)
            try await Outbox.send(
                on: db, organisationID: provider, recipient: "Provider",
                subject: "Membership \(verb): \(own.count == 1 ? own[0].establishment : "\(own.count) memberships")",
                body: "\(by.organisationName) has \(verb) "
                    + own.map { "\($0.establishment) (\($0.category))" }.joined(separator: "; ")
                    + " for every partner council. Reason: \(reason.label). \(detail) "
                    + (suspended
                        ? "It will not be invited to new referrals. To have the suspension lifted, send only this "
                            + "evidence: \(reason.evidenceNeeded.lowercased()). "
                        : "")
                    + (open == 0
                        ? "" : "Its bids in \(open) referral\(open == 1 ? "" : "s") still open will be set aside. ")
                    + "Placements already awarded continue.",
                link: SiteURL.membership(own[0].id).path, at: now)
        }
        let dpsIDs = Array(Set(done.map(\.dps)))
        let partners = try await PartnerRecord.query(on: db).filter(\.$dps.$id ~~ dpsIDs).all(\.$organisation.$id)
        for partner in Set(partners) {
            try await Outbox.send(
                on: db, organisationID: partner, recipient: "Placement officers",
                subject:
                    "Membership \(verb) for every partner: "
                    + (done.count == 1 ? done[0].establishment : "\(done.count) memberships"),
                body: "\(by.organisationName) has \(verb) \(list). Reason: \(reason.label). "
                    + "It is not invited to new referrals; placements already awarded continue.",
                link: SiteURL.membership(done[0].id).path, at: now)
        }
    }

    /// How many referrals still open for bids these memberships' establishments were invited to, in their
    /// categories.
    private static func openInvitations(_ targets: [Target], db: any Database) async throws -> Int {
        guard !targets.isEmpty else { return 0 }
        // One statement, counted in SQL by establishment and category; only the pairs suspended are added up.
        let rows = try await db.sql().raw(
            """
            SELECT i.establishment_id, r.category_id, COUNT(*) AS n
            FROM invitations i JOIN referrals r ON r.id = i.referral_id
            WHERE i.establishment_id IN (\(binds: Array(Set(targets.map(\.establishmentID)))))
                AND r.state = \(bind: ReferralState.published.rawValue)
            GROUP BY i.establishment_id, r.category_id
            """
        ).all()
        let wanted = Set(targets.map { "\($0.establishmentID)/\($0.categoryID)" })
        var count = 0
        for row in rows {
            let key =
                "\(try row.decode(column: "establishment_id", as: UUID.self))/"
                + "\(try row.decode(column: "category_id", as: UUID.self))"
            if wanted.contains(key) { count += try row.decode(column: "n", as: Int.self) }
        }
        return count
    }

    /// Lifts a suspension: the contract manager has reviewed the evidence about its reason. The membership is
    /// invited to referrals published from now on; the provider and every partner are told.
    package static func reinstate(_ id: UUID, reason raw: String, actor: Actor, db: any Database, now: Date)
        async throws
    {
        try requireContractManager(actor)
        let reason = raw.trimmed
        guard (10...2_000).contains(reason.count) else {
            throw UseCaseError(
                field: "reinstateReason", "Say what evidence lifted the suspension, in 10 to 2,000 characters")
        }
        try await db.writeTransaction { db in
            let target = try await suspended(
                id, field: "reinstateReason", "This membership is not suspended, so there is nothing to lift",
                actor: actor, db: db)
            guard try await claim(id, from: .suspended, to: .active, db: db) else {
                throw UseCaseError(
                    field: "reinstateReason", "Someone has just changed this membership", status: .conflict)
            }
            try await log(
                .reinstated, membership: id, dps: target.dps, detail: reason, actorLabel: actor.name, at: now, db: db)
            try await Audit.record(
                on: db, actor: actor, dps: target.dps, action: "membership.reinstated", entityType: "membership",
                entityID: id, before: ["state": "suspended"], after: ["state": "active", "reason": reason], at: now)
            try await Outbox.send(
                on: db, organisationID: target.provider, recipient: "Provider",
                subject: "Suspension lifted: \(target.establishment)",
                body: "\(actor.organisationName) has reinstated \(target.establishment) (\(target.category)). "
                    + "\(reason) It will be invited to referrals published from now on.",
                link: SiteURL.membership(id).path, at: now)
            let partners = try await PartnerRecord.query(on: db).filter(\.$dps.$id == target.dps)
                .all(\.$organisation.$id)
            for partner in Set(partners) {
                try await Outbox.send(
                    on: db, organisationID: partner, recipient: "Placement officers",
                    subject: "Suspension lifted: \(target.establishment)",
                    body: "\(actor.organisationName) has reinstated \(target.establishment) (\(target.category)) "
                        + "for every partner council.",
                    link: SiteURL.membership(id).path, at: now)
            }
        }
    }

    /// One membership and its timeline, for those who may read it: the provider that holds it, and the lead
    /// authority and partner councils of its DPS (every partner sees every admitted provider, DOMAIN §3).
    package struct Timeline: Sendable {
        package var id: UUID
        package var dps: UUID
        package var establishment: String
        package var establishmentID: UUID
        package var provider: String
        package var providerID: UUID
        package var category: String
        package var state: MembershipState?
        package var score: Int
        package var regime: Regime?
        package var rescoreMonths: Int
        package var admittedAt: Date
        package var events: [Event]
    }

    package static func timeline(_ id: UUID, actor: Actor, db: any Database) async throws -> Timeline {
        let row = try await db.sql().raw(
            """
            SELECT m.id, m.dps_id, m.state, m.qualification_score, m.establishment_id, m.organisation_id, m.admitted_at,
                e.name AS establishment, o.name AS provider, c.name AS category, d.regime, d.rescore_months
            FROM memberships m JOIN establishments e ON e.id = m.establishment_id
                JOIN organisations o ON o.id = m.organisation_id JOIN categories c ON c.id = m.category_id
                JOIN dps d ON d.id = m.dps_id
            WHERE m.id = \(bind: id)
            """
        ).first()
        guard let row else { throw UseCaseError(.notFound, "There is no such membership.") }
        let dps = try row.decode(column: "dps_id", as: UUID.self)
        let providerID = try row.decode(column: "organisation_id", as: UUID.self)
        let readable =
            actor.isProvider
            ? providerID == actor.organisationID
            : try await AccessPolicy.dpsIDs(of: actor, db: db).contains(dps)
        guard readable else { throw UseCaseError(.notFound, "There is no such membership.") }
        let events = try await db.sql().raw(
            """
            SELECT kind, reason_code, detail, exclusion, actor_label, occurred_at FROM membership_events
            WHERE membership_id = \(bind: id) ORDER BY occurred_at DESC, id DESC LIMIT 500
            """
        ).all().map { e in
            let kind = try e.decode(column: "kind", as: String.self)
            return Event(
                kind: EventKind(rawValue: kind), kindCode: kind,
                reason: try e.decode(column: "reason_code", as: String?.self).flatMap(SuspensionReason.init),
                detail: try e.decode(column: "detail", as: String.self),
                exclusion: try e.decode(column: "exclusion", as: String?.self).flatMap(ExclusionStatus.init),
                actorLabel: try e.decode(column: "actor_label", as: String.self),
                occurredAt: try e.decode(column: "occurred_at", as: Date.self))
        }
        return Timeline(
            id: id, dps: dps, establishment: try row.decode(column: "establishment", as: String.self),
            establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
            provider: try row.decode(column: "provider", as: String.self), providerID: providerID,
            category: try row.decode(column: "category", as: String.self),
            state: MembershipState(rawValue: try row.decode(column: "state", as: String.self)),
            score: try row.decode(column: "qualification_score", as: Int.self),
            regime: Regime(rawValue: try row.decode(column: "regime", as: String.self)),
            rescoreMonths: try row.decode(column: "rescore_months", as: Int.self),
            admittedAt: try row.decode(column: "admitted_at", as: Date.self), events: events)
    }

    /// The establishments and categories whose membership was suspended or removed when `deadline` passed: their
    /// bids in a referral that closed then are set aside (`SuspensionEffect`). Read from the log, so a suspension
    /// after the deadline, or one lifted before it, changes nothing. Only changes of standing count: evidence sent,
    /// a suspension kept, a new inspection or a re-score after a suspension do not lift it.
    package static func notActive(at deadline: Date, establishments: [UUID], category: UUID, db: any Database)
        async throws -> Set<UUID>
    {
        guard !establishments.isEmpty else { return [] }
        let rows = try await db.sql().raw(
            """
            SELECT m.establishment_id, ev.kind FROM memberships m JOIN membership_events ev ON ev.membership_id = m.id
            WHERE m.category_id = \(bind: category) AND m.establishment_id IN (\(binds: establishments))
                AND ev.occurred_at <= \(bind: deadline)
                AND ev.kind IN ('admitted', 'suspended', 'reinstated', 'removed', 'withdrawn')
            ORDER BY ev.occurred_at, ev.id
            """
        ).all()
        var latest: [UUID: String] = [:]
        for row in rows {
            latest[try row.decode(column: "establishment_id", as: UUID.self)] = try row.decode(
                column: "kind", as: String.self)
        }
        return Set(
            latest.filter { [EventKind.suspended.rawValue, EventKind.removed.rawValue].contains($0.value) }.keys)
    }

    // MARK: The provider's answer, and the review

    /// One answer of the provider to a suspension, as the membership page lists it.
    package struct ResponseRow: Sendable {
        package var id: UUID
        package var statement: String
        package var filename: String
        package var sizeBytes: Int
        package var actorLabel: String
        package var createdAt: Date
    }

    /// The provider answers a suspension with the evidence about its reason: a statement and one document. The
    /// contract managers are told; nothing changes until one of them reviews it.
    package static func respond(
        _ id: UUID, statement raw: String, file: ProviderUseCases.UploadedFile?, actor: Actor, db: any Database,
        now: Date
    ) async throws {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "Only the provider answers its suspension.") }
        try actor.require(.providerAdmin)
        var errors: [FieldError] = []
        let statement = raw.trimmed
        if statement.count < 10 || statement.count > 2_000 {
            errors.append(
                FieldError(field: "statement", message: "Say what the evidence shows, in 10 to 2,000 characters"))
        }
        if file == nil || file?.data.isEmpty == true {
            errors.append(FieldError(field: "evidence", message: "Choose the document that is the evidence"))
        } else if let file, file.data.count > ProviderUseCases.maxEvidenceBytes {
            errors.append(FieldError(field: "evidence", message: "The file must be smaller than 10 MB"))
        }
        guard errors.isEmpty, let file else {
            throw UseCaseError(
                errors, status: errors.contains { $0.message.contains("10 MB") } ? .tooLarge : .invalid)
        }
        try await db.writeTransaction { db in
            let timeline = try await timeline(id, actor: actor, db: db)
            guard timeline.state == .suspended else {
                throw UseCaseError(
                    field: "statement", "This membership is not suspended, so there is nothing to answer",
                    status: .conflict)
            }
            let responseID = UUID()
            try await db.sql().insert(into: SuspensionResponses.schema)
                .columns(
                    "id", "membership_id", "organisation_id", "statement", "filename", "content_type", "size_bytes",
                    "sha256", "data", "actor_label", "created_at"
                )
                .values(
                    SQLBind(responseID), SQLBind(id), SQLBind(actor.organisationID), SQLBind(statement),
                    SQLBind(SafeHeaders.filename(String(file.filename.suffix(150)))),
                    SQLBind(file.contentType ?? "application/octet-stream"), SQLBind(file.data.count),
                    SQLBind(SHA256.hash(data: file.data).map { String(format: "%02x", $0) }.joined()),
                    SQLBind(file.data), SQLBind(actor.name), SQLBind(now)
                ).run()
            try await log(
                .responded, membership: id, dps: timeline.dps, detail: statement, actorLabel: actor.name, at: now,
                db: db)
            try await Audit.record(
                on: db, actor: actor, dps: timeline.dps, action: "membership.responded", entityType: "membership",
                entityID: id, before: String?.none, after: ["response": responseID.uuidString], at: now)
            let lead = try await DPSRecord.find(timeline.dps, on: db)
            try await Outbox.send(
                on: db, organisationID: lead?.$lead.id, recipient: "DPS administrators",
                subject: "Evidence to review: \(timeline.establishment)",
                body: "\(actor.organisationName) has answered the suspension of \(timeline.establishment) "
                    + "(\(timeline.category)) with its evidence. Review it, then reinstate or keep the suspension.",
                link: SiteURL.membership(id).path, at: now)
        }
    }

    /// The contract manager has reviewed the provider's evidence and keeps the suspension, saying why. The
    /// provider is told.
    package static func keep(_ id: UUID, reason raw: String, actor: Actor, db: any Database, now: Date) async throws {
        try requireContractManager(actor)
        let reason = raw.trimmed
        guard (10...2_000).contains(reason.count) else {
            throw UseCaseError(field: "keepReason", "Say why the suspension stays, in 10 to 2,000 characters")
        }
        try await db.writeTransaction { db in
            let target = try await suspended(
                id, field: "keepReason", "This membership is not suspended", actor: actor, db: db)
            try await log(
                .kept, membership: id, dps: target.dps, detail: reason, actorLabel: actor.name, at: now, db: db)
            try await Audit.record(
                on: db, actor: actor, dps: target.dps, action: "membership.suspension_kept", entityType: "membership",
                entityID: id, before: String?.none, after: ["reason": reason], at: now)
            try await Outbox.send(
                on: db, organisationID: target.provider, recipient: "Provider",
                subject: "Suspension kept: \(target.establishment)",
                body: "\(actor.organisationName) has reviewed your evidence for \(target.establishment) "
                    + "(\(target.category)) and keeps the suspension. \(reason)",
                link: SiteURL.membership(id).path, at: now)
        }
    }

    /// Whether the actor reads the provider's answers: the provider itself, and the lead authority's staff who
    /// manage the DPS (not the partner councils: the documents are the provider's).
    static func readsResponses(_ timeline: Timeline, actor: Actor, db: any Database) async throws -> Bool {
        if actor.isProvider { return timeline.providerID == actor.organisationID }
        guard actor.isLeadAuthority, [.contractManager, .dpsAdmin, .auditor].contains(actor.role) else { return false }
        return try await AccessPolicy.dpsIDs(of: actor, db: db).contains(timeline.dps)
    }

    /// The provider's answers to a membership's suspensions, newest first (empty for those who may not read them).
    package static func responses(_ timeline: Timeline, actor: Actor, db: any Database) async throws -> [ResponseRow] {
        guard try await readsResponses(timeline, actor: actor, db: db) else { return [] }
        return try await db.sql().raw(
            """
            SELECT id, statement, filename, size_bytes, actor_label, created_at FROM suspension_responses
            WHERE membership_id = \(bind: timeline.id) ORDER BY created_at DESC LIMIT 100
            """
        ).all().map { row in
            ResponseRow(
                id: try row.decode(column: "id", as: UUID.self),
                statement: try row.decode(column: "statement", as: String.self),
                filename: try row.decode(column: "filename", as: String.self),
                sizeBytes: try row.decode(column: "size_bytes", as: Int.self),
                actorLabel: try row.decode(column: "actor_label", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    /// One answer's document, for those who read the answers; anyone else is told there is no such document.
    package static func responseDocument(_ membership: UUID, response: UUID, actor: Actor, db: any Database)
        async throws -> (filename: String, data: Data)
    {
        let timeline = try await timeline(membership, actor: actor, db: db)
        guard try await readsResponses(timeline, actor: actor, db: db),
            let row = try await db.sql().raw(
                """
                SELECT filename, data FROM suspension_responses
                WHERE id = \(bind: response) AND membership_id = \(bind: membership)
                """
            ).first()
        else { throw UseCaseError(.notFound, "There is no such document.") }
        return (try row.decode(column: "filename", as: String.self), try row.decode(column: "data", as: Data.self))
    }
}

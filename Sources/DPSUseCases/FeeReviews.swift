import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The annual core fee review (issue 9, DOMAIN §5): the lead's contract manager opens a window with the date the
/// agreed fees take effect; providers propose new weekly fees for their memberships' core cost lines, with a
/// justification; the manager accepts, rejects or counter-proposes each line (a counter-proposal is the fee agreed);
/// closing the review records each membership's new schedule from the effective date (`fee_changes`). A referral
/// uses the schedule in force when it was published (`schedule(at:)`, with `EffectiveHistory`), so referrals
/// published before that date keep the old fees. The affordability cap applies to every schedule agreed.
package enum FeeReviews {
    package enum Decision: String, Sendable, CaseIterable {
        case accept, reject, counter
    }

    package struct Review: Sendable {
        package var id: UUID
        package var dps: UUID
        package var openedAt: Date
        package var openedBy: String
        package var closesOn: LocalDate
        package var effectiveFrom: LocalDate
        package var state: String
    }

    package struct Proposal: Sendable {
        package var id: UUID
        package var membership: UUID
        package var establishment: String
        package var provider: String
        package var providerID: UUID
        package var category: String
        package var line: String
        package var lineName: String
        package var currentPence: Int
        package var proposedPence: Int
        package var justification: String
        package var state: String
        package var decidedPence: Int?
        package var note: String?
    }

    private static func requireManager(_ actor: Actor) throws {
        guard actor.isLeadAuthority else { throw UseCaseError(.forbidden, "Contract managers run fee reviews.") }
        try actor.require(.contractManager)
    }

    // MARK: The schedule in force

    /// The core schedule of a membership in force at `moment` (a referral's publication): the schedule before the
    /// first change that took effect after it. `current` is the membership's stored (latest agreed) schedule.
    package static func schedule(membership: UUID, current: [String: Int], at moment: Date, db: any Database)
        async throws -> [String: Int]
    {
        try await schedule(membership: membership, current: current, at: moment, sql: db.sql())
    }

    static func schedule(membership: UUID, current: [String: Int], at moment: Date, sql: any SQLDatabase)
        async throws -> [String: Int]
    {
        let rows = try await sql.raw(
            """
            SELECT effective_from, old_core_json, new_core_json FROM fee_changes
            WHERE membership_id = \(bind: membership) ORDER BY effective_from, created_at
            """
        ).all()
        guard let first = rows.first else { return current }
        func decode(_ row: any SQLRow, _ column: String) throws -> [String: Int] {
            guard let value: [String: Int] = try Referrals.decode(try row.decode(column: column, as: String.self))
            else { throw UseCaseError(.internalFailure, "A stored fee schedule cannot be read.") }
            return value
        }
        let history = EffectiveHistory(
            original: try decode(first, "old_core_json"),
            changes: try rows.map {
                .init(
                    from: try $0.decode(column: "effective_from", as: Date.self), value: try decode($0, "new_core_json")
                )
            })
        return history.value(at: moment)
    }

    // MARK: The window

    /// Opens a review of the DPS's memberships: proposals until `closesOn`, agreed fees from `effectiveFrom`.
    @discardableResult
    package static func open(
        dps: UUID, closesOn: LocalDate?, effectiveFrom: LocalDate?, actor: Actor, db: any Database, now: Date
    ) async throws -> UUID {
        try requireManager(actor)
        guard let record = try await DPSRecord.find(dps, on: db), record.$lead.id == actor.organisationID else {
            throw UseCaseError(.notFound, "There is no such DPS.")
        }
        let today = LocalDate.from(now)
        var errors: [FieldError] = []
        if closesOn == nil || closesOn! < today {
            errors.append(
                FieldError(field: "closesOn", message: "Enter the last day for proposals, today or later"))
        }
        if effectiveFrom == nil || (closesOn.map { effectiveFrom! <= $0 } ?? false) {
            errors.append(
                FieldError(
                    field: "effectiveFrom", message: "Enter the date the agreed fees take effect, after the last day"))
        }
        guard errors.isEmpty, let closesOn, let effectiveFrom else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            let open = try await db.sql().raw(
                "SELECT id FROM fee_reviews WHERE dps_id = \(bind: dps) AND state = 'open'"
            ).first()
            guard open == nil else {
                throw UseCaseError(field: "closesOn", "A fee review of this DPS is already open", status: .conflict)
            }
            let id = UUID()
            try await db.sql().insert(into: FeeTables.reviews)
                .columns("id", "dps_id", "opened_at", "opened_by", "closes_on", "effective_from", "state")
                .values(
                    SQLBind(id), SQLBind(dps), SQLBind(now), SQLBind(actor.name), SQLBind(closesOn.iso),
                    SQLBind(effectiveFrom.iso), SQLBind("open")
                ).run()
            try await Audit.record(
                on: db, actor: actor, dps: dps, action: "fee_review.opened", entityType: "fee_review", entityID: id,
                before: String?.none, after: ["closesOn": closesOn.iso, "effectiveFrom": effectiveFrom.iso], at: now)
            let providers = try await db.sql().raw(
                "SELECT DISTINCT organisation_id FROM memberships WHERE dps_id = \(bind: dps) AND state = 'active'"
            ).all().map { try $0.decode(column: "organisation_id", as: UUID.self) }
            for provider in providers {
                try await Outbox.send(
                    on: db, organisationID: provider, recipient: "Provider",
                    subject: "Annual fee review: propose by \(closesOn.longForm)",
                    body: "\(actor.organisationName) has opened the annual review of core fees for \(record.title). "
                        + "Propose changes to your core cost lines, with a justification, by \(closesOn.longForm). "
                        + "The fees agreed take effect from \(effectiveFrom.longForm) for referrals published from "
                        + "then on.",
                    link: SiteURL.feeReview(id).path, at: now)
            }
            return id
        }
    }

    private static func reviewRow(_ row: any SQLRow) throws -> Review {
        guard let closes = LocalDate(iso: try row.decode(column: "closes_on", as: String.self)),
            let effective = LocalDate(iso: try row.decode(column: "effective_from", as: String.self))
        else { throw UseCaseError(.internalFailure, "A stored fee review's dates cannot be read.") }
        return Review(
            id: try row.decode(column: "id", as: UUID.self), dps: try row.decode(column: "dps_id", as: UUID.self),
            openedAt: try row.decode(column: "opened_at", as: Date.self),
            openedBy: try row.decode(column: "opened_by", as: String.self), closesOn: closes,
            effectiveFrom: effective, state: try row.decode(column: "state", as: String.self))
    }

    /// The reviews the actor reads: the lead's (its contract managers, administrators and auditor), or those of the
    /// DPSs a provider is a member of; newest first.
    package static func reviews(actor: Actor, db: any Database) async throws -> [Review] {
        let condition: SQLQueryString
        if actor.isProvider {
            condition = """
                f.dps_id IN (SELECT dps_id FROM memberships WHERE organisation_id = \(bind: actor.organisationID))
                """
        } else if actor.isLeadAuthority && [.contractManager, .dpsAdmin, .auditor].contains(actor.role) {
            condition = "d.lead_organisation_id = \(bind: actor.organisationID)"
        } else {
            return []
        }
        return try await db.sql().raw(
            """
            SELECT f.id, f.dps_id, f.opened_at, f.opened_by, f.closes_on, f.effective_from, f.state
            FROM fee_reviews f JOIN dps d ON d.id = f.dps_id WHERE \(condition)
            ORDER BY f.opened_at DESC, f.id DESC LIMIT 50
            """
        ).all().map(reviewRow)
    }

    /// A review and its proposals as the actor reads them: every proposal for the lead's staff, a provider's own.
    package static func review(_ id: UUID, actor: Actor, db: any Database) async throws -> (Review, [Proposal]) {
        guard let review = try await reviews(actor: actor, db: db).first(where: { $0.id == id }) else {
            throw UseCaseError(.notFound, "There is no such fee review.")
        }
        let own: SQLQueryString =
            actor.isProvider ? "AND m.organisation_id = \(bind: actor.organisationID)" : ""
        let rows = try await db.sql().raw(
            """
            SELECT p.id, p.membership_id, p.line_key, p.current_pence, p.proposed_pence, p.justification, p.state,
                p.decided_pence, p.decision_note, e.name AS establishment, o.name AS provider, m.organisation_id,
                c.name AS category, c.content_json
            FROM fee_proposals p JOIN memberships m ON m.id = p.membership_id
                JOIN establishments e ON e.id = m.establishment_id JOIN organisations o ON o.id = m.organisation_id
                JOIN categories c ON c.id = m.category_id
            WHERE p.review_id = \(bind: id) \(own)
            ORDER BY o.name, e.name, c.name, p.line_key
            """
        ).all()
        var names: [String: [String: String]] = [:]
        let proposals = try rows.map { row in
            let category = try row.decode(column: "category", as: String.self)
            if names[category] == nil {
                names[category] = Dictionary(
                    try CategoryContent.decode(try row.decode(column: "content_json", as: String.self)).costLines
                        .map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
            }
            let line = try row.decode(column: "line_key", as: String.self)
            return Proposal(
                id: try row.decode(column: "id", as: UUID.self),
                membership: try row.decode(column: "membership_id", as: UUID.self),
                establishment: try row.decode(column: "establishment", as: String.self),
                provider: try row.decode(column: "provider", as: String.self),
                providerID: try row.decode(column: "organisation_id", as: UUID.self), category: category, line: line,
                lineName: names[category]?[line] ?? line,
                currentPence: try row.decode(column: "current_pence", as: Int.self),
                proposedPence: try row.decode(column: "proposed_pence", as: Int.self),
                justification: try row.decode(column: "justification", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                decidedPence: try row.decode(column: "decided_pence", as: Int?.self),
                note: try row.decode(column: "decision_note", as: String?.self))
        }
        return (review, proposals)
    }

    // MARK: Proposals and decisions

    /// The provider's active memberships in the review's DPS, which it may propose fees for.
    package static func ownMemberships(_ review: Review, actor: Actor, db: any Database) async throws
        -> [(id: UUID, establishment: String, category: String)]
    {
        guard actor.isProvider else { return [] }
        return try await db.sql().raw(
            """
            SELECT m.id, e.name AS establishment, c.name AS category FROM memberships m
            JOIN establishments e ON e.id = m.establishment_id JOIN categories c ON c.id = m.category_id
            WHERE m.dps_id = \(bind: review.dps) AND m.organisation_id = \(bind: actor.organisationID)
                AND m.state = 'active'
            ORDER BY e.name, c.name
            """
        ).all().map {
            (
                try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "establishment", as: String.self),
                try $0.decode(column: "category", as: String.self)
            )
        }
    }

    /// The membership a provider proposes for, with its category's cost lines and cap and its current schedule.
    package struct ProposalTarget: Sendable {
        package var membership: UUID
        package var establishment: String
        package var category: String
        package var lines: [(key: String, name: String)]
        package var capPence: Int?
        package var current: [String: Int]
    }

    package static func target(_ review: UUID, membership: UUID, actor: Actor, db: any Database) async throws
        -> ProposalTarget
    {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "Providers propose fees.") }
        let (r, _) = try await self.review(review, actor: actor, db: db)
        guard let m = try await MembershipRecord.find(membership, on: db), m.$organisation.id == actor.organisationID,
            m.$dps.id == r.dps, let category = try await CategoryRecord.find(m.$category.id, on: db),
            let establishment = try await EstablishmentRecord.find(m.$establishment.id, on: db)
        else { throw UseCaseError(.notFound, "There is no such membership in this review.") }
        let (core, _) = try Referrals.schedule(coreJSON: m.coreCostsJSON, discountsJSON: m.discountsJSON)
        return ProposalTarget(
            membership: membership, establishment: establishment.name, category: category.name,
            lines: try category.content.costLines.map { ($0.key, $0.name) }, capPence: category.affordabilityCapPence,
            current: core)
    }

    /// The provider proposes new weekly fees (pence by line; lines left as they are ignored) for one membership,
    /// with a justification, while the window is open. A line proposed again replaces its undecided proposal. The
    /// schedule proposed must stay within the category's affordability cap.
    package static func propose(
        _ review: UUID, membership: UUID, lines: [String: Int], unreadable: [FieldError] = [],
        justification raw: String,
        actor: Actor, db: any Database, now: Date
    ) async throws {
        try actor.require(.providerAdmin)
        let target = try await target(review, membership: membership, actor: actor, db: db)
        let (r, _) = try await self.review(review, actor: actor, db: db)
        guard r.state == "open", LocalDate.from(now) <= r.closesOn else {
            throw UseCaseError(field: "justification", "This fee review is closed to proposals", status: .conflict)
        }
        var errors = unreadable
        let changed = lines.filter { target.current[$0.key] != $0.value }
        for (key, pence) in changed where !(1...Money.maximumLinePence).contains(pence) {
            errors.append(FieldError(field: "fee.\(key)", message: "Enter a weekly fee from £0.01 to £99,999,999.99"))
        }
        if changed.isEmpty && unreadable.isEmpty {
            errors.append(FieldError(field: "justification", message: "Change at least one weekly fee to propose it"))
        }
        let justification = raw.trimmed
        if !(10...4_000).contains(justification.count) {
            errors.append(
                FieldError(field: "justification", message: "Justify the change in 10 to 4,000 characters"))
        }
        let proposed = target.current.merging(changed) { $1 }
        errors += AffordabilityCheck.check(
            linesPence: proposed, lineNames: Dictionary(uniqueKeysWithValues: target.lines.map { ($0.key, $0.name) }),
            requiredLineIds: [], capPence: target.capPence, fieldPrefix: "fee")
        guard errors.isEmpty else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            // Claimed inside the transaction: a proposal never lands in a review closed meanwhile.
            let open = try await db.sql().update(FeeTables.reviews)
                .set(SQLIdentifier("state"), to: SQLBind("open"))
                .where(SQLIdentifier("id"), .equal, SQLBind(review))
                .where(SQLIdentifier("state"), .equal, SQLBind("open"))
                .returning("id").first()
            guard open != nil else {
                throw UseCaseError(field: "justification", "This fee review is closed to proposals", status: .conflict)
            }
            for (key, pence) in changed.sorted(by: { $0.key < $1.key }) {
                try await db.sql().delete(from: FeeTables.proposals)
                    .where(SQLIdentifier("review_id"), .equal, SQLBind(review))
                    .where(SQLIdentifier("membership_id"), .equal, SQLBind(membership))
                    .where(SQLIdentifier("line_key"), .equal, SQLBind(key))
                    .where(SQLIdentifier("state"), .equal, SQLBind("proposed")).run()
                let inserted = try await db.sql().insert(into: FeeTables.proposals)
                    .columns(
                        "id", "review_id", "membership_id", "line_key", "current_pence", "proposed_pence",
                        "justification", "state", "proposed_at"
                    )
                    .values(
                        SQLBind(UUID()), SQLBind(review), SQLBind(membership), SQLBind(key),
                        SQLBind(target.current[key] ?? 0), SQLBind(pence), SQLBind(justification), SQLBind("proposed"),
                        SQLBind(now)
                    )
                    .ignoringConflicts().returning("id").first()
                guard inserted != nil else {
                    throw UseCaseError(
                        field: "fee.\(key)", "This line has already been decided in this review", status: .conflict)
                }
            }
            try await Audit.record(
                on: db, actor: actor, dps: r.dps, action: "fee_review.proposed", entityType: "membership",
                entityID: membership, before: String?.none,
                after: changed.mapValues { String($0) }.merging(["justification": justification]) { $1 }, at: now)
            let lead = try await DPSRecord.find(r.dps, on: db)
            try await Outbox.send(
                on: db, organisationID: lead?.$lead.id, recipient: "Contract managers",
                subject: "Fee proposal: \(target.establishment) (\(target.category))",
                body: "\(actor.organisationName) proposes new weekly fees for \(changed.count) core line"
                    + "\(changed.count == 1 ? "" : "s"). \(justification)",
                link: SiteURL.feeReview(review).path, at: now)
        }
    }

    /// The contract manager decides one proposal: accept it, reject it, or counter-propose a fee (which is the fee
    /// agreed); with a note the provider reads; once only. A fee agreed must keep the schedule within the cap.
    package static func decide(
        _ review: UUID, proposal: UUID?, decision: Decision?, counterPence: Int?, note raw: String, actor: Actor,
        db: any Database, now: Date
    ) async throws {
        try requireManager(actor)
        let (r, proposals) = try await self.review(review, actor: actor, db: db)
        var errors: [FieldError] = []
        let chosen = proposals.first { $0.id == proposal && $0.state == "proposed" }
        if chosen == nil { errors.append(FieldError(field: "proposal", message: "Choose a proposal still to decide")) }
        if decision == nil { errors.append(FieldError(field: "decision", message: "Choose accept, reject or counter")) }
        if decision == .counter && !(counterPence.map { (1...Money.maximumLinePence).contains($0) } ?? false) {
            errors.append(FieldError(field: "counter", message: "Enter the weekly fee you propose instead"))
        }
        let note = raw.trimmed
        if !(3...2_000).contains(note.count) {
            errors.append(FieldError(field: "note", message: "Give the reason, in 3 to 2,000 characters"))
        }
        guard errors.isEmpty, let chosen, let decision else { throw UseCaseError(errors) }
        let agreed: Int? =
            switch decision {
            case .accept: chosen.proposedPence
            case .counter: counterPence
            case .reject: nil
            }
        try await db.writeTransaction { db in
            if let agreed {
                // The cap is checked against the fees agreed so far, read under the membership's row lock, so two
                // decisions on its lines at once cannot together pass it.
                try await db.sql().raw(
                    "UPDATE memberships SET id = id WHERE id = \(bind: chosen.membership)"
                ).run()
                let (_, decided) = try await self.review(review, actor: actor, db: db)
                let target = try await schedules(
                    review: review, membership: chosen.membership, proposals: decided, db: db)
                var schedule = target.current
                schedule[chosen.line] = agreed
                let problems = AffordabilityCheck.check(
                    linesPence: schedule, lineNames: [:], requiredLineIds: Array(schedule.keys),
                    capPence: target.capPence, fieldPrefix: "counter")
                if let problem = problems.first {
                    throw UseCaseError(field: decision == .counter ? "counter" : "decision", problem.message)
                }
            }
            let moved = try await db.sql().update(FeeTables.proposals)
                .set(
                    SQLIdentifier("state"),
                    to: SQLBind(decision == .accept ? "accepted" : decision == .reject ? "rejected" : "countered")
                )
                .set(SQLIdentifier("decided_pence"), to: SQLBind(agreed))
                .set(SQLIdentifier("decision_note"), to: SQLBind(note))
                .set(SQLIdentifier("decided_by"), to: SQLBind(actor.name))
                .where(SQLIdentifier("id"), .equal, SQLBind(chosen.id))
                .where(SQLIdentifier("state"), .equal, SQLBind("proposed"))
                .returning("id").first()
            guard moved != nil else {
                throw UseCaseError(field: "proposal", "This proposal has just been decided", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: r.dps, action: "fee_review.decided", entityType: "membership",
                entityID: chosen.membership, before: ["line": chosen.line, "proposed": String(chosen.proposedPence)],
                after: ["decision": decision.rawValue, "agreed": agreed.map(String.init) ?? ""], at: now)
            try await Outbox.send(
                on: db, organisationID: chosen.providerID, recipient: "Provider",
                subject: "Fee proposal decided: \(chosen.establishment)",
                body: "\(chosen.lineName): "
                    + (agreed.map { "agreed at \(formatPence($0)) a week from \(r.effectiveFrom.longForm)." }
                        ?? "kept at \(formatPence(chosen.currentPence)) a week.") + " \(note)",
                link: SiteURL.feeReview(review).path, at: now)
        }
    }

    /// A membership's current schedule and cap, with the fees already agreed in this review applied.
    private static func schedules(review: UUID, membership: UUID, proposals: [Proposal], db: any Database)
        async throws -> (current: [String: Int], capPence: Int?)
    {
        guard let m = try await MembershipRecord.find(membership, on: db),
            let category = try await CategoryRecord.find(m.$category.id, on: db)
        else { throw UseCaseError(.notFound, "There is no such membership.") }
        var (core, _) = try Referrals.schedule(coreJSON: m.coreCostsJSON, discountsJSON: m.discountsJSON)
        for p in proposals where p.membership == membership { if let agreed = p.decidedPence { core[p.line] = agreed } }
        return (core, category.affordabilityCapPence)
    }

    /// Closes the review: every proposal must be decided. Each membership with fees agreed gets its new schedule from
    /// the effective date (its history kept in `fee_changes`, its log and the provider told); referrals published
    /// before that date keep the old fees.
    package static func close(_ review: UUID, actor: Actor, db: any Database, now: Date) async throws {
        try requireManager(actor)
        let (r, _) = try await self.review(review, actor: actor, db: db)
        let effective = r.effectiveFrom.startOfDay()
        try await db.writeTransaction { db in
            let closed = try await db.sql().update(FeeTables.reviews)
                .set(SQLIdentifier("state"), to: SQLBind("closed"))
                .where(SQLIdentifier("id"), .equal, SQLBind(review))
                .where(SQLIdentifier("state"), .equal, SQLBind("open"))
                .returning("id").first()
            guard closed != nil else {
                throw UseCaseError(field: "close", "This fee review is already closed", status: .conflict)
            }
            // Read after the claim: a proposal made meanwhile is seen (and closing refused, rolled back).
            let (_, proposals) = try await self.review(review, actor: actor, db: db)
            guard !proposals.contains(where: { $0.state == "proposed" }) else {
                throw UseCaseError(field: "close", "Decide every proposal before closing the review")
            }
            let agreed = proposals.filter { $0.decidedPence != nil }
            for membership in Set(agreed.map(\.membership)) {
                guard let m = try await MembershipRecord.find(membership, on: db) else { continue }
                let (old, _) = try Referrals.schedule(coreJSON: m.coreCostsJSON, discountsJSON: m.discountsJSON)
                var new = old
                let lines = agreed.filter { $0.membership == membership }
                for p in lines { new[p.line] = p.decidedPence }
                try await db.sql().insert(into: FeeTables.changes)
                    .columns(
                        "id", "membership_id", "review_id", "effective_from", "old_core_json", "new_core_json",
                        "created_at"
                    )
                    .values(
                        SQLBind(UUID()), SQLBind(membership), SQLBind(review), SQLBind(effective),
                        SQLBind(Audit.encode(old)), SQLBind(Audit.encode(new)), SQLBind(now)
                    ).run()
                try await db.sql().update(MembershipRecord.schema)
                    .set(SQLIdentifier("core_costs_json"), to: SQLBind(Audit.encode(new)))
                    .where(SQLIdentifier("id"), .equal, SQLBind(membership)).run()
                let detail =
                    lines.map { "\($0.lineName): \(formatPence($0.currentPence)) to \(formatPence($0.decidedPence!))" }
                    .joined(separator: "; ") + ". From \(r.effectiveFrom.longForm)."
                try await ContractManagement.log(
                    .feesChanged, membership: membership, dps: r.dps, detail: detail, actorLabel: actor.name, at: now,
                    db: db)
                try await Outbox.send(
                    on: db, organisationID: m.$organisation.id, recipient: "Provider",
                    subject: "New core fees from \(r.effectiveFrom.longForm): \(lines[0].establishment)",
                    body:
                        "The annual fee review is closed. \(detail) Referrals published before then keep the old fees.",
                    link: SiteURL.membership(membership).path, at: now)
            }
            try await Audit.record(
                on: db, actor: actor, dps: r.dps, action: "fee_review.closed", entityType: "fee_review",
                entityID: review, before: ["state": "open"],
                after: ["state": "closed", "memberships": String(Set(agreed.map(\.membership)).count)], at: now)
        }
    }
}

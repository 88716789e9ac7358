import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// A URN belongs to one provider (`ProviderUseCases.addEstablishment` refuses a second). A provider that says a
/// registered establishment is its own (after a change of owner, say) claims it; the lead authority of the DPS
/// the claim is made to decides. Upheld, the establishment moves to the claimant and the former provider's
/// memberships and open applications of it end, so nothing is admitted twice; rejected, nothing changes. Both
/// providers are told; the claimant never learns who holds the URN from the product.
package enum URNClaims {
    package enum State: String, Sendable, CaseIterable {
        case open, upheld, rejected

        package var label: String {
            switch self {
            case .open: "Waiting for the lead authority"
            case .upheld: "Upheld: the establishment is yours"
            case .rejected: "Rejected"
            }
        }
    }

    package static let statementLimit = 2000
    package static let reasonLimit = 2000

    /// One claim as its pages show it. The holder's name is filled only for the lead authority.
    package struct Row: Sendable {
        package let id: UUID
        package let urn: String
        package let establishmentName: String
        package let holderName: String?
        package let claimantName: String
        package let statement: String
        package let state: State
        package let createdAt: Date
        package let decisionReason: String?
    }

    /// Whether the URN is registered to another provider, so the page offers a claim instead of the form; and
    /// whether the actor has already an open claim on it.
    package static func heldElsewhere(_ urn: String, actor: Actor, db: any Database) async throws -> (
        held: Bool, openClaim: Bool
    ) {
        let urn = urn.trimmed.uppercased()
        guard actor.isProvider, !urn.isEmpty,
            let held = try await EstablishmentRecord.query(on: db).filter(\.$urn == urn).first(),
            held.$organisation.id != actor.organisationID
        else { return (false, false) }
        let open = try await URNClaimRecord.query(on: db).filter(\.$urn == urn)
            .filter(\.$claimantOrganisationID == actor.organisationID).filter(\.$state == State.open.rawValue).count()
        return (true, open > 0)
    }

    /// A provider administrator claims a URN registered to another provider, with a statement of why it is theirs.
    /// The claim goes to the lead authority of the DPS the establishment is a member of or applying to (the
    /// newest), or of the installation's first DPS when it is in none.
    package static func submit(
        urn rawURN: String, statement rawStatement: String, actor: Actor, db: any Database, now: Date
    )
        async throws -> UUID
    {
        try actor.require(.providerAdmin)
        let urn = rawURN.trimmed.uppercased()
        let statement = rawStatement.trimmed
        var errors: [FieldError] = []
        if urn.range(of: #"^(SC)?[0-9]{6,8}$"#, options: .regularExpression) == nil {
            errors.append(FieldError(field: "urn", message: "Enter the URN you are claiming"))
        }
        if statement.count < 20 {
            errors.append(
                FieldError(
                    field: "statement",
                    message: "Say why the establishment is yours (at least 20 characters), for example the date "
                        + "you took it over and its Ofsted or DfE registration"))
        } else if statement.count > statementLimit {
            errors.append(
                FieldError(field: "statement", message: "Keep the statement within \(statementLimit) characters"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            try await db.serialise(on: "urn:\(urn)")
            guard let held = try await EstablishmentRecord.query(on: db).filter(\.$urn == urn).first() else {
                throw UseCaseError(
                    field: "urn", "URN \(urn) is not registered to any provider here: add the establishment instead")
            }
            guard held.$organisation.id != actor.organisationID else {
                throw UseCaseError(field: "urn", "URN \(urn) is already one of your establishments", status: .conflict)
            }
            let pending = try await URNClaimRecord.query(on: db).filter(\.$urn == urn)
                .filter(\.$claimantOrganisationID == actor.organisationID).filter(\.$state == State.open.rawValue)
                .count()
            guard pending == 0 else {
                throw UseCaseError(
                    field: "urn", "You have already claimed URN \(urn); the lead authority will reply",
                    status: .conflict)
            }
            let heldID = try held.requireID()
            let dpsID: UUID
            if let m = try await MembershipRecord.query(on: db).filter(\.$establishment.$id == heldID)
                .sort(\.$admittedAt, .descending).first()
            {
                dpsID = m.$dps.id
            } else if let a = try await ApplicationRecord.query(on: db).filter(\.$establishment.$id == heldID)
                .sort(\.$id).first()
            {
                dpsID = a.$dps.id
            } else if let first = try await DPSRecord.query(on: db).sort(\.$createdAt).first() {
                dpsID = try first.requireID()
            } else {
                throw UseCaseError(.conflict, "There is no DPS to send the claim to yet.")
            }
            let claim = URNClaimRecord()
            claim.urn = urn
            claim.$establishment.id = heldID
            claim.holderOrganisationID = held.$organisation.id
            claim.claimantOrganisationID = actor.organisationID
            claim.claimantUserID = actor.userID
            claim.dpsID = dpsID
            claim.statement = statement
            claim.state = State.open.rawValue
            claim.createdAt = now
            try await claim.create(on: db)
            let claimID = try claim.requireID()
            try await Audit.record(
                on: db, actor: actor, dps: dpsID, action: "urn_claim.submitted", entityType: "urn_claim",
                entityID: claimID, before: String?.none, after: ["urn": urn, "statement": statement], at: now)
            if let dps = try await DPSRecord.query(on: db).filter(\.$id == dpsID).with(\.$lead).first() {
                try await Outbox.send(
                    on: db, organisationID: dps.$lead.id, recipient: "DPS administrators",
                    subject: "A provider claims URN \(urn)",
                    body: "\(actor.organisationName) says the establishment with URN \(urn) (\(held.name)) is "
                        + "theirs. It is registered to another provider. Decide the claim.",
                    link: SiteURL.urnClaims.path, at: now)
            }
            return claimID
        }
    }

    /// The claims the actor sees: a provider its own, newest first; the lead authority's administrators and
    /// contract managers those made to the DPSs it runs, open ones first.
    package static func list(actor: Actor, db: any Database) async throws -> [Row] {
        let claims: [URNClaimRecord]
        var names: [UUID: String] = [:]
        if actor.isProvider {
            claims = try await URNClaimRecord.query(on: db).filter(\.$claimantOrganisationID == actor.organisationID)
                .with(\.$establishment).sort(\.$createdAt, .descending).range(..<100).all()
        } else {
            try actor.require(.dpsAdmin, .contractManager, .auditor)
            let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
            guard actor.isLeadAuthority, !dpsIDs.isEmpty else { return [] }
            claims = try await URNClaimRecord.query(on: db).filter(\.$dpsID ~~ dpsIDs).with(\.$establishment)
                .sort(\.$createdAt, .descending).range(..<200).all()
            let orgIDs = Set(claims.flatMap { [$0.holderOrganisationID, $0.claimantOrganisationID] })
            for org in try await Organisation.query(on: db).filter(\.$id ~~ orgIDs).all() { names[org.id!] = org.name }
        }
        let rows = claims.map { c in
            Row(
                id: c.id!, urn: c.urn, establishmentName: c.establishment.name,
                holderName: actor.isProvider ? nil : names[c.holderOrganisationID] ?? "",
                claimantName: actor.isProvider ? actor.organisationName : names[c.claimantOrganisationID] ?? "",
                statement: c.statement, state: State(rawValue: c.state) ?? .open, createdAt: c.createdAt,
                decisionReason: c.decisionReason)
        }
        return rows.filter { $0.state == .open } + rows.filter { $0.state != .open }
    }

    /// The lead authority upholds or rejects an open claim, with a reason. Claimed by one conditional UPDATE, so two
    /// administrators deciding at once make one decision. Upheld: the establishment moves to the claimant; the
    /// former provider's memberships of it are removed and its applications in progress withdrawn (a new proprietor
    /// qualifies on its own account); other open claims on the URN are rejected.
    package static func decide(
        _ id: UUID, uphold: Bool, reason rawReason: String, actor: Actor, db: any Database, now: Date
    )
        async throws
    {
        try actor.require(.dpsAdmin, .contractManager)
        let reason = rawReason.trimmed
        if reason.isEmpty {
            throw UseCaseError(field: "reason", "Give the reason for your decision; both providers are told it")
        }
        if reason.count > reasonLimit {
            throw UseCaseError(field: "reason", "Keep the reason within \(reasonLimit) characters")
        }
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard actor.isLeadAuthority, let claim = try await URNClaimRecord.find(id, on: db), dpsIDs.contains(claim.dpsID)
        else { throw UseCaseError(.notFound, "There is no such claim.") }
        try await db.writeTransaction { db in
            let sql = try db.sql()
            let state: State = uphold ? .upheld : .rejected
            guard
                try await sql.update(URNClaimRecord.schema)
                    .set(SQLIdentifier("state"), to: SQLBind(state.rawValue))
                    .set(SQLIdentifier("decided_at"), to: SQLBind(now))
                    .set(SQLIdentifier("decided_by"), to: SQLBind(actor.userID))
                    .set(SQLIdentifier("decision_reason"), to: SQLBind(reason))
                    .where(SQLIdentifier("id"), .equal, SQLBind(id))
                    .where(SQLIdentifier("state"), .equal, SQLBind(State.open.rawValue))
                    .returning("id").first() != nil
            else { throw UseCaseError(field: "reason", "This claim has been decided meanwhile", status: .conflict) }
            var ended = 0
            if uphold {
                try await db.serialise(on: "urn:\(claim.urn)")
                let establishmentID = claim.$establishment.id
                // The holder may have changed since the claim was made (another claim upheld): the transfer is
                // from whoever holds it now, and never to a provider that already holds it.
                guard let establishment = try await EstablishmentRecord.find(establishmentID, on: db),
                    establishment.$organisation.id != claim.claimantOrganisationID
                else {
                    throw UseCaseError(
                        field: "reason", "The claimant already holds this establishment", status: .conflict)
                }
                let former = establishment.$organisation.id
                ended = try await sql.update(MembershipRecord.schema)
                    .set(SQLIdentifier("state"), to: SQLBind(MembershipState.removed.rawValue))
                    .where(SQLIdentifier("establishment_id"), .equal, SQLBind(establishmentID))
                    .where(SQLIdentifier("organisation_id"), .equal, SQLBind(former))
                    .where(
                        SQLIdentifier("state"), .in,
                        SQLGroupExpression([MembershipState.active, .suspended].map { SQLBind($0.rawValue) })
                    )
                    .returning("id").all().count
                try await sql.update(ApplicationRecord.schema)
                    .set(SQLIdentifier("state"), to: SQLBind(ApplicationState.withdrawn.rawValue))
                    .where(SQLIdentifier("establishment_id"), .equal, SQLBind(establishmentID))
                    .where(SQLIdentifier("organisation_id"), .equal, SQLBind(former))
                    .where(
                        SQLIdentifier("state"), .in,
                        SQLGroupExpression(
                            [ApplicationState.draft, .submitted, .clarificationRequested].map { SQLBind($0.rawValue) })
                    ).run()
                try await sql.update(EstablishmentRecord.schema)
                    .set(SQLIdentifier("organisation_id"), to: SQLBind(claim.claimantOrganisationID))
                    .where(SQLIdentifier("id"), .equal, SQLBind(establishmentID)).run()
                try await sql.update(URNClaimRecord.schema)
                    .set(SQLIdentifier("state"), to: SQLBind(State.rejected.rawValue))
                    .set(SQLIdentifier("decided_at"), to: SQLBind(now))
                    .set(SQLIdentifier("decided_by"), to: SQLBind(actor.userID))
                    .set(SQLIdentifier("decision_reason"), to: SQLBind("Another claim on this URN was upheld"))
                    .where(SQLIdentifier("urn"), .equal, SQLBind(claim.urn))
                    .where(SQLIdentifier("state"), .equal, SQLBind(State.open.rawValue)).run()
                try await Outbox.send(
                    on: db, organisationID: former, recipient: "Provider",
                    subject: "URN \(claim.urn) has moved to another provider",
                    body: "The lead authority upheld another provider's claim to \(establishment.name) (URN "
                        + "\(claim.urn)). It is no longer one of your establishments"
                        + (ended > 0 ? "; its \(ended) membership\(ended == 1 ? "" : "s") ended" : "")
                        + ". Reason: \(reason)",
                    link: SiteURL.establishments.path, at: now)
            }
            try await Audit.record(
                on: db, actor: actor, dps: claim.dpsID, action: "urn_claim.\(state.rawValue)", entityType: "urn_claim",
                entityID: id, before: ["state": State.open.rawValue],
                after: ["state": state.rawValue, "reason": reason, "membershipsEnded": String(ended)], at: now)
            try await Outbox.send(
                on: db, organisationID: claim.claimantOrganisationID, recipient: "Provider",
                subject: uphold
                    ? "Your claim to URN \(claim.urn) is upheld" : "Your claim to URN \(claim.urn) is rejected",
                body: uphold
                    ? "The establishment is now one of yours. Check its details and apply for the categories you "
                        + "want to join. Reason: \(reason)"
                    : "The establishment stays with the provider it is registered to. Reason: \(reason)",
                link: SiteURL.establishments.path, at: now)
        }
    }
}

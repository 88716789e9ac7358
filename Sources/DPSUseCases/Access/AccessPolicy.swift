import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Who may read what of a tenant's data, keyed by who is asking and the thing's DPS and organisation. The
/// lead authority's staff act for the DPSs it runs, a partner's staff for the DPSs it is a partner of, and a
/// provider only for its own organisation; a second lead authority sees nothing of the first's.
package enum AccessPolicy {
    /// The DPSs the actor's authority runs (lead) or buys through (partner); none for providers.
    package static func dpsIDs(of actor: Actor, db: any Database) async throws -> [UUID] {
        switch actor.organisationKind {
        case .leadAuthority: try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).all(\.$id)
        case .partnerAuthority:
            try await PartnerRecord.query(on: db).filter(\.$organisation.$id == actor.organisationID).all(\.$dps.$id)
        case .provider: []
        }
    }

    /// Lead-authority roles that read applications and their evidence.
    package static let evidenceReaders = Role.assessors.union([.contractManager, .auditor])

    /// An evidence document: its provider, or the evidence readers of the lead authority running the DPS the
    /// application was made to.
    package static func canRead(_ doc: EvidenceRecord, actor: Actor, db: any Database) async throws -> Bool {
        if doc.$organisation.id == actor.organisationID { return true }
        guard actor.isLeadAuthority, evidenceReaders.contains(actor.role),
            let part = try await ApplicationCategoryRecord.query(on: db).filter(\.$id == doc.applicationCategoryID)
                .with(\.$application, { $0.with(\.$dps) }).first()
        else { return false }
        return part.application.dps.$lead.id == actor.organisationID
    }

    /// The audit events the actor may read: a lead authority's, those of the DPSs it runs (by the events'
    /// `dps_id`) and its own organisation's events of no DPS. Nobody else reads the trail.
    package static func auditScope(of actor: Actor, db: any Database) async throws -> Audit.Scope {
        guard actor.isLeadAuthority else {
            throw UseCaseError(.forbidden, "Only the lead authority's staff read the audit trail.")
        }
        return Audit.Scope(dpsIDs: try await dpsIDs(of: actor, db: db), organisationID: actor.organisationID)
    }

    /// Officers may create referrals only for an authority that is a partner of a DPS (or runs one).
    package static func requireBuyer(_ actor: Actor, db: any Database) async throws {
        guard try await !dpsIDs(of: actor, db: db).isEmpty else {
            throw UseCaseError(.forbidden, "Your authority is not a partner of a DPS, so it cannot make referrals.")
        }
    }

    /// Whose referrals and placements a council's staff list: their own authority's, or for the lead
    /// authority's auditor every one of the DPSs it runs (the same rule as `Referrals.own` for one referral).
    package enum ReferralScope: Sendable, Equatable {
        case authority(UUID)
        case dps([UUID])
    }

    package static func referralScope(of actor: Actor, db: any Database) async throws -> ReferralScope {
        guard !actor.isProvider else { throw UseCaseError(.forbidden, "Referrals are made by councils.") }
        if actor.role == .auditor && actor.isLeadAuthority {
            let ids = try await dpsIDs(of: actor, db: db)
            if !ids.isEmpty { return .dps(ids) }
        }
        return .authority(actor.organisationID)
    }

    /// Whose placements the actor reads: a provider its own; the lead authority's contract managers,
    /// administrators and auditor those of every DPS it runs (to see endings and reviews across partners, never the
    /// child's details); any other council's staff their own authority's.
    package enum PlacementScope: Sendable, Equatable {
        case provider(UUID)
        case authority(UUID)
        case dps([UUID])

        /// The SQL condition on the placements table aliased `alias`.
        package func condition(_ alias: String) -> SQLQueryString {
            switch self {
            case .provider(let id): "\(unsafeRaw: alias).provider_id = \(bind: id)"
            case .authority(let id): "\(unsafeRaw: alias).authority_id = \(bind: id)"
            case .dps(let ids):
                ids.isEmpty ? "1 = 0" : "\(unsafeRaw: alias).dps_id IN (\(binds: ids))"
            }
        }
    }

    /// The lead authority's roles that read placements across its DPSs.
    package static let placementOverseers: Set<Role> = [.contractManager, .dpsAdmin, .auditor]

    package static func placementScope(of actor: Actor, db: any Database) async throws -> PlacementScope {
        if actor.isProvider { return .provider(actor.organisationID) }
        if actor.isLeadAuthority && placementOverseers.contains(actor.role) {
            return .dps(try await dpsIDs(of: actor, db: db))
        }
        return .authority(actor.organisationID)
    }

    /// The child's details on a placement are read by its two parties only: the placing authority and the provider.
    package static func readsChildDetails(_ p: PlacementRecord, actor: Actor) -> Bool {
        p.authorityID == actor.organisationID || p.providerID == actor.organisationID
    }
}

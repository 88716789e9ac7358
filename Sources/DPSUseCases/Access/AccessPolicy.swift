import DPSDomain
import DPSPersistence
import FluentKit
import Foundation

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

    /// Organisations whose audit events a lead authority's staff may read: itself, its partners and the
    /// providers that applied to its DPSs.
    package static func auditOrganisations(of actor: Actor, db: any Database) async throws -> Set<UUID> {
        guard actor.isLeadAuthority else { return [actor.organisationID] }
        let dps = try await dpsIDs(of: actor, db: db)
        var ids: Set<UUID> = [actor.organisationID]
        ids.formUnion(try await PartnerRecord.query(on: db).filter(\.$dps.$id ~~ dps).all(\.$organisation.$id))
        ids.formUnion(try await ApplicationRecord.query(on: db).filter(\.$dps.$id ~~ dps).all(\.$organisation.$id))
        return ids
    }

    /// Officers may create referrals only for an authority that is a partner of a DPS (or runs one).
    package static func requireBuyer(_ actor: Actor, db: any Database) async throws {
        guard try await !dpsIDs(of: actor, db: db).isEmpty else {
            throw UseCaseError(.forbidden, "Your authority is not a partner of a DPS, so it cannot make referrals.")
        }
    }
}

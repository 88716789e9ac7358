import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension ReferralList {
    /// The placing authority's referrals and placements; the lead authority's auditor sees every one of its DPSs.
    static func query(actor: Actor, db: any Database) async throws -> Model {
        var referrals = ReferralRecord.query(on: db).with(\.$category).sort(\.$createdAt, .descending)
        // Placements of the same authority (or, for the auditor, of the same DPSs), direct ones included.
        var placements = PlacementRecord.query(on: db).with(\.$establishment).sort(\.$createdAt, .descending)
        switch try await AccessPolicy.referralScope(of: actor, db: db) {
        case .authority(let id):
            referrals = referrals.filter(\.$organisation.$id == id)
            placements = placements.filter(\.$authorityID == id)
        case .dps(let ids):
            referrals = referrals.filter(\.$dps.$id ~~ ids)
            placements = placements.filter(\.$dpsID ~~ ids)
        }
        return Model(
            organisation: actor.organisationName, officer: Referrals.officerRoles.contains(actor.role),
            referrals: try await referrals.all(), placements: try await placements.all())
    }
}

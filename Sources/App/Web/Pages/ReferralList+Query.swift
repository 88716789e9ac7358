import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension ReferralList {
    /// The placing authority's referrals (a page) and newest placements; the lead authority's auditor sees every
    /// one of its DPSs'. Both read through `AccessPolicy.referralScope`.
    static func query(
        actor: Actor, filter: (filter: ListFilter, errors: [FieldError]), page: ListPage, db: any Database
    ) async throws -> Model {
        let scope = try await AccessPolicy.referralScope(of: actor, db: db)
        let referrals = try await Referrals.list(scope: scope, filter: filter.filter, page: page, db: db)
        let (placements, more) = try await Referrals.recentPlacements(scope: scope, db: db)
        return Model(
            organisation: actor.organisationName, officer: Referrals.officerRoles.contains(actor.role),
            referrals: referrals, filter: filter.filter, filterErrors: filter.errors, placements: placements,
            morePlacements: more)
    }
}

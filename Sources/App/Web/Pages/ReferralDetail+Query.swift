import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension ReferralDetail {
    /// Reads the page's model. `Referrals.own` is the access check (the placing council, or the lead
    /// authority's auditor and administrator); everything else is read by the referral's id. Invitations are
    /// counted in SQL and only the declined ones are loaded.
    static func query(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws -> Model {
        let r = try await Referrals.own(id, actor: actor, db: db)
        let referralID = try r.requireID()
        let state = ReferralState(rawValue: r.state) ?? .draft
        let evaluation =
            [.closed, .awaitingParent, .awarded].contains(state) ? try await Referrals.evaluate(r, db: db) : nil
        let declined = try await InvitationRecord.query(on: db).filter(\.$referral.$id == referralID)
            .filter(\.$declinedAt != nil).with(\.$establishment).all()
        return Model(
            referral: r, content: try await Referrals.Content.load(r, db: db), state: state,
            officer: Referrals.officerRoles.contains(actor.role),
            invited: try await InvitationRecord.query(on: db).filter(\.$referral.$id == referralID).count(),
            declined: declined.map {
                Declined(
                    establishment: $0.establishment.name, reason: $0.declinedReason ?? "", note: $0.declinedNote ?? "")
            },
            bidCount: try await BidRecord.query(on: db).filter(\.$referral.$id == referralID)
                .filter(\.$state == "submitted").count(),
            evaluation: evaluation,
            placementID: try await PlacementRecord.query(on: db).filter(\.$referralID == referralID).first()?.id,
            preview: state == .draft ? try await Referrals.preview(r, db: db) : nil, now: now)
    }
}

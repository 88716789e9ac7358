import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension InvitationDetail {
    /// Reads the page's model. `Referrals.invitation` is the access check: the invited provider only.
    static func query(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws -> Model {
        let inv = try await Referrals.invitation(id, actor: actor, db: db)
        let r = inv.referral
        let content = try await Referrals.Content.load(r, db: db)
        let bid = try await BidRecord.query(on: db).filter(\.$invitation.$id == id).first()
        let open = r.state == ReferralState.published.rawValue && now < r.deadline
        let (approved, tiers) = try await Referrals.approved(inv, db: db)
        let lines = try r.category.content.costLines.filter { approved[$0.key] != nil }
        let saved = try await bid.asyncMap { try await Referrals.bidContent([$0], db: db)[$0.requireID()] } ?? nil
        let offered: [String: Int] = saved?.core ?? approved
        let variable: [BidItem] = saved?.variable ?? []
        let needsMet = Set(saved?.met(prefix: "n") ?? [])
        let mustMet = Set(saved?.met(prefix: "m") ?? [])
        let desMet = Set(saved?.met(prefix: "d") ?? [])
        let floor = BidRules.publishedDiscount(tiers: tiers, children: r.children)
        let fostering = r.category.code == "fostering" || r.pattern == PlacementPattern.fostering.rawValue
        let evaluation: EvaluationResult? = try Referrals.decode(r.evaluationJSON)
        var basis: String?
        if let evaluation, r.state == ReferralState.awarded.rawValue {
            let band = try await DPSRecord.find(r.$dps.id, on: db)?.parentChoiceBandPoints ?? 0
            basis = Referrals.awardBasis(
                parentDecided: Referrals.parentDecided(r, evaluation), shortlist: evaluation.shortlist.count,
                bandPoints: band)
        }
        let placement = try await PlacementRecord.query(on: db).filter(\.$referralID == r.requireID()).filter(
            \.$providerID == actor.organisationID
        ).first()
        return Model(
            id: id, invitation: inv, content: content, bid: bid, open: open,
            canBid: actor.role == .providerAdmin || actor.role == .bidWriter, approved: approved, lines: lines,
            offered: offered, variable: variable, needsMet: needsMet, mustMet: mustMet, desMet: desMet, floor: floor,
            fostering: fostering, evaluation: evaluation, awardBasis: basis, placement: placement)
    }
}

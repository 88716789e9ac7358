import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension ReferralDetail {
    /// Reads the page's model. `Referrals.own` is the access check (the placing council, or the lead
    /// authority's auditor and administrator); everything else is read by the referral's id: the evaluation
    /// (with the content it read), and the responses counted in one statement and the declines in another.
    static func query(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws -> Model {
        let r = try await Referrals.own(id, actor: actor, db: db)
        let referralID = try r.requireID()
        let state = ReferralState(rawValue: r.state) ?? .draft
        let evaluation =
            [.closed, .awaitingParent, .awarded].contains(state) ? try await Referrals.evaluate(r, db: db) : nil
        let responses = try await Referrals.responses(referralID, db: db)
        let content: Referrals.Content
        if let read = evaluation?.content {
            content = read
        } else {
            content = try await Referrals.Content.load(r, db: db)
        }
        return Model(
            referral: r, content: content,
            state: state, officer: Referrals.officerRoles.contains(actor.role), invited: responses.invited,
            declined: responses.declined.map {
                Declined(establishment: $0.establishment, reason: $0.reason, note: $0.note)
            },
            bidCount: responses.submittedBids, evaluation: evaluation, placementID: responses.placementID,
            placementBidID: responses.placementBidID,
            preview: state == .draft ? try await Referrals.preview(r, db: db) : nil, now: now,
            benchmark: evaluation == nil
                ? nil
                : try await MarketFigures.benchmark(category: r.$category.id, today: LocalDate.from(r.deadline), db: db)
        )
    }
}

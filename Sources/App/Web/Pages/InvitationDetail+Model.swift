import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

/// The provider's page of one invitation: the referral as providers may see it (never the child), the bid
/// form while it is open, and after the award the provider's own result (model, query, view: see
/// `ReferralDetail`).
enum InvitationDetail {
    struct Model {
        var id: UUID
        /// With its referral (and the referral's category) and establishment.
        var invitation: InvitationRecord
        var content: Referrals.Content
        var bid: BidRecord?
        /// Published and before the deadline.
        var open: Bool
        /// Whether the viewer's role may bid (a provider's administrator or bid writer).
        var canBid: Bool
        /// The approved core cost schedule, pence a week by line.
        var approved: [String: Int]
        /// The category's cost lines that have an approved cost.
        var lines: [CategoryContent.CostLine]
        /// The core costs to show: the saved bid's, or the approved schedule.
        var offered: [String: Int]
        var variable: [BidItem]
        var needsMet: Set<String>
        var mustMet: Set<String>
        var desMet: Set<String>
        /// The discount published for this number of children, basis points.
        var floor: Int
        /// Fostering asks for the proposed carer's postcode district.
        var fostering: Bool
        /// The stored evaluation, once awarded.
        var evaluation: EvaluationResult?
        /// Once awarded: how the award was decided (top score, or the parent's choice within the band).
        var awardBasis: String?
        /// This provider's placement from the referral, once awarded to it.
        var placement: PlacementRecord?
    }
}

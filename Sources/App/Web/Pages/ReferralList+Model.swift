import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

/// A council's referrals and placements (model, query, view: see `ReferralDetail`).
enum ReferralList {
    struct Model {
        var organisation: String
        /// Whether the viewer may create referrals and record direct placements.
        var officer: Bool
        /// One page of referrals, newest first unless the filter orders them otherwise, with their invited and
        /// bid counts.
        var referrals: PageOf<Referrals.ListRow>
        var filter: ListFilter
        var filterErrors: [FieldError]
        /// The newest placements, with their establishments; direct placements included.
        var placements: [PlacementRecord]
        /// Whether there are older placements than those shown.
        var morePlacements: Bool
    }
}

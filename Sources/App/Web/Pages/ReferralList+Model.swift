import DPSPersistence
import DPSUseCases
import Foundation

/// A council's referrals and placements (model, query, view: see `ReferralDetail`).
enum ReferralList {
    struct Model {
        var organisation: String
        /// Whether the viewer may create referrals and record direct placements.
        var officer: Bool
        /// Newest first, with their categories.
        var referrals: [ReferralRecord]
        /// Newest first, with their establishments; direct placements included.
        var placements: [PlacementRecord]
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

/// The council's page of one referral: its terms, who it reaches or reached, and after the deadline the
/// bids, their evaluation and the award. Like every page in `Pages/`, it is a model (what the page shows),
/// a query (how that is read, authorised by the use cases) and a view (rendering only: no request, no
/// database), so a page can be tested and changed one part at a time.
enum ReferralDetail {
    struct Model {
        var referral: ReferralRecord
        var content: Referrals.Content
        var state: ReferralState
        /// Whether the viewer may act on the referral (a placement officer or the administrator), not only read.
        var officer: Bool
        var invited: Int
        var declined: [Declined]
        /// Bids received; before the deadline the page shows only this count.
        var bidCount: Int
        /// After the deadline: the bids and their evaluation.
        var evaluation: Referrals.Evaluation?
        var placementID: UUID?
        /// The bid the placement was awarded to.
        var placementBidID: UUID?
        /// While a draft: who it will reach.
        var preview: Referrals.Preview?
        /// When the page was read (defaults for the dates the officer may enter).
        var now: Date
        /// After the deadline: the category's weekly fees in the year to the deadline, to read each bid against.
        var benchmark: MarketFigures.Benchmark? = nil
    }

    struct Declined {
        var establishment: String
        var reason: String
        var note: String
    }
}

/// What a page shows again after a refused form: the errors, what was typed, and (once) a secret to hand on.
struct FormState {
    var errors: [FieldError] = []
    var values: [String: String] = [:]
    /// The ticked values of repeated fields as posted (checkboxes), kept when the form is shown again.
    var lists: [String: [String]] = [:]
    /// The parent's private link, shown only on the response that created it.
    var parentLink: String?
}

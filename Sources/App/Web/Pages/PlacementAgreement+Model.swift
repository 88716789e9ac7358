import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

/// The individual placement agreement, for the placing authority, the provider and the lead authority's
/// auditor (model, query, view: see `ReferralDetail`).
enum PlacementAgreement {
    struct Model {
        /// With its establishment.
        var placement: PlacementRecord
        var reference: String
        var children: Int
        /// The child's details: only the two parties to the agreement read them (empty for the lead's staff).
        var childDetails: String
        var authorityName: String
        var providerName: String
        /// Cost line names by key, from the category.
        var lineNames: [String: String]
        var core: [String: Int]
        var variable: [BidItem]
        var outcomes: [String]
        /// Review dates scheduled at award, ISO.
        var reviewDates: [String]
        /// The viewer may accept for their side, which has not accepted yet.
        var canAccept: Bool
        /// Weeks from the start to the expected end (nil when no end is set).
        var durationWeeks: Int?
        var weeksPerYear: Int
        var patternLabel: String?
        /// The weekly fee over a year and over the expected duration (`PlacementEnding.value`).
        var annualPence: Int
        var totalPence: Int?
        /// Who to contact on each side: name, e-mail address and telephone (empty when not known).
        var authorityContact: Contact
        var providerContact: Contact
        /// Its life after award: reviews and changes (`Placements.life`).
        var reviews: [Placements.Review]
        var changes: [Placements.Change]
        /// The viewer's side, when a party that may act (the provider's administrator, the authority's officer).
        var side: Placements.Side?
        /// The fee's current lines, for a fee variation.
        var feeLines: [FeeLine]
        var pattern: PlacementPattern?
        /// An accepted fee variation that takes effect later: from when, and the fee until then.
        var pendingFee: (from: LocalDate, until: Int)?
        /// A form's errors and what was typed, when a form on this page is shown again.
        var errors: [FieldError] = []
        var values: [String: String] = [:]
    }

    struct Contact {
        var name: String
        var email: String
        var phone: String
    }
}

import FluentKit
import Foundation

/// A referral: a partner authority buying one placement (or a block of places) through a competition.
public final class ReferralRecord: Model, @unchecked Sendable {
    public static let schema = "referrals"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Parent(key: "category_id") public var category: CategoryRecord
    /// The placing authority; its officers alone see the child's details.
    @Parent(key: "organisation_id") public var organisation: Organisation
    @Field(key: "created_by") public var createdBy: UUID
    /// `spot`, `block` or `direct`.
    @Field(key: "kind") public var kind: String
    @Field(key: "round") public var round: Int
    @OptionalField(key: "previous_id") public var previousID: UUID?
    @Field(key: "state") public var state: String
    @Field(key: "reference") public var reference: String
    @Field(key: "pattern") public var pattern: String
    @Field(key: "weeks_per_year") public var weeksPerYear: Int
    @Field(key: "start_date") public var startDate: String
    @Field(key: "duration_weeks") public var durationWeeks: Int
    @Field(key: "children") public var children: Int
    @Field(key: "places") public var places: Int
    @Field(key: "void_terms") public var voidTerms: String
    @OptionalField(key: "child_age") public var childAge: Int?
    @Field(key: "child_gender") public var childGender: String
    /// Private: the full home postcode and the child's details, released to the awarded provider only.
    @Field(key: "home_postcode") public var homePostcode: String
    @Field(key: "child_details") public var childDetails: String
    /// Shown to providers instead of the postcode.
    @Field(key: "home_district") public var homeDistrict: String
    @Field(key: "home_latitude") public var homeLatitude: Double
    @Field(key: "home_longitude") public var homeLongitude: Double
    /// JSON: needs `[ReferralNeed]`, must-haves `[String]`, desirables `[ReferralNeed]`, outcomes `[String]`,
    /// weights `{criterion: points}`.
    @Field(key: "needs_json") public var needsJSON: String
    @Field(key: "must_haves_json") public var mustHavesJSON: String
    @Field(key: "desirables_json") public var desirablesJSON: String
    @Field(key: "outcomes_json") public var outcomesJSON: String
    @Field(key: "weights_json") public var weightsJSON: String
    @Field(key: "radius_miles") public var radiusMiles: Double
    @Field(key: "deadline") public var deadline: Date
    @Field(key: "parent_choice") public var parentChoice: Bool
    @OptionalField(key: "published_at") public var publishedAt: Date?
    @OptionalField(key: "closed_at") public var closedAt: Date?
    @OptionalField(key: "cancel_reason") public var cancelReason: String?
    @OptionalField(key: "justification") public var justification: String?
    /// Parent choice: the SHA-256 of the private link's token, its reply deadline and the answer.
    @OptionalField(key: "parent_token_hash") public var parentTokenHash: String?
    @OptionalField(key: "parent_deadline") public var parentDeadline: Date?
    @OptionalField(key: "parent_shortlist_json") public var parentShortlistJSON: String?
    @OptionalField(key: "parent_preference") public var parentPreference: UUID?
    @OptionalField(key: "parent_reason") public var parentReason: String?
    /// The evaluation as awarded, kept so feedback never changes afterwards.
    @OptionalField(key: "evaluation_json") public var evaluationJSON: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// One establishment invited to a referral, frozen at publication with its distance and qualification score.
public final class InvitationRecord: Model, @unchecked Sendable {
    public static let schema = "invitations"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "referral_id") public var referral: ReferralRecord
    @Field(key: "membership_id") public var membershipID: UUID
    @Parent(key: "establishment_id") public var establishment: EstablishmentRecord
    @Field(key: "organisation_id") public var organisationID: UUID
    @Field(key: "distance_miles") public var distanceMiles: Double
    /// Hundredths of a point, as in force when the referral was published (DOMAIN §5).
    @Field(key: "qualification_score") public var qualificationScore: Int
    @Field(key: "invited_at") public var invitedAt: Date
    @OptionalField(key: "declined_reason") public var declinedReason: String?
    @OptionalField(key: "declined_note") public var declinedNote: String?
    @OptionalField(key: "declined_at") public var declinedAt: Date?

    public init() {}
}

/// A sealed bid. Readable by its bidder only until the referral closes.
public final class BidRecord: Model, @unchecked Sendable {
    public static let schema = "bids"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "referral_id") public var referral: ReferralRecord
    @Parent(key: "invitation_id") public var invitation: InvitationRecord
    @Parent(key: "establishment_id") public var establishment: EstablishmentRecord
    @Field(key: "organisation_id") public var organisationID: UUID
    /// `submitted` or `withdrawn`.
    @Field(key: "state") public var state: String
    @Field(key: "core_json") public var coreJSON: String
    @Field(key: "variable_json") public var variableJSON: String
    @Field(key: "discount_bp") public var discountBasisPoints: Int
    @Field(key: "needs_met_json") public var needsMetJSON: String
    @Field(key: "must_haves_met_json") public var mustHavesMetJSON: String
    @Field(key: "desirables_met_json") public var desirablesMetJSON: String
    @Field(key: "outcomes_statement") public var outcomesStatement: String
    @Field(key: "incentive") public var incentive: String
    @OptionalField(key: "carer_district") public var carerDistrict: String?
    @Field(key: "distance_miles") public var distanceMiles: Double
    @Field(key: "weekly_cost_pence") public var weeklyCostPence: Int
    @Field(key: "submitted_at") public var submittedAt: Date

    public init() {}
}

/// An officer's 0-5 score of a bid's outcomes statement (or incentive), or the moderator's consensus.
public final class BidScoreRecord: Model, @unchecked Sendable {
    public static let schema = "bid_scores"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "bid_id") public var bid: BidRecord
    /// `outcomes` or `incentives`.
    @Field(key: "criterion") public var criterion: String
    @Field(key: "scorer_id") public var scorerID: UUID
    @Field(key: "is_consensus") public var isConsensus: Bool
    @Field(key: "score") public var score: Int
    @Field(key: "comment") public var comment: String

    public init() {}
}

/// An Individual Placement Agreement (the call-off contract), or a direct placement's record.
public final class PlacementRecord: Model, @unchecked Sendable {
    public static let schema = "placements"

    @ID(key: .id) public var id: UUID?
    /// The referral it was awarded from; unique, so two officers awarding at once make one placement. Empty
    /// for a direct placement, made without competition.
    @OptionalField(key: "referral_id") public var referralID: UUID?
    /// The referral's reference, or the direct placement's own (`DIR-…`).
    @OptionalField(key: "reference") public var reference: String?
    @OptionalField(key: "dps_id") public var dpsID: UUID?
    @OptionalField(key: "category_id") public var categoryID: UUID?
    @OptionalField(key: "created_by") public var createdBy: UUID?
    /// A direct placement's child details (an awarded one's stay on its referral); the placing authority's only.
    @OptionalField(key: "child_details") public var childDetails: String?
    @OptionalField(key: "expected_end_date") public var expectedEndDate: String?
    @OptionalField(key: "actual_end_date") public var actualEndDate: String?
    /// `PlacementStatus`: `active` or `ended`.
    @Field(key: "status") public var status: String
    /// `PlacementEnding.Kind` (`planned` or `unplanned`) and its reason, when it ended.
    @OptionalField(key: "ending_kind") public var endingKind: String?
    @OptionalField(key: "ending_reason") public var endingReason: String?
    @OptionalField(key: "ended_at") public var endedAt: Date?
    @OptionalField(key: "ended_by") public var endedBy: String?
    /// What the person who ended it wrote about the ending.
    @OptionalField(key: "ending_note") public var endingNote: String?
    /// The placement pattern (`PlacementPattern`): the referral's at award (kept since M0033; empty before, when the
    /// referral's applied), until a change replaces it; empty for a direct placement (52 weeks).
    @OptionalField(key: "pattern") public var pattern: String?
    @OptionalField(key: "bid_id") public var bidID: UUID?
    /// The competition it was awarded from (M0033): when the referral was published, how many bids it had when it
    /// closed, and the winning establishment's distance from home as its invitation measured it. Empty when direct.
    @OptionalField(key: "published_at") public var publishedAt: Date?
    @OptionalField(key: "competing_bids") public var competingBids: Int?
    @OptionalField(key: "distance_miles") public var distanceMiles: Double?
    @Parent(key: "establishment_id") public var establishment: EstablishmentRecord
    @Field(key: "provider_id") public var providerID: UUID
    @Field(key: "authority_id") public var authorityID: UUID
    @Field(key: "contract_name") public var contractName: String
    @Field(key: "start_date") public var startDate: String
    @Field(key: "weekly_fee_pence") public var weeklyFeePence: Int
    @Field(key: "core_json") public var coreJSON: String
    @Field(key: "variable_json") public var variableJSON: String
    @Field(key: "discount_bp") public var discountBasisPoints: Int
    @Field(key: "outcomes_json") public var outcomesJSON: String
    @Field(key: "review_dates_json") public var reviewDatesJSON: String
    @Field(key: "direct") public var direct: Bool
    @OptionalField(key: "justification") public var justification: String?
    @OptionalField(key: "authority_accepted_at") public var authorityAcceptedAt: Date?
    @OptionalField(key: "authority_accepted_by") public var authorityAcceptedBy: String?
    @OptionalField(key: "provider_accepted_at") public var providerAcceptedAt: Date?
    @OptionalField(key: "provider_accepted_by") public var providerAcceptedBy: String?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// One line of what a referral asks for, as a row reports and publication can query: a need (with its
/// area code from `NeedArea` and its marks), a must-have, a desirable (marks) or an outcome, in order.
public final class ReferralItemRecord: Model, @unchecked Sendable {
    public static let schema = "referral_items"

    @ID(key: .id) public var id: UUID?
    @Field(key: "referral_id") public var referralID: UUID
    /// `need`, `must_have`, `desirable` or `outcome`.
    @Field(key: "kind") public var kind: String
    /// The id bids refer to: `n1`, `m1`, `d1`, `o1`.
    @Field(key: "item_id") public var itemID: String
    @Field(key: "position") public var position: Int
    @OptionalField(key: "code") public var code: String?
    @Field(key: "text") public var text: String
    @OptionalField(key: "marks") public var marks: Int?

    public init() {}

    public init(referralID: UUID, kind: String, itemID: String, position: Int, code: String?, text: String, marks: Int?)
    {
        self.referralID = referralID
        self.kind = kind
        self.itemID = itemID
        self.position = position
        self.code = code
        self.text = text
        self.marks = marks
    }
}

/// One priced line of a bid, as a row cost reports can query: a core line of the approved schedule (by its
/// key) or a variable item (by its description), weekly, in pence.
public final class BidLineRecord: Model, @unchecked Sendable {
    public static let schema = "bid_lines"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bid_id") public var bidID: UUID
    @Field(key: "referral_id") public var referralID: UUID
    /// `core` or `variable`.
    @Field(key: "kind") public var kind: String
    @Field(key: "position") public var position: Int
    @OptionalField(key: "line_key") public var lineKey: String?
    @OptionalField(key: "description") public var description: String?
    @Field(key: "weekly_pence") public var weeklyPence: Int

    public init() {}

    public init(
        bidID: UUID, referralID: UUID, kind: String, position: Int, lineKey: String?, description: String?,
        weeklyPence: Int
    ) {
        self.bidID = bidID
        self.referralID = referralID
        self.kind = kind
        self.position = position
        self.lineKey = lineKey
        self.description = description
        self.weeklyPence = weeklyPence
    }
}

/// A need, must-have or desirable of the referral (by its item id: `n1`, `m1`, `d1`) that a bid says it meets.
public final class BidItemMetRecord: Model, @unchecked Sendable {
    public static let schema = "bid_items_met"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bid_id") public var bidID: UUID
    @Field(key: "referral_id") public var referralID: UUID
    @Field(key: "item_id") public var itemID: String

    public init() {}

    public init(bidID: UUID, referralID: UUID, itemID: String) {
        self.bidID = bidID
        self.referralID = referralID
        self.itemID = itemID
    }
}

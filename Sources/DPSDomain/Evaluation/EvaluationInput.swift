import Foundation

/// Everything needed to score one referral's bids, in the shape of the published JSON contract
/// read by `dps evaluate FILE` and `POST /api/v1/evaluations/preview`.
///
/// It is a self-contained snapshot (weights, needs, features, bids) so that evaluation is a pure
/// function that can be re-run and audited later with identical results.
public struct EvaluationInput: Sendable, Hashable, Codable {
    /// Weeks per year of the placement pattern (38, 42, 52…); annual cost = weekly cost × this.
    public var weeksPerYear: Int
    /// The referral's weighting, points out of 100.
    public var weights: EvaluationWeights
    /// Optional category bounds that narrow the standard weight bounds (§7 table).
    public var bounds: EvaluationBounds?
    /// The child's needs with their marks; "needs met" is scored against the total of these marks.
    public var needs: [EvaluationMarkedItem]
    /// Features a bid must meet to be compliant.
    public var mustHaves: [String]
    /// Desirable features with marks, scored like needs.
    public var desirables: [EvaluationMarkedItem]
    /// Parent-choice settings; absent means parent choice does not apply.
    public var parentChoice: EvaluationParentChoice?
    /// The bids received by the deadline (and any that were not, flagged `late`).
    public var bids: [EvaluationBid]

    /// Creates an input; list parameters default to empty so simple referrals stay short to write.
    public init(
        weeksPerYear: Int,
        weights: EvaluationWeights = EvaluationWeights(),
        bounds: EvaluationBounds? = nil,
        needs: [EvaluationMarkedItem] = [],
        mustHaves: [String] = [],
        desirables: [EvaluationMarkedItem] = [],
        parentChoice: EvaluationParentChoice? = nil,
        bids: [EvaluationBid]
    ) {
        self.weeksPerYear = weeksPerYear
        self.weights = weights
        self.bounds = bounds
        self.needs = needs
        self.mustHaves = mustHaves
        self.desirables = desirables
        self.parentChoice = parentChoice
        self.bids = bids
    }

    private enum CodingKeys: String, CodingKey {
        case weeksPerYear, weights, bounds, needs, mustHaves, desirables, parentChoice, bids
    }

    /// Decodes the contract; the lists of needs, must-haves and desirables may be omitted (empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weeksPerYear = try c.decodeEvaluationWholeNumber(forKey: .weeksPerYear)
        weights = try c.decode(EvaluationWeights.self, forKey: .weights)
        bounds = try c.decodeIfPresent(EvaluationBounds.self, forKey: .bounds)
        needs = try c.decodeIfPresent([EvaluationMarkedItem].self, forKey: .needs) ?? []
        mustHaves = try c.decodeIfPresent([String].self, forKey: .mustHaves) ?? []
        desirables = try c.decodeIfPresent([EvaluationMarkedItem].self, forKey: .desirables) ?? []
        parentChoice = try c.decodeIfPresent(EvaluationParentChoice.self, forKey: .parentChoice)
        bids = try c.decode([EvaluationBid].self, forKey: .bids)
    }
}

/// A need or desirable feature and the marks it carries, so important needs can count for more.
public struct EvaluationMarkedItem: Sendable, Hashable, Codable {
    /// Identifier that bids refer to in `needsMet` / `desirablesMet`.
    public var id: String
    /// Marks for meeting it (default 1 per §6); must be 0 or more.
    public var marks: Int

    /// Creates an item; marks default to 1 as in the referral form.
    public init(id: String, marks: Int = 1) {
        self.id = id
        self.marks = marks
    }

    private enum CodingKeys: String, CodingKey { case id, marks }

    /// Decodes an item; `marks` may be omitted (1, the referral form's default).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        marks = try c.decodeEvaluationWholeNumberIfPresent(forKey: .marks) ?? 1
    }
}

/// The points out of 100 given to each criterion for one referral (§7).
///
/// Whole points: the published bounds and defaults are whole numbers, and integers keep the
/// sum-to-100 rule exact.
public struct EvaluationWeights: Sendable, Hashable, Codable {
    public var price: Int
    public var coreCompetency: Int
    public var outcomes: Int
    public var needs: Int
    public var location: Int
    public var desirables: Int
    public var incentives: Int

    /// Creates weights; the defaults are the published defaults (50/20/15/10/5/0/0).
    public init(
        price: Int = 50, coreCompetency: Int = 20, outcomes: Int = 15, needs: Int = 10,
        location: Int = 5, desirables: Int = 0, incentives: Int = 0
    ) {
        self.price = price
        self.coreCompetency = coreCompetency
        self.outcomes = outcomes
        self.needs = needs
        self.location = location
        self.desirables = desirables
        self.incentives = incentives
    }

    /// The published defaults.
    public static let defaults = EvaluationWeights()

    /// Sum of all weights; must be exactly 100.
    public var sum: Int { price + coreCompetency + outcomes + needs + location + desirables + incentives }

    private enum CodingKeys: String, CodingKey {
        case price, coreCompetency, outcomes, needs, location, desirables, incentives
    }

    /// Decodes weights; `desirables` and `incentives` may be omitted (0), the rest are required so
    /// that a referral never silently inherits a default it did not publish.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        price = try c.decodeEvaluationWholeNumber(forKey: .price)
        coreCompetency = try c.decodeEvaluationWholeNumber(forKey: .coreCompetency)
        outcomes = try c.decodeEvaluationWholeNumber(forKey: .outcomes)
        needs = try c.decodeEvaluationWholeNumber(forKey: .needs)
        location = try c.decodeEvaluationWholeNumber(forKey: .location)
        desirables = try c.decodeEvaluationWholeNumberIfPresent(forKey: .desirables) ?? 0
        incentives = try c.decodeEvaluationWholeNumberIfPresent(forKey: .incentives) ?? 0
    }
}

/// An inclusive range of whole points allowed for one weight.
public struct EvaluationWeightRange: Sendable, Hashable, Codable {
    public var min: Int
    public var max: Int

    public init(min: Int, max: Int) {
        self.min = min
        self.max = max
    }

    private enum CodingKeys: String, CodingKey { case min, max }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        min = try c.decodeEvaluationWholeNumber(forKey: .min)
        max = try c.decodeEvaluationWholeNumber(forKey: .max)
    }

    /// Whether `value` lies within the range, both ends included.
    public func contains(_ value: Int) -> Bool { value >= min && value <= max }
}

/// Category-specific bounds for the weights, set in the DPS documents.
///
/// Each present range narrows (intersects) the standard bounds; a category cannot widen them,
/// because the published method caps price at 30-70, core competency at 20 and location at 5.
public struct EvaluationBounds: Sendable, Hashable, Codable {
    public var price: EvaluationWeightRange?
    public var coreCompetency: EvaluationWeightRange?
    public var outcomes: EvaluationWeightRange?
    public var needs: EvaluationWeightRange?
    public var location: EvaluationWeightRange?
    public var desirables: EvaluationWeightRange?
    public var incentives: EvaluationWeightRange?

    public init(
        price: EvaluationWeightRange? = nil, coreCompetency: EvaluationWeightRange? = nil,
        outcomes: EvaluationWeightRange? = nil, needs: EvaluationWeightRange? = nil,
        location: EvaluationWeightRange? = nil, desirables: EvaluationWeightRange? = nil,
        incentives: EvaluationWeightRange? = nil
    ) {
        self.price = price
        self.coreCompetency = coreCompetency
        self.outcomes = outcomes
        self.needs = needs
        self.location = location
        self.desirables = desirables
        self.incentives = incentives
    }
}

/// Parent-choice settings for a referral [BC 8.8].
public struct EvaluationParentChoice: Sendable, Hashable, Codable {
    /// Whether the parent or carer chooses among close bids.
    public var enabled: Bool
    /// Width of the band below the top total: a bid is in the band when it is strictly less than
    /// this many points below the top (the DPS reads "5%" as 5 points).
    public var bandPoints: Points
    /// Most bids on the shortlist, the top one included (default 3).
    public var maxShortlist: Int

    public init(enabled: Bool, bandPoints: Points = 5, maxShortlist: Int = 3) {
        self.enabled = enabled
        self.bandPoints = bandPoints
        self.maxShortlist = maxShortlist
    }

    private enum CodingKeys: String, CodingKey { case enabled, bandPoints, maxShortlist }

    /// Decodes the settings; `bandPoints` and `maxShortlist` default to the DPS defaults (5, 3).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decode(Bool.self, forKey: .enabled)
        bandPoints = try c.decodeIfPresent(Points.self, forKey: .bandPoints) ?? 5
        maxShortlist = try c.decodeEvaluationWholeNumberIfPresent(forKey: .maxShortlist) ?? 3
    }
}

/// One provider's bid, reduced to the facts the scoring method uses.
///
/// Scores (`qualificationScore`, `outcomesScore`, `incentivesScore`) are held exactly to six decimal places
/// (`Score`) so a carried-forward 74.5 or a moderated 3.3333 reaches the formula unrounded.
public struct EvaluationBid: Sendable, Hashable, Codable {
    /// Unique within the input; used for ranking output and tie-free identification.
    public var id: String
    /// Weekly cost after discounts, in pence.
    public var weeklyCostPence: Int
    /// Qualification score in force when the referral was published, 0-100.
    public var qualificationScore: Score
    /// Consensus outcomes score, 0-5.
    public var outcomesScore: Score
    /// Ids of the referral's needs this bid meets.
    public var needsMet: [String]
    /// Ids of the must-have features this bid meets.
    public var mustHavesMet: [String]
    /// Ids of the desirable features this bid meets.
    public var desirablesMet: [String]
    /// Great-circle distance from the child's home, in miles.
    public var distanceMiles: Double
    /// Officer's incentive score, 0-5.
    public var incentivesScore: Score
    /// Final submission time, the last tie-break.
    public var submittedAt: Date
    /// A core cost line was raised above the approved schedule [BC 7.4]: non-compliant.
    public var coreCostRaised: Bool
    /// The cohort/sibling discount is below the establishment's published tier: non-compliant.
    public var discountBelowPublished: Bool
    /// The bid arrived after the deadline: non-compliant.
    public var late: Bool

    public init(
        id: String, weeklyCostPence: Int, qualificationScore: Score, outcomesScore: Score,
        needsMet: [String] = [], mustHavesMet: [String] = [], desirablesMet: [String] = [],
        distanceMiles: Double, incentivesScore: Score = .zero, submittedAt: Date,
        coreCostRaised: Bool = false, discountBelowPublished: Bool = false, late: Bool = false
    ) {
        self.id = id
        self.weeklyCostPence = weeklyCostPence
        self.qualificationScore = qualificationScore
        self.outcomesScore = outcomesScore
        self.needsMet = needsMet
        self.mustHavesMet = mustHavesMet
        self.desirablesMet = desirablesMet
        self.distanceMiles = distanceMiles
        self.incentivesScore = incentivesScore
        self.submittedAt = submittedAt
        self.coreCostRaised = coreCostRaised
        self.discountBelowPublished = discountBelowPublished
        self.late = late
    }

    private enum CodingKeys: String, CodingKey {
        case id, weeklyCostPence, qualificationScore, outcomesScore, needsMet, mustHavesMet, desirablesMet
        case distanceMiles, incentivesScore, submittedAt, coreCostRaised, discountBelowPublished, late
    }

    /// Decodes a bid; lists, `incentivesScore` and the compliance flags may be omitted (empty, 0,
    /// false). `submittedAt` is ISO-8601 text with or without fractional seconds, whatever date
    /// strategy the decoder has, so every entry point reads the contract the same way.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        weeklyCostPence = try c.decodeEvaluationWholeNumber(forKey: .weeklyCostPence)
        qualificationScore = try c.decode(Score.self, forKey: .qualificationScore)
        outcomesScore = try c.decode(Score.self, forKey: .outcomesScore)
        needsMet = try c.decodeIfPresent([String].self, forKey: .needsMet) ?? []
        mustHavesMet = try c.decodeIfPresent([String].self, forKey: .mustHavesMet) ?? []
        desirablesMet = try c.decodeIfPresent([String].self, forKey: .desirablesMet) ?? []
        distanceMiles = try c.decode(Double.self, forKey: .distanceMiles)
        incentivesScore = try c.decodeIfPresent(Score.self, forKey: .incentivesScore) ?? .zero
        let text = try c.decode(String.self, forKey: .submittedAt)
        guard let date = EvaluationDateFormat.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .submittedAt, in: c, debugDescription: "expected an ISO-8601 date-time, got \"\(text)\"")
        }
        submittedAt = date
        coreCostRaised = try c.decodeIfPresent(Bool.self, forKey: .coreCostRaised) ?? false
        discountBelowPublished = try c.decodeIfPresent(Bool.self, forKey: .discountBelowPublished) ?? false
        late = try c.decodeIfPresent(Bool.self, forKey: .late) ?? false
    }

    /// Encodes the contract shape; compliance flags are written only when set, as other systems fill them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(weeklyCostPence, forKey: .weeklyCostPence)
        try c.encode(qualificationScore, forKey: .qualificationScore)
        try c.encode(outcomesScore, forKey: .outcomesScore)
        try c.encode(needsMet, forKey: .needsMet)
        try c.encode(mustHavesMet, forKey: .mustHavesMet)
        try c.encode(desirablesMet, forKey: .desirablesMet)
        try c.encode(distanceMiles, forKey: .distanceMiles)
        try c.encode(incentivesScore, forKey: .incentivesScore)
        try c.encode(EvaluationDateFormat.format(submittedAt), forKey: .submittedAt)
        if coreCostRaised { try c.encode(true, forKey: .coreCostRaised) }
        if discountBelowPublished { try c.encode(true, forKey: .discountBelowPublished) }
        if late { try c.encode(true, forKey: .late) }
    }
}

/// ISO-8601 handling for bid submission times.
///
/// Submissions are recorded to the millisecond by some channels and to the second by others;
/// both forms must parse, and formatting keeps fractions only when there are any.
public enum EvaluationDateFormat {
    private static let plain = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Parses `2026-11-20T10:00:00Z`, `2026-11-20T10:00:00.250Z` or with a numeric offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? fractional.parse(text) { return date }
        return try? plain.parse(text)
    }

    /// Formats in UTC, with milliseconds only when the time has a fractional second.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return seconds == seconds.rounded(.down) ? date.formatted(plain) : date.formatted(fractional)
    }
}

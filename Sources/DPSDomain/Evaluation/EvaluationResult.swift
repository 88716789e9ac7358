import Foundation

/// The outcome of evaluating a referral's bids: the ranking, the bids excluded as non-compliant
/// with their reasons, and the parent-choice shortlist.
public struct EvaluationResult: Sendable, Hashable, Codable {
    /// Compliant bids, best first, each with its full breakdown (shown to the provider after award).
    public var ranking: [RankedBid]
    /// Bids excluded before scoring, in input order, with reasons shown to the provider.
    public var nonCompliant: [NonCompliantBid]
    /// Bid ids the parent or carer chooses between; empty when parent choice is off or only one
    /// bid is within the band.
    public var shortlist: [String]

    public init(ranking: [RankedBid], nonCompliant: [NonCompliantBid], shortlist: [String]) {
        self.ranking = ranking
        self.nonCompliant = nonCompliant
        self.shortlist = shortlist
    }
}

/// One compliant bid's place and score.
public struct RankedBid: Sendable, Hashable, Codable {
    public var id: String
    /// 1 for the best bid, then 2, 3… with no shared ranks (tie-breaks always decide).
    public var rank: Int
    /// Sum of the rounded criterion points, so the breakdown adds up exactly.
    public var total: Points
    /// Total minus price points: the first tie-break.
    public var quality: Points
    /// Weekly cost × weeks per year, in pence: the second tie-break and the price basis.
    public var annualCostPence: Int
    /// Points per criterion, each rounded half away from zero to hundredths.
    public var points: EvaluationBreakdown

    public init(
        id: String, rank: Int, total: Points, quality: Points, annualCostPence: Int, points: EvaluationBreakdown
    ) {
        self.id = id
        self.rank = rank
        self.total = total
        self.quality = quality
        self.annualCostPence = annualCostPence
        self.points = points
    }
}

/// Points awarded per criterion, already rounded; the keys mirror `EvaluationWeights`.
public struct EvaluationBreakdown: Sendable, Hashable, Codable {
    public var price: Points
    public var coreCompetency: Points
    public var outcomes: Points
    public var needs: Points
    public var location: Points
    public var desirables: Points
    public var incentives: Points

    public init(
        price: Points, coreCompetency: Points, outcomes: Points, needs: Points,
        location: Points, desirables: Points, incentives: Points
    ) {
        self.price = price
        self.coreCompetency = coreCompetency
        self.outcomes = outcomes
        self.needs = needs
        self.location = location
        self.desirables = desirables
        self.incentives = incentives
    }

    /// Sum of every criterion.
    public var total: Points { price + quality }

    /// Every criterion except price.
    public var quality: Points { coreCompetency + outcomes + needs + location + desirables + incentives }
}

/// A bid excluded before scoring, with the reasons recorded and shown to the provider.
public struct NonCompliantBid: Sendable, Hashable, Codable {
    public var id: String
    /// Reasons in a stable order: must-haves in the referral's order, then raised core cost,
    /// discount below the published tier, late arrival.
    public var reasons: [NonComplianceReason]

    public init(id: String, reasons: [NonComplianceReason]) {
        self.id = id
        self.reasons = reasons
    }
}

/// Why a bid is non-compliant (§7 "Compliance first").
///
/// Typed so callers can count or translate reasons, yet encoded as the plain-English sentence
/// of the contract (`"must-have not met: m1"`).
public enum NonComplianceReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The bid does not meet the named must-have feature.
    case mustHaveNotMet(String)
    /// A core cost line is above the approved schedule [BC 7.4].
    case coreCostRaised
    /// The discount is below the establishment's published tier.
    case discountBelowPublished
    /// The bid arrived after the deadline.
    case late
    /// A value of the bid cannot be scored (for example a weekly cost of £0): the bid is set aside so
    /// the rest of the referral can still be evaluated and awarded.
    case cannotBeScored(String)
    /// The provider's membership of the category was suspended (or removed) when bids closed (DOMAIN §5).
    case membershipSuspended

    private static let mustHavePrefix = "must-have not met: "
    private static let cannotBeScoredPrefix = "cannot be scored: "

    /// The sentence shown to providers and written to JSON.
    public var message: String {
        switch self {
        case .mustHaveNotMet(let id): Self.mustHavePrefix + id
        case .coreCostRaised: "core cost raised above the approved schedule"
        case .discountBelowPublished: "discount below the published tier"
        case .late: "bid arrived after the deadline"
        case .cannotBeScored(let why): Self.cannotBeScoredPrefix + why
        case .membershipSuspended: "membership suspended when bids closed"
        }
    }

    public var description: String { message }

    /// Reads a reason back from its sentence; nil for text that is not one of the sentences.
    public init?(message: String) {
        switch message {
        case Self.coreCostRaised.message: self = .coreCostRaised
        case Self.discountBelowPublished.message: self = .discountBelowPublished
        case Self.late.message: self = .late
        case Self.membershipSuspended.message: self = .membershipSuspended
        default:
            if message.hasPrefix(Self.cannotBeScoredPrefix) {
                self = .cannotBeScored(String(message.dropFirst(Self.cannotBeScoredPrefix.count)))
                return
            }
            guard message.hasPrefix(Self.mustHavePrefix) else { return nil }
            self = .mustHaveNotMet(String(message.dropFirst(Self.mustHavePrefix.count)))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let reason = NonComplianceReason(message: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown reason \"\(text)\"")
        }
        self = reason
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(message)
    }
}

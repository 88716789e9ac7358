/// The seven published award criteria (§7), with their standard weight bounds.
///
/// Naming the criteria once lets validation, the referral form and the breakdown agree on the
/// keys (`price`, `coreCompetency`…) and on which criteria the published method caps.
public enum EvaluationCriterion: String, Sendable, Hashable, CaseIterable, Codable {
    case price, coreCompetency, outcomes, needs, location, desirables, incentives

    /// Bounds in the published method: price 30-70 (50/50 varied 20 either way), core competency
    /// 0-20, location 0-5; the rest are free (0-100) subject to the sum of 100.
    public var standardRange: EvaluationWeightRange {
        switch self {
        case .price: EvaluationWeightRange(min: 30, max: 70)
        case .coreCompetency: EvaluationWeightRange(min: 0, max: 20)
        case .location: EvaluationWeightRange(min: 0, max: 5)
        case .outcomes, .needs, .desirables, .incentives: EvaluationWeightRange(min: 0, max: 100)
        }
    }

    /// The limits no category may go beyond (the standard range): price is always a significant share
    /// (30-70) so referrals stay competitive on cost, the carried-forward qualification score is capped at 20,
    /// and location at 5 so distance never outweighs quality.
    public var hardBounds: ClosedRange<Int> { standardRange.min...standardRange.max }

    /// The default weights, which add up to 100 (§7 worked example).
    public var defaultPoints: Int {
        switch self {
        case .price: 50
        case .coreCompetency: 20
        case .outcomes: 15
        case .needs: 10
        case .location: 5
        case .desirables, .incentives: 0
        }
    }

    /// The criterion's name as people read it on forms, pages and feedback.
    public var label: String {
        switch self {
        case .price: "Price"
        case .coreCompetency: "Core competency"
        case .outcomes: "Outcomes approach"
        case .needs: "Needs met"
        case .location: "Location"
        case .desirables: "Desirable features"
        case .incentives: "Incentivisation"
        }
    }

    /// This criterion's weight.
    public func weight(in weights: EvaluationWeights) -> Int {
        switch self {
        case .price: weights.price
        case .coreCompetency: weights.coreCompetency
        case .outcomes: weights.outcomes
        case .needs: weights.needs
        case .location: weights.location
        case .desirables: weights.desirables
        case .incentives: weights.incentives
        }
    }

    /// The category's own range for this criterion, if it sets one.
    public func range(in bounds: EvaluationBounds) -> EvaluationWeightRange? {
        switch self {
        case .price: bounds.price
        case .coreCompetency: bounds.coreCompetency
        case .outcomes: bounds.outcomes
        case .needs: bounds.needs
        case .location: bounds.location
        case .desirables: bounds.desirables
        case .incentives: bounds.incentives
        }
    }

    /// This criterion's points in a breakdown.
    public func points(in breakdown: EvaluationBreakdown) -> Points {
        switch self {
        case .price: breakdown.price
        case .coreCompetency: breakdown.coreCompetency
        case .outcomes: breakdown.outcomes
        case .needs: breakdown.needs
        case .location: breakdown.location
        case .desirables: breakdown.desirables
        case .incentives: breakdown.incentives
        }
    }

    /// The range a referral may actually use: the standard range narrowed by the category's range.
    /// Nil when the two do not overlap (or the category range is inverted), i.e. no weight is valid.
    public func allowedRange(bounds: EvaluationBounds?) -> EvaluationWeightRange? {
        let standard = standardRange
        guard let category = bounds.flatMap({ range(in: $0) }) else { return standard }
        let low = Swift.max(standard.min, category.min)
        let high = Swift.min(standard.max, category.max)
        guard category.min <= category.max, low <= high else { return nil }
        return EvaluationWeightRange(min: low, max: high)
    }
}

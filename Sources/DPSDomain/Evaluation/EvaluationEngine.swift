import Foundation

/// Scores and ranks a referral's bids by the published method (§7).
///
/// Pure and deterministic: the same input always gives the same result, so a preview, the live
/// evaluation and a later audit agree. All arithmetic is in integers (pence, hundredths of a
/// point); each criterion is rounded half away from zero once and the total is the sum of the
/// rounded criteria. Runs in O(n log n) in the number of bids (one sort, hashed look-ups).
public enum EvaluationEngine {
    /// Limits that keep every product in the scoring formulas inside Int64, far above real values.
    public enum Limits {
        /// £10bn a week: no real placement comes near, and weekly × 52 × 10,000 still fits in Int64.
        public static let maximumWeeklyCostPence = 1_000_000_000_000
        /// Marks per need or desirable.
        public static let maximumMarks = 1_000_000
    }

    /// Validates then evaluates, throwing the first problem found (see `validate` for all of them).
    public static func evaluate(_ input: EvaluationInput) throws(EvaluationError) -> EvaluationResult {
        if let problem = validate(input).first { throw problem }
        return score(input)
    }

    /// Evaluates a live referral: problems of the referral itself (weights, weeks, needs) still throw, but a
    /// bid whose own values cannot be scored (a weekly cost of 0, a score out of range, an unknown need) is
    /// set aside as non-compliant with the reason, so one bad bid never stops the whole referral.
    public static func evaluateSettingAsideUnscorable(_ input: EvaluationInput) throws(EvaluationError)
        -> EvaluationResult
    {
        var referralLevel = input
        referralLevel.bids = []
        if let problem = validate(referralLevel).first { throw problem }
        let needMarks = Dictionary(input.needs.map { ($0.id, $0.marks) }, uniquingKeysWith: { first, _ in first })
        let desirableMarks = Dictionary(
            input.desirables.map { ($0.id, $0.marks) }, uniquingKeysWith: { first, _ in first })
        var scorable = input
        scorable.bids = []
        var setAside: [NonCompliantBid] = []
        var seen = Set<String>()
        for (index, bid) in input.bids.enumerated() {
            var problems: [EvaluationError] = []
            validateBid(
                bid, index: index, needMarks: needMarks, desirableMarks: desirableMarks, seenIds: &seen, into: &problems
            )
            if problems.isEmpty {
                scorable.bids.append(bid)
            } else {
                setAside.append(NonCompliantBid(id: bid.id, reasons: problems.map { .cannotBeScored($0.message) }))
            }
        }
        var result = score(scorable)
        result.nonCompliant += setAside
        return result
    }

    /// Every problem with the input, in input order (weights first); empty when it can be evaluated.
    public static func validate(_ input: EvaluationInput) -> [EvaluationError] {
        var problems = validateWeights(input.weights, bounds: input.bounds)

        if !(1...52).contains(input.weeksPerYear) {
            problems.append(
                EvaluationError(
                    rule: "weeks-per-year", field: "weeksPerYear",
                    message: "weeks per year must be between 1 and 52, got \(input.weeksPerYear)"))
        }

        let needMarks = validateMarkedItems(input.needs, field: "needs", noun: "need", into: &problems)
        let desirableMarks = validateMarkedItems(
            input.desirables, field: "desirables", noun: "desirable", into: &problems)

        var mustHaves = Set<String>()
        for (index, id) in input.mustHaves.enumerated() where !mustHaves.insert(id).inserted {
            problems.append(
                EvaluationError(
                    rule: "duplicate-must-have", field: "mustHaves[\(index)]",
                    message: "must-have \"\(id)\" is listed twice"))
        }

        if let choice = input.parentChoice, choice.enabled {
            if choice.bandPoints <= .zero {
                problems.append(
                    EvaluationError(
                        rule: "band-points", field: "parentChoice.bandPoints",
                        message: "the parent-choice band must be greater than 0 points, got \(choice.bandPoints)"))
            }
            if choice.maxShortlist < 2 {
                problems.append(
                    EvaluationError(
                        rule: "max-shortlist", field: "parentChoice.maxShortlist",
                        message: "a shortlist must allow at least 2 bids, got \(choice.maxShortlist)"))
            }
        }

        var bidIds = Set<String>()
        for (index, bid) in input.bids.enumerated() {
            validateBid(
                bid, index: index, needMarks: needMarks, desirableMarks: desirableMarks,
                seenIds: &bidIds, into: &problems)
        }
        return problems
    }

    /// Every problem with a weighting: negative weights, weights outside the standard bounds
    /// narrowed by the category's `bounds`, inverted or non-overlapping bounds, and a sum other
    /// than 100. Used by the referral form to show all problems at once.
    public static func validateWeights(_ weights: EvaluationWeights, bounds: EvaluationBounds? = nil)
        -> [EvaluationError]
    {
        var problems: [EvaluationError] = []
        for criterion in EvaluationCriterion.allCases {
            let name = criterion.rawValue
            let weight = criterion.weight(in: weights)
            if weight < 0 {
                problems.append(
                    EvaluationError(
                        rule: "weight-negative", field: "weights.\(name)",
                        message: "\(name) weight must not be negative, got \(weight)"))
                continue
            }
            guard let allowed = criterion.allowedRange(bounds: bounds) else {
                let given = bounds.flatMap { criterion.range(in: $0) }
                problems.append(
                    EvaluationError(
                        rule: "bounds-invalid", field: "bounds.\(name)",
                        message: "\(name) bounds \(given.map { "\($0.min)-\($0.max)" } ?? "") leave no allowed weight "
                            + "within the published \(criterion.standardRange.min)-\(criterion.standardRange.max)"))
                continue
            }
            if !allowed.contains(weight) {
                problems.append(
                    EvaluationError(
                        rule: "weight-out-of-bounds", field: "weights.\(name)",
                        message: "\(name) weight \(weight) is outside the allowed \(allowed.min)-\(allowed.max)"))
            }
        }
        // Sum without overflow even for absurd inputs.
        let (sum, overflow) = EvaluationCriterion.allCases.reduce((0, false)) { partial, criterion in
            let (value, didOverflow) = partial.0.addingReportingOverflow(criterion.weight(in: weights))
            return (value, partial.1 || didOverflow)
        }
        if overflow || sum != 100 {
            problems.append(
                EvaluationError(
                    rule: "weights-sum", field: "weights",
                    message:
                        "weights must add up to 100, they add up to \(overflow ? "more than Int.max" : String(sum))"))
        }
        return problems
    }

    // MARK: - Validation helpers

    /// Checks ids are unique and marks in range; returns marks by id for the bids' checks.
    private static func validateMarkedItems(
        _ items: [EvaluationMarkedItem], field: String, noun: String, into problems: inout [EvaluationError]
    ) -> [String: Int] {
        var marks: [String: Int] = [:]
        marks.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if !(0...Limits.maximumMarks).contains(item.marks) {
                problems.append(
                    EvaluationError(
                        rule: "marks-range", field: "\(field)[\(index)].marks",
                        message:
                            "marks for \(noun) \"\(item.id)\" must be between 0 and \(Limits.maximumMarks), "
                            + "got \(item.marks)"
                    ))
            }
            if marks.updateValue(item.marks, forKey: item.id) != nil {
                problems.append(
                    EvaluationError(
                        rule: "duplicate-\(noun)-id", field: "\(field)[\(index)].id",
                        message: "\(noun) \"\(item.id)\" is listed twice"))
            }
        }
        return marks
    }

    private static func validateBid(
        _ bid: EvaluationBid, index: Int, needMarks: [String: Int], desirableMarks: [String: Int],
        seenIds: inout Set<String>, into problems: inout [EvaluationError]
    ) {
        let path = "bids[\(index)]"
        if bid.id.isEmpty {
            problems.append(EvaluationError(rule: "bid-id-empty", field: "\(path).id", message: "a bid needs an id"))
        } else if !seenIds.insert(bid.id).inserted {
            problems.append(
                EvaluationError(
                    rule: "duplicate-bid-id", field: "\(path).id",
                    message: "bid id \"\(bid.id)\" is used more than once"))
        }
        if !(1...Limits.maximumWeeklyCostPence).contains(bid.weeklyCostPence) {
            problems.append(
                EvaluationError(
                    rule: "cost-range", field: "\(path).weeklyCostPence",
                    message:
                        "weekly cost must be more than 0 pence and at most \(Limits.maximumWeeklyCostPence), "
                        + "got \(bid.weeklyCostPence)"
                ))
        }
        if !bid.distanceMiles.isFinite || bid.distanceMiles < 0 {
            problems.append(
                EvaluationError(
                    rule: "distance-range", field: "\(path).distanceMiles",
                    message: "distance must be 0 miles or more, got \(bid.distanceMiles)"))
        }
        checkScore(
            bid.qualificationScore, max: 100, field: "\(path).qualificationScore", name: "qualification score",
            into: &problems)
        checkScore(bid.outcomesScore, max: 5, field: "\(path).outcomesScore", name: "outcomes score", into: &problems)
        checkScore(
            bid.incentivesScore, max: 5, field: "\(path).incentivesScore", name: "incentives score", into: &problems)
        for (j, id) in bid.needsMet.enumerated() where needMarks[id] == nil {
            problems.append(
                EvaluationError(
                    rule: "unknown-need", field: "\(path).needsMet[\(j)]",
                    message: "need \"\(id)\" is not one of the referral's needs"))
        }
        for (j, id) in bid.desirablesMet.enumerated() where desirableMarks[id] == nil {
            problems.append(
                EvaluationError(
                    rule: "unknown-desirable", field: "\(path).desirablesMet[\(j)]",
                    message: "desirable \"\(id)\" is not one of the referral's desirable features"))
        }
    }

    private static func checkScore(
        _ score: Score, max: Int, field: String, name: String, into problems: inout [EvaluationError]
    ) {
        if score < .zero || score > Score(whole: max) {
            problems.append(
                EvaluationError(
                    rule: "score-range", field: field, message: "\(name) must be between 0 and \(max), got \(score)"))
        }
    }

    // MARK: - Scoring

    /// Sort keys of one compliant bid, kept small so sorting moves little data.
    private struct RankKey {
        let position: Int
        let total: Int
        let quality: Int
        let annual: Int
        let submittedAt: Date

        /// Total desc, quality desc, annual cost asc, submission asc; the caller breaks any
        /// remaining tie by id so the order never depends on input order.
        static func compare(_ a: RankKey, _ b: RankKey) -> Bool? {
            if a.total != b.total { return a.total > b.total }
            if a.quality != b.quality { return a.quality > b.quality }
            if a.annual != b.annual { return a.annual < b.annual }
            if a.submittedAt != b.submittedAt { return a.submittedAt < b.submittedAt }
            return nil
        }
    }

    /// Scores an input already known to be valid.
    static func score(_ input: EvaluationInput) -> EvaluationResult {
        var compliant: [Int] = []
        var nonCompliant: [NonCompliantBid] = []
        let mustHaves = input.mustHaves
        for (index, bid) in input.bids.enumerated() {
            let reasons = nonComplianceReasons(bid, mustHaves: mustHaves)
            if reasons.isEmpty {
                compliant.append(index)
            } else {
                nonCompliant.append(NonCompliantBid(id: bid.id, reasons: reasons))
            }
        }
        let weeks = input.weeksPerYear
        guard let lowest = compliant.lazy.map({ input.bids[$0].weeklyCostPence * weeks }).min() else {
            return EvaluationResult(ranking: [], nonCompliant: nonCompliant, shortlist: [])
        }

        let needMarks = Dictionary(input.needs.map { ($0.id, $0.marks) }, uniquingKeysWith: { first, _ in first })
        let desirableMarks = Dictionary(
            input.desirables.map { ($0.id, $0.marks) }, uniquingKeysWith: { first, _ in first })
        let totalNeedMarks = needMarks.values.reduce(0, +)
        let totalDesirableMarks = desirableMarks.values.reduce(0, +)
        let w = input.weights

        var breakdowns: [EvaluationBreakdown] = []
        var keys: [RankKey] = []
        breakdowns.reserveCapacity(compliant.count)
        keys.reserveCapacity(compliant.count)
        for index in compliant {
            let bid = input.bids[index]
            let annual = bid.weeklyCostPence * weeks
            let breakdown = EvaluationBreakdown(
                price: pricePoints(weight: w.price, lowest: lowest, annual: annual),
                coreCompetency: scaledPoints(weight: w.coreCompetency, score: bid.qualificationScore, outOf: 100),
                outcomes: scaledPoints(weight: w.outcomes, score: bid.outcomesScore, outOf: 5),
                needs: marksPoints(weight: w.needs, met: bid.needsMet, marks: needMarks, total: totalNeedMarks),
                location: locationPoints(weight: w.location, miles: bid.distanceMiles),
                desirables: marksPoints(
                    weight: w.desirables, met: bid.desirablesMet, marks: desirableMarks, total: totalDesirableMarks),
                incentives: scaledPoints(weight: w.incentives, score: bid.incentivesScore, outOf: 5))
            let quality = breakdown.quality.hundredths
            keys.append(
                RankKey(
                    position: breakdowns.count, total: quality + breakdown.price.hundredths, quality: quality,
                    annual: annual, submittedAt: bid.submittedAt))
            breakdowns.append(breakdown)
        }
        keys.sort { a, b in
            RankKey.compare(a, b) ?? (input.bids[compliant[a.position]].id < input.bids[compliant[b.position]].id)
        }

        let ranking = keys.enumerated().map { offset, key in
            RankedBid(
                id: input.bids[compliant[key.position]].id, rank: offset + 1,
                total: Points(hundredths: key.total), quality: Points(hundredths: key.quality),
                annualCostPence: key.annual, points: breakdowns[key.position])
        }
        return EvaluationResult(
            ranking: ranking, nonCompliant: nonCompliant,
            shortlist: shortlist(ranking: ranking, parentChoice: input.parentChoice))
    }

    /// Reasons in a stable order: unmet must-haves in the referral's order, then the flags.
    static func nonComplianceReasons(_ bid: EvaluationBid, mustHaves: [String]) -> [NonComplianceReason] {
        var reasons: [NonComplianceReason] = []
        if !mustHaves.isEmpty {
            let met = Set(bid.mustHavesMet)
            for id in mustHaves where !met.contains(id) { reasons.append(.mustHaveNotMet(id)) }
        }
        if bid.coreCostRaised { reasons.append(.coreCostRaised) }
        if bid.discountBelowPublished { reasons.append(.discountBelowPublished) }
        if bid.late { reasons.append(.late) }
        return reasons
    }

    /// Parent-choice shortlist: the leading bids strictly less than `bandPoints` below the top,
    /// at most `maxShortlist`, and only when at least two qualify; otherwise empty.
    static func shortlist(ranking: [RankedBid], parentChoice: EvaluationParentChoice?) -> [String] {
        guard let choice = parentChoice, choice.enabled, let top = ranking.first?.total else { return [] }
        // Ranking is by total descending, so the band is a prefix.
        let band = ranking.prefix(while: { top - $0.total < choice.bandPoints }).prefix(choice.maxShortlist)
        return band.count >= 2 ? band.map(\.id) : []
    }

    // MARK: - Criteria (all in hundredths)

    /// `w × lowest / annual`.
    static func pricePoints(weight: Int, lowest: Int, annual: Int) -> Points {
        Points(hundredths: EvaluationRounding.divideRoundingHalfAwayFromZero(weight * 100 * lowest, annual))
    }

    /// `w × score / outOf` in hundredths, from the exact score (millionths): w × 100 × (m / 10⁶) / outOf
    /// = w × m / (outOf × 10⁴), rounded once.
    static func scaledPoints(weight: Int, score: Score, outOf: Int) -> Points {
        Points(
            hundredths: EvaluationRounding.divideRoundingHalfAwayFromZero(
                weight * score.millionths, outOf * (Score.scale / 100)))
    }

    /// `w × marks met / total marks`; each met id counts once. With no marks to earn (no items, or
    /// all worth 0) every bid gets the full weight, so an unused criterion never separates bids
    /// and the 100-point scale is kept.
    static func marksPoints(weight: Int, met: [String], marks: [String: Int], total: Int) -> Points {
        guard total > 0 else { return Points(whole: weight) }
        var earned = 0
        if met.count == 1 {
            earned = marks[met[0]] ?? 0
        } else if !met.isEmpty {
            var counted = Set<String>(minimumCapacity: met.count)
            for id in met where counted.insert(id).inserted { earned += marks[id] ?? 0 }
        }
        return Points(hundredths: EvaluationRounding.divideRoundingHalfAwayFromZero(weight * 100 * earned, total))
    }

    /// `w × max(0, 5 − floor(d / 10)) / 5`, exact because 100 is divisible by 5.
    static func locationPoints(weight: Int, miles: Double) -> Points {
        let steps = Swift.max(0, 5 - LocationBand.band(miles: miles))
        return Points(hundredths: weight * 20 * steps)
    }
}

import Foundation

@testable import DPSDomain

/// Shared builders for the evaluation tests, named to avoid clashing with other test files.
enum EvaluationFixtures {
    /// A fixed instant standing in for "the deadline day"; tests never read the clock.
    static let baseTime = Date(timeIntervalSince1970: 1_795_000_000)

    /// A compliant bid with defaults that stay out of the way of the rule under test.
    static func bid(
        _ id: String, weekly: Int = 400_000, qualification: Score = 80, outcomes: Score = 4,
        needsMet: [String] = [], mustHavesMet: [String] = [], desirablesMet: [String] = [],
        miles: Double = 8, incentives: Score = .zero, submittedOffset: TimeInterval = 0,
        coreCostRaised: Bool = false, discountBelowPublished: Bool = false, late: Bool = false
    ) -> EvaluationBid {
        EvaluationBid(
            id: id, weeklyCostPence: weekly, qualificationScore: qualification, outcomesScore: outcomes,
            needsMet: needsMet, mustHavesMet: mustHavesMet, desirablesMet: desirablesMet, distanceMiles: miles,
            incentivesScore: incentives, submittedAt: baseTime.addingTimeInterval(submittedOffset),
            coreCostRaised: coreCostRaised, discountBelowPublished: discountBelowPublished, late: late)
    }

    /// The worked example of DOMAIN.md §7: 52 weeks, needs marked 2,1,1,1, three compliant bids.
    static func workedExample(bQualification: Score = 70, parentChoice: Bool = true) -> EvaluationInput {
        let allNeeds = ["n1", "n2", "n3", "n4"]
        return EvaluationInput(
            weeksPerYear: 52,
            weights: .defaults,
            needs: [
                EvaluationMarkedItem(id: "n1", marks: 2), EvaluationMarkedItem(id: "n2"),
                EvaluationMarkedItem(id: "n3"), EvaluationMarkedItem(id: "n4"),
            ],
            parentChoice: EvaluationParentChoice(enabled: parentChoice),
            bids: [
                bid("A", weekly: 400_000, qualification: 80, outcomes: 4, needsMet: allNeeds, miles: 8),
                // 3 of 5 marks: n1 (2) + n2 (1).
                bid(
                    "B", weekly: 360_000, qualification: bQualification, outcomes: 3, needsMet: ["n1", "n2"],
                    miles: 23),
                bid("C", weekly: 500_000, qualification: 90, outcomes: 5, needsMet: allNeeds, miles: 55),
            ])
    }

    /// Minimal valid input around the given bids (default weights, no needs, no parent choice).
    static func input(
        _ bids: [EvaluationBid], weeks: Int = 52, weights: EvaluationWeights = .defaults,
        needs: [EvaluationMarkedItem] = [], mustHaves: [String] = [], desirables: [EvaluationMarkedItem] = [],
        parentChoice: EvaluationParentChoice? = nil
    ) -> EvaluationInput {
        EvaluationInput(
            weeksPerYear: weeks, weights: weights, needs: needs, mustHaves: mustHaves,
            desirables: desirables, parentChoice: parentChoice, bids: bids)
    }

    /// Evaluates input that the test expects to be valid, failing with the rule if it is not.
    static func evaluate(_ input: EvaluationInput) throws -> EvaluationResult {
        try EvaluationEngine.evaluate(input)
    }
}

extension EvaluationResult {
    /// The ranked bid with this id, for concise assertions.
    func ranked(_ id: String) -> RankedBid? { ranking.first { $0.id == id } }
    /// Ranked ids in order.
    var rankedIds: [String] { ranking.map(\.id) }
}

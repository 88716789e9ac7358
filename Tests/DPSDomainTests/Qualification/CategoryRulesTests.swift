import Foundation
import Testing

@testable import DPSDomain

/// A category that satisfies every rule, for tests to break one rule at a time.
func qualValidCategory() -> CategoryDefinitionSpec {
    CategoryDefinitionSpec(
        name: "SEN placements in INMSS",
        passFail: [
            PassFailQuestionSpec(id: "exclusions", text: "Do none of the mandatory exclusions apply?"),
            PassFailQuestionSpec(
                id: "insurance", text: "Do you hold the required insurances?", requiresEvidence: true,
                evidenceExpires: true),
            PassFailQuestionSpec(
                id: "safeguarding", text: "Do you have a safeguarding policy?", requiresEvidence: true),
        ],
        statements: QualificationScoringTests.statements,
        costLineIds: ["premises", "staffing"],
        costLineNames: ["premises": "Premises", "staffing": "Establishment core staffing"],
        discountTiers: [DiscountTier(children: 2, basisPoints: 500), DiscountTier(children: 3, basisPoints: 750)],
        affordabilityCapPence: 400_000,
        minimumInvitees: 3,
        weightBounds: [.price: WeightBound(min: 40, max: 60), .location: WeightBound(min: 0, max: 5)]
    )
}

@Suite("Category definitions")
struct CategoryRulesTests {
    @Test("a complete definition passes")
    func valid() {
        // MUT / validate
        #expect(CategoryRules.validate(qualValidCategory()).isEmpty)
    }

    @Test("one definition of the award criteria: the category's hard bounds are the evaluation's standard ranges")
    func oneDefinition() {
        // validate: a weight a category may allow is one the evaluation accepts, and the reverse
        for criterion in ReferralCriterion.allCases {
            let standard = EvaluationCriterion(rawValue: criterion.rawValue)!.standardRange
            #expect(criterion.hardBounds == standard.min...standard.max, "\(criterion)")
        }
        #expect(ReferralCriterion.allCases.map(\.rawValue) == EvaluationCriterion.allCases.map(\.rawValue))
    }

    @Test("hard bounds and default points of the referral criteria")
    func criteria() {
        // validate
        #expect(ReferralCriterion.price.hardBounds == 30...70)
        #expect(ReferralCriterion.coreCompetency.hardBounds == 0...20)
        #expect(ReferralCriterion.location.hardBounds == 0...5)
        #expect([ReferralCriterion.outcomes, .needs, .desirables, .incentives].allSatisfy { $0.hardBounds == 0...100 })
        #expect(ReferralCriterion.allCases.map(\.defaultPoints) == [50, 20, 15, 10, 5, 0, 0])
        #expect(ReferralCriterion.allCases.map(\.defaultPoints).reduce(0, +) == 100)
        #expect(ReferralCriterion.allCases.allSatisfy { $0.hardBounds.contains($0.defaultPoints) })
    }

    /// One broken rule and the field it must be reported on.
    static let breaks: [(String, @Sendable (inout CategoryDefinitionSpec) -> Void, [String])] = [
        ("blank name", { $0.name = "  " }, ["name"]),
        ("no pass/fail questions", { $0.passFail = [] }, ["passFail"]),
        ("duplicate question id", { $0.passFail[1].id = "exclusions" }, ["passFail[1].id"]),
        ("blank question text", { $0.passFail[0].text = "" }, ["passFail[0].text"]),
        ("expiry without evidence", { $0.passFail[0].evidenceExpires = true }, ["passFail[0].evidenceExpires"]),
        ("statement weights off", { $0.statements[0].weight = 41 }, ["statements"]),
        ("no cost lines", { $0.costLineIds = [] }, ["costLineIds"]),
        ("duplicate cost line", { $0.costLineIds = ["premises", "premises"] }, ["costLineIds[1]"]),
        ("tier for one child", { $0.discountTiers[0].children = 1 }, ["discountTiers[0]"]),
        ("tiers not increasing", { $0.discountTiers[1].children = 2 }, ["discountTiers[1]"]),
        ("zero discount", { $0.discountTiers[1].basisPoints = 0 }, ["discountTiers[1]"]),
        ("discount over 100%", { $0.discountTiers[0].basisPoints = 10_001 }, ["discountTiers[0]"]),
        ("zero cap", { $0.affordabilityCapPence = 0 }, ["affordabilityCapPence"]),
        ("negative cap", { $0.affordabilityCapPence = -1 }, ["affordabilityCapPence"]),
        ("no invitees", { $0.minimumInvitees = 0 }, ["minimumInvitees"]),
        (
            "bound min above max", { $0.weightBounds[.outcomes] = WeightBound(min: 20, max: 10) },
            ["weightBounds.outcomes"]
        ),
        ("price below hard bound", { $0.weightBounds[.price] = WeightBound(min: 29, max: 60) }, ["weightBounds.price"]),
        (
            "location above hard bound", { $0.weightBounds[.location] = WeightBound(min: 0, max: 6) },
            ["weightBounds.location"]
        ),
        (
            "core competency above hard bound", { $0.weightBounds[.coreCompetency] = WeightBound(min: 0, max: 21) },
            ["weightBounds.coreCompetency"]
        ),
        (
            "mins add up to over 100",
            { spec in
                spec.weightBounds = [
                    .price: WeightBound(min: 70, max: 70), .coreCompetency: WeightBound(min: 20, max: 20),
                    .outcomes: WeightBound(min: 11, max: 20),
                ]
            }, ["weightBounds"]
        ),
        (
            "maxes add up to under 100",
            { spec in
                spec.weightBounds = Dictionary(
                    uniqueKeysWithValues: ReferralCriterion.allCases.map {
                        ($0, WeightBound(min: 0, max: $0.hardBounds.upperBound))
                    })
                spec.weightBounds[.price] = WeightBound(min: 30, max: 50)
                spec.weightBounds[.outcomes] = WeightBound(min: 0, max: 10)
                spec.weightBounds[.needs] = WeightBound(min: 0, max: 10)
                spec.weightBounds[.desirables] = WeightBound(min: 0, max: 0)
                spec.weightBounds[.incentives] = WeightBound(min: 0, max: 0)
            }, ["weightBounds"]
        ),
    ]

    @Test("each broken rule is reported on its field", arguments: breaks)
    func broken(name: String, breakRule: @Sendable (inout CategoryDefinitionSpec) -> Void, fields: [String]) {
        // setup
        var spec = qualValidCategory()
        breakRule(&spec)
        // MUT
        let errors = CategoryRules.validate(spec)
        // validate
        #expect(errors.map(\.field) == fields, "\(name)")
    }

    @Test("bounds that only just reach 100 are accepted")
    func boundsReach100() {
        // setup: exactly the defaults, fixed.
        var spec = qualValidCategory()
        spec.weightBounds = Dictionary(
            uniqueKeysWithValues: ReferralCriterion.allCases.map {
                ($0, WeightBound(min: $0.defaultPoints, max: $0.defaultPoints))
            })
        // MUT / validate
        #expect(CategoryRules.validate(spec).isEmpty)
    }

    @Test("no cap and no discount tiers are allowed")
    func optionalParts() {
        // setup
        var spec = qualValidCategory()
        spec.affordabilityCapPence = nil
        spec.discountTiers = []
        // MUT / validate
        #expect(CategoryRules.validate(spec).isEmpty)
    }
}

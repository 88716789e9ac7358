import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: weights and input validation")
struct EvaluationValidationTests {
    typealias F = EvaluationFixtures

    struct WeightCase: Sendable, CustomTestStringConvertible {
        let name: String
        let weights: EvaluationWeights
        /// Expected (rule, field) pairs; empty means accepted.
        let problems: [String]
        var testDescription: String { name }
    }

    static let weightCases: [WeightCase] = [
        WeightCase(name: "defaults", weights: .defaults, problems: []),
        WeightCase(name: "price 30", weights: EvaluationWeights(price: 30, outcomes: 35), problems: []),
        WeightCase(
            name: "price 70",
            weights: EvaluationWeights(price: 70, coreCompetency: 10, outcomes: 5, needs: 10, location: 5), problems: []
        ),
        WeightCase(
            name: "price 29", weights: EvaluationWeights(price: 29, outcomes: 36),
            problems: ["weight-out-of-bounds weights.price"]),
        WeightCase(
            name: "price 71",
            weights: EvaluationWeights(price: 71, coreCompetency: 10, outcomes: 4, needs: 10, location: 5),
            problems: ["weight-out-of-bounds weights.price"]),
        WeightCase(name: "core 20", weights: EvaluationWeights(coreCompetency: 20), problems: []),
        WeightCase(
            name: "core 21", weights: EvaluationWeights(coreCompetency: 21, outcomes: 14),
            problems: ["weight-out-of-bounds weights.coreCompetency"]),
        WeightCase(name: "location 5", weights: EvaluationWeights(location: 5), problems: []),
        WeightCase(
            name: "location 6", weights: EvaluationWeights(outcomes: 14, location: 6),
            problems: ["weight-out-of-bounds weights.location"]),
        WeightCase(name: "sum 99", weights: EvaluationWeights(outcomes: 14), problems: ["weights-sum weights"]),
        WeightCase(name: "sum 101", weights: EvaluationWeights(outcomes: 16), problems: ["weights-sum weights"]),
        WeightCase(
            name: "negative needs", weights: EvaluationWeights(outcomes: 26, needs: -1),
            problems: ["weight-negative weights.needs"]),
        WeightCase(
            name: "negative incentives and bad sum", weights: EvaluationWeights(incentives: -2),
            problems: ["weight-negative weights.incentives", "weights-sum weights"]),
    ]

    @Test("Weights: published bounds, non-negative, sum of 100", arguments: weightCases)
    func weightBounds(_ c: WeightCase) {
        // setup
        let weights = c.weights

        // MUT
        let problems = EvaluationEngine.validateWeights(weights, bounds: nil)

        // validate
        #expect(problems.map { "\($0.rule) \($0.field)" } == c.problems)
    }

    @Test("Category bounds narrow the published bounds but never widen them")
    func categoryBoundsNarrow() {
        // setup
        let bounds = EvaluationBounds(
            price: EvaluationWeightRange(min: 40, max: 60), location: EvaluationWeightRange(min: 0, max: 10))

        // MUT
        let price35 = EvaluationEngine.validateWeights(EvaluationWeights(price: 35, outcomes: 30), bounds: bounds)
        let price60 = EvaluationEngine.validateWeights(EvaluationWeights(price: 60, coreCompetency: 10), bounds: bounds)
        let price61 = EvaluationEngine.validateWeights(EvaluationWeights(price: 61, coreCompetency: 9), bounds: bounds)
        let location6 = EvaluationEngine.validateWeights(EvaluationWeights(outcomes: 14, location: 6), bounds: bounds)

        // validate
        #expect(price35.map(\.rule) == ["weight-out-of-bounds"])
        #expect(price35.first?.message.contains("40-60") == true)
        #expect(price60.isEmpty)
        #expect(price61.map(\.field) == ["weights.price"])
        #expect(location6.map(\.field) == ["weights.location"])
    }

    @Test("Inverted or non-overlapping category bounds are refused")
    func invalidBounds() {
        // setup
        let inverted = EvaluationBounds(needs: EvaluationWeightRange(min: 15, max: 5))
        let outside = EvaluationBounds(price: EvaluationWeightRange(min: 75, max: 80))

        // MUT
        let a = EvaluationEngine.validateWeights(.defaults, bounds: inverted)
        let b = EvaluationEngine.validateWeights(.defaults, bounds: outside)

        // validate
        #expect(a.map { "\($0.rule) \($0.field)" } == ["bounds-invalid bounds.needs"])
        #expect(b.map { "\($0.rule) \($0.field)" } == ["bounds-invalid bounds.price"])
    }

    @Test("Bounds are read from JSON and applied by evaluate")
    func boundsFromJSON() throws {
        // setup
        let json = EvaluationJSONTests.issueInput.replacingOccurrences(
            of: #""needs": [{"id""#, with: #""bounds": {"price": {"min": 55, "max": 60}}, "needs": [{"id""#)

        // MUT
        let thrown = #expect(throws: EvaluationError.self) { try EvaluationJSON.evaluate(data: Data(json.utf8)) }

        // validate
        #expect(thrown?.rule == "weight-out-of-bounds")
        #expect(thrown?.field == "weights.price")
    }

    struct InputCase: Sendable, CustomTestStringConvertible {
        let name: String
        let rule: String
        let field: String
        let mutate: @Sendable (inout EvaluationInput) -> Void
        var testDescription: String { name }
    }

    /// Needs n1 (2 marks), n2; desirable d1; must-have m1; bids A, B.
    static func baseInput() -> EvaluationInput {
        F.input(
            [F.bid("A", needsMet: ["n1"], mustHavesMet: ["m1"]), F.bid("B", needsMet: ["n2"], mustHavesMet: ["m1"])],
            weights: EvaluationWeights(outcomes: 10, desirables: 5),
            needs: [EvaluationMarkedItem(id: "n1", marks: 2), EvaluationMarkedItem(id: "n2")],
            mustHaves: ["m1"], desirables: [EvaluationMarkedItem(id: "d1")],
            parentChoice: EvaluationParentChoice(enabled: true))
    }

    static let inputCases: [InputCase] = [
        InputCase(name: "weeks 0", rule: "weeks-per-year", field: "weeksPerYear") { $0.weeksPerYear = 0 },
        InputCase(name: "weeks 53", rule: "weeks-per-year", field: "weeksPerYear") { $0.weeksPerYear = 53 },
        InputCase(name: "outcomes 5.01", rule: "score-range", field: "bids[1].outcomesScore") {
            $0.bids[1].outcomesScore = 5.01
        },
        InputCase(name: "outcomes negative", rule: "score-range", field: "bids[0].outcomesScore") {
            $0.bids[0].outcomesScore = -1
        },
        InputCase(name: "incentives 6", rule: "score-range", field: "bids[0].incentivesScore") {
            $0.bids[0].incentivesScore = 6
        },
        InputCase(name: "qualification 100.01", rule: "score-range", field: "bids[0].qualificationScore") {
            $0.bids[0].qualificationScore = 100.01
        },
        InputCase(name: "qualification negative", rule: "score-range", field: "bids[0].qualificationScore") {
            $0.bids[0].qualificationScore = -0.01
        },
        InputCase(name: "negative cost", rule: "cost-range", field: "bids[0].weeklyCostPence") {
            $0.bids[0].weeklyCostPence = -1
        },
        InputCase(name: "zero cost", rule: "cost-range", field: "bids[1].weeklyCostPence") {
            $0.bids[1].weeklyCostPence = 0
        },
        InputCase(name: "absurd cost", rule: "cost-range", field: "bids[0].weeklyCostPence") {
            $0.bids[0].weeklyCostPence = EvaluationEngine.Limits.maximumWeeklyCostPence + 1
        },
        InputCase(name: "negative distance", rule: "distance-range", field: "bids[0].distanceMiles") {
            $0.bids[0].distanceMiles = -0.1
        },
        InputCase(name: "infinite distance", rule: "distance-range", field: "bids[0].distanceMiles") {
            $0.bids[0].distanceMiles = .infinity
        },
        InputCase(name: "negative need marks", rule: "marks-range", field: "needs[1].marks") { $0.needs[1].marks = -1 },
        InputCase(name: "negative desirable marks", rule: "marks-range", field: "desirables[0].marks") {
            $0.desirables[0].marks = -1
        },
        InputCase(name: "duplicate bid id", rule: "duplicate-bid-id", field: "bids[1].id") { $0.bids[1].id = "A" },
        InputCase(name: "empty bid id", rule: "bid-id-empty", field: "bids[0].id") { $0.bids[0].id = "" },
        InputCase(name: "duplicate need id", rule: "duplicate-need-id", field: "needs[1].id") { $0.needs[1].id = "n1" },
        InputCase(name: "duplicate desirable id", rule: "duplicate-desirable-id", field: "desirables[1].id") {
            $0.desirables.append(EvaluationMarkedItem(id: "d1"))
        },
        InputCase(name: "duplicate must-have", rule: "duplicate-must-have", field: "mustHaves[1]") {
            $0.mustHaves.append("m1")
        },
        InputCase(name: "unknown need", rule: "unknown-need", field: "bids[1].needsMet[1]") {
            $0.bids[1].needsMet.append("n9")
        },
        InputCase(name: "unknown desirable", rule: "unknown-desirable", field: "bids[0].desirablesMet[0]") {
            $0.bids[0].desirablesMet = ["d9"]
        },
        InputCase(name: "band 0", rule: "band-points", field: "parentChoice.bandPoints") {
            $0.parentChoice?.bandPoints = .zero
        },
        InputCase(name: "shortlist 1", rule: "max-shortlist", field: "parentChoice.maxShortlist") {
            $0.parentChoice?.maxShortlist = 1
        },
        InputCase(name: "weights sum", rule: "weights-sum", field: "weights") { $0.weights.outcomes = 11 },
    ]

    @Test("Each input rule is refused with its rule and field", arguments: inputCases)
    func inputRules(_ c: InputCase) throws {
        // setup
        var input = Self.baseInput()
        #expect(EvaluationEngine.validate(input).isEmpty)
        c.mutate(&input)

        // MUT
        let thrown = #expect(throws: EvaluationError.self) { try EvaluationEngine.evaluate(input) }

        // validate
        #expect(thrown?.rule == c.rule)
        #expect(thrown?.field == c.field)
        #expect(thrown?.message.isEmpty == false)
    }

    @Test(
        "Each JSON-expressible input rule is refused the same way through EvaluationJSON",
        arguments: inputCases.filter { $0.name != "infinite distance" })
    func inputRulesThroughJSON(_ c: InputCase) throws {
        // setup
        var input = Self.baseInput()
        c.mutate(&input)
        let data = try EvaluationJSON.encode(input)

        // MUT
        let thrown = #expect(throws: EvaluationError.self) { try EvaluationJSON.evaluate(data: data) }

        // validate
        #expect(thrown?.rule == c.rule)
        #expect(thrown?.field == c.field)
    }

    @Test("Parent-choice settings are not checked while parent choice is off")
    func disabledParentChoiceNotValidated() {
        // setup
        var input = Self.baseInput()
        input.parentChoice = EvaluationParentChoice(enabled: false, bandPoints: .zero, maxShortlist: 0)

        // MUT
        let problems = EvaluationEngine.validate(input)

        // validate
        #expect(problems.isEmpty)
    }

    @Test("validate reports every problem at once, weights first")
    func validateReportsAll() {
        // setup
        var input = Self.baseInput()
        input.weights.location = 6
        input.weeksPerYear = 60
        input.bids[1].id = "A"

        // MUT
        let problems = EvaluationEngine.validate(input)

        // validate
        #expect(problems.map(\.rule) == ["weight-out-of-bounds", "weights-sum", "weeks-per-year", "duplicate-bid-id"])
    }

    @Test("EvaluationError prints field, message and rule for the CLI")
    func errorDescription() {
        // setup
        let error = EvaluationError(
            rule: "weights-sum", field: "weights", message: "weights must add up to 100, they add up to 99")

        // MUT
        let text = error.description

        // validate
        #expect(text == "weights: weights must add up to 100, they add up to 99 [weights-sum]")
        #expect(error.localizedDescription == text)
    }
}

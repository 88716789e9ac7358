import Foundation
import Testing

@testable import DPSDomain

@Suite("Qualification score")
struct QualificationScoringTests {
    static let statements = [
        MethodStatementSpec(id: "workforce", title: "Workforce", weight: 40),
        MethodStatementSpec(id: "outcomes", title: "Outcomes framework", weight: 30),
        MethodStatementSpec(id: "contract", title: "Contract management", weight: 20),
        MethodStatementSpec(id: "young", title: "Young people's model answer", weight: 10, youngPeoplesPanel: true),
    ]

    @Test("valid statements pass")
    func valid() {
        // MUT / validate
        #expect(QualificationScoring.validate(statements: Self.statements).isEmpty)
    }

    @Test("weights must add up to exactly 100")
    func weightsSum() {
        // setup
        var statements = Self.statements
        statements[0].weight = 39
        // MUT
        let errors = QualificationScoring.validate(statements: statements)
        // validate
        #expect(
            errors == [
                FieldError(
                    field: "statements", message: "Method statement weights must add up to 100; they add up to 99")
            ])
    }

    @Test("weights must be positive", arguments: [0, -10])
    func positiveWeights(weight: Int) {
        // setup
        var statements = Self.statements
        statements[3].weight = weight
        statements[0].weight = 40 + 10 - weight
        // MUT
        let errors = QualificationScoring.validate(statements: statements)
        // validate
        #expect(errors.map(\.field) == ["statements[3].weight"])
    }

    @Test("ids must be present and unique, titles present")
    func ids() {
        // setup
        var statements = Self.statements
        statements[1].id = "workforce"
        statements[2].id = "  "
        statements[3].title = ""
        // MUT
        let errors = QualificationScoring.validate(statements: statements)
        // validate
        #expect(errors.map(\.field) == ["statements[1].id", "statements[2].id", "statements[3].title"])
    }

    @Test("at most one young people's question")
    func oneYoungPeoples() {
        // setup
        var statements = Self.statements
        statements[2].youngPeoplesPanel = true
        // MUT
        let errors = QualificationScoring.validate(statements: statements)
        // validate
        #expect(
            errors == [
                FieldError(field: "statements", message: "Only one method statement can be the young people's question")
            ])
    }

    @Test("no statements at all is refused")
    func empty() {
        // MUT / validate
        #expect(QualificationScoring.validate(statements: []).map(\.field) == ["statements"])
    }

    @Test(
        "score is the weighted sum in hundredths",
        arguments: [
            ([4, 3, 5, 2], 7400),
            ([5, 5, 5, 5], 10000),
            ([0, 0, 0, 0], 0),
            ([1, 0, 0, 0], 800),
            ([0, 0, 0, 1], 200),
            ([3, 3, 3, 3], 6000),
        ])
    func score(scores: [Int], expected: Int) throws {
        // setup
        let consensus = Dictionary(uniqueKeysWithValues: zip(Self.statements.map(\.id), scores))
        // MUT
        let total = try QualificationScoring.score(statements: Self.statements, consensus: consensus)
        // validate
        #expect(total == expected)
    }

    @Test("odd weights give exact hundredths")
    func oddWeights() throws {
        // setup: 33 × 3 / 5 = 19.8, 33 × 1 / 5 = 6.6, 34 × 4 / 5 = 27.2.
        let statements = [
            MethodStatementSpec(id: "a", title: "A", weight: 33),
            MethodStatementSpec(id: "b", title: "B", weight: 33),
            MethodStatementSpec(id: "c", title: "C", weight: 34),
        ]
        // MUT
        let total = try QualificationScoring.score(statements: statements, consensus: ["a": 3, "b": 1, "c": 4])
        // validate
        #expect(total == 5360)
        #expect(QualificationScoring.formatHundredths(total) == "53.60")
        #expect(QualificationScoring.formatHundredths(7405) == "74.05")
    }

    @Test("every score must be present and from 0 to 5")
    func scoresChecked() {
        // MUT
        let result = qualFailure {
            try QualificationScoring.score(
                statements: Self.statements, consensus: ["workforce": 6, "outcomes": -1, "contract": 3, "ghost": 2])
        }
        // validate
        #expect(result?.fields == ["scores.workforce", "scores.outcomes", "scores.young", "scores.ghost"])
    }

    @Test("scoring refuses invalid statements")
    func scoreInvalidStatements() {
        // setup
        var statements = Self.statements
        statements[0].weight = 10
        // MUT
        let result = qualFailure {
            try QualificationScoring.score(
                statements: statements, consensus: ["workforce": 1, "outcomes": 1, "contract": 1, "young": 1])
        }
        // validate
        #expect(result?.fields == ["statements"])
    }

    @Test(
        "integer rounding is half away from zero, or half up when asked",
        arguments: [
            (7, 2, false, 4), (-7, 2, false, -4), (5, 10, false, 1), (4, 10, false, 0), (6, 10, false, 1),
            (-5, 10, false, -1), (-4, 10, false, 0), (-6, 10, false, -1), (10, 5, false, 2),
            (-5, 10, true, 0), (5, 10, true, 1), (-6, 10, true, -1),
        ])
    func rounding(numerator: Int, divisor: Int, halfUp: Bool, expected: Int) {
        // MUT / validate
        #expect(QualificationScoring.roundedDivision(numerator, by: divisor, halfUp: halfUp) == expected)
    }

    @Test(
        "proposed consensus is the mean rounded half up",
        arguments: [
            ([3, 4], 4), ([3, 3, 4], 3), ([2, 3, 3, 4], 3), ([4, 5], 5), ([1, 2, 2, 2], 2),
            ([0, 1], 1), ([5], 5), ([0, 0, 1], 0), ([], 0),
        ])
    func consensus(scores: [Int], expected: Int) {
        // MUT / validate
        #expect(QualificationScoring.proposedConsensus(scores: scores) == expected)
    }
}

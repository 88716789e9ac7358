import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: the worked example of §7")
struct EvaluationWorkedExampleTests {
    @Test("A 88.00, B 82.00, C 79.00 with every criterion as published")
    func workedExampleScores() throws {
        // setup
        let input = EvaluationFixtures.workedExample()

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.rankedIds == ["A", "B", "C"])
        #expect(result.ranking.map(\.rank) == [1, 2, 3])
        let a = try #require(result.ranked("A"))
        let b = try #require(result.ranked("B"))
        let c = try #require(result.ranked("C"))
        #expect(a.annualCostPence == 20_800_000)
        #expect(b.annualCostPence == 18_720_000)
        #expect(c.annualCostPence == 26_000_000)
        #expect(
            a.points
                == EvaluationBreakdown(
                    price: 45, coreCompetency: 16, outcomes: 12, needs: 10, location: 5, desirables: 0, incentives: 0))
        #expect(
            b.points
                == EvaluationBreakdown(
                    price: 50, coreCompetency: 14, outcomes: 9, needs: 6, location: 3, desirables: 0, incentives: 0))
        #expect(
            c.points
                == EvaluationBreakdown(
                    price: 36, coreCompetency: 18, outcomes: 15, needs: 10, location: 0, desirables: 0, incentives: 0))
        #expect(a.total == Points(hundredths: 8800))
        #expect(b.total == Points(hundredths: 8200))
        #expect(c.total == Points(hundredths: 7900))
        #expect(a.quality == 43)
        #expect(b.quality == 32)
        #expect(c.quality == 43)
        #expect("\(a.total) \(b.total) \(c.total)" == "88.00 82.00 79.00")
        #expect(result.nonCompliant.isEmpty)
    }

    @Test("B 6 points below A: no shortlist, A stands")
    func noShortlistWhenSecondIsSixBelow() throws {
        // setup
        let input = EvaluationFixtures.workedExample()

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.shortlist == [])
    }

    @Test("Had B scored 84, A and B form the shortlist")
    func shortlistWhenSecondIsFourBelow() throws {
        // setup: qualification 80 lifts B's core competency from 14 to 16 points.
        let input = EvaluationFixtures.workedExample(bQualification: 80)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("B")?.total == 84)
        #expect(result.shortlist == ["A", "B"])
    }

    @Test("Parent choice off: never a shortlist")
    func parentChoiceDisabled() throws {
        // setup
        let input = EvaluationFixtures.workedExample(bQualification: 80, parentChoice: false)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.shortlist == [])
    }
}

import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: criteria and rounding")
struct EvaluationCriteriaTests {
    struct BandEdge: Sendable, CustomTestStringConvertible {
        let miles: Double
        let points: Points
        var testDescription: String { "\(miles) mi → \(points)" }
    }

    static let bandEdges: [BandEdge] = [
        BandEdge(miles: 0, points: 5), BandEdge(miles: 9.99, points: 5), BandEdge(miles: 10, points: 4),
        BandEdge(miles: 19.99, points: 4), BandEdge(miles: 20, points: 3), BandEdge(miles: 49.99, points: 1),
        BandEdge(miles: 50, points: 0), BandEdge(miles: 500, points: 0),
    ]

    @Test("Location bands use floor(miles / 10), edges belong to the farther band", arguments: bandEdges)
    func distanceBandEdges(_ edge: BandEdge) throws {
        // setup
        let input = EvaluationFixtures.input([EvaluationFixtures.bid("A", miles: edge.miles)])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("A")?.points.location == edge.points)
    }

    @Test("LocationBand.band is floor(miles / 10) and never traps")
    func locationBandFunction() {
        // setup
        let samples: [(Double, Int)] = [
            (9.99, 0), (10, 1), (19.99, 1), (49.99, 4), (50, 5), (-3, 0), (.infinity, 1_000_000_000), (.nan, 0),
        ]

        // MUT
        let bands = samples.map { LocationBand.band(miles: $0.0) }

        // validate
        #expect(bands == samples.map(\.1))
    }

    @Test("Location points scale with the weight: 3 of 5 steps at weight 5 is 3.00, at weight 4 is 2.40")
    func locationScalesWithWeight() {
        // setup
        let miles = 23.0

        // MUT
        let atFive = EvaluationEngine.locationPoints(weight: 5, miles: miles)
        let atFour = EvaluationEngine.locationPoints(weight: 4, miles: miles)

        // validate
        #expect(atFive == 3)
        #expect(atFour == Points(hundredths: 240))
    }

    @Test("Price lands on 3.125 exactly and rounds half away from zero to 3.13")
    func priceRoundsHalfAwayFromZero() throws {
        // setup: 50 × 25,000 / 400,000 = 3.125 exactly (banker's rounding or truncation would give 3.12).
        let input = EvaluationFixtures.input([
            EvaluationFixtures.bid("cheap", weekly: 25_000),
            EvaluationFixtures.bid("dear", weekly: 400_000),
        ])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        let dear = try #require(result.ranked("dear"))
        #expect(dear.points.price == Points(hundredths: 313))
        #expect(dear.total == dear.points.price + dear.points.quality)
    }

    @Test("Core competency 74.5 at weight 15 is 11.175 → 11.18; needs 1 of 8 marks at weight 15 is 1.875 → 1.88")
    func qualityCriteriaRoundHalfAwayFromZero() throws {
        // setup
        let weights = EvaluationWeights(price: 50, coreCompetency: 15, outcomes: 20, needs: 15, location: 0)
        let needs = [EvaluationMarkedItem(id: "n1", marks: 1), EvaluationMarkedItem(id: "n2", marks: 7)]
        let input = EvaluationFixtures.input(
            [EvaluationFixtures.bid("A", qualification: 74.5, outcomes: 3.5, needsMet: ["n1"])],
            weights: weights, needs: needs)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        let a = try #require(result.ranked("A"))
        #expect(a.points.coreCompetency == Points(hundredths: 1118))
        #expect(a.points.needs == Points(hundredths: 188))
        #expect(a.points.outcomes == 14)
        #expect(a.total == Points(hundredths: 5000 + 1118 + 188 + 1400))
    }

    @Test("The rounding helper rounds halves away from zero for both signs")
    func roundingHelper() {
        // setup
        let cases: [(Int, Int, Int)] = [
            (5, 2, 3), (-5, 2, -3), (5, -2, -3), (7, 4, 2), (6, 4, 2), (-6, 4, -2), (4, 4, 1), (0, 3, 0), (1, 3, 0),
            (2, 3, 1),
        ]

        // MUT
        let results = cases.map { EvaluationRounding.divideRoundingHalfAwayFromZero($0.0, $0.1) }

        // validate
        #expect(results == cases.map(\.2))
    }

    @Test("Outcomes and incentives are w × score / 5")
    func outcomesAndIncentives() throws {
        // setup
        let weights = EvaluationWeights(
            price: 50, coreCompetency: 20, outcomes: 10, needs: 10, location: 0, incentives: 10)
        let input = EvaluationFixtures.input(
            [EvaluationFixtures.bid("A", outcomes: 2, incentives: 3.5)], weights: weights)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("A")?.points.outcomes == 4)
        #expect(result.ranked("A")?.points.incentives == 7)
    }

    @Test("Desirables score marks met over total marks")
    func desirablesByMarks() throws {
        // setup
        let weights = EvaluationWeights(
            price: 50, coreCompetency: 20, outcomes: 10, needs: 10, location: 0, desirables: 10)
        let desirables = [EvaluationMarkedItem(id: "d1", marks: 3), EvaluationMarkedItem(id: "d2", marks: 1)]
        let input = EvaluationFixtures.input(
            [
                EvaluationFixtures.bid("A", desirablesMet: ["d1", "d1"]),
                EvaluationFixtures.bid("B", desirablesMet: []),
            ],
            weights: weights, desirables: desirables)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate: a repeated id counts once.
        #expect(result.ranked("A")?.points.desirables == Points(hundredths: 750))
        #expect(result.ranked("B")?.points.desirables == .zero)
    }

    @Test("No needs listed (or all worth 0 marks): every bid gets the full needs weight")
    func noNeedsGivesFullMarks() throws {
        // setup
        let none = EvaluationFixtures.input([EvaluationFixtures.bid("A")])
        let zeroMarks = EvaluationFixtures.input(
            [EvaluationFixtures.bid("A")], needs: [EvaluationMarkedItem(id: "n1", marks: 0)])

        // MUT
        let noneResult = try EvaluationEngine.evaluate(none)
        let zeroResult = try EvaluationEngine.evaluate(zeroMarks)

        // validate
        #expect(noneResult.ranked("A")?.points.needs == 10)
        #expect(zeroResult.ranked("A")?.points.needs == 10)
    }

    @Test("Quality is the total less price points")
    func qualityExcludesPrice() throws {
        // setup
        let input = EvaluationFixtures.workedExample()

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        for bid in result.ranking {
            #expect(bid.quality == bid.total - bid.points.price)
            #expect(bid.total == EvaluationCriterion.allCases.reduce(Points.zero) { $0 + $1.points(in: bid.points) })
        }
    }
}

import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: ranking, compliance and parent choice")
struct EvaluationRankingTests {
    typealias F = EvaluationFixtures

    @Test("Equal totals: higher quality ranks first even when dearer")
    func tieBreakOnQuality() throws {
        // setup: X is cheapest (price 50, quality 35 at 55 mi); Y costs 10/9 as much (price 45) but is 8 mi away
        // (quality 40).
        let input = F.input([
            F.bid("X", weekly: 360_000, outcomes: 3, miles: 55),
            F.bid("Y", weekly: 400_000, outcomes: 3, miles: 8),
        ])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("X")?.total == result.ranked("Y")?.total)
        #expect(result.rankedIds == ["Y", "X"])
    }

    @Test("Equal totals and quality: lower annual cost ranks first, before submission time")
    func tieBreakOnAnnualCost() throws {
        // setup: 400,001 vs 400,000 pence both round to 50.00 price points; the dearer one submitted earlier.
        let input = F.input([
            F.bid("dearer", weekly: 400_001, submittedOffset: -3600),
            F.bid("cheaper", weekly: 400_000, submittedOffset: 0),
        ])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("dearer")?.total == result.ranked("cheaper")?.total)
        #expect(result.rankedIds == ["cheaper", "dearer"])
    }

    @Test("Equal totals, quality and cost: earlier final submission ranks first")
    func tieBreakOnSubmission() throws {
        // setup
        let input = F.input([
            F.bid("later", submittedOffset: 60),
            F.bid("earlier", submittedOffset: 59.5),
        ])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.rankedIds == ["earlier", "later"])
        #expect(result.ranking.map(\.rank) == [1, 2])
    }

    @Test("Identical bids are ordered by id so the result never depends on input order")
    func finalTieBreakOnId() throws {
        // setup
        let input = F.input([F.bid("b"), F.bid("a")])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.rankedIds == ["a", "b"])
    }

    /// Four equal-cost bids whose totals differ only by core competency (20 × q / 100).
    static func bandInput(_ qualifications: [Score], maxShortlist: Int = 3) -> EvaluationInput {
        F.input(
            qualifications.enumerated().map { F.bid("Q\($0.offset)", qualification: $0.element) },
            parentChoice: EvaluationParentChoice(enabled: true, bandPoints: 5, maxShortlist: maxShortlist))
    }

    @Test("Exactly 5.00 points below the top is outside the band")
    func bandEdgeExactlyFiveOut() throws {
        // setup: 100 → 20.00 core points, 75 → 15.00.
        let input = Self.bandInput([100, 75])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("Q0")!.total - result.ranked("Q1")!.total == 5)
        #expect(result.shortlist == [])
    }

    @Test("4.99 points below the top is inside the band")
    func bandEdgeJustInside() throws {
        // setup: 75.05 → 15.01 core points.
        let input = Self.bandInput([100, 75.05])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("Q0")!.total - result.ranked("Q1")!.total == Points(hundredths: 499))
        #expect(result.shortlist == ["Q0", "Q1"])
    }

    @Test("Four bids in the band: the shortlist is capped at maxShortlist (3), best first")
    func shortlistCap() throws {
        // setup
        let capped = Self.bandInput([96, 100, 98, 99])
        let wider = Self.bandInput([96, 100, 98, 99], maxShortlist: 4)

        // MUT
        let cappedResult = try EvaluationEngine.evaluate(capped)
        let widerResult = try EvaluationEngine.evaluate(wider)

        // validate
        #expect(cappedResult.shortlist == ["Q1", "Q3", "Q2"])
        #expect(widerResult.shortlist == ["Q1", "Q3", "Q2", "Q0"])
    }

    @Test("A bandPoints setting other than 5 is honoured")
    func customBand() throws {
        // setup: totals differ by 5.00; a 5.01 band includes the second bid.
        var input = Self.bandInput([100, 75])
        input.parentChoice?.bandPoints = Points(hundredths: 501)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.shortlist == ["Q0", "Q1"])
    }

    @Test("A single compliant bid gets full price points and no shortlist")
    func singleCompliantBid() throws {
        // setup
        let input = F.input(
            [F.bid("only", weekly: 987_654), F.bid("out", weekly: 1, late: true)],
            parentChoice: EvaluationParentChoice(enabled: true))

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.rankedIds == ["only"])
        #expect(result.ranked("only")?.points.price == 50)
        #expect(result.shortlist == [])
    }

    @Test("All bids non-compliant: empty ranking, every bid listed with reasons")
    func allNonCompliant() throws {
        // setup
        let input = F.input(
            [F.bid("A", mustHavesMet: []), F.bid("B", mustHavesMet: ["m1"], late: true)],
            mustHaves: ["m1"], parentChoice: EvaluationParentChoice(enabled: true))

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranking.isEmpty)
        #expect(result.shortlist.isEmpty)
        #expect(
            result.nonCompliant == [
                NonCompliantBid(id: "A", reasons: [.mustHaveNotMet("m1")]),
                NonCompliantBid(id: "B", reasons: [.late]),
            ])
    }

    @Test("A non-compliant bid cheaper than all compliant ones does not set the lowest price")
    func nonCompliantDoesNotSetLowest() throws {
        // setup
        let input = F.input(
            [F.bid("A", weekly: 400_000, mustHavesMet: ["m1"]), F.bid("cheap", weekly: 100_000, mustHavesMet: [])],
            mustHaves: ["m1"])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranked("A")?.points.price == 50)
        #expect(result.nonCompliant.map(\.id) == ["cheap"])
    }

    @Test("Raised core cost makes a bid non-compliant with the schedule reason")
    func raisedCoreCost() throws {
        // setup
        let input = F.input([F.bid("A"), F.bid("B", weekly: 300_000, coreCostRaised: true)])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.rankedIds == ["A"])
        #expect(result.nonCompliant == [NonCompliantBid(id: "B", reasons: [.coreCostRaised])])
        #expect(result.nonCompliant[0].reasons.map(\.message) == ["core cost raised above the approved schedule"])
    }

    @Test("Reasons come in a stable order: must-haves in referral order, then cost, discount, late")
    func reasonOrder() throws {
        // setup
        let input = F.input(
            [F.bid("A", mustHavesMet: ["m3"], coreCostRaised: true, discountBelowPublished: true, late: true)],
            mustHaves: ["m2", "m1", "m3"])

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(
            result.nonCompliant.first?.reasons.map(\.message) == [
                "must-have not met: m2", "must-have not met: m1", "core cost raised above the approved schedule",
                "discount below the published tier", "bid arrived after the deadline",
            ])
    }

    @Test("Siblings: 38-week pattern with discounted weekly costs; a discount below the tier is excluded")
    func siblingScenario() throws {
        // setup: two children. A: 2 × £3,000 less 10% = £5,400/wk; B: 2 × £2,800 less 5% = £5,320/wk;
        // C offered only 2% where 5% is published.
        let input = F.input(
            [
                F.bid("A", weekly: 540_000),
                F.bid("B", weekly: 532_000),
                F.bid("C", weekly: 548_800, discountBelowPublished: true),
            ],
            weeks: 38)

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate: 50 × 20,216,000 / 20,520,000 = 49.2592… → 49.26.
        #expect(result.ranked("A")?.annualCostPence == 20_520_000)
        #expect(result.ranked("B")?.annualCostPence == 20_216_000)
        #expect(result.ranked("B")?.points.price == 50)
        #expect(result.ranked("A")?.points.price == Points(hundredths: 4926))
        #expect(result.rankedIds == ["B", "A"])
        #expect(result.nonCompliant == [NonCompliantBid(id: "C", reasons: [.discountBelowPublished])])
    }

    @Test("Reasons round-trip through their contract sentences")
    func reasonSentences() throws {
        // setup
        let reasons: [NonComplianceReason] = [
            .mustHaveNotMet("wheelchair access"), .coreCostRaised, .discountBelowPublished, .late,
        ]

        // MUT
        let decoded = try JSONDecoder().decode([NonComplianceReason].self, from: JSONEncoder().encode(reasons))

        // validate
        #expect(decoded == reasons)
        #expect(NonComplianceReason(message: "something else") == nil)
    }

    @Test("1,000 bids evaluate correctly (ranks contiguous, sorted by total)")
    func manyBids() throws {
        // setup
        let bids = (0..<1000).map { i in
            F.bid(
                "b\(i)", weekly: 300_000 + (i * 7919) % 200_000, qualification: Score(whole: i % 101),
                outcomes: Score(whole: i % 6), miles: Double(i % 70), submittedOffset: Double(i))
        }
        let input = F.input(bids, parentChoice: EvaluationParentChoice(enabled: true))

        // MUT
        let result = try EvaluationEngine.evaluate(input)

        // validate
        #expect(result.ranking.count == 1000)
        #expect(result.ranking.map(\.rank) == Array(1...1000))
        #expect(zip(result.ranking, result.ranking.dropFirst()).allSatisfy { $0.total >= $1.total })
        #expect(result.shortlist.count <= 3)
    }

    @Test("One bid that cannot be scored is set aside; the rest of the referral is still ranked")
    func unscorableBidSetAside() throws {
        let input = F.input([
            F.bid("free", weekly: 0),
            F.bid("real", weekly: 400_000),
        ])
        // The strict form refuses the whole input (what the CLI and preview report) ...
        #expect(throws: EvaluationError.self) { try EvaluationEngine.evaluate(input) }
        // ... a live referral sets the bad bid aside with its reason and ranks the others.
        let result = try EvaluationEngine.evaluateSettingAsideUnscorable(input)
        #expect(result.rankedIds == ["real"])
        #expect(result.nonCompliant.map(\.id) == ["free"])
        #expect(result.nonCompliant.first?.reasons.first?.message.hasPrefix("cannot be scored: weekly cost") == true)
    }
}

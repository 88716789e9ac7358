import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: JSON contract")
struct EvaluationJSONTests {
    /// The issue's input, with B (cheapest compliant) and D (non-compliant, cheaper still) added so
    /// that the output reproduces the issue's output example.
    static let issueInput = #"""
        { "weeksPerYear": 52,
          "weights": {"price": 50, "coreCompetency": 20, "outcomes": 15, "needs": 10, "location": 5,
                      "desirables": 0, "incentives": 0},
          "needs": [{"id": "n1", "marks": 2}], "mustHaves": ["m1"], "desirables": [{"id": "d1", "marks": 1}],
          "parentChoice": {"enabled": true, "bandPoints": 5, "maxShortlist": 3},
          "bids": [{"id": "A", "weeklyCostPence": 400000, "qualificationScore": 80, "outcomesScore": 4,
                    "needsMet": ["n1"], "mustHavesMet": ["m1"], "desirablesMet": [], "distanceMiles": 8,
                    "incentivesScore": 0, "submittedAt": "2026-11-20T10:00:00Z"},
                   {"id": "B", "weeklyCostPence": 360000, "qualificationScore": 70, "outcomesScore": 3,
                    "needsMet": ["n1"], "mustHavesMet": ["m1"], "desirablesMet": ["d1"], "distanceMiles": 23,
                    "incentivesScore": 0, "submittedAt": "2026-11-20T11:30:00.250Z"},
                   {"id": "D", "weeklyCostPence": 100000, "qualificationScore": 90, "outcomesScore": 5,
                    "needsMet": ["n1"], "mustHavesMet": [], "desirablesMet": [], "distanceMiles": 2,
                    "incentivesScore": 0, "submittedAt": "2026-11-20T09:00:00Z"}] }
        """#

    /// The issue's output example for A, verbatim.
    static let issueRankedA = #"""
        {"id": "A", "rank": 1, "total": 88.0, "quality": 43.0, "annualCostPence": 20800000,
         "points": {"price": 45.0, "coreCompetency": 16.0, "outcomes": 12.0, "needs": 10.0,
                    "location": 5.0, "desirables": 0.0, "incentives": 0.0}}
        """#

    @Test("The issue's example evaluates to the issue's output")
    func issueExample() throws {
        // setup
        let data = Data(Self.issueInput.utf8)

        // MUT
        let output = try EvaluationJSON.evaluate(data: data)

        // validate
        let result = try JSONDecoder().decode(EvaluationResult.self, from: output)
        let expectedA = try JSONDecoder().decode(RankedBid.self, from: Data(Self.issueRankedA.utf8))
        #expect(result.ranking.first == expectedA)
        #expect(result.rankedIds == ["A", "B"])
        #expect(result.ranked("B")?.total == 86)
        #expect(result.nonCompliant == [NonCompliantBid(id: "D", reasons: [.mustHaveNotMet("m1")])])
        #expect(result.shortlist == ["A", "B"])
        // The raw JSON carries numbers (not strings) and the contract's reason text.
        let object = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let ranking = try #require(object["ranking"] as? [[String: Any]])
        #expect((ranking[0]["total"] as? NSNumber)?.doubleValue == 88.0)
        let points = try #require(ranking[0]["points"] as? [String: Any])
        #expect((points["price"] as? NSNumber)?.doubleValue == 45.0)
        #expect(
            Set(points.keys) == [
                "price", "coreCompetency", "outcomes", "needs", "location", "desirables", "incentives",
            ])
        let nonCompliant = try #require(object["nonCompliant"] as? [[String: Any]])
        #expect(nonCompliant[0]["reasons"] as? [String] == ["must-have not met: m1"])
        #expect(object["shortlist"] as? [String] == ["A", "B"])
    }

    @Test("Output is pretty printed with sorted keys and round-trips")
    func outputRoundTrips() throws {
        // setup
        let output = try EvaluationJSON.evaluate(data: Data(Self.issueInput.utf8))

        // MUT
        let decoded = try JSONDecoder().decode(EvaluationResult.self, from: output)
        let reencoded = try EvaluationJSON.encode(decoded)

        // validate
        #expect(reencoded == output)
        let text = String(decoding: output, as: UTF8.self)
        let nonCompliantAt = try #require(text.range(of: "\"nonCompliant\""))
        let rankingAt = try #require(text.range(of: "\"ranking\""))
        let shortlistAt = try #require(text.range(of: "\"shortlist\""))
        #expect(nonCompliantAt.lowerBound < rankingAt.lowerBound && rankingAt.lowerBound < shortlistAt.lowerBound)
        #expect(text.contains("\n"))
    }

    @Test("The issue's literal input (one bid) scores full price points and has no shortlist")
    func issueLiteralSingleBid() throws {
        // setup: only bid A, as in the issue's input text.
        let single = Self.issueInput.replacingOccurrences(
            of: #"(?s)\},\s*\{"id": "B".*\}\] \}"#, with: "}] }", options: .regularExpression)
        let data = Data(single.utf8)

        // MUT
        let result = try JSONDecoder().decode(EvaluationResult.self, from: EvaluationJSON.evaluate(data: data))

        // validate
        #expect(result.rankedIds == ["A"])
        #expect(result.ranked("A")?.points.price == 50)
        #expect(result.ranked("A")?.total == 93)
        #expect(result.shortlist == [])
    }

    @Test("Input round-trips through its Codable form")
    func inputRoundTrips() throws {
        // setup
        let input = try EvaluationJSON.decodeInput(Data(Self.issueInput.utf8))

        // MUT
        let again = try EvaluationJSON.decodeInput(EvaluationJSON.encode(input))

        // validate
        #expect(again == input)
        #expect(input.bids[1].submittedAt.timeIntervalSince(input.bids[0].submittedAt) == 5400.25)
    }

    @Test("Optional fields default: lists empty, incentives 0, flags false, parent choice 5/3")
    func optionalFieldsDefault() throws {
        // setup
        let json = #"""
            {"weeksPerYear": 38, "weights": {"price": 50, "coreCompetency": 20, "outcomes": 15, "needs": 10, \#
            "location": 5},
             "parentChoice": {"enabled": true},
             "bids": [{"id": "X", "weeklyCostPence": 1000, "qualificationScore": 74.5, "outcomesScore": 3.5,
                       "distanceMiles": 0, "submittedAt": "2026-11-20T10:00:00+01:00"}]}
            """#

        // MUT
        let input = try EvaluationJSON.decodeInput(Data(json.utf8))

        // validate
        let bid = try #require(input.bids.first)
        #expect(input.needs.isEmpty && input.mustHaves.isEmpty && input.desirables.isEmpty)
        #expect(input.weights.desirables == 0 && input.weights.incentives == 0)
        #expect(input.parentChoice == EvaluationParentChoice(enabled: true, bandPoints: 5, maxShortlist: 3))
        #expect(bid.needsMet.isEmpty && bid.incentivesScore == .zero)
        #expect(!bid.coreCostRaised && !bid.discountBelowPublished && !bid.late)
        #expect(bid.qualificationScore == Score(Points(hundredths: 7450)))
        #expect(bid.outcomesScore == Score(Points(hundredths: 350)))
        #expect(bid.submittedAt == EvaluationDateFormat.parse("2026-11-20T09:00:00Z"))
    }

    @Test("Compliance flags are read from JSON")
    func flagsAreRead() throws {
        // setup
        let json = Self.issueInput.replacingOccurrences(
            of: #""submittedAt": "2026-11-20T10:00:00Z""#,
            with: #""submittedAt": "2026-11-20T10:00:00Z", "coreCostRaised": true, "late": true"#)

        // MUT
        let result = try JSONDecoder().decode(
            EvaluationResult.self, from: EvaluationJSON.evaluate(data: Data(json.utf8)))

        // validate
        #expect(result.nonCompliant.first == NonCompliantBid(id: "A", reasons: [.coreCostRaised, .late]))
    }

    struct BadJSON: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let field: String
        var testDescription: String { name }
    }

    static let badJSON: [BadJSON] = [
        BadJSON(name: "not JSON", json: "{ nope", field: "$"),
        BadJSON(
            name: "missing weight", json: issueInput.replacingOccurrences(of: #""price": 50, "#, with: ""),
            field: "weights.price"),
        BadJSON(
            name: "cost as text",
            json: issueInput.replacingOccurrences(
                of: #""weeklyCostPence": 400000"#, with: #""weeklyCostPence": "400000""#),
            field: "bids[0].weeklyCostPence"),
        BadJSON(
            name: "null score",
            json: issueInput.replacingOccurrences(
                of: #""qualificationScore": 70"#, with: #""qualificationScore": null"#),
            field: "bids[1].qualificationScore"),
        BadJSON(
            name: "bad date",
            json: issueInput.replacingOccurrences(
                of: "2026-11-20T10:00:00Z", with: "20/11/2026 10:00"),
            field: "bids[0].submittedAt"),
        BadJSON(
            name: "missing bids",
            json:
                #"{"weeksPerYear": 52, "weights": {"price": 50, "coreCompetency": 20, "outcomes": 15, "#
                + #""needs": 10, "location": 5}}"#,
            field: "bids"),
        BadJSON(
            name: "fractional weeks",
            json: issueInput.replacingOccurrences(
                of: #""weeksPerYear": 52"#, with: #""weeksPerYear": 52.5"#),
            field: "weeksPerYear"),
        BadJSON(
            name: "fractional marks",
            json: issueInput.replacingOccurrences(
                of: #"{"id": "n1", "marks": 2}"#, with: #"{"id": "n1", "marks": 1.5}"#),
            field: "needs[0].marks"),
        BadJSON(
            name: "score too large to hold",
            json: issueInput.replacingOccurrences(
                of: #""outcomesScore": 4"#, with: #""outcomesScore": 1e30"#),
            field: "bids[0].outcomesScore"),
        // Values whose scaling to millionths overflowed Decimal were read as 0 and scored (found by a probe).
        BadJSON(
            name: "score of 1e308",
            json: issueInput.replacingOccurrences(
                of: #""outcomesScore": 4"#, with: #""outcomesScore": 1e308"#),
            field: "bids[0].outcomesScore"),
        BadJSON(
            name: "score of -1e308",
            json: issueInput.replacingOccurrences(
                of: #""outcomesScore": 4"#, with: #""outcomesScore": -1e308"#),
            field: "bids[0].outcomesScore"),
        BadJSON(
            name: "qualification score of 1e150",
            json: issueInput.replacingOccurrences(
                of: #""qualificationScore": 80"#, with: #""qualificationScore": 1e150"#),
            field: "bids[0].qualificationScore"),
    ]

    @Test("Malformed JSON is refused as invalid-json naming the field", arguments: badJSON)
    func malformedJSON(_ bad: BadJSON) {
        // setup
        let data = Data(bad.json.utf8)

        // MUT
        let thrown = #expect(throws: EvaluationError.self) { try EvaluationJSON.evaluate(data: data) }

        // validate
        #expect(thrown?.rule == "invalid-json")
        #expect(thrown?.field == bad.field)
    }

    @Test("Rule violations in JSON come back with the engine's rule and field")
    func ruleViolationThroughJSON() {
        // setup
        let json = Self.issueInput.replacingOccurrences(of: #""location": 5,"#, with: #""location": 6,"#)

        // MUT
        let thrown = #expect(throws: EvaluationError.self) { try EvaluationJSON.evaluate(data: Data(json.utf8)) }

        // validate
        #expect(thrown?.rule == "weight-out-of-bounds")
        #expect(thrown?.field == "weights.location")
        #expect(thrown?.description.contains("location weight 6") == true)
    }

    @Test(
        "Scores are rounded once, at the criterion's points: a consensus of 3.3333 on 15 points gives 10.00, not 9.99")
    func singleRounding() throws {
        let json = """
            {"weeksPerYear": 52, "weights": {"price": 50, "coreCompetency": 20, "outcomes": 15, "needs": 10, \
            "location": 5},
             "needs": [], "bids": [{"id": "A", "weeklyCostPence": 400000, "qualificationScore": 80.005, \
            "outcomesScore": 3.3333,
                                   "distanceMiles": 8, "submittedAt": "2026-11-20T10:00:00Z"}]}
            """
        let input = try JSONDecoder().decode(EvaluationInput.self, from: Data(json.utf8))
        #expect(input.bids[0].outcomesScore == Score(millionths: 3_333_300))
        let result = try EvaluationEngine.evaluate(input)
        let points = try #require(result.ranking.first?.points)
        #expect(points.outcomes == Points(hundredths: 1000))  // 15 × 3.3333 / 5 = 9.9999 → 10.00
        #expect(points.coreCompetency == Points(hundredths: 1600))  // 20 × 80.005 / 100 = 16.001 → 16.00
    }
}

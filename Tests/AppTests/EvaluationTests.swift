import DPSDomain
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// `POST /api/v1/evaluations/preview` and `dps evaluate FILE`: the same engine and format over HTTP and
/// on the command line, refusing invalid input by field and rule.
@Suite("Evaluation preview and CLI", .serialized)
struct EvaluationTests {
    /// DOMAIN §7's worked example: needs marked 2, 1, 1, 1; B meets needs worth 3 of the 5 marks.
    static let workedExample = #"""
        {
          "weeksPerYear": 52,
          "weights": { "price": 50, "coreCompetency": 20, "outcomes": 15, "needs": 10, "location": 5 },
          "needs": [ { "id": "n1", "marks": 2 }, { "id": "n2" }, { "id": "n3" }, { "id": "n4" } ],
          "parentChoice": { "enabled": true },
          "bids": [
            { "id": "A", "weeklyCostPence": 400000, "qualificationScore": 80, "outcomesScore": 4,
              "needsMet": ["n1", "n2", "n3", "n4"], "distanceMiles": 8, "submittedAt": "2026-11-20T10:00:00Z" },
            { "id": "B", "weeklyCostPence": 360000, "qualificationScore": 70, "outcomesScore": 3,
              "needsMet": ["n1", "n2"], "distanceMiles": 23, "submittedAt": "2026-11-20T11:00:00Z" },
            { "id": "C", "weeklyCostPence": 500000, "qualificationScore": 90, "outcomesScore": 5,
              "needsMet": ["n1", "n2", "n3", "n4"], "distanceMiles": 55, "submittedAt": "2026-11-20T12:00:00Z" }
          ]
        }
        """#

    /// The worked example with one edit applied to its JSON text.
    static func workedExample(replacing old: String, with new: String) -> String {
        precondition(workedExample.contains(old), "fixture does not contain \(old)")
        return workedExample.replacingOccurrences(of: old, with: new)
    }

    struct ProblemBody: Decodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldError]
        var rule: String
    }

    /// Posts `body` as JSON to the preview endpoint (no sign-in).
    static func preview(_ app: Application, _ body: String) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        try await app.testing().test(
            .POST, "/api/v1/evaluations/preview",
            beforeRequest: { req in
                req.headers.contentType = .json
                req.body = ByteBuffer(string: body)
            },
            afterResponse: { res in
                result = res
            })
        return try #require(result)
    }

    static func problem(_ response: TestingHTTPResponse) throws -> ProblemBody {
        #expect(response.headers.contentType?.description.hasPrefix("application/problem+json") == true)
        return try JSONDecoder().decode(ProblemBody.self, from: Data(response.body.readableBytesView))
    }

    @Test("The worked example ranks A 88, B 82, C 79 with the published breakdown and no shortlist")
    func workedExamplePreview() async throws {
        try await withApp { app in
            // MUT
            let response = try await Self.preview(app, Self.workedExample)

            // validate
            #expect(response.status == .ok)
            #expect(response.headers.contentType == .json)
            let body = Data(response.body.readableBytesView)
            #expect(
                body == (try EvaluationJSON.evaluate(data: Data(Self.workedExample.utf8))),
                "the exact bytes the engine's JSON face produces")
            let result = try JSONDecoder().decode(EvaluationResult.self, from: body)
            #expect(result.ranking.map(\.id) == ["A", "B", "C"])
            #expect(result.ranking.map(\.rank) == [1, 2, 3])
            #expect(result.ranking.map(\.total) == [88, 82, 79])
            #expect(result.ranking.map(\.annualCostPence) == [20_800_000, 18_720_000, 26_000_000])
            #expect(
                result.ranking[0].points
                    == EvaluationBreakdown(
                        price: 45, coreCompetency: 16, outcomes: 12, needs: 10, location: 5, desirables: 0,
                        incentives: 0))
            #expect(
                result.ranking[1].points
                    == EvaluationBreakdown(
                        price: 50, coreCompetency: 14, outcomes: 9, needs: 6, location: 3, desirables: 0, incentives: 0)
            )
            #expect(
                result.ranking[2].points
                    == EvaluationBreakdown(
                        price: 36, coreCompetency: 18, outcomes: 15, needs: 10, location: 0, desirables: 0,
                        incentives: 0))
            #expect(result.nonCompliant.isEmpty)
            #expect(result.shortlist.isEmpty, "B is 6 points below A: no shortlist")
        }
    }

    @Test("Weights adding up to 99 are refused with 422 naming the weights and rule weights-sum")
    func weightsSum() async throws {
        try await withApp { app in
            // setup
            let input = Self.workedExample(replacing: #""location": 5 }"#, with: #""location": 4 }"#)

            // MUT
            let response = try await Self.preview(app, input)

            // validate
            #expect(response.status == .unprocessableEntity)
            let problem = try Self.problem(response)
            #expect(problem.status == 422)
            #expect(problem.title == "Unprocessable Entity")
            #expect(problem.type == "about:blank")
            #expect(problem.rule == "weights-sum")
            #expect(problem.detail.contains("99"))
            #expect(problem.errors.map(\.field) == ["weights"])
            #expect(problem.errors.first?.message.hasSuffix("[weights-sum]") == true)
        }
    }

    @Test("An outcomes score of 6 is refused with 422 naming bids[0].outcomesScore")
    func outcomesScoreOutOfRange() async throws {
        try await withApp { app in
            // setup
            let input = Self.workedExample(
                replacing: #""qualificationScore": 80, "outcomesScore": 4"#,
                with: #""qualificationScore": 80, "outcomesScore": 6"#)

            // MUT
            let response = try await Self.preview(app, input)

            // validate
            #expect(response.status == .unprocessableEntity)
            let problem = try Self.problem(response)
            #expect(problem.rule == "score-range")
            #expect(problem.errors.map(\.field) == ["bids[0].outcomesScore"])
            #expect(problem.errors.first?.message.contains("[score-range]") == true)
        }
    }

    @Test("Every problem is listed, the first deciding detail and rule")
    func everyProblemListed() async throws {
        try await withApp { app in
            // setup: price 80 is out of bounds and the sum is 130.
            let input = Self.workedExample(replacing: #""price": 50"#, with: #""price": 80"#)
                .replacingOccurrences(of: #""outcomesScore": 3"#, with: #""outcomesScore": -1"#)

            // MUT
            let response = try await Self.preview(app, input)

            // validate
            #expect(response.status == .unprocessableEntity)
            let problem = try Self.problem(response)
            #expect(problem.rule == "weight-out-of-bounds")
            #expect(problem.errors.map(\.field) == ["weights.price", "weights", "bids[1].outcomesScore"])
        }
    }

    @Test("Unreadable JSON is refused with 400 and rule invalid-json")
    func malformedJSON() async throws {
        try await withApp { app in
            for body in [#"{"weeksPerYear": 52, "weights": "#, "", #"{"weeksPerYear": "fifty-two"}"#] {
                // MUT
                let response = try await Self.preview(app, body)

                // validate
                #expect(response.status == .badRequest, "body: \(body)")
                let problem = try Self.problem(response)
                #expect(problem.status == 400)
                #expect(problem.rule == "invalid-json")
                #expect(problem.errors.count == 1)
            }
        }
    }

    @Test("The preview needs no sign-in and no CSRF token, and refuses bodies over 2 MB")
    func publicAndLimited() async throws {
        try await withApp { app in
            // MUT: 3 MB of padding inside an otherwise valid document.
            let padded = Self.workedExample(
                replacing: #""weeksPerYear": 52,"#,
                with: #""weeksPerYear": 52, "padding": ""# + String(repeating: "x", count: 3_000_000) + #"","#)
            // The limit applies while the body streams in, so this runs over a real socket.
            var status: HTTPResponseStatus?
            try await app.testing(method: .running(hostname: "127.0.0.1", port: 0))  // the OS picks a free port
                .test(
                    .POST, "/api/v1/evaluations/preview", headers: ["content-type": "application/json"],
                    body: ByteBuffer(string: padded)
                ) { res in status = res.status }

            // validate
            #expect(status == .payloadTooLarge)
            #expect(
                try await Self.preview(app, Self.workedExample).status == .ok, "no sign-in and no CSRF token needed")
        }
    }

    // MARK: - The command line

    /// `.build/debug/dps`, found from this file's path (Tests/AppTests/EvaluationTests.swift).
    static let binary: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/dps")
    static let binaryExists = FileManager.default.isExecutableFile(atPath: binary.path)

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `dps evaluate <file>` in a scratch folder (so no database file lands in the repository).
    static func evaluate(_ json: String) throws -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dps-evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("input.json")
        try Data(json.utf8).write(to: file)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["evaluate", file.path]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = nil
        environment["SQLITE_PATH"] = folder.appendingPathComponent("unused.sqlite").path
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test(
        "dps evaluate prints the ranking for a valid file and exits 0",
        .enabled(if: binaryExists, "needs .build/debug/dps"))
    func cliValid() throws {
        // MUT
        let run = try Self.evaluate(Self.workedExample)

        // validate
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let result = try JSONDecoder().decode(EvaluationResult.self, from: Data(run.stdout.utf8))
        #expect(result.ranking.map(\.id) == ["A", "B", "C"])
        #expect(result.ranking.map(\.total) == [88, 82, 79])
        let expected = try EvaluationJSON.evaluate(data: Data(Self.workedExample.utf8))
        #expect(run.stdout == String(decoding: expected, as: UTF8.self) + "\n")
    }

    @Test(
        "dps evaluate refuses an invalid file with a non-zero status naming the rule",
        .enabled(if: binaryExists, "needs .build/debug/dps"))
    func cliInvalid() throws {
        // setup
        let input = Self.workedExample(replacing: #""location": 5 }"#, with: #""location": 4 }"#)

        // MUT
        let run = try Self.evaluate(input)

        // validate
        #expect(run.status != 0)
        #expect(
            run.stderr.contains("error: weights: weights must add up to 100, they add up to 99 [weights-sum]"),
            "stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}

import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// `POST /api/v1/evaluations/preview`: scores the bids it is sent with the engine the server uses and
/// returns the result JSON, byte for byte what `dps evaluate FILE` prints. Public: it reads and stores
/// nothing, it only scores what it is given. The format is described in docs/evaluation-format.md.
struct EvaluationRoutes: RouteCollection {
    /// Largest accepted input: about 4,000 fully described bids, far beyond any referral.
    static let maxBodySize: ByteCount = "2mb"

    func boot(routes: any RoutesBuilder) throws {
        let evaluations = routes.grouped("api", "v1", "evaluations")
        evaluations.on(.POST, "preview", body: .collect(maxSize: Self.maxBodySize), use: preview)
    }

    /// 200 with the result JSON; 400 when the body is not readable JSON of the right shape (rule
    /// `invalid-json`); 422 when the input breaks an evaluation rule, listing every problem in `errors`.
    func preview(req: Request) async throws -> Response {
        let data = req.body.data.map { Data($0.readableBytesView) } ?? Data()
        switch EvaluateCommand.evaluate(data) {
        case .success(let output):
            let response = Response(status: .ok, body: .init(data: output))
            response.headers.contentType = .json
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        case .failure(let problems):
            return Self.problem(problems.all)
        }
    }

    /// RFC 9457 problem details, with the rule of the first problem alongside `detail`.
    struct EvaluationProblem: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldError]
        var rule: String
    }

    /// The problem+json response for the engine's problems (first problem decides status, detail and rule).
    static func problem(_ problems: [EvaluationError]) -> Response {
        let first =
            problems.first ?? EvaluationError(rule: "invalid-json", field: "$", message: "the input could not be read")
        let status: HTTPResponseStatus =
            switch first.rule {
            case "invalid-json": .badRequest
            case "encoding": .internalServerError
            default: .unprocessableEntity
            }
        let body = EvaluationProblem(
            title: status.reasonPhrase, status: Int(status.code), detail: first.message,
            errors: problems.map { FieldError(field: $0.field, message: "\($0.message) [\($0.rule)]") },
            rule: first.rule)
        let response = Response(status: status)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        response.body = .init(data: (try? encoder.encode(body)) ?? Data(#"{"status":500}"#.utf8))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// The operation's OpenAPI 3.1 description, indented to sit under `paths:` in `OpenAPISpec.yaml`.
    static let openAPIPath: String = #"""
          /api/v1/evaluations/preview:
            post:
              operationId: previewEvaluation
              summary: Scores and ranks a referral's bids by the published method (§7), storing nothing (public).
              description: |
                The same engine and format as `dps evaluate FILE` (see docs/evaluation-format.md): money in pence,
                distances in miles, scores and weights in points. Weights must add up to 100 within the published
                bounds. A refused input answers 422 naming the field and the rule (`rule`, and `[rule]` after each
                message in `errors`); a body that is not readable JSON of the right shape answers 400 (rule
                `invalid-json`). At most 2 MB.
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [weeksPerYear, weights, bids]
                      properties:
                        weeksPerYear: { type: integer, minimum: 1, maximum: 52, description: Weeks per year of the \#
        placement pattern }
                        weights:
                          type: object
                          description: Points out of 100 per criterion; they must add up to 100
                          required: [price, coreCompetency, outcomes, needs, location]
                          properties:
                            price: { type: integer, minimum: 30, maximum: 70 }
                            coreCompetency: { type: integer, minimum: 0, maximum: 20 }
                            outcomes: { type: integer, minimum: 0 }
                            needs: { type: integer, minimum: 0 }
                            location: { type: integer, minimum: 0, maximum: 5 }
                            desirables: { type: integer, minimum: 0, default: 0 }
                            incentives: { type: integer, minimum: 0, default: 0 }
                        bounds:
                          type: object
                          description: The category's own weight bounds, each { min, max }, narrowing the published ones
                          additionalProperties:
                            type: object
                            required: [min, max]
                            properties:
                              min: { type: integer }
                              max: { type: integer }
                        needs:
                          type: array
                          items: { type: object, required: [id], properties: { id: { type: string }, marks: { type: \#
        integer, minimum: 0, default: 1 } } }
                        mustHaves: { type: array, items: { type: string } }
                        desirables:
                          type: array
                          items: { type: object, required: [id], properties: { id: { type: string }, marks: { type: \#
        integer, minimum: 0, default: 1 } } }
                        parentChoice:
                          type: object
                          required: [enabled]
                          properties:
                            enabled: { type: boolean }
                            bandPoints: { type: number, exclusiveMinimum: 0, default: 5 }
                            maxShortlist: { type: integer, minimum: 2, default: 3 }
                        bids:
                          type: array
                          items:
                            type: object
                            required: [id, weeklyCostPence, qualificationScore, outcomesScore, distanceMiles, \#
        submittedAt]
                            properties:
                              id: { type: string, minLength: 1 }
                              weeklyCostPence: { type: integer, minimum: 1 }
                              qualificationScore: { type: number, minimum: 0, maximum: 100 }
                              outcomesScore: { type: number, minimum: 0, maximum: 5 }
                              needsMet: { type: array, items: { type: string } }
                              mustHavesMet: { type: array, items: { type: string } }
                              desirablesMet: { type: array, items: { type: string } }
                              distanceMiles: { type: number, minimum: 0 }
                              incentivesScore: { type: number, minimum: 0, maximum: 5, default: 0 }
                              submittedAt: { type: string, format: date-time }
                              coreCostRaised: { type: boolean, default: false }
                              discountBelowPublished: { type: boolean, default: false }
                              late: { type: boolean, default: false }
              responses:
                '200':
                  description: The ranking with each bid's breakdown, the non-compliant bids with reasons, and the \#
        parent-choice shortlist
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [nonCompliant, ranking, shortlist]
                        properties:
                          ranking:
                            type: array
                            items:
                              type: object
                              properties:
                                id: { type: string }
                                rank: { type: integer }
                                total: { type: number }
                                quality: { type: number }
                                annualCostPence: { type: integer }
                                points:
                                  type: object
                                  properties:
                                    price: { type: number }
                                    coreCompetency: { type: number }
                                    outcomes: { type: number }
                                    needs: { type: number }
                                    location: { type: number }
                                    desirables: { type: number }
                                    incentives: { type: number }
                          nonCompliant:
                            type: array
                            items: { type: object, properties: { id: { type: string }, reasons: { type: array, items: \#
        { type: string } } } }
                          shortlist: { type: array, items: { type: string } }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '413': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }

        """#
}

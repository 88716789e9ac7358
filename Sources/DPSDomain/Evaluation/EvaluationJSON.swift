import Foundation

/// The JSON face of the evaluation engine, shared by `dps evaluate FILE` and
/// `POST /api/v1/evaluations/preview` so both read and write exactly the same contract.
///
/// Every failure, including malformed JSON, comes back as an `EvaluationError` naming a rule and
/// the path of the offending field, so callers only have one kind of error to report.
public enum EvaluationJSON {
    /// Decodes an input, evaluates it and encodes the result (sorted keys, pretty printed).
    public static func evaluate(data: Data) throws(EvaluationError) -> Data {
        let input = try decodeInput(data)
        let result = try EvaluationEngine.evaluate(input)
        return try encode(result)
    }

    /// Decodes an input; a decoding failure becomes rule `invalid-json` with the field's path
    /// (e.g. `bids[0].weeklyCostPence`, or `$` for the document itself).
    public static func decodeInput(_ data: Data) throws(EvaluationError) -> EvaluationInput {
        do {
            return try JSONDecoder().decode(EvaluationInput.self, from: data)
        } catch let error as DecodingError {
            throw invalidJSON(error)
        } catch {
            throw EvaluationError(rule: "invalid-json", field: "$", message: "the input is not valid JSON")
        }
    }

    /// Encodes any contract value with sorted keys and pretty printing, for stable, diffable output.
    public static func encode(_ value: some Encodable) throws(EvaluationError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            throw EvaluationError(rule: "encoding", field: "$", message: "the result could not be encoded: \(error)")
        }
    }

    /// Maps a DecodingError to an `invalid-json` error naming the path.
    static func invalidJSON(_ error: DecodingError) -> EvaluationError {
        switch error {
        case .keyNotFound(let key, let context):
            return EvaluationError(
                rule: "invalid-json", field: path(context.codingPath + [key]), message: "a required field is missing")
        case .typeMismatch(let type, let context):
            return EvaluationError(
                rule: "invalid-json", field: path(context.codingPath),
                message: "expected \(describe(type)) (\(context.debugDescription))")
        case .valueNotFound(let type, let context):
            return EvaluationError(
                rule: "invalid-json", field: path(context.codingPath), message: "expected \(describe(type)), found null"
            )
        case .dataCorrupted(let context):
            let message = context.codingPath.isEmpty ? "the input is not valid JSON" : context.debugDescription
            return EvaluationError(rule: "invalid-json", field: path(context.codingPath), message: message)
        @unknown default:
            return EvaluationError(rule: "invalid-json", field: "$", message: "the input could not be read")
        }
    }

    /// `bids[0].weeklyCostPence` style path; `$` for the root.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "$" : text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type, is Decimal.Type, is Points.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}

import Foundation

/// A refusal from the evaluation rules, naming the rule that failed and the input field at fault.
///
/// Evaluation is published method: an officer, a provider or the CLI must be able to see exactly
/// which rule refused the input and where, so the error carries a stable machine-readable `rule`
/// (kebab-case, e.g. `weights-sum`) and a JSON-style `field` path (e.g. `bids[2].outcomesScore`)
/// alongside a plain-English `message`.
public struct EvaluationError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable identifier of the rule that failed, safe to match on in code and tests.
    public var rule: String
    /// Path of the offending input field, in the JSON shape of the input (`weights.price`, `bids[0].id`).
    public var field: String
    /// Plain-English explanation suitable for showing to an officer or printing from the CLI.
    public var message: String

    /// Creates an error; all three parts are required so no refusal is ever anonymous.
    public init(rule: String, field: String, message: String) {
        self.rule = rule
        self.field = field
        self.message = message
    }

    /// One-line form for logs and the CLI: `field: message [rule]`.
    public var description: String { "\(field): \(message) [\(rule)]" }
}

extension EvaluationError: LocalizedError {
    /// Lets Foundation-based callers (and Vapor's error middleware) show the same one-line text.
    public var errorDescription: String? { description }
}

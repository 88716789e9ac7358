import Foundation

/// A scored method statement of a category (§4): workforce, outcomes framework, contract management,
/// the young people's model answer and so on.
public struct MethodStatementSpec: Equatable, Hashable, Codable, Sendable {
    public var id: String
    public var title: String
    /// Share of the 100-point qualification score; the weights of a category add up to exactly 100.
    public var weight: Int
    /// Scored by the young people's panel rather than evaluators [BC 6.3].
    public var youngPeoplesPanel: Bool

    public init(id: String, title: String, weight: Int, youngPeoplesPanel: Bool = false) {
        self.id = id
        self.title = title
        self.weight = weight
        self.youngPeoplesPanel = youngPeoplesPanel
    }
}

/// The qualification score: each method statement is scored 0-5 and weighted so the total is out of
/// 100. The score never bars entry; it is carried into every referral [BC 7.10], so it is computed
/// exactly, in hundredths of a point, with integers only.
public enum QualificationScoring {
    /// The scoring scale: 0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent.
    public static let scoreRange = 0...5
    public static let maximumScore = 5

    /// Names of the scale points, for pages.
    public static let scaleNames = ["No answer", "Poor", "Weak", "Satisfactory", "Good", "Excellent"]

    /// Checks a category's method statements: ids present and unique, titles present, weights positive
    /// whole numbers adding up to exactly 100, and at most one young people's question.
    public static func validate(statements: [MethodStatementSpec]) -> [FieldError] {
        var errors: [FieldError] = []
        guard !statements.isEmpty else {
            return [
                FieldError(
                    field: "statements", message: "Add at least one method statement; their weights must add up to 100")
            ]
        }
        var seen: Set<String> = []
        for (index, statement) in statements.enumerated() {
            let id = QualificationText.trimmed(statement.id)
            if id.isEmpty {
                errors.append(
                    FieldError(
                        field: "statements[\(index)].id", message: "Enter an id for method statement \(index + 1)"))
            } else if !seen.insert(id).inserted {
                errors.append(
                    FieldError(
                        field: "statements[\(index)].id",
                        message: "Method statement ids must be unique: '\(id)' is used more than once"))
            }
            if QualificationText.isBlank(statement.title) {
                errors.append(
                    FieldError(
                        field: "statements[\(index)].title", message: "Enter a title for method statement \(index + 1)")
                )
            }
            if statement.weight <= 0 {
                errors.append(
                    FieldError(
                        field: "statements[\(index)].weight",
                        message: "The weight of a method statement must be a whole number above 0"))
            }
        }
        let total = statements.reduce(0) { $0 &+ $1.weight }
        if total != 100 {
            errors.append(
                FieldError(
                    field: "statements", message: "Method statement weights must add up to 100; they add up to \(total)"
                ))
        }
        if statements.filter(\.youngPeoplesPanel).count > 1 {
            errors.append(
                FieldError(field: "statements", message: "Only one method statement can be the young people's question")
            )
        }
        return errors
    }

    /// The qualification score in hundredths of a point: Σ weight × score / 5, rounded half away from
    /// zero to two decimal places. Every statement needs a consensus score from 0 to 5
    /// (field `scores.<id>`), and scores for unknown statements are refused.
    ///
    /// With whole-number weights the sum is always exact in hundredths (weight × score × 20); the
    /// rounding is there so the rule still holds if fractional weights are ever introduced.
    public static func score(statements: [MethodStatementSpec], consensus: [String: Int]) throws(ValidationFailure)
        -> Int
    {
        var errors = validate(statements: statements)
        let known = Set(statements.map(\.id))
        var numerator = 0
        for statement in statements {
            guard let value = consensus[statement.id] else {
                errors.append(
                    FieldError(
                        field: "scores.\(statement.id)", message: "Enter a score from 0 to 5 for \(statement.title)"))
                continue
            }
            guard scoreRange.contains(value) else {
                errors.append(
                    FieldError(
                        field: "scores.\(statement.id)",
                        message: "The score for \(statement.title) must be a whole number from 0 to 5; it is \(value)"))
                continue
            }
            numerator += statement.weight * value * 100
        }
        for id in consensus.keys.sorted() where !known.contains(id) {
            errors.append(
                FieldError(field: "scores.\(id)", message: "'\(id)' is not a method statement of this category"))
        }
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        return roundedDivision(numerator, by: maximumScore)
    }

    /// The consensus an evaluator is offered from several evaluators' scores: the mean rounded half up
    /// (3 and 4 give 4). An empty list gives 0, "no answer", since nobody has scored yet.
    public static func proposedConsensus(scores: [Int]) -> Int {
        guard !scores.isEmpty else { return 0 }
        return roundedDivision(scores.reduce(0, +), by: scores.count, halfUp: true)
    }

    /// Formats hundredths of a point as "74.00".
    public static func formatHundredths(_ value: Int) -> String {
        let magnitude = value.magnitude
        let fraction = magnitude % 100
        return (value < 0 ? "-" : "") + String(magnitude / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    /// Integer division rounded to nearest: ties away from zero by default, or towards +∞ when
    /// `halfUp` is set. The divisor must be positive.
    static func roundedDivision(_ numerator: Int, by divisor: Int, halfUp: Bool = false) -> Int {
        precondition(divisor > 0)
        let quotient = numerator / divisor
        let remainder = numerator % divisor
        let twice = 2 * remainder.magnitude
        if twice < UInt(divisor) { return quotient }
        if twice > UInt(divisor) { return numerator < 0 ? quotient - 1 : quotient + 1 }
        // Exactly half.
        if halfUp { return numerator < 0 ? quotient : quotient + 1 }
        return numerator < 0 ? quotient - 1 : quotient + 1
    }
}

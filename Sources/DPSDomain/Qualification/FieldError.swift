import Foundation

/// One problem with one field of something a person submitted.
///
/// Pages show `message` next to the field named by `field`, and the API returns both in a
/// problem document, so the message must make sense on its own: it names the field and the rule
/// in plain English rather than echoing a code.
public struct FieldError: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    /// A dotted path to the field, such as `costs.premises` or `answers.sen.insurance`.
    public var field: String
    /// What is wrong and, where it helps, what to do about it.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Thrown when input breaks one or more rules; carries every problem found, not just the first,
/// so a person can fix a form in one pass.
public struct ValidationFailure: Error, Equatable, Codable, Sendable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(errors: [FieldError]) {
        self.errors = errors
    }

    /// A failure with a single problem.
    public init(field: String, message: String) {
        self.errors = [FieldError(field: field, message: message)]
    }

    /// The fields that have problems, in order, for quick checks in callers and tests.
    public var fields: [String] { errors.map(\.field) }

    public var description: String {
        errors.map(\.description).joined(separator: "; ")
    }
}

/// Small text helpers shared by the qualification rules. Kept in a namespaced enum so they cannot
/// collide with helpers written elsewhere in the module.
enum QualificationText {
    /// The text without surrounding spaces and newlines.
    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when the text is empty once surrounding whitespace is removed.
    static func isBlank(_ text: String?) -> Bool {
        guard let text else { return true }
        return trimmed(text).isEmpty
    }

    /// A reason with surrounding whitespace removed, or nil when nothing real was written.
    static func reason(_ text: String?) -> String? {
        guard let text else { return nil }
        let value = trimmed(text)
        return value.isEmpty ? nil : value
    }
}

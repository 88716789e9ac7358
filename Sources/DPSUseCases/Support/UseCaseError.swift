import DPSDomain
import Foundation

/// Why a use case refused: the one error type use cases throw. The web shell maps each kind to an HTTP
/// status in one place (`AppErrorMiddleware.classify`), and forms show the field errors beside their fields.
package struct UseCaseError: Error, Sendable {
    package enum Kind: Sendable, Equatable {
        /// The input breaks a rule (HTTP 422); `errors` name the fields.
        case invalid
        /// The thing has moved on: already published, closed, awarded (HTTP 409).
        case conflict
        /// It does not exist, or the person asking may not know it does (HTTP 404).
        case notFound
        /// The person asking may see it but not do this (HTTP 403).
        case forbidden
        /// An upload is larger than the rule allows (HTTP 413).
        case tooLarge
        /// It existed for a while and has lapsed, like a parent's link after its deadline (HTTP 410).
        case gone
        /// Stored data or the database is not as the code expects: a defect, never the user's fault (HTTP 500).
        case internalFailure
    }

    package let kind: Kind
    /// The problems by field, when the refusal is about input (empty otherwise).
    package let errors: [FieldError]
    package let message: String

    /// Refuses input, naming every field at fault.
    package init(_ errors: [FieldError], status kind: Kind = .invalid) {
        self.kind = kind
        self.errors = errors
        self.message = errors.map(\.message).joined(separator: "; ")
    }

    package init(field: String, _ message: String, status kind: Kind = .invalid) {
        self.init([FieldError(field: field, message: message)], status: kind)
    }

    /// Refuses without a field: not found, forbidden, a conflict with no form to show it on.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.errors = []
        self.message = message
    }

    /// Stored JSON that does not decode is a defect to report, never an empty value to carry on with.
    package static func undecodable(_ what: String, _ error: any Error) -> UseCaseError {
        UseCaseError(.internalFailure, "Stored \(what) could not be read: \(error)")
    }
}

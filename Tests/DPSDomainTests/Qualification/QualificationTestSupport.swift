import Foundation
import Testing

@testable import DPSDomain

/// A date literal for tests.
func qualDate(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

/// An instant given as London wall-clock time, e.g. `qualLondon("2026-03-02 09:30")`.
func qualLondon(_ text: String) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_GB_POSIX")
    formatter.timeZone = .london
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

/// An instant given in UTC, e.g. `qualUTC("2026-06-01 23:30")`, for tests about the London date.
func qualUTC(_ text: String) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_GB_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
}

/// The validation failure thrown by `body`, or nil when it succeeds. (Closures do not yet infer a
/// typed `throws`, so any other error is reported as a test issue.)
func qualFailure<T>(_ body: () throws -> T) -> ValidationFailure? {
    do {
        _ = try body()
        return nil
    } catch let error as ValidationFailure {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

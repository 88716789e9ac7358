import DPSDomain
import Foundation

/// Numbers and text from outside, bounded where they are decoded: a value outside its range is treated as
/// not given (nil), so nothing unbounded reaches domain arithmetic.
package enum Bounded {
    /// A whole number typed by a person, only if it lies within `range`.
    package static func int(_ raw: String?, in range: ClosedRange<Int>) -> Int? {
        guard let raw, let value = Int(raw.trimmingCharacters(in: .whitespacesAndNewlines)), range.contains(value)
        else { return nil }
        return value
    }

    /// Criterion weights and weight bounds are points out of 100.
    package static let points = 0...100
    /// Longest free text of a bid or referral field (an outcomes statement is a few pages at most).
    package static let longText = 20_000
    /// Longest one-line text (names, references, reasons).
    package static let shortText = 500
    /// Most items one form may choose at once (categories of an application, needs of a referral).
    package static let maxListItems = ReferralRules.maximumListItems
}

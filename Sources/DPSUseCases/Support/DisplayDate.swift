import DPSDomain
import Foundation

/// Dates as people in England read them, and the one machine-friendly form the deadline fields use,
/// always in London time.
package enum DisplayDate {
    /// A formatter for London time with a fixed pattern (POSIX locale, so the pattern means the same everywhere).
    package static func london(_ format: String, locale: String = "en_GB_POSIX") -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: locale)
        f.timeZone = .london
        f.dateFormat = format
        return f
    }

    /// "21 November 2026 at 5:00pm".
    package static func dateTime(_ date: Date) -> String {
        london("d MMMM yyyy 'at' h:mma", locale: "en_GB").string(from: date)
            .replacingOccurrences(of: "AM", with: "am").replacingOccurrences(of: "PM", with: "pm")
    }

    /// "2026-11-21 17:00", the form the deadline fields accept.
    package static func isoMinute(_ date: Date) -> String { london("yyyy-MM-dd HH:mm").string(from: date) }

    /// "21 November 2026" from an ISO date, or a dash.
    package static func date(_ iso: String?) -> String {
        guard let iso, let d = LocalDate(iso: iso) else { return "—" }
        return d.longForm
    }
}

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
        guard let (day, hour, minute) = londonClock(date) else {
            return london("d MMMM yyyy 'at' h:mma", locale: "en_GB").string(from: date)
                .replacingOccurrences(of: "AM", with: "am").replacingOccurrences(of: "PM", with: "pm")
        }
        let h = hour % 12 == 0 ? 12 : hour % 12
        return "\(day.longForm) at \(h):\(twoDigits(minute))\(hour < 12 ? "am" : "pm")"
    }

    /// "2026-11-21 17:00", the form the deadline fields accept.
    package static func isoMinute(_ date: Date) -> String {
        guard let (day, hour, minute) = londonClock(date) else { return london("yyyy-MM-dd HH:mm").string(from: date) }
        return "\(day.iso) \(twoDigits(hour)):\(twoDigits(minute))"
    }

    /// An instant as the date input's boxes take it, for hints: "12 1 2027 and 17:00" (London time).
    package static func dayMonthYearTime(_ date: Date) -> String {
        guard let (day, hour, minute) = londonClock(date) else { return isoMinute(date) }
        return "\(day.day) \(day.month) \(day.year) and \(twoDigits(hour)):\(twoDigits(minute))"
    }

    /// The London date, hour and minute of an instant: the zone's offset at that instant, then integer arithmetic.
    /// A `DateFormatter` per date shown cost a noticeable share of a page's CPU. `nil` outside about the years
    /// 1910-9890, which the formatter then handles (before that London kept local mean time, and before 1752 the
    /// Julian calendar, which the formatter knows).
    static func londonClock(_ date: Date) -> (LocalDate, hour: Int, minute: Int)? {
        let since1970 = date.timeIntervalSince1970
        guard since1970.isFinite, since1970 > -1_900_000_000, since1970 < 250_000_000_000 else { return nil }
        let local = Int(since1970.rounded(.down)) + TimeZone.london.secondsFromGMT(for: date)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - days * 86_400
        return (LocalDate(dayNumber: days), seconds / 3_600, seconds % 3_600 / 60)
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    /// "21 November 2026" from an ISO date, or a dash.
    package static func date(_ iso: String?) -> String {
        guard let iso, let d = LocalDate(iso: iso) else { return "—" }
        return d.longForm
    }
}

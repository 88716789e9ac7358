import Foundation
import Testing

@testable import DPSUseCases

/// Dates are shown in London time without a formatter per date; the result is the formatter's, character for
/// character, across the clock changes.
@Suite("Dates as shown")
struct DisplayDateTests {
    /// What `DateFormatter` says, the way the pages said it before.
    static func formatted(_ date: Date) -> (dateTime: String, isoMinute: String) {
        let long = DisplayDate.london("d MMMM yyyy 'at' h:mma", locale: "en_GB").string(from: date)
            .replacingOccurrences(of: "AM", with: "am").replacingOccurrences(of: "PM", with: "pm")
        return (long, DisplayDate.london("yyyy-MM-dd HH:mm").string(from: date))
    }

    @Test("London dates and times match the formatter's, either side of each clock change, at midnight and noon")
    func matchesFormatter() {
        var instants: [Date] = []
        // Every 37 minutes through 2026 and 2027 (both clock changes of each year), and some fixed instants.
        var t = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        while t.timeIntervalSince1970 < 1_830_297_600 {  // 2028-01-01
            instants.append(t)
            t += 37 * 60
        }
        for iso in [
            "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-10-25T00:59:00Z", "2026-10-25T01:00:00Z",
            "2026-06-30T23:00:00Z", "2026-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1969-12-31T23:30:00Z",
            "2000-02-29T12:00:00Z", "9800-07-01T12:34:00Z", "1100-01-01T00:00:00Z",
        ] {
            instants.append(ISO8601DateFormatter().date(from: iso)!)
        }
        for date in instants {
            let expected = Self.formatted(date)
            #expect(DisplayDate.dateTime(date) == expected.dateTime, "\(date)")
            #expect(DisplayDate.isoMinute(date) == expected.isoMinute, "\(date)")
        }
    }

    @Test("Instants no calendar page shows (far past or future, not finite) are shown by the formatter, never a trap")
    func extremes() {
        for seconds in [-1e15, 1e15, -62_000_000_000, 260_000_000_000, .infinity, -.infinity, .nan] {
            let date = Date(timeIntervalSince1970: seconds)
            _ = DisplayDate.dateTime(date)
            _ = DisplayDate.isoMinute(date)
        }
    }
}

import Foundation

extension TimeZone {
    /// Europe/London: the councils' working days, deadlines and closing windows are all London
    /// calendar dates, whatever zone the server runs in.
    public static let london: TimeZone = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0)!
}

/// A calendar date without a time or a zone, in the proleptic Gregorian calendar.
///
/// Deadlines, bank holidays and evidence expiry are dates, not instants: "decided by 14 May" means by
/// the end of that day in London. Keeping them as a separate type stops accidental comparisons of an
/// instant with midnight UTC. Encoded as `"YYYY-MM-DD"` so it reads the same in JSON, the database
/// and the OCDS exports.
public struct LocalDate: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A date known to be valid, such as a literal in code. Invalid dates are a programming error;
    /// parse untrusted text with `init?(iso:)` or check with `isValid(year:month:day:)` first.
    public init(year: Int, month: Int, day: Int) {
        precondition(Self.isValid(year: year, month: month, day: day), "Invalid date \(year)-\(month)-\(day)")
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`, refusing impossible dates such as 2026-02-29.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            Self.isValid(year: y, month: m, day: d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// True when the triple names a real Gregorian date (years 1...9999 so the ISO form stays 4 digits).
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= daysInMonth(year: year, month: month)
    }

    /// Days in a month, honouring Gregorian leap years.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let y = String(year)
        let m = String(month)
        let d = String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-"
            + (m.count < 2 ? "0" : "") + m + "-" + (d.count < 2 ? "0" : "") + d
    }

    public var description: String { iso }

    /// The date as people write it in letters and on pages, e.g. "1 February 2027".
    public var longForm: String {
        "\(day) \(Self.monthNames[month - 1]) \(year)"
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    // MARK: Day arithmetic

    /// Days since 1970-01-01 (negative before). Integer arithmetic on a day count is exact and far
    /// cheaper than going through `Calendar` for every step of a working-day count.
    public var dayNumber: Int {
        // Civil-from-days inverse, with years starting in March so the leap day is last.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The first and last dates there are (years 1 to 9999): arithmetic stops at them rather than trap.
    public static let earliest = LocalDate(year: 1, month: 1, day: 1)
    public static let latest = LocalDate(year: 9999, month: 12, day: 31)

    /// The date for a day count since 1970-01-01, held within `earliest`...`latest` (a count outside that range,
    /// from arithmetic on a far date someone typed, gives the nearest end instead of trapping).
    public init(dayNumber: Int) {
        let first = -719_162  // 0001-01-01
        let last = 2_932_896  // 9999-12-31
        let z = min(max(dayNumber, first), last) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(year: y, month: m, day: d)
    }

    /// The date `days` calendar days later (earlier when negative).
    public func adding(days: Int) -> LocalDate {
        let (sum, overflow) = dayNumber.addingReportingOverflow(days)
        return LocalDate(dayNumber: overflow ? (days < 0 ? Int.min : Int.max) : sum)
    }

    /// The same day `months` months later (earlier when negative), or that month's last day when it is shorter:
    /// 31 August and 6 months is 28 (or 29) February.
    /// Held within `earliest`...`latest` as `adding(days:)` is.
    public func adding(months: Int) -> LocalDate {
        let bounded = min(max(months, -120_000), 120_000)
        let index = year * 12 + (month - 1) + bounded
        if index < 12 { return .earliest }
        if index >= 10_000 * 12 { return .latest }
        let y = index / 12
        let m = index - y * 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysInMonth(year: y, month: m)))
    }

    /// Calendar days from this date to `other` (negative when `other` is earlier).
    public func days(to other: LocalDate) -> Int {
        other.dayNumber - dayNumber
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let r = (dayNumber + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// True on Saturday and Sunday.
    public var isWeekend: Bool { weekday >= 6 }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: Instants

    private static func gregorian(in tz: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        return calendar
    }

    /// The calendar date of an instant as seen in a zone (London unless told otherwise), so that a
    /// submission at 00:30 BST on 1 April counts as 1 April, not 31 March as UTC would have it.
    public static func from(_ date: Date, in tz: TimeZone = .london) -> LocalDate {
        let parts = gregorian(in: tz).dateComponents([.year, .month, .day], from: date)
        return LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// The first instant of this date in a zone: the start of a closed window or the moment a
    /// deadline day begins.
    public func startOfDay(in tz: TimeZone = .london) -> Date {
        let calendar = Self.gregorian(in: tz)
        let components = DateComponents(year: year, month: month, day: day)
        let noonish = calendar.date(from: components)!
        return calendar.startOfDay(for: noonish)
    }

    // MARK: Codable

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = LocalDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected a date as YYYY-MM-DD, got \"\(text)\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }
}

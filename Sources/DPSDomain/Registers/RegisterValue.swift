import Foundation

/// Interpreting raw register fields: blanks, numbers, suppression markers and dates.
///
/// Government registers mix conventions: blank cells, DfE suppression codes (`c`, `z`,
/// `x`, `k`, `[x]`, `[note 4]`), `REDACTED` for safeguarded addresses, and dates written
/// `dd/mm/yyyy` (Ofsted) or `dd-mm-yyyy` (GIAS). Centralising the rules keeps every
/// register model consistent and stores dates in one unambiguous form, ISO `YYYY-MM-DD`.
public enum RegisterValue {
    /// The value Ofsted publishes in place of withheld names and addresses.
    public static let redacted = "REDACTED"

    /// Trimmed text, or `nil` when absent or blank.
    public static func text(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Trimmed text, or `nil` when absent, blank or `REDACTED` (any case).
    public static func unredacted(_ raw: String?) -> String? {
        guard let value = text(raw), value.uppercased() != redacted else { return nil }
        return value
    }

    /// An integer, or `nil` for blanks and suppression markers (`c`, `z`, `x`, `[x]`, ...).
    /// Accepts thousands separators and whole-number decimals such as `"3045.0"`.
    public static func integer(_ raw: String?) -> Int? {
        guard var value = text(raw) else { return nil }
        if value.contains(",") { value.removeAll { $0 == "," } }
        if let whole = Int(value) { return whole }
        if let number = Double(value), number.isFinite, number.rounded() == number,
            abs(number) < 9.0e15
        {
            return Int(number)
        }
        return nil
    }

    /// A decimal number, or `nil` for blanks and suppression markers.
    public static func decimal(_ raw: String?) -> Double? {
        guard let value = text(raw), let number = Double(value), number.isFinite else { return nil }
        return number
    }

    /// Converts `dd/mm/yyyy`, `dd-mm-yyyy` (day and month may be one digit) or an existing
    /// `yyyy-mm-dd` to ISO `YYYY-MM-DD`. Returns `nil` for blanks or impossible dates, so a
    /// garbled cell never becomes a plausible-looking wrong date.
    public static func isoDate(_ raw: String?) -> String? {
        guard let value = text(raw) else { return nil }
        let separator: Character = value.contains("/") ? "/" : "-"
        let parts = value.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2])
        else { return nil }
        let year: Int
        let month: Int
        let day: Int
        if parts[0].count == 4, separator == "-" {
            (year, month, day) = (a, b, c)
        } else if parts[2].count == 4, parts[0].count <= 2, parts[1].count <= 2 {
            (year, month, day) = (c, b, a)
        } else {
            return nil
        }
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

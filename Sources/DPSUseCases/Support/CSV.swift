import Foundation

/// Writing CSV (RFC 4180) for exports people open in a spreadsheet.
package enum CSV {
    /// One record and its CRLF. A cell holding a comma, quote or line break is quoted (quotes doubled). A cell
    /// a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
    /// apostrophe, so text typed by anyone (a name, a reason) cannot become a formula on an officer's machine.
    package static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    static func cell(_ raw: String) -> String {
        var text = raw
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// An instant as ISO 8601 in UTC to the millisecond, as the audit trail keeps it.
    package static func utc(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

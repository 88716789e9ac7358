/// Dates as people type them into a form.
///
/// The pages ask for a date as the GOV.UK date input does (day, month and year in three boxes), and people also
/// paste or type a whole date into the first box. Both are read here, in the UK order: `14/03/2024`,
/// `14 3 2024`, `14-03-2024`, `14.3.2024`, `14 March 2024`, `14th Mar 2024`, and the ISO form `2024-03-14`. A
/// year has four digits (a two-digit year is ambiguous); `03/04/2024` is 3 April. Text longer than 40 characters
/// is not a date, so nothing here grows with what an attacker sends.
extension LocalDate {
    /// What was typed for a date, checked part by part so a page can say which part is wrong.
    public enum Typed: Equatable, Sendable {
        /// Nothing was typed.
        case empty
        /// A real date.
        case date(LocalDate)
        /// Some of day, month and year were left out (named in that order, in lower case).
        case missing([String])
        /// Every part was given, but together they are not a real date (or cannot be read as one).
        case notReal
    }

    /// Reads the three boxes of a date input. When only the first box holds text, that text is read as a whole
    /// date (it was pasted or typed there).
    public static func typed(day: String, month: String, year: String) -> Typed {
        let d = day.trimmingSpaces
        let m = month.trimmingSpaces
        let y = year.trimmingSpaces
        if d.isEmpty && m.isEmpty && y.isEmpty { return .empty }
        if m.isEmpty && y.isEmpty { return typed(d) }
        let missing = [("day", d), ("month", m), ("year", y)].filter { $0.1.isEmpty }.map(\.0)
        if !missing.isEmpty { return .missing(missing) }
        return parts(d, m, y).map(Typed.date) ?? .notReal
    }

    /// Reads one text holding a whole date.
    public static func typed(_ text: String) -> Typed {
        let t = text.trimmingSpaces
        if t.isEmpty { return .empty }
        guard t.utf8.count <= 40 else { return .notReal }
        // A sign before a number ("-1/1/2027", "1/+2/2027") is a negative or signed day, month or year, not a
        // separator: refused, where splitting on it would have read "1/1/2027".
        let characters = Array(t)
        for (i, c) in characters.enumerated() where (c == "-" || c == "+") && i + 1 < characters.count {
            let before = i == 0 ? nil : characters[i - 1]
            if characters[i + 1].isNumber && !(before.map { $0.isLetter || $0.isNumber } ?? false) { return .notReal }
        }
        let pieces = t.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        guard pieces.count == 3 else { return .notReal }
        let found =
            pieces[0].count == 4 && pieces[0].allSatisfy(\.isASCIIDigit)
            ? parts(pieces[2], pieces[1], pieces[0]) : parts(pieces[0], pieces[1], pieces[2])
        return found.map(Typed.date) ?? .notReal
    }

    /// A whole date typed in any of the forms above, or nil.
    public init?(typed text: String) {
        guard case .date(let date) = Self.typed(text) else { return nil }
        self = date
    }

    private static func parts(_ day: String, _ month: String, _ year: String) -> LocalDate? {
        guard let d = number(ordinal(day), digits: 2), let m = number(month, digits: 2) ?? monthNumber(month),
            year.count == 4, let y = number(year, digits: 4), isValid(year: y, month: m, day: d)
        else { return nil }
        return LocalDate(year: y, month: m, day: d)
    }

    /// "14th", "1st", "2nd", "3rd" read as their number.
    private static func ordinal(_ s: String) -> String {
        let lower = s.lowercased()
        for suffix in ["st", "nd", "rd", "th"] where lower.hasSuffix(suffix) && lower.count > 2 {
            return String(lower.dropLast(2))
        }
        return s
    }

    private static func number(_ s: String, digits: Int) -> Int? {
        guard !s.isEmpty, s.count <= digits, s.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(s)
    }

    /// A month by its English name or its first three letters or more ("Mar", "march", "Sept").
    private static func monthNumber(_ s: String) -> Int? {
        let lower = s.lowercased()
        guard lower.count >= 3 else { return nil }
        return monthNames.firstIndex { $0.lowercased().hasPrefix(lower) }.map { $0 + 1 }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

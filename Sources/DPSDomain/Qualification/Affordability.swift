import Foundation

/// Formats pence as pounds the way GOV.UK pages write money: "£4,000.00", "£0.50", "-£1.25".
/// Integer arithmetic only, so no amount is ever shown a penny out.
public func formatPence(_ pence: Int) -> String {
    let magnitude = pence.magnitude
    let pounds = magnitude / 100
    let remainder = magnitude % 100
    var digits = Array(String(pounds))
    var grouped: [Character] = []
    while digits.count > 3 {
        grouped.insert(contentsOf: [","] + digits.suffix(3), at: 0)
        digits.removeLast(3)
    }
    grouped.insert(contentsOf: digits, at: 0)
    return (pence < 0 ? "-" : "") + "£" + String(grouped) + "." + (remainder < 10 ? "0" : "") + String(remainder)
}

/// The commercial checks on a core cost schedule: every line the category asks for is priced, no price
/// is negative, and the weekly total is within the category's affordability cap if it has one
/// [BC 7.4 option 1]. Amounts are whole pence.
public enum AffordabilityCheck {
    /// Checks one schedule.
    ///
    /// - Parameters:
    ///   - linesPence: weekly cost per line id, as entered.
    ///   - lineNames: display names per line id, used in messages (the id is used when absent).
    ///   - requiredLineIds: the lines the category requires.
    ///   - capPence: the cap on the weekly total, if any. A total equal to the cap is allowed.
    ///   - fieldPrefix: the prefix of field names, `costs` by default; a multi-category application
    ///     passes `costs.<categoryId>` so each category's errors land on its own fields.
    /// - Returns: problems found, with fields `<prefix>.<lineId>` for a line and `<prefix>` for the
    ///   total. A line that is neither required nor named is refused as unknown, since it would
    ///   otherwise silently inflate the total.
    public static func check(
        linesPence: [String: Int],
        lineNames: [String: String],
        requiredLineIds: [String],
        capPence: Int?,
        fieldPrefix: String = "costs"
    ) -> [FieldError] {
        func name(_ id: String) -> String { lineNames[id].flatMap(QualificationText.reason) ?? id }
        var errors: [FieldError] = []
        for id in requiredLineIds where linesPence[id] == nil {
            errors.append(
                FieldError(
                    field: "\(fieldPrefix).\(id)",
                    message: "Enter a core cost for every line: \(name(id)) is missing"))
        }
        let known = Set(requiredLineIds).union(lineNames.keys)
        var total = 0
        var overflowed = false
        for id in linesPence.keys.sorted() {
            let value = linesPence[id]!
            if !known.contains(id) {
                errors.append(
                    FieldError(
                        field: "\(fieldPrefix).\(id)",
                        message: "\(id) is not a core cost line of this category"))
                continue
            }
            if value < 0 {
                errors.append(
                    FieldError(
                        field: "\(fieldPrefix).\(id)",
                        message: "A core cost cannot be negative: \(name(id)) is \(formatPence(value))"))
                continue
            }
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow { overflowed = true } else { total = sum }
        }
        if overflowed {
            errors.append(
                FieldError(
                    field: fieldPrefix, message: "The total weekly core cost is too large to be real; check the amounts"
                ))
        } else if let capPence, total > capPence {
            errors.append(
                FieldError(
                    field: fieldPrefix,
                    message:
                        "The total weekly core cost of \(formatPence(total)) "
                        + "is over this category's affordability cap of \(formatPence(capPence))"
                ))
        }
        return errors
    }

    /// The weekly total of the non-negative lines, for display beside the schedule.
    public static func totalPence(_ linesPence: [String: Int]) -> Int {
        linesPence.values.reduce(0) { $0 &+ max(0, $1) }
    }
}

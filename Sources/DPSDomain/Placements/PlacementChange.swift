/// A recorded change to a running placement agreement (DOMAIN §8): a fee variation, a new expected end, or a new
/// placement pattern. One side proposes with a reason and the date it takes effect; the other accepts or rejects.
public enum PlacementChangeKind: String, Codable, Sendable, CaseIterable {
    case fee
    case duration
    case pattern

    public var label: String {
        switch self {
        case .fee: "Fee variation"
        case .duration: "Change of expected end"
        case .pattern: "Change of placement pattern"
        }
    }
}

public enum PlacementChangeState: String, Codable, Sendable, CaseIterable {
    case proposed, accepted, rejected, withdrawn
}

/// One priced line of a placement's weekly fee: a core line (by its key), a variable cost, or for a placement agreed
/// directly its agreed weekly fee. Pence a week per child.
public struct FeeLine: Codable, Sendable, Equatable, Hashable {
    /// The core line's key, or nil for a variable cost or an agreed fee.
    public var key: String?
    public var name: String
    public var pence: Int

    public init(key: String?, name: String, pence: Int) {
        self.key = key
        self.name = name
        self.pence = pence
    }
}

/// The arithmetic of a fee variation: the weekly fee a set of lines makes (per child × children, less the agreed
/// discount, as a bid's), what the variation changes a week and a year, and what is wrong with it.
public enum FeeVariation {
    public struct Effect: Equatable, Sendable {
        public var weeklyBefore: Int
        public var weeklyAfter: Int
        /// After less before, a week (negative when the fee goes down).
        public var weeklyChange: Int
        /// The weekly change over the pattern's weeks a year.
        public var annualChange: Int
    }

    /// The largest amount a line may carry: £99,999,999.99, the bound every amount in pounds is decoded within.
    public static let maximumLinePence = 9_999_999_999
    /// The most lines a varied fee may have.
    public static let maximumLines = 12

    /// The weekly fee of `lines`: their sum per child × `children`, less `discountBasisPoints` rounded half up, as
    /// `BidRules.weeklyCostPence`. Nil when it does not add up (too large).
    public static func weekly(_ lines: [FeeLine], children: Int, discountBasisPoints: Int) -> Int? {
        BidRules.weeklyCostPence(
            BidOffer(
                core: [:], variable: lines.map { BidItem(description: $0.name, pence: $0.pence) },
                discountBasisPoints: discountBasisPoints), children: children)
    }

    /// The effect of replacing `before` with `after`, or the problems, by field (`lineNameN`, `linePoundsN`, where N
    /// is the line's place on the form, `positions`, by default its place in `after`): a line without a name, with a
    /// negative or over-large amount, or naming a core line the agreement does not have or naming one twice; too
    /// many lines; a fee of £0 or no change at all.
    public static func effect(
        before: [FeeLine], after: [FeeLine], children: Int, discountBasisPoints: Int, weeksPerYear: Int,
        positions: [Int]? = nil
    ) -> Result<Effect, FieldErrors> {
        var errors: [FieldError] = []
        if after.count > maximumLines {
            errors.append(FieldError(field: "lines", message: "List at most \(maximumLines) lines"))
        }
        let known = Set(before.compactMap(\.key))
        var seen: Set<String> = []
        for (i, line) in after.enumerated() {
            let n = positions.flatMap { i < $0.count ? $0[i] : nil } ?? i
            if line.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                errors.append(FieldError(field: "lineName\(n)", message: "Name line \(n + 1)"))
            }
            if !(0...maximumLinePence).contains(line.pence) {
                errors.append(
                    FieldError(
                        field: "linePounds\(n)",
                        message: "Line \(n + 1) must be from £0.00 to \(formatPence(maximumLinePence)) a week"))
            }
            if let key = line.key {
                if !known.contains(key) {
                    errors.append(
                        FieldError(field: "lineName\(n)", message: "Line \(n + 1) is not a line of this agreement"))
                } else if !seen.insert(key).inserted {
                    errors.append(FieldError(field: "lineName\(n)", message: "Line \(n + 1) repeats another line"))
                }
            }
        }
        guard errors.isEmpty else { return .failure(FieldErrors(errors)) }
        guard let old = weekly(before, children: children, discountBasisPoints: discountBasisPoints),
            let new = weekly(after, children: children, discountBasisPoints: discountBasisPoints)
        else { return .failure(FieldErrors([FieldError(field: "lines", message: "The weekly fee is too large")])) }
        if new <= 0 {
            return .failure(
                FieldErrors([FieldError(field: "lines", message: "The weekly fee must be more than £0.00")]))
        }
        if new == old && after == before {
            return .failure(FieldErrors([FieldError(field: "lines", message: "Change at least one line")]))
        }
        let change = new - old  // both are bounded by the lines' bounds, far inside Int
        let annual = SafeArithmetic.product(change, max(0, weeksPerYear)) ?? 0
        return .success(Effect(weeklyBefore: old, weeklyAfter: new, weeklyChange: change, annualChange: annual))
    }

    /// A change takes effect on a date within the placement: not before it started, not after it ended or is
    /// expected to end.
    public static func effectiveDateProblem(_ date: LocalDate, start: LocalDate, end: LocalDate?) -> String? {
        if date < start { return "The change cannot take effect before the placement started" }
        if let end, date > end { return "The change cannot take effect after the placement's end" }
        return nil
    }
}

/// A list of field errors as an `Error`, for results.
public struct FieldErrors: Error, Equatable, Sendable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}

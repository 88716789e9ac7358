/// Integer helpers that keep scoring exact.
///
/// Scores are published and checked by hand against the worked example, so every division is done
/// on integers (hundredths of a point, pence) with an explicit half-away-from-zero rounding instead
/// of binary floating point, which cannot represent values such as 0.285 exactly.
enum EvaluationRounding {
    /// `numerator / denominator` rounded half away from zero. `denominator` must be non-zero.
    ///
    /// Works for any signs; callers keep operands inside Int64 by validating input ranges first.
    static func divideRoundingHalfAwayFromZero(_ numerator: Int, _ denominator: Int) -> Int {
        precondition(denominator != 0, "division by zero")
        let negative = (numerator < 0) != (denominator < 0)
        let n = numerator.magnitude
        let d = denominator.magnitude
        var quotient = n / d
        let remainder = n % d
        // Compare 2r >= d without overflow: r >= d - r.
        if remainder >= d - remainder { quotient += 1 }
        let result = Int(quotient)
        return negative ? -result : result
    }
}

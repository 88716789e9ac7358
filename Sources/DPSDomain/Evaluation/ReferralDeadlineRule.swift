import Foundation

/// The response-deadline rule for a referral under each procurement regime (§6, §10).
///
/// Under a PCR 2015 DPS the minimum is 10 days [PCR 34] unless the DPS terms record that admitted
/// providers agreed shorter deadlines; under the Procurement Act 2023 light-touch regime there is
/// no minimum. In every case the deadline must come after publication.
public enum ReferralDeadlineRule {
    /// Regime identifier for the Public Contracts Regulations 2015.
    public static let pcr2015 = "pcr2015"
    /// Regime identifier for the Procurement Act 2023 light-touch regime.
    public static let pa2023 = "pa2023"
    /// The PCR 2015 minimum: ten periods of 24 hours.
    public static let pcr2015MinimumSeconds: TimeInterval = 10 * 24 * 60 * 60
    /// The latest deadline allowed: 90 days after publication.
    public static let maximumSeconds: TimeInterval = 90 * 24 * 60 * 60

    /// Nil when the deadline is acceptable; otherwise the error naming the rule and field.
    /// Rules: `regime` (unknown regime), `deadline-after-publication`, `deadline-maximum`, `deadline-minimum`.
    public static func check(regime: String, publishedAt: Date, deadline: Date, shortDeadlinesAgreed: Bool)
        -> EvaluationError?
    {
        guard regime == pcr2015 || regime == pa2023 else {
            return EvaluationError(
                rule: "regime", field: "regime",
                message: "Regime must be \"\(pcr2015)\" or \"\(pa2023)\", got \"\(regime)\"")
        }
        guard deadline > publishedAt else {
            return EvaluationError(
                rule: "deadline-after-publication", field: "deadline",
                message: "The deadline must be after the referral is published")
        }
        // A referral buys a placement a child needs soon; a deadline months away would keep bids sealed
        // (and the child waiting) indefinitely.
        if deadline.timeIntervalSince(publishedAt) > maximumSeconds {
            return EvaluationError(
                rule: "deadline-maximum", field: "deadline",
                message: "The deadline must be at most \(Int(maximumSeconds / 86_400)) days after publication")
        }
        if regime == pcr2015, !shortDeadlinesAgreed, deadline.timeIntervalSince(publishedAt) < pcr2015MinimumSeconds {
            return EvaluationError(
                rule: "deadline-minimum", field: "deadline",
                message:
                    "Under PCR 2015 the deadline must be at least 10 days after publication "
                    + "unless admitted providers agreed shorter deadlines"
            )
        }
        return nil
    }
}

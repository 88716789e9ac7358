/// Suspending a membership (DOMAIN §5, BC 7.21): only the lead authority's contract managers do it, for every
/// partner at once, for one of a short list of reasons; reinstatement asks only for the evidence about that
/// reason.
public enum SuspensionReason: String, CaseIterable, Codable, Sendable {
    case inspectionBelowThreshold = "inspection"
    case insuranceLapsed = "insurance"
    case complianceFailed = "compliance"
    case safeguardingConcern = "safeguarding"
    /// A document a pass/fail answer rests on (a registration, a DBS check, a policy) expired and was not renewed.
    case evidenceExpired = "evidence"
    case other

    public var label: String {
        switch self {
        case .inspectionBelowThreshold: "Inspection below the threshold"
        case .insuranceLapsed: "Insurance lapsed"
        case .complianceFailed: "Compliance check failed or not answered"
        case .safeguardingConcern: "Safeguarding concern"
        case .evidenceExpired: "Evidence expired"
        case .other: "Other"
        }
    }

    /// What the provider sends to have the suspension lifted: the evidence about the reason, and nothing else.
    public var evidenceNeeded: String {
        switch self {
        case .inspectionBelowThreshold:
            "The report of a later inspection with a judgement at or above the category's threshold"
        case .insuranceLapsed: "A current certificate for each insurance the category requires"
        case .complianceFailed: "The answers and documents the compliance check asked for"
        case .safeguardingConcern: "Evidence that the concern has been investigated and resolved"
        case .evidenceExpired: "A current document for each item that expired, with its new expiry date"
        case .other: "Evidence that answers the reason the contract manager gave"
        }
    }
}

/// Under the Procurement Act 2023, a supplier on the debarment list or meeting a mandatory ground is *excluded*
/// and must be removed from the dynamic market; one meeting a discretionary ground is *excludable*, and the lead
/// authority decides whether to remove it (s 37). PCR 2015 has no such status.
public enum ExclusionStatus: String, CaseIterable, Codable, Sendable {
    case excluded, excludable

    /// Refuses a status recorded in a market that has none (PCR 2015).
    public static func check(_ status: ExclusionStatus?, regime: Regime) -> FieldError? {
        guard status != nil, regime != .pa2023 else { return nil }
        return FieldError(
            field: "exclusion", message: "Excluded and excludable apply only to a Procurement Act 2023 market")
    }

    /// An excluded supplier's membership is removed, not merely suspended.
    public var requiresRemoval: Bool { self == .excluded }
}

/// What a suspension does to a referral the establishment was invited to, by the referral's state: while bids
/// are open, its bid is set aside as non-compliant ("suspended") when the referral closes; a referral already
/// closed or decided goes on as it is, and awarded placements continue.
public enum SuspensionEffect: Equatable, Sendable {
    case bidSetAside
    case unchanged

    public static func on(referral state: ReferralState) -> SuspensionEffect {
        state == .published ? .bidSetAside : .unchanged
    }
}

/// The inspection watch (DOMAIN §5, issue 9): a newer snapshot of the public registers is compared with what the
/// DPS last knew of each member establishment. A judgement below the threshold suspends the establishment's
/// memberships; an improvement after a suspension for inspection goes to a contract manager to review; a
/// judgement the system cannot read, a registration Ofsted has suspended, and an establishment that has left the
/// register or is proposed to close are flagged.
public enum InspectionWatch {
    /// What the DPS last knew of a member establishment.
    public struct Known: Sendable, Equatable {
        public var urn: String
        /// The judgement and the ISO date of its inspection, as recorded on the establishment.
        public var judgement: String
        public var judgementDate: String?
        /// Whether one of its memberships is suspended because of an inspection.
        public var suspendedForInspection: Bool

        public init(urn: String, judgement: String, judgementDate: String?, suspendedForInspection: Bool) {
            self.urn = urn
            self.judgement = judgement
            self.judgementDate = judgementDate
            self.suspendedForInspection = suspendedForInspection
        }
    }

    public enum Finding: Sendable, Equatable {
        /// A newer judgement below the threshold: the memberships are suspended.
        case belowThreshold(InspectionRating)
        /// A newer judgement at or above the threshold after a suspension for inspection: a contract manager
        /// reviews it (the suspension is not lifted by itself).
        case improved(InspectionRating)
        /// A newer judgement at or above the threshold, nothing suspended: recorded.
        case recorded(InspectionRating)
        /// A newer judgement the system cannot read against the threshold: a contract manager reads it.
        case unreadable(InspectionRating, reason: String)
        /// Ofsted has suspended the registration: the establishment may not take children, so its memberships are
        /// suspended until the registration is restored.
        case registrationSuspended
        /// The register lists it with a status that ends it ("Open, but proposed to close"), or not at all.
        case leaving(status: String?)

        /// The key that makes a finding once only for one snapshot's fact: the inspection's date and judgement,
        /// or the registration status.
        public var key: String {
            switch self {
            case .belowThreshold(let r), .improved(let r), .recorded(let r), .unreadable(let r, _):
                "\(r.date?.iso ?? "undated")/\(InspectionThreshold.normalise(r.judgement))"
            case .registrationSuspended: "suspended"
            case .leaving(let status): status.map { InspectionThreshold.normalise($0) } ?? "not-on-register"
            }
        }

        public var code: String {
            switch self {
            case .belowThreshold: "below_threshold"
            case .improved: "improved"
            case .recorded: "recorded"
            case .unreadable: "unreadable"
            case .registrationSuspended: "registration_suspended"
            case .leaving: "leaving"
            }
        }

        /// Whether the memberships are suspended at once.
        public var suspends: Bool {
            switch self {
            case .belowThreshold, .registrationSuspended: true
            default: false
            }
        }

        /// Whether a contract manager has something to review.
        public var needsReview: Bool {
            switch self {
            case .recorded: false
            default: true
            }
        }
    }

    /// Registration statuses that mean the establishment is open, or about to open.
    static let openStatuses: Set<String> = ["open", "active", "proposed to open"]

    /// The rating a register entry carries: Ofsted's social care judgement (for a school, that of its linked
    /// residential registration), or nil when the register records none.
    public static func rating(of entry: RegisterEntry) -> InspectionRating? {
        guard let judgement = entry.latestJudgement?.trimmingCharacters(in: .whitespaces), !judgement.isEmpty else {
            return nil
        }
        return InspectionRating(
            inspectorate: .ofstedSocialCare, judgement: judgement,
            date: entry.judgementDate.flatMap(LocalDate.init(iso:)))
    }

    /// Whether the register's rating is a later inspection than the one known: a later date, a first date, or the
    /// same date with a different judgement (a correction).
    public static func isNewer(_ rating: InspectionRating, than known: Known) -> Bool {
        let knownDate = known.judgementDate.flatMap(LocalDate.init(iso:))
        let differs =
            InspectionThreshold.normalise(rating.judgement) != InspectionThreshold.normalise(known.judgement)
        switch (rating.date, knownDate) {
        case (let new?, let old?): return new > old || (new == old && differs)
        case (.some, nil): return true
        case (nil, _): return knownDate == nil && differs
        }
    }

    /// What the register entry (nil when the establishment is no longer on the register) says about a member
    /// establishment that the DPS does not already know.
    public static func compare(_ known: Known, with entry: RegisterEntry?) -> [Finding] {
        guard let entry else { return [.leaving(status: nil)] }
        var findings: [Finding] = []
        let status = entry.registrationStatus.map(InspectionThreshold.normalise) ?? "open"
        if status == "suspended" {
            findings.append(.registrationSuspended)
        } else if !openStatuses.contains(status) {
            findings.append(.leaving(status: entry.registrationStatus))
        }
        if let rating = rating(of: entry), isNewer(rating, than: known) {
            switch InspectionThreshold.assess(rating) {
            case .belowThreshold: findings.append(.belowThreshold(rating))
            case .meetsThreshold:
                findings.append(known.suspendedForInspection ? .improved(rating) : .recorded(rating))
            case .referToEvaluator(let reason): findings.append(.unreadable(rating, reason: reason))
            }
        }
        return findings
    }

    /// Establishments newly on the register since the previous snapshot, in the areas and categories a DPS
    /// covers (its partners' areas, and the register categories of its members): leads for the market, who may
    /// apply. Nothing is new when there was no previous snapshot.
    public static func newlyRegistered(
        _ entries: [RegisterEntry], previous: Set<String>, areas: Set<String>, categories: Set<String>
    ) -> [RegisterEntry] {
        guard !previous.isEmpty else { return [] }
        return entries.filter { entry in
            !previous.contains(entry.urn.uppercased()) && areas.contains(entry.laGSSCode ?? "")
                && categories.contains(entry.category)
                && openStatuses.contains(InspectionThreshold.normalise(entry.registrationStatus ?? "open"))
        }
    }
}

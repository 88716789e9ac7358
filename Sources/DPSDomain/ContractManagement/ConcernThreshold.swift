/// Concerns about an establishment from the partners (DOMAIN §5, §9). A coordinated review opens automatically
/// when the concerns cross a threshold: by default any safeguarding concern, or 3 concerns from 2 or more partners
/// within 12 months. The numbers are settings of the DPS.
public struct ConcernThreshold: Codable, Equatable, Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case safeguarding, quality, financial, contractual
    }

    public struct Concern: Equatable, Sendable {
        public var kind: Kind
        public var partner: String
        public var raisedOn: LocalDate
        public init(kind: Kind, partner: String, raisedOn: LocalDate) {
            self.kind = kind
            self.partner = partner
            self.raisedOn = raisedOn
        }
    }

    public var concerns: Int
    public var partners: Int
    public var months: Int
    public var anySafeguarding: Bool

    public init(concerns: Int = 3, partners: Int = 2, months: Int = 12, anySafeguarding: Bool = true) {
        self.concerns = concerns
        self.partners = partners
        self.months = months
        self.anySafeguarding = anySafeguarding
    }

    /// The first day of the window that ends on `date`: the same day `months` months earlier, plus one (a
    /// concern raised exactly 12 months before has left the window). A day that does not exist in the earlier
    /// month (31 February) is its month's last day.
    public func windowStart(endingOn date: LocalDate) -> LocalDate {
        let total = date.year * 12 + (date.month - 1) - max(0, months)
        let (year, month) = (total / 12, total % 12 + 1)
        let day = min(date.day, LocalDate.daysInMonth(year: year, month: month))
        return LocalDate(year: year, month: month, day: day).adding(days: 1)
    }

    /// Whether the concerns known on `date` call for a coordinated review.
    public func opensReview(_ all: [Concern], on date: LocalDate) -> Bool {
        let start = windowStart(endingOn: date)
        let recent = all.filter { $0.raisedOn >= start && $0.raisedOn <= date }
        if anySafeguarding && recent.contains(where: { $0.kind == .safeguarding }) { return true }
        return recent.count >= concerns && Set(recent.map(\.partner)).count >= partners
    }
}

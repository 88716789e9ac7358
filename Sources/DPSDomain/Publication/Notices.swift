/// A calendar quarter (January to March is Q1), in London dates: the period PCR 2015 lets award notices be grouped
/// by (DOMAIN §10).
public struct Quarter: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    /// 1 to 4.
    public let number: Int

    public init(containing date: LocalDate) {
        year = date.year
        number = (date.month - 1) / 3 + 1
    }

    /// `2026-Q3`, as keys and addresses write it, for a year from 1990 to 2999; nil for anything else.
    public init?(key: String) {
        let parts = key.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), (1990...2999).contains(year),
            parts[1].count == 2, parts[1].first == "Q", let number = Int(parts[1].dropFirst()), (1...4).contains(number)
        else { return nil }
        self.year = year
        self.number = number
    }

    public var key: String { "\(year)-Q\(number)" }
    public var description: String { key }
    public var start: LocalDate { LocalDate(year: year, month: (number - 1) * 3 + 1, day: 1) }
    public var end: LocalDate { next.start.adding(days: -1) }
    public var next: Quarter { Quarter(containing: start.adding(days: 100)) }
    public var previous: Quarter { Quarter(containing: start.adding(days: -1)) }

    /// "July to September 2026".
    public var label: String {
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        return "\(names[(number - 1) * 3]) to \(names[(number - 1) * 3 + 2]) \(year)"
    }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool { (lhs.year, lhs.number) < (rhs.year, rhs.number) }
}

/// The notices the law asks a DPS's awards and changes to be published in (DOMAIN §10), by regime.
public enum NoticeKind: String, Codable, Sendable, CaseIterable {
    /// PCR 2015 reg 50: contract award notices for call-offs under a DPS, grouped by quarter.
    case quarterlyAwards = "pcr_quarterly_awards"
    /// PCR 2015 reg 112: an award over £30,000 on Contracts Finder.
    case contractsFinder = "contracts_finder"
    /// Procurement Act 2023 s 53: a contract details notice (UK7).
    case contractDetails = "UK7"
    /// s 75: a contract change notice (UK10).
    case contractChange = "UK10"
    /// s 80: a contract termination notice (UK11).
    case contractTermination = "UK11"
    /// s 39: the dynamic market notices, when it is established, modified and ceases (UK13, UK14, UK15).
    case marketEstablished = "UK13"
    case marketModified = "UK14"
    case marketCeased = "UK15"

    public var regime: Regime {
        switch self {
        case .quarterlyAwards, .contractsFinder: .pcr2015
        default: .pa2023
        }
    }

    /// The Find a Tender notice type a release carries in `documents[].noticeType` (Procurement Act 2023 only).
    public var noticeType: String? { regime == .pa2023 ? rawValue : nil }

    public var label: String {
        switch self {
        case .quarterlyAwards: "Contract award notice (quarterly, grouped)"
        case .contractsFinder: "Contracts Finder award notice"
        case .contractDetails: "UK7 contract details notice"
        case .contractChange: "UK10 contract change notice"
        case .contractTermination: "UK11 contract termination notice"
        case .marketEstablished: "UK13 dynamic market notice: established"
        case .marketModified: "UK14 dynamic market notice: modified"
        case .marketCeased: "UK15 dynamic market notice: ceased"
        }
    }
}

/// When each notice is due, from the date of what it reports (London dates).
public enum NoticeCalendar {
    /// Awards above this value (£30,000, in pence) are also published on Contracts Finder under PCR 2015.
    public static let contractsFinderThresholdPence = 3_000_000

    /// The date a notice of `kind` is due, for something that happened on `event`:
    /// - quarterly award notices: 30 days after the end of the quarter the award fell in;
    /// - Contracts Finder: 30 days after the award (the regulation says a reasonable time; the product holds it to
    ///   the same 30 days as the grouped notice's margin);
    /// - UK7: 120 days after the contract is entered into (light touch contracts);
    /// - UK10: before the change takes effect, so on its effective date at the latest;
    /// - UK11: 30 days after the contract ends;
    /// - UK13, UK14: when the market is established or modified; UK15: 30 days after it ceases.
    public static func due(_ kind: NoticeKind, event: LocalDate) -> LocalDate {
        switch kind {
        case .quarterlyAwards: Quarter(containing: event).end.adding(days: 30)
        case .contractsFinder: event.adding(days: 30)
        case .contractDetails: event.adding(days: 120)
        case .contractChange: event
        case .contractTermination: event.adding(days: 30)
        case .marketEstablished, .marketModified: event
        case .marketCeased: event.adding(days: 30)
        }
    }

    /// A notice not yet sent is overdue from the day after its due date.
    public static func isOverdue(due: LocalDate, sent: Bool, today: LocalDate) -> Bool { !sent && today > due }
}

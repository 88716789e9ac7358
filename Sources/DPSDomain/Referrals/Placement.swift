import Foundation

/// Where a placement is in its life (DOMAIN §8): running, or ended.
public enum PlacementStatus: String, Codable, Sendable, CaseIterable {
    case active
    case ended
}

/// How a placement ended (DOMAIN §8; the business case counts unplanned endings as a key measure).
public enum PlacementEnding: String, Codable, Sendable, CaseIterable {
    // Planned
    case reachedEnd = "reached_end"
    case movedOnAsPlanned = "moved_on_as_planned"
    case transitionToAdultServices = "transition_to_adult_services"
    // Unplanned
    case providerGaveNotice = "provider_gave_notice"
    case brokeDown = "broke_down"
    case councilEnded = "council_ended"
    case childMoved = "child_moved"

    public enum Kind: String, Codable, Sendable { case planned, unplanned }

    public var kind: Kind {
        switch self {
        case .reachedEnd, .movedOnAsPlanned, .transitionToAdultServices: .planned
        case .providerGaveNotice, .brokeDown, .councilEnded, .childMoved: .unplanned
        }
    }

    public var label: String {
        switch self {
        case .reachedEnd: "Reached its planned end"
        case .movedOnAsPlanned: "Moved on as planned"
        case .transitionToAdultServices: "Moved to adult services"
        case .providerGaveNotice: "The provider gave notice"
        case .brokeDown: "The placement broke down"
        case .councilEnded: "The council ended it"
        case .childMoved: "The child moved"
        }
    }

    /// Outcome reviews every `everyDays` days from the start while the placement is expected to last (at
    /// most 20), never after its end; four when the end is not known.
    public static func reviewDates(start: LocalDate, end: LocalDate?, everyDays: Int = 182) -> [LocalDate] {
        guard everyDays > 0 else { return [] }
        let dates = (1...20).map { start.adding(days: everyDays * $0) }
        guard let end else { return Array(dates.prefix(4)) }
        return dates.filter { $0 <= end }
    }

    /// What a placement is worth at its weekly fee: a year (the weeks the pattern charges a year) and over its
    /// expected duration (those weeks pro rata: a 38-week pattern charges 38 of every 52 weeks, rounded to the
    /// nearest week). Saturates at `Int.max` pence rather than trap (the fee is bounded where it is decoded).
    public static func value(weeklyPence: Int, weeksPerYear: Int, durationWeeks: Int?) -> (
        annual: Int, total: Int?
    ) {
        func times(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? .max : product
        }
        let annual = times(max(0, weeklyPence), max(0, weeksPerYear))
        guard let weeks = durationWeeks, weeks > 0 else { return (annual, nil) }
        let weekYears = times(weeks, max(0, weeksPerYear))
        let charged = weekYears > Int.max - 26 ? Int.max / 52 : (weekYears + 26) / 52
        return (annual, times(max(0, weeklyPence), charged))
    }

    /// Whole weeks from `start` to `end`, a part week counted as a week (nil when the end is not after the start).
    public static func weeks(from start: LocalDate, to end: LocalDate) -> Int? {
        let days = start.days(to: end)
        return days > 0 ? (days + 6) / 7 : nil
    }

    /// The expected end of a placement of `weeks` weeks from `start`.
    public static func expectedEnd(start: LocalDate, weeks: Int) -> LocalDate? {
        guard (1...520).contains(weeks) else { return nil }
        return start.adding(days: weeks * 7)
    }
}

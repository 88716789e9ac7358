/// How far a child has come towards one outcome agreed at referral (DOMAIN §8, BC 3.10): the short published scale
/// providers rate against at each review, in order.
public enum OutcomeProgress: String, Codable, Sendable, CaseIterable, Comparable {
    case notStarted = "not_started"
    case someProgress = "some_progress"
    case goodProgress = "good_progress"
    case achieved

    public var label: String {
        switch self {
        case .notStarted: "Not started"
        case .someProgress: "Some progress"
        case .goodProgress: "Good progress"
        case .achieved: "Achieved"
        }
    }

    /// What each point of the scale means, as published beside the form.
    public var meaning: String {
        switch self {
        case .notStarted: "Work towards this outcome has not begun, or there is nothing to show yet."
        case .someProgress: "There is evidence of a first step, but the outcome is still far off."
        case .goodProgress: "Most of the way there: the outcome is in reach by the next review."
        case .achieved: "The outcome has been met and the evidence shows it."
        }
    }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Where one outcome review is: waiting for the provider, recorded by the provider and waiting for the placing
/// authority, or completed (the authority agreed, or added its own view).
public enum OutcomeReviewState: String, Codable, Sendable, CaseIterable {
    case due
    case recorded
    case completed

    public var label: String {
        switch self {
        case .due: "Waiting for the provider"
        case .recorded: "Waiting for the placing authority"
        case .completed: "Completed"
        }
    }
}

/// When a placement's outcomes are reviewed (DOMAIN §8): every `months` months from the start (6 by default, a DPS
/// setting), on the start's day of the month (or the month's last day when it is shorter), while the placement runs.
public enum OutcomeReviewSchedule {
    /// The most reviews a placement is scheduled for (ten years of six-monthly reviews).
    public static let maximumReviews = 20
    /// Reviews are put on the provider's list, with a reminder, this many days before they are due.
    public static let noticeDays = 14

    /// The review dates from `start`: each `months` months on from the start itself (not from the previous review,
    /// so a 31st start keeps coming back to the month's end), never after `end` (the actual end when it has ended,
    /// otherwise the expected end), at most `maximumReviews`; four when no end is known.
    public static func dueDates(start: LocalDate, end: LocalDate?, months: Int = 6) -> [LocalDate] {
        let step = min(max(1, months), 24)
        let dates = (1...maximumReviews).map { start.adding(months: step * $0) }
        guard let end else { return Array(dates.prefix(4)) }
        return dates.filter { $0 <= end }
    }

    /// The reviews that should be open on `today`: every scheduled date up to `noticeDays` days ahead, numbered from 1.
    public static func open(start: LocalDate, end: LocalDate?, months: Int = 6, today: LocalDate) -> [(
        sequence: Int, due: LocalDate
    )] {
        dueDates(start: start, end: end, months: months).enumerated()
            .filter { $0.element <= today.adding(days: noticeDays) }
            .map { (sequence: $0.offset + 1, due: $0.element) }
    }

    /// A review is overdue from the day after its due date until it is completed.
    public static func isOverdue(due: LocalDate, state: OutcomeReviewState, today: LocalDate) -> Bool {
        state != .completed && today > due
    }

    /// The next review a placement owes: the first scheduled date after the last completed one.
    public static func next(start: LocalDate, end: LocalDate?, months: Int = 6, completed: Int) -> LocalDate? {
        let dates = dueDates(start: start, end: end, months: months)
        return completed < dates.count ? dates[max(0, completed)] : nil
    }
}

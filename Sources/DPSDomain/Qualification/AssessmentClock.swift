import Foundation

/// The statutory clock for deciding an application to join the DPS: 10 working days from submission,
/// or 15 when an evaluator extends it with a recorded reason [PCR 34]. Working days follow England and
/// Wales bank holidays (§4).
public enum AssessmentClock {
    /// Working days allowed for a decision.
    public static let standardWorkingDays = 10
    /// Working days allowed once the one permitted extension is recorded.
    public static let extendedWorkingDays = 15

    /// The last London calendar date on which the decision is in time.
    ///
    /// The count starts from the London date of submission and counts working days strictly after it:
    /// a submission at any time on Monday 2 March has its 10th working day on Monday 16 March. A
    /// submission made on a weekend or bank holiday is counted from that date in the same way, so the
    /// first working day after it is day 1; no part-day is ever counted, which gives applicants the
    /// benefit of the doubt.
    public static func deadline(submittedAt: Date, extended: Bool, calendar: WorkingDayCalendar) -> LocalDate {
        let submitted = LocalDate.from(submittedAt, in: .london)
        return calendar.adding(workingDays: extended ? extendedWorkingDays : standardWorkingDays, to: submitted)
    }

    /// Checks that an extension may be recorded: a reason is required, and the deadline may be extended
    /// only once (10 to 15 working days; PCR 34 allows no more). Returns the reason as it should be
    /// recorded, trimmed.
    @discardableResult
    public static func extend(currentlyExtended: Bool, reason: String) throws(ValidationFailure) -> String {
        var errors: [FieldError] = []
        if currentlyExtended {
            errors.append(
                FieldError(
                    field: "deadline",
                    message:
                        "The assessment deadline has already been extended to \(extendedWorkingDays) working days "
                        + "and cannot be extended again"
                ))
        }
        let trimmed = QualificationText.trimmed(reason)
        if trimmed.isEmpty {
            errors.append(
                FieldError(
                    field: "reason",
                    message:
                        "Enter a reason for extending the assessment deadline to \(extendedWorkingDays) working days"))
        }
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        return trimmed
    }

    /// Where an undecided application stands against its deadline.
    public enum DeadlineStatus: Equatable, Hashable, Sendable, Codable {
        /// More than the warning period left.
        case onTrack(workingDaysLeft: Int)
        /// Within the warning period: officers are warned so the deadline is not missed.
        case dueSoon(workingDaysLeft: Int)
        /// Today is the last day to decide in time.
        case dueToday
        /// The deadline has passed without a decision; reported as a breach.
        case breached(workingDaysLate: Int)
    }

    /// The status of an undecided application at `now` (London date).
    ///
    /// Working days left are the working days after today up to and including the deadline, so the
    /// day before a deadline is 1 left. `dueSoon` applies when that is at most `warningWorkingDays`.
    /// A breach counts the working days after the deadline up to today, and is at least 1 even on a
    /// weekend straight after the deadline, so a breach never reads as "0 days late".
    public static func status(
        deadline: LocalDate, now: Date, calendar: WorkingDayCalendar, warningWorkingDays: Int = 3
    ) -> DeadlineStatus {
        let today = LocalDate.from(now, in: .london)
        if today == deadline { return .dueToday }
        if today < deadline {
            let left = calendar.workingDays(after: today, through: deadline)
            return left <= warningWorkingDays ? .dueSoon(workingDaysLeft: left) : .onTrack(workingDaysLeft: left)
        }
        let late = calendar.workingDays(after: deadline, through: today)
        return .breached(workingDaysLate: max(1, late))
    }

    /// True when a decision made at `decidedAt` (London date) falls on or before the deadline date.
    public static func decidedInTime(deadline: LocalDate, decidedAt: Date) -> Bool {
        LocalDate.from(decidedAt, in: .london) <= deadline
    }
}

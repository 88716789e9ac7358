/// The dates of evidence expiry and compliance checks (DOMAIN §5, PCR 34(26) with 59).
public enum ComplianceDates {
    /// Reminders before a document expires: `daysBefore` calendar days before its expiry date (30 and 7 by
    /// default), each moved back to the working day before when it falls on a weekend or bank holiday, so a
    /// reminder is always sent on a working day and never later than promised. Reminders already past on `today`
    /// are left out.
    public static func reminders(
        expiring: LocalDate, daysBefore: [Int] = [30, 7], today: LocalDate, calendar: WorkingDayCalendar
    ) -> [LocalDate] {
        daysBefore.filter { $0 > 0 }.sorted(by: >).map { days in
            var date = expiring.adding(days: -days)
            while !calendar.isWorkingDay(date) { date = date.adding(days: -1) }
            return date
        }.filter { $0 >= today }
    }

    /// A membership is re-scored every `months` months (6 or 12, a setting of the DPS) from its admission or its
    /// last re-score: the same day of the month, or the month's last day when it is shorter (31 August + 6 months
    /// is 28 or 29 February).
    public static func rescoreDue(last: LocalDate, months: Int) -> LocalDate {
        last.adding(months: max(1, months))
    }

    /// A document is valid through its expiry date and lapses the day after.
    public static func lapses(expiring: LocalDate) -> LocalDate { expiring.adding(days: 1) }

    /// What a daily check owes the provider on `today` about a document expiring on `expiring`: nothing; the
    /// latest reminder whose date has come (a check that did not run on the 30-day reminder's date and runs on the
    /// 7-day one sends only the 7-day one); or, from the day after expiry, the lapse. Each notice is sent once; the
    /// caller records which.
    public enum Notice: Equatable, Sendable {
        case reminder(daysBefore: Int)
        case lapsed

        /// The notice's name, which with the document's expiry date makes it once only.
        public var code: String {
            switch self {
            case .reminder(let days): "reminder-\(days)"
            case .lapsed: "lapsed"
            }
        }
    }

    public static func notice(
        expiring: LocalDate, today: LocalDate, daysBefore: [Int] = [30, 7], calendar: WorkingDayCalendar
    ) -> Notice? {
        if today >= lapses(expiring: expiring) { return .lapsed }
        let due = daysBefore.filter { $0 > 0 }.sorted().first { days in
            var date = expiring.adding(days: -days)
            while !calendar.isWorkingDay(date) { date = date.adding(days: -1) }
            return date <= today
        }
        return due.map { .reminder(daysBefore: $0) }
    }

    /// A compliance check opened on `opened` is answered within 5 working days: by the end of the 5th working day
    /// after the day it opened.
    public static func answerBy(opened: LocalDate, workingDays: Int = 5, calendar: WorkingDayCalendar) -> LocalDate {
        calendar.adding(workingDays: max(1, workingDays), to: opened)
    }

    /// Not answered by the deadline, a membership is suspended after a grace period of `graceWorkingDays` more
    /// working days (a setting of the DPS): on the working day after the grace period ends.
    public static func suspendsOn(
        opened: LocalDate, workingDays: Int = 5, graceWorkingDays: Int, calendar: WorkingDayCalendar
    ) -> LocalDate {
        calendar.adding(
            workingDays: max(0, graceWorkingDays) + 1,
            to: answerBy(opened: opened, workingDays: workingDays, calendar: calendar))
    }
}

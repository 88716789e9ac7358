import Foundation
import Testing

@testable import DPSDomain

@Suite("Assessment clock")
struct AssessmentClockTests {
    let calendar = WorkingDayCalendar()

    @Test("the constants are 10 and 15 working days")
    func constants() {
        // validate
        #expect(AssessmentClock.standardWorkingDays == 10)
        #expect(AssessmentClock.extendedWorkingDays == 15)
    }

    @Test(
        "deadline is the 10th or 15th working day after the London submission date",
        arguments: [
            ("2026-03-02 09:00", false, "2026-03-16"),
            ("2026-03-02 23:59", false, "2026-03-16"),
            ("2026-03-02 09:00", true, "2026-03-23"),
            ("2026-03-26 10:00", false, "2026-04-13"),  // across Easter 2026
            ("2026-03-26 10:00", true, "2026-04-20"),
            ("2026-12-18 10:00", false, "2027-01-06"),  // across Christmas 2026 and New Year 2027
            ("2027-12-20 10:00", false, "2028-01-06"),  // across Christmas 2027 and the 2028 New Year substitute
            ("2022-05-25 10:00", false, "2022-06-10"),  // across the Platinum Jubilee
            ("2026-03-07 10:00", false, "2026-03-20"),  // Saturday counts like the Friday before
            ("2026-03-08 10:00", false, "2026-03-20"),  // Sunday too
            ("2026-03-06 10:00", false, "2026-03-20"),
            ("2026-04-06 10:00", false, "2026-04-20"),  // submitted on Easter Monday
        ])
    func deadline(submitted: String, extended: Bool, expected: String) {
        // MUT
        let deadline = AssessmentClock.deadline(
            submittedAt: qualLondon(submitted), extended: extended, calendar: calendar)
        // validate
        #expect(deadline == qualDate(expected))
    }

    @Test("a submission after midnight London time in summer counts from the London date")
    func londonDate() {
        // setup: 23:30 UTC on Monday 1 June 2026 is 00:30 BST on Tuesday 2 June.
        let submitted = qualUTC("2026-06-01 23:30")
        // MUT
        let deadline = AssessmentClock.deadline(submittedAt: submitted, extended: false, calendar: calendar)
        // validate
        #expect(deadline == qualDate("2026-06-16"))
    }

    @Test("an extension needs a reason and happens once")
    func extendOnce() throws {
        // MUT
        let reason = try AssessmentClock.extend(currentlyExtended: false, reason: "  Complex safeguarding evidence  ")
        // validate
        #expect(reason == "Complex safeguarding evidence")
        #expect(qualFailure { try AssessmentClock.extend(currentlyExtended: false, reason: "") }?.fields == ["reason"])
        #expect(
            qualFailure { try AssessmentClock.extend(currentlyExtended: false, reason: " \n\t ") }?.fields == ["reason"]
        )
        #expect(
            qualFailure { try AssessmentClock.extend(currentlyExtended: true, reason: "again") }?.fields == ["deadline"]
        )
        #expect(
            qualFailure { try AssessmentClock.extend(currentlyExtended: true, reason: "") }?.fields == [
                "deadline", "reason",
            ])
    }

    @Test(
        "status against a Monday deadline",
        arguments: [
            ("2026-03-02 09:00", AssessmentClock.DeadlineStatus.onTrack(workingDaysLeft: 10)),
            ("2026-03-10 09:00", .onTrack(workingDaysLeft: 4)),
            ("2026-03-11 09:00", .dueSoon(workingDaysLeft: 3)),
            ("2026-03-13 17:00", .dueSoon(workingDaysLeft: 1)),
            ("2026-03-14 12:00", .dueSoon(workingDaysLeft: 1)),  // Saturday before
            ("2026-03-16 00:00", .dueToday),
            ("2026-03-16 23:59", .dueToday),
            ("2026-03-17 00:00", .breached(workingDaysLate: 1)),
            ("2026-03-18 09:00", .breached(workingDaysLate: 2)),
        ])
    func status(now: String, expected: AssessmentClock.DeadlineStatus) {
        // MUT / validate
        #expect(
            AssessmentClock.status(deadline: qualDate("2026-03-16"), now: qualLondon(now), calendar: calendar)
                == expected)
    }

    @Test("a breach reads as at least one day late over a weekend")
    func breachOverWeekend() {
        // setup: deadline Friday 20 March 2026.
        let deadline = qualDate("2026-03-20")
        // MUT / validate
        #expect(
            AssessmentClock.status(deadline: deadline, now: qualLondon("2026-03-21 10:00"), calendar: calendar)
                == .breached(workingDaysLate: 1))
        #expect(
            AssessmentClock.status(deadline: deadline, now: qualLondon("2026-03-23 10:00"), calendar: calendar)
                == .breached(workingDaysLate: 1))
        #expect(
            AssessmentClock.status(deadline: deadline, now: qualLondon("2026-03-24 10:00"), calendar: calendar)
                == .breached(workingDaysLate: 2))
    }

    @Test("the warning period is configurable")
    func warningPeriod() {
        // MUT / validate
        #expect(
            AssessmentClock.status(
                deadline: qualDate("2026-03-16"), now: qualLondon("2026-03-13 09:00"), calendar: calendar,
                warningWorkingDays: 0) == .onTrack(workingDaysLeft: 1))
        #expect(
            AssessmentClock.status(
                deadline: qualDate("2026-03-16"), now: qualLondon("2026-03-02 09:00"), calendar: calendar,
                warningWorkingDays: 10) == .dueSoon(workingDaysLeft: 10))
    }

    @Test("status uses the London date")
    func statusLondon() {
        // setup: 23:30 UTC on Sunday 14 June 2026 is already Monday 15 June in London.
        // MUT / validate
        #expect(
            AssessmentClock.status(
                deadline: qualDate("2026-06-15"), now: qualUTC("2026-06-14 23:30"), calendar: calendar) == .dueToday)
    }

    @Test("decided in time up to the end of the deadline day in London")
    func decidedInTime() {
        // validate
        #expect(
            AssessmentClock.decidedInTime(deadline: qualDate("2026-03-16"), decidedAt: qualLondon("2026-03-16 23:59")))
        #expect(
            AssessmentClock.decidedInTime(deadline: qualDate("2026-03-16"), decidedAt: qualLondon("2026-03-05 10:00")))
        #expect(
            !AssessmentClock.decidedInTime(deadline: qualDate("2026-03-16"), decidedAt: qualLondon("2026-03-17 00:00")))
        #expect(
            !AssessmentClock.decidedInTime(deadline: qualDate("2026-06-15"), decidedAt: qualUTC("2026-06-15 23:30")))
    }
}

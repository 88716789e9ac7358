import Foundation
import Testing

@testable import DPSDomain

@Suite("Working-day calendar")
struct WorkingDayCalendarTests {
    let calendar = WorkingDayCalendar()

    @Test("weekdays work; weekends, bank holidays and extra holidays do not")
    func isWorkingDay() {
        // setup
        let withExtra = WorkingDayCalendar(extraHolidays: [qualDate("2026-03-10")])
        // validate
        #expect(calendar.isWorkingDay(qualDate("2026-03-02")))
        #expect(!calendar.isWorkingDay(qualDate("2026-03-07")))
        #expect(!calendar.isWorkingDay(qualDate("2026-03-08")))
        #expect(!calendar.isWorkingDay(qualDate("2026-04-03")))
        #expect(!calendar.isWorkingDay(qualDate("2026-12-28")))
        #expect(calendar.isWorkingDay(qualDate("2026-03-10")))
        #expect(!withExtra.isWorkingDay(qualDate("2026-03-10")))
    }

    @Test(
        "adding working days counts strictly after the start",
        arguments: [
            ("2026-03-06", 1, "2026-03-09"),  // Friday + 1 = Monday
            ("2026-03-02", 10, "2026-03-16"),
            ("2026-04-02", 1, "2026-04-07"),  // over Good Friday and Easter Monday
            ("2026-12-24", 1, "2026-12-29"),  // over Christmas and the Boxing Day substitute
            ("2027-12-24", 1, "2027-12-29"),  // over both substitutes
            ("2027-12-31", 1, "2028-01-04"),  // over the 2028 New Year substitute
            ("2026-03-07", 1, "2026-03-09"),  // from a Saturday
            ("2026-03-02", 0, "2026-03-02"),
            ("2026-04-07", -1, "2026-04-02"),  // backwards over Easter
            ("2026-03-09", -1, "2026-03-06"),
        ])
    func adding(start: String, days: Int, expected: String) {
        // MUT / validate
        #expect(calendar.adding(workingDays: days, to: qualDate(start)) == qualDate(expected))
    }

    @Test(
        "counting working days in (a, b]",
        arguments: [
            ("2026-03-02", "2026-03-02", 0),
            ("2026-03-02", "2026-03-03", 1),
            ("2026-03-06", "2026-03-09", 1),
            ("2026-03-06", "2026-03-08", 0),
            ("2026-03-02", "2026-03-16", 10),
            ("2026-03-16", "2026-03-02", -10),
            ("2026-12-24", "2027-01-04", 4),  // 29, 30, 31 Dec and 4 Jan
            ("2026-01-01", "2026-12-31", 253),
        ])
    func counting(start: String, end: String, expected: Int) {
        // MUT / validate
        #expect(calendar.workingDays(after: qualDate(start), through: qualDate(end)) == expected)
    }

    @Test("counting inverts adding for any start and count")
    func inverse() {
        // setup
        var start = qualDate("2025-11-01")
        for step in 0..<120 {
            for n in [1, 5, 10, 15, 40] {
                // MUT
                let end = calendar.adding(workingDays: n, to: start)
                // validate
                #expect(calendar.workingDays(after: start, through: end) == n)
                #expect(calendar.workingDays(after: end, through: start) == -n)
                #expect(calendar.isWorkingDay(end))
            }
            start = start.adding(days: 3 + step % 5)
        }
    }

    @Test("an extra holiday pushes a deadline back by one working day")
    func extraHoliday() {
        // setup
        let withExtra = WorkingDayCalendar(extraHolidays: [qualDate("2026-03-10")])
        // MUT / validate
        #expect(withExtra.adding(workingDays: 10, to: qualDate("2026-03-02")) == qualDate("2026-03-17"))
        #expect(withExtra.workingDays(after: qualDate("2026-03-02"), through: qualDate("2026-03-16")) == 9)
    }
}

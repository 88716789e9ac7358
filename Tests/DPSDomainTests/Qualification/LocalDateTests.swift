import Foundation
import Testing

@testable import DPSDomain

@Suite("LocalDate")
struct LocalDateTests {
    @Test("parses valid ISO dates", arguments: ["2026-03-02", "2024-02-29", "2000-02-29", "1999-12-31", "0001-01-01"])
    func parsesValid(text: String) {
        // MUT
        let date = LocalDate(iso: text)
        // validate
        #expect(date?.iso == text)
    }

    @Test(
        "refuses malformed or impossible dates",
        arguments: [
            "2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
            "26-01-01", "2026/01/01", "abcd-ef-gh", "", "2026-01-01T00:00", " 2026-01-01", "+026-01-01",
        ])
    func refusesInvalid(text: String) {
        // MUT / validate
        #expect(LocalDate(iso: text) == nil)
    }

    @Test("weekday is ISO: 1 Monday to 7 Sunday")
    func weekday() {
        // validate
        #expect(qualDate("2026-03-02").weekday == 1)
        #expect(qualDate("2026-03-06").weekday == 5)
        #expect(qualDate("2026-03-07").weekday == 6)
        #expect(qualDate("2026-03-08").weekday == 7)
        #expect(qualDate("1970-01-01").weekday == 4)
        #expect(qualDate("1969-12-31").weekday == 3)
        #expect(qualDate("2000-02-29").weekday == 2)
        #expect(qualDate("2026-03-07").isWeekend && !qualDate("2026-03-06").isWeekend)
    }

    @Test("day arithmetic agrees with Foundation's Gregorian calendar from 1900 to 2100")
    func agreesWithFoundation() {
        // setup
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = qualDate("1900-01-01")
        let origin = calendar.date(from: DateComponents(year: 1900, month: 1, day: 1))!
        // MUT / validate
        for offset in stride(from: 0, through: 73_413, by: 13) {
            let ours = start.adding(days: offset)
            let theirs = calendar.dateComponents(
                [.year, .month, .day, .weekday],
                from: calendar.date(byAdding: .day, value: offset, to: origin)!)
            #expect(ours.year == theirs.year && ours.month == theirs.month && ours.day == theirs.day)
            #expect(ours.weekday == (theirs.weekday! + 5) % 7 + 1)
            #expect(LocalDate(dayNumber: ours.dayNumber) == ours)
        }
    }

    @Test("adding days crosses months, leap days and years")
    func addingDays() {
        // validate
        #expect(qualDate("2024-02-28").adding(days: 1) == qualDate("2024-02-29"))
        #expect(qualDate("2026-02-28").adding(days: 1) == qualDate("2026-03-01"))
        #expect(qualDate("2026-12-31").adding(days: 1) == qualDate("2027-01-01"))
        #expect(qualDate("2027-01-01").adding(days: -1) == qualDate("2026-12-31"))
        #expect(qualDate("2026-03-02").days(to: qualDate("2026-03-16")) == 14)
        #expect(qualDate("2026-03-16").days(to: qualDate("2026-03-02")) == -14)
    }

    @Test("compares chronologically")
    func comparable() {
        // validate
        #expect(qualDate("2026-03-02") < qualDate("2026-03-10"))
        #expect(qualDate("2026-03-31") < qualDate("2026-04-01"))
        #expect(qualDate("2025-12-31") < qualDate("2026-01-01"))
        #expect(!(qualDate("2026-01-01") < qualDate("2026-01-01")))
        #expect(
            [qualDate("2027-01-01"), qualDate("2026-02-01"), qualDate("2026-01-15")].sorted() == [
                qualDate("2026-01-15"), qualDate("2026-02-01"), qualDate("2027-01-01"),
            ])
    }

    @Test("encodes as a YYYY-MM-DD string and decodes it back")
    func codable() throws {
        // setup
        struct Box: Codable, Equatable { var date: LocalDate }
        // MUT
        let data = try JSONEncoder().encode(Box(date: qualDate("2026-03-02")))
        let decoded = try JSONDecoder().decode(Box.self, from: data)
        // validate
        #expect(String(decoding: data, as: UTF8.self) == #"{"date":"2026-03-02"}"#)
        #expect(decoded == Box(date: qualDate("2026-03-02")))
    }

    @Test("decoding an impossible date fails")
    func decodingInvalid() {
        // setup
        struct Box: Codable { var date: LocalDate }
        let json = Data(#"{"date":"2026-02-30"}"#.utf8)
        // MUT / validate
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Box.self, from: json) }
    }

    @Test("the London date of an instant follows British Summer Time")
    func londonDate() {
        // validate
        #expect(LocalDate.from(qualUTC("2026-06-01 23:30")) == qualDate("2026-06-02"))
        #expect(LocalDate.from(qualUTC("2026-01-15 23:30")) == qualDate("2026-01-15"))
        #expect(LocalDate.from(qualUTC("2026-06-01 23:30"), in: TimeZone(identifier: "UTC")!) == qualDate("2026-06-01"))
        #expect(TimeZone.london.identifier == "Europe/London")
    }

    @Test("start of day is London midnight")
    func startOfDay() {
        // validate
        #expect(qualDate("2026-06-02").startOfDay(in: .london) == qualUTC("2026-06-01 23:00"))
        #expect(qualDate("2026-01-15").startOfDay() == qualUTC("2026-01-15 00:00"))
        #expect(qualDate("2026-03-29").startOfDay() == qualUTC("2026-03-29 00:00"))
    }

    @Test("long form reads as people write dates")
    func longForm() {
        // validate
        #expect(qualDate("2027-02-01").longForm == "1 February 2027")
        #expect(qualDate("2026-12-25").longForm == "25 December 2026")
    }
}

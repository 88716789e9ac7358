import Foundation
import Testing

@testable import DPSDomain

@Suite("Bank holidays in England and Wales")
struct BankHolidayTests {
    /// The published GOV.UK lists.
    static let published: [(Int, [String])] = [
        (
            1995,
            [
                "1995-01-02", "1995-04-14", "1995-04-17", "1995-05-08", "1995-05-29", "1995-08-28", "1995-12-25",
                "1995-12-26",
            ]
        ),
        (
            1999,
            [
                "1999-01-01", "1999-04-02", "1999-04-05", "1999-05-03", "1999-05-31", "1999-08-30", "1999-12-27",
                "1999-12-28", "1999-12-31",
            ]
        ),
        (
            2002,
            [
                "2002-01-01", "2002-03-29", "2002-04-01", "2002-05-06", "2002-06-03", "2002-06-04", "2002-08-26",
                "2002-12-25", "2002-12-26",
            ]
        ),
        (
            2011,
            [
                "2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29",
                "2011-12-26", "2011-12-27",
            ]
        ),
        (
            2012,
            [
                "2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-27",
                "2012-12-25", "2012-12-26",
            ]
        ),
        (
            2019,
            [
                "2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25",
                "2019-12-26",
            ]
        ),
        (
            2020,
            [
                "2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25",
                "2020-12-28",
            ]
        ),
        (
            2021,
            [
                "2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27",
                "2021-12-28",
            ]
        ),
        (
            2022,
            [
                "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29",
                "2022-09-19", "2022-12-26", "2022-12-27",
            ]
        ),
        (
            2023,
            [
                "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28",
                "2023-12-25", "2023-12-26",
            ]
        ),
        (
            2024,
            [
                "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25",
                "2024-12-26",
            ]
        ),
        (
            2025,
            [
                "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25",
                "2025-12-26",
            ]
        ),
        (
            2026,
            [
                "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25",
                "2026-12-28",
            ]
        ),
        (
            2027,
            [
                "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27",
                "2027-12-28",
            ]
        ),
        (
            2028,
            [
                "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25",
                "2028-12-26",
            ]
        ),
    ]

    @Test("match the published lists", arguments: published)
    func matchPublished(year: Int, dates: [String]) {
        // MUT
        let computed = BankHolidays.englandAndWales(year: year)
        // validate
        #expect(computed.keys.map(\.iso).sorted() == dates)
    }

    @Test(
        "Easter Sunday",
        arguments: [
            (2000, "2000-04-23"), (2008, "2008-03-23"), (2011, "2011-04-24"), (2019, "2019-04-21"),
            (2020, "2020-04-12"), (2021, "2021-04-04"), (2022, "2022-04-17"), (2023, "2023-04-09"),
            (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"),
            (2038, "2038-04-25"), (2100, "2100-03-28"),
        ])
    func easter(year: Int, expected: String) {
        // MUT / validate
        #expect(BankHolidays.easterSunday(year: year) == qualDate(expected))
    }

    @Test("substitute days are named as substitutes")
    func substituteNames() {
        // validate
        #expect(BankHolidays.englandAndWales(year: 2021)[qualDate("2021-12-27")] == "Christmas Day (substitute day)")
        #expect(BankHolidays.englandAndWales(year: 2021)[qualDate("2021-12-28")] == "Boxing Day (substitute day)")
        #expect(BankHolidays.englandAndWales(year: 2022)[qualDate("2022-01-03")] == "New Year's Day (substitute day)")
        #expect(BankHolidays.englandAndWales(year: 2022)[qualDate("2022-12-26")] == "Boxing Day")
        #expect(BankHolidays.englandAndWales(year: 2022)[qualDate("2022-12-27")] == "Christmas Day (substitute day)")
        #expect(BankHolidays.englandAndWales(year: 2026)[qualDate("2026-12-28")] == "Boxing Day (substitute day)")
        #expect(BankHolidays.englandAndWales(year: 2026)[qualDate("2026-01-01")] == "New Year's Day")
    }

    @Test("every year from 1995 to 2100 has its holidays on weekdays, eight of them outside the one-off years")
    func everyYear() {
        // setup
        let extraDays: [Int: Int] = [1999: 1, 2002: 1, 2011: 1, 2012: 1, 2022: 2, 2023: 1]
        for year in 1995...2100 {
            // MUT
            let days = BankHolidays.englandAndWales(year: year)
            // validate
            #expect(days.count == 8 + extraDays[year, default: 0], "year \(year)")
            #expect(days.keys.allSatisfy { !$0.isWeekend && $0.year == year }, "year \(year)")
            let christmasBoxing = days.filter { $0.key.month == 12 && $0.key.day >= 25 && $0.key.day <= 28 }
            #expect(christmasBoxing.count == 2, "year \(year)")
        }
    }

    @Test("years outside 1995-2100 follow the regular pattern")
    func outsideRange() {
        // MUT
        let days = BankHolidays.englandAndWales(year: 2101)
        // validate
        #expect(days.count == 8)
        #expect(days.keys.allSatisfy { !$0.isWeekend })
    }
}

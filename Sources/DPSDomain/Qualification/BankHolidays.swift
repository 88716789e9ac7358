import Foundation

/// Bank holidays in England and Wales, computed by rule rather than downloaded, so the working-day
/// clock works offline, for any year, and the same way in tests and production.
///
/// The regular pattern is New Year's Day, Good Friday, Easter Monday, the first and last Mondays of
/// May, the last Monday of August, Christmas Day and Boxing Day, with substitute weekdays when a fixed
/// date falls at a weekend. On top of that the one-off changes made by royal proclamation between 1995
/// and 2023 are listed. Any future one-off (announced a year or so ahead) is added through
/// `WorkingDayCalendar(extraHolidays:)`, a setting, without a code change.
public enum BankHolidays {
    /// The bank holidays of one year, each with its name. Outside 1995-2100 the regular pattern still
    /// applies; only the one-off changes are limited to the years they happened.
    public static func englandAndWales(year: Int) -> [LocalDate: String] {
        if let cached = precomputed[year] { return cached }
        return compute(year: year)
    }

    /// Easter Sunday in the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" computus).
    public static func easterSunday(year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)
    }

    /// Every year the product will plausibly be asked about, computed once on first use. A lookup
    /// per working-day step is then a dictionary hit rather than an Easter calculation.
    static let precomputed: [Int: [LocalDate: String]] = {
        var table: [Int: [LocalDate: String]] = [:]
        for year in 1995...2100 { table[year] = compute(year: year) }
        return table
    }()

    /// Just the dates, per year, for the working-day calendar's hot path.
    static let precomputedDates: [Int: Set<LocalDate>] = precomputed.mapValues { Set($0.keys) }

    static func dates(year: Int) -> Set<LocalDate> {
        precomputedDates[year] ?? Set(compute(year: year).keys)
    }

    private static func firstMonday(year: Int, month: Int) -> LocalDate {
        let first = LocalDate(year: year, month: month, day: 1)
        return first.adding(days: (8 - first.weekday) % 7)
    }

    private static func lastMonday(year: Int, month: Int) -> LocalDate {
        let last = LocalDate(year: year, month: month, day: LocalDate.daysInMonth(year: year, month: month))
        return last.adding(days: -((last.weekday - 1) % 7))
    }

    static func compute(year: Int) -> [LocalDate: String] {
        var days: [LocalDate: String] = [:]

        // New Year's Day, moved to the next Monday when it falls at a weekend.
        let newYear = LocalDate(year: year, month: 1, day: 1)
        switch newYear.weekday {
        case 6: days[newYear.adding(days: 2)] = "New Year's Day (substitute day)"
        case 7: days[newYear.adding(days: 1)] = "New Year's Day (substitute day)"
        default: days[newYear] = "New Year's Day"
        }

        let easter = easterSunday(year: year)
        days[easter.adding(days: -2)] = "Good Friday"
        days[easter.adding(days: 1)] = "Easter Monday"

        // Early May: first Monday, moved for the VE Day anniversaries of 1995 and 2020.
        switch year {
        case 1995: days[LocalDate(year: 1995, month: 5, day: 8)] = "Early May bank holiday (VE Day)"
        case 2020: days[LocalDate(year: 2020, month: 5, day: 8)] = "Early May bank holiday (VE Day)"
        default: days[firstMonday(year: year, month: 5)] = "Early May bank holiday"
        }

        // Spring: last Monday of May, moved for the Golden, Diamond and Platinum Jubilees.
        switch year {
        case 2002:
            days[LocalDate(year: 2002, month: 6, day: 3)] = "Golden Jubilee bank holiday"
            days[LocalDate(year: 2002, month: 6, day: 4)] = "Spring bank holiday"
        case 2012:
            days[LocalDate(year: 2012, month: 6, day: 4)] = "Spring bank holiday"
            days[LocalDate(year: 2012, month: 6, day: 5)] = "Queen's Diamond Jubilee"
        case 2022:
            days[LocalDate(year: 2022, month: 6, day: 2)] = "Spring bank holiday"
            days[LocalDate(year: 2022, month: 6, day: 3)] = "Platinum Jubilee bank holiday"
        default:
            days[lastMonday(year: year, month: 5)] = "Spring bank holiday"
        }

        days[lastMonday(year: year, month: 8)] = "Summer bank holiday"

        // Christmas and Boxing Day: a day lost to a weekend moves to the next free weekday.
        let christmas = LocalDate(year: year, month: 12, day: 25)
        switch christmas.weekday {
        case 5:  // Friday: Boxing Day (Saturday) moves to Monday 28th.
            days[christmas] = "Christmas Day"
            days[christmas.adding(days: 3)] = "Boxing Day (substitute day)"
        case 6:  // Saturday: Christmas moves to Monday 27th, Boxing Day to Tuesday 28th.
            days[christmas.adding(days: 2)] = "Christmas Day (substitute day)"
            days[christmas.adding(days: 3)] = "Boxing Day (substitute day)"
        case 7:  // Sunday: Boxing Day stays on Monday 26th, Christmas moves to Tuesday 27th.
            days[christmas.adding(days: 1)] = "Boxing Day"
            days[christmas.adding(days: 2)] = "Christmas Day (substitute day)"
        default:  // Monday to Thursday: both fall on weekdays.
            days[christmas] = "Christmas Day"
            days[christmas.adding(days: 1)] = "Boxing Day"
        }

        // One-off days by proclamation.
        for (date, name) in oneOffs where date.year == year {
            days[date] = name
        }
        return days
    }

    /// Extra days that are not moves of a regular holiday.
    static let oneOffs: [(LocalDate, String)] = [
        (LocalDate(year: 1999, month: 12, day: 31), "Millennium Celebrations"),
        (LocalDate(year: 2011, month: 4, day: 29), "Royal wedding"),
        (LocalDate(year: 2022, month: 9, day: 19), "Bank Holiday for the State Funeral of Queen Elizabeth II"),
        (LocalDate(year: 2023, month: 5, day: 8), "Bank holiday for the coronation of King Charles III"),
    ]
}

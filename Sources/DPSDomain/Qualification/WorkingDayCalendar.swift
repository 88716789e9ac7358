import Foundation

/// Working days for the councils' statutory clocks: Monday to Friday, less England and Wales bank
/// holidays, less any extra closure days the lead authority configures (a newly proclaimed bank
/// holiday, for instance).
///
/// The bank holidays for 1995-2100 are computed once per process and shared, so a calendar is a cheap
/// value that can be built per request.
public struct WorkingDayCalendar: Sendable, Equatable {
    /// Extra non-working days on top of the computed bank holidays.
    public let extraHolidays: Set<LocalDate>

    public init(extraHolidays: Set<LocalDate> = []) {
        self.extraHolidays = extraHolidays
    }

    /// True on a weekday that is neither a bank holiday nor an extra holiday.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        guard !date.isWeekend else { return false }
        if extraHolidays.contains(date) { return false }
        return !BankHolidays.dates(year: date.year).contains(date)
    }

    /// The `workingDays`-th working day strictly after `date` (so adding 1 to a Friday gives the
    /// following Monday, bank holidays permitting). The start date itself never counts, whether or not
    /// it is a working day. Zero returns `date` unchanged; a negative count walks backwards to the
    /// n-th working day strictly before.
    public func adding(workingDays: Int, to date: LocalDate) -> LocalDate {
        guard workingDays != 0 else { return date }
        let step = workingDays > 0 ? 1 : -1
        var remaining = abs(workingDays)
        var current = date.dayNumber
        var year = date.year
        var holidays = holidaySet(year: year)
        while remaining > 0 {
            current += step
            let day = LocalDate(dayNumber: current)
            if day.year != year {
                year = day.year
                holidays = holidaySet(year: year)
            }
            if !day.isWeekend && !holidays.contains(day) { remaining -= 1 }
        }
        return LocalDate(dayNumber: current)
    }

    /// The number of working days in the half-open range (`start`, `end`]: how many working days
    /// have to pass to get from `start` to `end`. Negative, with the same magnitude, when `end` is
    /// before `start`; zero when they are equal.
    public func workingDays(after start: LocalDate, through end: LocalDate) -> Int {
        if end < start { return -workingDays(after: end, through: start) }
        var count = 0
        var year = Int.min
        var holidays: Set<LocalDate> = []
        var number = start.dayNumber + 1
        let last = end.dayNumber
        while number <= last {
            let day = LocalDate(dayNumber: number)
            if day.year != year {
                year = day.year
                holidays = holidaySet(year: year)
            }
            if !day.isWeekend && !holidays.contains(day) { count += 1 }
            number += 1
        }
        return count
    }

    /// Bank holidays and extra holidays of one year, fetched once per year crossed rather than per day.
    private func holidaySet(year: Int) -> Set<LocalDate> {
        let bank = BankHolidays.dates(year: year)
        if extraHolidays.isEmpty { return bank }
        return bank.union(extraHolidays.filter { $0.year == year })
    }
}

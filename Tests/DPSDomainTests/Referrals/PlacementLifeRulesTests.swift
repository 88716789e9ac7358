import Foundation
import Testing

@testable import DPSDomain

/// DOMAIN §8, issue 10: outcome review dates, ending categories and fee variation arithmetic.
@Suite("Placement life rules")
struct PlacementLifeRulesTests {
    static func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    @Test("Months are added on the start's day, or the month's last day when it is shorter, both ways")
    func addingMonths() {
        #expect(Self.day("2026-08-31").adding(months: 6) == Self.day("2027-02-28"))
        #expect(Self.day("2027-08-31").adding(months: 6) == Self.day("2028-02-29"))
        #expect(Self.day("2026-01-15").adding(months: 12) == Self.day("2027-01-15"))
        #expect(Self.day("2026-03-31").adding(months: -1) == Self.day("2026-02-28"))
        #expect(Self.day("2026-01-10").adding(months: -13) == Self.day("2024-12-10"))
    }

    @Test("Reviews fall every N months from the start itself, never after the end; four when no end is known")
    func reviewDates() {
        let start = Self.day("2026-08-31")
        let end = Self.day("2028-03-01")
        // From the start, not from the previous review: August 31 comes back after February 28.
        #expect(
            OutcomeReviewSchedule.dueDates(start: start, end: end, months: 6)
                == ["2027-02-28", "2027-08-31", "2028-02-29"].map(Self.day))
        #expect(OutcomeReviewSchedule.dueDates(start: start, end: nil, months: 6).count == 4)
        #expect(OutcomeReviewSchedule.dueDates(start: start, end: Self.day("2027-02-27"), months: 6).isEmpty)
        #expect(OutcomeReviewSchedule.dueDates(start: start, end: end, months: 12) == [Self.day("2027-08-31")])
        // Never more than 20, however long it runs.
        #expect(OutcomeReviewSchedule.dueDates(start: start, end: Self.day("2099-01-01"), months: 3).count == 20)
    }

    @Test("A review opens 14 days before its date and is overdue from the day after until completed")
    func openAndOverdue() {
        let start = Self.day("2026-01-05")
        let end = Self.day("2028-01-05")
        #expect(OutcomeReviewSchedule.open(start: start, end: end, today: Self.day("2026-06-20")).isEmpty)
        let open = OutcomeReviewSchedule.open(start: start, end: end, today: Self.day("2026-06-21"))
        #expect(open.map(\.sequence) == [1] && open.map(\.due) == [Self.day("2026-07-05")])
        let due = Self.day("2026-07-05")
        #expect(!OutcomeReviewSchedule.isOverdue(due: due, state: .due, today: due))
        #expect(OutcomeReviewSchedule.isOverdue(due: due, state: .recorded, today: Self.day("2026-07-06")))
        #expect(!OutcomeReviewSchedule.isOverdue(due: due, state: .completed, today: Self.day("2027-07-06")))
        #expect(OutcomeReviewSchedule.next(start: start, end: end, completed: 1) == Self.day("2027-01-05"))
        #expect(OutcomeReviewSchedule.next(start: start, end: end, completed: 4) == nil)
        #expect(OutcomeProgress.notStarted < .someProgress && OutcomeProgress.goodProgress < .achieved)
    }

    @Test("Endings are planned or unplanned, three and four of them, each with words to show")
    func endingCategories() {
        let planned = PlacementEnding.allCases.filter { $0.kind == .planned }
        let unplanned = PlacementEnding.allCases.filter { $0.kind == .unplanned }
        #expect(planned == [.reachedEnd, .movedOnAsPlanned, .transitionToAdultServices])
        #expect(unplanned == [.providerGaveNotice, .brokeDown, .councilEnded, .childMoved])
        #expect(Set(PlacementEnding.allCases.map(\.label)).count == PlacementEnding.allCases.count)
    }

    @Test(
        "A fee variation adds its lines per child, times the children, less the discount; a year at the pattern's weeks"
    )
    func feeVariation() throws {
        let before = [
            FeeLine(key: "care", name: "Care", pence: 150_000), FeeLine(key: nil, name: "1:1", pence: 25_001),
        ]
        let after = [FeeLine(key: "care", name: "Care", pence: 160_000), FeeLine(key: nil, name: "1:1", pence: 25_001)]
        // Two children, 5% discount: (175,001 × 2) − 17,500.1 rounded half up = 350,002 − 17,500 = 332,502.
        #expect(FeeVariation.weekly(before, children: 2, discountBasisPoints: 500) == 332_502)
        let effect = try FeeVariation.effect(
            before: before, after: after, children: 2, discountBasisPoints: 500, weeksPerYear: 38
        ).get()
        // (185,001 × 2) = 370,002, less 18,500.1 → 18,500: 351,502; the change 19,000 a week, 722,000 a 38-week year.
        #expect(effect.weeklyBefore == 332_502 && effect.weeklyAfter == 351_502)
        #expect(effect.weeklyChange == 19_000 && effect.annualChange == 722_000)
        // A reduction is negative.
        let down = try FeeVariation.effect(
            before: after, after: before, children: 1, discountBasisPoints: 0, weeksPerYear: 52
        ).get()
        #expect(down.weeklyChange == -10_000 && down.annualChange == -520_000)
    }

    @Test("A fee variation with a nameless, negative or huge line, no change, or a £0 fee is refused by field")
    func feeVariationRefusals() {
        let lines = [FeeLine(key: nil, name: "Agreed weekly fee", pence: 300_000)]
        func fields(_ after: [FeeLine]) -> [String] {
            switch FeeVariation.effect(
                before: lines, after: after, children: 1, discountBasisPoints: 0, weeksPerYear: 52)
            {
            case .success: []
            case .failure(let e): e.errors.map(\.field)
            }
        }
        #expect(fields([FeeLine(key: nil, name: " ", pence: 1)]) == ["lineName0"])
        #expect(fields([FeeLine(key: nil, name: "Fee", pence: -1)]) == ["linePounds0"])
        #expect(fields([FeeLine(key: nil, name: "Fee", pence: Int.max)]) == ["linePounds0"])
        // A core line the agreement does not have, or one named twice (found by an attack: the weekly fee and its
        // breakdown disagreed, and every later variation was refused).
        let core = [FeeLine(key: "care", name: "Care", pence: 100_000)]
        func keyed(_ after: [FeeLine]) -> [String] {
            switch FeeVariation.effect(
                before: core, after: after, children: 1, discountBasisPoints: 0, weeksPerYear: 52, positions: [2, 4])
            {
            case .success: []
            case .failure(let e): e.errors.map(\.field)
            }
        }
        #expect(keyed([FeeLine(key: "dup", name: "A", pence: 1)]) == ["lineName2"])
        #expect(
            keyed([FeeLine(key: "care", name: "A", pence: 1), FeeLine(key: "care", name: "B", pence: 2)])
                == ["lineName4"])
        #expect(fields(lines) == ["lines"])
        #expect(fields([FeeLine(key: nil, name: "Fee", pence: 0)]) == ["lines"])
        #expect(fields(Array(repeating: FeeLine(key: nil, name: "Fee", pence: 1), count: 13)) == ["lines"])
        // The effective date lies within the placement.
        let start = Self.day("2026-01-05")
        #expect(FeeVariation.effectiveDateProblem(Self.day("2026-01-04"), start: start, end: nil) != nil)
        #expect(FeeVariation.effectiveDateProblem(start, start: start, end: nil) == nil)
        #expect(
            FeeVariation.effectiveDateProblem(Self.day("2027-01-06"), start: start, end: Self.day("2027-01-05")) != nil)
    }
}

/// Found by an attack on the loopback server: a direct placement typed to start in year 9999 made the expected
/// end's arithmetic reach year 10000 and the process trapped on the date's precondition.
@Suite("Date arithmetic never traps")
struct DateArithmeticTests {
    @Test("Adding days or months stops at the first and last dates there are")
    func bounded() {
        let last = LocalDate(year: 9999, month: 12, day: 31)
        #expect(last == LocalDate.latest && LocalDate.earliest == LocalDate(year: 1, month: 1, day: 1))
        #expect(LocalDate(year: 9999, month: 1, day: 9).adding(days: 104 * 7) == last)
        #expect(last.adding(days: Int.max) == last && LocalDate.earliest.adding(days: Int.min) == .earliest)
        #expect(last.adding(months: 6) == last && LocalDate.earliest.adding(months: -1) == .earliest)
        #expect(LocalDate(year: 2026, month: 1, day: 31).adding(months: Int.max) == last)
        #expect(LocalDate(year: 2026, month: 1, day: 31).adding(months: Int.min) == .earliest)
        #expect(PlacementEnding.expectedEnd(start: LocalDate(year: 9999, month: 6, day: 1), weeks: 520) == last)
        #expect(OutcomeReviewSchedule.dueDates(start: LocalDate(year: 9999, month: 6, day: 1), end: nil).count == 4)
        // Ordinary arithmetic is unchanged.
        #expect(LocalDate(year: 2026, month: 12, day: 31).adding(days: 1) == LocalDate(year: 2027, month: 1, day: 1))
    }
}

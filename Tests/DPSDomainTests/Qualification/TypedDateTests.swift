import Testing

@testable import DPSDomain

@Suite("Dates as people type them")
struct TypedDateTests {
    static let march14 = LocalDate(year: 2024, month: 3, day: 14)

    @Test(
        "a whole date in the UK order, by number or by name, or in ISO form",
        arguments: [
            "14/03/2024", "14 3 2024", "14-03-2024", "14.3.2024", "14 March 2024", "14th Mar 2024", "2024-03-14",
            " 14 / 3 / 2024 ", "14 mar 2024",
        ])
    func whole(_ text: String) {
        #expect(LocalDate(typed: text) == Self.march14)
    }

    @Test(
        "what is not a date, or not a real one, is refused",
        arguments: [
            "31/02/2024", "29/02/2023", "14/03/24", "03/14/2024", "14 Ma 2024", "14/3", "1/2/3/2024", "tomorrow",
            "١٤/٠٣/٢٠٢٤", String(repeating: "1", count: 41), "0/3/2024", "14/13/2024", "99999/3/2024",
            // Signed numbers used to lose their sign and read as a date (found by an attack on the date boxes).
            "-14/3/2024", "14/-3/2024", "14/3/-2024", "+14/3/2024", "14 -3 2024",
        ])
    func refused(_ text: String) {
        #expect(LocalDate(typed: text) == nil)
        #expect(LocalDate.typed(text) == .notReal)
    }

    @Test("the three boxes of the date input")
    func boxes() {
        #expect(LocalDate.typed(day: "14", month: "3", year: "2024") == .date(Self.march14))
        #expect(LocalDate.typed(day: "14", month: "March", year: "2024") == .date(Self.march14))
        #expect(LocalDate.typed(day: "29", month: "2", year: "2024") == .date(LocalDate(year: 2024, month: 2, day: 29)))
        #expect(LocalDate.typed(day: "", month: " ", year: "") == .empty)
        #expect(LocalDate.typed(day: "14", month: "", year: "2024") == .missing(["month"]))
        #expect(LocalDate.typed(day: "", month: "3", year: "") == .missing(["day", "year"]))
        #expect(LocalDate.typed(day: "30", month: "2", year: "2024") == .notReal)
        #expect(LocalDate.typed(day: "14", month: "3", year: "24") == .notReal)
        // A whole date typed or pasted into the first box.
        #expect(LocalDate.typed(day: "14/03/2024", month: "", year: "") == .date(Self.march14))
    }
}

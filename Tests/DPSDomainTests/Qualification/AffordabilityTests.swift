import Foundation
import Testing

@testable import DPSDomain

@Suite("Money and affordability")
struct AffordabilityTests {
    static let names = ["premises": "Premises", "staffing": "Establishment core staffing", "vehicles": "Vehicles"]
    static let required = ["premises", "staffing", "vehicles"]

    @Test(
        "formats pence as pounds",
        arguments: [
            (0, "£0.00"), (1, "£0.01"), (50, "£0.50"), (99_999, "£999.99"), (100_000, "£1,000.00"),
            (400_000, "£4,000.00"), (400_001, "£4,000.01"), (123_456_789, "£1,234,567.89"),
            (100_000_000, "£1,000,000.00"), (-125, "-£1.25"), (-100_000, "-£1,000.00"),
        ])
    func format(pence: Int, expected: String) {
        // MUT / validate
        #expect(formatPence(pence) == expected)
    }

    @Test("formatting the extreme integers does not trap")
    func extremes() {
        // validate
        #expect(formatPence(Int.min).hasPrefix("-£"))
        #expect(formatPence(Int.max).hasPrefix("£"))
    }

    @Test(
        "a complete schedule within the cap passes; equal to the cap is allowed", arguments: [nil, 400_000, 1_000_000])
    func withinCap(cap: Int?) {
        // MUT
        let errors = AffordabilityCheck.check(
            linesPence: ["premises": 100_000, "staffing": 250_000, "vehicles": 50_000],
            lineNames: Self.names, requiredLineIds: Self.required, capPence: cap)
        // validate
        #expect(errors.isEmpty)
    }

    @Test("one penny over the cap is refused, naming the total and the cap")
    func overCap() {
        // MUT
        let errors = AffordabilityCheck.check(
            linesPence: ["premises": 100_000, "staffing": 250_001, "vehicles": 50_000],
            lineNames: Self.names, requiredLineIds: Self.required, capPence: 400_000)
        // validate
        #expect(
            errors == [
                FieldError(
                    field: "costs",
                    message:
                        "The total weekly core cost of £4,000.01 "
                        + "is over this category's affordability cap of £4,000.00"
                )
            ])
    }

    @Test("every required line must be present")
    func missingLine() {
        // MUT
        let errors = AffordabilityCheck.check(
            linesPence: ["staffing": 250_000], lineNames: Self.names, requiredLineIds: Self.required, capPence: nil)
        // validate
        #expect(errors.map(\.field) == ["costs.premises", "costs.vehicles"])
        #expect(errors.first?.message == "Enter a core cost for every line: Premises is missing")
    }

    @Test("a zero line is allowed; a negative one is refused")
    func negativeLine() {
        // MUT
        let zero = AffordabilityCheck.check(
            linesPence: ["premises": 0, "staffing": 1, "vehicles": 0],
            lineNames: Self.names, requiredLineIds: Self.required, capPence: nil)
        let negative = AffordabilityCheck.check(
            linesPence: ["premises": -100, "staffing": 1, "vehicles": 0],
            lineNames: Self.names, requiredLineIds: Self.required, capPence: nil)
        // validate
        #expect(zero.isEmpty)
        #expect(
            negative == [
                FieldError(field: "costs.premises", message: "A core cost cannot be negative: Premises is -£1.00")
            ])
    }

    @Test("a line the category does not have is refused; a line without a display name uses its id")
    func unknownLine() {
        // MUT
        let errors = AffordabilityCheck.check(
            linesPence: ["premises": 1, "staffing": 1, "vehicles": 1, "yacht": 5],
            lineNames: Self.names, requiredLineIds: Self.required, capPence: nil)
        let unnamed = AffordabilityCheck.check(
            linesPence: [:], lineNames: [:], requiredLineIds: ["assessment"], capPence: nil)
        // validate
        #expect(errors.map(\.field) == ["costs.yacht"])
        #expect(unnamed.first?.message == "Enter a core cost for every line: assessment is missing")
    }

    @Test("an overflowing total is refused rather than wrapping under the cap")
    func overflow() {
        // MUT
        let errors = AffordabilityCheck.check(
            linesPence: ["premises": Int.max, "staffing": Int.max, "vehicles": 0],
            lineNames: Self.names, requiredLineIds: Self.required, capPence: 400_000)
        // validate
        #expect(errors.map(\.field) == ["costs"])
    }

    @Test("the field prefix is configurable for multi-category applications")
    func prefix() {
        // MUT
        let errors = AffordabilityCheck.check(
            linesPence: ["staffing": 500_000, "vehicles": 0], lineNames: Self.names,
            requiredLineIds: Self.required, capPence: 400_000, fieldPrefix: "costs.sen")
        // validate
        #expect(errors.map(\.field) == ["costs.sen.premises", "costs.sen"])
    }
}

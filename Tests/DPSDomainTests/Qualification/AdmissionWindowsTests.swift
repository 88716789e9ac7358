import Foundation
import Testing

@testable import DPSDomain

@Suite("Admission windows and validity")
struct AdmissionWindowsTests {
    static let validity = ValidityPeriod(start: qualDate("2026-01-01"), end: qualDate("2030-12-31"))
    static let onBoarding = ClosedWindow(
        start: qualLondon("2027-02-01 00:00"), end: qualLondon("2027-04-01 00:00"), reason: "on-boarding")

    @Test(
        "entry is closed in [start, end) of a window",
        arguments: [
            ("2027-01-31 23:59", true),
            ("2027-02-01 00:00", false),
            ("2027-03-15 12:00", false),
            ("2027-03-31 23:59", false),
            ("2027-04-01 00:00", true),
        ])
    func windowEdges(at: String, open: Bool) {
        // MUT / validate
        #expect(AdmissionWindows.isOpen(at: qualLondon(at), closed: [Self.onBoarding], validity: Self.validity) == open)
    }

    @Test("the edge instants are exact to the second")
    func secondEdges() {
        // setup
        let start = Self.onBoarding.start
        let end = Self.onBoarding.end
        // MUT / validate
        #expect(
            AdmissionWindows.isOpen(
                at: start.addingTimeInterval(-1), closed: [Self.onBoarding], validity: Self.validity))
        #expect(
            !AdmissionWindows.isOpen(at: end.addingTimeInterval(-1), closed: [Self.onBoarding], validity: Self.validity)
        )
        #expect(AdmissionWindows.isOpen(at: end, closed: [Self.onBoarding], validity: Self.validity))
    }

    @Test("a closed window explains itself")
    func message() {
        // MUT
        let error = AdmissionWindows.check(
            at: qualLondon("2027-02-10 09:00"), closed: [Self.onBoarding], validity: Self.validity)
        // validate
        #expect(
            error
                == FieldError(
                    field: "submission",
                    message:
                        "The DPS is closed to new applications from 1 February 2027 to 1 April 2027 (on-boarding); "
                        + "apply after it reopens"
                ))
    }

    @Test(
        "entry is refused outside the period of validity, ends included in the period",
        arguments: [
            ("2025-12-31 23:59", false),
            ("2026-01-01 00:00", true),
            ("2030-12-31 23:59", true),
            ("2031-01-01 00:00", false),
        ])
    func validityEdges(at: String, open: Bool) {
        // MUT
        let error = AdmissionWindows.check(at: qualLondon(at), closed: [], validity: Self.validity)
        // validate
        #expect((error == nil) == open)
        #expect(error.map(\.field) ?? "submission" == "submission")
    }

    @Test("no windows means open within validity")
    func noWindows() {
        // MUT / validate
        #expect(AdmissionWindows.isOpen(at: qualLondon("2027-02-10 09:00"), closed: [], validity: Self.validity))
    }

    @Test("a closed window needs an end after its start and a reason")
    func windowValidation() {
        // setup
        let backwards = ClosedWindow(
            start: qualLondon("2027-04-01 00:00"), end: qualLondon("2027-02-01 00:00"), reason: " ")
        // MUT / validate
        #expect(Self.onBoarding.validate().isEmpty)
        #expect(backwards.validate().map(\.field) == ["end", "reason"])
    }

    @Test("a period must end after it starts")
    func periodValidation() {
        // validate
        #expect(Self.validity.validate().isEmpty)
        #expect(
            ValidityPeriod(start: qualDate("2026-01-01"), end: qualDate("2026-01-01")).validate().map(\.field) == [
                "validity.end"
            ])
        #expect(
            ValidityPeriod(start: qualDate("2026-01-02"), end: qualDate("2026-01-01")).validate().map(\.field) == [
                "validity.end"
            ])
    }

    @Test(
        "allowed changes",
        arguments: [
            (ValidityChange.Kind.extend, "2032-12-31", "2027-06-01"),
            (.extend, "2031-01-01", "2030-12-31"),  // on the last day, one more day
            (.shorten, "2028-12-31", "2027-06-01"),
            (.shorten, "2027-06-01", "2027-06-01"),  // to today
            (.terminate, "2027-06-01", "2027-06-01"),  // today
            (.terminate, "2027-09-30", "2027-06-01"),
        ])
    func allowedChanges(kind: ValidityChange.Kind, newEnd: String, today: String) throws {
        // MUT
        let changed = try Self.validity.applying(
            ValidityChange(kind: kind, newEnd: qualDate(newEnd), reason: "Cabinet decision"), today: qualDate(today))
        // validate
        #expect(changed == ValidityPeriod(start: qualDate("2026-01-01"), end: qualDate(newEnd)))
    }

    @Test(
        "refused changes",
        arguments: [
            (ValidityChange.Kind.extend, "2030-12-31", "2027-06-01", "Cabinet decision"),  // not later
            (.extend, "2029-12-31", "2027-06-01", "Cabinet decision"),  // earlier
            (.extend, "2032-12-31", "2031-01-05", "Cabinet decision"),  // already ended
            (.shorten, "2030-12-31", "2027-06-01", "Cabinet decision"),  // not earlier
            (.shorten, "2027-05-31", "2027-06-01", "Cabinet decision"),  // in the past
            (.shorten, "2025-12-31", "2025-06-01", "Cabinet decision"),  // before start
            (.terminate, "2027-05-31", "2027-06-01", "Cabinet decision"),  // yesterday
            (.terminate, "2031-06-01", "2027-06-01", "Cabinet decision"),  // after the end
            (.extend, "2032-12-31", "2027-06-01", "   "),  // no reason
            (.terminate, "2027-06-01", "2027-06-01", ""),
        ])
    func refusedChanges(kind: ValidityChange.Kind, newEnd: String, today: String, reason: String) {
        // MUT
        let result = qualFailure {
            try Self.validity.applying(
                ValidityChange(kind: kind, newEnd: qualDate(newEnd), reason: reason), today: qualDate(today))
        }
        // validate
        #expect(result != nil)
        #expect(result?.fields.allSatisfy { $0 == "newEnd" || $0 == "reason" } == true)
        #expect(result?.fields.contains("reason") == QualificationText.isBlank(reason))
    }

    @Test("a change with no reason and a bad date reports both")
    func bothProblems() {
        // MUT
        let result = qualFailure {
            try Self.validity.applying(
                ValidityChange(kind: .shorten, newEnd: qualDate("2031-01-01"), reason: ""),
                today: qualDate("2027-01-01"))
        }
        // validate
        #expect(result?.fields == ["reason", "newEnd"])
    }
}

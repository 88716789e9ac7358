import Foundation
import Testing

@testable import DPSDomain

/// The outcome of an assessment without its reason text, for table-driven tests.
enum InspectionOutcome: Sendable { case meets, below, refer }

private func inspectionOutcome(_ assessment: JudgementAssessment) -> InspectionOutcome {
    switch assessment {
    case .meetsThreshold: return .meets
    case .belowThreshold: return .below
    case .referToEvaluator: return .refer
    }
}

@Suite("Inspection judgements")
struct InspectionTests {
    @Test(
        "Ofsted social care scale",
        arguments: [
            ("Outstanding", InspectionOutcome.meets), ("Good", .meets), ("Requires improvement to be good", .meets),
            ("requires improvement", .meets), ("  REQUIRES   Improvement-to-be-good. ", .meets),
            ("Requires improvement to be good\u{00A0}", .meets),
            ("Inadequate", .below), ("inadequate ", .below),
            ("", .refer), ("   ", .refer), ("Adequate", .refer), ("Not yet inspected", .refer),
        ])
    func socialCare(judgement: String, expected: InspectionOutcome) {
        // setup
        let rating = InspectionRating(
            inspectorate: .ofstedSocialCare, framework: "SCCIF", judgement: judgement, date: qualDate("2025-06-01"))
        // MUT / validate
        #expect(inspectionOutcome(InspectionThreshold.assess(rating)) == expected)
    }

    @Test(
        "Ofsted education graded scale",
        arguments: [
            ("Outstanding", InspectionOutcome.meets), ("Good", .meets), ("Requires improvement", .meets),
            ("Satisfactory", .meets), ("Inadequate", .below), ("Serious weaknesses", .below),
            ("Special measures", .below), ("Inadequate (special measures)", .below), ("Grade 2", .refer),
        ])
    func education(judgement: String, expected: InspectionOutcome) {
        // setup
        let rating = InspectionRating(
            inspectorate: .ofstedEducation, framework: "Education inspection framework", judgement: judgement,
            date: qualDate("2024-03-01"))
        // MUT / validate
        #expect(inspectionOutcome(InspectionThreshold.assess(rating)) == expected)
    }

    @Test("Ofsted report cards go to an evaluator")
    func reportCards() {
        // setup
        let byFramework = InspectionRating(
            inspectorate: .ofstedEducation, framework: "School report card", judgement: "Good",
            date: qualDate("2026-01-20"))
        let byDateEmpty = InspectionRating(
            inspectorate: .ofstedEducation, framework: nil, judgement: "", date: qualDate("2025-11-10"))
        let byDateAreaGrade = InspectionRating(
            inspectorate: .ofstedEducation, framework: nil, judgement: "Secure", date: qualDate("2026-02-01"))
        let beforeReportCards = InspectionRating(
            inspectorate: .ofstedEducation, framework: nil, judgement: "Secure", date: qualDate("2025-11-09"))
        let gradedAfter = InspectionRating(
            inspectorate: .ofstedEducation, framework: nil, judgement: "Good", date: qualDate("2025-12-01"))
        // MUT / validate
        guard case .referToEvaluator(let reason) = InspectionThreshold.assess(byFramework) else {
            Issue.record("a report card must be referred")
            return
        }
        #expect(reason.contains("report card"))
        #expect(inspectionOutcome(InspectionThreshold.assess(byDateEmpty)) == .refer)
        guard case .referToEvaluator(let dated) = InspectionThreshold.assess(byDateAreaGrade) else {
            Issue.record("an ungraded report after 10 November 2025 must be referred")
            return
        }
        #expect(dated.contains("10 November 2025"))
        #expect(inspectionOutcome(InspectionThreshold.assess(beforeReportCards)) == .refer)
        #expect(inspectionOutcome(InspectionThreshold.assess(gradedAfter)) == .meets)
    }

    @Test(
        "ISI standards met or not met",
        arguments: [
            ("Standards met", InspectionOutcome.meets), ("met", .meets), ("All standards met", .meets),
            ("Not met", .below), ("standards not met", .below), ("Standards not all met", .below),
            ("Good", .refer), ("", .refer),
        ])
    func isi(judgement: String, expected: InspectionOutcome) {
        // setup
        let rating = InspectionRating(inspectorate: .isi, judgement: judgement)
        // MUT / validate
        #expect(inspectionOutcome(InspectionThreshold.assess(rating)) == expected)
    }

    @Test(
        "CIW and Estyn ratings",
        arguments: [
            ("Excellent", InspectionOutcome.meets), ("Good", .meets), ("Adequate", .meets),
            ("Poor", .below), ("Unsatisfactory", .below), ("Requires improvement", .refer), ("", .refer),
        ])
    func welsh(judgement: String, expected: InspectionOutcome) {
        // setup
        let rating = InspectionRating(inspectorate: .ciw, judgement: judgement)
        // MUT / validate
        #expect(inspectionOutcome(InspectionThreshold.assess(rating)) == expected)
    }

    @Test("other inspectorates always go to an evaluator", arguments: ["Good", "Inadequate", ""])
    func other(judgement: String) {
        // MUT
        let result = InspectionThreshold.assess(InspectionRating(inspectorate: .other, judgement: judgement))
        // validate
        #expect(inspectionOutcome(result) == .refer)
    }

    @Test("a referral always explains itself")
    func referralReason() {
        // MUT
        let result = InspectionThreshold.assess(InspectionRating(inspectorate: .ofstedSocialCare, judgement: "Sound"))
        // validate
        #expect(result == .referToEvaluator(reason: "'Sound' is not a recognised Ofsted judgement"))
    }

    @Test(
        "inspectorate from free text",
        arguments: [
            ("Ofsted", Inspectorate.ofstedSocialCare), ("ofsted social care", .ofstedSocialCare),
            ("Ofsted (children's homes)", .ofstedSocialCare), ("Ofsted education", .ofstedEducation),
            ("Ofsted - Schools", .ofstedEducation), ("ISI", .isi), ("isi", .isi),
            ("Independent Schools Inspectorate", .isi), ("CIW", .ciw), ("Care Inspectorate Wales", .ciw),
            ("Estyn", .ciw), ("Estyn/CIW", .ciw), ("Care Inspectorate", .other), ("", .other),
            ("Crisis intervention", .other),
        ])
    func fromName(name: String, expected: Inspectorate) {
        // MUT / validate
        #expect(Inspectorate.from(name: name) == expected)
    }

    @Test("ratings round-trip through JSON")
    func codable() throws {
        // setup
        let rating = InspectionRating(
            inspectorate: .isi, framework: "Independent schools", judgement: "Standards met",
            date: qualDate("2025-03-04"))
        // MUT
        let back = try JSONDecoder().decode(InspectionRating.self, from: JSONEncoder().encode(rating))
        // validate
        #expect(back == rating)
    }
}

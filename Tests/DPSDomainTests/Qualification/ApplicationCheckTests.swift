import Foundation
import Testing

@testable import DPSDomain

/// A complete application for one category that passes every check on 10 March 2026.
func qualValidSubmission() -> ApplicationSubmission {
    ApplicationSubmission(
        now: qualLondon("2026-03-10 10:00"),
        entry: .open,
        inspection: InspectionRating(
            inspectorate: .ofstedSocialCare, framework: "SCCIF", judgement: "Good", date: qualDate("2025-06-01")),
        categories: [
            CategoryApplication(
                categoryId: "sen",
                spec: qualValidCategory(),
                answers: [
                    "exclusions": PassFailAnswer(answer: .yes),
                    "insurance": PassFailAnswer(
                        answer: .yes,
                        evidence: [
                            EvidenceDocument(name: "Employer's liability.pdf", expires: qualDate("2026-03-10"))
                        ]),
                    "safeguarding": PassFailAnswer(
                        answer: .yes, evidence: [EvidenceDocument(name: "Safeguarding policy.pdf")]),
                ],
                statementAnswers: [
                    "workforce": "We train", "outcomes": "We measure", "contract": "We report", "young": "We listen",
                ],
                costsPence: ["premises": 150_000, "staffing": 250_000],
                discountsBasisPoints: [2: 500, 3: 0]
            )
        ]
    )
}

@Suite("Application submission check")
struct ApplicationCheckTests {
    @Test("a complete application passes; evidence expiring today is still valid")
    func valid() {
        // MUT / validate
        #expect(ApplicationCheck.validate(qualValidSubmission()) == [])
    }

    /// One broken rule and the fields it must be reported on.
    static let breaks: [(String, @Sendable (inout ApplicationSubmission) -> Void, [String])] = [
        ("DPS closed", { $0.entry = .closed }, ["submission"]),
        (
            "in a closed window",
            {
                $0.entry = .windows(
                    closed: [
                        ClosedWindow(
                            start: qualLondon("2026-03-01 00:00"), end: qualLondon("2026-04-01 00:00"),
                            reason: "on-boarding")
                    ],
                    validity: ValidityPeriod(start: qualDate("2026-01-01"), end: qualDate("2030-12-31")))
            }, ["submission"]
        ),
        (
            "before validity",
            {
                $0.entry = .windows(
                    closed: [], validity: ValidityPeriod(start: qualDate("2026-04-01"), end: qualDate("2030-12-31")))
            }, ["submission"]
        ),
        ("no categories", { $0.categories = [] }, ["categories"]),
        ("same category twice", { $0.categories.append($0.categories[0]) }, ["categories"]),
        ("inadequate", { $0.inspection?.judgement = "Inadequate" }, ["establishment.inspection"]),
        (
            "ISI not met", { $0.inspection = InspectionRating(inspectorate: .isi, judgement: "Not met") },
            ["establishment.inspection"]
        ),
        ("no inspection recorded", { $0.inspection = nil }, ["establishment.inspection"]),
        ("missing answer", { $0.categories[0].answers["exclusions"] = nil }, ["answers.sen.exclusions"]),
        ("evidence absent", { $0.categories[0].answers["safeguarding"]?.evidence = [] }, ["answers.sen.safeguarding"]),
        (
            "evidence unnamed", { $0.categories[0].answers["safeguarding"]?.evidence = [EvidenceDocument(name: " ")] },
            ["answers.sen.safeguarding"]
        ),
        (
            "evidence absent on a 'no'", { $0.categories[0].answers["safeguarding"] = PassFailAnswer(answer: .no) },
            ["answers.sen.safeguarding"]
        ),
        (
            "expiry absent", { $0.categories[0].answers["insurance"]?.evidence[0].expires = nil },
            ["answers.sen.insurance"]
        ),
        (
            "expired yesterday",
            { $0.categories[0].answers["insurance"]?.evidence[0].expires = qualDate("2026-03-09") },
            ["answers.sen.insurance"]
        ),
        (
            "one of two documents expired",
            {
                $0.categories[0].answers["insurance"]?.evidence.append(
                    EvidenceDocument(name: "Old.pdf", expires: qualDate("2025-01-01")))
            }, ["answers.sen.insurance"]
        ),
        ("blank statement", { $0.categories[0].statementAnswers["outcomes"] = " \n " }, ["statements.sen.outcomes"]),
        ("missing statement", { $0.categories[0].statementAnswers["young"] = nil }, ["statements.sen.young"]),
        ("missing cost line", { $0.categories[0].costsPence["premises"] = nil }, ["costs.sen.premises"]),
        ("over the cap", { $0.categories[0].costsPence["premises"] = 150_001 }, ["costs.sen"]),
        ("missing tier", { $0.categories[0].discountsBasisPoints[3] = nil }, ["discounts.sen.3"]),
        ("tier over 100%", { $0.categories[0].discountsBasisPoints[2] = 10_001 }, ["discounts.sen.2"]),
        ("negative tier", { $0.categories[0].discountsBasisPoints[2] = -1 }, ["discounts.sen.2"]),
    ]

    @Test("each broken rule is reported on its field", arguments: breaks)
    func broken(name: String, breakRule: @Sendable (inout ApplicationSubmission) -> Void, fields: [String]) {
        // setup
        var input = qualValidSubmission()
        breakRule(&input)
        // MUT
        let errors = ApplicationCheck.validate(input)
        // validate
        #expect(errors.map(\.field) == fields, "\(name)")
    }

    @Test("the inspection refusal uses the agreed wording")
    func inspectionWording() {
        // setup
        var input = qualValidSubmission()
        input.inspection?.judgement = "Inadequate"
        // MUT / validate
        #expect(
            ApplicationCheck.validate(input) == [
                FieldError(
                    field: "establishment.inspection",
                    message: "An inspection judgement below 'requires improvement' cannot be admitted")
            ])
    }

    @Test(
        "a judgement that goes to an evaluator does not stop submission",
        arguments: [
            InspectionRating(
                inspectorate: .ofstedEducation, framework: "Report card", judgement: "", date: qualDate("2026-01-20")),
            InspectionRating(inspectorate: .other, judgement: "Good"),
            InspectionRating(inspectorate: .ofstedSocialCare, judgement: "Sound"),
        ])
    func referralIsNotAnError(rating: InspectionRating) {
        // setup
        var input = qualValidSubmission()
        input.inspection = rating
        // MUT / validate
        #expect(ApplicationCheck.validate(input).isEmpty)
    }

    @Test("a category that does not need an inspection accepts none")
    func noInspectionNeeded() {
        // setup
        var input = qualValidSubmission()
        input.inspection = nil
        input.categories[0].spec.requiresInspection = false
        // MUT / validate
        #expect(ApplicationCheck.validate(input).isEmpty)
    }

    @Test("errors from several categories are kept apart by category id")
    func twoCategories() {
        // setup
        var input = qualValidSubmission()
        var second = input.categories[0]
        second.categoryId = "residential"
        second.spec.name = "Children's residential care"
        second.costsPence["staffing"] = nil
        input.categories.append(second)
        input.categories[0].answers["exclusions"] = nil
        // MUT
        let errors = ApplicationCheck.validate(input)
        // validate
        #expect(errors.map(\.field) == ["answers.sen.exclusions", "costs.residential.staffing"])
    }

    @Test("evidence expiry uses the London date of now")
    func expiryLondon() {
        // setup: 23:30 UTC on 9 June is already 10 June in London, so evidence valid to 9 June has lapsed.
        var input = qualValidSubmission()
        input.now = qualUTC("2026-06-09 23:30")
        input.categories[0].answers["insurance"]?.evidence[0].expires = qualDate("2026-06-09")
        // MUT / validate
        #expect(ApplicationCheck.validate(input).map(\.field) == ["answers.sen.insurance"])
    }
}

import Foundation

/// A yes/no answer to a pass/fail question.
public enum YesNoAnswer: String, Codable, Sendable, CaseIterable {
    case yes, no
}

/// A document uploaded as evidence.
public struct EvidenceDocument: Equatable, Hashable, Codable, Sendable {
    public var name: String
    /// The last day the document is valid, for evidence that lapses.
    public var expires: LocalDate?

    public init(name: String, expires: LocalDate? = nil) {
        self.name = name
        self.expires = expires
    }
}

/// The applicant's answer to one pass/fail question.
public struct PassFailAnswer: Equatable, Hashable, Codable, Sendable {
    public var answer: YesNoAnswer
    public var evidence: [EvidenceDocument]

    public init(answer: YesNoAnswer, evidence: [EvidenceDocument] = []) {
        self.answer = answer
        self.evidence = evidence
    }
}

/// Whether the DPS is taking applications, either as already decided by the caller or as the data to
/// decide it from.
public enum AdmissionEntry: Equatable, Hashable, Sendable {
    case open
    case closed
    case windows(closed: [ClosedWindow], validity: ValidityPeriod)
}

/// One category applied for, with everything the applicant entered for it.
public struct CategoryApplication: Equatable, Hashable, Sendable {
    public var categoryId: String
    public var spec: CategoryDefinitionSpec
    /// Answers per pass/fail question id.
    public var answers: [String: PassFailAnswer]
    /// Method statement text per statement id.
    public var statementAnswers: [String: String]
    /// Weekly core cost per line id, in pence.
    public var costsPence: [String: Int]
    /// Discount offered per tier, keyed by the tier's number of children, in basis points.
    public var discountsBasisPoints: [Int: Int]

    public init(
        categoryId: String,
        spec: CategoryDefinitionSpec,
        answers: [String: PassFailAnswer] = [:],
        statementAnswers: [String: String] = [:],
        costsPence: [String: Int] = [:],
        discountsBasisPoints: [Int: Int] = [:]
    ) {
        self.categoryId = categoryId
        self.spec = spec
        self.answers = answers
        self.statementAnswers = statementAnswers
        self.costsPence = costsPence
        self.discountsBasisPoints = discountsBasisPoints
    }
}

/// Everything needed to decide whether an application is complete enough to submit.
public struct ApplicationSubmission: Equatable, Hashable, Sendable {
    public var now: Date
    public var entry: AdmissionEntry
    /// The establishment's latest inspection, if it has one.
    public var inspection: InspectionRating?
    public var categories: [CategoryApplication]

    public init(now: Date, entry: AdmissionEntry, inspection: InspectionRating?, categories: [CategoryApplication]) {
        self.now = now
        self.entry = entry
        self.inspection = inspection
        self.categories = categories
    }
}

/// The submission check: what must be true before an application reaches an evaluator. It checks
/// completeness and the hard pass/fail facts the system can judge (entry open, inspection threshold,
/// evidence in date, costs within the cap); the evaluator still judges the answers themselves.
public enum ApplicationCheck {
    public static func validate(_ input: ApplicationSubmission) -> [FieldError] {
        var errors: [FieldError] = []
        let today = LocalDate.from(input.now, in: .london)

        switch input.entry {
        case .open: break
        case .closed:
            errors.append(
                FieldError(
                    field: "submission",
                    message: "The DPS is not taking new applications at the moment; apply after it reopens"))
        case .windows(let closed, let validity):
            if let error = AdmissionWindows.check(at: input.now, closed: closed, validity: validity) {
                errors.append(error)
            }
        }

        if input.categories.isEmpty {
            errors.append(FieldError(field: "categories", message: "Choose at least one category to apply for"))
        }

        if let rating = input.inspection {
            switch InspectionThreshold.assess(rating) {
            case .belowThreshold:
                errors.append(
                    FieldError(
                        field: "establishment.inspection",
                        message: "An inspection judgement below 'requires improvement' cannot be admitted"))
            case .meetsThreshold, .referToEvaluator:
                break  // A judgement the system cannot map goes to an evaluator; it does not stop submission.
            }
        } else if input.categories.contains(where: { $0.spec.requiresInspection }) {
            errors.append(
                FieldError(
                    field: "establishment.inspection", message: "Record the establishment's latest inspection judgement"
                ))
        }

        var seenCategories: Set<String> = []
        for category in input.categories {
            let cid = category.categoryId
            if !seenCategories.insert(cid).inserted {
                errors.append(
                    FieldError(field: "categories", message: "\(category.spec.name) is chosen more than once"))
                continue
            }
            errors += passFailErrors(category, today: today)

            for statement in category.spec.statements
            where QualificationText.isBlank(category.statementAnswers[statement.id]) {
                errors.append(
                    FieldError(
                        field: "statements.\(cid).\(statement.id)",
                        message: "Answer the method statement: \(statement.title)"))
            }

            errors += AffordabilityCheck.check(
                linesPence: category.costsPence,
                lineNames: category.spec.costLineNames,
                requiredLineIds: category.spec.costLineIds,
                capPence: category.spec.affordabilityCapPence,
                fieldPrefix: "costs.\(cid)")

            for tier in category.spec.discountTiers {
                let field = "discounts.\(cid).\(tier.children)"
                guard let offered = category.discountsBasisPoints[tier.children] else {
                    errors.append(
                        FieldError(
                            field: field,
                            message:
                                "Enter the discount for \(tier.children) or more children placed together (0% if none)")
                    )
                    continue
                }
                if offered < 0 || offered > 10_000 {
                    errors.append(
                        FieldError(
                            field: field,
                            message: "The discount for \(tier.children) or more children must be from 0% to 100%"))
                }
            }
        }
        return errors
    }

    /// Pass/fail answers of one category: each question answered; evidence present where asked for
    /// (whatever the answer, so the evaluator always has it); expiring evidence dated and not already
    /// expired. A document is valid through its expiry date and expired the day after.
    static func passFailErrors(_ category: CategoryApplication, today: LocalDate) -> [FieldError] {
        var errors: [FieldError] = []
        for question in category.spec.passFail {
            let field = "answers.\(category.categoryId).\(question.id)"
            guard let answer = category.answers[question.id] else {
                errors.append(FieldError(field: field, message: "Answer yes or no: \(question.text)"))
                continue
            }
            guard question.requiresEvidence else { continue }
            let documents = answer.evidence.filter { !QualificationText.isBlank($0.name) }
            if documents.isEmpty {
                errors.append(FieldError(field: field, message: "Upload evidence for: \(question.text)"))
                continue
            }
            guard question.evidenceExpires else { continue }
            for document in documents {
                guard let expires = document.expires else {
                    errors.append(FieldError(field: field, message: "Enter the expiry date of \(document.name)"))
                    continue
                }
                if expires < today {
                    errors.append(
                        FieldError(
                            field: field,
                            message: "\(document.name) expired on \(expires.longForm); upload current evidence"))
                }
            }
        }
        return errors
    }
}

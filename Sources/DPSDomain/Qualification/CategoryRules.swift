import Foundation

/// A pass/fail question of a category's selection criteria (§4): exclusions, insurances, safeguarding
/// and so on.
public struct PassFailQuestionSpec: Equatable, Hashable, Codable, Sendable {
    public var id: String
    public var text: String
    /// The applicant must upload evidence (a policy, a certificate).
    public var requiresEvidence: Bool
    /// The evidence lapses (insurance, DBS) so it carries an expiry date that membership checks act on.
    public var evidenceExpires: Bool

    public init(id: String, text: String, requiresEvidence: Bool = false, evidenceExpires: Bool = false) {
        self.id = id
        self.text = text
        self.requiresEvidence = requiresEvidence
        self.evidenceExpires = evidenceExpires
    }
}

/// A cohort or sibling discount: placing `children` or more together takes `basisPoints` off
/// (500 = 5%). Basis points keep percentages exact in integers.
public struct DiscountTier: Equatable, Hashable, Codable, Sendable {
    public var children: Int
    public var basisPoints: Int

    public init(children: Int, basisPoints: Int) {
        self.children = children
        self.basisPoints = basisPoints
    }
}

/// The range an award criterion's weight may take in a referral, in points out of 100.
public struct WeightBound: Equatable, Hashable, Codable, Sendable {
    public var min: Int
    public var max: Int

    public init(min: Int, max: Int) {
        self.min = min
        self.max = max
    }
}

/// The award criteria of a referral (§7), whose weights a category bounds: the same seven criteria, names,
/// bounds and defaults as the evaluation uses (one definition, `EvaluationCriterion`).
public typealias ReferralCriterion = EvaluationCriterion

/// Everything an administrator sets for a category that the qualification rules depend on.
public struct CategoryDefinitionSpec: Equatable, Hashable, Codable, Sendable {
    public var name: String
    public var passFail: [PassFailQuestionSpec]
    public var statements: [MethodStatementSpec]
    /// The core cost lines every applicant prices, in display order.
    public var costLineIds: [String]
    /// Display names of cost lines for messages; a line without one is shown by its id.
    public var costLineNames: [String: String]
    public var discountTiers: [DiscountTier]
    public var affordabilityCapPence: Int?
    /// The fewest providers a referral in this category must invite.
    public var minimumInvitees: Int
    /// Bounds on referral weights; a criterion left out may use its full hard bounds.
    public var weightBounds: [ReferralCriterion: WeightBound]
    /// Whether applicants must record an inspection judgement. False for alternative education,
    /// which is not Ofsted-regulated [BC 7.3].
    public var requiresInspection: Bool

    public init(
        name: String,
        passFail: [PassFailQuestionSpec],
        statements: [MethodStatementSpec],
        costLineIds: [String],
        costLineNames: [String: String] = [:],
        discountTiers: [DiscountTier] = [],
        affordabilityCapPence: Int? = nil,
        minimumInvitees: Int = 1,
        weightBounds: [ReferralCriterion: WeightBound] = [:],
        requiresInspection: Bool = true
    ) {
        self.name = name
        self.passFail = passFail
        self.statements = statements
        self.costLineIds = costLineIds
        self.costLineNames = costLineNames
        self.discountTiers = discountTiers
        self.affordabilityCapPence = affordabilityCapPence
        self.minimumInvitees = minimumInvitees
        self.weightBounds = weightBounds
        self.requiresInspection = requiresInspection
    }
}

/// Checks a category definition before it is published, so every rule applied to applications and
/// referrals later rests on a consistent configuration.
public enum CategoryRules {
    public static func validate(_ spec: CategoryDefinitionSpec) -> [FieldError] {
        var errors: [FieldError] = []
        if QualificationText.isBlank(spec.name) {
            errors.append(FieldError(field: "name", message: "Enter a name for the category"))
        }

        if spec.passFail.isEmpty {
            errors.append(FieldError(field: "passFail", message: "Add at least one pass/fail question"))
        }
        var questionIds: Set<String> = []
        for (index, question) in spec.passFail.enumerated() {
            let id = QualificationText.trimmed(question.id)
            if id.isEmpty {
                errors.append(
                    FieldError(
                        field: "passFail[\(index)].id", message: "Enter an id for pass/fail question \(index + 1)"))
            } else if !questionIds.insert(id).inserted {
                errors.append(
                    FieldError(
                        field: "passFail[\(index)].id",
                        message: "Pass/fail question ids must be unique: '\(id)' is used more than once"))
            }
            if QualificationText.isBlank(question.text) {
                errors.append(
                    FieldError(
                        field: "passFail[\(index)].text", message: "Enter the text of pass/fail question \(index + 1)"))
            }
            if question.evidenceExpires && !question.requiresEvidence {
                errors.append(
                    FieldError(
                        field: "passFail[\(index)].evidenceExpires",
                        message: "Only a question that asks for evidence can have evidence that expires"))
            }
        }

        errors += QualificationScoring.validate(statements: spec.statements)

        if spec.costLineIds.isEmpty {
            errors.append(FieldError(field: "costLineIds", message: "Add at least one core cost line"))
        }
        var lineIds: Set<String> = []
        for (index, id) in spec.costLineIds.enumerated() {
            let trimmed = QualificationText.trimmed(id)
            if trimmed.isEmpty {
                errors.append(
                    FieldError(field: "costLineIds[\(index)]", message: "Enter an id for core cost line \(index + 1)"))
            } else if !lineIds.insert(trimmed).inserted {
                errors.append(
                    FieldError(
                        field: "costLineIds[\(index)]",
                        message: "Core cost line ids must be unique: '\(trimmed)' is used more than once"))
            }
        }

        var previousChildren: Int?
        for (index, tier) in spec.discountTiers.enumerated() {
            let field = "discountTiers[\(index)]"
            if tier.children < 2 {
                errors.append(
                    FieldError(
                        field: field,
                        message:
                            "A cohort discount applies to 2 or more children placed together; "
                            + "this tier is for \(tier.children)"
                    ))
            }
            if let previousChildren, tier.children <= previousChildren {
                errors.append(
                    FieldError(
                        field: field,
                        message:
                            "Discount tiers must be in increasing order of children: "
                            + "\(tier.children) follows \(previousChildren)"
                    ))
            }
            if tier.basisPoints <= 0 || tier.basisPoints > 10_000 {
                errors.append(FieldError(field: field, message: "A discount must be more than 0% and at most 100%"))
            }
            previousChildren = tier.children
        }

        if let cap = spec.affordabilityCapPence, cap <= 0 {
            errors.append(
                FieldError(
                    field: "affordabilityCapPence",
                    message: "The affordability cap must be more than £0.00, or left out"))
        }
        if spec.minimumInvitees < 1 {
            errors.append(FieldError(field: "minimumInvitees", message: "A referral must invite at least 1 provider"))
        }

        var sumMin = 0
        var sumMax = 0
        var boundsUsable = true
        for criterion in ReferralCriterion.allCases {
            let hard = criterion.hardBounds
            guard let bound = spec.weightBounds[criterion] else {
                sumMin += hard.lowerBound
                sumMax += hard.upperBound
                continue
            }
            let field = "weightBounds.\(criterion.rawValue)"
            if bound.min > bound.max {
                errors.append(
                    FieldError(
                        field: field,
                        message:
                            "The lowest weight for \(criterion.rawValue) (\(bound.min)) "
                            + "is above the highest (\(bound.max))"
                    ))
                boundsUsable = false
            }
            if bound.min < hard.lowerBound || bound.max > hard.upperBound {
                errors.append(
                    FieldError(
                        field: field,
                        message:
                            "The weight for \(criterion.rawValue) "
                            + "must stay between \(hard.lowerBound) and \(hard.upperBound)"
                    ))
                boundsUsable = false
            }
            // Only bounds already known to lie within 0-100 are summed, so the sums cannot overflow.
            guard boundsUsable else { continue }
            sumMin += bound.min
            sumMax += bound.max
        }
        if boundsUsable && !(sumMin <= 100 && 100 <= sumMax) {
            errors.append(
                FieldError(
                    field: "weightBounds",
                    message:
                        "No combination of weights within these bounds adds up to 100: "
                        + "the lowest add up to \(sumMin) and the highest to \(sumMax)"
                ))
        }
        return errors
    }
}

import FluentKit
import Foundation

/// One establishment's application to the DPS, for one or more categories (DOMAIN §4).
public final class ApplicationRecord: Model, @unchecked Sendable {
    public static let schema = "applications"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Parent(key: "organisation_id") public var organisation: Organisation
    @Parent(key: "establishment_id") public var establishment: EstablishmentRecord
    /// `ApplicationState` raw value: draft, submitted, clarificationRequested, decided, withdrawn.
    @Field(key: "state") public var state: String
    @OptionalField(key: "submitted_at") public var submittedAt: Date?
    /// ISO date of the assessment deadline (10 working days, 15 when extended).
    @OptionalField(key: "deadline") public var deadline: String?
    @Field(key: "extended") public var extended: Bool
    @OptionalField(key: "extension_reason") public var extensionReason: String?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "copied_from_id") public var copiedFromID: UUID?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

/// The part of an application for one category: answers, costs, and the decision for that category.
public final class ApplicationCategoryRecord: Model, @unchecked Sendable {
    public static let schema = "application_categories"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "application_id") public var application: ApplicationRecord
    @Parent(key: "category_id") public var category: CategoryRecord
    /// `pending`, `admitted` or `refused`.
    @Field(key: "decision") public var decision: String
    @OptionalField(key: "decision_reason") public var decisionReason: String?
    @OptionalField(key: "decided_by") public var decidedBy: UUID?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    /// JSON `{questionKey: "yes" | "no"}`.
    @Field(key: "pass_fail_json") public var passFailJSON: String
    /// JSON `{statementKey: answer text}`.
    @Field(key: "statements_json") public var statementsJSON: String
    /// JSON `{costLineKey: pence}`.
    @Field(key: "costs_json") public var costsJSON: String
    /// JSON `{children: basis points}` for cohort/sibling discounts.
    @Field(key: "discounts_json") public var discountsJSON: String
    /// Evaluator's pass/fail review JSON `{questionKey: {"outcome": "pass"|"fail", "note": …}}`.
    @Field(key: "review_json") public var reviewJSON: String
    /// The category's criteria as they stood when the application was submitted (JSON of the app's
    /// `CategoryContent`), so later edits of the category never change what an applicant is judged on.
    @OptionalField(key: "criteria_json") public var criteriaJSON: String?

    public init() {}
}

/// One evaluator's score of one method statement, or the moderator's consensus (`isConsensus`).
public final class StatementScoreRecord: Model, @unchecked Sendable {
    public static let schema = "statement_scores"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "application_category_id") public var applicationCategory: ApplicationCategoryRecord
    @Field(key: "statement_key") public var statementKey: String
    @Field(key: "evaluator_id") public var evaluatorID: UUID
    @Field(key: "is_consensus") public var isConsensus: Bool
    @Field(key: "score") public var score: Int
    @Field(key: "comment") public var comment: String
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

/// A clarification question from an evaluator and the provider's answer.
public final class ClarificationRecord: Model, @unchecked Sendable {
    public static let schema = "clarifications"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "application_id") public var application: ApplicationRecord
    @Field(key: "question") public var question: String
    @Field(key: "asked_by") public var askedBy: UUID
    @Field(key: "asked_at") public var askedAt: Date
    @OptionalField(key: "answer") public var answer: String?
    @OptionalField(key: "answered_by") public var answeredBy: UUID?
    @OptionalField(key: "answered_at") public var answeredAt: Date?

    public init() {}
}

/// An establishment admitted to a category: the unit every referral invites (DOMAIN §5).
public final class MembershipRecord: Model, @unchecked Sendable {
    public static let schema = "memberships"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Parent(key: "category_id") public var category: CategoryRecord
    @Parent(key: "establishment_id") public var establishment: EstablishmentRecord
    @Parent(key: "organisation_id") public var organisation: Organisation
    /// `active`, `suspended`, `removed` or `withdrawn`.
    @Field(key: "state") public var state: String
    /// Qualification score in hundredths of a point (7450 = 74.50 out of 100).
    @Field(key: "qualification_score") public var qualificationScore: Int
    /// JSON `{costLineKey: pence}`: the approved core cost schedule.
    @Field(key: "core_costs_json") public var coreCostsJSON: String
    /// JSON `{children: basis points}`: the published cohort/sibling discounts.
    @Field(key: "discounts_json") public var discountsJSON: String
    @Field(key: "admitted_at") public var admittedAt: Date
    @OptionalField(key: "application_category_id") public var applicationCategoryID: UUID?

    public init() {}
}

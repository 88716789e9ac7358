import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

/// The lead authority's page of one application: the establishment and its inspection, each category's
/// answers and evidence to review, the method statements to score, and the decision (model, query, view: see
/// `ReferralDetail`).
enum AssessmentDetail {
    struct Model {
        var id: UUID
        /// Who is looking: their own scores are the ones they may edit.
        var userID: UUID
        /// With its establishment and organisation.
        var app: ApplicationRecord
        /// The categories applied for, in the DPS's order, with their categories.
        var parts: [ApplicationCategoryRecord]
        var evidence: [EvidenceRecord]
        var scores: [StatementScoreRecord]
        /// The names of the lead authority's staff, by user id, for who scored what.
        var users: [UUID: String]
        var clarifications: [ClarificationRecord]
        /// Submitted or awaiting a clarification: still to be decided.
        var open: Bool
        /// Where the decision deadline stands, while open.
        var status: AssessmentClock.DeadlineStatus?
        var judgement: JudgementAssessment
        var isPanel: Bool
        var canDecide: Bool
        /// Each part's criteria, answers and reviews, by part id.
        var criteria: [UUID: CategoryContent]
        var answersByPart: [UUID: ProviderUseCases.Answers]
        var reviewsByPart: [UUID: [String: Assessment.Review]]
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

/// The provider's page of one application: its status and decisions, clarification questions to answer, and
/// while a draft the form of every category's questions and the evidence uploads (model, query, view: see
/// `ReferralDetail`).
enum ProviderApplication {
    struct Model {
        var id: UUID
        /// With its establishment.
        var app: ApplicationRecord
        /// The categories applied for, in the DPS's order.
        var sections: [Section]
        var evidence: [EvidenceRecord]
        var clarifications: [ClarificationRecord]
        /// A draft, and the viewer is the provider's administrator.
        var editable: Bool

        struct Section {
            /// With its category.
            var part: ApplicationCategoryRecord
            /// The questions as they were when the application was started.
            var content: CategoryContent
            var answers: ProviderUseCases.Answers
            /// The pass/fail questions that need a document.
            var evidenceQuestions: [CategoryContent.PassFail]
        }
    }
}

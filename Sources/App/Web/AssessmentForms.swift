import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// The assessment page's small forms as they arrive (text fields decoded by Vapor's content decoding), each
/// turned into the typed command its use case takes. A choice the form did not offer reads as no choice,
/// which the use case reports on the field.
enum AssessmentForms {
    struct Review: Content {
        var question: String?
        var outcome: String?
        var note: String?

        var command: Assessment.ReviewCommand {
            .init(question: question ?? "", outcome: ReviewOutcome(rawValue: outcome ?? ""), note: note ?? "")
        }
    }

    struct Score: Content {
        var statement: String?
        var score: String?
        var comment: String?
        var consensus: String?

        var command: Assessment.ScoreCommand {
            .init(
                statement: statement ?? "", score: AdminForms.int(score), comment: comment ?? "",
                consensus: AdminForms.yes(consensus))
        }
    }

    struct Decision: Content {
        var decision: String?
        var reason: String?

        var command: Assessment.DecisionCommand {
            .init(decision: CategoryDecision.Kind(rawValue: decision ?? ""), reason: reason ?? "")
        }
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension ProviderApplication {
    /// Reads the page's model. `ProviderUseCases.ownApplication` is the access check: the applicant only.
    /// Each category's questions and stored answers are decoded here, once; one that cannot be read is an error.
    static func query(_ id: UUID, actor: Actor, db: any Database) async throws -> Model {
        let app = try await ProviderUseCases.ownApplication(id, actor: actor, db: db)
        let parts = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id == id)
            .with(\.$category).all().sorted { $0.category.position < $1.category.position }
        let evidence = try await EvidenceRecord.query(on: db).filter(
            \.$applicationCategoryID ~~ parts.compactMap(\.id)
        ).all()
        let clarifications = try await ClarificationRecord.query(on: db).filter(\.$application.$id == id)
            .sort(\.$askedAt).all()
        let sections = try parts.map { part in
            Model.Section(
                part: part, content: try part.criteria, answers: try ProviderUseCases.Answers(part),
                evidenceQuestions: try part.category.content.passFail.filter(\.requiresEvidence))
        }
        return Model(
            id: id, app: app, sections: sections, evidence: evidence, clarifications: clarifications,
            editable: app.state == ApplicationState.draft.rawValue && actor.role == .providerAdmin)
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension AssessmentDetail {
    /// Reads the page's model. `Assessment.application` is the access check: staff of the lead authority
    /// running the DPS the application was made to.
    static func query(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws -> Model {
        let app = try await Assessment.application(id, actor: actor, db: db)
        let parts = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id == id).with(
            \.$category
        ).all().sorted { $0.category.position < $1.category.position }
        let evidence = try await EvidenceRecord.query(on: db).filter(
            \.$applicationCategoryID ~~ parts.compactMap(\.id)
        ).all()
        let scores = try await Assessment.visibleScores(parts.compactMap(\.id), viewer: actor, db: db)
        let users = Dictionary(
            try await User.query(on: db).filter(\.$organisation.$id == actor.organisationID).all().map {
                ($0.id!, $0.name)
            }, uniquingKeysWith: { a, _ in a })
        let clarifications = try await ClarificationRecord.query(on: db).filter(\.$application.$id == id).sort(
            \.$askedAt
        ).all()
        let open =
            app.state == ApplicationState.submitted.rawValue
            || app.state == ApplicationState.clarificationRequested.rawValue
        let deadline = app.deadline.flatMap { LocalDate(iso: $0) }
        let status =
            open ? deadline.map { AssessmentClock.status(deadline: $0, now: now, calendar: WorkingDayCalendar()) } : nil
        let e = app.establishment
        let judgement = InspectionThreshold.assess(
            InspectionRating(
                inspectorate: Inspectorate(rawValue: e.inspectorate) ?? .other, framework: e.framework,
                judgement: e.judgement, date: e.judgementDate.flatMap { LocalDate(iso: $0) }))
        let isPanel = actor.role == .panelMember
        let canDecide = [Role.evaluator, .dpsAdmin].contains(actor.role)
        let criteria = try Dictionary(uniqueKeysWithValues: parts.map { ($0.id!, try $0.criteria) })
        let answersByPart = try Dictionary(
            uniqueKeysWithValues: parts.map { ($0.id!, try ProviderUseCases.Answers($0)) })
        let reviewsByPart = try Dictionary(uniqueKeysWithValues: parts.map { ($0.id!, try Assessment.reviews(of: $0)) })
        return Model(
            id: id, userID: actor.userID, app: app, parts: parts, evidence: evidence, scores: scores, users: users,
            clarifications: clarifications, open: open, status: status, judgement: judgement, isPanel: isPanel,
            canDecide: canDecide, criteria: criteria, answersByPart: answersByPart, reviewsByPart: reviewsByPart)
    }
}

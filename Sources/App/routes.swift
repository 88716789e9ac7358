import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

func routes(_ app: Application) throws {
    app.get(SiteURL.health.route) { req async -> Response in
        do {
            _ = try await Organisation.query(on: req.db).count()
            return try await ["status": "ok", "database": "ok"].encodeResponse(status: .ok, for: req)
        } catch {
            return
                (try? await ["status": "error", "database": "unavailable"].encodeResponse(
                    status: .serviceUnavailable, for: req)) ?? Response(status: .serviceUnavailable)
        }
    }
    app.get(SiteURL.stylesheet.route) { _ -> Response in
        let response = Response(status: .ok, body: .init(string: Stylesheet.css))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "css")
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return response
    }
    try app.register(collection: PublicPages())
    try app.register(collection: AdminPages())
    try app.register(collection: MembershipPages())
    try app.register(collection: RegisterWatchPages())
    try app.register(collection: ReviewPages())
    try app.register(collection: StandingPage())
    try app.register(collection: CompliancePages())
    try app.register(collection: FeeReviewPages())
    try app.register(collection: PlacementPages())
    try app.register(collection: PublicationPages())
    try app.register(collection: FiguresPages())
    try app.register(collection: DashboardPages())
    try app.register(collection: CostSharingPage())
    try app.register(collection: AccountPages())
    try app.register(collection: ProviderPages())
    try app.register(collection: AssessmentPages())
    try app.register(collection: ReferralPages())
    try app.register(collection: InvitationPages())
    try app.register(collection: EvaluationRoutes())
    try app.register(collection: APIRoutes())
    try app.register(collection: OCDSAPI())
    try app.register(collection: ReferralAPI())
    try app.register(collection: ReferralWriteAPI())
}

/// Working days follow the England and Wales bank holidays.
extension Request {
    var calendar: WorkingDayCalendar { WorkingDayCalendar() }
}

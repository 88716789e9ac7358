import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

func routes(_ app: Application) throws {
    app.get("healthz") { req async -> Response in
        do {
            _ = try await Organisation.query(on: req.db).count()
            return try await ["status": "ok", "database": "ok"].encodeResponse(status: .ok, for: req)
        } catch {
            return
                (try? await ["status": "error", "database": "unavailable"].encodeResponse(
                    status: .serviceUnavailable, for: req)) ?? Response(status: .serviceUnavailable)
        }
    }
    app.get("assets", "app.css") { _ -> Response in
        let response = Response(status: .ok, body: .init(string: Stylesheet.css))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "css")
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return response
    }
    try app.register(collection: PublicPages())
    try app.register(collection: AdminPages())
    try app.register(collection: ProviderPages())
    try app.register(collection: AssessmentPages())
    try app.register(collection: ReferralPages())
    try app.register(collection: InvitationPages())
    try app.register(collection: EvaluationRoutes())
    try app.register(collection: APIRoutes())
    try app.register(collection: ReferralAPI())
    try app.register(collection: ReferralWriteAPI())
}

/// Working days follow the England and Wales bank holidays.
extension Request {
    var calendar: WorkingDayCalendar { WorkingDayCalendar() }
}

enum Forms {
    /// Every submitted field as text (repeated fields keep their first value), for re-showing a form.
    static func values(_ req: Request) -> [String: String] {
        guard let body = req.body.string, req.headers.contentType == .urlEncodedForm else { return [:] }
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(kv[0])
            let value =
                kv.count > 1
                ? (String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    static func list(_ req: Request, _ name: String) -> [String] {
        guard let body = req.body.string else { return [] }
        return body.split(separator: "&").compactMap { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? ""
            guard key == name || key == name + "[]", kv.count > 1 else { return nil }
            return String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
    }

    /// Runs a form's use case: on success shows a message and redirects (post/redirect/get); on bad input
    /// shows the same page again with the errors and what was typed, with status 422.
    static func handle(
        _ req: Request, success: @autoclosure () -> String, redirect: @escaping () -> String,
        render: @escaping ([FieldError], [String: String]) async throws -> Markup,
        action: () async throws -> Void
    ) async throws -> Response {
        do {
            try await action()
            req.flash(success())
            return req.redirect(to: redirect(), redirectType: .normal)
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return HTMLResponse.make(try await render(error.errors, values(req)), status: error.httpStatus)
        } catch let error as ValidationFailure {
            return HTMLResponse.make(try await render(error.errors, values(req)), status: .unprocessableEntity)
        }
    }
}

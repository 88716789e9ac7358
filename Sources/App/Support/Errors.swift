import DPSDomain
import DPSUseCases
import Foundation
import Vapor

extension UseCaseError {
    /// The one mapping from a use case's refusal to HTTP, for pages and API alike.
    var httpStatus: HTTPResponseStatus {
        switch kind {
        case .invalid: .unprocessableEntity
        case .conflict: .conflict
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .gone: .gone
        case .tooLarge: .payloadTooLarge
        case .internalFailure: .internalServerError
        }
    }
}

/// RFC 9457 problem details.
struct Problem: Content {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var errors: [FieldError]?
}

/// Maps every error to a response that fits: problem+json under /api, an HTML page elsewhere. Never a stack
/// trace; unexpected errors are logged with a reference and shown as a plain 500.
struct AppErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return Self.response(for: error, request: request)
        }
    }

    static func classify(_ error: any Error) -> (HTTPResponseStatus, String, [FieldError]?) {
        switch error {
        case let refusal as UseCaseError where refusal.kind == .internalFailure:
            return (.internalServerError, "Something went wrong. The error has been logged.", nil)
        case let refusal as UseCaseError where refusal.errors.isEmpty:
            return (refusal.httpStatus, refusal.message, nil)
        case let refusal as UseCaseError:
            return (
                refusal.httpStatus,
                refusal.errors.count == 1 ? refusal.errors[0].message : "Some answers need correcting.", refusal.errors
            )
        case let failure as ValidationFailure:
            return (.unprocessableEntity, failure.errors.first?.message ?? "Invalid input.", failure.errors)
        case let decoding as DecodingError:
            let (path, message) = describe(decoding)
            return (.badRequest, message, [FieldError(field: path, message: message)])
        case let abort as any AbortError:
            return (abort.status, abort.reason, nil)
        default:
            return (.internalServerError, "Something went wrong. The error has been logged.", nil)
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let response = plainResponse(for: error, request: request)
        if let wait = (error as? TooManyAttempts)?.retryAfter {
            response.headers.replaceOrAdd(name: "Retry-After", value: String(wait))
        }
        return response
    }

    private static func plainResponse(for error: any Error, request: Request) -> Response {
        let (status, detail, fieldErrors) = classify(error)
        if status.code >= 500 {
            // A server error is a defect to fix, logged as an error (never shown to the user).
            request.logger.error("\(request.method) \(request.url.path) failed: \(String(reflecting: error))")
        }
        if request.url.path.hasPrefix("/api/") {
            let problem = Problem(
                type: "about:blank", title: status.reasonPhrase, status: Int(status.code), detail: detail,
                errors: fieldErrors)
            let response = Response(status: status)
            try? response.content.encode(problem, as: .json)
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json")
            return response
        }
        if status == .unauthorized {
            let back = SafeHeaders.localPath(request.url.path, fallback: SiteURL.dashboard.path)
            return request.redirect(to: SiteURL.signIn.path(query: [("next", back)]))
        }
        // Words a reader knows rather than the status's name ("Unprocessable Entity").
        let heading =
            switch status {
            case .notFound: "Page not found"
            case .forbidden: "You cannot see this page"
            case .badRequest, .unprocessableEntity: "There is a problem"
            default: status.reasonPhrase
            }
        let body = Layout.page(title: heading, context: PageContext(request: request)) {
            UI.h1(heading)
            // The message once: a single field's error already says it.
            if fieldErrors?.map(\.message) != [detail] { UI.p(detail) }
            if let fieldErrors {
                el("ul", .class("govuk-list govuk-list--bullet")) { for e in fieldErrors { el("li") { e.message } } }
            }
            // Where to go next fits the reader: the public and parents have no dashboard.
            if request.actor != nil {
                UI.p("Go back and try again, or return to your dashboard.")
                UI.link("Go to your dashboard", .dashboard)
            } else if request.url.path.hasPrefix("/choice/") {
                UI.p("If you were sent this link, ask your child's placement officer at the council for a new one.")
            } else {
                UI.p("Check the address, or start from the home page.")
                UI.link("Go to the home page", .home)
            }
        }
        return HTMLResponse.make(body, status: status)
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ ctx: DecodingError.Context) -> String {
            ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            let p = (path(ctx).isEmpty ? "" : path(ctx) + ".") + key.stringValue
            return (p, "\(p) is required")
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx):
            return (
                path(ctx), "\(path(ctx).isEmpty ? "The body" : path(ctx)) has the wrong type: \(ctx.debugDescription)"
            )
        case .dataCorrupted(let ctx):
            return (path(ctx), "\(path(ctx).isEmpty ? "The body" : path(ctx)) is not valid: \(ctx.debugDescription)")
        @unknown default:
            return ("", "The request could not be read")
        }
    }
}

enum HTMLResponse {
    static func make(_ markup: Markup, status: HTTPResponseStatus = .ok) -> Response {
        make(Response.Body(string: markup.html), status: status)
    }

    static func make(_ body: Response.Body, status: HTTPResponseStatus = .ok) -> Response {
        let response = Response(status: status, body: body)
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy", value: "default-src 'self'; form-action 'self'; frame-ancestors 'none'")
        return response
    }
}

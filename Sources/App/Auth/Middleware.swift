import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// Resolves who is asking, once per request: the session's user for pages, a bearer token for the API
/// (the API never trusts the session cookie, so it needs no CSRF protection).
struct ActorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.url.path.hasPrefix("/api/") {
            if let bearer = request.headers.bearerAuthorization {
                guard let actor = try await Self.actor(forToken: bearer.token, on: request.db, now: request.now) else {
                    throw Abort(.unauthorized, reason: "The bearer token is not valid or has expired.")
                }
                request.actor = actor
            }
        } else if request.hasSession, let raw = request.session.data["uid"], let id = UUID(uuidString: raw) {
            // Sessions end on the server 8 hours after sign-in, whatever the cookie says.
            let started = Int(request.session.data["started"] ?? "").map {
                Date(timeIntervalSince1970: TimeInterval($0))
            }
            if let started, request.now.timeIntervalSince(started) < Self.sessionLifetime {
                request.actor = try await Self.actor(userID: id, on: request.db)
            } else {
                // Signed out (the page may still start a new sign-in in this session; sign-in rotates its id).
                request.session.data = SessionData()
            }
        }
        return try await next.respond(to: request)
    }

    static let sessionLifetime: TimeInterval = 8 * 3600

    static func actor(userID: UUID, on db: any Database) async throws -> Actor? {
        guard let user = try await User.query(on: db).filter(\.$id == userID).with(\.$organisation).first() else {
            return nil
        }
        return make(user)
    }

    static func actor(forToken token: String, on db: any Database, now: Date) async throws -> Actor? {
        let hash = Tokens.hash(token)
        guard
            let record = try await APIToken.query(on: db).filter(\.$tokenHash == hash).filter(\.$expiresAt > now)
                .with(\.$user, { $0.with(\.$organisation) }).first()
        else { return nil }
        return make(record.user)
    }

    private static func make(_ user: User) -> Actor? {
        guard let role = Role(rawValue: user.role), let kind = OrganisationKind(rawValue: user.organisation.kind),
            let id = user.id, let orgID = user.organisation.id
        else { return nil }
        return Actor(
            userID: id, name: user.name, email: user.email, role: role, organisationID: orgID,
            organisationKind: kind, organisationName: user.organisation.name)
    }
}

/// Refuses any state-changing page request whose form does not carry the session's CSRF token.
/// The API is exempt because it authenticates with bearer tokens only.
struct CSRFMiddleware: AsyncMiddleware {
    struct Form: Decodable { var _csrf: String? }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET, request.method != .HEAD, !request.url.path.hasPrefix("/api/") else {
            return try await next.respond(to: request)
        }
        // Global middleware runs before routing, when a body of several chunks is still streaming: collect
        // it (within the app's limit) so the token can be read.
        _ = try await request.body.collect(max: 12 * 1024 * 1024).get()
        let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.decode(Form.self))?._csrf
        guard let expected = request.hasSession ? request.session.data["csrf"] : nil, let sent,
            constantTimeEquals(sent, expected)
        else {
            throw Abort(
                .forbidden,
                reason:
                    "This form has expired or did not come from this service. Go back, reload the page and try again.")
        }
        return try await next.respond(to: request)
    }

    private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The session's CSRF token, created on first use.
    var csrfToken: String {
        if let token = session.data["csrf"] { return token }
        let token = Tokens.random()
        session.data["csrf"] = token
        return token
    }

    /// Shows a one-off message on the next page.
    func flash(_ message: String) { session.data["flash"] = message }

    func takeFlash() -> String? {
        guard hasSession, let message = session.data["flash"] else { return nil }
        session.data["flash"] = nil
        return message
    }
}

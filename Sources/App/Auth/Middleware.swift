import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import SQLKit
import Vapor

/// Resolves who is asking, once per request: the session's user for pages, a bearer token for the API
/// (the API never trusts the session cookie, so it needs no CSRF protection).
struct ActorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.url.path.hasPrefix("/api/") {
            if let bearer = request.headers.bearerAuthorization {
                guard let actor = try await Self.actor(forToken: bearer.token, on: request) else {
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
                // Read with the session in its one statement (`StoredSessions`), unless the row was written before
                // sessions named their user.
                if let read = request.storage[SessionActor.self], read.userID == id {
                    request.actor = read.actor
                } else {
                    request.actor = try await Self.actor(userID: id, on: request.db)
                }
            } else {
                // Signed out (the page may still start a new sign-in in this session; sign-in rotates its id).
                request.session.data = SessionData()
            }
        }
        return try await next.respond(to: request)
    }

    static let sessionLifetime: TimeInterval = 8 * 3600

    static func actor(userID: UUID, on db: any Database) async throws -> Actor? {
        try await actor(on: db) { $0.where(SQLColumn("id", table: "u"), .equal, SQLBind(userID)) }
    }

    static func actor(forToken token: String, on request: Request) async throws -> Actor? {
        let hash = Tokens.hash(token)
        return try await actor(on: request.db, request: request) {
            $0.join(
                SQLAlias(SQLIdentifier(APIToken.schema), as: SQLIdentifier("t")), on: SQLColumn("user_id", table: "t"),
                .equal, SQLColumn("id", table: "u")
            )
            .where(SQLColumn("token_hash", table: "t"), .equal, SQLBind(hash))
            .where(SQLColumn("expires_at", table: "t"), .greaterThan, SQLBind(request.now))
        }
    }

    /// The user and organisation in one plain query: this runs on every signed-in request, and two Fluent
    /// models cost more in reflection than the query itself. With a request, the audit trail's head comes in the
    /// same statement (`ViewCache`).
    private static func actor(
        on db: any Database, request: Request? = nil, _ filter: (SQLSelectBuilder) -> SQLSelectBuilder
    ) async throws -> Actor? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let query = actorColumns(sql.select())
            .from(SQLAlias(SQLIdentifier(User.schema), as: SQLIdentifier("u")))
            .join(
                SQLAlias(SQLIdentifier(Organisation.schema), as: SQLIdentifier("o")), on: SQLColumn("id", table: "o"),
                .equal, SQLColumn("organisation_id", table: "u"))
        // A deactivated account's sessions and tokens stop working at once.
        let active = query.where(SQLColumn("deactivated_at", table: "u"), .is, SQLLiteral.null)
        guard let row = try await filter(request == nil ? active : ViewCache.withAuditHead(active)).limit(1).first()
        else { return nil }
        if let request { try ViewCache.keepAuditHead(row, on: request) }
        return try actor(from: row)
    }

    /// The columns `actor(from:)` reads, from users `u` and organisations `o`.
    static func actorColumns(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.column(SQLColumn("id", table: "u"), as: "user_id").column(SQLColumn("name", table: "u"), as: "user_name")
            .column(SQLColumn("email", table: "u"), as: "email").column(SQLColumn("role", table: "u"), as: "role")
            .column(SQLColumn("id", table: "o"), as: "organisation_id")
            .column(SQLColumn("kind", table: "o"), as: "kind")
            .column(SQLColumn("name", table: "o"), as: "organisation_name")
    }

    /// The actor of a row with `actorColumns`, or nil when it has none (no user joined, or a role or kind this
    /// build does not know).
    static func actor(from row: any SQLRow) throws -> Actor? {
        guard let role = try row.decode(column: "role", as: String?.self).flatMap(Role.init(rawValue:)),
            let kind = try row.decode(column: "kind", as: String?.self).flatMap(OrganisationKind.init(rawValue:))
        else { return nil }
        return Actor(
            userID: try row.decode(column: "user_id", as: UUID.self),
            name: try row.decode(column: "user_name", as: String.self),
            email: try row.decode(column: "email", as: String.self), role: role,
            organisationID: try row.decode(column: "organisation_id", as: UUID.self), organisationKind: kind,
            organisationName: try row.decode(column: "organisation_name", as: String.self))
    }
}

/// Refuses any state-changing page request whose form does not carry the session's CSRF token.
/// The API is exempt because it authenticates with bearer tokens only.
struct CSRFMiddleware: AsyncMiddleware {
    struct Form: Decodable { var _csrf: String? }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET, request.method != .HEAD, !request.url.path.hasPrefix("/api/") {
            // Global middleware runs before routing, when a body of several chunks is still streaming: collect
            // it (within the app's limit) so the token can be read.
            _ = try await request.body.collect(max: 12 * 1024 * 1024).get()
            let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.content.decode(Form.self))?._csrf
            guard let sent, request.acceptedCSRFTokens.contains(where: { constantTimeEquals(sent.utf8, $0.utf8) })
            else {
                throw Abort(
                    .forbidden,
                    reason:
                        "This form has expired or did not come from this service. "
                        + "Go back, reload the page and try again.")
            }
        }
        let response = try await next.respond(to: request)
        // The message for the next page, or the one this page showed taken away (before the anonymous token:
        // signing a message may create it).
        if let message = request.storage[Flash.Pending.self] {
            response.cookies[Flash.cookieName] = Flash.cookie(
                Flash.value(message, key: request.csrfToken), secure: request.application.config.secureCookies)
        } else if request.cookies[Flash.cookieName] != nil, request.storage[Flash.Taken.self] != nil {
            response.cookies[Flash.cookieName] = Flash.cookie(
                "", maxAge: 0, secure: request.application.config.secureCookies)
        }
        if let token = request.storage[AnonymousCSRF.self] {
            response.cookies[AnonymousCSRF.cookieName] = HTTPCookies.Value(
                string: token, path: "/", isSecure: request.application.config.secureCookies, isHTTPOnly: true,
                sameSite: .lax)
        }
        return response
    }

}

extension Request {
    /// The CSRF token of the page's forms: the session's when signed in (created on first use); before that the
    /// anonymous cookie's (double submit), so showing the sign-in or registration page writes no session row.
    var csrfToken: String {
        if hasSession, let token = session.data["csrf"] { return token }
        if actor != nil {
            let token = Tokens.random()
            session.data["csrf"] = token
            return token
        }
        if let token = storage[AnonymousCSRF.self] ?? AnonymousCSRF.cookie(of: self) { return token }
        let token = Tokens.random()
        storage[AnonymousCSRF.self] = token  // set as a cookie on the response
        return token
    }

    /// The tokens a form may carry: the session's once signed in, the anonymous cookie's before (either, for a
    /// form rendered before signing in and sent after).
    var acceptedCSRFTokens: [String] {
        [hasSession ? session.data["csrf"] : nil, AnonymousCSRF.cookie(of: self)].compactMap { $0 }
    }

    /// Shows a one-off message on the next page (`Flash`).
    func flash(_ message: String) { storage[Flash.Pending.self] = String(message.prefix(Flash.maximumLength)) }

    /// The message this request carries for its page, once: the response takes the cookie away.
    func takeFlash() -> String? {
        guard let raw = cookies[Flash.cookieName]?.string else { return nil }
        storage[Flash.Taken.self] = true
        return acceptedCSRFTokens.lazy.compactMap { Flash.message(raw, key: $0) }.first
    }

    /// Whether the request carries a message for its page (such a page is rendered for it, never stored).
    var hasFlash: Bool { cookies[Flash.cookieName] != nil }
}

/// Whether two secrets are equal, in a time that depends only on their lengths.
func constantTimeEquals<A: Sequence<UInt8>, B: Sequence<UInt8>>(_ a: A, _ b: B) -> Bool {
    let x = Array(a)
    let y = Array(b)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}

/// A one-off message for the page after a form ("Bid saved…"), carried by a cookie of its own instead of the
/// session: writing it and taking it away were two write transactions on the session row for every form sent.
/// The cookie holds the message and its HMAC under the session's CSRF token (or the anonymous one), so nobody
/// without that token can put words on the page, and a message from another session is ignored.
enum Flash {
    static let cookieName = "dps-flash"
    /// Messages are a sentence or two; anything longer is cut.
    static let maximumLength = 600

    enum Pending: StorageKey { typealias Value = String }
    enum Taken: StorageKey { typealias Value = Bool }

    /// base64url(message) "." hex HMAC.
    static func value(_ message: String, key: String) -> String {
        let text = Tokens.base64URL(Data(message.utf8))
        return text + "." + Tokens.mac(text, key: key)
    }

    /// The message of a cookie value signed under `key`, or nil.
    static func message(_ value: String, key: String) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        // A cookie is at most 4 KB; the check is on the bytes as sent, in constant time.
        guard value.utf8.count <= 4_096, parts.count == 2,
            constantTimeEquals(Tokens.mac(String(parts[0]), key: key).utf8, parts[1].utf8)
        else { return nil }
        var base64 = parts[0].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func cookie(_ value: String, maxAge: Int = 300, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: nil, maxAge: maxAge, path: "/", isSecure: secure, isHTTPOnly: true,
            sameSite: .lax)
    }
}

/// The CSRF token of a visitor who is not signed in, kept in its own cookie instead of a session row.
enum AnonymousCSRF: StorageKey {
    typealias Value = String
    static let cookieName = "dps-csrf"

    /// The request's anonymous token, if it carries a well-formed one (43 base64url characters, as
    /// `Tokens.random` makes).
    static func cookie(of request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.string, value.utf8.count == 43,
            value.utf8.allSatisfy({
                $0 == 0x2D || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A)
            })
        else { return nil }
        return value
    }
}

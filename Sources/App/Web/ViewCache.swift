import DPSPersistence
import DPSUseCases
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Views rendered once per change of the data and then served as stored bytes.
///
/// Everything these views show changes only through audited use cases, each of which appends to the audit trail
/// in the transaction of its change; the trail's head (its newest `seq`, one read of the unique index) therefore
/// says whether a stored view is still true, and any audited change anywhere renders it again. The head is read
/// before rendering, so a change committed while a view renders makes the next request render again rather than
/// keep it. Appends are serialised (SQLite's single writer; PostgreSQL's advisory lock held to the commit), so a
/// head that is visible has every smaller `seq` committed before it. Correct with several servers, since each
/// reads the head from the shared database.
///
/// A stored view is reused only for exactly the same inputs:
/// - public pages: the path, for anonymous visitors with no message to show;
/// - signed-in pages and API reads: the signed-in user (id, role, organisation and the names shown), the page's
///   CSRF token, the whole URL and the current minute (every time the product compares or shows is to the
///   minute, deadlines included), besides the head. A request that fails (not found, forbidden, sealed) is never
///   stored, so the access check runs again for anyone the policy refused.
/// Only routes whose view is a function of those inputs opt in; everything else renders every time.
final class ViewCache: Sendable {
    private struct Entry {
        var head: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// Views kept at most (a page is up to about 100 KB); beyond it the store is emptied and starts again.
    static let capacity = 256

    /// Home and the procurement documents as anonymous visitors see them; anyone else gets theirs rendered.
    func publicPage(_ request: Request, render: () async throws -> Markup) async throws -> Response {
        guard request.actor == nil, !request.hasFlash else { return HTMLResponse.make(try await render()) }
        return try await stored("p|" + request.url.path, request) { HTMLResponse.make(try await render()) }
    }

    /// A signed-in page: stored for this user's session and this minute.
    func signedInPage(_ request: Request, render: () async throws -> Markup) async throws -> Response {
        try await signedIn(request) { HTMLResponse.make(try await render()) }
    }

    /// A signed-in page whose route builds its own response (a list answering 422 to a bad filter, say).
    func signedIn(_ request: Request, render: () async throws -> Response) async throws -> Response {
        guard let actor = request.actor, !request.hasFlash else { return try await render() }
        return try await stored(Self.key(actor, request, extra: request.csrfToken), request, render: render)
    }

    /// An API read: stored for this user and this minute, with the headers the route set (`Link`, say).
    func api(_ request: Request, render: () async throws -> Response) async throws -> Response {
        guard let actor = request.actor else { return try await render() }
        return try await stored(Self.key(actor, request, extra: "api"), request, render: render)
    }

    private static func key(_ actor: Actor, _ request: Request, extra: String) -> String {
        let minute = Int((request.now.timeIntervalSince1970 / 60).rounded(.down))
        return [
            "u", actor.userID.uuidString, actor.role.rawValue, actor.organisationID.uuidString, actor.name,
            actor.organisationName, extra, String(minute), request.url.string,
        ].joined(separator: "\u{1F}")
    }

    private func stored(_ key: String, _ request: Request, render: () async throws -> Response) async throws
        -> Response
    {
        guard request.method == .GET else { return try await render() }
        // Read with the signed-in actor when there is one (one statement for both), before anything renders.
        let head: Int
        if let read = request.storage[AuditHead.self] {
            head = read
        } else {
            head = try await Self.auditHead(request.db)
        }
        if let entry = entries.withLockedValue({ $0[key] }), entry.head == head {
            return Response(status: .ok, headers: entry.headers, body: .init(buffer: entry.body))
        }
        let response = try await render()
        // Only a whole answer in memory; cookies belong to the request that set them.
        if response.status == .ok, let body = response.body.buffer, !response.headers.contains(name: .setCookie) {
            entries.withLockedValue { entries in
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
                entries[key] = Entry(head: head, headers: response.headers, body: body)
            }
        }
        return response
    }

    private enum AuditHead: StorageKey { typealias Value = Int }

    /// The query with the audit trail's head as one more column (`audit_head`), for the statement that reads the
    /// signed-in actor.
    static func withAuditHead(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.column(SQLRaw("(SELECT MAX(seq) FROM \(AuditEventRecord.schema))"), as: "audit_head")
    }

    /// Keeps the head a `withAuditHead` row read, for this request's stored views.
    static func keepAuditHead(_ row: any SQLRow, on request: Request) throws {
        request.storage[AuditHead.self] = try row.decode(column: "audit_head", as: Int?.self) ?? 0
    }

    /// The newest audit event's sequence number (0 before any).
    static func auditHead(_ db: any Database) async throws -> Int {
        let sql = try db.sql()
        return try await sql.select().column(SQLFunction("MAX", args: SQLColumn("seq")), as: "head")
            .from(AuditEventRecord.schema).first()?.decode(column: "head", as: Int?.self) ?? 0
    }
}

extension Application {
    private struct ViewCacheKey: StorageKey {
        typealias Value = ViewCache
    }

    /// The process's stored views (set up by `configure`; without it views are rendered every time).
    var storedViews: ViewCache {
        get { storage[ViewCacheKey.self] ?? ViewCache() }
        set { storage[ViewCacheKey.self] = newValue }
    }
}

import DPSPersistence
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The public pages (home, procurement documents) as anonymous visitors see them, rendered once per change of
/// the data. Everything they show changes only through audited use cases, so the audit trail's head (its newest
/// `seq`, one read of the unique index) says whether a stored page is still true; any audited change anywhere
/// renders it again. Correct with several servers, since each reads the head from the shared database.
/// Signed-in visitors, and anonymous ones with a message to show, get the page rendered for them.
final class PublicPageCache: Sendable {
    private struct Entry {
        var head: Int
        var html: String
    }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// Paths kept at most (category documents add one each); beyond it the oldest guess is simply dropped.
    private static let capacity = 256

    func respond(_ request: Request, render: () async throws -> Markup) async throws -> Response {
        guard request.actor == nil, !(request.hasSession && request.session.data["flash"] != nil) else {
            return HTMLResponse.make(try await render())
        }
        let key = request.url.path
        let head = try await Self.auditHead(request.db)
        if let entry = entries.withLockedValue({ $0[key] }), entry.head == head {
            return HTMLResponse.make(Markup(unsafeRaw: entry.html))
        }
        let markup = try await render()
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(head: head, html: markup.html)
        }
        return HTMLResponse.make(markup)
    }

    /// The newest audit event's sequence number (0 before any).
    static func auditHead(_ db: any Database) async throws -> Int {
        let sql = try db.sql()
        return try await sql.select().column(SQLFunction("MAX", args: SQLColumn("seq")), as: "head")
            .from(AuditEventRecord.schema).first()?.decode(column: "head", as: Int?.self) ?? 0
    }
}

extension Application {
    private struct PublicPageCacheKey: StorageKey {
        typealias Value = PublicPageCache
    }

    /// The process's cache of public pages (set up by `configure`; without it pages are rendered every time).
    var publicPages: PublicPageCache {
        get { storage[PublicPageCacheKey.self] ?? PublicPageCache() }
        set { storage[PublicPageCacheKey.self] = newValue }
    }
}

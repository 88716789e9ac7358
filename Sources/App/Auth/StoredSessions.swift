import Fluent
import Foundation
import SQLKit
import Vapor

/// Server-side sessions in Fluent's `_fluent_sessions` table (same columns and encoding), written only when
/// they change: Fluent's own driver rewrites the row at the end of every request that read the session, which
/// made each signed-in page view a write transaction (on SQLite, one more writer queueing behind the bids of a
/// deadline rush). Plain SQL rather than the model, since it runs on every request.
struct StoredSessions: SessionDriver {
    private struct Loaded: StorageKey {
        typealias Value = [String: String]
    }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = Self.newID()
        return request.eventLoop.makeFutureWithTask {
            try await Self.write(request) { sql in
                try await sql.insert(into: SessionRecord.schema).columns("id", "key", "data")
                    .values(SQLBind(UUID()), SQLBind(id.string), SQLBind(data)).run()
            }
            request.storage[Loaded.self] = data.snapshot
            return id
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            let row = try await Self.sql(request).select().column("data").from(SessionRecord.schema)
                .where("key", .equal, SQLBind(sessionID.string)).limit(1).first()
            let data = try row?.decode(column: "data", as: SessionData.self)
            request.storage[Loaded.self] = data?.snapshot
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<
        SessionID
    > {
        guard request.storage[Loaded.self] != data.snapshot else {
            return request.eventLoop.makeSucceededFuture(sessionID)
        }
        return request.eventLoop.makeFutureWithTask {
            try await Self.write(request) { sql in
                try await sql.update(SessionRecord.schema).set("data", to: SQLBind(data))
                    .where("key", .equal, SQLBind(sessionID.string)).run()
            }
            request.storage[Loaded.self] = data.snapshot
            return sessionID
        }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        request.eventLoop.makeFutureWithTask {
            try await Self.write(request) { sql in
                try await sql.delete(from: SessionRecord.schema).where("key", .equal, SQLBind(sessionID.string))
                    .run()
            }
        }
    }

    private static func sql(_ request: Request) throws -> any SQLDatabase {
        guard let sql = request.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        return sql
    }

    /// A write, queued behind the write transactions on SQLite (`serialisedWrite`).
    private static func write(_ request: Request, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void)
        async throws
    {
        try await request.db.serialisedWrite { db in
            guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
            try await body(sql)
        }
    }

    /// 32 random bytes from the system's generator, base64.
    private static func newID() -> SessionID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SessionID(string: Data(bytes).base64EncodedString())
    }
}

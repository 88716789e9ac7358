import DPSPersistence
import DPSUseCases
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
                try await sql.insert(into: SessionRecord.schema).columns("id", "key", "data", "user_id")
                    .values(SQLBind(UUID()), SQLBind(id.string), SQLBind(data), SQLBind(Self.user(of: data))).run()
            }
            request.storage[Loaded.self] = data.snapshot
            return id
        }
    }

    /// The session, its user and organisation (`ActorMiddleware` takes them as the signed-in actor) and the audit
    /// trail's head (`ViewCache`), in one statement: the only read a signed-in page costs before its own.
    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        request.eventLoop.makeFutureWithTask {
            let select = ActorMiddleware.actorColumns(ViewCache.withAuditHead(try Self.sql(request).select()))
                .column(SQLColumn("data", table: "s")).column(SQLColumn("user_id", table: "s"), as: "session_user")
                .from(SQLAlias(SQLIdentifier(SessionRecord.schema), as: SQLIdentifier("s")))
                .join(
                    SQLAlias(SQLIdentifier(User.schema), as: SQLIdentifier("u")), method: SQLJoinMethod.left,
                    on: SQLBinaryExpression(
                        SQLBinaryExpression(SQLColumn("id", table: "u"), .equal, SQLColumn("user_id", table: "s")),
                        .and,
                        // A deactivated account's sessions stop working at once.
                        SQLBinaryExpression(SQLColumn("deactivated_at", table: "u"), .is, SQLLiteral.null)))
                .join(
                    SQLAlias(SQLIdentifier(Organisation.schema), as: SQLIdentifier("o")), method: SQLJoinMethod.left,
                    on: SQLColumn("id", table: "o"), .equal, SQLColumn("organisation_id", table: "u"))
            guard let row = try await select.where(SQLColumn("key", table: "s"), .equal, SQLBind(sessionID.string))
                .limit(1).first()
            else { return nil }
            let data = try row.decode(column: "data", as: SessionData.self)
            request.storage[Loaded.self] = data.snapshot
            if let user = try row.decode(column: "session_user", as: UUID?.self) {
                request.storage[SessionActor.self] = SessionActor(
                    userID: user, actor: try ActorMiddleware.actor(from: row))
            }
            try ViewCache.keepAuditHead(row, on: request)
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
                    .set("user_id", to: SQLBind(Self.user(of: data)))
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

    /// The signed-in user a session names (`uid`), kept in a column of its own so that reading the session can
    /// join the user.
    private static func user(of data: SessionData) -> UUID? { data["uid"].flatMap(UUID.init(uuidString:)) }

    /// 32 random bytes from the system's generator, base64.
    private static func newID() -> SessionID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SessionID(string: Data(bytes).base64EncodedString())
    }
}

/// The user a session names and the actor read with it (nil when that user is deactivated or gone).
struct SessionActor: StorageKey {
    typealias Value = SessionActor
    var userID: UUID
    var actor: Actor?
}

/// Sessions name their user in a column (`user_id`), so the session and the signed-in actor are one read. Rows
/// written before it have none and are read as before (the actor by the session's `uid`).
struct SessionUserColumn: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(SessionTable.schema).field("user_id", .uuid).update()
        // Deactivating a user deletes its sessions by this column.
        try await (db as? any SQLDatabase)?.create(index: "fluent_sessions_user").on(SessionTable.schema)
            .column("user_id").run()
    }

    func revert(on db: any Database) async throws {
        try await (db as? any SQLDatabase)?.drop(index: "fluent_sessions_user").run()
        try await db.schema(SessionTable.schema).deleteField("user_id").update()
    }
}

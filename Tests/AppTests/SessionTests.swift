import DPSDomain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App

/// Sessions are written only when they change: Fluent's own driver rewrote the row at the end of every
/// signed-in request, so every page view was a write transaction.
@Suite("Sessions", .serialized)
struct SessionTests {
    @Test("Signed-in page views write no session row")
    func noWriteOnRead() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let sql = try #require(app.db as? any SQLDatabase)
            // Count every write to the sessions table (a trigger, so the test sees what the driver does).
            if TestDB.isPostgres {
                try await sql.raw("CREATE TABLE session_writes (n INTEGER)").run()
                try await sql.raw(
                    """
                    CREATE FUNCTION count_session_write() RETURNS trigger AS $$
                    BEGIN INSERT INTO session_writes VALUES (1); RETURN NEW; END; $$ LANGUAGE plpgsql
                    """
                ).run()
                try await sql.raw(
                    """
                    CREATE TRIGGER session_written AFTER UPDATE ON _fluent_sessions
                    FOR EACH ROW EXECUTE FUNCTION count_session_write()
                    """
                ).run()
            } else {
                try await sql.raw("CREATE TABLE session_writes (n INTEGER)").run()
                try await sql.raw(
                    """
                    CREATE TRIGGER session_written AFTER UPDATE ON _fluent_sessions
                    BEGIN INSERT INTO session_writes VALUES (1); END
                    """
                ).run()
            }
            func writes() async throws -> Int {
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                    .from("session_writes").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            let b = HTTPTests.Browser(app)
            try await b.signIn("admin@acorn.test")
            let afterSignIn = try await writes()
            for _ in 0..<3 { #expect(try await b.get("/provider/establishments").status == .ok) }
            #expect(try await writes() == afterSignIn, "reading pages must not rewrite the session")
        }
    }
}

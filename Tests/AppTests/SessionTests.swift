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
    /// Counts every update of a sessions row from now on (a trigger, so the test sees what the driver does).
    private func countingWrites(_ app: Application) async throws -> () async throws -> Int {
        let sql = try #require(app.db as? any SQLDatabase)
        try await sql.raw("CREATE TABLE session_writes (n INTEGER)").run()
        if TestDB.isPostgres {
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
            try await sql.raw(
                """
                CREATE TRIGGER session_written AFTER UPDATE ON _fluent_sessions
                BEGIN INSERT INTO session_writes VALUES (1); END
                """
            ).run()
        }
        return {
            try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from("session_writes").first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }

    @Test("Signed-in page views write no session row")
    func noWriteOnRead() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let writes = try await countingWrites(app)
            let b = HTTPTests.Browser(app)
            try await b.signIn("admin@acorn.test")
            let afterSignIn = try await writes()
            for _ in 0..<3 { #expect(try await b.get("/provider/establishments").status == .ok) }
            #expect(try await writes() == afterSignIn, "reading pages must not rewrite the session")
        }
    }

    @Test(
        """
        A form's message rides in a cookie signed with the session's token: shown once on the next page with no \
        session write; a forged message, or another session's, is shown nowhere
        """
    )
    func flashCookie() async throws {
        try await withApp { app in
            // setup
            _ = try await World.make(app)
            let writes = try await countingWrites(app)
            let acorn = HTTPTests.Browser(app)
            try await acorn.signIn("admin@acorn.test")
            let afterSignIn = try await writes()

            // MUT: a form whose success is a message on the next page, then that page twice
            let sent = try await acorn.post(
                "/account/people", ["name": "Bea Writer", "email": "bea@acorn.test", "role": "bid_writer"])
            let carried = acorn.cookies[Flash.cookieName]
            let shown = try await acorn.get("/account/people").body.string
            let again = try await acorn.get("/account/people").body.string

            // validate
            #expect(sent.status == .seeOther && carried != nil)
            #expect(shown.contains("Invitation sent to bea@acorn.test"))
            #expect(!again.contains("Invitation sent to") && acorn.cookies[Flash.cookieName] == nil)
            #expect(try await writes() == afterSignIn, "the message must not be written to the session")

            // MUT: a message signed with a guessed key, then another session's genuine message
            acorn.cookies[Flash.cookieName] = Flash.value("Call 0800 000 000 to keep your account", key: "guess")
            let forged = try await acorn.get("/account/people").body.string
            let birch = HTTPTests.Browser(app)
            try await birch.signIn("admin@birch.test")
            _ = try await birch.post(
                "/account/people", ["name": "Ben Writer", "email": "ben@birch.test", "role": "bid_writer"])
            acorn.cookies[Flash.cookieName] = try #require(birch.cookies[Flash.cookieName])
            let borrowed = try await acorn.get("/account/people").body.string

            // validate
            #expect(!forged.contains("0800") && !borrowed.contains("ben@birch.test"))
            #expect(try await birch.get("/account/people").body.string.contains("Invitation sent to ben@birch.test"))
        }
    }
}

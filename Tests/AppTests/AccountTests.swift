import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7, accounts: administrators invite and deactivate their people; invitations and password resets are
/// e-mailed links that work once and expire.
@Suite("Accounts: invitations, password resets, deactivation", .serialized)
struct AccountTests {
    /// The link in the newest e-mail to `address`, as received by the loopback SMTP server.
    func link(to address: String, _ sink: SMTPSink) throws -> String? {
        let mail = try sink.messages().filter { header("To", of: $0) == address }
        guard let body = mail.last.map(bodyText(of:)),
            let range = body.range(
                of: #"https://dps\.example\.gov\.uk(/password/[A-Za-z0-9_-]+)"#, options: .regularExpression)
        else { return nil }
        return String(body[range].dropFirst("https://dps.example.gov.uk".count))
    }

    func deliver(_ app: Application, _ sink: SMTPSink, at now: Date = testNow) async throws {
        _ = try await MailQueue.deliverDue(
            transport: sink.transport(), from: "dps@ws.test", baseURL: "https://dps.example.gov.uk", db: app.db,
            now: { now })
    }

    @Test("Invite a colleague: the e-mailed link sets a password once, signs them in, and cannot be used again")
    func invitation() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        try await withApp { app in
            // setup
            _ = try await World.make(app)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@acorn.test")
            let bad = try await admin.post(
                "/account/people", ["name": "", "email": "not an address", "role": "dps_admin"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("<title>Error: People"))
            let sent = try await admin.post(
                "/account/people", ["name": "Bea Writer", "email": "bea@acorn.test", "role": "bid_writer"])
            #expect(sent.status == .seeOther)
            #expect(
                try await admin.get("/account/people").body.string.contains("Invited: no password chosen yet"))
            try await deliver(app, sink)
            let path = try #require(try link(to: "bea@acorn.test", sink))

            // MUT: the invited person opens the link and chooses a password
            let bea = HTTPTests.Browser(app)
            let page = try await bea.get(path)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("For Bea Writer, bea@acorn.test."))
            let mismatch = try await bea.post(
                path, ["password": "a long new password", "confirmation": "different one"])
            #expect(mismatch.status == .unprocessableEntity)
            let saved = try await bea.post(
                path, ["password": "a long new password", "confirmation": "a long new password"])

            // validate
            #expect(saved.status == .seeOther)
            #expect(saved.headers.first(name: .location) == "/dashboard")
            #expect(try await bea.get("/provider/invitations").status == .ok)
            #expect(try await HTTPTests.Browser(app).get(path).status == .gone)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "bea@acorn.test").first())
            #expect(user.role == Role.bidWriter.rawValue)
            #expect(try app.password.verify("a long new password", created: user.passwordHash))
        }
    }

    @Test(
        "Password reset: the same answer for unknown addresses; the link works once, for an hour; two tabs set it once")
    func reset() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            _ = try await OutboxMessageRecord.query(on: app.db).delete()
            let anonymous = HTTPTests.Browser(app)
            _ = try await anonymous.get("/password-reset")
            let unknown = try await anonymous.post("/password-reset", ["email": "nobody@nowhere.test"])
            let known = try await anonymous.post("/password-reset", ["email": "ADMIN@acorn.test"])
            #expect(unknown.status == .ok)
            #expect(known.status == .ok)
            #expect(
                unknown.body.string.replacingOccurrences(of: "nobody@nowhere.test", with: "X")
                    == known.body.string.replacingOccurrences(of: "ADMIN@acorn.test", with: "X"))
            #expect(try await OutboxMessageRecord.query(on: app.db).all().map(\.recipient) == ["admin@acorn.test"])
            // The link's token is only in the e-mail; make one the same way to drive the use case directly.
            let token = Tokens.random()
            try await Accounts.issue(.passwordReset, token: token, user: w.provider.userID, db: app.db, now: testNow)
            let hasher = app.password
            let set: @Sendable (Date) async throws -> Void = { now in
                _ = try await Accounts.setPassword(
                    token: token, password: "another long password", confirmation: "another long password",
                    hash: { try hasher.hash($0) }, db: app.db, now: now)
            }

            // MUT and validate: an hour later it has expired; within the hour two tabs at once set it once
            await #expect(throws: UseCaseError.self) { try await set(testNow + 3601) }
            let results = try await ConcurrencyTests().race(2) { try await set(testNow + 60) }
            #expect(results == ["gone:", "ok"])
            let user = try #require(try await User.find(w.provider.userID, on: app.db))
            #expect(try app.password.verify("another long password", created: user.passwordHash))
            // Every other open link of the person is used up too.
            #expect(try await AccountTokenRecord.query(on: app.db).filter(\.$usedAt == nil).count() == 0)
        }
    }

    @Test(
        "A deactivated colleague is signed out at once and cannot sign in; nobody deactivates themself or an outsider")
    func deactivation() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            let evaluator = HTTPTests.Browser(app)
            try await evaluator.signIn("eval@ws.test")
            #expect(try await evaluator.get("/assessment").status == .ok)
            // A second session (another device) and an API token, left alone until after the reactivation.
            let otherDevice = HTTPTests.Browser(app)
            try await otherDevice.signIn("eval@ws.test")
            let token = try await HTTPTests().token(app, "eval@ws.test")

            // MUT
            let done = try await admin.post("/account/people/\(w.evaluator.userID)", ["active": "no"])

            // validate
            #expect(done.status == .seeOther)
            #expect(try await evaluator.get("/assessment").status == .seeOther)  // sent to sign in
            _ = try await evaluator.get("/sign-in")
            let again = try await evaluator.post("/sign-in", ["email": "eval@ws.test", "password": World.password])
            #expect(again.status != .seeOther)
            let own = try await admin.post("/account/people/\(w.admin.userID)", ["active": "no"])
            #expect(own.status == .conflict)
            let outsider = try await admin.post("/account/people/\(w.provider.userID)", ["active": "no"])
            #expect(outsider.status == .notFound)
            #expect(try await User.find(w.provider.userID, on: app.db)?.deactivatedAt == nil)
            // Reactivated, they sign in again: the sessions and the token from before stay ended.
            _ = try await admin.post("/account/people/\(w.evaluator.userID)", ["active": "yes"])
            #expect(try await otherDevice.get("/assessment").status == .seeOther)
            #expect(try await HTTPTests().api(app, .GET, "/api/v1/applications", token: token).status == .unauthorized)
            let back = try await evaluator.post("/sign-in", ["email": "eval@ws.test", "password": World.password])
            #expect(back.status == .seeOther)
            #expect(try await evaluator.get("/assessment").status == .ok)
        }
    }

    @Test(
        """
        A partner council's administrator invites its officers and changes their name and role; never its own role, \
        a lead authority's role, or another organisation's people
        """
    )
    func councilAdministrator() async throws {
        try await withApp { app in
            // setup: the partner council's first administrator, as `dps create-user` makes them
            let w = try await World.make(app)
            try await User(
                organisationID: w.officer.organisationID, email: "admin@bh.test", name: "Bea Admin",
                role: Role.councilAdmin.rawValue, passwordHash: try app.password.hash(World.password)
            ).create(on: app.db)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@bh.test")
            let page = try await admin.get("/account/people").body.string
            #expect(page.contains("Placement officer") && page.contains("Partner viewer"))
            #expect(!page.contains("value=\"dps_admin\"") && !page.contains("value=\"evaluator\""))

            // MUT: invite an officer; a lead authority's role is refused
            let invited = try await admin.post(
                "/account/people", ["name": "Olu Officer", "email": "olu@bh.test", "role": "placement_officer"])
            let lead = try await admin.post(
                "/account/people", ["name": "Eve", "email": "eve@bh.test", "role": "evaluator"])

            // validate
            #expect(invited.status == .seeOther)
            #expect(lead.status == .unprocessableEntity)
            let olu = try #require(try await User.query(on: app.db).filter(\.$email == "olu@bh.test").first())
            #expect(olu.role == "placement_officer" && olu.$organisation.id == w.officer.organisationID)

            // MUT: change the officer's name and role; then try their own role and an outsider
            #expect(try await admin.get("/account/people/\(w.officer.userID)/edit").status == .ok)
            let changed = try await admin.post(
                "/account/people/\(w.officer.userID)/edit", ["name": "Grace H. Officer", "role": "partner_viewer"])
            let me = try #require(try await User.query(on: app.db).filter(\.$email == "admin@bh.test").first())
            let own = try await admin.post(
                "/account/people/\(me.id!)/edit", ["name": "Bea Admin", "role": "placement_officer"])
            let outsider = try await admin.post(
                "/account/people/\(w.provider.userID)/edit", ["name": "X", "role": "placement_officer"])

            // validate
            #expect(changed.status == .seeOther)
            let officer = try #require(try await User.find(w.officer.userID, on: app.db))
            #expect(officer.name == "Grace H. Officer" && officer.role == "partner_viewer")
            #expect(own.status == .unprocessableEntity && own.body.string.contains("cannot change your own role"))
            #expect(try await User.find(me.id!, on: app.db)?.role == "council_admin")
            #expect(outsider.status == .notFound)
            #expect(try await User.find(w.provider.userID, on: app.db)?.name != "X")
            #expect(
                try await AuditEventRecord.query(on: app.db).filter(\.$action == "user.updated").count() == 1)
            // The new role applies at once: a viewer cannot make referrals.
            let viewer = HTTPTests.Browser(app)
            try await viewer.signIn("officer@bh.test")
            #expect(try await viewer.get("/referrals/new").status == .forbidden)
        }
    }
}

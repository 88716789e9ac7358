import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import NIOPosix
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// A real SMTP server on loopback: aiosmtpd (from PyPI, installed into tests-browser/.venv by scripts/install-deps)
/// writing every message it accepts into a maildir.
final class SMTPSink: @unchecked Sendable {
    let port: Int
    let maildir: URL
    private let process: Process

    init() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let venv = root.appendingPathComponent("tests-browser/.venv/bin/python").path
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
        maildir = FileManager.default.temporaryDirectory.appendingPathComponent("dps-mail-\(UUID().uuidString)")
        // A port below Linux's ephemeral range (32768 and up), where the tests' own client connections live; another
        // port if the one drawn is taken (the server exits at once).
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<32_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir.path,
            ]
            try process.run()
            // Ready when it accepts a connection (at most 10 s).
            for _ in 0..<100 {
                guard process.isRunning else { break }
                if (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(
                    host: "127.0.0.1", port: port
                ).get().close()) != nil {
                    (self.port, self.process) = (port, process)
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning {  // running but not listening in 10 s: not a port clash
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                break
            }
        }
        throw SMTPSinkUnavailable()
    }

    struct SMTPSinkUnavailable: Error, CustomStringConvertible {
        var description: String { "aiosmtpd did not start on loopback: run scripts/install-deps" }
    }

    /// Every message received, as its raw text.
    func messages() throws -> [String] {
        let new = maildir.appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(at: new, includingPropertiesForKeys: nil)) ?? []
        return try files.map { try String(contentsOf: $0, encoding: .utf8) }
    }

    /// aiosmtpd ignores SIGTERM: it is killed.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: maildir)
    }

    func transport() -> SMTPTransport {
        SMTPTransport(
            settings: SMTPSettings(host: "127.0.0.1", port: port, tls: false),
            group: MultiThreadedEventLoopGroup.singleton,
            heloName: "dps.test")
    }
}

/// One header's value in a received message.
func header(_ name: String, of message: String) -> String? {
    message.components(separatedBy: "\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
        .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// The text body of a received message (base64 in the product's e-mail).
func bodyText(of message: String) -> String {
    let parts = message.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
    let encoded = parts.dropFirst().joined().replacingOccurrences(of: "\n", with: "")
    return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
}

@Suite("E-mail: the outbox delivered by SMTP to a real server on loopback", .serialized)
struct MailTests {
    func deliver(_ app: Application, _ transport: any MailTransport, at now: Date = testNow) async throws
        -> MailQueue.Report
    {
        try await MailQueue.deliverDue(
            transport: transport, from: "dps@ws.test", baseURL: "https://dps.example.gov.uk", db: app.db, now: { now })
    }

    @Test("Publishing a referral delivers one invitation per invited provider, exactly once, with two jobs at once")
    func exactlyOnce() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (referral, invitations) = try await ReferralTests().published(app, rw)
            let pending = try await OutboxMessageRecord.query(on: app.db).count()
            let transport = sink.transport()

            // MUT: two delivery jobs at once, then a third after them
            async let first = deliver(app, transport)
            async let second = deliver(app, transport)
            let reports = try await [first, second]
            let third = try await deliver(app, transport)

            // validate
            let received = try sink.messages()
            #expect(reports.map(\.sent).reduce(0, +) == pending)
            #expect(third == MailQueue.Report())
            #expect(received.count == pending)
            #expect(Set(received.compactMap { header("Message-ID", of: $0) }).count == pending)
            let invitesSent = received.filter { header("Subject", of: $0)?.contains(referral.reference) == true }
            #expect(invitesSent.count == invitations.count)
            #expect(
                Set(invitesSent.compactMap { header("To", of: $0) })
                    == ["admin@acorn.test", "admin@birch.test", "admin@cedar.test"])
            #expect(
                invitesSent.allSatisfy { bodyText(of: $0).contains("https://dps.example.gov.uk/provider/invitations") })
            let undelivered = try await OutboxMessageRecord.query(on: app.db).filter(\.$deliveredAt == nil).count()
            #expect(undelivered == 0)
            let acorn = try await OutboxMessageRecord.query(on: app.db).filter(
                \.$organisationID == rw.w.provider.organisationID
            )
            .first()
            #expect(acorn?.sentTo == "admin@acorn.test")
            #expect(acorn?.attempts == 1)
        }
    }

    @Test(
        "A header cannot be added through a subject; a deactivated user gets nothing; non-ASCII subjects arrive intact")
    func headersAndRecipients() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            _ = try await OutboxMessageRecord.query(on: app.db).delete()
            let colleague = User(
                organisationID: w.provider.organisationID, email: "left@acorn.test", name: "Left", role: "bid_writer",
                passwordHash: "x")
            colleague.deactivatedAt = testNow
            try await colleague.create(on: app.db)
            try await Outbox.send(
                on: app.db, organisationID: w.provider.organisationID, recipient: "Bid writers",
                subject: "Bid due\r\nBcc: attacker@evil.test", body: "Line one\n.\nLine three", at: testNow)
            try await Outbox.send(
                on: app.db, organisationID: nil, recipient: "parent@home.test", subject: "Choix — café",
                body: "Bonjour",
                at: testNow)

            // MUT
            let report = try await deliver(app, sink.transport())

            // validate
            #expect(report.sent == 2)
            let received = try sink.messages()
            let bid = try #require(received.first { header("To", of: $0) == "admin@acorn.test" })
            #expect(header("Subject", of: bid) == "Bid due  Bcc: attacker@evil.test")
            #expect(header("Bcc", of: bid) == nil)
            #expect(bodyText(of: bid).hasPrefix("Line one\n.\nLine three"))
            // The server's own record of the envelope (aiosmtpd's X-RcptTo): the one active colleague only.
            #expect(header("X-RcptTo", of: bid) == "admin@acorn.test")
            #expect(!received.contains { $0.contains("left@acorn.test") })
            let parent = try #require(received.first { header("To", of: $0) == "parent@home.test" })
            #expect(header("Subject", of: parent)?.hasPrefix("=?UTF-8?B?") == true)
        }
    }

    @Test(
        "An unreachable server is tried again later with back-off; a refusal gives up and is shown to the lead"
    )
    func retriesAndFailures() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            try await w.application(app, codes: ["sen-inmss"], submit: false)  // Acorn applies to the DPS
            _ = try await OutboxMessageRecord.query(on: app.db).delete()
            try await Outbox.send(
                on: app.db, organisationID: w.provider.organisationID, recipient: "Provider", subject: "Hello",
                body: "Text", at: testNow)
            // Nothing listens on port 9 of loopback (discard, not run here): the connection is refused.
            let down = SMTPTransport(
                settings: SMTPSettings(host: "127.0.0.1", port: 9, tls: false),
                group: MultiThreadedEventLoopGroup.singleton,
                heloName: "dps.test")

            // MUT and validate: refused connection, retry in a minute, not before
            #expect(try await deliver(app, down).retrying == 1)
            var message = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(message.attempts == 1)
            #expect(message.nextAttemptAt == testNow + 60)
            #expect(message.lastError?.contains("Could not connect") == true)
            #expect(try await deliver(app, down, at: testNow + 30) == MailQueue.Report())
            #expect(try await deliver(app, down, at: testNow + 61).retrying == 1)
            message = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(message.nextAttemptAt == testNow + 61 + 120)
            #expect(try await MailQueue.problems(actor: w.admin, db: app.db).map(\.subject) == ["Hello"])
            // The lead authority's page lists it.
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            #expect(try await admin.get("/admin/mail").body.string.contains("Could not connect"))

            // A permanent refusal (a 5xx reply) gives up at once.
            struct Refusing: MailTransport {
                func send(_ mail: OutgoingMail) async throws {
                    throw MailFailure(permanent: true, "RCPT TO answered 550 no such user")
                }
            }
            #expect(try await deliver(app, Refusing(), at: testNow + 1000).failed == 1)
            message = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(message.failedAt != nil)
            #expect(try await deliver(app, Refusing(), at: testNow + 99_999) == MailQueue.Report())
        }
    }

    @Test("The officer sends the parent's private link to the parent's e-mail; it arrives and opens the choice")
    func parentLinkByMail() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (closed, _) = try await ReferralTests().competed(app, rw)
            app.clock = .fixed(ConcurrencyTests().afterDeadline)
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            let path = "/referrals/\(closed.id!)/parent"

            // MUT: a mistyped address is refused by its field and changes nothing; then the right one
            let bad = try await officer.post(path, ["replyBy": "2026-11-20 17:00", "parentEmail": "mum at home"])
            let stateAfterBad = try await ReferralRecord.find(closed.id!, on: app.db)!.state
            let sent = try await officer.post(path, ["replyBy": "2026-11-20 17:00", "parentEmail": "mum@home.test"])
            _ = try await deliver(app, sink.transport(), at: ConcurrencyTests().afterDeadline)

            // validate
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("email address like name@example.org, or leave it empty"))
            #expect(stateAfterBad == ReferralState.closed.rawValue)
            #expect(sent.status == .ok)
            let mail = try #require(try sink.messages().first { header("To", of: $0) == "mum@home.test" })
            let body = bodyText(of: mail)
            let link = try #require(body.range(of: #"/choice/[A-Za-z0-9_-]+"#, options: .regularExpression))
            #expect(try await HTTPTests.Browser(app).get(String(body[link])).status == .ok)
        }
    }

    @Test("DPS_SMTP_URL: smtp and smtps with a user; a password in clear across a network is refused")
    func settings() throws {
        #expect(
            try SMTPSettings.parse("smtps://dps%40ws.gov.uk:p%40ss@mail.ws.gov.uk")
                == SMTPSettings(
                    host: "mail.ws.gov.uk", port: 465, tls: true, username: "dps@ws.gov.uk", password: "p@ss"))
        #expect(try SMTPSettings.parse("smtp://127.0.0.1:2525").port == 2525)
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings.parse("smtp://u:p@mail.example.org") }
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings.parse("http://mail.example.org") }
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings.parse("smtp://mail.example.org:99999") }
    }
}

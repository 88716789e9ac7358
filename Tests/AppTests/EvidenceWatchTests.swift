import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, evidence expiry: providers are reminded 30 and 7 days before a document expires; on lapse the
/// membership is suspended for every partner (or the contract managers are told, as the question says); the
/// provider renews from the membership's page; the daily check acts once however often, and however many at once,
/// it runs.
@Suite("Evidence expiry", .serialized)
struct EvidenceWatchTests {
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso + "T10:00:00Z")! }

    /// An admitted fostering membership whose insurance certificate expires on Thursday 31 December 2026.
    func admitted(_ app: Application, flag: Bool = false) async throws -> (World, MembershipRecord) {
        let w = try await World.make(app)
        if flag {
            let category = w.categories["fostering"]!
            var content = try category.content
            for index in content.passFail.indices where content.passFail[index].key == "insurance" {
                content.passFail[index].onLapse = .flag
            }
            category.setContent(content)
            try await category.save(on: app.db)
        }
        let record = try await w.application(app, codes: ["fostering"])
        try await w.scoreAll(app, record)
        let part = try await w.parts(app, record)["fostering"]!
        try await Assessment.decide(
            record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db, now: testNow)
        try await EvidenceRecord.query(on: app.db).filter(\.$questionKey == "insurance")
            .set(\.$expiresOn, to: "2026-12-31").update()
        return (w, try #require(try await MembershipRecord.query(on: app.db).first()))
    }

    func messages(_ app: Application, since count: Int) async throws -> [OutboxMessageRecord] {
        Array(try await OutboxMessageRecord.query(on: app.db).sort(\.$createdAt).sort(\.$id).all().dropFirst(count))
    }

    @Test("Reminded 30 and 7 days before, once each; on lapse suspended for every partner; two checks at once act once")
    func remindersAndLapse() async throws {
        try await withApp { app in
            let (w, membership) = try await admitted(app)
            let before = try await OutboxMessageRecord.query(on: app.db).count()

            // MUT: the check on days before, at and after the reminders, twice on some days, twice at once on one
            let early = try await EvidenceWatch.run(db: app.db, now: Self.at("2026-11-30"))
            let first = try await EvidenceWatch.run(db: app.db, now: Self.at("2026-12-01"))
            let sameDay = try await EvidenceWatch.run(db: app.db, now: Self.at("2026-12-01"))
            let nextDay = try await EvidenceWatch.run(db: app.db, now: Self.at("2026-12-02"))
            let racing = try await withThrowingTaskGroup(of: EvidenceWatch.Report.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await EvidenceWatch.run(db: app.db, now: Self.at("2026-12-24")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let lapsed = try await EvidenceWatch.run(db: app.db, now: Self.at("2027-01-01"))
            let afterwards = try await EvidenceWatch.run(db: app.db, now: Self.at("2027-01-02"))

            // validate
            #expect(early.reminders == 0 && first.reminders == 1 && sameDay.alreadyRun && nextDay.reminders == 0)
            #expect(racing.map(\.alreadyRun).sorted { !$0 && $1 } == [false, true])
            #expect(racing.map(\.reminders).reduce(0, +) == 1)
            #expect(lapsed.suspended == 1 && afterwards.suspended == 0 && afterwards.flagged == 0)
            #expect(try await MembershipRecord.find(membership.id!, on: app.db)?.state == "suspended")
            let sent = try await messages(app, since: before)
            let toProvider = sent.filter { $0.organisationID == w.provider.organisationID }.map(\.subject)
            #expect(
                toProvider == [
                    "Evidence expires on 31 December 2026: Acorn House",
                    "Evidence expires on 31 December 2026: Acorn House", "Membership suspended: Acorn House",
                ])
            #expect(sent.contains { $0.recipient == "Contract managers" && $0.subject.hasPrefix("Evidence expired") })
            let history = try await ContractManagement.timeline(membership.id!, actor: w.auditor, db: app.db)
            #expect(history.events.first?.kind == .suspended && history.events.first?.reason == .insuranceLapsed)
            #expect(history.events.first?.actorLabel == EvidenceWatch.performer)
            // The provider's standing says what is suspended, what lifts it and what has expired; another provider's
            // says nothing of it.
            app.clock = .fixed(Self.at("2027-01-02"))
            let standing = try await HTTPTests.Browser(app).signedIn("admin@acorn.test").get("/provider/standing")
                .body.string
            #expect(standing.contains("1 membership is suspended"))
            #expect(standing.contains("Insurance lapsed. Send: a current certificate"))
            #expect(standing.contains("31 December 2026 (expired)"))
            let other = try await HTTPTests.Browser(app).signedIn("admin@birch.test").get("/provider/standing")
                .body.string
            #expect(!other.contains("Acorn House"))
        }
    }

    @Test("A question set to report lapses tells the contract managers and suspends nothing")
    func flaggedLapse() async throws {
        try await withApp { app in
            let (w, membership) = try await admitted(app, flag: true)
            let before = try await OutboxMessageRecord.query(on: app.db).count()
            let report = try await EvidenceWatch.run(db: app.db, now: Self.at("2027-01-05"))
            #expect(report.flagged == 1 && report.suspended == 0)
            #expect(try await MembershipRecord.find(membership.id!, on: app.db)?.state == "active")
            let history = try await ContractManagement.timeline(membership.id!, actor: w.auditor, db: app.db)
            #expect(history.events.first?.kind == .lapsed)
            let sent = try await messages(app, since: before)
            #expect(sent.contains { $0.recipient == "Contract managers" && $0.body.contains("Decide whether") })
            #expect(sent.contains { $0.organisationID == w.provider.organisationID })
        }
    }

    @Test("The provider renews from the membership's page; bad input is refused by name; others see no evidence")
    func renewal() async throws {
        try await withApp { app in
            let (w, membership) = try await admitted(app)
            app.clock = .fixed(Self.at("2026-12-10"))
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            let page = try await provider.get("/memberships/\(membership.id!)").body.string
            #expect(page.contains("Evidence with an expiry date") && page.contains("Expires soon"))
            #expect(page.contains("Upload a renewed document"))
            let path = "/memberships/\(membership.id!)/renew"
            let file = (field: "document", name: "insurance-2027.pdf", data: Data("certificate".utf8))

            // MUT: a past date and no choice of document are refused by name; then renewed
            let refused = try await provider.postFile(
                path, ["expiresOn-day": "1", "expiresOn-month": "12", "expiresOn-year": "2026"], file: file)
            let done = try await provider.postFile(
                path,
                [
                    "question": "insurance", "expiresOn-day": "31", "expiresOn-month": "12",
                    "expiresOn-year": "2027",
                ], file: file)

            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains(##"href="#f-question""##))
            #expect(refused.body.string.contains("The new expiry date must be after today"))
            #expect(done.status == .seeOther)
            let renewed = try await provider.get("/memberships/\(membership.id!)").body.string
            #expect(renewed.contains("31 December 2027") && renewed.contains("Evidence renewed"))
            // The renewal starts the reminders afresh: nothing is due in December 2026 any more.
            #expect(try await EvidenceWatch.run(db: app.db, now: Self.at("2027-01-01")).suspended == 0)
            #expect(try await MembershipRecord.find(membership.id!, on: app.db)?.state == "active")
            // A partner council reads the membership but not the provider's evidence; a bid writer cannot renew.
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            let seen = try await officer.get("/memberships/\(membership.id!)").body.string
            #expect(!seen.contains("Evidence with an expiry date"))
            #expect(try await officer.postFile(path, ["question": "insurance"], file: file).status == .forbidden)
            _ = w
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, annual compliance checks: opened for a category, answered within 5 working days, a reminder on the
/// deadline, failed answers and non-answers after the grace period suspended, each once; the report by state;
/// providers see only their own.
@Suite("Compliance checks", .serialized)
struct ComplianceCheckTests {
    let suspension = SuspensionTests()
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso + "T10:00:00Z")! }

    @Test("Answered, reminded, failed and not answered: each handled once, on its working day")
    func lifecycle() async throws {
        try await withApp { app in
            // setup: the contract manager opens a check of the category on Tuesday 10 November 2026
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let browser = try await HTTPTests.Browser(app).signedIn("contracts@ws.test")
            #expect(try await browser.get("/compliance").status == .ok)
            let opened = try await browser.post("/compliance", ["category": rw.category.id!.uuidString])
            let path = try #require(opened.headers.first(name: .location))
            let checkID = UUID(uuidString: String(path.dropFirst("/compliance/".count)))!
            let (check, answers) = try await ComplianceChecks.report(checkID, actor: manager, db: app.db)
            #expect(answers.count == 3 && check.answerBy == LocalDate(iso: "2026-11-17"))
            #expect(check.suspendsOn == LocalDate(iso: "2026-11-25"))

            // MUT: Acorn confirms (a statement too short is refused by name); the deadline passes; Cedar fails
            let acorn = try await HTTPTests.Browser(app).signedIn("admin@acorn.test")
            let standing = try await acorn.get("/provider/standing").body.string
            #expect(standing.contains("Compliance checks to answer") && standing.contains("17 November 2026"))
            _ = try await acorn.get(path)
            let short = try await acorn.post(path + "/confirm", ["statement": "ok"])
            let confirmed = try await acorn.post(
                path + "/confirm", ["statement": "Registration, insurance and policies checked today; all current."])
            let early = try await ComplianceChecks.runDaily(db: app.db, now: Self.at("2026-11-16"))
            let onTheDay = try await ComplianceChecks.runDaily(db: app.db, now: Self.at("2026-11-17"))
            let sameDay = try await ComplianceChecks.runDaily(db: app.db, now: Self.at("2026-11-17"))
            let nextDay = try await ComplianceChecks.runDaily(db: app.db, now: Self.at("2026-11-18"))
            let cedar = answers.first { $0.establishment == "Cedar School" }!
            try await ComplianceChecks.fail(
                checkID, answer: cedar.id, reason: "The insurance certificate sent is for another company.",
                actor: manager, db: app.db, now: Self.at("2026-11-19"))
            let racing = try await withThrowingTaskGroup(of: (reminded: Int, suspended: Int).self) { group in
                for _ in 0..<2 {
                    group.addTask { try await ComplianceChecks.runDeadlines(db: app.db, now: Self.at("2026-11-25")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            // validate
            #expect(short.status == .unprocessableEntity && short.body.string.contains(##"href="#f-statement""##))
            #expect(confirmed.status == .seeOther)
            #expect(early?.reminded == 0 && onTheDay?.reminded == 2 && sameDay == nil && nextDay?.reminded == 0)
            #expect(racing.map(\.suspended).reduce(0, +) == 1)
            let states = try await ComplianceChecks.report(checkID, actor: manager, db: app.db).1
                .reduce(into: [String: String]()) { $0[$1.establishment] = $1.state.rawValue }
            #expect(states == ["Acorn House": "confirmed", "Birch School": "suspended", "Cedar School": "failed"])
            for (name, state, reason) in [
                ("Acorn House", "active", nil), ("Birch School", "suspended", SuspensionReason.complianceFailed),
                ("Cedar School", "suspended", .complianceFailed),
            ] {
                let m = rw.memberships[name]!
                #expect(try await MembershipRecord.find(m.id!, on: app.db)?.state == state, "\(name)")
                if let reason {
                    let events = try await ContractManagement.timeline(m.id!, actor: manager, db: app.db).events
                    #expect(events.first?.reason == reason, "\(name)")
                }
            }
            let page = try await browser.get(path).body.string
            #expect(page.contains("Confirmed: 1") && page.contains("Failed: 1") && page.contains("suspended: 1"))
            // A provider reads only its own answers; a partner's officer and another provider nothing.
            let own = try await acorn.get(path).body.string
            #expect(own.contains("Acorn House") && !own.contains("Birch School"))
            let officer = try await HTTPTests.Browser(app).signedIn("officer@bh.test")
            #expect(try await officer.get(path).status == .notFound)
            let other = Actor(
                userID: UUID(), name: "Other", email: "x@other.test", role: .providerAdmin, organisationID: UUID(),
                organisationKind: .provider, organisationName: "Other")
            await #expect(throws: UseCaseError.self) {
                _ = try await ComplianceChecks.report(checkID, actor: other, db: app.db)
            }
        }
    }

    @Test("A provider cannot confirm while evidence of a membership has expired")
    func expiredEvidenceFirst() async throws {
        try await withApp { app in
            let (w, _) = try await EvidenceWatchTests().admitted(app)
            let manager = try await suspension.contractManager(app, w)
            try await EvidenceRecord.query(on: app.db).filter(\.$questionKey == "insurance")
                .set(\.$expiresOn, to: "2026-11-01").update()
            let check = try await ComplianceChecks.open(
                dps: w.dps.id!, category: nil, actor: manager, db: app.db, now: testNow)
            await expectInputError("statement") {
                try await ComplianceChecks.confirm(
                    check, statement: "Everything checked and current.", actor: w.provider, db: app.db, now: testNow)
            }
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, re-scoring: a contract manager raises or lowers a membership's qualification score with a reason and
/// evidence; the new score counts in referrals published afterwards and never in one already published.
@Suite("Re-scoring", .serialized)
struct RescoreTests {
    let suspension = SuspensionTests()
    let referrals = ReferralTests()

    @Test("A re-score counts in later referrals only; bad scores are refused by name; partners cannot re-score")
    func rescoreAppliesLater() async throws {
        try await withApp { app in
            // setup: a referral published while Acorn's score is 80.00
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let (published, before) = try await referrals.published(app, rw)
            let browser = HTTPTests.Browser(app)
            try await browser.signIn("contracts@ws.test")
            let page = try await browser.get("/memberships/\(acorn.id!)").body.string
            #expect(page.contains("Next re-score due") && page.contains("10 November 2027 (every 12 months)"))
            let path = "/memberships/\(acorn.id!)/rescore"

            // MUT: out-of-range and unreadable scores refused; then lowered to 62.5
            var refusals: [HTTPStatus] = []
            for bad in ["101", "1e308", "abc", "72.555", "-5", ""] {
                let response = try await browser.post(path, ["score": bad, "rescoreReason": "Monitoring visit."])
                #expect(response.body.string.contains(##"href="#f-score""##), "\(bad)")
                refusals.append(response.status)
            }
            let done = try await browser.post(
                path, ["score": "62.5", "rescoreReason": "Monitoring visit in October found gaps in supervision."])

            // validate
            #expect(refusals.allSatisfy { $0 == .unprocessableEntity })
            #expect(done.status == .seeOther)
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.qualificationScore == 6_250)
            let history = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            #expect(history.events.first?.kind == .rescored)
            #expect(history.events.first?.detail.hasPrefix("From 80.00 to 62.50. Monitoring visit") == true)
            // The referral already published keeps the score its invitation was sent with; a new one takes the new.
            let kept = try await InvitationRecord.find(before["Acorn House"]!.id!, on: app.db)
            #expect(kept?.qualificationScore == 8_000)
            try await CategoryRecord.query(on: app.db).filter(\.$id == rw.category.id!).set(\.$minimumInvitees, to: 2)
                .update()
            let next = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(next.id!, actor: rw.w.officer, db: app.db, now: testNow)
            #expect(try await referrals.invitations(app, next)["Acorn House"]?.qualificationScore == 6_250)
            _ = published
            // The provider is told; a partner's officer cannot re-score.
            #expect(
                try await OutboxMessageRecord.query(on: app.db).filter(
                    \.$organisationID == rw.w.provider.organisationID
                )
                .all().contains { $0.subject == "Qualification score changed: Acorn House" })
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            #expect(
                try await officer.post(path, ["score": "90", "rescoreReason": "A partner's view."]).status == .forbidden
            )
        }
    }

    @Test("Re-scoring every 6 or 12 months is the DPS's setting; any other interval is refused by name")
    func interval() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            func settings(_ months: Int) -> DPSAdmin.DPSCommand {
                DPSAdmin.DPSCommand(
                    title: rw.w.dps.title, regime: .pcr2015, validityStart: LocalDate(iso: rw.w.dps.validityStart),
                    validityEnd: LocalDate(iso: rw.w.dps.validityEnd), shortDeadlinesAgreed: true,
                    rescoreMonths: months)
            }
            await expectInputError("rescoreMonths") {
                try await DPSAdmin.update(rw.w.dps.id!, settings(7), actor: rw.w.admin, db: app.db, now: testNow)
            }
            try await DPSAdmin.update(rw.w.dps.id!, settings(6), actor: rw.w.admin, db: app.db, now: testNow)
            let timeline = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            #expect(timeline.rescoreMonths == 6)
            #expect(ContractManagement.rescoreDue(timeline, months: 6) == LocalDate(iso: "2027-05-10"))
        }
    }

    @Test("Two re-scores at once: one is made and logged, the other is told")
    func concurrent() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let results = try await ConcurrencyTests().race(2) {
                try await ContractManagement.rescore(
                    acorn.id!, .init(score: "70", reason: "Outcomes review for the year."), actor: manager, db: app.db,
                    now: testNow)
            }
            #expect(results.filter { $0 == "ok" }.count == 1)
            let history = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            #expect(history.events.filter { $0.kind == .rescored }.count == 1)
        }
    }
}

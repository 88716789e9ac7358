import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, the annual core fee review: providers propose new weekly fees with a justification; the contract manager
/// accepts, rejects or counter-proposes each line; closing records the agreed schedule from the effective date;
/// referrals published before that date keep the old fees; the affordability cap still applies.
@Suite("Fee reviews", .serialized)
struct FeeReviewTests {
    let suspension = SuspensionTests()
    let referrals = ReferralTests()
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso + "T10:00:00Z")! }

    @Test("Proposed, countered and closed: the new fee counts only in referrals published from the effective date")
    func reviewCycle() async throws {
        try await withApp { app in
            // setup: a referral published before the review; the contract manager opens the review
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let (_, before) = try await referrals.published(app, rw)
            let line = rw.category.testContent.costLines[0]
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let cm = try await HTTPTests.Browser(app).signedIn("contracts@ws.test")
            _ = try await cm.get("/fee-reviews")
            let opened = try await cm.post(
                "/fee-reviews",
                [
                    "dps": rw.w.dps.id!.uuidString, "closesOn-day": "20", "closesOn-month": "11",
                    "closesOn-year": "2026", "effectiveFrom-day": "1", "effectiveFrom-month": "12",
                    "effectiveFrom-year": "2026",
                ])
            let path = try #require(opened.headers.first(name: .location))
            let reviewID = UUID(uuidString: String(path.dropFirst("/fee-reviews/".count)))!
            let provider = try await HTTPTests.Browser(app).signedIn("admin@acorn.test")
            let form = "\(path)/memberships/\(acorn.id!)"
            #expect(try await provider.get(form).status == .ok)

            // MUT: a short justification and an unreadable fee refused by name; then proposed
            let refused = try await provider.post(form, ["fee.\(line.key)": "lots", "justification": "more"])
            let proposed = try await provider.post(
                form, ["fee.\(line.key)": "450", "justification": "Staff pay rose 6% in April; figures attached."])
            let early = try await cm.post(path + "/close", [:])
            let decided = try await cm.post(
                path + "/decide",
                [
                    "proposal": try await FeeReviews.review(reviewID, actor: manager, db: app.db).1[0].id.uuidString,
                    "decision": "counter", "counter": "420", "note": "In line with the other providers' rises.",
                ])
            let closed = try await cm.post(path + "/close", [:])

            // validate
            #expect(refused.status == .unprocessableEntity)
            let feeID = UI.fieldID("fee.\(line.key)")
            #expect(refused.body.string.contains("href=\"#\(feeID)\""))
            #expect(refused.body.string.contains(##"href="#f-justification""##))
            #expect(proposed.status == .seeOther && early.status == .unprocessableEntity)
            #expect(decided.status == .seeOther, "\(decided.body.string.prefix(3000).suffix(1500))")
            #expect(closed.status == .seeOther)
            // The referral published before keeps £400; one published after 1 December takes the agreed £420.
            let old = try await Referrals.approved(before["Acorn House"]!, db: app.db)
            #expect(old.core[line.key] == 40_000)
            // A bid on it at the new fee is above the fees in force when it was published.
            let inv = before["Acorn House"]!
            await expectInputError("core.\(line.key)") {
                try await Referrals.bid(
                    inv.id!, form: rw.bidForm(app, invitation: inv, corePounds: 420), actor: rw.w.provider,
                    db: app.db, now: testNow)
            }
            try await CategoryRecord.query(on: app.db).filter(\.$id == rw.category.id!).set(\.$minimumInvitees, to: 2)
                .update()
            var input = rw.input(radius: 50, deadline: "2026-12-04 17:00")
            input.startDate = "2027-01-04"
            let later = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: Self.at("2026-12-02"))
            _ = try await Referrals.publish(later.id!, actor: rw.w.officer, db: app.db, now: Self.at("2026-12-02"))
            let invited = try #require(try await referrals.invitations(app, later)["Acorn House"])
            #expect(try await Referrals.approved(invited, db: app.db).core[line.key] == 42_000)
            let history = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            #expect(history.events.first?.kind == .feesChanged)
            #expect(history.events.first?.detail.contains("£400.00 to £420.00") == true)
            // Birch reads the review but not Acorn's proposals; a partner's officer reads nothing.
            #expect(try await FeeReviews.review(reviewID, actor: rw.w.otherProvider, db: app.db).1.isEmpty)
            let officer = try await HTTPTests.Browser(app).signedIn("officer@bh.test")
            #expect(try await officer.get(path).status == .notFound)
        }
    }

    @Test("A proposal over the category's affordability cap is refused; a closed window takes none")
    func capAndWindow() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let line = rw.category.testContent.costLines[0]
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let total = rw.category.testContent.costLines.count * 40_000
            try await CategoryRecord.query(on: app.db).filter(\.$id == rw.category.id!)
                .set(\.$affordabilityCapPence, to: total + 1_000).update()
            let review = try await FeeReviews.open(
                dps: rw.w.dps.id!, closesOn: LocalDate(iso: "2026-11-20"), effectiveFrom: LocalDate(iso: "2026-12-01"),
                actor: manager, db: app.db, now: testNow)
            await expectInputError("fee") {
                try await FeeReviews.propose(
                    review, membership: acorn.id!, lines: [line.key: 42_000],
                    justification: "Costs of premises rose sharply.", actor: rw.w.provider, db: app.db, now: testNow)
            }
            await expectInputError("justification") {
                try await FeeReviews.propose(
                    review, membership: acorn.id!, lines: [line.key: 40_500],
                    justification: "Costs of premises rose sharply.", actor: rw.w.provider, db: app.db,
                    now: Self.at("2026-11-21"))
            }
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7, wrong outcome 5: a URN belongs to one provider; a claim on a registered URN goes to the lead authority,
/// and nothing is admitted twice.
@Suite("URN claims", .serialized)
struct URNClaimTests {
    /// Gives Acorn House (admitted in the referral world) a URN, and returns the world.
    func world(_ app: Application) async throws -> ReferralWorld {
        let rw = try await ReferralWorld.make(app)
        rw.w.establishment.urn = "149907"
        try await rw.w.establishment.save(on: app.db)
        return rw
    }

    @Test("Upheld: the establishment moves to the claimant, the former provider's membership ends, both are told")
    func upheld() async throws {
        try await withApp { app in
            // setup
            let rw = try await world(app)
            let claimant = rw.third
            #expect(try await URNClaims.heldElsewhere("149907", actor: claimant, db: app.db) == (true, false))
            let claimID = try await URNClaims.submit(
                urn: "149907", statement: "We took over Acorn House on 1 September 2026; Ofsted registered us.",
                actor: claimant, db: app.db, now: testNow)
            #expect(try await URNClaims.heldElsewhere("149907", actor: claimant, db: app.db) == (true, true))
            // A second claim by the same provider, and a claim by the holder itself, are refused.
            let again = await expectInputError("urn") {
                _ = try await URNClaims.submit(
                    urn: "149907", statement: "Once more, the same establishment is ours.", actor: claimant,
                    db: app.db, now: testNow)
            }
            #expect(again?.kind == .conflict)
            let lead = try await URNClaims.list(actor: rw.w.admin, db: app.db)
            #expect(lead.map(\.holderName) == ["Acorn Care"])
            #expect(try await URNClaims.list(actor: claimant, db: app.db).first?.holderName == nil)
            // Only the lead authority decides; a reason is needed.
            await #expect(throws: UseCaseError.self) {
                try await URNClaims.decide(
                    claimID, uphold: true, reason: "x", actor: rw.w.officer, db: app.db, now: testNow)
            }
            await expectInputError("reason") {
                try await URNClaims.decide(
                    claimID, uphold: true, reason: "  ", actor: rw.w.admin, db: app.db, now: testNow)
            }

            // MUT
            try await URNClaims.decide(
                claimID, uphold: true, reason: "Ofsted confirms the new registration", actor: rw.w.admin, db: app.db,
                now: testNow)

            // validate
            let moved = try await EstablishmentRecord.find(rw.w.establishment.id!, on: app.db)!
            #expect(moved.$organisation.id == claimant.organisationID)
            let membership = try await MembershipRecord.find(rw.memberships["Acorn House"]!.id!, on: app.db)!
            #expect(membership.state == MembershipState.removed.rawValue)
            #expect(try await EstablishmentRecord.query(on: app.db).filter(\.$urn == "149907").count() == 1)
            let told = try await OutboxMessageRecord.query(on: app.db).all().map(\.subject)
            #expect(told.contains("Your claim to URN 149907 is upheld"))
            #expect(told.contains("URN 149907 has moved to another provider"))
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "urn_claim.upheld").count() == 1)
            // The new proprietor qualifies on its own account: admitted afresh in the ended membership's row.
            let record = try await rw.w.application(app, codes: ["sen-inmss"], actor: claimant, establishment: moved)
            try await rw.w.scoreAll(app, record)
            let part = try await rw.w.parts(app, record)["sen-inmss"]!
            try await Assessment.decide(
                record.id!, partID: part.id!, .init(decision: .admit), actor: rw.w.evaluator, db: app.db, now: testNow)
            let readmitted = try await MembershipRecord.query(on: app.db)
                .filter(\.$establishment.$id == moved.id!).all()
            #expect(readmitted.map(\.state) == ["active"])
            #expect(readmitted.first?.$organisation.id == claimant.organisationID)
            // Decided once: a second decision is refused.
            let second = await expectInputError("reason") {
                try await URNClaims.decide(
                    claimID, uphold: false, reason: "No", actor: rw.w.admin, db: app.db, now: testNow)
            }
            #expect(second?.kind == .conflict)
        }
    }

    @Test("Rejected: nothing moves; a second lead authority neither sees nor decides the claim")
    func rejectedAndScoped() async throws {
        try await withApp { app in
            // setup
            let rw = try await world(app)
            let claimID = try await URNClaims.submit(
                urn: "149907", statement: "We believe this school is ours since the summer.", actor: rw.third,
                db: app.db, now: testNow)
            let secondLead = Organisation(kind: OrganisationKind.leadAuthority.rawValue, name: "Kent")
            try await secondLead.create(on: app.db)
            let user = User(
                organisationID: secondLead.id!, email: "admin@kent.test", name: "Kent admin", role: "dps_admin",
                passwordHash: "x")
            try await user.create(on: app.db)
            let kent = Actor(
                userID: user.id!, name: "Kent admin", email: user.email, role: .dpsAdmin,
                organisationID: secondLead.id!, organisationKind: .leadAuthority, organisationName: "Kent")
            #expect(try await URNClaims.list(actor: kent, db: app.db).isEmpty)
            do {
                try await URNClaims.decide(
                    claimID, uphold: true, reason: "Mine now", actor: kent, db: app.db, now: testNow)
                Issue.record("another lead authority decided the claim")
            } catch let error as UseCaseError { #expect(error.kind == .notFound) }

            // MUT
            try await URNClaims.decide(
                claimID, uphold: false, reason: "Ofsted lists Acorn Care as the provider", actor: rw.w.admin,
                db: app.db, now: testNow)

            // validate
            let kept = try await EstablishmentRecord.find(rw.w.establishment.id!, on: app.db)!
            #expect(kept.$organisation.id == rw.w.provider.organisationID)
            #expect(try await MembershipRecord.find(rw.memberships["Acorn House"]!.id!, on: app.db)!.state == "active")
            #expect(try await URNClaims.list(actor: rw.third, db: app.db).first?.state == .rejected)
        }
    }

    @Test("Pages: the add form offers the claim for a held URN; the lead authority decides it on its page")
    func pages() async throws {
        try await withApp { app in
            // setup
            let rw = try await world(app)
            let cedar = HTTPTests.Browser(app)
            try await cedar.signIn("admin@cedar.test")

            // MUT: the add page for a held URN shows the claim form instead of a second copy
            let page = try await cedar.get("/provider/establishments/new?urn=149907")
            #expect(page.body.string.contains("URN 149907 is registered to another provider"))
            let short = try await cedar.post(
                "/provider/establishments/claims", ["urn": "149907", "statement": "ours"])
            #expect(short.status == .unprocessableEntity)
            #expect(short.body.string.contains("Say why the establishment is yours"))
            let sent = try await cedar.post(
                "/provider/establishments/claims",
                ["urn": "149907", "statement": "We took it over on 1 September 2026 (Ofsted SC registration)."])
            #expect(sent.status == .seeOther)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            let claims = try await admin.get("/admin/urn-claims")
            #expect(claims.body.string.contains("Cedar Trust"))
            #expect(claims.body.string.contains("This cannot be undone"))
            let claimID = try await URNClaimRecord.query(on: app.db).first()!.id!
            let noChoice = try await admin.post("/admin/urn-claims/\(claimID)", ["reason": "Checked"])
            #expect(noChoice.status == .unprocessableEntity)
            let decided = try await admin.post(
                "/admin/urn-claims/\(claimID)", ["decision": "uphold", "reason": "Checked with Ofsted"])

            // validate
            #expect(decided.status == .seeOther)
            let after = try await cedar.get("/provider/establishments")
            #expect(after.body.string.contains("Acorn House"))
            #expect(after.body.string.contains("Upheld"))
            _ = rw
        }
    }
}

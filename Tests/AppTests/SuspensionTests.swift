import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9: the lead's contract manager suspends a membership for every partner at once, with a reason; the
/// provider and partners are told; it is not invited to new referrals and its bid in a referral open for bids is
/// set aside when bids close; reinstatement lifts it. No partner suspends on its own.
@Suite("Suspension and reinstatement", .serialized)
struct SuspensionTests {
    let referrals = ReferralTests()
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    func contractManager(_ app: Application, _ w: World, email: String = "contracts@ws.test") async throws -> Actor {
        let user = User(
            organisationID: w.admin.organisationID, email: email, name: "Casey Contracts",
            role: Role.contractManager.rawValue, passwordHash: try app.password.hash(World.password))
        try await user.create(on: app.db)
        return Actor(
            userID: user.id!, name: user.name, email: email, role: .contractManager,
            organisationID: w.admin.organisationID, organisationKind: .leadAuthority,
            organisationName: w.admin.organisationName)
    }

    func membership(_ app: Application, _ rw: ReferralWorld, _ e: EstablishmentRecord) async throws
        -> MembershipRecord
    {
        try #require(
            try await MembershipRecord.query(on: app.db).filter(\.$establishment.$id == e.id!)
                .filter(\.$category.$id == rw.category.id!).first())
    }

    @Test("A suspension reaches every partner, sets aside the open referral's bid, and stops new invitations")
    func suspendAndReinstate() async throws {
        try await withApp { app in
            // setup: a published referral all three bid on; the contract manager signed in
            let rw = try await ReferralWorld.make(app)
            let manager = try await contractManager(app, rw.w)
            let acorn = try await membership(app, rw, rw.w.establishment)
            let (r, inv) = try await referrals.published(app, rw)
            for (name, actor) in [("Acorn House", rw.w.provider), ("Birch School", rw.w.otherProvider)] {
                try await Referrals.bid(
                    inv[name]!.id!, form: rw.bidForm(app, invitation: inv[name]!, corePounds: 380), actor: actor,
                    db: app.db, now: testNow)
            }
            let browser = HTTPTests.Browser(app)
            try await browser.signIn("contracts@ws.test")
            _ = try await browser.get("/memberships/\(acorn.id!)")
            let messagesBefore = try await OutboxMessageRecord.query(on: app.db).count()

            // MUT: a suspension without a reason is refused by name; with one, it is made
            let refused = try await browser.post(
                "/memberships/\(acorn.id!)/suspend", ["scope": "membership", "detail": "short"])
            let done = try await browser.post(
                "/memberships/\(acorn.id!)/suspend",
                ["scope": "membership", "reason": "insurance", "detail": "The public liability insurance lapsed."])

            // validate
            #expect(refused.status == .unprocessableEntity)
            #expect(
                refused.body.string.contains(##"href="#f-reason""##)
                    && refused.body.string.contains(##"href="#f-detail""##))
            #expect(done.status == .seeOther)
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.state == "suspended")
            let messages = try await OutboxMessageRecord.query(on: app.db).sort(\.$createdAt).all().dropFirst(
                messagesBefore)
            #expect(
                messages.contains {
                    $0.organisationID == rw.w.provider.organisationID && $0.body.contains("current certificate")
                })
            #expect(
                messages.contains {
                    $0.organisationID == rw.w.officer.organisationID && $0.body.contains("Acorn House")
                })
            #expect(messages.contains { $0.body.contains("1 referral still open will be set aside") })
            // The API gives each membership's URN, state and the reason of its latest change.
            let token = try await HTTPTests().token(app, "officer@bh.test")
            let rows = try await HTTPTests().api(app, .GET, "/api/v1/memberships?state=suspended", token: token)
                .content.decode([Queries.MembershipRow].self)
            #expect(rows.map(\.id) == [acorn.id!] && rows.first?.stateReason == "insurance")
            #expect(rows.first?.urn == rw.w.establishment.urn)
            let page = try await browser.get("/memberships/\(acorn.id!)").body.string
            #expect(
                page.contains("Insurance lapsed: The public liability insurance lapsed.") && page.contains("Reinstate"))
            // The provider reads why, and what lifts it.
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            let own = try await provider.get("/memberships/\(acorn.id!)").body.string
            #expect(own.contains("send the contract manager only this evidence: a current certificate"))
            #expect(!own.contains("Suspend for every partner"))

            // The open referral: Acorn's bid is set aside when bids close; Birch is ranked.
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
            let closed = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            let evaluation = try await Referrals.evaluate(closed, db: app.db)
            let acornBid = try #require(
                try await BidRecord.query(on: app.db).filter(\.$invitation.$id == inv["Acorn House"]!.id!).first())
            #expect(
                evaluation.result.nonCompliant.contains {
                    $0.id == acornBid.id!.uuidString && $0.reasons == [.membershipSuspended]
                })
            #expect(!evaluation.result.ranking.contains { $0.id == acornBid.id!.uuidString })
            #expect(evaluation.unscored.allSatisfy { $0.id != acornBid.id })
            // A new referral does not invite it.
            try await CategoryRecord.query(on: app.db).filter(\.$id == rw.category.id!).set(\.$minimumInvitees, to: 2)
                .update()
            let next = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(next.id!, actor: rw.w.officer, db: app.db, now: testNow)
            #expect(try await referrals.invitations(app, next)["Acorn House"] == nil)

            // MUT: reinstated, after bids closed
            app.clock = .fixed(afterDeadline)
            try await browser.signIn("contracts@ws.test")  // two days on, the session has expired
            _ = try await browser.get("/memberships/\(acorn.id!)")
            let lifted = try await browser.post(
                "/memberships/\(acorn.id!)/reinstate", ["reinstateReason": "A current certificate to 2027-11-30."])
            #expect(lifted.status == .seeOther && lifted.headers.first(name: .location) == "/memberships/\(acorn.id!)")
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.state == "active")
            let history = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            #expect(history.events.map(\.kindCode).prefix(2) == ["reinstated", "suspended"])
            // The closed referral keeps its evaluation: the suspension was in force when bids closed.
            let again = try await Referrals.evaluate(closed, db: app.db)
            #expect(again.result.nonCompliant.contains { $0.id == acornBid.id!.uuidString })
        }
    }

    @Test("Only the lead's contract manager suspends: a partner's officer is refused, another lead sees nothing")
    func onlyTheLead() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            _ = try await contractManager(app, rw.w)
            let acorn = try await membership(app, rw, rw.w.establishment)
            let form = ["scope": "membership", "reason": "safeguarding", "detail": "A concern raised by a partner."]
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            #expect(try await officer.get("/memberships/\(acorn.id!)").status == .ok)  // partners read it
            #expect(try await officer.post("/memberships/\(acorn.id!)/suspend", form).status == .forbidden)
            let other = Actor(
                userID: UUID(), name: "Hants", email: "contracts@hants.test", role: .contractManager,
                organisationID: UUID(), organisationKind: .leadAuthority, organisationName: "Hampshire")
            await #expect(throws: UseCaseError.self) {
                try await ContractManagement.suspend(
                    .init(scope: .membership(acorn.id!), reason: .safeguardingConcern, detail: "A concern raised."),
                    actor: other, db: app.db, now: testNow)
            }
            await #expect(throws: UseCaseError.self) {
                _ = try await ContractManagement.timeline(acorn.id!, actor: other, db: app.db)
            }
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.state == "active")
            // PCR 2015 has no exclusion status.
            let manager = try await contractManager(app, rw.w, email: "contracts2@ws.test")
            await #expect(throws: UseCaseError.self) {
                try await ContractManagement.suspend(
                    .init(
                        scope: .membership(acorn.id!), reason: .other, detail: "A debarment notice.",
                        exclusion: .excluded), actor: manager, db: app.db, now: testNow)
            }
        }
    }

    @Test("Evidence sent, a re-score or a new inspection after a suspension does not lift it for the bids")
    func laterEventsKeepItSetAside() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await contractManager(app, rw.w)
            let acorn = try await membership(app, rw, rw.w.establishment)
            let (r, inv) = try await referrals.published(app, rw)
            try await Referrals.bid(
                inv["Acorn House"]!.id!, form: rw.bidForm(app, invitation: inv["Acorn House"]!, corePounds: 380),
                actor: rw.w.provider, db: app.db, now: testNow)
            try await ContractManagement.suspend(
                .init(scope: .membership(acorn.id!), reason: .insuranceLapsed, detail: "The insurance lapsed."),
                actor: manager, db: app.db, now: testNow)
            // MUT: later events of other kinds, all before the deadline
            try await ContractManagement.respond(
                acorn.id!, statement: "Our renewed certificate is attached.",
                file: .init(filename: "c.pdf", contentType: nil, data: Data("c".utf8)), actor: rw.w.provider,
                db: app.db, now: testNow.addingTimeInterval(60))
            try await ContractManagement.rescore(
                acorn.id!, .init(score: "75", reason: "Outcomes review for the year."), actor: manager, db: app.db,
                now: testNow.addingTimeInterval(120))
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
            let closed = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            let evaluation = try await Referrals.evaluate(closed, db: app.db)
            #expect(evaluation.result.nonCompliant.contains { $0.reasons == [.membershipSuspended] })
        }
    }

    @Test("Two suspensions of one membership at once make one, logged once")
    func concurrent() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await contractManager(app, rw.w)
            let acorn = try await membership(app, rw, rw.w.establishment)
            let results = try await ConcurrencyTests().race(2) {
                try await ContractManagement.suspend(
                    .init(scope: .membership(acorn.id!), reason: .insuranceLapsed, detail: "Insurance lapsed today."),
                    actor: manager, db: app.db, now: testNow)
            }
            #expect(results.filter { $0 == "ok" }.count == 1)
            let events = try await app.db.sql().raw(
                """
                SELECT COUNT(*) AS n FROM membership_events
                WHERE membership_id = \(bind: acorn.id!) AND kind = 'suspended'
                """
            ).first()
            #expect(try events?.decode(column: "n", as: Int.self) == 1)
        }
    }

    @Test(
        """
        The provider answers with its evidence alone; the manager reads it and keeps the suspension with reasons; \
        partners and other providers cannot read the document
        """
    )
    func providerResponds() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await contractManager(app, rw.w)
            let acorn = try await membership(app, rw, rw.w.establishment)
            try await ContractManagement.suspend(
                .init(scope: .membership(acorn.id!), reason: .insuranceLapsed, detail: "The insurance lapsed."),
                actor: manager, db: app.db, now: testNow)
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            let page = try await provider.get("/memberships/\(acorn.id!)").body.string
            #expect(page.contains("Send the evidence") && page.contains(#"enctype="multipart/form-data""#))
            let certificate = Data("%PDF-1.4 certificate to 2027".utf8)
            app.clock = .fixed(testNow + 60)  // the events a minute apart, so their order is plain

            // MUT: no document is refused by name; with one, it is kept and the managers are told
            let missing = try await provider.postFile(
                "/memberships/\(acorn.id!)/respond", ["statement": "Our renewed certificate."],
                file: ("evidence", "", Data()))
            let sent = try await provider.postFile(
                "/memberships/\(acorn.id!)/respond", ["statement": "Our renewed certificate."],
                file: ("evidence", "insurance.pdf", certificate))

            // validate
            #expect(missing.status == .unprocessableEntity && missing.body.string.contains(##"href="#f-evidence""##))
            #expect(sent.status == .seeOther)
            #expect(
                try await OutboxMessageRecord.query(on: app.db).filter(\.$organisationID == rw.w.admin.organisationID)
                    .filter(\.$subject == "Evidence to review: Acorn House").count() == 1)
            let browser = HTTPTests.Browser(app)
            try await browser.signIn("contracts@ws.test")
            let review = try await browser.get("/memberships/\(acorn.id!)").body.string
            #expect(review.contains("Our renewed certificate.") && review.contains("insurance.pdf"))
            let timeline = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            let response = try #require(
                try await ContractManagement.responses(timeline, actor: manager, db: app.db).first)
            let file = try await browser.get("/memberships/\(acorn.id!)/responses/\(response.id)")
            #expect(file.status == .ok && file.body.string == "%PDF-1.4 certificate to 2027")
            #expect(file.headers.first(name: .cacheControl) == "no-store")
            // A partner council reads the membership but not the provider's documents; another provider neither.
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            #expect(!(try await officer.get("/memberships/\(acorn.id!)").body.string.contains("insurance.pdf")))
            #expect(try await officer.get("/memberships/\(acorn.id!)/responses/\(response.id)").status == .notFound)
            let birch = HTTPTests.Browser(app)
            try await birch.signIn("admin@birch.test")
            #expect(try await birch.get("/memberships/\(acorn.id!)/responses/\(response.id)").status == .notFound)

            // MUT: the manager keeps the suspension, saying why
            app.clock = .fixed(testNow + 120)
            let kept = try await browser.post(
                "/memberships/\(acorn.id!)/keep", ["keepReason": "The certificate does not cover public liability."])

            // validate
            #expect(kept.status == .seeOther)
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.state == "suspended")
            let kinds = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db).events.map(
                \.kindCode)
            #expect(kinds.prefix(3) == ["kept", "responded", "suspended"])
            #expect(
                try await OutboxMessageRecord.query(on: app.db).filter(
                    \.$organisationID == rw.w.provider.organisationID
                )
                .filter(\.$subject == "Suspension kept: Acorn House").count() == 1)
        }
    }

    @Test("The master log narrows by partner area, says why a membership is suspended, and exports as CSV")
    func masterLog() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await contractManager(app, rw.w)
            for (id, gss) in [(rw.w.admin.organisationID, "E10000032"), (rw.w.officer.organisationID, "E06000043")] {
                try await Organisation.query(on: app.db).filter(\.$id == id).set(\.$gssCode, to: gss).update()
            }
            let acorn = try await membership(app, rw, rw.w.establishment)
            try await ContractManagement.suspend(
                .init(scope: .membership(acorn.id!), reason: .insuranceLapsed, detail: "The insurance lapsed."),
                actor: manager, db: app.db, now: testNow)
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")

            let all = try await officer.get("/memberships").body.string
            let brighton = try await officer.get("/memberships?area=E06000043").body.string
            let unknown = try await officer.get("/memberships?area=E99999999")
            let csv = try await officer.get("/memberships.csv?area=E10000032")
            let fostering = rw.w.categories["fostering"]!.id!
            let inFostering = try await officer.get("/memberships?category=\(fostering)").body.string
            let inSEN = try await officer.get("/memberships?category=\(rw.category.id!)").body.string
            let strange = try await officer.get("/memberships?category=\(UUID())")

            #expect(all.contains(#"<option value="E06000043">Brighton and Hove</option>"#))
            #expect(all.contains("Suspended: Insurance lapsed"))
            #expect(brighton.contains("Birch School") && !brighton.contains("Acorn House"))
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains("Choose a partner area"))
            #expect(csv.status == .ok && csv.headers.first(name: .contentDisposition)?.contains("E10000032") == true)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("Establishment,URN,Provider,Category") == true)
            #expect(lines.contains { $0.hasPrefix("Acorn House,") && $0.contains(",suspended,Insurance lapsed,") })
            #expect(!lines.contains { $0.hasPrefix("Birch School,") })
            // Narrowed by category: every membership is in the SEN category; a category of no DPS is refused.
            #expect(!inFostering.contains("Acorn House") && inSEN.contains("Acorn House"))
            #expect(strange.status == .unprocessableEntity && strange.body.string.contains("Choose a category"))
        }
    }
}

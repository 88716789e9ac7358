import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// A referral world: three SEN memberships at known distances from a child in Horsham (RH12):
/// Acorn House in RH12 (under a mile), Birch School in Brighton (about 18 miles), Cedar in Medway (about 45 miles).
struct ReferralWorld {
    var w: World
    var category: CategoryRecord
    var memberships: [String: MembershipRecord] = [:]
    var third: Actor

    static func make(_ app: Application) async throws -> ReferralWorld {
        let w = try await World.make(app)
        let category = w.categories["sen-inmss"]!
        let p3 = Organisation(kind: "provider", name: "Cedar Trust")
        try await p3.create(on: app.db)
        let u = User(
            organisationID: p3.id!, email: "admin@cedar.test", name: "Cedar", role: "provider_admin",
            passwordHash: try app.password.hash(World.password))
        try await u.create(on: app.db)
        let third = Actor(
            userID: u.id!, name: "Cedar", email: u.email, role: .providerAdmin, organisationID: p3.id!,
            organisationKind: .provider, organisationName: p3.name)
        let cedar = try await ProviderUseCases.addEstablishment(
            World.establishmentInput(name: "Cedar School", judgement: "Good", postcode: "ME1 1AA"), actor: third,
            db: app.db, now: testNow)
        var rw = ReferralWorld(w: w, category: category, third: third)
        for (name, est, score) in [
            ("Acorn House", w.establishment, 8000), ("Birch School", w.otherEstablishment, 7000),
            ("Cedar School", cedar, 9000),
        ] {
            let m = MembershipRecord()
            m.$dps.id = w.dps.id!
            m.$category.id = category.id!
            m.$establishment.id = est.id!
            m.$organisation.id = est.$organisation.id
            m.state = "active"
            m.qualificationScore = score
            // £360 a week in all
            m.coreCostsJSON = Audit.encode(
                Dictionary(uniqueKeysWithValues: category.testContent.costLines.map { ($0.key, 40_000) }))
            m.discountsJSON = Audit.encode(["2": 500, "3": 1000])
            m.admittedAt = testNow
            try await m.create(on: app.db)
            rw.memberships[name] = m
        }
        try await DPSAdmin.upsertPartner(
            w.dps.id!,
            .init(
                gssCode: "E06000043", name: "Brighton and Hove", categories: [category.id!], isJoiner: false),
            actor: w.admin, db: app.db, now: testNow)
        return rw
    }

    func input(
        radius: Int = 30, deadline: String = "2026-11-12 17:00", parentChoice: Bool = true,
        weights: [String: String]? = nil
    ) -> Referrals.Input {
        Referrals.Input(
            category: category.id!.uuidString, kind: "spot", pattern: "residential52", startDate: "2026-12-01",
            durationWeeks: "52", children: "1",
            childAge: "12", childGender: "girl", homePostcode: "RH12 1XH",
            childDetails: "Jane Doe, born 2014-03-02, case 12345",
            needs: "Autism spectrum condition | 2\nSpeech and language support", mustHaves: "Waking night staff",
            desirables: "",
            outcomes: "Attend school every day\nBuild friendships", radiusMiles: String(radius), deadline: deadline,
            parentChoice: parentChoice ? "yes" : "no", weights: weights)
    }

    func bidForm(
        _ app: Application, invitation: InvitationRecord, corePounds: Int = 400, needs: [String] = ["n1", "n2"],
        must: Bool = true, discount: String = "0"
    ) -> [String: String] {
        var form: [String: String] = [
            "outcomesStatement": "We will agree a daily routine and track attendance weekly.", "discount": discount,
        ]
        for line in category.testContent.costLines { form["core.\(line.key)"] = String(corePounds) }
        for n in needs { form["need.\(n)"] = "yes" }
        if must { form["must.m1"] = "yes" }
        return form
    }
}

@Suite("Referrals", .serialized)
struct ReferralTests {
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    /// A referral within 50 miles, published: all three establishments are invited.
    func published(_ app: Application, _ rw: ReferralWorld) async throws -> (ReferralRecord, [String: InvitationRecord])
    {
        let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
        _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
        return (r, try await invitations(app, r))
    }

    func invitations(_ app: Application, _ r: ReferralRecord) async throws -> [String: InvitationRecord] {
        let all = try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == r.id!).with(\.$establishment)
            .all()
        return Dictionary(uniqueKeysWithValues: all.map { ($0.establishment.name, $0) })
    }

    @Test("Publishing invites every active membership within the radius, at once, and freezes the list")
    func publish() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 30), actor: rw.w.officer, db: app.db, now: testNow)
            try await CategoryRecord.query(on: app.db).filter(\.$id == rw.category.id!).set(\.$minimumInvitees, to: 2)
                .update()
            let loaded = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            #expect(try await Referrals.preview(loaded, db: app.db).eligible == 2)

            // MUT
            let count = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)

            // validate
            #expect(count == 2)
            let invited = try await invitations(app, r)
            #expect(Set(invited.keys) == ["Acorn House", "Birch School"])
            #expect(invited["Acorn House"]!.distanceMiles < 1 && invited["Birch School"]!.qualificationScore == 7000)
            #expect(invited.values.allSatisfy { $0.invitedAt == testNow })
            let messages = try await OutboxMessageRecord.query(on: app.db).filter(\.$subject ~~ "New referral").all()
            #expect(
                Set(messages.compactMap(\.organisationID)) == [
                    rw.w.provider.organisationID, rw.w.otherProvider.organisationID,
                ])
            // data minimisation
            #expect(messages.allSatisfy { !$0.body.contains("RH12 1XH") && !$0.body.contains("Jane") })
            #expect(
                try await AuditEventRecord.query(on: app.db).filter(\.$action == "referral.published").first()?
                    .afterJSON.contains(rw.w.establishment.id!.uuidString) == true)
            // The list is frozen: republishing is refused.
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            }
        }
    }

    @Test("Below the category's minimum, publishing is refused and the radius that reaches it is proposed")
    func minimum() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 10), actor: rw.w.officer, db: app.db, now: testNow)
            let loaded = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            let preview = try await Referrals.preview(loaded, db: app.db)
            #expect(preview.eligible == 1 && preview.minimum == 3)
            let proposed = try #require(preview.proposedRadius)
            #expect(proposed >= 40 && proposed <= 50)  // Medway is about 45 miles from Horsham
            let error = await expectInputError("radiusMiles") {
                _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            }
            #expect(error?.errors.first?.message.contains("Widen the radius to \(Int(proposed)) miles") == true)
            #expect(try await InvitationRecord.query(on: app.db).count() == 0)
            try await Referrals.setRadius(r.id!, miles: proposed, actor: rw.w.officer, db: app.db, now: testNow)
            #expect(try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow) == 3)
        }
    }

    @Test("Referral input is validated, naming the field and the rule")
    func validation() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            var input = rw.input(weights: [
                "price": "75", "coreCompetency": "10", "outcomes": "5", "needs": "5", "location": "5",
                "desirables": "0", "incentives": "0",
            ])
            input.homePostcode = "nowhere"
            let error = await expectInputError("weights.price") {
                _ = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: testNow)
            }
            #expect(error?.errors.contains { $0.field == "homePostcode" } == true)
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.create(rw.input(), actor: rw.w.provider, db: app.db, now: testNow)
            }
            #expect(try await ReferralRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("Bids are sealed until the deadline; core costs can be lowered, never raised; late changes are refused")
    func sealedBids() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let inv = try await invitations(app, r)
            let acorn = inv["Acorn House"]!
            await expectInputError("core.premises") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn, corePounds: 401), actor: rw.w.provider,
                    db: app.db, now: testNow)
            }
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn, corePounds: 380), actor: rw.w.provider, db: app.db,
                now: testNow)
            // Another provider cannot use this invitation; the officer sees nothing before the deadline.
            await #expect(throws: UseCaseError.self) {
                try await Referrals.bid(acorn.id!, form: [:], actor: rw.w.otherProvider, db: app.db, now: testNow)
            }
            let loaded = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            #expect(try await Referrals.openedBids(loaded, db: app.db).isEmpty)
            await expectInputError("deadline") {
                try await Referrals.closeOnDemand(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            }
            // Revise, then the deadline passes: nothing more is accepted.
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn, corePounds: 370), actor: rw.w.provider, db: app.db,
                now: testNow.addingTimeInterval(3600))
            #expect(try await BidRecord.query(on: app.db).first()?.weeklyCostPence == 9 * 37_000)
            await expectInputError("deadline") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db,
                    now: afterDeadline)
            }
            await expectInputError("deadline") {
                try await Referrals.withdraw(acorn.id!, actor: rw.w.provider, db: app.db, now: afterDeadline)
            }
            // The job closes it; then the officer sees the bid.
            #expect(try await Referrals.closeDue(db: app.db, now: afterDeadline) == 1)
            #expect(try await Referrals.closeDue(db: app.db, now: afterDeadline) == 0)
            let closed = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            #expect(try await Referrals.openedBids(closed, db: app.db).count == 1)
        }
    }

    @Test("Sibling groups: the discount is never below the published tier and the weekly cost covers every child")
    func siblings() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            var input = rw.input(radius: 50)
            input.children = "2"
            let r = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let acorn = try await invitations(app, r)["Acorn House"]!
            await expectInputError("discount") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn, discount: "4"), actor: rw.w.provider,
                    db: app.db, now: testNow)
            }
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn, discount: "5"), actor: rw.w.provider, db: app.db,
                now: testNow)
            #expect(try await BidRecord.query(on: app.db).first()?.weeklyCostPence == 2 * 9 * 40_000 * 95 / 100)
        }
    }

    /// Publishes, has all three bid, closes and records outcomes consensus scores.
    func competed(
        _ app: Application, _ rw: ReferralWorld, parentChoice: Bool = true,
        pounds: [String: Int] = ["Acorn House": 400, "Birch School": 380, "Cedar School": 390],
        outcomes: [String: Int] = ["Acorn House": 4, "Birch School": 4, "Cedar School": 4]
    ) async throws -> (ReferralRecord, [String: InvitationRecord]) {
        let r = try await Referrals.create(
            rw.input(radius: 50, parentChoice: parentChoice), actor: rw.w.officer, db: app.db, now: testNow)
        _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
        let inv = try await invitations(app, r)
        for (name, actor) in [
            ("Acorn House", rw.w.provider), ("Birch School", rw.w.otherProvider), ("Cedar School", rw.third),
        ] {
            try await Referrals.bid(
                inv[name]!.id!, form: rw.bidForm(app, invitation: inv[name]!, corePounds: pounds[name]!), actor: actor,
                db: app.db, now: testNow)
        }
        _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
        for (name, score) in outcomes {
            let bid = try await BidRecord.query(on: app.db).filter(\.$invitation.$id == inv[name]!.id!).first()!
            try await Referrals.scoreBid(
                r.id!, bidID: bid.id!,
                .init(
                    criterion: .outcomes, score: score, comment: "Clear plan",
                    consensus: true), actor: rw.w.officer, db: app.db, now: afterDeadline)
        }
        return (try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db), inv)
    }

    @Test("Evaluation follows §7: price against the lowest, qualification score frozen at publication, distance bands")
    func evaluation() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await competed(app, rw)
            let evaluation = try await Referrals.evaluate(r, db: app.db)
            #expect(evaluation.unscored.isEmpty)
            func ranked(_ name: String) -> RankedBid {
                let bid = evaluation.bids.values.first { $0.invitationID == inv[name]!.id! }!
                return evaluation.result.ranking.first { $0.id == bid.id.uuidString }!
            }
            // Birch is cheapest (9 × £380): full price points; Acorn 50 × 380/400 = 47.50.
            #expect(ranked("Birch School").points.price.description == "50.00")
            #expect(ranked("Acorn House").points.price.description == "47.50")
            #expect(ranked("Acorn House").points.coreCompetency.description == "16.00")
            #expect(ranked("Acorn House").points.location.description == "5.00")  // under 10 miles
            #expect(ranked("Birch School").points.location.description == "4.00")  // 10 to 20 miles
            #expect(ranked("Cedar School").points.location.description == "1.00")  // 40 to 50 miles
            #expect(ranked("Acorn House").points.outcomes.description == "12.00")
            #expect(ranked("Acorn House").points.needs.description == "10.00")
            let totals = evaluation.result.ranking.map(\.total.description)
            #expect(totals == totals.sorted(by: >))
        }
    }

    @Test(
        """
        Parent choice: a private link shows the shortlist; a wrong or expired link is refused; \
        the officer awards the preference
        """
    )
    func parentChoice() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            // Acorn 47.50+16+12+10+5 = 90.50; Birch 50+14+12+10+4 = 90.00; Cedar 48.72+18+12+10+1 = 89.72:
            // all within 5 points.
            let (r, inv) = try await competed(app, rw)
            let token = try await Referrals.askParent(
                r.id!, replyBy: Referrals.parseDeadline("2026-11-20 17:00"), actor: rw.w.officer, db: app.db,
                now: afterDeadline)
            let shortlist: [String] =
                try Referrals.decode(try await ReferralRecord.find(r.id!, on: app.db)!.parentShortlistJSON) ?? []
            #expect(shortlist.count == 3)
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.forParent(token: token + "x", db: app.db, now: afterDeadline)
            }
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.forParent(
                    token: token, db: app.db, now: ISO8601DateFormatter().date(from: "2026-11-21T12:00:00Z")!)
            }
            // Not yet answered, before the reply deadline: award waits.
            await expectInputError("award") {
                _ = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            }
            let birchBid = try await BidRecord.query(on: app.db).filter(\.$invitation.$id == inv["Birch School"]!.id!)
                .first()!
            await expectInputError("choice") {
                try await Referrals.recordPreference(
                    token: token, bidID: UUID().uuidString, reason: nil, db: app.db, now: afterDeadline)
            }
            try await Referrals.recordPreference(
                token: token, bidID: birchBid.id!.uuidString, reason: "Closer to her grandmother", db: app.db,
                now: afterDeadline)
            // The officer's page names the setting the parent chose.
            let officerPage = HTTPTests.Browser(app)
            officerPage.signsInAgain = true
            try await officerPage.signIn("officer@bh.test")
            let waiting = try await officerPage.get("/referrals/\(r.id!)").body.string
            #expect(waiting.contains("The parent or carer prefers Birch School"))
            let placement = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            #expect(placement.bidID == birchBid.id && placement.providerID == rw.w.otherProvider.organisationID)
            #expect(
                placement.weeklyFeePence == 9 * 38_000
                    && placement.contractName == "National Schools and Colleges Contract")
            // Every bidder hears its own result with the winning score.
            let messages = try await OutboxMessageRecord.query(on: app.db).filter(\.$subject ~~ "REF-00001").all()
            #expect(
                messages.contains {
                    $0.organisationID == rw.w.otherProvider.organisationID && $0.subject.contains("awarded")
                })
            let acornMessage = try #require(
                messages.first {
                    $0.organisationID == rw.w.provider.organisationID && $0.subject.contains("not awarded")
                })
            #expect(
                acornMessage.body.contains("The winning bid scored 90.00") && acornMessage.body.contains("rank 1 of 3"))
            // Every bidder is told how the award was decided: here the parent's choice within the band.
            let basis = "The parent or carer chose the setting from the"
            #expect(messages.filter { $0.subject.contains("awarded") }.allSatisfy { $0.body.contains(basis) })
            // The awarded referral's page says who won and why; the losing bidder's page says how, and no longer
            // that its bid is sealed.
            let awarded = try await officerPage.get("/referrals/\(r.id!)").body.string
            #expect(awarded.contains("Awarded to Birch School (rank 2 of 3") && awarded.contains(basis))
            let acorn = HTTPTests.Browser(app)
            acorn.signsInAgain = true
            try await acorn.signIn("admin@acorn.test")
            let result = try await acorn.get("/provider/invitations/\(inv["Acorn House"]!.id!)").body.string
            #expect(result.contains("How the award was decided") && result.contains(basis))
            #expect(!result.contains("It is sealed"))
        }
    }

    @Test("Without a shortlist, or without a preference, the top bid is awarded; two awards at once make exactly one")
    func awardOnce() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await competed(
                app, rw, parentChoice: false, outcomes: ["Acorn House": 5, "Birch School": 1, "Cedar School": 1])
            await expectInputError("parent") {
                _ = try await Referrals.askParent(
                    r.id!, replyBy: Referrals.parseDeadline("2026-11-20 17:00"), actor: rw.w.officer, db: app.db,
                    now: afterDeadline)
            }
            async let first = try? Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            async let second = try? Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            let results = await [first, second]
            #expect(results.compactMap { $0 }.count == 1)
            #expect(try await PlacementRecord.query(on: app.db).count() == 1)
            let placement = try await PlacementRecord.query(on: app.db).first()!
            #expect(placement.$establishment.id == inv["Acorn House"]!.$establishment.id)
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.state == "awarded")
            await expectInputError("state") {
                _ = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            }
        }
    }

    @Test("The agreement: child details go to the awarded provider only; both sides accept once")
    func agreement() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, _) = try await competed(
                app, rw, parentChoice: false, outcomes: ["Acorn House": 5, "Birch School": 1, "Cedar School": 1])
            let placement = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            _ = try await Referrals.placement(placement.id!, actor: rw.w.provider, db: app.db)
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.placement(placement.id!, actor: rw.w.otherProvider, db: app.db)
            }
            try await Referrals.accept(placement.id!, actor: rw.w.provider, db: app.db, now: afterDeadline)
            try await Referrals.accept(placement.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            await expectInputError("accept") {
                try await Referrals.accept(placement.id!, actor: rw.w.provider, db: app.db, now: afterDeadline)
            }
            let accepted = try await PlacementRecord.find(placement.id!, on: app.db)!
            #expect(accepted.providerAcceptedAt != nil && accepted.authorityAcceptedAt != nil)
        }
    }

    @Test("No bids: re-issue as a linked round with a wider radius; cancel and extend follow the rules")
    func reissueCancelExtend() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            await expectInputError("deadline") {
                try await Referrals.extend(
                    r.id!, deadline: Referrals.parseDeadline("2026-11-11 17:00"), actor: rw.w.officer, db: app.db,
                    now: testNow)
            }
            try await Referrals.extend(
                r.id!, deadline: Referrals.parseDeadline("2026-11-12 17:30"), actor: rw.w.officer, db: app.db,
                now: testNow)
            #expect(
                try await OutboxMessageRecord.query(on: app.db).filter(\.$subject ~~ "Deadline extended").count() == 3)
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
            await expectInputError("deadline") {
                try await Referrals.extend(
                    r.id!, deadline: Referrals.parseDeadline("2026-11-20 12:00"), actor: rw.w.officer, db: app.db,
                    now: afterDeadline)
            }
            await expectInputError("award") {
                _ = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            }
            await expectInputError("radiusMiles") {
                _ = try await Referrals.reissue(
                    r.id!, radius: 40, deadline: Referrals.parseDeadline("2026-11-16 17:00"), actor: rw.w.officer,
                    db: app.db,
                    now: afterDeadline)
            }
            let next = try await Referrals.reissue(
                r.id!, radius: 80, deadline: Referrals.parseDeadline("2026-11-16 17:00"), actor: rw.w.officer,
                db: app.db, now: afterDeadline)
            #expect(next.previousID == r.id && next.round == 2 && next.radiusMiles == 80 && next.state == "draft")
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.state == "reissued")
            await expectInputError("reason") {
                try await Referrals.cancel(next.id!, reason: " ", actor: rw.w.officer, db: app.db, now: afterDeadline)
            }
            try await Referrals.cancel(
                next.id!, reason: "The child's plan changed", actor: rw.w.officer, db: app.db, now: afterDeadline)
            #expect(try await ReferralRecord.find(next.id!, on: app.db)?.state == "cancelled")
        }
    }

    @Test("Another council cannot see or act on a referral; a direct placement needs a justification")
    func isolationAndDirect() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            let otherCouncil = Organisation(kind: "partner_authority", name: "Kent")
            try await otherCouncil.create(on: app.db)
            let kent = Actor(
                userID: UUID(), name: "K", email: "k@kent.test", role: .placementOfficer,
                organisationID: otherCouncil.id!, organisationKind: .partnerAuthority, organisationName: "Kent")
            await #expect(throws: UseCaseError.self) { _ = try await Referrals.own(r.id!, actor: kent, db: app.db) }
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.publish(r.id!, actor: kent, db: app.db, now: testNow)
            }
            let input = Referrals.DirectPlacement(
                categoryID: rw.category.id, establishmentID: rw.w.establishment.id,
                startDate: LocalDate(iso: "2026-12-01"), weeklyFeePence: 420_000, justification: "short",
                childDetails: "J", outcomes: ["Stay safe"])
            await expectInputError("justification") {
                _ = try await Referrals.direct(input, actor: rw.w.officer, db: app.db, now: testNow)
            }
            var ok = input
            ok.justification = "Emergency: the child's current placement ended without notice tonight."
            let referrals = try await ReferralRecord.query(on: app.db).count()
            let p = try await Referrals.direct(ok, actor: rw.w.officer, db: app.db, now: testNow)
            #expect(p.direct && p.justification == ok.justification && p.weeklyFeePence == 420_000)
            // A record of its own: no made-up referral, its own reference, 52 weeks unless told otherwise.
            #expect(try await ReferralRecord.query(on: app.db).count() == referrals)
            #expect(p.referralID == nil && (p.reference ?? "").hasPrefix("DIR-") && p.status == "active")
            #expect(p.expectedEndDate == "2027-11-30" && p.childDetails == "J" && p.categoryID == rw.category.id)
            // The agreed fee is the price: no membership schedule beside it that adds up to something else, and no
            // review after the expected end.
            #expect(p.coreJSON == "{}" && p.reviewDatesJSON == #"["2027-06-01","2027-11-30"]"#)
            var longer = ok
            longer.durationWeeks = 600
            await expectInputError("durationWeeks") {
                _ = try await Referrals.direct(longer, actor: rw.w.officer, db: app.db, now: testNow)
            }
            // Only an active membership can be placed with directly (a suspended one was accepted).
            for m in try await MembershipRecord.query(on: app.db).filter(\.$establishment.$id == rw.w.establishment.id!)
                .all()
            {
                m.state = "suspended"
                try await m.update(on: app.db)
            }
            await expectInputError("establishment") {
                _ = try await Referrals.direct(ok, actor: rw.w.officer, db: app.db, now: testNow)
            }
            let choices = try await Referrals.directPlacementChoices(actor: rw.w.officer, db: app.db)
            #expect(!choices.memberships.contains { $0.$establishment.id == rw.w.establishment.id! })
        }
    }
}

@Suite("Eligibility box", .serialized)
struct EligibilityBoxTests {
    @Test("The SQL box never drops an establishment inside the radius, at any bearing and radius")
    func boxIsConservative() async throws {
        try await withApp { app in
            // setup: one membership per bearing at 99.5% of each radius around a child in RH12.
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 500), actor: rw.w.officer, db: app.db, now: testNow)
            let loaded = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            let home = GeoPoint(latitude: loaded.homeLatitude, longitude: loaded.homeLongitude)
            var placed: [(Double, UUID)] = []
            for radius in [5.0, 50, 200, 500] {
                for bearing in stride(from: 0.0, to: 360, by: 22.5) {
                    let d = radius * 0.995 / 3958.7613
                    let b = bearing * .pi / 180
                    let p1 = home.latitude * .pi / 180
                    let l1 = home.longitude * .pi / 180
                    let p2 = asin(sin(p1) * cos(d) + cos(p1) * sin(d) * cos(b))
                    let l2 = l1 + atan2(sin(b) * sin(d) * cos(p1), cos(d) - sin(p1) * sin(p2))
                    let e = EstablishmentRecord()
                    e.$organisation.id = rw.w.provider.organisationID
                    e.name = "Point"
                    e.type = "school"
                    e.address = ""
                    e.town = ""
                    e.postcode = "X"
                    e.postcodeDistrict = "X"
                    e.latitude = p2 * 180 / .pi
                    e.longitude = l2 * 180 / .pi
                    e.locationApproximate = false
                    e.ageLow = 5
                    e.ageHigh = 18
                    e.genders = "mixed"
                    e.capacity = 1
                    e.inspectorate = "isi"
                    e.judgement = "Met"
                    try await e.create(on: app.db)
                    let m = MembershipRecord()
                    m.$dps.id = rw.w.dps.id!
                    m.$category.id = rw.category.id!
                    m.$establishment.id = e.id!
                    m.$organisation.id = e.$organisation.id
                    m.state = "active"
                    m.qualificationScore = 5000
                    m.coreCostsJSON = "{}"
                    m.discountsJSON = "{}"
                    m.admittedAt = testNow
                    try await m.create(on: app.db)
                    placed.append((radius, e.id!))
                }
            }
            for radius in [5.0, 50, 200, 500] {
                // MUT
                let found = Set(
                    try await Referrals.candidates(loaded, within: radius, db: app.db).map(\.establishmentID))
                // validate
                let expected = placed.filter { $0.0 <= radius }.map(\.1)
                #expect(
                    Set(expected).isSubset(of: found),
                    "radius \(radius): \(expected.count - Set(expected).intersection(found).count) missed")
                let everything = try await Referrals.candidates(loaded, db: app.db)
                #expect(found.count == everything.filter { $0.miles <= radius }.count)
            }
        }
    }
}

@Suite("Block bookings", .serialized)
struct BlockBookingTests {
    @Test(
        """
        A block of places is bid per place, priced for the whole block with the cohort discount, \
        and keeps its void terms
        """
    )
    func block() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            var input = rw.input(radius: 50)
            input.kind = "block"
            input.places = "3"
            input.voidTerms = "Unused places paid at 80% after 4 weeks"
            input.childAge = nil
            input.childGender = nil
            let r = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: testNow)
            #expect(
                r.kind == "block" && r.places == 3 && r.children == 3
                    && r.voidTerms == "Unused places paid at 80% after 4 weeks")
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let inv = try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == r.id!).filter(
                \.$establishment.$id == rw.w.establishment.id!
            ).first()!
            await expectInputError("discount") {
                try await Referrals.bid(
                    inv.id!, form: rw.bidForm(app, invitation: inv, discount: "5"), actor: rw.w.provider, db: app.db,
                    now: testNow)
            }
            try await Referrals.bid(
                inv.id!, form: rw.bidForm(app, invitation: inv, discount: "10"), actor: rw.w.provider, db: app.db,
                now: testNow)
            #expect(try await BidRecord.query(on: app.db).first()?.weeklyCostPence == 3 * 9 * 40_000 * 90 / 100)
        }
    }
}

@Suite("Referral races", .serialized)
struct ReferralRaceTests {
    @Test("Closing at the same moment from the job and an officer closes once; publishing twice at once invites once")
    func races() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            async let p1 = try? Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            async let p2 = try? Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let published = await [p1, p2].compactMap { $0 }
            #expect(published == [3])
            #expect(try await InvitationRecord.query(on: app.db).count() == 3)
            let after = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!
            let officer = rw.w.officer
            async let job = try? Referrals.closeDue(db: app.db, now: after)
            async let manual: Void? = try? Referrals.closeOnDemand(r.id!, actor: officer, db: app.db, now: after)
            _ = await (job, manual)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "referral.closed").count() == 1)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "referral.published").count() == 1)
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.state == "closed")
        }
    }
}

@Suite("Auditor", .serialized)
struct AuditorReferralTests {
    @Test("The lead authority's auditor reads every referral and placement but changes nothing")
    func auditorReadsOnly() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            #expect(try await Referrals.own(r.id!, actor: rw.w.auditor, db: app.db).id == r.id)
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.publish(r.id!, actor: rw.w.auditor, db: app.db, now: testNow)
            }
            await #expect(throws: UseCaseError.self) {
                try await Referrals.cancel(r.id!, reason: "x", actor: rw.w.auditor, db: app.db, now: testNow)
            }
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.own(r.id!, actor: rw.w.evaluator, db: app.db)
            }  // other lead-authority roles do not
            let p = try await Referrals.direct(
                .init(
                    categoryID: rw.category.id, establishmentID: rw.w.establishment.id,
                    startDate: LocalDate(iso: "2026-12-01"), weeklyFeePence: 400_000,
                    justification: "Emergency placement after a breakdown tonight", childDetails: "J",
                    outcomes: ["Safe"]),
                actor: rw.w.officer, db: app.db, now: testNow)
            #expect(try await Referrals.placement(p.id!, actor: rw.w.auditor, db: app.db).id == p.id)
            await #expect(throws: UseCaseError.self) {
                try await Referrals.accept(p.id!, actor: rw.w.auditor, db: app.db, now: testNow)
            }
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.state == "draft")
        }
    }
}

@Suite("Declines and withdrawals", .serialized)
struct DeclineTests {
    @Test(
        """
        A provider declines with a reason (another reason needs a note); a bid must be withdrawn first, \
        and a withdrawn bid is not evaluated
        """
    )
    func declineAndWithdraw() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let inv = try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == r.id!).filter(
                \.$establishment.$id == rw.w.establishment.id!
            ).first()!
            try await Referrals.bid(
                inv.id!, form: rw.bidForm(app, invitation: inv), actor: rw.w.provider, db: app.db, now: testNow)

            // MUT + validate
            await expectInputError("reason") {
                try await Referrals.decline(
                    inv.id!, reason: "no_vacancy", note: nil, actor: rw.w.provider, db: app.db, now: testNow)
            }
            try await Referrals.withdraw(inv.id!, actor: rw.w.provider, db: app.db, now: testNow)
            #expect(try await BidRecord.query(on: app.db).first()?.state == "withdrawn")
            await expectInputError("reason") {
                try await Referrals.decline(
                    inv.id!, reason: "too_busy", note: nil, actor: rw.w.provider, db: app.db, now: testNow)
            }
            await expectInputError("note") {
                try await Referrals.decline(
                    inv.id!, reason: "other", note: " ", actor: rw.w.provider, db: app.db, now: testNow)
            }
            try await Referrals.decline(
                inv.id!, reason: "cannot_meet_needs", note: "No speech therapist on site", actor: rw.w.provider,
                db: app.db, now: testNow)
            let declined = try await InvitationRecord.find(inv.id!, on: app.db)!
            #expect(
                declined.declinedReason == "cannot_meet_needs" && declined.declinedNote == "No speech therapist on site"
                    && declined.declinedAt == testNow)
            // The referral's page counts it among the invited and lists the decline by establishment, with no bid.
            let responses = try await Referrals.responses(inv.$referral.id, db: app.db)
            let invitedCount = try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == inv.$referral.id)
                .count()
            #expect(responses.invited == invitedCount && responses.submittedBids == 0 && responses.placementID == nil)
            #expect(responses.declined.map(\.establishment) == ["Acorn House"])
            #expect(responses.declined.first?.reason == "cannot_meet_needs")
            #expect(responses.declined.first?.note == "No speech therapist on site")
            await #expect(throws: UseCaseError.self) {
                try await Referrals.decline(
                    inv.id!, reason: "no_vacancy", note: nil, actor: rw.w.otherProvider, db: app.db, now: testNow)
            }
            // Bidding after declining takes the decline back.
            try await Referrals.bid(
                inv.id!, form: rw.bidForm(app, invitation: inv), actor: rw.w.provider, db: app.db, now: testNow)
            let rebid = try await InvitationRecord.find(inv.id!, on: app.db)!
            #expect(rebid.declinedAt == nil && rebid.declinedReason == nil && rebid.declinedNote == nil)
            #expect(try await BidRecord.query(on: app.db).filter(\.$invitation.$id == inv.id!).count() == 1)
            #expect(try await BidRecord.query(on: app.db).first()?.state == "submitted")
            try await Referrals.withdraw(inv.id!, actor: rw.w.provider, db: app.db, now: testNow)
            _ = try await Referrals.closeDue(
                db: app.db, now: ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!)
            let closed = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            #expect(try await Referrals.openedBids(closed, db: app.db).isEmpty)
        }
    }

    @Test(
        """
        A referral's lines are read once and kept (they never change after creation), in their order; a stored line \
        of an unknown kind is an error, never left out
        """
    )
    func keptLines() async throws {
        try await withApp { app in
            // setup: two referrals; the first's lines read once
            let rw = try await ReferralWorld.make(app)
            let first = try await Referrals.create(rw.input(), actor: rw.w.officer, db: app.db, now: testNow)
            let second = try await Referrals.create(rw.input(), actor: rw.w.officer, db: app.db, now: testNow)
            let read = try await Referrals.Content.load(first, db: app.db)
            let sql = app.db as! any SQLDatabase

            // MUT: both referrals' rows changed behind the use cases' back, then read again
            try await sql.raw("UPDATE referral_items SET text = 'Changed behind' WHERE kind = 'need'").run()
            let again = try await Referrals.Content.load(first, db: app.db)
            let other = try await Referrals.Content.load(second, db: app.db)

            // validate: the first from memory, as read; the second from the table
            #expect(read.needs.map(\.text) == ["Autism spectrum condition", "Speech and language support"])
            #expect(read.needs.map(\.marks) == [2, 1] && read.needs.map(\.id) == ["n1", "n2"])
            #expect(read.mustHaves == ["Waking night staff"])
            #expect(read.outcomes == ["Attend school every day", "Build friendships"])
            #expect(again.needs.map(\.text) == read.needs.map(\.text))
            #expect(other.needs.map(\.text) == ["Changed behind", "Changed behind"])

            // MUT: a third referral whose stored line has a kind this build does not know
            let third = try await Referrals.create(rw.input(), actor: rw.w.officer, db: app.db, now: testNow)
            try await sql.raw(
                "UPDATE referral_items SET kind = 'bogus' WHERE referral_id = \(bind: third.id!) AND kind = 'outcome'"
            ).run()

            // validate
            await #expect(throws: UseCaseError.self) { try await Referrals.Content.load(third, db: app.db) }
        }
    }
}

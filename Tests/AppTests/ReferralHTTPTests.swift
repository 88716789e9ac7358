import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// Sealed bids and tenant isolation of referrals, through real HTTP requests on the application: the API
/// with bearer tokens and the pages with a session cookie and CSRF token. Another provider, the officer
/// before the deadline, another council, and a parent with a wrong or expired link are all refused.
@Suite("Referrals over HTTP: sealed bids and isolation", .serialized)
struct ReferralHTTPTests {
    typealias Browser = HTTPTests.Browser

    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!
    let afterReplyBy = ISO8601DateFormatter().date(from: "2026-11-21T12:00:00Z")!
    let http = HTTPTests()
    let referrals = ReferralTests()

    // MARK: Helpers

    /// A published referral within 50 miles: all three establishments are invited.
    private func published(_ app: Application, _ rw: ReferralWorld) async throws -> (
        ReferralRecord, [String: InvitationRecord]
    ) {
        let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
        _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
        return (r, try await referrals.invitations(app, r))
    }

    private func signedIn(_ app: Application, _ email: String) async throws -> Browser {
        let browser = Browser(app)
        browser.signsInAgain = true  // these tests jump the clock past the 8-hour session
        try await browser.signIn(email)
        return browser
    }

    private func problem(_ res: TestingHTTPResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(res.body.readableBytesView))
    }

    private func bid(_ app: Application, _ inv: InvitationRecord) async throws -> BidRecord? {
        try await BidRecord.query(on: app.db).filter(\.$invitation.$id == inv.id!).first()
    }

    /// A second council, Kent, that uses the same category, with a placement officer who can sign in.
    func kent(_ app: Application, _ rw: ReferralWorld) async throws -> Actor {
        try await DPSAdmin.upsertPartner(
            rw.w.dps.id!,
            .init(gssCode: "E10000016", name: "Kent", categories: [rw.category.id!], isJoiner: false),
            actor: rw.w.admin, db: app.db, now: testNow)
        let org = try #require(
            try await Organisation.query(on: app.db).filter(\.$name == "Kent").filter(
                \.$kind == OrganisationKind.partnerAuthority.rawValue
            ).first())
        let user = User(
            organisationID: org.id!, email: "officer@kent.test", name: "Kent officer",
            role: Role.placementOfficer.rawValue,
            passwordHash: try app.password.hash(World.password))
        try await user.create(on: app.db)
        return Actor(
            userID: user.id!, name: user.name, email: user.email, role: .placementOfficer, organisationID: org.id!,
            organisationKind: .partnerAuthority, organisationName: org.name)
    }

    // MARK: Tests

    @Test(
        """
        Before the deadline the officer sees only the count of bids, over the API and on the page; \
        after closing, the bids and evaluation
        """
    )
    func sealedUntilDeadline() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await published(app, rw)
            let acornPlan = "Acorn plan: a named key worker and a weekly attendance review."
            let birchPlan = "Birch plan: speech therapy twice a week and a buddy scheme."
            let acorn = try await signedIn(app, "admin@acorn.test")
            #expect(try await acorn.get("/provider/invitations/\(inv["Acorn House"]!.id!)").status == .ok)
            var form = rw.bidForm(app, invitation: inv["Acorn House"]!, corePounds: 390)
            form["outcomesStatement"] = acornPlan
            #expect(
                try await acorn.post("/provider/invitations/\(inv["Acorn House"]!.id!)/bid", form).status == .seeOther)
            var birchForm = rw.bidForm(app, invitation: inv["Birch School"]!, corePounds: 380)
            birchForm["outcomesStatement"] = birchPlan
            try await Referrals.bid(
                inv["Birch School"]!.id!, form: birchForm, actor: rw.w.otherProvider, db: app.db, now: testNow)
            let acornCost = formatPence(try #require(try await bid(app, inv["Acorn House"]!)).weeklyCostPence)
            let birchCost = formatPence(try #require(try await bid(app, inv["Birch School"]!)).weeklyCostPence)
            let officerToken = try await http.token(app, "officer@bh.test")
            let officer = try await signedIn(app, "officer@bh.test")

            // MUT
            let sealedAPI = try await http.api(app, .GET, "/api/v1/referrals/\(r.id!)/bids", token: officerToken)
            let sealedPage = try await officer.get("/referrals/\(r.id!)")

            // validate
            #expect(sealedAPI.status == .conflict)
            #expect(sealedAPI.headers.contentType?.subType == "problem+json")
            let sealed = try problem(sealedAPI)
            #expect(
                sealed.status == 409 && sealed.detail.contains("sealed") && sealed.detail.contains("2 received so far"),
                "detail was \(sealed.detail)")
            #expect(!sealedAPI.body.string.contains(acornPlan) && !sealedAPI.body.string.contains("Acorn House"))
            #expect(sealedPage.status == .ok)
            let html = sealedPage.body.string
            #expect(html.contains("2 bids received") && html.contains("Bids stay sealed until the deadline"))
            for secret in [acornPlan, birchPlan, acornCost, birchCost] {
                #expect(!html.contains(secret), "the sealed page shows \(secret)")
            }

            // MUT: the deadline passes and the job closes the referral.
            app.clock = .fixed(afterDeadline)
            #expect(try await Referrals.closeDue(db: app.db, now: afterDeadline) == 1)
            let openedAPI = try await http.api(app, .GET, "/api/v1/referrals/\(r.id!)/bids", token: officerToken)
            let openedPage = try await officer.get("/referrals/\(r.id!)")

            // validate
            #expect(openedAPI.status == .ok)
            let opened = try openedAPI.content.decode(ReferralAPI.BidsView.self)
            #expect(opened.bids.map(\.establishment) == ["Acorn House", "Birch School"])
            #expect(opened.bids.map(\.outcomesStatement) == [acornPlan, birchPlan])
            #expect(opened.unscored == 2)
            #expect(opened.evaluation.ranking.count + opened.evaluation.nonCompliant.count == 2)
            #expect(openedPage.status == .ok)
            for shown in [acornPlan, birchPlan, acornCost, birchCost] {
                #expect(openedPage.body.string.contains(shown), "the opened page misses \(shown)")
            }
        }
    }

    @Test(
        """
        The bid page's form as a browser sends it: each ticked box as a repeated field, free text with commas \
        and bars kept whole
        """
    )
    func bidFormAsABrowserSendsIt() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (_, inv) = try await published(app, rw)
            let invitation = try #require(inv["Acorn House"])
            let acorn = try await signedIn(app, "admin@acorn.test")
            try await acorn.get("/provider/invitations/\(invitation.id!)")
            let statement = "A key worker, a weekly review | and a termly report, agreed with the family."
            var pairs = rw.category.testContent.costLines.map { ("core.\($0.key)", "390") }
            pairs += [("discount", "0"), ("need", "n1"), ("need", "n2"), ("must", "m1")]
            pairs += [("outcomesStatement", statement), ("variable.0.description", "Taxi, school run")]
            pairs += [("variable.0.amount", "40")]

            // MUT
            let res = try await acorn.post("/provider/invitations/\(invitation.id!)/bid", pairs: pairs)

            // validate
            #expect(res.status == .seeOther)
            let stored = try #require(try await bid(app, invitation))
            let offer = try #require(try await Referrals.bidContent([stored], db: app.db)[stored.id!])
            #expect(offer.met == ["n1", "n2", "m1"])
            #expect(stored.outcomesStatement == statement)
            #expect(offer.variable.map(\.description) == ["Taxi, school run"])
        }
    }

    @Test(
        """
        The bid form keeps every tick after an error, and a bid missing a must-have is saved only once the bidder \
        confirms, having been told it will not be ranked and what it meets
        """
    )
    func bidFormKeepsTicksAndConfirmsNonCompliant() async throws {
        try await withApp { app in
            // setup: Acorn's invitation page read (its CSRF token)
            let rw = try await ReferralWorld.make(app)
            let (_, inv) = try await published(app, rw)
            let invitation = try #require(inv["Acorn House"])
            let acorn = try await signedIn(app, "admin@acorn.test")
            let page = "/provider/invitations/\(invitation.id!)"
            try await acorn.get(page)
            let statement = "A key worker and a weekly review, agreed with the family."
            let lines = rw.category.testContent.costLines
            func pairs(core: String, must: Bool, confirm: Bool = false) -> [(String, String)] {
                lines.map { ("core.\($0.key)", core) } + [("discount", "0"), ("need", "n1"), ("need", "n2")]
                    + (must ? [("must", "m1")] : []) + [("outcomesStatement", statement)]
                    + (confirm ? [("confirm", "yes")] : [])
            }
            func checked(_ html: String, _ id: String) -> Bool {
                html.range(of: #"id="\#(id)"[^>]*checked"#, options: .regularExpression) != nil
            }

            // MUT: an unreadable amount with both needs and the must-have ticked
            let refused = try await acorn.post("\(page)/bid", pairs: pairs(core: "abc", must: true))
            // validate: the page comes back with every tick as posted
            let again = refused.body.string
            #expect(refused.status == .unprocessableEntity)
            #expect(checked(again, "f-need") && checked(again, "f-need-2") && checked(again, "f-must"))

            // MUT: the amount fixed, the must-have left unticked
            let warned = try await acorn.post("\(page)/bid", pairs: pairs(core: "390", must: false))
            // validate: not saved; told it will not be ranked and what it meets; asked to confirm
            #expect(warned.status == .unprocessableEntity)
            #expect(try await bid(app, invitation) == nil)
            let warning = warned.body.string
            #expect(warning.contains("so it will not be ranked") && warning.contains("missing: Waking night staff"))
            #expect(warning.contains(##"href="#f-confirm""##) && warning.contains(#"id="f-confirm""#))
            #expect(checked(warning, "f-need") && !checked(warning, "f-must"))

            // MUT: confirmed
            let saved = try await acorn.post("\(page)/bid", pairs: pairs(core: "390", must: false, confirm: true))
            // validate: saved as posted, and the evaluation will set it aside
            #expect(saved.status == .seeOther)
            let stored = try #require(try await bid(app, invitation))
            let offer = try #require(try await Referrals.bidContent([stored], db: app.db)[stored.id!])
            #expect(offer.met == ["n1", "n2"] && stored.state == "submitted")
        }
    }

    @Test("Another provider can neither read nor bid on an invitation that is not its own, nor read referrals")
    func anotherProvider() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await published(app, rw)
            let acornInvitation = inv["Acorn House"]!
            try await Referrals.bid(
                acornInvitation.id!, form: rw.bidForm(app, invitation: acornInvitation, corePounds: 390),
                actor: rw.w.provider, db: app.db, now: testNow)
            let before = try #require(try await bid(app, acornInvitation))
            let birchToken = try await http.token(app, "admin@birch.test")
            let acornToken = try await http.token(app, "admin@acorn.test")
            let birch = try await signedIn(app, "admin@birch.test")
            // its own page: a valid CSRF token
            #expect(try await birch.get("/provider/invitations/\(inv["Birch School"]!.id!)").status == .ok)

            // MUT
            let ownAPI = try await http.api(app, .GET, "/api/v1/invitations/\(acornInvitation.id!)", token: acornToken)
            let otherAPI = try await http.api(
                app, .GET, "/api/v1/invitations/\(acornInvitation.id!)", token: birchToken)
            let otherPage = try await birch.get("/provider/invitations/\(acornInvitation.id!)")
            let forgedBid = try await birch.post(
                "/provider/invitations/\(acornInvitation.id!)/bid",
                rw.bidForm(app, invitation: acornInvitation, corePounds: 100))
            let forgedWithdraw = try await birch.post("/provider/invitations/\(acornInvitation.id!)/withdraw", [:])
            let list = try await http.api(app, .GET, "/api/v1/referrals", token: birchToken)
            let bids = try await http.api(app, .GET, "/api/v1/referrals/\(r.id!)/bids", token: birchToken)
            let referralPage = try await birch.get("/referrals/\(r.id!)")

            // validate
            #expect(ownAPI.status == .ok)
            #expect(
                try ownAPI.content.decode(ReferralAPI.InvitationView.self).bidWeeklyCostPence == before.weeklyCostPence)
            #expect(otherAPI.status == .notFound && otherAPI.headers.contentType?.subType == "problem+json")
            #expect(!otherAPI.body.string.contains("Acorn House"))
            #expect(otherPage.status == .notFound && !otherPage.body.string.contains("Acorn House"))
            #expect(forgedBid.status == .notFound)
            #expect(forgedWithdraw.status == .notFound)
            #expect(
                try await BidRecord.query(on: app.db).filter(\.$organisationID == rw.w.otherProvider.organisationID)
                    .count() == 0)
            #expect(try await BidRecord.query(on: app.db).filter(\.$invitation.$id == acornInvitation.id!).count() == 1)
            let after = try #require(try await bid(app, acornInvitation))
            #expect(
                after.weeklyCostPence == before.weeklyCostPence && after.state == "submitted"
                    && after.organisationID == rw.w.provider.organisationID)
            #expect(list.status == .forbidden && list.headers.contentType?.subType == "problem+json")
            #expect(bids.status == .forbidden)  // providers may not call referral routes at all, whatever the id
            #expect(referralPage.status == .forbidden)
        }
    }

    @Test("Another council cannot see, list or award a council's referral")
    func anotherCouncil() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, _) = try await referrals.competed(
                app, rw, parentChoice: false, outcomes: ["Acorn House": 5, "Birch School": 1, "Cedar School": 1])
            let kentOfficer = try await kent(app, rw)
            let own = try await Referrals.create(rw.input(radius: 50), actor: kentOfficer, db: app.db, now: testNow)
            app.clock = .fixed(afterDeadline)
            let kentToken = try await http.token(app, "officer@kent.test")
            let kent = try await signedIn(app, "officer@kent.test")
            #expect(try await kent.get("/referrals").status == .ok)  // a valid CSRF token of Kent's own session

            // MUT
            let page = try await kent.get("/referrals/\(r.id!)")
            let bids = try await http.api(app, .GET, "/api/v1/referrals/\(r.id!)/bids", token: kentToken)
            let list = try await http.api(app, .GET, "/api/v1/referrals", token: kentToken)
            let listPage = try await kent.get("/referrals")
            let award = try await kent.post("/referrals/\(r.id!)/award", [:])
            let scoreBid = try #require(try await BidRecord.query(on: app.db).filter(\.$referral.$id == r.id!).first())
            let score = try await kent.post(
                "/referrals/\(r.id!)/score/\(scoreBid.id!)", ["score": "0", "comment": "Poor", "consensus": "yes"])

            // validate
            #expect(page.status == .notFound)
            #expect(
                !page.body.string.contains(r.reference) && !page.body.string.contains("Jane Doe")
                    && !page.body.string.contains("RH12 1XH"))
            #expect(bids.status == .notFound && bids.headers.contentType?.subType == "problem+json")
            #expect(list.status == .ok)
            let listed = try list.content.decode([ReferralAPI.ReferralSummary].self)
            #expect(listed.map(\.id) == [own.id!])
            #expect(!listPage.body.string.contains(r.reference) && listPage.body.string.contains(own.reference))
            let csrfRefusal = "This form has expired"  // a 403 for the token would prove nothing about isolation
            #expect(award.status == .notFound || award.status == .forbidden, "award answered \(award.status)")
            #expect(!award.body.string.contains(csrfRefusal))
            #expect(try await PlacementRecord.query(on: app.db).count() == 0)
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.state == ReferralState.closed.rawValue)
            #expect(score.status == .notFound || score.status == .forbidden, "score answered \(score.status)")
            #expect(!score.body.string.contains(csrfRefusal))
            #expect(
                try await BidScoreRecord.query(on: app.db).filter(\.$bid.$id == scoreBid.id!).filter(\.$score == 0)
                    .count() == 0)
        }
    }

    @Test(
        """
        The parent's private link shows the shortlist without costs; wrong, random and expired links are refused; \
        only a shortlisted choice is stored
        """
    )
    func parentLink() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.competed(app, rw)
            app.clock = .fixed(afterDeadline)
            let token = try await Referrals.askParent(
                r.id!, replyBy: Referrals.parseDeadline("2026-11-20 17:00"), actor: rw.w.officer, db: app.db,
                now: afterDeadline)
            let shortlist: [String] =
                try Referrals.decode(try await ReferralRecord.find(r.id!, on: app.db)!.parentShortlistJSON) ?? []
            #expect(shortlist.count == 3)
            let birchBid = try #require(try await bid(app, inv["Birch School"]!))
            #expect(shortlist.contains(birchBid.id!.uuidString))
            let parent = Browser(app)  // no account: just the link

            // MUT
            let page = try await parent.get("/choice/\(token)")
            let wrong = try await parent.get("/choice/\(token)x")
            let random = try await parent.get("/choice/\(Tokens.random())")
            let short = try await parent.get("/choice/abc")
            let notShortlisted = try await parent.post(
                "/choice/\(token)", ["choice": UUID().uuidString, "reason": "Any"])
            let wrongPost = try await parent.post("/choice/\(token)x", ["choice": birchBid.id!.uuidString])

            // validate
            #expect(page.status == .ok)
            let html = page.body.string
            for name in ["Acorn House", "Birch School", "Cedar School"] {
                #expect(html.contains(name), "the shortlist misses \(name)")
            }
            #expect(html.contains("miles"))
            #expect(!html.contains("£"), "the parent's page shows a cost")
            // Issue 7: in the order the page states, with what happens next, who to contact, one inspection
            // wording, and the words it uses explained; no sign-in or API links.
            #expect(html.contains("listed in alphabetical order"))
            let positions = ["Acorn House", "Birch School", "Cedar School"].compactMap {
                html.range(of: "<h2 class=\"govuk-heading-m\">\($0)")?.lowerBound
            }
            #expect(positions.count == 3 && positions == positions.sorted())
            #expect(html.contains("What happens next") && html.contains("the place goes to the setting that scored"))
            #expect(html.contains("mailto:officer@bh.test"))
            #expect(html.contains("Ofsted judged it Good") && html.contains("Ask the placement officer for its latest"))
            #expect(html.contains("Words used on this page") && html.contains("run by a charity"))
            #expect(!html.contains("/sign-in") && !html.contains("/api/"))
            #expect(wrong.status == .notFound && !wrong.body.string.contains("Acorn House"))
            #expect(random.status == .notFound)
            #expect(short.status == .notFound)
            #expect(
                notShortlisted.status == .unprocessableEntity
                    && notShortlisted.body.string.contains("Choose the setting you prefer"))
            #expect(wrongPost.status == .notFound)
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.parentPreference == nil)

            // MUT: a shortlisted choice
            let chosen = try await parent.post(
                "/choice/\(token)", ["choice": birchBid.id!.uuidString, "reason": "Closer to her grandmother"])

            // validate
            #expect(chosen.status == .ok && chosen.body.string.contains("We have your choice"))
            let stored = try #require(try await ReferralRecord.find(r.id!, on: app.db))
            #expect(stored.parentPreference == birchBid.id && stored.parentReason == "Closer to her grandmother")

            // MUT: the reply deadline passes
            app.clock = .fixed(afterReplyBy)
            let expired = try await parent.get("/choice/\(token)")
            let latePost = try await parent.post(
                "/choice/\(token)", ["choice": try #require(shortlist.first { $0 != birchBid.id!.uuidString })])

            // validate
            #expect(expired.status == .gone && !expired.body.string.contains("Acorn House"))
            #expect(latePost.status == .gone)
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.parentPreference == birchBid.id)
        }
    }

    @Test("A bid posted after the deadline is refused with 409 and the stored bid is unchanged")
    func lateBid() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await published(app, rw)
            let acornInvitation = inv["Acorn House"]!
            let path = "/provider/invitations/\(acornInvitation.id!)"
            let acorn = try await signedIn(app, "admin@acorn.test")
            #expect(try await acorn.get(path).body.string.contains("Submit bid"))
            #expect(
                try await acorn.post(path + "/bid", rw.bidForm(app, invitation: acornInvitation, corePounds: 390))
                    .status == .seeOther)
            let before = try #require(try await bid(app, acornInvitation))
            let beforeOffer = try await Referrals.bidContent([before], db: app.db)[before.id!]?.core
            #expect(try await acorn.get(path).body.string.contains("Revise bid"))

            // MUT: the deadline passes before the job closes the referral
            app.clock = .fixed(afterDeadline)
            let late = try await acorn.post(
                path + "/bid", rw.bidForm(app, invitation: acornInvitation, corePounds: 350))

            // validate
            #expect(late.status == .conflict)
            let html = late.body.string
            #expect(html.contains("There is a problem") && html.contains("href=\"#f-deadline\""))
            #expect(html.contains("The deadline for this referral has passed"))
            #expect(html.contains(r.reference))  // the invitation page is shown again
            #expect(!html.contains("Revise bid"))

            // MUT: once closed, a late bid and a late withdrawal are refused too
            #expect(try await Referrals.closeDue(db: app.db, now: afterDeadline) == 1)
            let closed = try await acorn.post(
                path + "/bid", rw.bidForm(app, invitation: acornInvitation, corePounds: 350))
            let withdraw = try await acorn.post(path + "/withdraw", [:])

            // validate
            #expect(
                closed.status == .conflict && closed.body.string.contains("The deadline for this referral has passed"))
            #expect(withdraw.status == .conflict)
            let after = try #require(try await bid(app, acornInvitation))
            let afterOffer = try await Referrals.bidContent([after], db: app.db)[after.id!]?.core
            #expect(after.weeklyCostPence == before.weeklyCostPence && afterOffer == beforeOffer)
            #expect(after.submittedAt == before.submittedAt && after.state == "submitted")
            #expect(try await BidRecord.query(on: app.db).count() == 1)
        }
    }

    @Test(
        """
        After award the winner's agreement shows the child's details to it alone; \
        a losing bidder sees its own result and rank
        """
    )
    func awardedPlacement() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.competed(
                app, rw, parentChoice: false, outcomes: ["Acorn House": 5, "Birch School": 1, "Cedar School": 1])
            app.clock = .fixed(afterDeadline)
            let officer = try await signedIn(app, "officer@bh.test")
            #expect(try await officer.get("/referrals/\(r.id!)").body.string.contains("Award to the top bid"))
            // Awarding cannot be undone: the first post asks to confirm, naming the winner, and changes nothing.
            let ask = try await officer.post("/referrals/\(r.id!)/award", [:])
            #expect(ask.status == .ok)
            #expect(ask.body.string.contains("Awarding cannot be undone"))
            #expect(ask.body.string.contains("Acorn House"))
            #expect(try await PlacementRecord.query(on: app.db).count() == 0)
            let award = try await officer.post("/referrals/\(r.id!)/award", ["confirm": "yes"])
            #expect(award.status == .seeOther)
            let placement = try #require(try await PlacementRecord.query(on: app.db).first())
            #expect(award.headers.first(name: .location) == "/placements/\(placement.id!)")
            #expect(placement.providerID == rw.w.provider.organisationID)
            let acorn = try await signedIn(app, "admin@acorn.test")
            let birch = try await signedIn(app, "admin@birch.test")
            let cedar = try await signedIn(app, "admin@cedar.test")
            let evaluation: EvaluationResult = try #require(
                try Referrals.decode(try await ReferralRecord.find(r.id!, on: app.db)!.evaluationJSON))
            let birchBid = try #require(try await bid(app, inv["Birch School"]!))
            let birchRank = try #require(evaluation.ranking.first { $0.id == birchBid.id!.uuidString })

            // MUT
            let winnerPage = try await acorn.get("/placements/\(placement.id!)")
            let otherPage = try await birch.get("/placements/\(placement.id!)")
            let thirdPage = try await cedar.get("/placements/\(placement.id!)")
            let officerPage = try await officer.get("/placements/\(placement.id!)")
            let auditorPage = try await signedIn(app, "audit@ws.test").get("/placements/\(placement.id!)")
            let loserInvitation = try await birch.get("/provider/invitations/\(inv["Birch School"]!.id!)")
            let loserAPI = try await http.api(
                app, .GET, "/api/v1/invitations/\(inv["Birch School"]!.id!)",
                token: try await http.token(app, "admin@birch.test"))

            // validate
            #expect(winnerPage.status == .ok && winnerPage.body.string.contains("Jane Doe"))
            // Issue 7: the agreement shows its length, its value a year and in all, and both parties' contacts.
            let terms = winnerPage.body.string
            let weeks = 52  // the referral runs 52 weeks at 52 weeks a year
            #expect(terms.contains("(\(weeks) weeks from the start)"))
            #expect(terms.contains("Value a year") && terms.contains(formatPence(placement.weeklyFeePence * 52)))
            #expect(terms.contains(formatPence(placement.weeklyFeePence * weeks) + " over the expected duration"))
            #expect(terms.contains("mailto:officer@bh.test") && terms.contains("Placing authority&#39;s contact"))
            #expect(terms.contains("Provider&#39;s contact") && terms.contains("@example.org"))
            // It prints without the header, links and buttons.
            #expect(try await acorn.get("/assets/app.css").body.string.contains("@media print{.govuk-header"))
            #expect(otherPage.status == .notFound && !otherPage.body.string.contains("Jane Doe"))
            #expect(thirdPage.status == .notFound && !thirdPage.body.string.contains("Jane Doe"))
            #expect(officerPage.status == .ok && officerPage.body.string.contains("Jane Doe"))
            // Each party is offered the acceptance; the lead authority's auditor reads it but is not (it would be
            // refused: the page used to show it the button).
            #expect(winnerPage.body.string.contains("Accept the agreement"))
            #expect(officerPage.body.string.contains("Accept the agreement"))
            #expect(auditorPage.status == .ok && !auditorPage.body.string.contains("Accept the agreement"))
            #expect(loserInvitation.status == .ok)
            let html = loserInvitation.body.string
            #expect(html.contains("Your result") && html.contains("\(birchRank.rank) of 3"))
            #expect(birchRank.rank > 1)
            #expect(html.contains(evaluation.ranking[0].total.description))  // the top score
            #expect(!html.contains("Jane Doe") && !html.contains("RH12 1XH"))
            #expect(loserAPI.status == .ok && !loserAPI.body.string.contains("Jane Doe"))
        }
    }

    @Test("A referral cancelled before its deadline keeps its bids sealed")
    func cancelledStaysSealed() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await published(app, rw)
            let acornPlan = "Acorn plan: a named key worker and a weekly attendance review."
            var form = rw.bidForm(app, invitation: inv["Acorn House"]!, corePounds: 390)
            form["outcomesStatement"] = acornPlan
            try await Referrals.bid(inv["Acorn House"]!.id!, form: form, actor: rw.w.provider, db: app.db, now: testNow)
            try await Referrals.cancel(
                r.id!, reason: "The child's plan changed", actor: rw.w.officer, db: app.db, now: testNow)
            let officerToken = try await http.token(app, "officer@bh.test")
            let officer = try await signedIn(app, "officer@bh.test")

            // MUT
            let res = try await http.api(app, .GET, "/api/v1/referrals/\(r.id!)/bids", token: officerToken)
            let page = try await officer.get("/referrals/\(r.id!)")

            // validate
            #expect(!page.body.string.contains(acornPlan))
            #expect(res.status == .conflict)
            #expect(!res.body.string.contains(acornPlan))
        }
    }
}

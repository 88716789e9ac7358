import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Stored views (`ViewCache`): rendered once per change of the data, never shown stale, never shown to anyone
/// but the user they were rendered for.
@Suite("Stored views", .serialized)
struct ViewCacheTests {
    typealias Browser = HTTPTests.Browser
    let http = HTTPTests()
    let referrals = ReferralTests()

    @Test("Home and the procurement documents show an audited change at once; signed-in visitors get their own page")
    func staleNever() async throws {
        try await withApp { app in
            // setup: the DPS, its documents read once by a visitor (stored)
            let w = try await World.make(app)
            let visitor = HTTPTests.Browser(app)
            let before = try await visitor.get("/documents").body.string
            let homeBefore = try await visitor.get("/").body.string
            #expect(!before.contains("Kent County Council"))

            // MUT: a new partner (audited), then the same pages again
            try await DPSAdmin.upsertPartner(
                w.dps.id!,
                .init(
                    gssCode: "E10000016", name: "Kent County Council", categories: [w.categories["fostering"]!.id!],
                    isJoiner: false),
                actor: w.admin, db: app.db, now: testNow)
            let after = try await visitor.get("/documents").body.string
            let again = try await visitor.get("/documents").body.string
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            let signedIn = try await officer.get("/").body.string

            // validate
            #expect(after.contains("Kent County Council") && again == after)
            #expect(signedIn.contains("Sign out") && signedIn.contains(#"name="_csrf""#))
            #expect(!homeBefore.contains("Sign out") && !homeBefore.contains(#"name="_csrf""#))
        }
    }

    @Test(
        """
        A closed referral's page and API reads are stored: reused while nothing audited changes, shown afresh after a \
        score is saved or the minute turns, and never to another council
        """
    )
    func referralViews() async throws {
        try await withApp { app in
            // setup: a closed referral with three scored bids, read once by its officer on the page and the API
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.competed(app, rw)
            let at = referrals.afterDeadline
            app.clock = .fixed(at)
            let officer = Browser(app)
            officer.signsInAgain = true
            try await officer.signIn("officer@bh.test")
            let token = try await http.token(app, "officer@bh.test")
            let paths = ["/api/v1/referrals/\(r.id!)", "/api/v1/referrals/\(r.id!)/bids",
                         "/api/v1/referrals/\(r.id!)/evaluation"]
            var evaluations: [ReferralWriteAPI.EvaluationView] = []
            func api() async throws -> [String] {
                var bodies: [String] = []
                for path in paths {
                    let response = try await http.api(app, .GET, path, token: token)
                    #expect(response.status == .ok, "\(path) answered \(response.status)")
                    bodies.append(response.body.string)
                    if path.hasSuffix("evaluation") {
                        evaluations.append(try response.content.decode(ReferralWriteAPI.EvaluationView.self))
                    }
                }
                return bodies
            }
            let page = try await officer.get("/referrals/\(r.id!)").body.string
            let reads = try await api()
            #expect(page.contains(r.reference) && reads[0].contains(r.reference))

            // MUT 1: a change that bypasses the use cases (no audit event): the stored views are reused
            try await (app.db as! any SQLDatabase).raw(
                "UPDATE referrals SET reference = 'UNAUDITED-1' WHERE id = \(bind: r.id!)"
            ).run()
            let reused = try await officer.get("/referrals/\(r.id!)").body.string
            let reusedReads = try await api()

            // validate: the same bytes as before (what makes a view cheap), however the row now reads
            #expect(reused == page && reusedReads == reads)

            // MUT 2: an audited change anywhere (a consensus score re-moderated), then the same reads
            let bid = try #require(
                try await BidRecord.query(on: app.db).filter(\.$invitation.$id == inv["Acorn House"]!.id!).first())
            try await Referrals.scoreBid(
                r.id!, bidID: bid.id!,
                .init(criterion: .outcomes, score: 1, comment: "Re-moderated: no weekly review", consensus: true),
                actor: rw.w.officer, db: app.db, now: at)
            let rescored = try await officer.get("/referrals/\(r.id!)").body.string
            let rescoredReads = try await api()

            // validate: everything is read afresh
            #expect(rescored.contains("UNAUDITED-1") && rescored.contains("Re-moderated: no weekly review"))
            #expect(rescoredReads[0].contains("UNAUDITED-1"))
            func acornOutcomes(_ view: ReferralWriteAPI.EvaluationView) -> Points? {
                view.evaluation.ranking.first { $0.id == bid.id!.uuidString }?.points.outcomes
            }
            let (first, last) = (try #require(evaluations.first), try #require(evaluations.last))
            #expect(evaluations.count == 3)
            #expect(try #require(acornOutcomes(last)) < (try #require(acornOutcomes(first))))
            #expect(rescoredReads[1] != reads[1])

            // MUT 3: the minute turns (the page offers dates counted from now)
            let later = at.addingTimeInterval(60)
            app.clock = .fixed(later)
            let nextMinute = try await officer.get("/referrals/\(r.id!)").body.string

            // validate
            #expect(nextMinute.contains(DisplayDate.dayMonthYearTime(later.addingTimeInterval(3 * 86400))))
            #expect(!rescored.contains(DisplayDate.dayMonthYearTime(later.addingTimeInterval(3 * 86400))))

            // MUT 4: another council, after the officer's views were stored
            _ = try await ReferralHTTPTests().kent(app, rw)
            let kent = Browser(app)
            kent.signsInAgain = true
            try await kent.signIn("officer@kent.test")
            let kentToken = try await http.token(app, "officer@kent.test")
            let kentPage = try await kent.get("/referrals/\(r.id!)")
            var kentReads: [HTTPStatus] = []
            for path in paths { kentReads.append(try await http.api(app, .GET, path, token: kentToken).status) }

            // validate
            #expect(kentPage.status == .notFound && !kentPage.body.string.contains("UNAUDITED-1"))
            #expect(kentReads == [.notFound, .notFound, .notFound])
        }
    }

    @Test(
        """
        A provider's stored invitations list shows its decline at once and is never another provider's; the \
        memberships list shows a suspension at once, the referrals list a new referral
        """
    )
    func lists() async throws {
        try await withApp { app in
            // setup: a published referral inviting two providers' establishments; each lists its invitations
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let inv = try await referrals.invitations(app, r)
            let acorn = Browser(app)
            try await acorn.signIn("admin@acorn.test")
            let birch = Browser(app)
            try await birch.signIn("admin@birch.test")
            let before = try await acorn.get("/provider/invitations").body.string
            let birchBefore = try await birch.get("/provider/invitations").body.string
            let admin = Browser(app)
            try await admin.signIn("admin@ws.test")
            let membershipsBefore = try await admin.get("/memberships").body.string

            // MUT: Acorn declines (audited); the administrator suspends a membership (audited)
            try await Referrals.decline(
                inv["Acorn House"]!.id!, reason: "no_vacancy", note: nil, actor: rw.w.provider, db: app.db,
                now: testNow)
            let suspension = SuspensionTests()
            let membership = try await suspension.membership(app, rw, rw.w.otherEstablishment)
            _ = try await ContractManagement.suspend(
                .init(scope: .membership(membership.id!), reason: .safeguardingConcern, detail: "A concern raised."),
                actor: try await suspension.contractManager(app, rw.w), db: app.db, now: testNow)
            let after = try await acorn.get("/provider/invitations").body.string
            let birchAfter = try await birch.get("/provider/invitations").body.string
            let membershipsAfter = try await admin.get("/memberships").body.string

            // validate
            #expect(!before.contains(">Declined<") && after.contains(">Declined<"))
            #expect(before.contains("Acorn House") && !birchBefore.contains("Acorn House"))
            #expect(!birchAfter.contains("Acorn House") && !birchAfter.contains(">Declined<"))
            #expect(!membershipsBefore.contains("Suspended: ") && membershipsAfter.contains("Suspended: "))

            // MUT: the officer's referrals, page and API, before and after a new referral (audited)
            let officer = Browser(app)
            try await officer.signIn("officer@bh.test")
            let token = try await http.token(app, "officer@bh.test")
            let listBefore = try await officer.get("/referrals").body.string
            let apiBefore = try await http.api(app, .GET, "/api/v1/referrals", token: token).body.string
            let added = try await Referrals.create(rw.input(radius: 40), actor: rw.w.officer, db: app.db, now: testNow)
            let listAfter = try await officer.get("/referrals").body.string
            let apiAfter = try await http.api(app, .GET, "/api/v1/referrals", token: token).body.string

            // validate
            #expect(!listBefore.contains(added.reference) && listAfter.contains(added.reference))
            #expect(!apiBefore.contains(added.reference) && apiAfter.contains(added.reference))
        }
    }

    @Test(
        """
        A session names its user, read with it in one statement; a session row written before it (no user) still \
        signs in, and its user's deactivation still signs it out
        """
    )
    func sessionUser() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let officer = Browser(app)
            try await officer.signIn("officer@bh.test")
            let sql = app.db as! any SQLDatabase
            func sessionUsers() async throws -> [UUID?] {
                try await sql.raw("SELECT user_id FROM _fluent_sessions").all().map {
                    try $0.decode(column: "user_id", as: UUID?.self)
                }
            }

            // validate: the signed-in session names its user, in the table the use cases know as the sessions'
            #expect(try await sessionUsers().contains(w.officer.userID))
            #expect(SessionTable.schema == SessionRecord.schema)

            // MUT: a row as written before the column (no user), then the user deactivated
            try await sql.raw("UPDATE _fluent_sessions SET user_id = NULL").run()
            let older = try await officer.get("/referrals")
            try await sql.raw("UPDATE users SET deactivated_at = \(bind: testNow) WHERE id = \(bind: w.officer.userID)")
                .run()
            let deactivated = try await officer.get("/referrals")
            try await sql.raw("UPDATE users SET deactivated_at = NULL WHERE id = \(bind: w.officer.userID)").run()
            try await officer.signIn("officer@bh.test")
            let joined = try await officer.get("/referrals")
            try await sql.raw("UPDATE users SET deactivated_at = \(bind: testNow) WHERE id = \(bind: w.officer.userID)")
                .run()
            let joinedDeactivated = try await officer.get("/referrals")

            // validate
            #expect(older.status == .ok && older.body.string.contains("Sign out"))
            #expect(deactivated.status == .seeOther && joined.status == .ok)
            #expect(joinedDeactivated.status == .seeOther)
        }
    }
}

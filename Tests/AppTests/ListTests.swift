import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Lists are read a page at a time, with their counts from SQL, through the access policy.
@Suite("Paged lists", .serialized)
struct ListTests {
    let referrals = ReferralTests()
    let http = HTTPTests()
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    @Test(
        """
        A council's referrals come a page at a time, newest first, with invited and bid counts from SQL; the \\
        API's Link header names the next and previous pages; another council sees none of them
        """
    )
    func referralPages() async throws {
        try await withApp { app in
            // setup: a published referral with one bid, then two drafts created later
            let rw = try await ReferralWorld.make(app)
            let (published, invitations) = try await referrals.published(app, rw)
            let acorn = try #require(invitations["Acorn House"])
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db, now: testNow)
            var drafts: [ReferralRecord] = []
            for minutes in [1.0, 2.0] {
                drafts.append(
                    try await Referrals.create(
                        rw.input(), actor: rw.w.officer, db: app.db, now: testNow.addingTimeInterval(minutes * 60)))
            }
            let token = try await http.token(app, "officer@bh.test")

            // MUT
            let first = try await http.api(app, .GET, "/api/v1/referrals?limit=2", token: token)
            let second = try await http.api(app, .GET, "/api/v1/referrals?page=2&limit=2", token: token)

            // validate
            let firstRows = try first.content.decode([ReferralAPI.ReferralSummary].self)
            let secondRows = try second.content.decode([ReferralAPI.ReferralSummary].self)
            #expect(firstRows.count == 2 && secondRows.count == 1)
            #expect(first.headers.first(name: .link) == #"</api/v1/referrals?page=2&limit=2>; rel="next""#)
            #expect(second.headers.first(name: .link) == #"</api/v1/referrals?page=1&limit=2>; rel="prev""#)
            let all = firstRows + secondRows
            #expect(Set(all.map(\.id)) == Set(drafts.map(\.id!) + [published.id!]))
            let counted = try #require(all.first { $0.id == published.id })
            let invited = try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == published.id!)
                .count()
            #expect(counted.invited == invited && invited > 0)
            #expect(counted.bids == 1)
            #expect(all.filter { $0.id != published.id }.allSatisfy { $0.invited == 0 && $0.bids == 0 })
            // The page shows the same counts and links to the next page.
            let b = HTTPTests.Browser(app)
            try await b.signIn("officer@bh.test")
            let page = try await b.get("/referrals?limit=2").body.string
            #expect(page.contains("<th class=\"govuk-table__header\" scope=\"col\">Invited</th>"))
            #expect(page.contains(#"href="/referrals?page=2&amp;limit=2" rel="next""#))
            let last = try await b.get("/referrals?page=2&limit=2").body.string
            #expect(last.contains(published.reference) && !last.contains("Next page"))
            #expect(last.contains(#"href="/referrals?limit=2" rel="prev""#))
            // Another council (a partner of no DPS here) sees none of Brighton's.
            let kent = Organisation(kind: OrganisationKind.partnerAuthority.rawValue, name: "Kent")
            try await kent.create(on: app.db)
            let other = Actor(
                userID: UUID(), name: "K", email: "k@kent.test", role: .placementOfficer, organisationID: kent.id!,
                organisationKind: .partnerAuthority, organisationName: "Kent")
            #expect(try await Referrals.list(actor: other, page: .first, db: app.db).rows.isEmpty)
        }
    }

    @Test("A page or page size out of range, or not a number, is refused by name (422), on the API and the page")
    func pageBounds() async throws {
        try await withApp { app in
            _ = try await ReferralWorld.make(app)
            let token = try await http.token(app, "officer@bh.test")
            for (query, field) in [
                ("page=0", "page"), ("page=10001", "page"), ("limit=0", "limit"), ("limit=101", "limit"),
                ("page=abc", "page"), ("page=99999999999999999999", "page"), ("limit=-1", "limit"),
            ] {
                let res = try await http.api(app, .GET, "/api/v1/referrals?\(query)", token: token)
                #expect(res.status == .unprocessableEntity, "\(query)")
                #expect(res.body.string.contains(#""field":"\#(field)""#), "\(query)")
            }
            let b = HTTPTests.Browser(app)
            try await b.signIn("officer@bh.test")
            #expect(try await b.get("/referrals?page=0").status == .unprocessableEntity)
        }
    }

    @Test("Memberships come a page at a time, newest admitted first; a provider's are its own")
    func membershipPages() async throws {
        try await withApp { app in
            // setup: West Sussex's DPS with Brighton as partner and admitted memberships of two providers
            let rw = try await ReferralWorld.make(app)
            let total = try await MembershipRecord.query(on: app.db).count()
            let token = try await http.token(app, "officer@bh.test")

            // MUT
            let first = try await http.api(app, .GET, "/api/v1/memberships?limit=1", token: token)
            let everything = try await Queries.memberships(
                actor: rw.w.officer, page: try ListPage(number: 1, size: 100), db: app.db)
            let own = try await Queries.memberships(
                actor: rw.w.provider, page: try ListPage(number: 1, size: 100), db: app.db)

            // validate
            #expect(total > 1)
            #expect(try first.content.decode([Queries.MembershipRow].self).count == 1)
            #expect(first.headers.first(name: .link) == #"</api/v1/memberships?page=2&limit=1>; rel="next""#)
            #expect(everything.rows.count == total && !everything.hasNext)
            let admitted = try await MembershipRecord.query(on: app.db).sort(\.$admittedAt, .descending)
                .sort(\.$id, .descending).all()
            #expect(everything.rows.map(\.id) == admitted.map(\.id))
            #expect(!own.rows.isEmpty && own.rows.allSatisfy { $0.providerID == rw.w.provider.organisationID })
        }
    }

    @Test("A provider's invitations come a page at a time, newest first, its own only, each with its bid's state")
    func invitationPages() async throws {
        try await withApp { app in
            // setup: two published referrals reach Acorn; it bids on the first
            let rw = try await ReferralWorld.make(app)
            let (older, invitations) = try await referrals.published(app, rw)
            let acorn = try #require(invitations["Acorn House"])
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db, now: testNow)
            let newer = try await Referrals.create(
                rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow.addingTimeInterval(60))
            _ = try await Referrals.publish(
                newer.id!, actor: rw.w.officer, db: app.db, now: testNow.addingTimeInterval(60))
            let token = try await http.token(app, "admin@acorn.test")

            // MUT
            let first = try await http.api(app, .GET, "/api/v1/invitations?limit=1", token: token)
            let mine = try await Queries.invitations(
                actor: rw.w.provider, page: try ListPage(number: 1, size: 100), db: app.db)

            // validate
            #expect(first.headers.first(name: .link) == #"</api/v1/invitations?page=2&limit=1>; rel="next""#)
            #expect(first.body.string.contains(newer.reference) && !first.body.string.contains(older.reference))
            #expect(mine.invitations.rows.map(\.referralID) == [newer.id!, older.id!])
            let own = try await InvitationRecord.query(on: app.db)
                .filter(\.$organisationID == rw.w.provider.organisationID).all().compactMap(\.id)
            #expect(Set(mine.invitations.rows.map(\.id)).isSubset(of: Set(own)))
            #expect(mine.invitations.rows.map(\.bidState) == [nil, "submitted"])
        }
    }

    @Test("The provider's list says which referral was awarded to it, and which it bid for and lost")
    func invitationOutcomes() async throws {
        try await withApp { app in
            // setup: three bids, scored, parent choice off, awarded to the top bid
            let rw = try await ReferralWorld.make(app)
            let (r, _) = try await referrals.competed(app, rw, parentChoice: false)
            _ = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            let placement = try #require(
                try await PlacementRecord.query(on: app.db).filter(\.$referralID == r.id!).first())
            let bidders = [
                (rw.w.provider, "admin@acorn.test"), (rw.w.otherProvider, "admin@birch.test"),
                (rw.third, "admin@cedar.test"),
            ]
            let won = try #require(bidders.first { $0.0.organisationID == placement.providerID })
            let lost = try #require(bidders.first { $0.0.organisationID != placement.providerID })

            // MUT
            let winner = try await Queries.invitationRows(actor: won.0, page: .first, db: app.db)
            let loser = try await Queries.invitationRows(actor: lost.0, page: .first, db: app.db)

            // validate
            #expect(winner.rows.map(\.awardedToUs) == [true] && winner.rows.map(\.bidState) == ["submitted"])
            #expect(loser.rows.map(\.awardedToUs) == [false] && loser.rows.map(\.referralState) == ["awarded"])
            let b = HTTPTests.Browser(app)
            try await b.signIn(won.1)
            #expect(try await b.get("/provider/invitations").body.string.contains("Awarded to you"))
            let a = HTTPTests.Browser(app)
            try await a.signIn(lost.1)
            #expect(try await a.get("/provider/invitations").body.string.contains("Not awarded"))
        }
    }

    @Test(
        """
        The assessment queue (open, most urgent first; decided, latest first), the audit trail (newest first), \
        messages and applications come a page at a time; out-of-range pages are refused by name
        """
    )
    func assessmentAuditApplicationPages() async throws {
        try await withApp { app in
            // setup: two submitted applications (the later one is decided after the open queue is read)
            let w = try await World.make(app)
            let first = try await w.application(app, codes: ["fostering"])
            let second = try await w.application(
                app, codes: ["fostering"], actor: w.otherProvider, establishment: w.otherEstablishment,
                at: testNow.addingTimeInterval(86_400))
            let one = try ListPage(number: 1, size: 1)
            let calendar = WorkingDayCalendar()

            // MUT
            let open1 = try await Assessment.queue(
                actor: w.evaluator, decided: false, page: one, db: app.db, now: testNow, calendar: calendar)
            let open2 = try await Assessment.queue(
                actor: w.evaluator, decided: false, page: try ListPage(number: 2, size: 1), db: app.db, now: testNow,
                calendar: calendar)
            let b = HTTPTests.Browser(app)
            try await b.signIn("eval@ws.test")
            let queue = try await b.get("/assessment?limit=1").body.string
            // (the later one decided)
            second.state = ApplicationState.decided.rawValue
            second.decidedAt = testNow.addingTimeInterval(2 * 86_400)
            try await second.save(on: app.db)
            let decided = try await Assessment.queue(
                actor: w.evaluator, decided: true, page: .first, db: app.db, now: testNow, calendar: calendar)
            let audit = try await Queries.auditTrail(
                actor: w.auditor, page: try ListPage(number: 1, size: 3), db: app.db)
            let token = try await http.token(app, "admin@ws.test")
            let apps = try await http.api(app, .GET, "/api/v1/applications?limit=1", token: token)

            // validate
            #expect(open1.rows.map(\.app.id) == [first.id!] && open1.hasNext)
            #expect(open2.rows.map(\.app.id) == [second.id!] && !open2.hasNext)
            #expect(decided.rows.map(\.app.id) == [second.id!] && decided.rows.first?.status == nil)
            #expect(audit.rows.count == 3 && audit.hasNext)
            #expect(audit.rows.map(\.seq) == audit.rows.map(\.seq).sorted(by: >))
            await #expect(throws: UseCaseError.self) {
                _ = try await Queries.auditTrail(actor: w.provider, page: .first, db: app.db)
            }
            await #expect(throws: UseCaseError.self) {
                _ = try await Assessment.queue(
                    actor: w.officer, decided: false, page: .first, db: app.db, now: testNow, calendar: calendar)
            }
            #expect(try apps.content.decode([APIRoutes.ApplicationView].self).map(\.id) == [first.id!])
            #expect(apps.headers.first(name: .link) == #"</api/v1/applications?page=2&limit=1>; rel="next""#)
            #expect(queue.contains(#"href="/assessment?page=2&amp;limit=1" rel="next""#))
            let decidedPage = try await b.get("/assessment?list=decided").body.string
            #expect(decidedPage.contains("Decided, latest first") && decidedPage.contains("Decided applications"))
            #expect(try await b.get("/assessment?page=0").status == .unprocessableEntity)
            let auditor = HTTPTests.Browser(app)
            try await auditor.signIn("audit@ws.test")
            #expect(try await auditor.get("/audit?limit=2").body.string.contains(#"rel="next""#))
            #expect(try await auditor.get("/audit?limit=101").status == .unprocessableEntity)
            #expect(try await auditor.get("/messages?page=abc").status == .unprocessableEntity)
        }
    }

    @Test("The young people's panel sees only the open applications it scores: no decided list, deadlines or report")
    func panelQueue() async throws {
        try await withApp { app in
            // setup: one submitted application
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let b = HTTPTests.Browser(app)
            try await b.signIn("panel@ws.test")

            // MUT
            let queue = try await b.get("/assessment")
            let decided = try await b.get("/assessment?list=decided")
            let report = try await b.get("/assessment/report")

            // validate
            let html = queue.body.string
            #expect(queue.status == .ok && html.contains("/assessment/\(record.id!)") && html.contains("To score"))
            #expect(!html.contains("Decide by") && !html.contains("Clock") && !html.contains("Decided applications"))
            #expect(decided.status == .forbidden && report.status == .forbidden)
            await #expect(throws: UseCaseError.self) {
                _ = try await Assessment.queue(
                    actor: w.panel, decided: true, page: .first, db: app.db, now: testNow,
                    calendar: WorkingDayCalendar())
            }
        }
    }

    @Test(
        """
        Long lists narrow by status and by a plain-text search, sort, keep the filter across pages, and refuse \
        a filter out of range by name
        """
    )
    func filters() async throws {
        try await withApp { app in
            // setup: two draft referrals, admitted memberships of several providers
            let rw = try await ReferralWorld.make(app)
            let first = try await Referrals.create(rw.input(radius: 30), actor: rw.w.officer, db: app.db, now: testNow)
            let second = try await Referrals.create(
                rw.input(radius: 40), actor: rw.w.officer, db: app.db, now: testNow + 60)
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")

            // MUT and validate: referrals by status, by search, sorted, paged with the filter kept
            let drafts = try await officer.get("/referrals?state=draft").body.string
            #expect(drafts.contains(first.reference) && drafts.contains(second.reference))
            let awarded = try await officer.get("/referrals?state=awarded").body.string
            #expect(!awarded.contains(first.reference) && awarded.contains("Nothing matches"))
            let one = try await officer.get("/referrals?q=\(second.reference.lowercased())").body.string
            #expect(one.contains(second.reference) && !one.contains(first.reference))
            // A search is plain text: a pattern character matches only itself.
            #expect(try await officer.get("/referrals?q=%25").body.string.contains("Nothing matches"))
            let oldest = try await Referrals.list(
                actor: rw.w.officer,
                filter: try ListFilter(state: nil, search: nil, sort: "reference", options: Referrals.listOptions),
                page: .first, db: app.db)
            #expect(oldest.rows.map(\.reference) == [first.reference, second.reference].sorted())
            let paged = try await officer.get("/referrals?state=draft&limit=1").body.string
            #expect(paged.contains(#"href="/referrals?state=draft&amp;page=2&amp;limit=1""#))
            let bad = try await officer.get("/referrals?sort=cheapest&state=lost")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Choose an order from the list"))
            #expect(bad.body.string.contains("Choose a status from the list"))
            let long = try await officer.get("/referrals?q=" + String(repeating: "x", count: 101))
            #expect(long.status == .unprocessableEntity && long.body.string.contains("100 characters or fewer"))

            // The API takes the same filter, keeps it in its Link header, and refuses one out of range.
            let token = try await http.token(app, "officer@bh.test")
            let api = try await http.api(
                app, .GET, "/api/v1/referrals?state=draft&sort=reference&limit=1", token: token)
            #expect(api.status == .ok)
            #expect(
                api.headers.first(name: .link)
                    == #"</api/v1/referrals?state=draft&sort=reference&page=2&limit=1>; rel="next""#)
            let badAPI = try await http.api(app, .GET, "/api/v1/referrals?sort=cheapest", token: token)
            #expect(badAPI.status == .unprocessableEntity && badAPI.body.string.contains("Choose an order"))
            let apiMembers = try await http.api(app, .GET, "/api/v1/memberships?state=suspended", token: token)
            #expect(try apiMembers.content.decode([Queries.MembershipRow].self).isEmpty)

            // Memberships by establishment or provider name, and by status.
            let someone = try #require(
                try await Queries.memberships(actor: rw.w.officer, page: .first, db: app.db).rows.first)
            let found = try await officer.get("/memberships?q=\(someone.establishment.prefix(5))").body.string
            #expect(found.contains(someone.establishment))
            let suspended = try await officer.get("/memberships?state=suspended").body.string
            #expect(suspended.contains("Nothing matches") && !suspended.contains(someone.establishment))

            // The assessment queue by provider, keeping the decided list.
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            let decided = try await admin.get("/assessment?list=decided&q=nobody-at-all").body.string
            #expect(
                decided.contains("Nothing matches") && decided.contains(#"type="hidden" name="list" value="decided""#))
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, concerns and coordinated reviews: partners log concerns; crossing the DPS's threshold (any safeguarding
/// concern, or 3 concerns from 2 partners within 12 months) opens one review by itself; the contract managers and
/// the partners involved read everything, the provider reads the concerns without who raised them, others nothing;
/// the review's action plan and visits; closed once.
@Suite("Concerns and reviews", .serialized)
struct ConcernTests {
    let suspension = SuspensionTests()

    /// A second partner council (Kent) with a placement officer.
    func kent(_ app: Application, _ rw: ReferralWorld) async throws -> Actor {
        try await DPSAdmin.upsertPartner(
            rw.w.dps.id!,
            .init(gssCode: "E10000016", name: "Kent County Council", categories: [rw.category.id!], isJoiner: false),
            actor: rw.w.admin, db: app.db, now: testNow)
        let org = try #require(try await Organisation.query(on: app.db).filter(\.$gssCode == "E10000016").first())
        let user = User(
            organisationID: org.id!, email: "officer@kent.test", name: "Kim Kent", role: Role.placementOfficer.rawValue,
            passwordHash: try app.password.hash(World.password))
        try await user.create(on: app.db)
        return Actor(
            userID: user.id!, name: user.name, email: user.email, role: .placementOfficer, organisationID: org.id!,
            organisationKind: .partnerAuthority, organisationName: org.name)
    }

    func reviews(_ app: Application) async throws -> Int {
        try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM quality_reviews").first()!
            .decode(column: "n", as: Int.self)
    }

    @Test("Three concerns from two partners open one review; the provider reads them without who raised them")
    func thresholdOpensReview() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let kent = try await kent(app, rw)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            func raise(_ actor: Actor, _ kind: ConcernThreshold.Kind, at day: Int) async throws -> UUID? {
                try await Concerns.raise(
                    about: acorn.id!, .init(kind: kind, details: "Missed two statutory visits in a month."),
                    actor: actor, db: app.db, now: testNow.addingTimeInterval(Double(day) * 86_400))
            }

            // MUT: two quality concerns from Brighton and Hove (one partner): no review; a third from Kent, within
            // 12 months: a review opens by itself; a fourth joins it
            let first = try await raise(rw.w.officer, .quality, at: 0)
            let second = try await raise(rw.w.officer, .quality, at: 30)
            let third = try await raise(kent, .contractual, at: 300)
            let fourth = try await raise(rw.w.officer, .financial, at: 301)

            // validate
            #expect(first == nil && second == nil && third != nil && fourth == third)
            #expect(try await reviews(app) == 1)
            let review = try await Concerns.review(third!, actor: manager, db: app.db)
            #expect(review.concerns.count == 4 && review.row.openedBy == Concerns.system)
            #expect(review.concerns.allSatisfy { $0.raisedBy != nil })
            let seenByProvider = try await Concerns.review(third!, actor: rw.w.provider, db: app.db)
            #expect(seenByProvider.reading == .provider && seenByProvider.concerns.allSatisfy { $0.raisedBy == nil })
            let page = try await HTTPTests.Browser(app).signedIn("admin@acorn.test").get("/reviews/\(third!)")
            #expect(page.status == .ok && !page.body.string.contains("Brighton") && !page.body.string.contains("Kim"))
            let messages = try await OutboxMessageRecord.query(on: app.db)
                .filter(\.$subject == "Coordinated review opened: Acorn House").all()
            #expect(
                Set(messages.compactMap(\.organisationID))
                    == Set([
                        rw.w.admin.organisationID, rw.w.officer.organisationID, kent.organisationID,
                        rw.w.provider.organisationID,
                    ]))
            // Another provider, and another lead, read nothing of it.
            await #expect(throws: UseCaseError.self) {
                _ = try await Concerns.review(third!, actor: rw.w.otherProvider, db: app.db)
            }
            let other = Actor(
                userID: UUID(), name: "Hants", email: "contracts@hants.test", role: .contractManager,
                organisationID: UUID(), organisationKind: .leadAuthority, organisationName: "Hampshire")
            await #expect(throws: UseCaseError.self) { _ = try await Concerns.review(third!, actor: other, db: app.db) }
            #expect(try await Concerns.reviews(actor: other, db: app.db).rows.isEmpty)
        }
    }

    @Test("Concerns outside the window do not count; any safeguarding concern opens a review at once")
    func windowAndSafeguarding() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let kent = try await kent(app, rw)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let birch = try await suspension.membership(app, rw, rw.w.otherEstablishment)
            let details = "Staffing below the agreed ratio on three nights."
            // Two concerns 13 months before the third: outside the 12-month window.
            for (actor, day) in [(rw.w.officer, 0), (rw.w.officer, 1)] {
                try await Concerns.raise(
                    about: acorn.id!, .init(kind: .quality, details: details), actor: actor, db: app.db,
                    now: testNow.addingTimeInterval(Double(day) * 86_400))
            }
            let late = try await Concerns.raise(
                about: acorn.id!, .init(kind: .quality, details: details), actor: kent, db: app.db,
                now: testNow.addingTimeInterval(400 * 86_400))
            #expect(late == nil)
            let safeguarding = try await Concerns.raise(
                about: birch.id!,
                .init(kind: .safeguarding, details: "A child reported being hit by a member of staff."),
                actor: kent, db: app.db, now: testNow)
            #expect(safeguarding != nil)
            // Bad input is refused by name.
            await expectInputError("concernKind") {
                try await Concerns.raise(
                    about: acorn.id!, .init(kind: nil, details: details), actor: kent, db: app.db, now: testNow)
            }
            await expectInputError("concernDetails") {
                try await Concerns.raise(
                    about: acorn.id!, .init(kind: .quality, details: "short"), actor: kent, db: app.db, now: testNow)
            }
        }
    }

    @Test("The threshold is the DPS's setting: refused by name when it cannot be met, used when set")
    func thresholdSetting() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            func settings(_ t: ConcernThreshold) -> DPSAdmin.DPSCommand {
                DPSAdmin.DPSCommand(
                    title: rw.w.dps.title, regime: .pcr2015, validityStart: LocalDate(iso: rw.w.dps.validityStart),
                    validityEnd: LocalDate(iso: rw.w.dps.validityEnd), shortDeadlinesAgreed: true,
                    concernThreshold: t)
            }
            await expectInputError("concernPartners") {
                try await DPSAdmin.update(
                    rw.w.dps.id!, settings(ConcernThreshold(concerns: 2, partners: 3)), actor: rw.w.admin, db: app.db,
                    now: testNow)
            }
            try await DPSAdmin.update(
                rw.w.dps.id!, settings(ConcernThreshold(concerns: 2, partners: 1, months: 6, anySafeguarding: false)),
                actor: rw.w.admin, db: app.db, now: testNow)
            let details = "Education hours below the agreed 25 a week."
            let first = try await Concerns.raise(
                about: acorn.id!, .init(kind: .safeguarding, details: details), actor: rw.w.officer, db: app.db,
                now: testNow)
            let second = try await Concerns.raise(
                about: acorn.id!, .init(kind: .quality, details: details), actor: rw.w.officer, db: app.db,
                now: testNow)
            #expect(first == nil && second != nil)
        }
    }

    @Test("Two concerns crossing the threshold at once open one review")
    func concurrentThreshold() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let kent = try await kent(app, rw)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            _ = try await ConcurrencyTests().race(2) {
                try await Concerns.raise(
                    about: acorn.id!, .init(kind: .safeguarding, details: "An allegation made by a child on Friday."),
                    actor: kent, db: app.db, now: testNow)
            }
            #expect(try await reviews(app) == 1)
        }
    }

    @Test("The action plan, a visit with its report file, and closing once; a partner not involved is refused")
    func actionPlanVisitsClose() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            _ = try await suspension.contractManager(app, rw.w)
            _ = try await kent(app, rw)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let browser = try await HTTPTests.Browser(app).signedIn("contracts@ws.test")
            _ = try await browser.get("/memberships/\(acorn.id!)")
            let opened = try await browser.post(
                "/memberships/\(acorn.id!)/review", ["reviewReason": "Inspection judged it inadequate in June."])
            let path = try #require(opened.headers.first(name: .location))
            #expect(path.hasPrefix("/reviews/"))
            _ = try await browser.get(path)

            // MUT: an action with no date refused by name; then added and done; a visit with a file; closed
            let undated = try await browser.post(
                path + "/actions", ["action": "New rota", "owner": "Registered manager"])
            let added = try await browser.post(
                path + "/actions",
                [
                    "action": "Publish a staffing rota meeting the ratio", "owner": "Registered manager",
                    "dueOn-day": "31", "dueOn-month": "1", "dueOn-year": "2027",
                ])
            let reviewID = UUID(uuidString: String(path.dropFirst("/reviews/".count)))!
            let actionID = try #require(
                try await (app.db as! any SQLDatabase).raw("SELECT id FROM review_actions").first()?
                    .decode(column: "id", as: UUID.self))
            let done = try await browser.post(
                path + "/done", ["done": actionID.uuidString, "note": "Rota seen on the visit."])
            let visit = try await browser.postFile(
                path + "/visits",
                [
                    "visitKind": "monitoring", "visitedOn-day": "5", "visitedOn-month": "1", "visitedOn-year": "2027",
                    "report": "Rota in place; two agency staff inducted; records complete.",
                ], file: (field: "reportFile", name: "visit.pdf", data: Data("report".utf8)))
            let scheduled = try await browser.post(
                path + "/visits",
                [
                    "visitKind": "quality_assurance", "visitedOn-day": "1", "visitedOn-month": "2",
                    "visitedOn-year": "2027",
                ])
            let undatedPast = try await browser.post(
                path + "/visits",
                ["visitKind": "monitoring", "visitedOn-day": "1", "visitedOn-month": "11", "visitedOn-year": "2026"])
            let planned = try #require(
                try await (app.db as! any SQLDatabase).raw("SELECT id FROM review_visits WHERE report = ''").first()?
                    .decode(column: "id", as: UUID.self))
            let reported = try await browser.postFile(
                path + "/report",
                ["visit": planned.uuidString, "visitReport": "Staffing met the ratio on every shift we sampled."],
                file: (field: "visitFile", name: "qa.pdf", data: Data("qa".utf8)))
            let reportedAgain = try await browser.post(
                path + "/report", ["visit": planned.uuidString, "visitReport": "A second report by mistake."])
            let closed = try await browser.post(path + "/close", ["outcome": "Actions complete; monitoring continues."])
            let again = try await browser.post(path + "/close", ["outcome": "Closed a second time by mistake."])

            // validate
            #expect(undated.status == .unprocessableEntity && undated.body.string.contains(##"href="#f-dueOn""##))
            #expect(added.status == .seeOther && done.status == .seeOther && visit.status == .seeOther)
            #expect(closed.status == .seeOther && again.status == .conflict)
            // A visit after today is scheduled without a report, which is added once; a past one needs its report.
            #expect(scheduled.status == .seeOther && undatedPast.status == .unprocessableEntity)
            #expect(reported.status == .seeOther && reportedAgain.status == .conflict)
            let review = try await Concerns.review(reviewID, actor: rw.w.provider, db: app.db)
            #expect(review.row.state == "closed" && review.actions.first?.state == "done")
            #expect(Set(review.visits.compactMap(\.filename)) == ["visit.pdf", "qa.pdf"])
            #expect(
                try await OutboxMessageRecord.query(on: app.db).filter(\.$subject == "Action done: Acorn House").count()
                    == 1)
            let visitID = review.visits.first { $0.filename == "visit.pdf" }!.id
            let provider = try await HTTPTests.Browser(app).signedIn("admin@acorn.test")
            #expect(try await provider.get(path + "/visits/\(visitID)").body.string == "report")
            // Kent has neither placed children at Acorn House nor raised a concern: it reads nothing.
            let kentBrowser = try await HTTPTests.Browser(app).signedIn("officer@kent.test")
            #expect(try await kentBrowser.get(path).status == .notFound)
            #expect(try await kentBrowser.get(path + "/visits/\(visitID)").status == .notFound)
        }
    }
}

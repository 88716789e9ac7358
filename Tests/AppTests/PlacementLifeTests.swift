import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 10, placements after award: outcome reviews opened once on their schedule, recorded by the provider and
/// answered once by the placing authority; changes both sides accept, one at a time, refused when stale; endings,
/// once, reported to the contract managers when unplanned; the register by scope, the child's details to the parties.
@Suite("Placements after award", .serialized)
struct PlacementLifeTests {
    /// A direct placement at Acorn House by Brighton and Hove from 5 January 2026 for 104 weeks, two outcomes.
    static func placement(_ app: Application, _ rw: ReferralWorld, fee: Int = 300_000) async throws -> PlacementRecord {
        try await Referrals.direct(
            .init(
                categoryID: rw.category.id, establishmentID: rw.w.establishment.id,
                startDate: LocalDate(iso: "2026-01-05"),
                weeklyFeePence: fee, durationWeeks: 104, justification: "Emergency: the home closed without notice.",
                childDetails: "Jane Doe, born 2014-03-02, case 12345",
                outcomes: ["Attend school every day", "Build friendships"]),
            actor: rw.w.officer, db: app.db, now: ISO8601DateFormatter().date(from: "2026-01-05T09:00:00Z")!)
    }

    static func messages(_ app: Application, _ subject: String) async throws -> Int {
        try await OutboxMessageRecord.query(on: app.db).filter(\.$subject ~~ subject).count()
    }

    @Test("Reviews open once on their schedule and are overdue once; the provider records, the authority answers once")
    func reviews() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let p = try await Self.placement(app, rw)
            let id = p.id!

            // MUT: two daily runs at once on 10 November 2026 open review 1 (due 5 July 2026), already overdue
            async let first = Placements.runDailyReviews(db: app.db, now: testNow)
            async let second = Placements.runDailyReviews(db: app.db, now: testNow)
            let runs = try await [first, second]

            // validate: one run did the day; one review, one reminder, one overdue notice to each party
            #expect(runs.filter(\.alreadyRun).count == 1)
            #expect(runs.map(\.opened).reduce(0, +) == 1 && runs.map(\.overdue).reduce(0, +) == 1)
            var life = try await Placements.life(p, db: app.db)
            #expect(life.reviews.map(\.sequence) == [1] && life.reviews.first?.due == LocalDate(iso: "2026-07-05"))
            #expect(try await Self.messages(app, "Outcome review due") == 1)
            #expect(try await Self.messages(app, "Outcome review overdue") == 2)
            // The next day, a later run opens nothing more and tells nobody again.
            let next = try await Placements.runDailyReviews(db: app.db, now: testNow.addingTimeInterval(86_400))
            #expect(next.opened == 0 && next.overdue == 0)
            let register = try await Placements.register(
                actor: rw.w.officer, filter: .init(overdueOnly: true), db: app.db, now: testNow)
            #expect(register.rows.map(\.id) == [id] && register.rows.first?.reviewOverdue == true)

            let review = try #require(life.reviews.first).id
            // Every outcome needs a rating and a comment; another provider cannot record it; the authority cannot.
            await expectInputError("rating1") {
                try await Placements.recordReview(
                    id, review: review,
                    ratings: [
                        .init(outcomeIndex: 0, rating: .someProgress, comment: "Attended 9 of 10 days", file: nil)
                    ],
                    actor: rw.w.provider, db: app.db, now: testNow)
            }
            await #expect(throws: UseCaseError.self) {
                try await Placements.recordReview(
                    id, review: review, ratings: [], actor: rw.w.otherProvider, db: app.db, now: testNow)
            }
            let ratings: [Placements.RatingInput] = [
                .init(outcomeIndex: 0, rating: .goodProgress, comment: "Attended 9 of 10 days", file: nil),
                .init(
                    outcomeIndex: 1, rating: .someProgress, comment: "Joined the football club",
                    file: .init(filename: "club.pdf", data: Data("club letter".utf8))),
            ]
            try await Placements.recordReview(
                id, review: review, ratings: ratings, actor: rw.w.provider, db: app.db, now: testNow)
            // The authority's view is needed when it does not agree.
            await expectInputError("view") {
                try await Placements.respondReview(
                    id, review: review, agree: false, view: " ", authorityRatings: [:], actor: rw.w.officer,
                    db: app.db, now: testNow)
            }
            // Two answers at once: one completes the review, the other finds it answered.
            async let a = attempt {
                try await Placements.respondReview(
                    id, review: review, agree: false, view: "Friendships are only starting.",
                    authorityRatings: [1: .notStarted], actor: rw.w.officer, db: app.db, now: testNow)
            }
            async let b = attempt {
                try await Placements.respondReview(
                    id, review: review, agree: true, view: "", authorityRatings: [:], actor: rw.w.officer, db: app.db,
                    now: testNow)
            }
            let answers = await [a, b]
            #expect(answers.filter { $0 != nil }.count == 1)
            // Completed: the provider can no longer change it.
            await #expect(throws: UseCaseError.self) {
                try await Placements.recordReview(
                    id, review: review, ratings: ratings, actor: rw.w.provider, db: app.db, now: testNow)
            }
            life = try await Placements.life(p, db: app.db)
            let done = try #require(life.reviews.first)
            #expect(done.state == .completed && done.ratings.map(\.rating) == [.goodProgress, .someProgress])
            #expect(done.ratings.first?.filename == nil && done.ratings.last?.filename == "club.pdf")
            let file = try await Placements.reviewFile(id, review: review, outcome: 1, actor: rw.w.officer, db: app.db)
            #expect(file.data == Data("club letter".utf8))
            // The review's content is the two parties' (found by an attack: the lead's contract manager read the
            // comments and downloaded the evidence, which may name the child); the lead sees its date and state.
            let lead = try #require(try await Organisation.find(rw.w.admin.organisationID, on: app.db))
            let manager = Actor(
                userID: UUID(), name: "Manager", email: "cm@ws.test", role: .contractManager,
                organisationID: lead.id!, organisationKind: .leadAuthority, organisationName: lead.name)
            let managerLife = try await Placements.life(p, reader: manager, db: app.db)
            #expect(managerLife.reviews.map(\.state) == [.completed])
            #expect(managerLife.reviews.allSatisfy { $0.ratings.isEmpty && $0.authorityView == nil })
            // The provider reads the authority's view (whichever of the two answers won).
            let providerReview = try #require(
                try await Placements.life(p, reader: rw.w.provider, db: app.db).reviews.first)
            #expect(
                providerReview.authorityView
                    == (providerReview.authorityAgreed == true ? nil : "Friendships are only starting."))
            for reader in [manager, rw.w.auditor] {
                await #expect(throws: UseCaseError.self) {
                    _ = try await Placements.reviewFile(id, review: review, outcome: 1, actor: reader, db: app.db)
                }
            }
            await #expect(throws: UseCaseError.self) {
                _ = try await Placements.reviewFile(
                    id, review: review, outcome: 1, actor: rw.w.otherProvider, db: app.db)
            }
        }
    }

    @Test("A fee variation both sides accept changes the weekly fee; one waits at a time; a stale one is refused")
    func changes() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let p = try await Self.placement(app, rw)
            let id = p.id!
            let lines = [FeeLine(key: nil, name: "Agreed weekly fee", pence: 320_000)]
            let fee = Placements.ChangeCommand(
                kind: .fee, lines: lines, reason: "Annual uplift agreed with the provider",
                effective: LocalDate(iso: "2026-11-16"))

            // MUT: a reason and a date within the placement are needed; then two proposals at once
            await expectInputError("effective") {
                var early = fee
                early.effective = LocalDate(iso: "2025-12-01")
                try await Placements.proposeChange(id, early, actor: rw.w.officer, db: app.db, now: testNow)
            }
            async let one = attempt {
                try await Placements.proposeChange(id, fee, actor: rw.w.officer, db: app.db, now: testNow)
            }
            async let two = attempt {
                try await Placements.proposeChange(id, fee, actor: rw.w.provider, db: app.db, now: testNow)
            }
            let proposals = await [one, two]

            // validate: one waits; the proposer cannot accept its own; the other side accepts once
            let waiting = try #require(proposals.compactMap { $0 }.first)
            #expect(proposals.filter { $0 != nil }.count == 1)
            let proposer = try #require(try await Placements.life(p, db: app.db).changes.first).proposedByOrganisation
            let (own, other) =
                proposer == rw.w.provider.organisationID
                ? (rw.w.provider, rw.w.officer) : (rw.w.officer, rw.w.provider)
            await #expect(throws: UseCaseError.self) {
                try await Placements.decideChange(
                    id, change: waiting, accept: true, note: "", actor: own, db: app.db, now: testNow)
            }
            try await Placements.decideChange(
                id, change: waiting, accept: true, note: "", actor: other, db: app.db, now: testNow)
            await #expect(throws: UseCaseError.self) {
                try await Placements.decideChange(
                    id, change: waiting, accept: true, note: "", actor: other, db: app.db, now: testNow)
            }
            var stored = try #require(try await PlacementRecord.find(id, on: app.db))
            #expect(stored.weeklyFeePence == 320_000)
            let change = try #require(try await Placements.life(p, db: app.db).changes.first)
            #expect(change.before.weeklyPence == 300_000 && change.after.weeklyPence == 320_000)

            // A proposal made against £3,200 goes stale when the fee changes underneath it before it is accepted.
            let stale = try await Placements.proposeChange(
                id,
                .init(
                    kind: .fee, lines: [FeeLine(key: nil, name: "Agreed weekly fee", pence: 330_000)],
                    reason: "Extra support at weekends", effective: LocalDate(iso: "2026-12-01")),
                actor: rw.w.provider, db: app.db, now: testNow)
            try await app.db.sql().raw("UPDATE placements SET weekly_fee_pence = 310000 WHERE id = \(bind: id)").run()
            await #expect(throws: UseCaseError.self) {
                try await Placements.decideChange(
                    id, change: stale, accept: true, note: "", actor: rw.w.officer, db: app.db, now: testNow)
            }
            stored = try #require(try await PlacementRecord.find(id, on: app.db))
            #expect(stored.weeklyFeePence == 310_000)
            // A fee variation naming a core line the agreement does not have, or one line twice, is refused (found by
            // an attack: the weekly fee and its breakdown disagreed, and every later variation was refused).
            await expectInputError("lineName1") {
                try await Placements.proposeChange(
                    id,
                    .init(
                        kind: .fee,
                        lines: [
                            FeeLine(key: nil, name: "Agreed weekly fee", pence: 300_000),
                            FeeLine(key: "dup", name: "Invented", pence: 100_000),
                        ], linePositions: [0, 1], reason: "Repeated keys from a crafted form",
                        effective: LocalDate(iso: "2026-12-01")), actor: rw.w.provider, db: app.db, now: testNow)
            }
            // A new end in the past, or within a week of the start, is refused.
            await expectInputError("expectedEnd") {
                try await Placements.proposeChange(
                    id,
                    .init(
                        kind: .duration, expectedEnd: LocalDate(iso: "2026-01-06"), reason: "A day after the start",
                        effective: LocalDate(iso: "2026-11-16")), actor: rw.w.officer, db: app.db, now: testNow)
            }
            // A change of end, once the stale one is rejected.
            try await Placements.decideChange(
                id, change: stale, accept: false, note: "Not agreed this year", actor: rw.w.officer, db: app.db,
                now: testNow)
            let longer = try await Placements.proposeChange(
                id,
                .init(
                    kind: .duration, expectedEnd: LocalDate(iso: "2028-07-31"),
                    reason: "Extended to the end of year 11",
                    effective: LocalDate(iso: "2026-11-16")), actor: rw.w.officer, db: app.db, now: testNow)
            try await Placements.decideChange(
                id, change: longer, accept: true, note: "", actor: rw.w.provider, db: app.db, now: testNow)
            #expect(try await PlacementRecord.find(id, on: app.db)?.expectedEndDate == "2028-07-31")
        }
    }

    @Test("A placement ends once, with its reason; unplanned endings reach the contract managers; scopes hold")
    func endings() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let p = try await Self.placement(app, rw)
            let id = p.id!
            let lead = try #require(try await Organisation.find(rw.w.admin.organisationID, on: app.db))
            let manager = Actor(
                userID: UUID(), name: "Manager", email: "cm@ws.test", role: .contractManager,
                organisationID: lead.id!, organisationKind: .leadAuthority, organisationName: lead.name)

            // MUT: an unplanned ending needs what happened; no future dates; then two at once
            await expectInputError("endNote") {
                try await Placements.end(
                    id, reason: .brokeDown, on: LocalDate(iso: "2026-11-09"), note: "Broke", actor: rw.w.officer,
                    db: app.db, now: testNow)
            }
            await expectInputError("endedOn") {
                try await Placements.end(
                    id, reason: .reachedEnd, on: LocalDate(iso: "2026-11-11"), note: "", actor: rw.w.officer,
                    db: app.db, now: testNow)
            }
            async let a = attempt {
                try await Placements.end(
                    id, reason: .brokeDown, on: LocalDate(iso: "2026-11-09"),
                    note: "The placement broke down after repeated incidents.", actor: rw.w.officer, db: app.db,
                    now: testNow)
            }
            async let b = attempt {
                try await Placements.end(
                    id, reason: .providerGaveNotice, on: LocalDate(iso: "2026-11-08"),
                    note: "We gave notice: needs beyond our registration.", actor: rw.w.provider, db: app.db,
                    now: testNow)
            }
            let ends = await [a, b]

            // validate
            #expect(ends.filter { $0 != nil }.count == 1)
            let ended = try #require(try await PlacementRecord.find(id, on: app.db))
            #expect(ended.status == "ended" && ended.endingKind == "unplanned" && ended.endedBy != nil)
            #expect(try await Self.messages(app, "Unplanned ending") == 1)
            let told = try #require(
                try await OutboxMessageRecord.query(on: app.db).filter(\.$subject ~~ "Unplanned ending").first())
            #expect(told.organisationID == lead.id)
            // No change to an ended placement.
            await #expect(throws: UseCaseError.self) {
                try await Placements.proposeChange(
                    id,
                    .init(
                        kind: .duration, expectedEnd: LocalDate(iso: "2028-01-01"), reason: "Too late for this",
                        effective: LocalDate(iso: "2026-11-01")), actor: rw.w.officer, db: app.db, now: testNow)
            }
            // The contract manager's register finds it among unplanned endings, without the child's details.
            let unplanned = try await Placements.register(
                actor: manager, filter: .init(status: .ended, ending: .unplanned), db: app.db, now: testNow)
            #expect(unplanned.rows.map(\.id) == [id])
            let planned = try await Placements.register(
                actor: manager, filter: .init(ending: .planned), db: app.db, now: testNow)
            #expect(planned.rows.isEmpty)
            let managerView = try await PlacementAgreement.query(id, actor: manager, db: app.db)
            #expect(managerView.childDetails.isEmpty)
            let officerView = try await PlacementAgreement.query(id, actor: rw.w.officer, db: app.db)
            #expect(officerView.childDetails.contains("Jane Doe"))
            // Another provider and another lead authority see nothing.
            #expect(
                try await Placements.register(actor: rw.w.otherProvider, db: app.db, now: testNow).rows.isEmpty)
            let stranger = Actor(
                userID: UUID(), name: "Hants", email: "cm@hants.test", role: .contractManager, organisationID: UUID(),
                organisationKind: .leadAuthority, organisationName: "Hampshire")
            #expect(try await Placements.register(actor: stranger, db: app.db, now: testNow).rows.isEmpty)
            await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.placement(id, actor: stranger, db: app.db)
            }
        }
    }

    @Test("A direct placement or referral starting in year 9999 is refused by name (the process used to trap)")
    func farStart() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            for start in ["9999-01-09", "2029-01-01", "2012-01-01"] {
                await expectInputError("startDate") {
                    _ = try await Referrals.direct(
                        .init(
                            categoryID: rw.category.id, establishmentID: rw.w.establishment.id,
                            startDate: LocalDate(iso: start), weeklyFeePence: 300_000, durationWeeks: 104,
                            justification: "Emergency: the home closed without notice."),
                        actor: rw.w.officer, db: app.db, now: testNow)
                }
            }
            var far = rw.input()
            far.startDate = "9999-01-09"
            await expectInputError("startDate") {
                _ = try await Referrals.create(far, actor: rw.w.officer, db: app.db, now: testNow)
            }
            #expect(try await PlacementRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("The register and agreement pages show reviews, changes and the ending forms to the parties")
    func pages() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let p = try await Self.placement(app, rw)
            _ = try await Placements.runDailyReviews(db: app.db, now: testNow)
            let officer = try await HTTPTests.Browser(app).signedIn("officer@bh.test")
            let provider = try await HTTPTests.Browser(app).signedIn("admin@acorn.test")

            let list = try await officer.get("/placements?status=active&q=acorn")
            let bad = try await officer.get("/placements?status=lost")
            let shaped = try await officer.get("/placements?status[a]=b")
            let agreement = try await officer.get("/placements/\(p.id!)")
            let reviewID = try #require(try await Placements.life(p, db: app.db).reviews.first).id
            let form = try await provider.get("/placements/\(p.id!)/reviews/\(reviewID)")
            let notTheirs = try await officer.get("/placements/\(p.id!)/reviews/\(reviewID)")
            let ended = try await officer.post(
                "/placements/\(p.id!)/end",
                [
                    "endReason": "broke_down", "endedOn-day": "9", "endedOn-month": "11", "endedOn-year": "2026",
                    "endNote": "x",
                ])

            #expect(list.status == .ok && list.body.string.contains(p.reference!))
            #expect(list.body.string.contains("Overdue"))
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("Choose a status: active or ended"))
            #expect(shaped.status == .ok)
            // The agreement's review dates are the reviews' own: six months from 5 January 2026.
            #expect(agreement.body.string.contains("5 July 2026, 5 January 2027"))
            #expect(
                agreement.body.string.contains("Outcome reviews") && agreement.body.string.contains("Propose a change"))
            #expect(form.status == .ok && form.body.string.contains("Attend school every day"))
            #expect(notTheirs.status == .forbidden || notTheirs.status == .notFound)
            #expect(ended.status == .unprocessableEntity && ended.body.string.contains(##"href="#f-endNote""##))
        }
    }
}

/// What `body` returned, or nil when it threw: for two attempts at once, of which one must lose.
func attempt<T: Sendable>(_ body: () async throws -> T) async -> T? { try? await body() }

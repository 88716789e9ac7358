import DPSDomain
@testable import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// Migrations carry existing data across: rows written in an earlier shape read correctly afterwards.
@Suite("Migrations carry data across", .serialized)
struct MigrationTests {
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    @Test(
        "M0013: a referral's needs, must-haves, desirables and outcomes in JSON become rows, in order, with their marks"
    )
    func referralItems() async throws {
        try await withApp { app in
            // setup: a referral as written before M0013, its lines only in JSON
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(), actor: rw.w.officer, db: app.db, now: testNow)
            try await ReferralItemRecord.query(on: app.db).filter(\.$referralID == r.id!).delete()
            r.needsJSON = #"[{"id": "n1", "text": "Autism", "marks": 2}, {"id": "n2", "text": "Speech", "marks": 1}]"#
            r.mustHavesJSON = #"["Waking night staff"]"#
            r.desirablesJSON = #"[{"id": "d1", "text": "Near a park", "marks": 3}]"#
            r.outcomesJSON = #"["Attend school", "Make friends"]"#
            try await r.update(on: app.db)

            // MUT
            try await M0013_ReferralItems.carryAcross(app.db)

            // validate
            let content = try await Referrals.Content.load(r, db: app.db)
            #expect(
                content.needs == [
                    ReferralNeed(id: "n1", text: "Autism", marks: 2), ReferralNeed(id: "n2", text: "Speech", marks: 1),
                ])
            #expect(
                content.mustHaves == ["Waking night staff"] && content.outcomes == ["Attend school", "Make friends"])
            #expect(content.desirables == [ReferralNeed(id: "d1", text: "Near a park", marks: 3)])
            // Run again: nothing is doubled.
            try await M0013_ReferralItems.carryAcross(app.db)
            #expect(try await ReferralItemRecord.query(on: app.db).filter(\.$referralID == r.id!).count() == 6)
        }
    }

    @Test("M0014: a bid's lines and the items it meets in JSON become rows")
    func bidRows() async throws {
        try await withApp { app in
            // setup: a bid as written before M0014
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let acorn = try #require(
                try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == r.id!).filter(
                    \.$establishment.$id == rw.w.establishment.id!
                ).first())
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db, now: testNow)
            let b = try #require(try await BidRecord.query(on: app.db).filter(\.$invitation.$id == acorn.id!).first())
            try await BidLineRecord.query(on: app.db).filter(\.$bidID == b.id!).delete()
            try await BidItemMetRecord.query(on: app.db).filter(\.$bidID == b.id!).delete()
            b.coreJSON = #"{"fees": 30000, "care": 9000}"#
            b.variableJSON = #"[{"description": "Therapy", "pence": 5000}]"#
            b.needsMetJSON = #"["n1"]"#
            b.mustHavesMetJSON = #"["m1"]"#
            b.desirablesMetJSON = "[]"
            try await b.update(on: app.db)

            // MUT
            try await M0014_BidRows.carryAcross(app.db)
            try await M0014_BidRows.carryAcross(app.db)  // again: nothing doubled

            // validate
            let offer = try #require(try await Referrals.bidContent([b], db: app.db)[b.id!])
            #expect(
                offer.core == ["fees": 30_000, "care": 9_000]
                    && offer.variable == [BidItem(description: "Therapy", pence: 5_000)])
            #expect(offer.met == ["n1", "m1"])
            #expect(try await BidLineRecord.query(on: app.db).filter(\.$bidID == b.id!).count() == 3)
        }
    }

    @Test(
        """
        M0015: a partner's categories in JSON become rows; \
        a council that is a partner of two DPSs uses the categories of both
        """
    )
    func partnerCategories() async throws {
        try await withApp { app in
            // setup: Brighton and Hove is also a partner of Hampshire's DPS
            let rw = try await ReferralWorld.make(app)
            let hampshire = Organisation(kind: OrganisationKind.leadAuthority.rawValue, name: "Hampshire")
            try await hampshire.create(on: app.db)
            let hants = Actor(
                userID: UUID(), name: "H", email: "h@hants.test", role: .dpsAdmin, organisationID: hampshire.id!,
                organisationKind: .leadAuthority, organisationName: "Hampshire")
            let dps = try await DPSAdmin.create(
                .init(
                    title: "Hampshire DPS", regime: .pcr2015, validityStart: LocalDate(iso: "2026-04-01"),
                    validityEnd: LocalDate(iso: "2030-03-31"),
                    shortDeadlinesAgreed: true, parentChoiceBandPoints: 5, description: "", terms: ""),
                actor: hants, db: app.db, now: testNow)
            let fostering = try #require(
                try await CategoryRecord.query(on: app.db).filter(\.$dps.$id == dps.id!).filter(\.$code == "fostering")
                    .first())
            try await DPSAdmin.upsertPartner(
                dps.id!,
                .init(
                    gssCode: "E06000043", name: "Brighton and Hove", categories: [fostering.id!],
                    isJoiner: false),
                actor: hants, db: app.db, now: testNow)

            // MUT (the council uses both DPSs' categories)
            let used = try await Referrals.categories(for: rw.w.officer, db: app.db).compactMap(\.id)

            // validate
            #expect(Set(used) == [rw.category.id!, fostering.id!])

            // setup: the rows as before M0015, the list only in JSON
            let partner = try #require(try await PartnerRecord.query(on: app.db).filter(\.$dps.$id == dps.id!).first())
            try await PartnerCategoryRecord.query(on: app.db).filter(\.$partnerID == partner.id!).delete()
            // and a category since deleted
            partner.categoryIDsJSON = Audit.encode([fostering.id!.uuidString, UUID().uuidString])
            try await partner.update(on: app.db)

            // MUT
            try await M0015_PartnerCategories.carryAcross(app.db)

            // validate
            #expect(
                try await PartnerCategoryRecord.query(on: app.db).filter(\.$partnerID == partner.id!).all(\.$categoryID)
                    == [fostering.id!])
        }
    }

    @Test(
        """
        M0012: an awarded placement gets its referral's facts; \
        an old direct placement loses its made-up referral and keeps its details
        """
    )
    func placementLifecycle() async throws {
        try await withApp { app in
            // setup: an award, with the columns M0012 added emptied as before it ran
            let rw = try await ReferralWorld.make(app)
            let sql = app.db as! any SQLDatabase
            let r = try await Referrals.create(
                rw.input(radius: 50, parentChoice: false), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let acorn = try #require(
                try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == r.id!).filter(
                    \.$establishment.$id == rw.w.establishment.id!
                ).first())
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db, now: testNow)
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
            let bid = try #require(try await BidRecord.query(on: app.db).filter(\.$invitation.$id == acorn.id!).first())
            try await Referrals.scoreBid(
                r.id!, bidID: bid.id!, .init(criterion: .outcomes, score: 3, comment: "Fine.", consensus: true),
                actor: rw.w.officer, db: app.db, now: afterDeadline)
            let awarded = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            try await sql.update("placements").set("reference", to: SQLLiteral.null).set("dps_id", to: SQLLiteral.null)
                .set("category_id", to: SQLLiteral.null).set("expected_end_date", to: SQLLiteral.null).run()
            // ... and a direct placement as the old code made it: a referral of kind "direct" standing in.
            let fake = ReferralRecord()
            fake.$dps.id = rw.w.dps.id!
            fake.$category.id = rw.category.id!
            fake.$organisation.id = rw.w.officer.organisationID
            fake.createdBy = rw.w.officer.userID
            fake.kind = "direct"
            fake.round = 1
            fake.state = "awarded"
            fake.reference = "DIR-00007"
            fake.pattern = "residential52"
            fake.weeksPerYear = 52
            fake.startDate = "2026-12-01"
            fake.durationWeeks = 52
            fake.children = 1
            fake.places = 1
            fake.voidTerms = ""
            fake.childGender = ""
            fake.homePostcode = ""
            fake.childDetails = "Sam, case 777"
            fake.homeDistrict = ""
            fake.homeLatitude = 0
            fake.homeLongitude = 0
            fake.needsJSON = "[]"
            fake.mustHavesJSON = "[]"
            fake.desirablesJSON = "[]"
            fake.outcomesJSON = "[]"
            fake.weightsJSON = "{}"
            fake.radiusMiles = 0
            fake.deadline = testNow
            fake.parentChoice = false
            fake.justification = "Emergency"
            try await fake.create(on: app.db)
            let old = PlacementRecord()
            old.referralID = fake.id!
            old.$establishment.id = rw.w.establishment.id!
            old.providerID = rw.w.provider.organisationID
            old.authorityID = rw.w.officer.organisationID
            old.contractName = "C"
            old.startDate = "2026-12-01"
            old.weeklyFeePence = 400_000
            old.coreJSON = "{}"
            old.variableJSON = "[]"
            old.discountBasisPoints = 0
            old.outcomesJSON = "[]"
            old.reviewDatesJSON = "[]"
            old.direct = true
            old.justification = "Emergency"
            old.createdAt = testNow
            old.status = "active"
            try await old.create(on: app.db)

            // MUT
            try await M0012_PlacementLifecycle.carryAcross(sql)

            // validate
            let a = try #require(try await PlacementRecord.find(awarded.id!, on: app.db))
            #expect(
                a.referralID == r.id && a.reference == r.reference && a.dpsID == rw.w.dps.id
                    && a.categoryID == rw.category.id)
            #expect(a.expectedEndDate == "2027-11-30")
            let d = try #require(try await PlacementRecord.find(old.id!, on: app.db))
            #expect(
                d.referralID == nil && d.reference == "DIR-00007" && d.childDetails == "Sam, case 777"
                    && d.expectedEndDate == "2027-11-30")
            #expect(try await ReferralRecord.find(fake.id!, on: app.db) == nil)
            #expect(try await ReferralRecord.find(r.id!, on: app.db) != nil)
        }
    }

    @Test("M0033: an awarded placement keeps its referral's pattern, publication, bids and the winner's distance")
    func placementFacts() async throws {
        try await withApp { app in
            // setup: a three-bid award, and a direct placement
            let (rw, r, inv, awarded, direct) = try await awardedAndDirect(app)
            let sql = app.db as! any SQLDatabase
            func facts(_ id: UUID) async throws -> (String?, Date?, Int?, Double?) {
                let row = try #require(
                    try await sql.raw(
                        """
                        SELECT pattern, published_at, competing_bids, distance_miles FROM placements
                        WHERE id = \(bind: id)
                        """
                    ).first())
                return (
                    try row.decode(column: "pattern", as: String?.self),
                    try row.decode(column: "published_at", as: Date?.self),
                    try row.decode(column: "competing_bids", as: Int?.self),
                    try row.decode(column: "distance_miles", as: Double?.self)
                )
            }
            // Acorn House won (the top score); its invitation measured its distance at publication.
            let expected = (r.pattern, r.publishedAt!, 3, inv["Acorn House"]!.distanceMiles)
            func check(_ got: (String?, Date?, Int?, Double?)) {
                #expect(got.0 == expected.0 && got.2 == expected.2 && got.3 == expected.3)
                #expect(abs((got.1 ?? .distantPast).timeIntervalSince(expected.1)) < 1)
            }
            check(try await facts(awarded.id!))  // the award keeps them
            // ... and a placement awarded before M0033 gets them from the migration.
            try await sql.update("placements").set("pattern", to: SQLLiteral.null)
                .set("published_at", to: SQLLiteral.null).set("competing_bids", to: SQLLiteral.null)
                .set("distance_miles", to: SQLLiteral.null).run()

            // MUT
            try await PlacementFacts.fill("referral_id IS NOT NULL", sql: sql)

            // validate
            check(try await facts(awarded.id!))
            let none = try await facts(direct.id!)
            #expect(none.0 == nil && none.1 == nil && none.2 == nil && none.3 == nil)
        }
    }

    @Test("M0038: the award keeps the days from publication to award and to start; the migration works them out")
    func placementDays() async throws {
        try await withApp { app in
            // setup: an award (published 10 November, awarded 12 November, starting 1 December) and a direct placement
            let (rw, _, _, awarded, direct) = try await awardedAndDirect(app)
            let sql = app.db as! any SQLDatabase
            func days(_ id: UUID) async throws -> [Int?] {
                let row = try #require(
                    try await sql.raw("SELECT days_to_award, days_to_start FROM placements WHERE id = \(bind: id)")
                        .first())
                return [
                    try row.decode(column: "days_to_award", as: Int?.self),
                    try row.decode(column: "days_to_start", as: Int?.self),
                ]
            }
            #expect(try await days(awarded.id!) == [2, 21])  // the award keeps them
            // ... and a placement awarded before M0038 gets them from the migration.
            try await sql.update("placements").set("days_to_award", to: SQLLiteral.null)
                .set("days_to_start", to: SQLLiteral.null).run()
            let year = try MarketFigures.Filter(from: Quarter(key: "2026-Q1")!, to: Quarter(key: "2026-Q4")!)
            let today = LocalDate(iso: "2026-12-05")!
            let emptied = try await MarketFigures.market(actor: rw.w.officer, filter: year, today: today, db: app.db)

            // MUT
            try await PlacementFacts.fillDays("published_at IS NOT NULL", sql: sql)

            // validate: the figure reads the kept days, and the migration restores them; a direct placement has none
            #expect(emptied.timing.first?.medianDaysToAward == nil)
            #expect(try await days(awarded.id!) == [2, 21])
            #expect(try await days(direct.id!) == [nil, nil])
            let after = try await MarketFigures.market(actor: rw.w.officer, filter: year, today: today, db: app.db)
            #expect(after.timing.first?.medianDaysToAward == 2 && after.timing.first?.medianDaysToStart == 21)
        }
    }

    @Test("M0035: existing reviews get their placement's scope, and closed referrals' declines enter the market's")
    func figureReads() async throws {
        try await withApp { app in
            // setup: a placement whose review has opened, and a referral declined twice and closed
            let rw = try await ReferralWorld.make(app)
            let sql = app.db as! any SQLDatabase
            let placement = try await FiguresTests.direct(app, rw, [("2026-05-20", 400_000)])[0]
            _ = try await Placements.runDailyReviews(db: app.db, now: testNow)
            let invited = try await declinedTwiceAndClosed(app, rw)
            let year = try MarketFigures.Filter(from: Quarter(key: "2026-Q1")!, to: Quarter(key: "2026-Q4")!)
            let today = LocalDate(iso: "2026-12-05")!
            let before = try await MarketFigures.market(actor: rw.w.officer, filter: year, today: today, db: app.db)

            // MUT: the migration on data written before it (its columns and table empty, as before it ran)
            try await sql.update("placement_reviews").set("dps_id", to: SQLLiteral.null)
                .set("authority_id", to: SQLLiteral.null).set("category_id", to: SQLLiteral.null).run()
            try await sql.delete(from: MarketSummaries.declines).run()
            try await M0035_FigureReads.carryAcross(sql)

            // validate
            let review = try #require(
                try await sql.raw(
                    """
                    SELECT dps_id, authority_id, category_id FROM placement_reviews
                    WHERE placement_id = \(bind: placement.id!)
                    """
                ).first())
            #expect(try review.decode(column: "dps_id", as: UUID?.self) == rw.w.dps.id)
            #expect(try review.decode(column: "authority_id", as: UUID?.self) == rw.w.officer.organisationID)
            #expect(try review.decode(column: "category_id", as: UUID?.self) == rw.category.id)
            let after = try await MarketFigures.market(actor: rw.w.officer, filter: year, today: today, db: app.db)
            #expect(after.declines == [.init(label: "We have no vacancy", count: 2)])
            #expect(after.reviews.map(\.due) == [1] && after.reviews == before.reviews)
            #expect(after.declines == before.declines)
        }
    }

    @Test("M0037: the close adds a referral's responses to the quarter's counts; the migration counts those before it")
    func responseCounts() async throws {
        try await withApp { app in
            // setup: a referral declined by two of its invited establishments and closed with no bids
            let rw = try await ReferralWorld.make(app)
            let sql = app.db as! any SQLDatabase
            let invited = try await declinedTwiceAndClosed(app, rw)
            let year = try MarketFigures.Filter(from: Quarter(key: "2026-Q1")!, to: Quarter(key: "2026-Q4")!)
            let today = LocalDate(iso: "2026-12-05")!
            let before = try await MarketFigures.report(actor: rw.w.officer, filter: year, today: today, db: app.db)
            let expected = MarketFigures.ResponseRow(
                category: rw.category.name, referrals: 1, invited: invited, bids: 0, declined: 2,
                bidsPerReferralTenths: 0, responsePercent: Figures.percent(2, of: invited))
            #expect(before.responses == [expected])

            // MUT: the migration's count on data closed before it (the summary empty, as before it ran)
            try await sql.delete(from: MarketSummaries.responses).run()
            let emptied = try await MarketFigures.report(actor: rw.w.officer, filter: year, today: today, db: app.db)
            try await MarketSummaries.addResponses("r.closed_at IS NOT NULL", sql: sql)

            // validate: the figure reads the summary, and the migration rebuilds it
            #expect(emptied.responses.isEmpty)
            let after = try await MarketFigures.report(actor: rw.w.officer, filter: year, today: today, db: app.db)
            #expect(after.responses == [expected])
        }
    }

    /// A referral competed for by three bids and awarded to the top score (Acorn House), and a direct placement of
    /// £3,000 a week from 10 May 2026.
    func awardedAndDirect(_ app: Application) async throws -> (
        ReferralWorld, ReferralRecord, [String: InvitationRecord], PlacementRecord, PlacementRecord
    ) {
        let rw = try await ReferralWorld.make(app)
        let (r, inv) = try await ReferralTests().competed(app, rw, parentChoice: false)
        let awarded = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
        let direct = try await FiguresTests.direct(app, rw, [("2026-05-10", 300_000)])[0]
        return (rw, r, inv, awarded, direct)
    }

    /// A referral published, declined by two of the establishments it invited ("no vacancy") and closed; how many it
    /// invited.
    func declinedTwiceAndClosed(_ app: Application, _ rw: ReferralWorld) async throws -> Int {
        let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
        _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
        let inv = try await ReferralTests().invitations(app, r)
        try await Referrals.decline(
            inv["Acorn House"]!.id!, reason: "no_vacancy", note: nil, actor: rw.w.provider, db: app.db, now: testNow)
        try await Referrals.decline(
            inv["Birch School"]!.id!, reason: "no_vacancy", note: nil, actor: rw.w.otherProvider, db: app.db,
            now: testNow)
        _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
        return inv.count
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 11 (first part): the market figures on a small fixed data set, each expected value worked out by hand here;
/// each council reads its own, the lead reads every partner's, a provider none; the CSV carries the period.
@Suite("Market figures", .serialized)
struct FiguresTests {
    @Test("Placements started, benchmarks, endings and responses, by hand; scopes; the CSV")
    func figures() async throws {
        try await withApp { app in
            // setup: four direct placements at £3,000, £3,200, £4,000 and £5,000 a week, one ended planned and one
            // unplanned; a referral published on 10 November 2026 with three invitations and three bids.
            let rw = try await ReferralWorld.make(app)
            let placements = try await FiguresTests.direct(
                app, rw,
                [
                    ("2026-02-10", 300_000), ("2026-05-10", 320_000), ("2026-05-20", 400_000),
                    ("2026-08-01", 500_000),
                ])
            try await Placements.end(
                placements[0].id!, reason: .movedOnAsPlanned, on: LocalDate(iso: "2026-10-01"), note: "",
                actor: rw.w.officer, db: app.db, now: testNow)
            try await Placements.end(
                placements[1].id!, reason: .brokeDown, on: LocalDate(iso: "2026-11-01"),
                note: "Broke down after repeated incidents.", actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await ReferralTests().competed(app, rw, parentChoice: false)
            let year = try MarketFigures.Filter(from: Quarter(key: "2026-Q1")!, to: Quarter(key: "2026-Q4")!)
            let today = LocalDate.from(testNow)

            // MUT
            let report = try await MarketFigures.report(actor: rw.w.officer, filter: year, today: today, db: app.db)

            // validate: every figure as worked out by hand
            #expect(report.started.map(\.quarter.key) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
            #expect(report.started.map(\.placements) == [1, 2, 1, 0] && report.started.map(\.direct) == [1, 2, 1, 0])
            // 52 weeks a year (no pattern on a direct placement): 3,000 × 52; (3,200 + 4,000) × 52; 5,000 × 52.
            #expect(report.started.map(\.annualPence) == [15_600_000, 37_440_000, 26_000_000, 0])
            let benchmark = try #require(report.benchmarks.first)
            #expect(report.benchmarks.count == 1 && benchmark.placements == 4)
            // Positions 0.75, 1.5 and 2.25 of [3,000, 3,200, 4,000, 5,000].
            #expect(
                benchmark.lowerPence == 315_000 && benchmark.medianPence == 360_000 && benchmark.upperPence == 425_000)
            #expect(report.endings.map(\.planned) == [1] && report.endings.map(\.unplanned) == [1])
            let responses = try #require(report.responses.first)
            #expect(
                responses.referrals == 1 && responses.invited == 3 && responses.bids == 3 && responses.declined == 0)
            #expect(responses.bidsPerReferralTenths == 30 && responses.responsePercent == 100)
            // A quarter with nothing in it narrows everything away.
            let empty = try await MarketFigures.report(
                actor: rw.w.officer, filter: try .init(from: Quarter(key: "2025-Q1")!, to: Quarter(key: "2025-Q1")!),
                today: today, db: app.db)
            #expect(empty.benchmarks.isEmpty && empty.endings.isEmpty && empty.started.map(\.placements) == [0])

            // Scopes: the lead reads every partner's (and narrows to one); another lead nothing; a provider is refused.
            let lead = try #require(try await Organisation.find(rw.w.admin.organisationID, on: app.db))
            let manager = Actor(
                userID: UUID(), name: "Manager", email: "cm@ws.test", role: .contractManager,
                organisationID: lead.id!, organisationKind: .leadAuthority, organisationName: lead.name)
            #expect(
                try await MarketFigures.report(actor: manager, filter: year, today: today, db: app.db).started
                    == report.started)
            var onlyLead = year
            onlyLead.partner = lead.id
            #expect(
                try await MarketFigures.report(actor: manager, filter: onlyLead, today: today, db: app.db).started.map(
                    \.placements)
                    == [0, 0, 0, 0])
            let stranger = Actor(
                userID: UUID(), name: "Hants", email: "cm@hants.test", role: .contractManager, organisationID: UUID(),
                organisationKind: .leadAuthority, organisationName: "Hampshire")
            let nothing = try await MarketFigures.report(actor: stranger, filter: year, today: today, db: app.db)
            #expect(
                nothing.benchmarks.isEmpty && nothing.responses.isEmpty
                    && nothing.started.allSatisfy { $0.placements == 0 })
            await #expect(throws: UseCaseError.self) {
                _ = try await MarketFigures.report(actor: rw.w.provider, filter: year, today: today, db: app.db)
            }
            await expectInputError("from") {
                _ = try MarketFigures.Filter(from: Quarter(key: "2026-Q4")!, to: Quarter(key: "2026-Q1")!)
            }

            // The page and the CSV, with the period in the file name; bad filters named.
            let officer = try await HTTPTests.Browser(app).signedIn("officer@bh.test")
            let page = try await officer.get("/figures?from=2026-Q1&to=2026-Q4")
            #expect(page.status == .ok && page.body.string.contains("<title id=\"benchmarks-title\">"))
            #expect(page.body.string.contains("£3,600.00"))
            let csv = try await officer.get("/figures.csv?from=2026-Q1&to=2026-Q4&figure=benchmarks")
            #expect(csv.status == .ok && csv.body.string.contains("315000,360000,425000"))
            #expect(
                csv.headers.first(name: .contentDisposition)?.contains("figures-benchmarks-2026-Q1-to-2026-Q4") == true)
            // Each figure's CSV reads only the half of the figures it is in, and has the page table's rows.
            let market = try await MarketFigures.market(actor: rw.w.officer, filter: year, today: today, db: app.db)
            let tables = FiguresPages.tables(report, market).filter { !$0.rows.isEmpty }
            #expect(tables.contains { FiguresPages.reportKeys.contains($0.key) })
            #expect(tables.contains { !FiguresPages.reportKeys.contains($0.key) })
            for table in tables {
                let download = try await officer.get("/figures.csv?from=2026-Q1&to=2026-Q4&figure=\(table.key)")
                let lines = download.body.string.split(whereSeparator: \.isNewline)
                #expect(lines.count == (table.csvRows ?? table.rows).count + 1, "\(table.key)")
            }
            #expect(try await officer.get("/figures?from=2026-Q9").status == .unprocessableEntity)
            // A CSV refused says so in words, once, on a page of its own (not "Unprocessable Entity" twice).
            let refused = try await officer.get("/figures.csv?figure=everything")
            let said = refused.body.string
            #expect(refused.status == .unprocessableEntity && said.contains("There is a problem</h1>"))
            #expect(!said.contains("Unprocessable"))
            #expect(said.components(separatedBy: "Choose a figure from the page").count == 2)
            let provider = try await HTTPTests.Browser(app).signedIn("admin@acorn.test")
            #expect(try await provider.get("/figures").status == .forbidden)
        }
    }
}

extension FiguresTests {
    @Test("Spend by partner, live value, time to award, declines, re-issues, distance, reviews, endings by provider")
    func market() async throws {
        try await withApp { app in
            // setup: direct placements at £3,000 (Feb, ended planned), £3,200 (May, ended unplanned), £4,000 (20 May,
            // its six-month review due 20 November) and £5,000 (Aug); a referral published 10 November and awarded
            // 12 November to start 1 December; a second referral declined by two providers, closed with no bids and
            // re-issued.
            let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!
            let rw = try await ReferralWorld.make(app)
            let placements = try await FiguresTests.direct(
                app, rw,
                [
                    ("2026-02-10", 300_000), ("2026-05-10", 320_000), ("2026-05-20", 400_000), ("2026-08-01", 500_000),
                ])
            try await Placements.end(
                placements[0].id!, reason: .movedOnAsPlanned, on: LocalDate(iso: "2026-10-01"), note: "",
                actor: rw.w.officer, db: app.db, now: testNow)
            try await Placements.end(
                placements[1].id!, reason: .brokeDown, on: LocalDate(iso: "2026-11-01"),
                note: "Broke down after repeated incidents.", actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Placements.runDailyReviews(db: app.db, now: testNow)
            let (competed, _) = try await ReferralTests().competed(app, rw, parentChoice: false)
            let awarded = try await Referrals.award(competed.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            let declined = try await Referrals.create(
                rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            _ = try await Referrals.publish(declined.id!, actor: rw.w.officer, db: app.db, now: testNow)
            let inv = try await ReferralTests().invitations(app, declined)
            try await Referrals.decline(
                inv["Acorn House"]!.id!, reason: "no_vacancy", note: nil, actor: rw.w.provider, db: app.db,
                now: testNow)
            try await Referrals.decline(
                inv["Birch School"]!.id!, reason: "cannot_meet_needs", note: nil, actor: rw.w.otherProvider,
                db: app.db, now: testNow)
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
            let copy = try await Referrals.reissue(
                declined.id!, radius: 80, deadline: afterDeadline.addingTimeInterval(7 * 86400), actor: rw.w.officer,
                db: app.db, now: afterDeadline)
            _ = try await Referrals.publish(copy.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            let year = try MarketFigures.Filter(from: Quarter(key: "2026-Q1")!, to: Quarter(key: "2026-Q4")!)

            // MUT
            let market = try await MarketFigures.market(
                actor: rw.w.officer, filter: year, today: LocalDate(iso: "2026-12-05")!, db: app.db)
            let earlier = try await MarketFigures.market(
                actor: rw.w.officer, filter: year, today: LocalDate(iso: "2026-11-10")!, db: app.db)

            // validate, by hand. The award went to Acorn House, the top score (90.5 points against Birch's lower core
            // competency), at £400 a line × 9 lines = £3,600 a week, 52 weeks a year.
            #expect(awarded.weeklyFeePence == 360_000)
            let direct = (300_000 + 320_000 + 400_000 + 500_000) * 52
            #expect(
                market.partners == [
                    .init(
                        partner: "Brighton and Hove", placements: 5, annualPence: direct + 360_000 * 52, direct: 4,
                        directAnnualPence: direct)
                ])
            // Live now: the £4,000 and £5,000 direct placements and the award.
            #expect(market.livePlacements == 3 && market.liveAnnualPence == (400_000 + 500_000 + 360_000) * 52)
            // Published 10 November, awarded 12 November (2 days), starting 1 December (21 days); three bids.
            #expect(
                market.timing == [
                    .init(
                        category: rw.category.name, awarded: 1, medianDaysToAward: 2, medianDaysToStart: 21,
                        singleBid: 0, reissued: 1)
                ])
            #expect(
                market.declines == [
                    .init(label: "We cannot meet the child's needs", count: 1),
                    .init(label: "We have no vacancy", count: 1),
                ])
            // Acorn House is in the child's own town, under 5 miles from home.
            #expect(
                market.distance == [
                    .init(category: rw.category.name, measured: 1, within20: 1, bands: [1, 0, 0, 0, 0])
                ])
            // The £4,000 placement's review was opened on 10 November, due 20 November: overdue by 5 December, not on
            // the 10th (when the award, starting 1 December, had not started either).
            #expect(
                market.reviews == [
                    .init(
                        category: rw.category.name, due: 1, completed: 0, waitingProvider: 1, waitingAuthority: 0,
                        overdue: 1)
                ])
            #expect(earlier.reviews.map(\.overdue) == [0] && earlier.livePlacements == 2)
            #expect(earlier.partners.map(\.placements) == [4] && earlier.distance.isEmpty)
            #expect(market.providerEndings.map(\.planned) == [1] && market.providerEndings.map(\.unplanned) == [1])
            // A provider reads none of this.
            await #expect(throws: UseCaseError.self) {
                _ = try await MarketFigures.market(
                    actor: rw.w.provider, filter: year, today: LocalDate(iso: "2026-11-25")!, db: app.db)
            }
        }
    }
}

extension FiguresTests {
    @Test("Each bid on the referral's page is placed against the category's weekly fees of the last year")
    func bidAgainstBenchmark() async throws {
        try await withApp { app in
            // setup: the category's placements of the last year at £3,000, £3,200, £4,000 and £5,000 a week
            // (quartiles £3,150, £3,600, £4,250); bids of 9 lines at £400, £340 and £390 (£3,600, £3,060, £3,510).
            let rw = try await ReferralWorld.make(app)
            _ = try await FiguresTests.direct(
                app, rw,
                [
                    ("2026-02-10", 300_000), ("2026-05-10", 320_000), ("2026-05-20", 400_000), ("2026-08-01", 500_000),
                    ("2025-10-01", 900_000),  // more than a year before: not counted
                ])
            let (r, _) = try await ReferralTests().competed(
                app, rw, parentChoice: false, pounds: ["Acorn House": 400, "Birch School": 340, "Cedar School": 390])

            // MUT
            let officer = try await HTTPTests.Browser(app).signedIn("officer@bh.test")
            let body = try await officer.get("/referrals/\(r.id!)").body.string

            // validate
            #expect(body.contains("Against the market: below the lower quartile"))  // Birch, £3,060
            #expect(body.contains("Against the market: between the lower quartile and the median"))  // £3,600, £3,510
            #expect(!body.contains("above the upper quartile") && body.contains("median £3,600.00"))
            #expect(body.contains("4 placements)"))
        }
    }
}

extension FiguresTests {
    /// Direct placements by the test officer at Acorn House, each (start, weekly fee in pence), for two years.
    static func direct(_ app: Application, _ rw: ReferralWorld, _ starts: [(String, Int)]) async throws
        -> [PlacementRecord]
    {
        var placements: [PlacementRecord] = []
        for (start, fee) in starts {
            placements.append(
                try await Referrals.direct(
                    .init(
                        categoryID: rw.category.id, establishmentID: rw.w.establishment.id,
                        startDate: LocalDate(iso: start), weeklyFeePence: fee, durationWeeks: 104,
                        justification: "Emergency: the home closed without notice."),
                    actor: rw.w.officer, db: app.db, now: testNow))
        }
        return placements
    }
}

/// Issue 11: the public demand signals, with small counts held back.
@Suite("Demand signals", .serialized)
struct DemandTests {
    @Test("Referrals by category, council and area of need per quarter; counts under 5 shown as fewer than 5")
    func demand() async throws {
        try await withApp { app in
            // setup: six referrals published this quarter, all coded communication and interaction, two of them also
            // attachment and trauma; the child's details and home postcode must not show.
            let rw = try await ReferralWorld.make(app)
            for i in 0..<6 {
                var input = rw.input(radius: 50)
                input.needs =
                    "Autism spectrum condition | 2 | communication_interaction"
                    + (i < 2 ? "\nNightmares | 1 | attachment_trauma" : "")
                let r = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: testNow)
                _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
            }

            // MUT
            let cells = try await MarketFigures.demand(quarter: Quarter(key: "2026-Q4")!, db: app.db)
            let page = try await HTTPTests.Browser(app).get("/demand?quarter=2026-Q4")
            let earlier = try await MarketFigures.demand(quarter: Quarter(key: "2026-Q3")!, db: app.db)

            // validate: six, and two shown as fewer than 5; no totals; nothing about the child
            #expect(
                cells.map(\.referrals)
                    == [.count(6), .fewerThan(5)] || cells.map(\.referrals) == [.fewerThan(5), .count(6)])
            #expect(
                Set(cells.map(\.need)) == [NeedArea.communicationInteraction.label, NeedArea.attachmentTrauma.label])
            #expect(cells.allSatisfy { $0.council == "Brighton and Hove" })
            #expect(earlier.isEmpty)
            let body = page.body.string
            #expect(page.status == .ok && body.contains("fewer than 5") && body.contains(">6<"))
            for secret in ["Jane Doe", "12345", "RH12", "Autism spectrum condition", "Nightmares"] {
                #expect(!body.contains(secret), "\(secret)")
            }
            #expect(try await HTTPTests.Browser(app).get("/demand?quarter=2026-Q7").status == .unprocessableEntity)
        }
    }
}

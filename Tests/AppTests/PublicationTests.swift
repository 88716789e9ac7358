import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 10, publication: each fact is published once as an OCDS release with its stage's tag; the public API pages
/// with a cursor, serves records and the quarter's awards and everything as one file; nothing published carries a
/// child's data; notices fall due by regime and are marked sent once. Every package fetched here is written to
/// `DPS_OCDS_DUMP` (when set) for `scripts/test` to validate against the UK DPS profile.
@Suite("Publication", .serialized)
struct PublicationTests {
    static let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    /// An awarded referral whose agreement both sides accepted, with an accepted fee variation; and a direct
    /// placement that ended unplanned. The child's details, needs, home postcode and the parties' notes are all
    /// things that must never be published.
    static func history(_ app: Application, _ rw: ReferralWorld) async throws -> (PlacementRecord, PlacementRecord) {
        let (r, _) = try await ReferralTests().competed(
            app, rw, parentChoice: false, outcomes: ["Acorn House": 5, "Birch School": 1, "Cedar School": 1])
        let awarded = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
        try await Referrals.accept(awarded.id!, actor: rw.w.provider, db: app.db, now: afterDeadline)
        try await Referrals.accept(awarded.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
        let change = try await Placements.proposeChange(
            awarded.id!,
            .init(
                kind: .fee,
                lines: try Placements.feeLines(awarded, lineNames: [:]).map {
                    FeeLine(key: $0.key, name: $0.name, pence: $0.pence + 1_000)
                }, reason: "Jane Doe (case 12345) needs more support", effective: LocalDate(iso: "2026-12-07")),
            actor: rw.w.provider, db: app.db, now: afterDeadline)
        try await Placements.decideChange(
            awarded.id!, change: change, accept: true, note: "Agreed for case 12345", actor: rw.w.officer, db: app.db,
            now: afterDeadline)
        let direct = try await PlacementLifeTests.placement(app, rw)
        try await Placements.end(
            direct.id!, reason: .childMoved, on: LocalDate(iso: "2026-11-09"),
            note: "Jane Doe moved to her aunt at RH12 1XH", actor: rw.w.officer, db: app.db, now: testNow)
        return (awarded, direct)
    }

    /// Writes a fetched package where `scripts/test` validates every one against the UK DPS profile schema.
    static func dump(_ body: String, _ name: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["DPS_OCDS_DUMP"], !folder.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try body.write(
            toFile: "\(folder)/\(name)-\(UUID().uuidString.prefix(8)).json", atomically: true, encoding: .utf8)
    }

    /// What must never be published: the child's name, date of birth, case reference, home postcode and needs,
    /// and any full postcode at all.
    static func expectNoChildData(_ body: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in ["Jane Doe", "2014-03-02", "12345", "RH12 1XH", "Autism", "Waking night", "girl", "aunt"] {
            #expect(!body.contains(secret), "\(what) carries \(secret)", sourceLocation: sourceLocation)
        }
        let postcode = #/[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}/#
        #expect(body.firstMatch(of: postcode) == nil, "\(what) carries a postcode", sourceLocation: sourceLocation)
    }

    @Test("Each fact is published once with its tag; the API pages, records and downloads it; no child's data")
    func releases() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (awarded, direct) = try await Self.history(app, rw)

            // MUT: two sweeps at once, then one more
            async let one = Publication.sweep(db: app.db, now: testNow)
            async let two = Publication.sweep(db: app.db, now: testNow)
            let reports = try await [one, two]
            let again = try await Publication.sweep(db: app.db, now: testNow.addingTimeInterval(60))

            // validate: each fact once, with its stage's tags
            let rows = try await app.db.sql().raw("SELECT stage, json FROM ocds_releases").all()
            #expect(reports.map(\.releases).reduce(0, +) == rows.count && again.releases == 0)
            var stages: [String: Int] = [:]
            for row in rows {
                let stage = try #require(OCDS.Stage(rawValue: try row.decode(column: "stage", as: String.self)))
                stages[stage.rawValue, default: 0] += 1
                let release = try Publication.decodeRelease(try row.decode(column: "json", as: String.self))
                #expect(release.tag == stage.tags)
            }
            #expect(
                stages == [
                    "market": 1, "admission": 3, "call-off": 1, "award": 2, "contract": 1, "change": 1,
                    "termination": 1,
                ])

            // The public list, three at a time through its cursor: every release once.
            let browser = HTTPTests.Browser(app)
            var seen: [String] = []
            var next: String? = "/api/v1/ocds/releases?limit=3"
            var pages = 0
            while let path = next, pages < 10 {
                let res = try await browser.get(path)
                #expect(res.status == .ok)
                try Self.dump(res.body.string, "release-package")
                Self.expectNoChildData(res.body.string, path)
                let package = try JSONDecoder().decode(OCDS.ReleasePackage.self, from: Data(res.body.string.utf8))
                seen += package.releases.map(\.id)
                next = package.links.map { $0.next.replacingOccurrences(of: "http://127.0.0.1:8080", with: "") }
                pages += 1
            }
            #expect(seen.count == rows.count && Set(seen).count == rows.count && pages == 4)

            // The awarded referral's record: linked to the DPS, awarded, contracted, amended; a direct placement is
            // its own process with no framework link.
            let dpsOCID = "ocds-dpsdev-dps-\(rw.w.dps.id!.uuidString.lowercased())"
            let refOCID = "ocds-dpsdev-ref-\(awarded.referralID!.uuidString.lowercased())"
            let record = try await browser.get("/api/v1/ocds/records/\(refOCID)")
            try Self.dump(record.body.string, "record-package")
            let compiled = try JSONDecoder().decode(OCDS.RecordPackage.self, from: Data(record.body.string.utf8))
                .records[0].compiledRelease
            #expect(compiled.relatedProcesses?.first?.identifier == dpsOCID)
            #expect(compiled.relatedProcesses?.first?.relationship == ["framework"])
            #expect(compiled.awards?.first?.suppliers.first?.name == "Acorn Care")
            #expect(compiled.contracts?.first?.amendments?.count == 1 && compiled.tender?.numberOfTenderers == 3)
            let market = try await browser.get("/api/v1/ocds/records/\(dpsOCID)")
            let dps = try JSONDecoder().decode(OCDS.RecordPackage.self, from: Data(market.body.string.utf8))
                .records[0].compiledRelease
            #expect(dps.tender?.techniques?.hasDynamicPurchasingSystem == true && dps.awards?.count == 3)
            #expect(dps.tender?.lots?.count == rw.w.categories.count)
            let directOCID = "ocds-dpsdev-dir-\(direct.id!.uuidString.lowercased())"
            let ended = try await browser.get("/api/v1/ocds/records/\(directOCID)")
            let directRecord = try JSONDecoder().decode(OCDS.RecordPackage.self, from: Data(ended.body.string.utf8))
            #expect(directRecord.records[0].compiledRelease.contracts?.first?.status == "terminated")
            #expect(directRecord.records[0].compiledRelease.relatedProcesses == nil)
            for res in [market, ended] { try Self.dump(res.body.string, "record-package") }

            // The quarter's awards, everything as one file, and the public page.
            let quarter = try await browser.get("/api/v1/ocds/quarters/2026-Q4")
            let download = try await browser.get("/api/v1/ocds/download")
            let page = try await browser.get("/published")
            try Self.dump(quarter.body.string, "release-package")
            try Self.dump(download.body.string, "release-package")
            let all = try JSONDecoder().decode(OCDS.ReleasePackage.self, from: Data(download.body.string.utf8))
            #expect(all.releases.count == rows.count)
            // The referral's award; the direct placement was made in January (the first quarter's).
            #expect(
                try JSONDecoder().decode(OCDS.ReleasePackage.self, from: Data(quarter.body.string.utf8))
                    .releases.count == 1)
            #expect(page.status == .ok && page.body.string.contains("October to December 2026"))
            for (res, what) in [
                (record, "record"), (market, "market"), (ended, "direct"), (quarter, "quarter"),
                (download, "download"), (page, "page"),
            ] {
                Self.expectNoChildData(res.body.string, what)
            }

            // Bad input is refused by name; unknown records are not found; nothing is written.
            for (path, field) in [
                ("/api/v1/ocds/releases?cursor=!!!", "cursor"),
                ("/api/v1/ocds/releases?cursor=bm90LWEtY3Vyc29y", "cursor"),
                ("/api/v1/ocds/releases?updatedFrom=yesterday", "updatedFrom"),
                ("/api/v1/ocds/releases?updatedFrom=2026-12-01&updatedTo=2026-11-01", "updatedFrom"),
                ("/api/v1/ocds/releases?limit=0", "limit"), ("/api/v1/ocds/releases?limit=99999999999", "limit"),
                ("/api/v1/ocds/quarters/2026-Q5", "quarter"), ("/api/v1/ocds/quarters/2026-Q4?dps=x", "dps"),
                // The last quarter there is used to end the process (its next quarter reached year 10000).
                ("/api/v1/ocds/quarters/9999-Q4", "quarter"), ("/published?quarter=9999-Q4", "quarter"),
            ] {
                let res = try await browser.get(path)
                #expect(res.status == .unprocessableEntity && res.body.string.contains(field), "\(path)")
            }
            #expect(try await browser.get("/api/v1/ocds/records/ocds-dpsdev-ref-nothing").status == .notFound)
            #expect(
                try await browser.get("/api/v1/ocds/records/\(String(repeating: "a", count: 400))").status == .notFound)
            // A window of publication times.
            let window = try await browser.get("/api/v1/ocds/releases?updatedFrom=2026-11-11")
            #expect(
                try JSONDecoder().decode(OCDS.ReleasePackage.self, from: Data(window.body.string.utf8))
                    .releases.isEmpty)
        }
    }

    @Test("Notices fall due by regime, show on the calendar as due or overdue, and are marked sent once")
    func notices() async throws {
        for regime in [Regime.pcr2015, .pa2023] {
            try await withApp { app in
                // setup
                let rw = try await ReferralWorld.make(app)
                try await app.db.sql().raw("UPDATE dps SET regime = \(bind: regime.rawValue)").run()
                let (awarded, direct) = try await Self.history(app, rw)
                let lead = rw.w.admin.organisationID
                let user = User(
                    organisationID: lead, email: "cm@ws.test", name: "Contract Manager", role: "contract_manager",
                    passwordHash: try app.password.hash(World.password))
                try await user.create(on: app.db)
                let manager = Actor(
                    userID: user.id!, name: user.name, email: user.email, role: .contractManager, organisationID: lead,
                    organisationKind: .leadAuthority, organisationName: "West Sussex")

                // MUT
                _ = try await Publication.sweep(db: app.db, now: testNow)
                let calendar = try await Publication.calendar(
                    actor: manager, state: nil, page: .first, db: app.db, now: testNow)

                // validate: the notices each regime asks for, with their due dates
                let due = Dictionary(calendar.rows.map { ($0.kind, $0.due) }, uniquingKeysWith: { a, b in max(a, b) })
                let awardDay = LocalDate.from(Self.afterDeadline)
                switch regime {
                case .pcr2015:
                    #expect(Set(due.keys) == [.quarterlyAwards, .contractsFinder])
                    #expect(due[.quarterlyAwards] == LocalDate(iso: "2027-01-30"))
                    #expect(due[.contractsFinder] == awardDay.adding(days: 30))
                    // One grouped notice a quarter: the direct placement's (January, overdue) and the referral's.
                    let quarterly = calendar.rows.filter { $0.kind == .quarterlyAwards }
                    #expect(quarterly.map(\.due) == [LocalDate(iso: "2026-04-30"), LocalDate(iso: "2027-01-30")])
                    #expect(quarterly.map(\.overdue) == [true, false])
                case .pa2023:
                    #expect(
                        Set(due.keys) == [.marketEstablished, .contractDetails, .contractChange, .contractTermination])
                    #expect(due[.marketEstablished] == LocalDate(iso: "2026-04-01"))
                    #expect(due[.contractDetails] == awardDay.adding(days: 120))
                    #expect(due[.contractChange] == LocalDate(iso: "2026-12-07"))
                    #expect(due[.contractTermination] == LocalDate(iso: "2026-12-09"))
                    #expect(calendar.rows.first { $0.kind == .marketEstablished }?.overdue == true)
                    // Each release carries its Find a Tender notice type.
                    let record = try await Publication.record(
                        "ocds-dpsdev-dir-\(direct.id!.uuidString.lowercased())", db: app.db)
                    #expect(
                        record.compiledRelease.contracts?.first?.documents?.first?.noticeType == "UK11")
                    let awardedRecord = try await Publication.record(
                        "ocds-dpsdev-ref-\(awarded.referralID!.uuidString.lowercased())", db: app.db)
                    #expect(
                        Set(awardedRecord.compiledRelease.contracts?.first?.documents?.compactMap(\.noticeType) ?? [])
                            == ["UK7", "UK10"])
                }
                // Marked sent once, by a contract manager only, with the platform's notice id.
                let notice = try #require(calendar.rows.first).id
                await #expect(throws: UseCaseError.self) {
                    try await Publication.markSent(
                        notice, reference: "X", actor: rw.w.officer, db: app.db, now: testNow)
                }
                for bad in [" ", "REF4\r\nInjected", String(repeating: "x", count: 101)] {
                    await expectInputError("reference") {
                        try await Publication.markSent(notice, reference: bad, actor: manager, db: app.db, now: testNow)
                    }
                }
                async let a = attempt {
                    try await Publication.markSent(
                        notice, reference: "2026/S 000-012345", actor: manager, db: app.db, now: testNow)
                }
                async let b = attempt {
                    try await Publication.markSent(
                        notice, reference: "2026/S 000-012346", actor: manager, db: app.db, now: testNow)
                }
                #expect(await [a, b].filter { $0 != nil }.count == 1)
                let sent = try await Publication.calendar(
                    actor: manager, state: .sent, page: .first, db: app.db, now: testNow)
                #expect(sent.rows.map(\.id) == [notice])
                // The page shows the calendar; another lead authority's staff see none of it.
                let page = try await HTTPTests.Browser(app).signedIn("cm@ws.test").get("/publication")
                #expect(page.status == .ok && page.body.string.contains("Mark as sent"))
                let stranger = Actor(
                    userID: UUID(), name: "Hants", email: "cm@hants.test", role: .contractManager,
                    organisationID: UUID(), organisationKind: .leadAuthority, organisationName: "Hampshire")
                #expect(
                    try await Publication.calendar(actor: stranger, state: nil, page: .first, db: app.db, now: testNow)
                        .rows.isEmpty)
                do {
                    try await Publication.markSent(notice, reference: "X", actor: stranger, db: app.db, now: testNow)
                    Issue.record("another lead authority marked a notice as sent")
                } catch let error as UseCaseError {
                    #expect(error.kind == .notFound)
                }
            }
        }
    }
}

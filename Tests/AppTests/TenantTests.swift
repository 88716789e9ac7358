import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// A second lead authority running its own DPS, and a council that is a partner of neither, see nothing of
/// West Sussex's DPS: evidence, audit trail, memberships, referral form.
@Suite("Tenants: a second lead authority and a non-partner see nothing", .serialized)
struct TenantTests {
    typealias Browser = HTTPTests.Browser

    /// Hampshire runs its own DPS; its staff of every lead-authority role can sign in. Dorset is a council
    /// that is a partner of no DPS.
    private func otherTenants(_ app: Application) async throws {
        let hampshire = Organisation(kind: OrganisationKind.leadAuthority.rawValue, name: "Hampshire")
        let dorset = Organisation(kind: OrganisationKind.partnerAuthority.rawValue, name: "Dorset")
        try await hampshire.create(on: app.db)
        try await dorset.create(on: app.db)
        let hash = try app.password.hash(World.password)
        for (org, email, role) in [
            (hampshire, "admin@hants.test", Role.dpsAdmin), (hampshire, "eval@hants.test", .evaluator),
            (hampshire, "audit@hants.test", .auditor), (hampshire, "contracts@hants.test", .contractManager),
            (dorset, "officer@dorset.test", .placementOfficer),
        ] {
            try await User(organisationID: org.id!, email: email, name: email, role: role.rawValue, passwordHash: hash)
                .create(on: app.db)
        }
        let admin = Actor(
            userID: UUID(), name: "Hants", email: "admin@hants.test", role: .dpsAdmin, organisationID: hampshire.id!,
            organisationKind: .leadAuthority, organisationName: "Hampshire")
        _ = try await DPSAdmin.create(
            .init(
                title: "Hampshire DPS", regime: .pcr2015, validityStart: LocalDate(iso: "2026-04-01"),
                validityEnd: LocalDate(iso: "2030-03-31"),
                shortDeadlinesAgreed: true, parentChoiceBandPoints: 5, description: "", terms: ""),
            actor: admin, db: app.db, now: testNow)
    }

    @Test("Evidence downloads only for the provider and the lead authority of the DPS applied to")
    func evidence() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            _ = try await w.application(app, codes: ["sen-inmss"])
            try await otherTenants(app)
            let doc = try #require(try await EvidenceRecord.query(on: app.db).first())
            for email in ["admin@ws.test", "eval@ws.test", "audit@ws.test", "admin@acorn.test"] {
                let b = Browser(app)
                try await b.signIn(email)
                let download = try await b.get("/provider/evidence/\(doc.id!)")
                #expect(download.status == .ok, "\(email) reads its own DPS's evidence")
                // A provider's insurance or safeguarding file is never kept by a browser or shared cache.
                #expect(download.headers.first(name: .cacheControl) == "no-store")
            }
            for email in [
                "admin@hants.test", "eval@hants.test", "audit@hants.test", "contracts@hants.test", "admin@birch.test",
                "officer@bh.test",
            ] {
                let b = Browser(app)
                try await b.signIn(email)
                #expect(
                    [.notFound, .forbidden].contains(try await b.get("/provider/evidence/\(doc.id!)").status),
                    "\(email) must not read it")
            }
        }
    }

    @Test(
        """
        Audit trail and memberships of one lead authority are invisible to another; \
        a non-partner cannot make referrals
        """
    )
    func auditMembershipsReferrals() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            _ = try await w.application(app, codes: ["sen-inmss"])
            let m = MembershipRecord()
            m.$dps.id = w.dps.id!
            m.$category.id = w.categories["sen-inmss"]!.id!
            m.$establishment.id = w.establishment.id!
            m.$organisation.id = w.establishment.$organisation.id
            m.state = "active"
            m.qualificationScore = 8000
            m.coreCostsJSON = "{\"a\":1000}"
            m.discountsJSON = "{}"
            m.admittedAt = testNow
            try await m.create(on: app.db)
            try await otherTenants(app)
            let ours = Browser(app)
            try await ours.signIn("audit@ws.test")
            #expect(try await ours.get("/audit").body.string.contains("Application submitted"))
            #expect(try await ours.get("/memberships").body.string.contains("Acorn House"))
            let theirs = Browser(app)
            try await theirs.signIn("audit@hants.test")
            let audit = try await theirs.get("/audit").body.string
            #expect(!audit.contains("Application submitted") && !audit.contains("West Sussex"))
            #expect(!(try await theirs.get("/memberships").body.string.contains("Acorn House")))
            let http = HTTPTests()
            let token = try await http.token(app, "contracts@hants.test")
            #expect(
                !(try await http.api(app, .GET, "/api/v1/memberships", token: token).body.string
                    .contains("Acorn House")))
            let dorset = Browser(app)
            try await dorset.signIn("officer@dorset.test")
            #expect(try await dorset.get("/referrals/new").status == .forbidden)
            #expect(!(try await dorset.get("/memberships").body.string.contains("Acorn House")))
        }
    }

    @Test(
        """
        A provider that applied to two lead authorities' DPSs: each reads only its own DPS's events, \
        and verify speaks of them only
        """
    )
    func auditByDPS() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            _ = try await w.application(app, codes: ["sen-inmss"])
            try await otherTenants(app)
            // Acorn also applies to Hampshire's DPS: scoping the trail by the organisations involved let
            // Hampshire read Acorn's West Sussex application.
            let hants = try #require(try await DPSRecord.query(on: app.db).filter(\.$title == "Hampshire DPS").first())
            let other = ApplicationRecord()
            other.$dps.id = hants.id!
            other.$organisation.id = w.establishment.$organisation.id
            other.$establishment.id = w.establishment.id!
            other.state = ApplicationState.draft.rawValue
            other.extended = false
            try await other.create(on: app.db)
            let theirs = Browser(app)
            try await theirs.signIn("audit@hants.test")
            let page = try await theirs.get("/audit").body.string
            #expect(page.contains("DPS created"), "Hampshire reads its own DPS's events")
            #expect(!page.contains("Application submitted") && !page.contains("Application started"))
            let ours = Browser(app)
            try await ours.signIn("audit@ws.test")
            let own = try await ours.get("/audit").body.string
            #expect(own.contains("Application submitted"))
            #expect(own.components(separatedBy: "DPS created").count == 2, "only West Sussex's own DPS's creation")
            // The CSV export speaks of the same events as the page, whatever its size.
            let theirCSV = try await theirs.get("/audit.csv").body.string
            #expect(theirCSV.contains(",dps.created,") && !theirCSV.contains("application."))
            let ownCSV = try await ours.get("/audit.csv").body.string
            #expect(ownCSV.contains(",application.submitted,"))
            #expect(!ownCSV.contains("hants.test"))

            let http = HTTPTests()
            struct Verified: Decodable {
                var events: Int
                var valid: Bool
                var headHash: String?
            }
            let hantsCount = try await AuditEventRecord.query(on: app.db).filter(\.$dpsID == hants.id!).count()
            let total = try await AuditEventRecord.query(on: app.db).count()
            #expect(hantsCount >= 1 && hantsCount < total)
            let token = try await http.token(app, "contracts@hants.test")
            let answer = try await http.api(app, .GET, "/api/v1/audit/verify", token: token)
            let verified = try JSONDecoder().decode(Verified.self, from: Data(answer.body.readableBytesView))
            #expect(verified.valid)
            #expect(verified.events == hantsCount, "the count is of Hampshire's events, not the whole chain's")
            let head = try await AuditEventRecord.query(on: app.db).filter(\.$dpsID == hants.id!)
                .sort(\.$seq, .descending).first()
            #expect(verified.headHash == head?.hash)
        }
    }

    @Test("An event's DPS is covered by its hash: moving it to another DPS breaks the chain")
    func dpsIsHashed() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let event = try #require(
                try await AuditEventRecord.query(on: app.db).filter(\.$dpsID == w.dps.id!).first())
            #expect(Audit.hash(event, key: Audit.key) == event.hash)
            event.dpsID = UUID()
            #expect(Audit.hash(event, key: Audit.key) != event.hash)
            event.dpsID = nil
            #expect(Audit.hash(event, key: Audit.key) != event.hash)
        }
    }

    @Test("A bid writer cannot save an application draft: refused before anything is written")
    func bidWriterDraft() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss"], submit: false)
            let writer = User(
                organisationID: w.provider.organisationID, email: "bids@acorn.test", name: "Bids",
                role: Role.bidWriter.rawValue,
                passwordHash: try app.password.hash(World.password))
            try await writer.create(on: app.db)
            let actor = Actor(
                userID: writer.id!, name: "Bids", email: writer.email, role: .bidWriter,
                organisationID: w.provider.organisationID,
                organisationKind: .provider, organisationName: w.provider.organisationName)
            let before = try await auditCount(app)
            await #expect(throws: (any Error).self) {
                try await ProviderUseCases.saveDraft(
                    record.id!, form: w.completeForm(["sen-inmss"], costPence: 1), actor: actor, db: app.db,
                    now: testNow)
            }
            #expect(try await auditCount(app) == before)
        }
    }

    @Test(
        """
        A provider applies to a second lead authority's DPS: the application is made to its categories' DPS \
        (it was always the first DPS), and one application never mixes two DPSs' categories
        """
    )
    func applicationToSecondDPS() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            try await otherTenants(app)
            let hants = try #require(try await DPSRecord.query(on: app.db).filter(\.$title == "Hampshire DPS").first())
            let theirs = CategoryRecord()
            let ours = w.categories["fostering"]!
            theirs.$dps.id = hants.id!
            theirs.name = "Hampshire fostering"
            theirs.code = "hants-fostering"
            theirs.description = ours.description
            theirs.contractName = ours.contractName
            theirs.minimumInvitees = ours.minimumInvitees
            theirs.contentJSON = ours.contentJSON
            theirs.position = 1
            try await theirs.create(on: app.db)

            await expectInputError("categories") {
                _ = try await ProviderUseCases.startApplication(
                    .init(establishmentID: w.establishment.id, categoryIDs: [ours.id!, theirs.id!]),
                    actor: w.provider, db: app.db, now: testNow)
            }
            let record = try await ProviderUseCases.startApplication(
                .init(establishmentID: w.establishment.id, categoryIDs: [theirs.id!]), actor: w.provider, db: app.db,
                now: testNow)
            #expect(record.$dps.id == hants.id!)
            let parts = try await ApplicationCategoryRecord.query(on: app.db).filter(\.$application.$id == record.id!)
                .all()
            #expect(parts.map(\.$category.id) == [theirs.id!])
        }
    }

    @Test(
        """
        A second lead authority that names another DPS's partner as its own: the council is told at once, its \
        officers see each category named with its DPS and lead, and the council is found by its GSS code
        """
    )
    func partnerOfTwoDPSs() async throws {
        try await withApp { app in
            // setup: Brighton is West Sussex's partner (recorded by GSS code)
            let w = try await ReferralWorld.make(app).w
            try await otherTenants(app)
            let hants = try #require(try await DPSRecord.query(on: app.db).filter(\.$title == "Hampshire DPS").first())
            let hantsAdmin = Actor(
                userID: UUID(), name: "Hants", email: "admin@hants.test", role: .dpsAdmin,
                organisationID: hants.$lead.id, organisationKind: .leadAuthority, organisationName: "Hampshire")
            let theirs = try #require(
                try await CategoryRecord.query(on: app.db).filter(\.$dps.$id == hants.id!).filter(
                    \.$code == "fostering"
                )
                .first())
            let brighton = try #require(try await Organisation.find(w.officer.organisationID, on: app.db))
            #expect(brighton.gssCode == "E06000043")
            let before = try await OutboxMessageRecord.query(on: app.db).filter(\.$organisationID == brighton.id)
                .count()

            // MUT: Hampshire names Brighton by its code and a different spelling
            try await DPSAdmin.upsertPartner(
                hants.id!,
                .init(gssCode: "e06000043", name: "Brighton & Hove", categories: [theirs.id!], isJoiner: false),
                actor: hantsAdmin, db: app.db, now: testNow)

            // validate: the same council (no second organisation), told at once
            #expect(
                try await Organisation.query(on: app.db).filter(\.$kind == OrganisationKind.partnerAuthority.rawValue)
                    .filter(\.$gssCode == "E06000043").count() == 1)
            let told = try await OutboxMessageRecord.query(on: app.db).filter(\.$organisationID == brighton.id)
                .sort(\.$createdAt).all()
            #expect(told.count == before + 1)
            #expect(told.last?.subject == "Hampshire made your authority a partner of Hampshire DPS")
            // Its officer's referral form names each DPS's fostering category with its DPS and lead.
            let b = Browser(app)
            try await b.signIn("officer@bh.test")
            let form = try await b.get("/referrals/new").body.string
            #expect(form.contains("(Hampshire DPS, run by Hampshire)"))
            #expect(form.contains("(\(w.dps.title), run by West Sussex"))
        }
    }
}

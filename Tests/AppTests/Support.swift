import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// The database the app tests run on: SQLite by default, PostgreSQL when `DPS_TEST_DB=postgres` (with
/// `DATABASE_URL`), as `scripts/test` does. Each test gets its own SQLite file or PostgreSQL schema.
enum TestDB {
    static var isPostgres: Bool { ProcessInfo.processInfo.environment["DPS_TEST_DB"] == "postgres" }
}

/// A fixed instant: Tuesday 10 November 2026, 10:00 London time.
let testNow = ISO8601DateFormatter().date(from: "2026-11-10T10:00:00Z")!

func withApp(now: Date = testNow, _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("dps-test-\(UUID().uuidString).sqlite")
        .path
    var config = AppConfig(
        databaseURL: nil, sqlitePath: file, autoMigrate: false, demoOnServe: false, bcryptCost: 4, secureCookies: false)
    if TestDB.isPostgres {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            Issue.record("DATABASE_URL is required for PostgreSQL tests")
            return
        }
        config.databaseURL = url
    }
    app.clock = .fixed(now)
    do {
        try await configure(app, config: config, postgresSchema: TestDB.isPostgres ? String(schema) : nil)
        if TestDB.isPostgres {
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA \(ident: String(schema))").run()
        }
        try await app.autoMigrate()
        try await body(app)
    } catch {
        if TestDB.isPostgres {
            try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: String(schema)) CASCADE").run()
        }
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: file)
        throw error
    }
    if TestDB.isPostgres {
        try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA \(ident: String(schema)) CASCADE").run()
    }
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: file)
}

/// A small world: West Sussex runs a DPS; one partner; two providers each with one establishment; the
/// postcode centroids the tests use.
struct World {
    var admin: Actor
    var evaluator: Actor
    var evaluator2: Actor
    var panel: Actor
    var auditor: Actor
    var officer: Actor
    var provider: Actor
    var otherProvider: Actor
    var dps: DPSRecord
    var categories: [String: CategoryRecord]
    var establishment: EstablishmentRecord
    var otherEstablishment: EstablishmentRecord
    static let password = "correct horse battery"

    static func make(_ app: Application) async throws -> World {
        let db = app.db
        for (code, lat, lon, la) in [
            ("RH12", 51.07, -0.33, "E10000032"), ("RH12 1", 51.065, -0.325, "E10000032"),
            ("BN1", 50.83, -0.14, "E06000043"),
            ("BN1 1", 50.825, -0.142, "E06000043"), ("ME1", 51.38, 0.5, "E06000035"),
        ] {
            let c = PostcodeCentroidRecord()
            c.id = code
            c.precision = code.contains(" ") ? "sector" : "district"
            c.latitude = lat
            c.longitude = lon
            c.laGSSCode = la
            c.laName = "LA"
            try await c.create(on: db)
        }
        func org(_ kind: OrganisationKind, _ name: String) async throws -> Organisation {
            let o = Organisation(kind: kind.rawValue, name: name)
            o.contactEmail = name.lowercased().replacingOccurrences(of: " ", with: "") + "@example.org"
            try await o.create(on: db)
            return o
        }
        let hash = try app.password.hash(password)
        func actor(_ o: Organisation, _ email: String, _ role: Role) async throws -> Actor {
            let u = User(
                organisationID: o.id!, email: email, name: email.components(separatedBy: "@")[0], role: role.rawValue,
                passwordHash: hash)
            try await u.create(on: db)
            return Actor(
                userID: u.id!, name: u.name, email: email, role: role, organisationID: o.id!,
                organisationKind: OrganisationKind(rawValue: o.kind)!, organisationName: o.name)
        }
        let lead = try await org(.leadAuthority, "West Sussex")
        let partner = try await org(.partnerAuthority, "Brighton and Hove")
        let p1 = try await org(.provider, "Acorn Care")
        let p2 = try await org(.provider, "Birch Schools")
        let admin = try await actor(lead, "admin@ws.test", .dpsAdmin)
        let dps = try await DPSAdmin.create(
            .init(
                title: "Test DPS", regime: .pcr2015, validityStart: LocalDate(iso: "2026-04-01"),
                validityEnd: LocalDate(iso: "2030-03-31"),
                shortDeadlinesAgreed: true, parentChoiceBandPoints: 5, description: "", terms: ""),
            actor: admin, db: db, now: testNow)
        let categories = try await CategoryRecord.query(on: db).all()
        let world = World(
            admin: admin,
            evaluator: try await actor(lead, "eval@ws.test", .evaluator),
            evaluator2: try await actor(lead, "eval2@ws.test", .evaluator),
            panel: try await actor(lead, "panel@ws.test", .panelMember),
            auditor: try await actor(lead, "audit@ws.test", .auditor),
            officer: try await actor(partner, "officer@bh.test", .placementOfficer),
            provider: try await actor(p1, "admin@acorn.test", .providerAdmin),
            otherProvider: try await actor(p2, "admin@birch.test", .providerAdmin),
            dps: dps,
            categories: Dictionary(uniqueKeysWithValues: categories.map { ($0.code, $0) }),
            establishment: EstablishmentRecord(), otherEstablishment: EstablishmentRecord())
        var w = world
        w.establishment = try await ProviderUseCases.addEstablishment(
            establishmentInput(name: "Acorn House", judgement: "Good"), actor: w.provider, db: db, now: testNow)
        w.otherEstablishment = try await ProviderUseCases.addEstablishment(
            establishmentInput(name: "Birch School", judgement: "Outstanding", postcode: "BN1 1AA"),
            actor: w.otherProvider, db: db, now: testNow)
        return w
    }

    static func establishmentInput(
        name: String, judgement: String, postcode: String = "RH12 1XH", inspectorate: String = "ofstedEducation"
    ) -> ProviderUseCases.EstablishmentInput {
        .init(
            name: name, type: "school", urn: nil, address: "1 High Street", town: "Horsham", postcode: postcode,
            ageLow: "7", ageHigh: "18",
            genders: "mixed", capacity: "40", inspectorate: inspectorate, judgement: judgement,
            judgementDate: "2024-05-01", locationApproximate: "no", laGSSCode: nil)
    }

    /// A complete, valid set of answers for the given categories, as the application form posts them.
    func completeForm(_ codes: [String], costPence: Int = 50_000) -> [String: String] {
        var form: [String: String] = [:]
        for code in codes {
            let c = categories[code]!.testContent
            for q in c.passFail { form["answers.\(code).\(q.key)"] = "yes" }
            for s in c.statements { form["statements.\(code).\(s.key)"] = "Our approach to \(s.title)." }
            for l in c.costLines { form["costs.\(code).\(l.key)"] = Money.poundsInput(costPence) }
            for t in c.discountTiers { form["discounts.\(code).\(t.children)"] = "5" }
        }
        return form
    }

    /// Starts, fills, evidences and (optionally) submits an application of `actor`'s establishment.
    @discardableResult
    func application(
        _ app: Application, codes: [String], actor: Actor? = nil, establishment: EstablishmentRecord? = nil,
        submit: Bool = true, at now: Date = testNow, form: [String: String]? = nil
    ) async throws -> ApplicationRecord {
        let who = actor ?? provider
        let est = establishment ?? self.establishment
        let record = try await ProviderUseCases.startApplication(
            .init(establishmentID: est.id, categoryIDs: codes.map { categories[$0]!.id! }),
            actor: who, db: app.db, now: now)
        try await ProviderUseCases.saveDraft(
            record.id!, form: form ?? completeForm(codes), actor: who, db: app.db, now: now)
        try await uploadEvidence(app, record, actor: who, now: now)
        if submit {
            try await ProviderUseCases.submit(
                record.id!, actor: who, db: app.db, now: now, calendar: WorkingDayCalendar())
        }
        return try await ApplicationRecord.find(record.id!, on: app.db)!
    }

    func uploadEvidence(
        _ app: Application, _ record: ApplicationRecord, actor: Actor, now: Date, expires: String = "2027-12-31"
    ) async throws {
        for part in try await ApplicationCategoryRecord.query(on: app.db).filter(\.$application.$id == record.id!).with(
            \.$category
        ).all() {
            for q in part.category.testContent.passFail where q.requiresEvidence {
                try await ProviderUseCases.uploadEvidence(
                    record.id!, partID: part.id!,
                    .init(
                        question: q.key, expiresOn: q.evidenceExpires ? expires : nil,
                        file: .init(filename: "\(q.key).pdf", contentType: nil, data: Data("evidence".utf8))),
                    actor: actor, db: app.db, now: now)
            }
        }
    }

    /// Records consensus scores for every statement of every category of an application, and passes every
    /// pass/fail answer (both needed before admitting).
    func scoreAll(_ app: Application, _ record: ApplicationRecord, score: Int = 4) async throws {
        for part in try await ApplicationCategoryRecord.query(on: app.db).filter(\.$application.$id == record.id!).with(
            \.$category
        ).all() {
            for q in try part.criteria.passFail {
                try await Assessment.review(
                    record.id!, partID: part.id!, .init(question: q.key, outcome: .pass), actor: evaluator, db: app.db,
                    now: testNow)
            }
            for s in try part.criteria.statements {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: s.key, score: score, comment: "Clear answer", consensus: true),
                    actor: s.youngPeoplesPanel ? panel : evaluator, db: app.db, now: testNow)
            }
        }
    }

    func parts(_ app: Application, _ record: ApplicationRecord) async throws -> [String: ApplicationCategoryRecord] {
        let parts = try await ApplicationCategoryRecord.query(on: app.db).filter(\.$application.$id == record.id!).with(
            \.$category
        ).all()
        return Dictionary(uniqueKeysWithValues: parts.map { ($0.category.code, $0) })
    }
}

func auditCount(_ app: Application) async throws -> Int { try await AuditEventRecord.query(on: app.db).count() }

/// Expects an `UseCaseError` naming `field` (and returns it for further checks).
@discardableResult
func expectInputError(
    _ field: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> UseCaseError? {
    do {
        try await body()
        Issue.record("expected an input error on \(field)", sourceLocation: sourceLocation)
    } catch let error as UseCaseError {
        #expect(
            error.errors.contains { $0.field == field }, "fields were \(error.errors.map(\.field))",
            sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected an input error on \(field), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

extension CategoryRecord {
    /// A fixture's category content, known to decode (a failure here is a broken fixture, not a finding).
    var testContent: CategoryContent { try! content }
}

/// A route's path as the OpenAPI document writes it (`/api/v1/referrals/{id}`).
func openAPIPath(_ route: Route) -> String {
    "/"
        + route.path.map { component -> String in
            if case .parameter(let name) = component { return "{\(name)}" }
            return component.description
        }.joined(separator: "/")
}

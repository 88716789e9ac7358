import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import SQLKit
import Vapor

/// `dps bench`: times the operations the DPS promises to do quickly, against the published targets
/// (docs/BENCHMARKS.md): evaluating a referral with 1,000 bids, finding the eligible establishments
/// within a radius among 10,000 (in memory, and with `--database` through `Referrals.candidates` and
/// `Referrals.preview` on the configured database), and (with `--database`) publishing a referral to about
/// 500 establishments with `Referrals.publish`.
///
/// `--database` seeds the configured database (10,000 establishments and memberships) and publishes
/// referrals, whose audit events can never be deleted, so it refuses any database that already holds a
/// DPS: run it on a scratch SQLite file or an empty PostgreSQL database.
///
/// Each figure is the median and 95th percentile of repeated runs after warm-ups, measured with
/// `ContinuousClock`. Inputs come from a fixed-seed generator, so every run times the same work.
/// Only a release build gives meaningful figures.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(
            name: "database",
            help:
                "Also time the real eligibility search and publication on the configured database, "
                + "which must hold no DPS yet (it seeds 10,000 establishments and leaves append-only audit events): "
                + "use a scratch SQLite file or an empty PostgreSQL database"
        )
        var database: Bool
        @Option(name: "runs", help: "Timed runs per measurement (default 50)")
        var runs: Int?
        @Option(name: "warmups", help: "Untimed warm-up runs per measurement (default 5)")
        var warmups: Int?
    }

    var help: String {
        "Times evaluation, eligibility search and (with --database) publishing on the configured database; "
            + "prints median and p95."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let runs = max(1, signature.runs ?? 50)
        let warmups = max(0, signature.warmups ?? 5)
        let console = context.console
        let debugBuild = _isDebugAssertConfiguration()
        if debugBuild {
            console.warning(
                "This is a debug build: its figures are not meaningful. Build in release and run that binary:")
            console.warning("  swift build -c release --product dps && .build/release/dps bench")
        }
        console.print("dps bench: \(runs) timed runs after \(warmups) warm-ups each; times in milliseconds.")
        if signature.database {
            // Checked first: seeding and publishing write rows (audit events among them) that can never be removed.
            let app = context.application
            console.print("Database: \(try await Self.describeDatabase(app)).")
            try await app.autoMigrate()
            let existing = try await DPSRecord.query(on: app.db).count()
            guard existing == 0 else {
                let message =
                    "dps bench --database refused: this database already holds \(existing) DPS. "
                    + "The benchmark seeds 10,000 establishments and "
                    + "publishes referrals whose audit events can never be deleted, "
                    + "so it runs only on a database with no DPS: a scratch SQLite file "
                    + "(SQLITE_PATH=/tmp/bench.sqlite) or an empty PostgreSQL database (DATABASE_URL)."
                console.error(message)
                throw Refusal(description: "the database already holds a DPS; use a scratch database")
            }
        }
        var table = Table()
        var sink = 0  // Results feed this so the optimiser cannot drop the work being timed.

        // (a) Evaluation of one referral with 1,000 bids.
        let input = Fixtures.evaluationInput(bids: 1_000, seed: 0xD95_2026)
        let inputJSON = try EvaluationJSON.encode(input)
        let result = try EvaluationEngine.evaluate(input)
        console.print(
            "Evaluation: 1,000 bids (\(result.ranking.count) compliant, \(result.nonCompliant.count) non-compliant), "
                + "input JSON \(inputJSON.count / 1024) KB."
        )
        table.add(
            "Evaluate 1,000 bids (engine)", target: .milliseconds(5),
            try Self.measure(warmups, runs) {
                sink &+= try EvaluationEngine.evaluate(input).ranking.count
            })
        table.add(
            "Evaluate 1,000 bids (JSON in, JSON out)", target: nil,
            try Self.measure(warmups, runs) {
                sink &+= try EvaluationJSON.evaluate(data: inputJSON).count
            })

        // (b) Eligibility: 10,000 establishments, queries around Birmingham.
        let (sites, source) = Fixtures.sites(count: 10_000, seed: 0xE11_2026)
        let entries = sites.map(\.entry)
        console.print("Eligibility: \(entries.count) establishments placed at \(source).")
        let centre = Fixtures.queryCentre
        let index = EligibilityIndex(entries)
        table.add(
            "Build eligibility index (10,000)", target: nil,
            Self.measure(warmups, runs) {
                sink &+= EligibilityIndex(entries).count
            })
        for radius in [20.0, 50.0, 100.0] {
            let found = index.matches(within: radius, of: centre).count
            table.add(
                "Eligible within \(Int(radius)) mi (\(found) found)", target: .milliseconds(20),
                Self.measure(warmups, runs) {
                    sink &+= index.matches(within: radius, of: centre).count
                })
        }
        table.add(
            "Build index + query 100 mi", target: .milliseconds(20),
            Self.measure(warmups, runs) {
                sink &+= EligibilityIndex(entries).matches(within: 100, of: centre).count
            })

        // (c) The configured database: the same 10,000 sites, seeded, and the real use cases.
        if signature.database {
            try await Self.databaseBench(
                context.application, sites: sites, warmups: warmups, runs: runs, into: &table, sink: &sink)
        } else {
            console.print("Database: not measured (add --database to time the configured database).")
        }

        console.print("")
        console.print(table.render())
        console.print("")
        console.print(
            "Built for \(Self.buildName(debug: debugBuild)); \(ProcessInfo.processInfo.activeProcessorCount) cores; "
                + "\(Date().formatted(.iso8601)). Checksum \(sink)."
        )
        if debugBuild { console.warning("Debug build: rerun with .build/release/dps bench for figures worth quoting.") }
    }

    static func buildName(debug: Bool) -> String { debug ? "DEBUG (figures not meaningful)" : "release" }

    // MARK: - Database

    struct Refusal: Error, CustomStringConvertible, LocalizedError {
        var description: String
        var errorDescription: String? { description }
    }

    /// What `seed` made: the placement officer who refers, the SEN category and the counts.
    struct World {
        var officer: Actor
        var category: CategoryRecord
        var providers: Int
        var establishments: Int
        var memberships: Int
        var postcodes: Int
        var postcodeSource: String
    }

    /// The child's home for every benchmark referral: Birmingham city centre (sector B1 1), the middle of England.
    static let homePostcode = "B1 1AA"

    /// Runs the real code paths on a database seeded here: `Referrals.candidates` and `Referrals.preview`
    /// for a draft referral, and `Referrals.publish` to about 500 establishments.
    static func databaseBench(
        _ app: Application, sites: [Fixtures.Site], warmups: Int, runs: Int,
        into table: inout Table, sink: inout Int
    ) async throws {
        let console = app.console
        let clock = ContinuousClock()
        let started = clock.now
        let world = try await seed(app, sites: sites, now: Date())
        let seeding = clock.now - started
        console.print(
            "Seeded in \(Table.ms(seeding, digits: 0)) ms: "
                + "\(world.postcodes) postcode centroids (\(world.postcodeSource)), 1 lead authority, "
                + "1 DPS with its 4 default categories, 1 partner authority, \(world.providers) providers, "
                + "\(world.establishments) establishments, "
                + "\(world.memberships) active SEN memberships.")

        // (a) Eligibility on the database: a draft referral of a child in Birmingham. Measured twice: as
        // seeded (no planner statistics, as just after a bulk load), then after ANALYZE (the statistics
        // PostgreSQL's autovacuum gathers by itself within a minute or so; SQLite only on ANALYZE or
        // PRAGMA optimize).
        let db = app.db
        let draft = try await Referrals.create(
            referralInput(world, radius: "20"), actor: world.officer, db: db, now: Date())
        let referral = try await Referrals.own(draft.requireID(), actor: world.officer, db: db)
        var everyone: [Referrals.Candidate] = []
        for analysed in [false, true] {
            let when = analysed ? ", analysed" : ""
            if analysed { try await (db as! any SQLDatabase).raw("ANALYZE").run() }
            for radius in [20.0, 50.0] {
                let found = try await Referrals.candidates(referral, within: radius, db: db).count
                table.add(
                    "DB: candidates within \(Int(radius)) mi (\(found) found\(when))", target: .milliseconds(20),
                    try await measureAsync(warmups, runs) {
                        sink &+= try await Referrals.candidates(referral, within: radius, db: db).count
                    })
            }
            let preview = try await Referrals.preview(referral, db: db)
            table.add(
                "DB: preview at 20 mi (\(preview.eligible) eligible\(when))", target: .milliseconds(20),
                try await measureAsync(warmups, runs) {
                    sink &+= try await Referrals.preview(referral, db: db).eligible
                })
            everyone = try await Referrals.candidates(referral, db: db)
            table.add(
                "DB: candidates, no radius (\(everyone.count)\(when))", target: nil,
                try await measureAsync(warmups, runs) {
                    sink &+= try await Referrals.candidates(referral, db: db).count
                })
        }

        // (b) Publishing to about 500 (analysed): the radius that reaches the 500th nearest, rounded up to 1/1000 mile.
        guard everyone.count >= 500 else {
            throw Refusal(
                description: "Only \(everyone.count) memberships were seeded; publishing to 500 needs at least 500.")
        }
        let radius = max(1, (everyone[499].miles * 1_000).rounded(.up) / 1_000)
        let reach = everyone.filter { $0.miles <= radius }
        let organisations = Set(reach.map(\.organisationID)).count
        let radiusText = String(format: "%.3f", radius)
        console.print(
            "Publish: radius \(radiusText) miles reaches \(reach.count) establishments of \(organisations) providers "
                + "(one message each)."
        )
        var draftID: UUID?
        var invited: [Int] = []
        table.add(
            "DB: publish (\(reach.count) invited, \(organisations) orgs)", target: .milliseconds(200),
            try await measureAsync(
                warmups, runs,
                prepare: {
                    draftID = try await Referrals.create(
                        referralInput(world, radius: radiusText), actor: world.officer, db: db, now: Date()
                    ).requireID()
                },
                body: {
                    invited.append(try await Referrals.publish(draftID!, actor: world.officer, db: db, now: Date()))
                }))
        guard let fewest = invited.min(), fewest >= 500 else {
            throw Refusal(description: "Publishing invited \(invited.min() ?? 0), fewer than 500.")
        }
        sink &+= invited.reduce(0, +)
        let events = try await AuditEventRecord.query(on: db).count()
        let rows = try await InvitationRecord.query(on: db).count()
        console.print(
            "Published \(invited.count) referrals (invited \(fewest)-\(invited.max()!) each): "
                + "\(rows) invitations and \(events) audit events now in the database."
        )
    }

    /// The referral form as a placement officer fills it: a 12-year-old girl in Birmingham, 52-week
    /// residential, starting in a month, bids due in 14 days.
    static func referralInput(_ world: World, radius: String) -> Referrals.Input {
        let now = Date()
        return Referrals.Input(
            category: world.category.id!.uuidString, kind: "spot", pattern: "residential52",
            startDate: LocalDate.from(now).adding(days: 30).iso, durationWeeks: "52", children: "1",
            childAge: "12", childGender: "girl", homePostcode: homePostcode, childDetails: "Benchmark child",
            needs: "Autism | 2", mustHaves: "Waking night staff", desirables: "", outcomes: "Attend school",
            radiusMiles: radius, deadline: DisplayDate.isoMinute(now.addingTimeInterval(14 * 86_400)),
            parentChoice: "no", weights: nil)
    }

    /// Seeds an empty database: postcode centroids; a lead authority and its administrator; a DPS with
    /// the default categories (`DPSAdmin.create`); a partner authority using the SEN category
    /// (`DPSAdmin.upsertPartner`) and its placement officer; then, with SQLKit bulk inserts of 500 rows in
    /// one transaction, `sites.count / 10` providers with 10 establishments each, every establishment an
    /// active SEN member.
    static func seed(_ app: Application, sites: [Fixtures.Site], now: Date) async throws -> World {
        let db = app.db
        let sql = db as! any SQLDatabase

        // Postcode centroids: the real ones when the register data is found.
        let postcodes: Int
        let postcodeSource: String
        if try await Registers.isImported(on: db) {  // by the demo, for `dps load-seed`
            postcodes = try await PostcodeCentroidRecord.query(on: db).count()
            postcodeSource = "ONS, imported before"
        } else if let directory = try? Registers.dataDirectory() {
            postcodes = try await Registers.importAll(Registers.load(from: directory), on: db).postcodes
            postcodeSource = "ONS, imported with the registers"
        } else {
            let few: [(String, String, Double, Double)] = [
                ("B1", "district", 52.4800, -1.9040), ("B1 1", "sector", 52.47605, -1.90358),
            ]
            var insert = sql.insert(into: PostcodeCentroidRecord.schema).columns(
                "code", "precision", "latitude", "longitude", "la_gss_code", "la_name")
            for (code, precision, lat, lon) in few {
                insert = insert.values(
                    SQLBind(code), SQLBind(precision), SQLBind(lat), SQLBind(lon), SQLBind("E08000025"),
                    SQLBind("Birmingham"))
            }
            try await insert.run()
            postcodes = few.count
            postcodeSource = "register data not found: B1 and B1 1 only"
        }

        // The lead authority, its administrator and the DPS with its default categories.
        let hash = try app.password.hash(UUID().uuidString)  // nobody signs in as these users
        let lead = Organisation(kind: OrganisationKind.leadAuthority.rawValue, name: "Benchmark County Council")
        try await lead.create(on: db)
        let adminUser = User(
            organisationID: lead.id!, email: "admin@bench.invalid", name: "Bench Admin", role: Role.dpsAdmin.rawValue,
            passwordHash: hash)
        try await adminUser.create(on: db)
        let admin = Actor(
            userID: adminUser.id!, name: adminUser.name, email: adminUser.email, role: .dpsAdmin,
            organisationID: lead.id!, organisationKind: .leadAuthority, organisationName: lead.name)
        let today = LocalDate.from(now)
        let dps = try await DPSAdmin.create(
            .init(
                title: "Benchmark DPS", regime: .pcr2015, validityStart: today,
                validityEnd: today.adding(days: 4 * 365),
                shortDeadlinesAgreed: true, parentChoiceBandPoints: 5, description: "Seeded by dps bench", terms: ""),
            actor: admin, db: db, now: now)
        guard
            let category = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).filter(
                \.$code == "sen-inmss"
            ).first()
        else {
            throw Refusal(description: "DPSAdmin.create made no SEN category (sen-inmss).")
        }

        // The partner authority (Birmingham) using the SEN category, and its placement officer.
        try await DPSAdmin.upsertPartner(
            dps.requireID(),
            .init(
                gssCode: "E08000025", name: "Birmingham City Council", categories: [category.id!],
                isJoiner: false),
            actor: admin, db: db, now: now)
        guard
            let partner = try await Organisation.query(on: db).filter(\.$name == "Birmingham City Council")
                .filter(\.$kind == OrganisationKind.partnerAuthority.rawValue).first()
        else { throw Refusal(description: "DPSAdmin.upsertPartner made no partner organisation.") }
        let officerUser = User(
            organisationID: partner.id!, email: "officer@bench.invalid", name: "Bench Officer",
            role: Role.placementOfficer.rawValue, passwordHash: hash)
        try await officerUser.create(on: db)
        let officer = Actor(
            userID: officerUser.id!, name: officerUser.name, email: officerUser.email, role: .placementOfficer,
            organisationID: partner.id!, organisationKind: .partnerAuthority, organisationName: partner.name)

        // Providers, establishments and memberships: bulk inserts, 500 rows each, in one transaction.
        let perProvider = 10
        let providerIDs = (0..<(sites.count + perProvider - 1) / perProvider).map { _ in UUID() }
        var rng = SplitMix64(seed: 0x5EED_2026)
        let coreCosts = Audit.encode(
            Dictionary(uniqueKeysWithValues: try category.content.costLines.map { ($0.key, 40_000) }))
        let discounts = Audit.encode(["2": 500, "3": 1000])
        let dpsID = try dps.requireID()
        let categoryID = try category.requireID()
        let organisationRows: [[any SQLExpression]] = providerIDs.enumerated().map { i, id in
            [
                SQLBind(id), SQLBind(OrganisationKind.provider.rawValue),
                SQLBind(String(format: "Bench Provider %04d", i + 1)),
                SQLBind(String(format: "bids@provider%04d.invalid", i + 1)), SQLBind(now),
            ]
        }
        var establishmentRows: [[any SQLExpression]] = []
        var membershipRows: [[any SQLExpression]] = []
        establishmentRows.reserveCapacity(sites.count)
        membershipRows.reserveCapacity(sites.count)
        for (i, site) in sites.enumerated() {
            let id = UUID()
            let provider = providerIDs[i / perProvider]
            let postcode = (site.sector ?? "B1 1") + "AA"
            let school = i % 2 == 0
            establishmentRows.append([
                SQLBind(id), SQLBind(provider),
                SQLBind(String(format: "Bench %@ %05d", school ? "School" : "House", i + 1)),
                SQLBind(school ? "school" : "childrens_home"), SQLBind(String?.none), SQLBind("\(i + 1) High Street"),
                SQLBind(site.town ?? "Town"),
                SQLBind(postcode), SQLBind(PostcodeDirectory.district(of: postcode) ?? ""),
                SQLBind(site.entry.point.latitude),
                SQLBind(site.entry.point.longitude), SQLBind(false), SQLBind(school ? 7 : 8), SQLBind(18),
                SQLBind("mixed"), SQLBind(school ? 60 : 4),
                SQLBind(school ? "ofstedEducation" : "ofstedSocialCare"), SQLBind(String?.none),
                SQLBind(i % 3 == 0 ? "Outstanding" : "Good"),
                SQLBind("2024-05-01"), SQLBind(site.laGSSCode), SQLBind(now),
            ])
            membershipRows.append([
                SQLBind(UUID()), SQLBind(dpsID), SQLBind(categoryID), SQLBind(id), SQLBind(provider), SQLBind("active"),
                SQLBind(Int.random(in: 5_000...10_000, using: &rng)), SQLBind(coreCosts), SQLBind(discounts),
                SQLBind(now), SQLBind(UUID?.none),
            ])
        }
        let establishmentBatches = establishmentRows.chunked(500)
        let membershipBatches = membershipRows.chunked(500)
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            for batch in organisationRows.chunked(500) {
                var insert = sql.insert(into: Organisation.schema).columns(
                    "id", "kind", "name", "contact_email", "created_at")
                for row in batch { insert = insert.values(row) }
                try await insert.run()
            }
            for batch in establishmentBatches {
                var insert = sql.insert(into: EstablishmentRecord.schema).columns(
                    "id", "organisation_id", "name", "type", "urn", "address", "town", "postcode", "postcode_district",
                    "latitude", "longitude",
                    "location_approximate", "age_low", "age_high", "genders", "capacity", "inspectorate", "framework",
                    "judgement", "judgement_date",
                    "la_gss_code", "created_at")
                for row in batch { insert = insert.values(row) }
                try await insert.run()
            }
            for batch in membershipBatches {
                var insert = sql.insert(into: MembershipRecord.schema).columns(
                    "id", "dps_id", "category_id", "establishment_id", "organisation_id", "state",
                    "qualification_score", "core_costs_json",
                    "discounts_json", "admitted_at", "application_category_id")
                for row in batch { insert = insert.values(row) }
                try await insert.run()
            }
        }
        return World(
            officer: officer, category: category, providers: providerIDs.count, establishments: establishmentRows.count,
            memberships: membershipRows.count, postcodes: postcodes, postcodeSource: postcodeSource)
    }

    /// "SQLite 3.x (path)" or "PostgreSQL 15.x (host:port/database)", never the credentials.
    static func describeDatabase(_ app: Application) async throws -> String {
        let sql = app.db as! any SQLDatabase
        if let url = app.config.databaseURL {
            let parts = URLComponents(string: url)
            let version = try? await sql.raw("SHOW server_version").first()?.decode(
                column: "server_version", as: String.self)
            let host = parts?.host ?? "?"
            let port = parts?.port.map { ":\($0)" } ?? ""
            return "PostgreSQL \(version ?? "") at \(host)\(port)\(parts?.path ?? "") (DATABASE_URL)"
        }
        let version = try? await sql.raw("SELECT sqlite_version() AS v").first()?.decode(column: "v", as: String.self)
        return "SQLite \(version ?? "") file \(app.config.sqlitePath) (SQLITE_PATH; set DATABASE_URL for PostgreSQL)"
    }

    // MARK: - Timing

    static func measure(_ warmups: Int, _ runs: Int, _ body: () throws -> Void) rethrows -> [Duration] {
        let clock = ContinuousClock()
        for _ in 0..<warmups { try body() }
        var samples: [Duration] = []
        samples.reserveCapacity(runs)
        for _ in 0..<runs {
            let start = clock.now
            try body()
            samples.append(clock.now - start)
        }
        return samples
    }

    /// Like `measure`, with an untimed `prepare` step before every run (warm-ups included).
    static func measureAsync(
        _ warmups: Int, _ runs: Int, prepare: () async throws -> Void = {}, body: () async throws -> Void
    ) async throws -> [Duration] {
        let clock = ContinuousClock()
        for _ in 0..<warmups {
            try await prepare()
            try await body()
        }
        var samples: [Duration] = []
        samples.reserveCapacity(runs)
        for _ in 0..<runs {
            try await prepare()
            let start = clock.now
            try await body()
            samples.append(clock.now - start)
        }
        return samples
    }

    /// The printed table: one row per measurement with its median, p95 and target.
    struct Table {
        struct Row {
            var name: String
            var median: Duration
            var p95: Duration
            var target: Duration?
        }
        var rows: [Row] = []

        mutating func add(_ name: String, target: Duration?, _ samples: [Duration]) {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return }
            let middle = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            // Nearest-rank 95th percentile.
            let rank = Int((Double(sorted.count) * 0.95).rounded(.up)) - 1
            rows.append(
                Row(name: name, median: median, p95: sorted[max(0, min(sorted.count - 1, rank))], target: target))
        }

        func render() -> String {
            let header = ["Measurement", "median ms", "p95 ms", "target ms", "p95 within"]
            let body = rows.map { row in
                [
                    row.name, Self.ms(row.median), Self.ms(row.p95), row.target.map { Self.ms($0, digits: 0) } ?? "-",
                    row.target.map { row.p95 < $0 ? "yes" : "NO" } ?? "-",
                ]
            }
            let all = [header] + body
            let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { column, cell in
                    let pad = String(repeating: " ", count: widths[column] - cell.count)
                    return column == 0 ? cell + pad : pad + cell
                }.joined(separator: "  ")
            }
            let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
            return ([line(header), rule] + body.map(line)).joined(separator: "\n")
        }

        static func ms(_ duration: Duration, digits: Int = 3) -> String {
            let (seconds, attoseconds) = duration.components
            let value = Double(seconds) * 1_000 + Double(attoseconds) / 1e15
            return String(format: "%.\(digits)f", value)
        }
    }

    // MARK: - Inputs

    /// SplitMix64: a tiny, fixed-seed generator, so every run of the benchmark times identical inputs.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum Fixtures {
        /// Birmingham city centre: the middle of England, where a 100-mile radius reaches the most establishments.
        static let queryCentre = GeoPoint(latitude: 52.4797, longitude: -1.9027)

        /// A 52-week referral with 8 needs, 2 must-haves, 4 desirables and parent choice, and `count`
        /// varied bids: about 1 in 20 misses a must-have and 1 in 100 is late.
        static func evaluationInput(bids count: Int, seed: UInt64) -> EvaluationInput {
            var rng = SplitMix64(seed: seed)
            let needs = (1...8).map {
                EvaluationMarkedItem(id: "need-\($0)", marks: Int.random(in: 1...3, using: &rng))
            }
            let desirables = (1...4).map {
                EvaluationMarkedItem(id: "desirable-\($0)", marks: Int.random(in: 1...2, using: &rng))
            }
            let mustHaves = ["must-1", "must-2"]
            let opened = Date(timeIntervalSince1970: 1_795_597_200)  // 2026-11-25T09:00:00Z
            let bids = (0..<count).map { i in
                var mustHavesMet = mustHaves
                if Int.random(in: 0..<20, using: &rng) == 0 { mustHavesMet.removeLast() }
                return EvaluationBid(
                    id: String(format: "bid-%05d", i),
                    weeklyCostPence: Int.random(in: 250_000...900_000, using: &rng),
                    qualificationScore: Score(Points(hundredths: Int.random(in: 5_000...10_000, using: &rng))),
                    outcomesScore: Score(Points(hundredths: Int.random(in: 0...10, using: &rng) * 50)),
                    needsMet: needs.filter { _ in Int.random(in: 0..<10, using: &rng) < 7 }.map(\.id),
                    mustHavesMet: mustHavesMet,
                    desirablesMet: desirables.filter { _ in Bool.random(using: &rng) }.map(\.id),
                    distanceMiles: Double(Int.random(in: 0...800, using: &rng)) / 10,
                    incentivesScore: Score(whole: Int.random(in: 0...5, using: &rng)),
                    submittedAt: opened.addingTimeInterval(Double(Int.random(in: 0...172_800, using: &rng))),
                    late: Int.random(in: 0..<100, using: &rng) == 0)
            }
            return EvaluationInput(
                weeksPerYear: 52,
                weights: EvaluationWeights(
                    price: 45, coreCompetency: 20, outcomes: 15, needs: 10, location: 5, desirables: 3, incentives: 2),
                needs: needs, mustHaves: mustHaves, desirables: desirables,
                parentChoice: EvaluationParentChoice(enabled: true), bids: bids)
        }

        /// An establishment's location and, when drawn from the register data, the postcode sector
        /// (e.g. "B1 1") and children's services authority it lies in.
        struct Site {
            var entry: EligibilityIndex.Entry
            var sector: String?
            var town: String?
            var laGSSCode: String?
        }

        /// `count` establishment locations: England's postcode sector centroids (ONS) drawn with a
        /// fixed seed and moved up to about half a mile, when the register data is found; otherwise
        /// points scattered around 30 English towns.
        static func sites(count: Int, seed: UInt64) -> (sites: [Site], source: String) {
            var rng = SplitMix64(seed: seed)
            let sectors = englishSectorCentroids()
            let bases: [PostcodeCentroid?]
            let points: [GeoPoint]
            let spread: Double
            let source: String
            if sectors.count > 100 {
                bases = sectors
                points = sectors.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) }
                spread = 0.007
                source = "England's postcode sector centroids (\(sectors.count) sectors, ONS)"
            } else {
                bases = towns.map { _ in nil }
                points = towns
                spread = 0.3
                source = "points around \(towns.count) English towns (register data not found)"
            }
            let sites = (0..<count).map { i in
                let pick = Int.random(in: 0..<points.count, using: &rng)
                let base = points[pick]
                let point = GeoPoint(
                    latitude: base.latitude + Double.random(in: -spread...spread, using: &rng),
                    longitude: base.longitude + Double.random(in: -spread...spread, using: &rng) * 1.6)
                return Site(
                    entry: EligibilityIndex.Entry(id: String(format: "est-%05d", i), point: point),
                    sector: bases[pick]?.code, town: bases[pick]?.laName, laGSSCode: bases[pick]?.laGSSCode)
            }
            return (sites, source)
        }

        static func englishSectorCentroids() -> [PostcodeCentroid] {
            guard let directory = try? Registers.dataDirectory(),
                let data = try? Data(contentsOf: directory.appendingPathComponent("postcode_sector_centroids.csv")),
                let table = try? CSVTable.parse(data: data)
            else { return [] }
            return PostcodeCentroid.parseAll(table, precision: .sector).filter { $0.country == "England" }
        }

        static let towns: [GeoPoint] = [
            (51.5074, -0.1278), (52.4797, -1.9027), (53.4808, -2.2426), (53.8008, -1.5491), (53.4084, -2.9916),
            (54.9783, -1.6178), (53.3811, -1.4701), (51.4545, -2.5879), (52.9548, -1.1581), (52.6369, -1.1398),
            (50.9097, -1.4044), (50.8225, -0.1372), (50.3755, -4.1427), (50.7184, -3.5339), (51.7520, -1.2577),
            (52.2053, 0.1218), (52.6309, 1.2974), (51.2798, 1.0789), (51.0688, -0.3256), (51.4543, -0.9781),
            (52.0406, -0.7594), (53.7457, -0.3367), (54.5742, -1.2350), (54.8951, -2.9382), (53.7632, -2.7031),
            (52.5862, -2.1288), (52.4068, -1.5197), (53.0027, -2.1794), (51.8642, -2.2382), (50.7192, -1.8808),
        ].map { GeoPoint(latitude: $0.0, longitude: $0.1) }
    }
}

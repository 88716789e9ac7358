import DPSDomain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `dps bench`: times the operations the DPS promises to do quickly, against the published targets
/// (docs/BENCHMARKS.md): evaluating a referral with 1,000 bids, finding the eligible establishments
/// within a radius among 10,000, and (with `--database`) publishing a referral to 500 establishments and
/// reading 10,000 locations from the configured database.
///
/// Each figure is the median and 95th percentile of repeated runs after warm-ups, measured with
/// `ContinuousClock`. Inputs come from a fixed-seed generator, so every run times the same work.
/// Only a release build gives meaningful figures.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "database", help: "Also time the database: a 500-row insert in one transaction and reading 10,000 locations (scratch tables, dropped afterwards)")
        var database: Bool
        @Option(name: "runs", help: "Timed runs per measurement (default 50)")
        var runs: Int?
        @Option(name: "warmups", help: "Untimed warm-up runs per measurement (default 5)")
        var warmups: Int?
    }

    var help: String {
        "Times evaluation, eligibility search and (with --database) publishing on the configured database; prints median and p95."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let runs = max(1, signature.runs ?? 50)
        let warmups = max(0, signature.warmups ?? 5)
        let console = context.console
        let debugBuild = _isDebugAssertConfiguration()
        if debugBuild {
            console.warning("This is a debug build: its figures are not meaningful. Build in release and run that binary:")
            console.warning("  swift build -c release --product dps && .build/release/dps bench")
        }
        console.print("dps bench: \(runs) timed runs after \(warmups) warm-ups each; times in milliseconds.")
        var table = Table()
        var sink = 0  // Results feed this so the optimiser cannot drop the work being timed.

        // (a) Evaluation of one referral with 1,000 bids.
        let input = Fixtures.evaluationInput(bids: 1_000, seed: 0xD95_2026)
        let inputJSON = try EvaluationJSON.encode(input)
        let result = try EvaluationEngine.evaluate(input)
        console.print("Evaluation: 1,000 bids (\(result.ranking.count) compliant, \(result.nonCompliant.count) non-compliant), input JSON \(inputJSON.count / 1024) KB.")
        table.add("Evaluate 1,000 bids (engine)", target: .milliseconds(5), try Self.measure(warmups, runs) {
            sink &+= try EvaluationEngine.evaluate(input).ranking.count
        })
        table.add("Evaluate 1,000 bids (JSON in, JSON out)", target: nil, try Self.measure(warmups, runs) {
            sink &+= try EvaluationJSON.evaluate(data: inputJSON).count
        })

        // (b) Eligibility: 10,000 establishments, queries around Birmingham.
        let (entries, source) = Fixtures.establishments(count: 10_000, seed: 0xE11_2026)
        console.print("Eligibility: \(entries.count) establishments placed at \(source).")
        let centre = Fixtures.queryCentre
        let index = EligibilityIndex(entries)
        table.add("Build eligibility index (10,000)", target: nil, Self.measure(warmups, runs) {
            sink &+= EligibilityIndex(entries).count
        })
        for radius in [20.0, 50.0, 100.0] {
            let found = index.matches(within: radius, of: centre).count
            table.add("Eligible within \(Int(radius)) mi (\(found) found)", target: .milliseconds(20), Self.measure(warmups, runs) {
                sink &+= index.matches(within: radius, of: centre).count
            })
        }
        table.add("Build index + query 100 mi", target: .milliseconds(20), Self.measure(warmups, runs) {
            sink &+= EligibilityIndex(entries).matches(within: 100, of: centre).count
        })

        // (c) The configured database.
        if signature.database {
            let app = context.application
            let name = try await Self.describeDatabase(app)
            console.print("Database: \(name).")
            try await Self.databaseBench(app, entries: entries, warmups: warmups, runs: runs, into: &table, sink: &sink)
        } else {
            console.print("Database: not measured (add --database to time the configured database).")
        }

        console.print("")
        console.print(table.render())
        console.print("")
        console.print("Built for \(Self.buildName(debug: debugBuild)); \(ProcessInfo.processInfo.activeProcessorCount) cores; \(Date().formatted(.iso8601)). Checksum \(sink).")
        if debugBuild { console.warning("Debug build: rerun with .build/release/dps bench for figures worth quoting.") }
    }

    static func buildName(debug: Bool) -> String { debug ? "DEBUG (figures not meaningful)" : "release" }

    // MARK: - Database

    /// Times a 500-row insert in one transaction (publishing a referral to 500 establishments) and
    /// reading 10,000 (id, latitude, longitude) rows, on scratch tables created and dropped here.
    static func databaseBench(
        _ app: Application, entries: [EligibilityIndex.Entry], warmups: Int, runs: Int,
        into table: inout Table, sink: inout Int
    ) async throws {
        let sql = app.db as! any SQLDatabase
        try await dropScratchTables(sql)
        do {
            try await sql.raw("CREATE TABLE bench_invitations (id TEXT PRIMARY KEY, referral_id TEXT, establishment_id TEXT, created_at TEXT)").run()
            try await sql.raw("CREATE TABLE bench_locations (id TEXT PRIMARY KEY, lat DOUBLE PRECISION, lon DOUBLE PRECISION)").run()
            try await app.db.transaction { db in
                let sql = db as! any SQLDatabase
                for start in stride(from: 0, to: entries.count, by: 1_000) {
                    var insert = sql.insert(into: "bench_locations").columns("id", "lat", "lon")
                    for entry in entries[start..<min(start + 1_000, entries.count)] {
                        insert = insert.values(SQLBind(entry.id), SQLBind(entry.point.latitude), SQLBind(entry.point.longitude))
                    }
                    try await insert.run()
                }
            }

            let invitees = Array(entries.prefix(500).map(\.id))
            table.add("Publish to 500: insert 500 rows, 1 transaction", target: .milliseconds(200), try await measureAsync(
                warmups, runs,
                prepare: { try await sql.raw("DELETE FROM bench_invitations").run() },
                body: {
                    let referral = UUID().uuidString
                    let now = Date().formatted(.iso8601)
                    try await app.db.transaction { db in
                        let sql = db as! any SQLDatabase
                        var insert = sql.insert(into: "bench_invitations").columns("id", "referral_id", "establishment_id", "created_at")
                        for establishment in invitees {
                            insert = insert.values(SQLBind(UUID().uuidString), SQLBind(referral), SQLBind(establishment), SQLBind(now))
                        }
                        try await insert.run()
                    }
                }))

            var readCount = 0
            table.add("Read 10,000 locations (SQLKit)", target: nil, try await measureAsync(warmups, runs) {
                readCount = try await readLocations(sql).count
            })
            sink &+= readCount
            let centre = Fixtures.queryCentre
            var found = 0
            table.add("Read 10,000 + build index + query 50 mi", target: .milliseconds(20), try await measureAsync(warmups, runs) {
                found = EligibilityIndex(try await readLocations(sql)).matches(within: 50, of: centre).count
            })
            sink &+= found
        } catch {
            try? await dropScratchTables(sql)
            throw error
        }
        try await dropScratchTables(sql)
    }

    static func readLocations(_ sql: any SQLDatabase) async throws -> [EligibilityIndex.Entry] {
        try await sql.select().columns("id", "lat", "lon").from("bench_locations").all().map { row in
            EligibilityIndex.Entry(
                id: try row.decode(column: "id", as: String.self),
                point: GeoPoint(latitude: try row.decode(column: "lat", as: Double.self),
                                longitude: try row.decode(column: "lon", as: Double.self)))
        }
    }

    static func dropScratchTables(_ sql: any SQLDatabase) async throws {
        try await sql.raw("DROP TABLE IF EXISTS bench_invitations").run()
        try await sql.raw("DROP TABLE IF EXISTS bench_locations").run()
    }

    /// "SQLite 3.x (path)" or "PostgreSQL 15.x (host:port/database)", never the credentials.
    static func describeDatabase(_ app: Application) async throws -> String {
        let sql = app.db as! any SQLDatabase
        if let url = app.config.databaseURL {
            let parts = URLComponents(string: url)
            let version = try? await sql.raw("SHOW server_version").first()?.decode(column: "server_version", as: String.self)
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
            rows.append(Row(name: name, median: median, p95: sorted[max(0, min(sorted.count - 1, rank))], target: target))
        }

        func render() -> String {
            let header = ["Measurement", "median ms", "p95 ms", "target ms", "p95 within"]
            let body = rows.map { row in
                [row.name, Self.ms(row.median), Self.ms(row.p95), row.target.map { Self.ms($0, digits: 0) } ?? "-",
                 row.target.map { row.p95 < $0 ? "yes" : "NO" } ?? "-"]
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
            let needs = (1...8).map { EvaluationMarkedItem(id: "need-\($0)", marks: Int.random(in: 1...3, using: &rng)) }
            let desirables = (1...4).map { EvaluationMarkedItem(id: "desirable-\($0)", marks: Int.random(in: 1...2, using: &rng)) }
            let mustHaves = ["must-1", "must-2"]
            let opened = Date(timeIntervalSince1970: 1_795_597_200)  // 2026-11-25T09:00:00Z
            let bids = (0..<count).map { i in
                var mustHavesMet = mustHaves
                if Int.random(in: 0..<20, using: &rng) == 0 { mustHavesMet.removeLast() }
                return EvaluationBid(
                    id: String(format: "bid-%05d", i),
                    weeklyCostPence: Int.random(in: 250_000...900_000, using: &rng),
                    qualificationScore: Points(hundredths: Int.random(in: 5_000...10_000, using: &rng)),
                    outcomesScore: Points(hundredths: Int.random(in: 0...10, using: &rng) * 50),
                    needsMet: needs.filter { _ in Int.random(in: 0..<10, using: &rng) < 7 }.map(\.id),
                    mustHavesMet: mustHavesMet,
                    desirablesMet: desirables.filter { _ in Bool.random(using: &rng) }.map(\.id),
                    distanceMiles: Double(Int.random(in: 0...800, using: &rng)) / 10,
                    incentivesScore: Points(whole: Int.random(in: 0...5, using: &rng)),
                    submittedAt: opened.addingTimeInterval(Double(Int.random(in: 0...172_800, using: &rng))),
                    late: Int.random(in: 0..<100, using: &rng) == 0)
            }
            return EvaluationInput(
                weeksPerYear: 52,
                weights: EvaluationWeights(price: 45, coreCompetency: 20, outcomes: 15, needs: 10, location: 5, desirables: 3, incentives: 2),
                needs: needs, mustHaves: mustHaves, desirables: desirables,
                parentChoice: EvaluationParentChoice(enabled: true), bids: bids)
        }

        /// `count` establishment locations: England's postcode sector centroids (ONS) drawn with a
        /// fixed seed and moved up to about half a mile, when the register data is found; otherwise
        /// points scattered around 30 English towns.
        static func establishments(count: Int, seed: UInt64) -> (entries: [EligibilityIndex.Entry], source: String) {
            var rng = SplitMix64(seed: seed)
            let sectors = englishSectorCentroids()
            let bases: [GeoPoint]
            let spread: Double
            let source: String
            if sectors.count > 100 {
                bases = sectors
                spread = 0.007
                source = "England's postcode sector centroids (\(sectors.count) sectors, ONS)"
            } else {
                bases = towns
                spread = 0.3
                source = "points around \(towns.count) English towns (register data not found)"
            }
            let entries = (0..<count).map { i in
                let base = bases[Int.random(in: 0..<bases.count, using: &rng)]
                let point = GeoPoint(
                    latitude: base.latitude + Double.random(in: -spread...spread, using: &rng),
                    longitude: base.longitude + Double.random(in: -spread...spread, using: &rng) * 1.6)
                return EligibilityIndex.Entry(id: String(format: "est-%05d", i), point: point)
            }
            return (entries, source)
        }

        static func englishSectorCentroids() -> [GeoPoint] {
            guard let directory = try? Registers.dataDirectory(),
                  let data = try? Data(contentsOf: directory.appendingPathComponent("postcode_sector_centroids.csv")),
                  let table = try? CSVTable.parse(data: data) else { return [] }
            return PostcodeCentroid.parseAll(table, precision: .sector)
                .filter { $0.country == "England" }
                .map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) }
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

import Crypto
import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Reads the public registers the `import-registers` command loaded into the database.
package enum Registers {
    package static func postcode(_ raw: String, on db: any Database) async throws -> PostcodeCentroid? {
        guard let normalised = PostcodeDirectory.normalise(raw) else { return nil }
        let candidates = [PostcodeDirectory.sector(of: normalised), PostcodeDirectory.district(of: normalised)]
            .compactMap { $0 }
        let rows = try await PostcodeCentroidRecord.query(on: db).filter(\.$id ~~ candidates).all()
        guard let row = candidates.lazy.compactMap({ code in rows.first { $0.id == code } }).first else { return nil }
        return PostcodeCentroid(
            code: row.id!, precision: PostcodeCentroid.Precision(rawValue: row.precision) ?? .district,
            latitude: row.latitude, longitude: row.longitude, country: "", laGSSCode: row.laGSSCode,
            laName: row.laName, dfeLACode: nil, mainDistrictGSSCode: nil, postcodeCount: 0)
    }

    package static func entry(urn: String, on db: any Database) async throws -> RegisterEntry? {
        let key = urn.trimmed.uppercased()
        guard !key.isEmpty, let row = try await RegisterEntryRecord.find(key, on: db) else { return nil }
        return try Referrals.decode(row.entryJSON, as: RegisterEntry.self)
    }

    package static func isImported(on db: any Database) async throws -> Bool {
        try await PostcodeCentroidRecord.query(on: db).count() > 0
    }

    /// Where the register files live: `DPS_DATA_DIR`, else `../shared/data` or `shared/data` from the
    /// working directory.
    package static func dataDirectory() throws -> URL {
        let fm = FileManager.default
        let candidates = [ProcessInfo.processInfo.environment["DPS_DATA_DIR"], "../shared/data", "shared/data", "data"]
            .compactMap { $0 }
        for path in candidates where fm.fileExists(atPath: path + "/postcode_district_centroids.csv") {
            return URL(fileURLWithPath: path)
        }
        throw UseCaseError(
            .internalFailure,
            "Register data not found: set DPS_DATA_DIR to the folder holding postcode_district_centroids.csv")
    }

    package struct Loaded {
        package var directory: PostcodeDirectory
        package var lookup: RegisterLookup
        package var schools: [RegisterSchool]
        package var providers: [RegisterSocialCareProvider]
        package var authorities: [RegisterLocalAuthority]

        package init(
            directory: PostcodeDirectory, lookup: RegisterLookup, schools: [RegisterSchool],
            providers: [RegisterSocialCareProvider], authorities: [RegisterLocalAuthority]
        ) {
            self.directory = directory
            self.lookup = lookup
            self.schools = schools
            self.providers = providers
            self.authorities = authorities
        }

        /// Every establishment of both registers, as entries.
        package var entries: [RegisterEntry] {
            schools.map { lookup.entry(for: $0) } + providers.map { lookup.entry(for: $0) }
        }
    }

    package static func load(from dir: URL) throws -> Loaded {
        func table(_ name: String) throws -> CSVTable {
            try CSVTable.parse(data: Data(contentsOf: dir.appendingPathComponent(name)))
        }
        let directory = PostcodeDirectory(
            districts: try table("postcode_district_centroids.csv"), sectors: try table("postcode_sector_centroids.csv")
        )
        let schools = RegisterSchool.parseAll(try table("gias_special_and_independent_schools_england.csv"))
        let providers = RegisterSocialCareProvider.parseAll(
            try table("ofsted_childrens_social_care_providers_2025-03-31.csv"))
        let authorities = RegisterLocalAuthority.parseAll(try table("england_childrens_services_authorities.csv"))
        return Loaded(
            directory: directory, lookup: RegisterLookup(schools: schools, providers: providers, directory: directory),
            schools: schools, providers: providers, authorities: authorities)
    }

    /// Replaces the register tables with the files' contents, in batches, in one transaction.
    package static func importAll(_ loaded: Loaded, on db: any Database) async throws -> (entries: Int, postcodes: Int)
    {
        var seen = Set<String>()
        let entryRows: [[any SQLExpression]] =
            loaded.entries
            .filter { seen.insert($0.urn.uppercased()).inserted }
            .map { entry in
                [
                    SQLBind(entry.urn.uppercased()), SQLBind(entry.source.rawValue),
                    SQLBind(entry.name ?? "(withheld)"), SQLBind(Audit.encode(entry)),
                ]
            }
        let centroidRows: [[any SQLExpression]] =
            (Array(loaded.directory.districtsByCode.values) + Array(loaded.directory.sectorsByCode.values)).map { c in
                [
                    SQLBind(c.code), SQLBind(c.precision.rawValue), SQLBind(c.latitude), SQLBind(c.longitude),
                    SQLBind(c.laGSSCode), SQLBind(c.laName),
                ]
            }
        try await db.writeTransaction { db in
            guard let sql = db as? any SQLDatabase else {
                throw UseCaseError(.internalFailure, "SQL database required")
            }
            try await sql.delete(from: RegisterEntryRecord.schema).run()
            try await sql.delete(from: PostcodeCentroidRecord.schema).run()
            for batch in entryRows.chunked(500) {
                var insert = sql.insert(into: RegisterEntryRecord.schema).columns("urn", "source", "name", "entry_json")
                for row in batch { insert = insert.values(row) }
                try await insert.run()
            }
            for batch in centroidRows.chunked(1000) {
                var insert = sql.insert(into: PostcodeCentroidRecord.schema).columns(
                    "code", "precision", "latitude", "longitude", "la_gss_code", "la_name")
                for row in batch { insert = insert.values(row) }
                try await insert.run()
            }
        }
        try await analyze(db)
        return (entryRows.count, centroidRows.count)
    }
}

extension Registers {
    /// The register files whose contents name a snapshot: the two that carry establishments and inspections.
    static let snapshotFiles = [
        "gias_special_and_independent_schools_england.csv", "ofsted_childrens_social_care_providers_2025-03-31.csv",
    ]

    /// A snapshot's name: the SHA-256 of its register files.
    package static func snapshotKey(of dir: URL) throws -> String {
        var hasher = SHA256()
        for name in snapshotFiles { hasher.update(data: try Data(contentsOf: dir.appendingPathComponent(name))) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    package struct ImportReport: Sendable {
        package var snapshot: String
        package var alreadyImported = false
        package var entries = 0
        package var postcodes = 0
        package var watch = RegisterWatch.Report()
    }

    /// `dps import-registers` and the scheduled import: loads the snapshot in `dir`, replaces the register tables
    /// with it and runs the inspection watch against the snapshot it replaced. A snapshot already imported (by this
    /// or another instance) is not imported again.
    package static func importAndWatch(
        from dir: URL, db: any Database, now: Date, progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> ImportReport {
        var report = ImportReport(snapshot: try snapshotKey(of: dir))
        guard try await JobRun.claim("register-import", period: report.snapshot, db: db, now: now) else {
            report.alreadyImported = true
            return report
        }
        progress("Reading the register files in \(dir.path)…")
        let loaded = try load(from: dir)
        let previous = Set(
            try await db.sql().select().column("urn").from(RegisterEntryRecord.schema).all()
                .map { try $0.decode(column: "urn", as: String.self).uppercased() })
        progress(
            "Importing \(loaded.schools.count) schools, \(loaded.providers.count) social care providers and the "
                + "postcode centroids…")
        (report.entries, report.postcodes) = try await importAll(loaded, on: db)
        report.watch = try await RegisterWatch.run(
            entries: loaded.entries, previous: previous, snapshot: report.snapshot, db: db, now: now, progress: progress
        )
        try await JobRun.finish(
            "register-import", period: report.snapshot,
            summary: "\(report.entries) entries. \(report.watch.summary)", db: db, now: now)
        return report
    }
}

/// Refreshes the query planner's statistics after a bulk load (both engines understand `ANALYZE`);
/// without them PostgreSQL plans the eligibility query as if the tables were empty.
package func analyze(_ db: any Database) async throws {
    try await (db as? any SQLDatabase)?.raw("ANALYZE").run()
}

extension Array {
    package func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

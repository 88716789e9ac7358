import Foundation
import SQLKit
import Testing
import Vapor

@testable import App

/// The embedded database set up for a web server (DECISIONS: write-ahead logging, and every commit synced so
/// an acknowledged bid survives a power cut).
@Suite("SQLite settings")
struct SQLiteSettingsTests {
    @Test(
        """
        A new SQLite database is switched to write-ahead logging at boot, keeps synchronous=FULL, and every \
        connection gets the larger page cache
        """
    )
    func walAndFullSync() async throws {
        guard !TestDB.isPostgres else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dps-wal-\(UUID().uuidString).sqlite")
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await configure(
                app,
                config: AppConfig(
                    databaseURL: nil, sqlitePath: file.path, autoMigrate: false, demoOnServe: false, bcryptCost: 4,
                    secureCookies: false), postgresSchema: nil)
            // What `serve` runs at boot, before migrating.
            try await SQLiteTuning().didBootAsync(app)
            try await app.autoMigrate()
            let sql = try #require(app.db as? any SQLDatabase)
            let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            let sync = try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
            #expect(mode?.lowercased() == "wal")
            #expect(sync == 2, "synchronous must stay FULL (2)")
            // Every connection (one per event loop) has the larger page cache.
            for loop in app.eventLoopGroup.makeIterator() {
                let db = try #require(app.databases.database(logger: app.logger, on: loop) as? any SQLDatabase)
                let cache = try await db.raw("PRAGMA cache_size").first()?.decode(column: "cache_size", as: Int.self)
                #expect(cache == -SQLiteTuning.cacheKiB)
            }
        } catch {
            Issue.record(error)
        }
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(at: file)
    }
}

import FluentKit
import Foundation
import SQLKit

/// Guards for concurrent writers (additive):
/// - `write_gate`: an empty table whose `DELETE` opens every SQLite write transaction with the write lock;
/// - `reference_counters`: referral references come from a counter claimed by one conditional UPDATE, and
///   `referrals.reference` becomes unique (duplicates made by the old `count + 1` are renamed `-dup-N` first);
/// - SQLite: an audit event can only be appended as the next sequence number, so `INSERT OR REPLACE` (which
///   deletes the old row without firing the delete trigger) can no longer rewrite history.
struct M0011_ConcurrencyGuards: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE TABLE write_gate (id INTEGER PRIMARY KEY)").run()
        try await sql.raw("CREATE TABLE reference_counters (name VARCHAR(16) PRIMARY KEY, value BIGINT NOT NULL)").run()

        // Rename duplicate references, keeping the earliest of each.
        struct Row: Decodable {
            var id: UUID
            var reference: String
        }
        let rows = try await sql.select().column("id").column("reference").from("referrals")
            .orderBy("created_at").orderBy("id").all(decoding: Row.self)
        var seen: [String: Int] = [:]
        for row in rows {
            let count = seen[row.reference, default: 0]
            seen[row.reference] = count + 1
            guard count > 0 else { continue }
            try await sql.update("referrals").set("reference", to: "\(row.reference)-dup-\(count + 1)").where(
                "id", .equal, row.id
            ).run()
        }
        // The old scheme numbered both kinds by the count of all referrals: start both counters above it.
        let existing = rows.count
        for name in ["REF", "DIR"] {
            try await sql.insert(into: "reference_counters").columns("name", "value").values(
                SQLBind(name), SQLBind(existing)
            ).run()
        }
        try await sql.raw("CREATE UNIQUE INDEX referrals_reference_unique ON referrals (reference)").run()

        if sql.dialect.name == "sqlite" {
            try await sql.raw(
                """
                CREATE TRIGGER audit_events_append_next BEFORE INSERT ON audit_events
                WHEN NEW.seq <> (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_events)
                  OR EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
                BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
                """
            ).run()
        }
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" { try await sql.raw("DROP TRIGGER audit_events_append_next").run() }
        try await sql.raw("DROP INDEX referrals_reference_unique").run()
        try await sql.raw("DROP TABLE reference_counters").run()
        try await sql.raw("DROP TABLE write_gate").run()
    }
}

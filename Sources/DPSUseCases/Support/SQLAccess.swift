import FluentKit
import SQLKit

extension Database {
    /// The same database as SQLKit sees it, for the statements models cannot express (conditional claims,
    /// counters, the hot path's plain rows). Both supported engines speak SQL; anything else is a failure.
    package func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            throw UseCaseError(.internalFailure, "The database does not speak SQL.")
        }
        return sql
    }
}

extension Database {
    /// Inside a write transaction, makes transactions that decide on the same `key` (a URN, say) run one after
    /// the other, for a check that no row can be claimed for (the key's row does not exist yet). On PostgreSQL
    /// a transaction-scoped advisory lock on the key's hash; on SQLite write transactions already run one at a
    /// time (`writeTransaction`).
    package func serialise(on key: String) async throws {
        let sql = try sql()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: key), 0))").run()
    }
}

/// A whole-number column of a plain row (a count, a sum, pence): what the figures read from their aggregates.
func int(_ row: any SQLRow, _ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }

import DPSDomain
import FluentKit
import Foundation
import SQLKit

/// Every state change runs in `writeTransaction`.
///
/// On PostgreSQL it is an ordinary transaction (row locks and the audit chain's advisory lock order
/// concurrent writers). SQLite allows one writer at a time, and a deferred transaction that read before it
/// writes fails with "database is locked" when another writer committed meanwhile. So on SQLite write
/// transactions queue here, in the process, without holding a connection, and each claims the write lock
/// with its first statement: concurrent bidders wait their turn instead of failing.
extension Database {
    package func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        guard !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await transaction(body)
        }
        return try await SQLiteWriteGate.shared.run {
            try await self.transaction { db in
                // Any write statement takes SQLite's write lock before the transaction reads anything.
                try await (db as! any SQLDatabase).raw("DELETE FROM write_gate").run()
                return try await body(db)
            }
        }
    }
}

extension Database {
    /// One write statement outside any transaction (a session row): on SQLite it queues behind the write
    /// transactions like they do, since a writer that finds SQLite's lock taken spins in sqlite-nio's busy
    /// handler, burning a core until the lock is free; on PostgreSQL it just runs.
    package func serialisedWrite<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        guard !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await body(self)
        }
        return try await SQLiteWriteGate.shared.run { try await body(self) }
    }
}

/// A first-come, first-served async lock for SQLite's single writer.
package actor SQLiteWriteGate {
    package static let shared = SQLiteWriteGate()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    package func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

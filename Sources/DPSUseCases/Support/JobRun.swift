import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Periodic jobs act once per period (a day, a register snapshot): a run claims its job and period by inserting
/// the row that names them, which the unique key lets only one caller do, whether cron and the in-process loop or
/// two app instances start it together. A claim left unfinished for `staleAfter` (a crash) may be taken again.
package enum JobRun {
    /// True when this caller claimed the run of `job` for `period` and must do it.
    package static func claim(
        _ job: String, period: String, db: any Database, now: Date, staleAfter: TimeInterval = 3600
    ) async throws -> Bool {
        try await db.writeTransaction { db in
            let sql = try db.sql()
            let inserted =
                try await sql.insert(into: JobRuns.schema)
                .columns("job", "period_key", "started_at", "summary")
                .values(SQLBind(job), SQLBind(period), SQLBind(now), SQLBind(""))
                .ignoringConflicts()
                .returning("job").first() != nil
            if inserted { return true }
            return try await sql.update(JobRuns.schema)
                .set(SQLIdentifier("started_at"), to: SQLBind(now))
                .where(SQLIdentifier("job"), .equal, SQLBind(job))
                .where(SQLIdentifier("period_key"), .equal, SQLBind(period))
                .where(SQLIdentifier("finished_at"), .is, SQLLiteral.null)
                .where(SQLIdentifier("started_at"), .lessThan, SQLBind(now.addingTimeInterval(-staleAfter)))
                .returning("job").first() != nil
        }
    }

    /// Records the claimed run as finished, with what it did.
    package static func finish(_ job: String, period: String, summary: String, db: any Database, now: Date)
        async throws
    {
        try await db.writeTransaction { db in
            try await db.sql().update(JobRuns.schema)
                .set(SQLIdentifier("finished_at"), to: SQLBind(now))
                .set(SQLIdentifier("summary"), to: SQLBind(String(summary.prefix(2_000))))
                .where(SQLIdentifier("job"), .equal, SQLBind(job))
                .where(SQLIdentifier("period_key"), .equal, SQLBind(period))
                .run()
        }
    }

    /// The latest finished run of `job`: its period, when it finished and its summary.
    package static func latest(_ job: String, db: any Database) async throws
        -> (period: String, finishedAt: Date, summary: String)?
    {
        guard
            let row = try await db.sql().select().columns("period_key", "finished_at", "summary")
                .from(JobRuns.schema)
                .where(SQLIdentifier("job"), .equal, SQLBind(job))
                .where(SQLIdentifier("finished_at"), .isNot, SQLLiteral.null)
                .orderBy("finished_at", .descending).limit(1).first()
        else { return nil }
        return (
            try row.decode(column: "period_key", as: String.self), try row.decode(column: "finished_at", as: Date.self),
            try row.decode(column: "summary", as: String.self)
        )
    }
}

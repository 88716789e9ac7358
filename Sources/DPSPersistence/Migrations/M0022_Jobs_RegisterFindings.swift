import FluentKit
import Foundation
import SQLKit

/// `job_runs`: one row per run of a periodic job and the period (or snapshot) it covers, unique by the two, so a
/// job started twice (cron beside the in-process loop, or two app instances) acts once; `register_findings`: what
/// the inspection watch found about an establishment for a DPS, unique by its fact, for a contract manager to
/// review.
public struct M0022_JobsRegisterFindings: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(JobRuns.schema)
            .field("job", .string, .required)
            .field("period_key", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("summary", .string, .required)
            .unique(on: "job", "period_key")
            .create()
        try await db.schema(RegisterFindings.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("establishment_id", .uuid, .references(EstablishmentRecord.schema, "id"))
            .field("urn", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("fact_key", .string, .required)
            .field("detail", .string, .required)
            .field("created_at", .datetime, .required)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .string)
            .field("review_note", .string)
            .unique(on: "dps_id", "urn", "kind", "fact_key")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "register_findings_open").on(RegisterFindings.schema)
            .column("dps_id").column("reviewed_at").column("created_at").run()
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(RegisterFindings.schema).delete()
        try await db.schema(JobRuns.schema).delete()
    }
}

/// Runs of periodic jobs, claimed by their job and period (written with SQL by the jobs).
public enum JobRuns {
    public static let schema = "job_runs"
}

/// The inspection watch's findings (written and read with SQL by the contract-management use cases).
public enum RegisterFindings {
    public static let schema = "register_findings"
}

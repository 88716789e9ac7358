import FluentKit
import Foundation
import SQLKit

/// Audit events carry the DPS they belong to (`dps_id`), so each lead authority reads the events of its own
/// DPSs by that column rather than by the organisations involved (a provider or a partner of two DPSs acts in
/// both). Additive: the column is optional and the append-only triggers stay. Events written before have no
/// DPS; the trail shows them only to the organisation that recorded them (docs/DECISIONS.md).
public struct M0016_AuditScope: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(AuditEventRecord.schema).field("dps_id", .uuid).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "audit_events_dps_seq").on(AuditEventRecord.schema).column("dps_id")
            .column("seq").run()
    }

    public func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "audit_events_dps_seq").run()
        try await db.schema(AuditEventRecord.schema).deleteField("dps_id").update()
    }
}

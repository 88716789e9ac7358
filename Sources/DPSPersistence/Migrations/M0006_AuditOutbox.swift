import FluentKit
import SQLKit

/// Audit events refuse UPDATE and DELETE at the database, on both engines, so not even a bug in the
/// application (or a careless operator using the app's credentials) can rewrite history.
struct M0006_AuditOutbox: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AuditEventRecord.schema)
            .id()
            .field("seq", .int, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("organisation_id", .uuid)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("before_json", .string, .required)
            .field("after_json", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "seq")
            .create()
        try await db.schema(OutboxMessageRecord.schema)
            .id()
            .field("organisation_id", .uuid)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        switch sql.dialect.name {
        case "sqlite":
            for operation in ["UPDATE", "DELETE"] {
                try await sql.raw(
                    """
                    CREATE TRIGGER audit_events_no_\(unsafeRaw: operation.lowercased()) \
                    BEFORE \(unsafeRaw: operation) ON audit_events
                    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
                    """
                ).run()
            }
        default:
            try await sql.raw(
                """
                CREATE OR REPLACE FUNCTION dps_refuse_audit_change() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                FOR EACH ROW EXECUTE FUNCTION dps_refuse_audit_change()
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
                FOR EACH STATEMENT EXECUTE FUNCTION dps_refuse_audit_change()
                """
            ).run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema(OutboxMessageRecord.schema).delete()
        try await db.schema(AuditEventRecord.schema).delete()
    }
}

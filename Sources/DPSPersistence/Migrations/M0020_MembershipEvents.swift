import FluentKit
import Foundation
import SQLKit

/// The master log of memberships (contract management, DOMAIN §5): `membership_events`, one row per dated change
/// of a membership (admitted, suspended, reinstated, removed …) with its reason, detail, PA 2023 exclusion status
/// and who made it. Existing memberships get their "admitted" event from `admitted_at`.
public struct M0020_MembershipEvents: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(MembershipEvents.schema)
            .id()
            .field("membership_id", .uuid, .required, .references(MembershipRecord.schema, "id"))
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("kind", .string, .required)
            .field("reason_code", .string)
            .field("detail", .string, .required)
            .field("exclusion", .string)
            .field("actor_label", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "membership_events_membership").on(MembershipEvents.schema)
            .column("membership_id").column("occurred_at").run()
        try await sql.create(index: "membership_events_dps").on(MembershipEvents.schema)
            .column("dps_id").column("occurred_at").run()
        let memberships = try await sql.select().columns("id", "dps_id", "admitted_at")
            .from(MembershipRecord.schema).all()
        for row in memberships {
            try await sql.insert(into: MembershipEvents.schema)
                .columns("id", "membership_id", "dps_id", "kind", "detail", "actor_label", "occurred_at")
                .values(
                    SQLBind(UUID()), SQLBind(try row.decode(column: "id", as: UUID.self)),
                    SQLBind(try row.decode(column: "dps_id", as: UUID.self)), SQLBind("admitted"), SQLBind(""),
                    SQLBind("(recorded before the log)"), SQLBind(try row.decode(column: "admitted_at", as: Date.self))
                ).run()
        }
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(MembershipEvents.schema).delete()
    }
}

/// The table of membership events (read and written with SQL by the contract-management use cases).
public enum MembershipEvents {
    public static let schema = "membership_events"
}

import FluentKit
import SQLKit

/// Eligibility reads the establishments inside a latitude/longitude box; this index lets both engines
/// start from the box instead of walking every membership.
struct M0009_LocationIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "establishments_location").on(EstablishmentRecord.schema).column("latitude").column(
            "longitude"
        ).run()
        try await sql.create(index: "memberships_category_state").on(MembershipRecord.schema).column("category_id")
            .column("state").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "establishments_location").run()
        try await sql.drop(index: "memberships_category_state").run()
    }
}

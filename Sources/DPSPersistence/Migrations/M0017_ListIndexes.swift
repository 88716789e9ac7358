import FluentKit
import SQLKit

/// Indexes for the lists and the bid's hot path: a council's referrals newest first (by authority, or by DPS
/// for the auditor), a bid found by its invitation, a provider's invitations and bids, an organisation's
/// messages, applications and memberships, and establishments by URN (one provider's each). Without them each
/// list read the whole table and sorted it, and every bid submission scanned the bids table.
struct M0017_ListIndexes: IndexMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("referrals_organisation_created", "referrals", ["organisation_id", "created_at"]),
        ("referrals_dps_created", "referrals", ["dps_id", "created_at"]),
        ("bids_invitation", "bids", ["invitation_id"]),
        ("bids_organisation", "bids", ["organisation_id"]),
        ("invitations_organisation_invited", "invitations", ["organisation_id", "invited_at"]),
        ("outbox_messages_organisation_created", "outbox_messages", ["organisation_id", "created_at"]),
        ("applications_organisation", "applications", ["organisation_id"]),
        ("applications_dps_state", "applications", ["dps_id", "state"]),
        ("memberships_organisation", "memberships", ["organisation_id"]),
        ("placements_dps", "placements", ["dps_id"]),
        ("establishments_urn", "establishments", ["urn"]),
    ]

}

/// A migration that only adds indexes: each named, on a table, over columns in order; reverted in reverse.
protocol IndexMigration: AsyncMigration {
    static var indexes: [(name: String, table: String, columns: [String])] { get }
}

extension IndexMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in Self.indexes {
            var create = sql.create(index: index.name).on(index.table)
            for column in index.columns { create = create.column(column) }
            try await create.run()
        }
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in Self.indexes.reversed() { try await sql.drop(index: index.name).run() }
    }
}

import FluentKit
import SQLKit

/// The lists' whole order in their indexes: a council's referrals, a provider's invitations and a DPS's or a
/// provider's memberships sort by time and then id, so a page is read in index order and the engine stops after
/// it, instead of sorting every row that shares a time (and computing each row's counts before sorting); a
/// referral's submitted bids are counted from an index alone.
struct M0018_PageOrderIndexes: AsyncMigration {
    static let replaced: [(old: String, new: String, table: String, columns: [String])] = [
        (
            "referrals_organisation_created", "referrals_organisation_page", "referrals",
            ["organisation_id", "created_at", "id"]
        ),
        ("referrals_dps_created", "referrals_dps_page", "referrals", ["dps_id", "created_at", "id"]),
        (
            "memberships_organisation", "memberships_organisation_page", "memberships",
            ["organisation_id", "admitted_at", "id"]
        ),
        (
            "invitations_organisation_invited", "invitations_organisation_page", "invitations",
            ["organisation_id", "invited_at", "id"]
        ),
    ]
    static let added: [(name: String, table: String, columns: [String])] = [
        ("bids_referral_state", "bids", ["referral_id", "state"]),
        ("memberships_dps_page", "memberships", ["dps_id", "admitted_at", "id"]),
    ]

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in Self.replaced {
            try await create(index.new, on: index.table, index.columns, sql)
            try await sql.drop(index: index.old).run()
        }
        for index in Self.added { try await create(index.name, on: index.table, index.columns, sql) }
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for index in Self.added.reversed() { try await sql.drop(index: index.name).run() }
        for index in Self.replaced.reversed() {
            try await create(index.old, on: index.table, Array(index.columns.dropLast()), sql)
            try await sql.drop(index: index.new).run()
        }
    }

    private func create(_ name: String, on table: String, _ columns: [String], _ sql: any SQLDatabase) async throws {
        var create = sql.create(index: name).on(table)
        for column in columns { create = create.column(column) }
        try await create.run()
    }
}

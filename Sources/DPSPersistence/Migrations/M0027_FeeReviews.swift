import FluentKit
import Foundation
import SQLKit

/// The annual core fee review (DOMAIN §5): `fee_reviews`, a window the lead opens with the date the agreed fees take
/// effect; `fee_proposals`, a provider's proposed weekly fee for one core line of one membership and the contract
/// manager's decision (unique per review, membership and line); `fee_changes`, each membership's schedule before and
/// after, from the moment it takes effect: the history that keeps referrals published earlier on the old fees.
public struct M0027_FeeReviews: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(FeeTables.reviews)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("opened_at", .datetime, .required)
            .field("opened_by", .string, .required)
            .field("closes_on", .string, .required)
            .field("effective_from", .string, .required)
            .field("state", .string, .required)
            .create()
        try await db.schema(FeeTables.proposals)
            .id()
            .field("review_id", .uuid, .required, .references(FeeTables.reviews, "id"))
            .field("membership_id", .uuid, .required, .references(MembershipRecord.schema, "id"))
            .field("line_key", .string, .required)
            .field("current_pence", .int, .required)
            .field("proposed_pence", .int, .required)
            .field("justification", .string, .required)
            .field("state", .string, .required)
            .field("decided_pence", .int)
            .field("decision_note", .string)
            .field("decided_by", .string)
            .field("proposed_at", .datetime, .required)
            .unique(on: "review_id", "membership_id", "line_key")
            .create()
        try await db.schema(FeeTables.changes)
            .id()
            .field("membership_id", .uuid, .required, .references(MembershipRecord.schema, "id"))
            .field("review_id", .uuid, .references(FeeTables.reviews, "id"))
            .field("effective_from", .datetime, .required)
            .field("old_core_json", .string, .required)
            .field("new_core_json", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "fee_changes_membership").on(FeeTables.changes)
            .column("membership_id").column("effective_from").run()
    }

    public func revert(on db: any Database) async throws {
        for table in [FeeTables.changes, FeeTables.proposals, FeeTables.reviews] { try await db.schema(table).delete() }
    }
}

/// The fee review tables (read and written with SQL by the contract-management use cases).
public enum FeeTables {
    public static let reviews = "fee_reviews"
    public static let proposals = "fee_proposals"
    public static let changes = "fee_changes"
}

import FluentKit
import Foundation
import SQLKit

/// `evidence_notices`: the reminders and lapse notices the daily evidence check has sent, one per membership,
/// question, expiry date and kind (unique), so a check run twice, or by two instances at once, sends each once;
/// a renewed document (a new expiry date) starts afresh.
public struct M0023_EvidenceNotices: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(EvidenceNotices.schema)
            .field("membership_id", .uuid, .required, .references(MembershipRecord.schema, "id"))
            .field("question_key", .string, .required)
            .field("expires_on", .string, .required)
            .field("kind", .string, .required)
            .field("sent_at", .datetime, .required)
            .unique(on: "membership_id", "question_key", "expires_on", "kind")
            .create()
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(EvidenceNotices.schema).delete()
    }
}

/// The evidence check's notices (written with SQL by the contract-management use cases).
public enum EvidenceNotices {
    public static let schema = "evidence_notices"
}

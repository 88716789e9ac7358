import FluentKit
import Foundation
import SQLKit

/// A provider's answer to a suspension (DOMAIN §5, BC 7.21): its statement and the one document that is the
/// evidence about the reason, kept with the membership for the contract manager to review.
public struct M0021_SuspensionResponses: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(SuspensionResponses.schema)
            .id()
            .field("membership_id", .uuid, .required, .references(MembershipRecord.schema, "id"))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("statement", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size_bytes", .int, .required)
            .field("sha256", .string, .required)
            .field("data", .data, .required)
            .field("actor_label", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "suspension_responses_membership").on(SuspensionResponses.schema)
            .column("membership_id").column("created_at").run()
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(SuspensionResponses.schema).delete()
    }
}

/// The table of providers' answers to suspensions (read and written with SQL by the contract-management use cases).
public enum SuspensionResponses {
    public static let schema = "suspension_responses"
}

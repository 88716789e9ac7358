import FluentKit
import Foundation
import SQLKit

/// Claims on a registered URN, delivery of the outbox by e-mail, and accounts managed in the product
/// (additive):
/// - `urn_claims`: a provider's claim on an establishment registered to another provider, resolved by the lead
///   authority of the DPS it is made to (one open claim per URN and claimant, by a partial unique index);
/// - outbox delivery columns: `attempts`, `next_attempt_at` (when a retry is due), `claimed_until` (a sender's
///   lease, so two delivery jobs never send one message), `last_error`, `failed_at` (given up), `sent_to`;
/// - `account_tokens`: single-use, expiring links for invitations and password resets (only a SHA-256 stored);
/// - `users.deactivated_at`: a deactivated user cannot sign in and their sessions and tokens stop working.
public struct M0019_ClaimsMailAccounts: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(URNClaimRecord.schema)
            .id()
            .field("urn", .string, .required)
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, "id"))
            .field("holder_organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("claimant_organisation_id", .uuid, .required, .references(Organisation.schema, "id"))
            .field("claimant_user_id", .uuid, .required)
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("statement", .string, .required)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .field("decision_reason", .string)
            .create()
        for (name, type) in [
            ("next_attempt_at", DatabaseSchema.DataType.datetime), ("claimed_until", .datetime),
            ("last_error", .string), ("failed_at", .datetime), ("sent_to", .string),
        ] {
            try await db.schema(OutboxMessageRecord.schema).field(
                .definition(name: .key(FieldKey(stringLiteral: name)), dataType: type, constraints: [])
            ).update()
        }
        try await db.schema(OutboxMessageRecord.schema).field("attempts", .int, .required, .sql(.default(0))).update()
        try await db.schema(AccountTokenRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await db.schema(User.schema).field("deactivated_at", .datetime).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw(
            "CREATE UNIQUE INDEX urn_claims_open ON urn_claims (urn, claimant_organisation_id) WHERE state = 'open'"
        ).run()
        try await sql.create(index: "urn_claims_dps_state").on(URNClaimRecord.schema).column("dps_id").column("state")
            .run()
        // The delivery job's queue: undelivered messages in the order they were written.
        try await sql.raw(
            "CREATE INDEX outbox_pending ON outbox_messages (created_at, id) "
                + "WHERE delivered_at IS NULL AND failed_at IS NULL"
        ).run()
        try await sql.create(index: "account_tokens_user").on(AccountTokenRecord.schema).column("user_id").run()
    }

    public func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            for index in ["urn_claims_open", "urn_claims_dps_state", "outbox_pending", "account_tokens_user"] {
                try await sql.drop(index: index).run()
            }
        }
        try await db.schema(User.schema).deleteField("deactivated_at").update()
        try await db.schema(AccountTokenRecord.schema).delete()
        for name in ["attempts", "next_attempt_at", "claimed_until", "last_error", "failed_at", "sent_to"] {
            try await db.schema(OutboxMessageRecord.schema).deleteField(FieldKey(stringLiteral: name)).update()
        }
        try await db.schema(URNClaimRecord.schema).delete()
    }
}

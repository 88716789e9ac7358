import FluentKit
import Foundation

/// An append-only, hash-chained record of a state change (DOMAIN §10). The database refuses UPDATE and
/// DELETE on this table (triggers on both engines, migration M0006).
public final class AuditEventRecord: Model, @unchecked Sendable {
    public static let schema = "audit_events"

    @ID(key: .id) public var id: UUID?
    /// Position in the chain, 1, 2, 3… assigned under a lock so the chain has no forks.
    @Field(key: "seq") public var seq: Int
    @Field(key: "occurred_at") public var occurredAt: Date
    @OptionalField(key: "actor_user_id") public var actorUserID: UUID?
    @Field(key: "actor_label") public var actorLabel: String
    @OptionalField(key: "organisation_id") public var organisationID: UUID?
    /// The DPS the event belongs to (M0016); nil for an organisation's own events (registration, tokens) and
    /// for events written before M0016. Covered by the hash when set.
    @OptionalField(key: "dps_id") public var dpsID: UUID?
    @Field(key: "action") public var action: String
    @Field(key: "entity_type") public var entityType: String
    @Field(key: "entity_id") public var entityID: String
    @Field(key: "before_json") public var beforeJSON: String
    @Field(key: "after_json") public var afterJSON: String
    @Field(key: "prev_hash") public var prevHash: String
    @Field(key: "hash") public var hash: String

    public init() {}
}

/// A message to be delivered (e-mail in production), written in the same transaction as the change that
/// caused it; organisations also read their messages in the product.
public final class OutboxMessageRecord: Model, @unchecked Sendable {
    public static let schema = "outbox_messages"

    @ID(key: .id) public var id: UUID?
    @OptionalField(key: "organisation_id") public var organisationID: UUID?
    @Field(key: "recipient") public var recipient: String
    @Field(key: "subject") public var subject: String
    @Field(key: "body") public var body: String
    @OptionalField(key: "link") public var link: String?
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "delivered_at") public var deliveredAt: Date?
    /// Delivery by e-mail (M0019): sends tried, the next try, a sender's lease, the last failure, when the job
    /// gave up, and the addresses it was sent to.
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "next_attempt_at") public var nextAttemptAt: Date?
    @OptionalField(key: "claimed_until") public var claimedUntil: Date?
    @OptionalField(key: "last_error") public var lastError: String?
    @OptionalField(key: "failed_at") public var failedAt: Date?
    @OptionalField(key: "sent_to") public var sentTo: String?

    public init() {}
}

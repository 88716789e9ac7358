import Crypto
import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Appends audit events to the hash chain. Always called inside the transaction of the change it records,
/// so a change and its audit event commit together or not at all.
package enum Audit {
    package static let genesis = String(repeating: "0", count: 64)

    /// The secret of the keyed chain (`DPS_AUDIT_KEY`), set once at start. With it, each event's hash is an
    /// HMAC that nobody with only database access can recompute, so an edited and re-hashed chain fails
    /// verification. Keyed hashes are written as `hmac:<hex>`; once the chain is keyed, a plain hash after a
    /// keyed one is a break (no downgrade).
    package nonisolated(unsafe) static var key: SymmetricKey?
    package static let keyedPrefix = "hmac:"

    package static func encode<T: Encodable>(_ value: T?) -> String {
        guard let value else { return "null" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// An event's action code in words for people: `referral.deadline.extended` reads "Referral deadline
    /// extended", `urn_claim.upheld` "URN claim upheld". Words people would not recognise are spelled out; a code
    /// added later reads sensibly without a change here.
    package static func readable(_ action: String) -> String {
        let words = action.split(whereSeparator: { $0 == "." || $0 == "_" }).map { word -> String in
            switch word {
            case "dps": "DPS"
            case "api": "API"
            case "urn": "URN"
            case "passfail": "pass/fail answer"
            case "parent": "parent or carer"
            default: String(word)
            }
        }
        guard let first = words.first else { return action }
        let sentence = ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst()).joined(separator: " ")
        return Self.phrases[action] ?? sentence
    }

    /// The few codes whose words need more than spelling out.
    private static let phrases: [String: String] = [
        "referral.parent.preference": "Parent or carer stated a preference",
        "referral.parent.invited": "Parent or carer sent the private link",
        "application.draft.saved": "Application answers saved",
        "placement.direct": "Direct placement recorded",
        "dps.partner.saved": "Partner authority saved",
        "dps.window.closed": "Entry closed for a period",
        "user.accepted_invitation": "User accepted an invitation",
        "api.token.created": "API token created", "api.token.revoked": "API token revoked",
    ]

    /// `dps` is the DPS the event belongs to (nil only for an organisation's own events: registration,
    /// establishments, API tokens); the audit trail of a lead authority shows the events of its DPSs.
    package static func record<B: Encodable, A: Encodable>(
        on db: any Database, actor: Actor?, actorLabel: String? = nil, dps: UUID?, action: String,
        entityType: String, entityID: UUID?, before: B?, after: A?, at now: Date
    ) async throws {
        // Plain SQL, not models: every state change of the product ends here (FluentKit's reflection cost more
        // than the statements themselves).
        let sql = try db.sql()
        if sql.dialect.name == "postgresql" {
            // Serialise appends to the chain across connections and app instances.
            try await sql.raw("SELECT pg_advisory_xact_lock(73411)").run()
        }
        let last = try await sql.select().column("seq").column("hash").from(AuditEventRecord.schema)
            .orderBy("seq", .descending).limit(1).first()
        let event = AuditEventRecord()
        event.id = UUID()
        event.seq = try (last?.decode(column: "seq", as: Int.self) ?? 0) + 1
        // Whole milliseconds: the hash covers the time to the millisecond, and a time stored with a fraction of
        // a millisecond can come back from the database a hair either side of the half and round the other way.
        event.occurredAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded() / 1000)
        event.actorUserID = actor?.userID
        event.actorLabel = actorLabel ?? actor?.label ?? "system"
        event.organisationID = actor?.organisationID
        event.dpsID = dps
        event.action = action
        event.entityType = entityType
        event.entityID = entityID?.uuidString ?? ""
        event.beforeJSON = encode(before)
        event.afterJSON = encode(after)
        event.prevHash = try last?.decode(column: "hash", as: String.self) ?? genesis
        event.hash = hash(event, key: key)
        try await sql.insert(into: AuditEventRecord.schema)
            .columns(
                "id", "seq", "occurred_at", "actor_user_id", "actor_label", "organisation_id", "dps_id", "action",
                "entity_type", "entity_id", "before_json", "after_json", "prev_hash", "hash"
            )
            .values(
                SQLBind(event.id!), SQLBind(event.seq), SQLBind(event.occurredAt), SQLBind(event.actorUserID),
                SQLBind(event.actorLabel), SQLBind(event.organisationID), SQLBind(event.dpsID), SQLBind(event.action),
                SQLBind(event.entityType), SQLBind(event.entityID), SQLBind(event.beforeJSON),
                SQLBind(event.afterJSON), SQLBind(event.prevHash), SQLBind(event.hash)
            )
            .run()
    }

    /// The hash covers every field and the previous hash; time is taken to the millisecond (events are stored
    /// at whole milliseconds, which both engines give back exactly enough to round the same way).
    package static func hash(_ e: AuditEventRecord, key: SymmetricKey?) -> String {
        hash(material(e), key: key)
    }

    private static func hash(_ text: String, key: SymmetricKey?) -> String {
        let material = Data(text.utf8)
        guard let key else { return SHA256.hash(data: material).map { String(format: "%02x", $0) }.joined() }
        return keyedPrefix
            + HMAC<SHA256>.authenticationCode(for: material, using: key).map { String(format: "%02x", $0) }.joined()
    }

    private static func material(_ e: AuditEventRecord, millisAdjustment: Int64 = 0) -> String {
        let millis = Int64((e.occurredAt.timeIntervalSince1970 * 1000).rounded()) + millisAdjustment
        // The DPS is covered when set; events written before M0016 have none and keep their material.
        return
            ([
                e.prevHash, String(e.seq), String(millis), e.actorUserID?.uuidString ?? "", e.actorLabel,
                e.organisationID?.uuidString ?? "", e.action, e.entityType, e.entityID, e.beforeJSON, e.afterJSON,
            ] + (e.dpsID.map { ["dps:" + $0.uuidString] } ?? []))
            .joined(separator: "\u{1F}")
    }

    /// Whether the event's stored hash is the hash of its content. Events written before times were cut to
    /// whole milliseconds (2026-12-02) may have been hashed with the time rounded the other way at a half
    /// millisecond, so a time one millisecond either side is accepted too: every other field must match
    /// exactly, and the link to the event before is checked apart.
    static func matches(_ e: AuditEventRecord, key: SymmetricKey?) -> Bool {
        if hash(e, key: key) == e.hash { return true }
        return [-1, 1].contains { hash(material(e, millisAdjustment: $0), key: key) == e.hash }
    }

    package struct Verification: Codable, Sendable {
        package var events: Int
        package var valid: Bool
        package var firstBrokenSeq: Int?
        package var headHash: String?
        package var problem: String?

        package init(
            events: Int, valid: Bool, firstBrokenSeq: Int? = nil, headHash: String? = nil, problem: String? = nil
        ) {
            self.events = events
            self.valid = valid
            self.firstBrokenSeq = firstBrokenSeq
            self.headHash = headHash
            self.problem = problem
        }
    }

    /// A point of the chain recorded outside the database (`dps audit-checkpoint`): the chain must still
    /// reach it with the same hash, so cutting off the last events or re-hashing before it is detected.
    package struct Checkpoint: Codable, Sendable {
        package var seq: Int
        package var hash: String

        package init(seq: Int, hash: String) {
            self.seq = seq
            self.hash = hash
        }
    }

    /// Walks the whole chain and reports the first event whose hash or link does not match, and whether the
    /// chain still holds `checkpoint`. With a `scope` (what a lead authority may read), the whole chain is still
    /// checked, since every link depends on the one before, but the answer speaks only of the scope's events:
    /// their number, the hash of the latest of them, and the broken event's number only when it is one of them.
    package static func verify(
        on db: any Database, checkpoint: Checkpoint? = nil, scope: Scope? = nil
    ) async throws -> Verification {
        let result = try await verifyWhole(on: db, checkpoint: checkpoint)
        guard let scope else { return result }
        let inScope = scope.filter(AuditEventRecord.query(on: db))
        let count = try await inScope.count()
        let head = try await scope.filter(AuditEventRecord.query(on: db)).sort(\.$seq, .descending).first()
        guard !result.valid else { return Verification(events: count, valid: true, headHash: head?.hash) }
        let brokenIsOurs: Bool
        if let seq = result.firstBrokenSeq {
            brokenIsOurs = try await scope.filter(AuditEventRecord.query(on: db)).filter(\.$seq == seq).count() > 0
        } else {
            brokenIsOurs = false
        }
        return Verification(
            events: count, valid: false, firstBrokenSeq: brokenIsOurs ? result.firstBrokenSeq : nil,
            problem: brokenIsOurs ? result.problem : "the chain is broken at an event outside your DPS")
    }

    /// The audit events a lead authority's staff may read: those of its DPSs, and its own organisation's events
    /// that belong to no DPS (its staff's API tokens, and events written before events carried a DPS).
    package struct Scope: Sendable {
        package var dpsIDs: [UUID]
        package var organisationID: UUID

        package init(dpsIDs: [UUID], organisationID: UUID) {
            self.dpsIDs = dpsIDs
            self.organisationID = organisationID
        }

        package func filter(_ query: QueryBuilder<AuditEventRecord>) -> QueryBuilder<AuditEventRecord> {
            let (dps, org) = (dpsIDs, organisationID)
            return query.group(.or) { either in
                if !dps.isEmpty { either.filter(\.$dpsID ~~ dps.map { UUID?.some($0) }) }
                either.group(.and) { own in own.filter(\.$dpsID == nil).filter(\.$organisationID == org) }
            }
        }
    }

    private static func verifyWhole(on db: any Database, checkpoint: Checkpoint?) async throws -> Verification {
        var previous = genesis
        var count = 0
        var keyed = false
        for event in try await AuditEventRecord.query(on: db).sort(\.$seq).all() {
            count += 1
            let isKeyed = event.hash.hasPrefix(keyedPrefix)
            var problem: String?
            if event.prevHash != previous || event.seq != count {
                problem = "the link to the event before does not match"
            } else if isKeyed && key == nil {
                problem = "the chain is keyed: set DPS_AUDIT_KEY to verify it"
            } else if keyed && !isKeyed {
                problem = "a plain hash follows keyed ones"
            } else if !matches(event, key: isKeyed ? key : nil) {
                problem = "the event's hash does not match its content"
            }
            if let problem {
                return Verification(
                    events: count, valid: false, firstBrokenSeq: event.seq, headHash: nil, problem: problem)
            }
            if let checkpoint, checkpoint.seq == event.seq, checkpoint.hash != event.hash {
                return Verification(
                    events: count, valid: false, firstBrokenSeq: event.seq, headHash: nil,
                    problem: "the event differs from the checkpoint")
            }
            keyed = keyed || isKeyed
            previous = event.hash
        }
        if let checkpoint, checkpoint.seq > count {
            return Verification(
                events: count, valid: false, firstBrokenSeq: count + 1, headHash: nil,
                problem: "events after \(count) are missing: the checkpoint is at \(checkpoint.seq)")
        }
        return Verification(
            events: count, valid: true, firstBrokenSeq: nil, headHash: count == 0 ? nil : previous, problem: nil)
    }
}

/// Notifications are written to the outbox in the same transaction as the change; a delivery job sends
/// them (e-mail in production) and organisations read them on their Messages page.
package enum Outbox {
    package static func send(
        on db: any Database, organisationID: UUID?, recipient: String, subject: String, body: String,
        link: String? = nil, at now: Date
    ) async throws {
        let message = OutboxMessageRecord()
        message.organisationID = organisationID
        message.recipient = recipient
        message.subject = subject
        message.body = body
        message.link = link
        message.createdAt = now
        message.attempts = 0
        try await message.create(on: db)
    }

    /// The latest messages sent to the actor's organisation, newest first.
    package static func messages(for actor: Actor, page: ListPage = .first, db: any Database) async throws
        -> PageOf<OutboxMessageRecord>
    {
        let fetched = try await OutboxMessageRecord.query(on: db).filter(\.$organisationID == actor.organisationID)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.size + 1)).all()
        return PageOf(fetched, page)
    }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// One e-mail as a transport sends it. Every header value is free of CR and LF (`MailQueue.headerSafe`).
package struct OutgoingMail: Sendable, Equatable {
    package var messageID: String
    package var from: String
    package var to: [String]
    package var subject: String
    package var body: String
    package var date: Date
}

/// Why a send failed: `permanent` when trying again cannot help (the server refused the address or the message
/// for good, a 5xx reply); anything else (a 4xx reply, a connection that failed or timed out) is tried again later.
package struct MailFailure: Error, Sendable, CustomStringConvertible {
    package var permanent: Bool
    package var message: String
    package init(permanent: Bool, _ message: String) {
        self.permanent = permanent
        self.message = message
    }
    package var description: String { message }
}

/// Sends one message (SMTP in the app). Throws `MailFailure`; any other error counts as a temporary failure.
package protocol MailTransport: Sendable {
    func send(_ mail: OutgoingMail) async throws
}

/// Delivery of the outbox by e-mail. Each message is claimed before it is sent, by one conditional UPDATE that
/// succeeds for one sender only (a lease, `claimed_until`), then recorded as delivered (when and to whom) or as
/// failed with a retry time that doubles (1 minute, 2, 4 … up to an hour), until `maxAttempts` or a permanent
/// refusal gives up. So two delivery jobs running at once (two `serve` instances, or cron beside the loop) never
/// send one message twice; a crash between the server's acceptance and the record leaves the message to be
/// sent again after its lease, with the same Message-ID so mail clients can recognise the copy.
package enum MailQueue {
    package static let lease: TimeInterval = 300
    package static let maxAttempts = 8

    /// The wait before the next try after `attempts` failed tries: 1, 2, 4 … minutes, at most an hour.
    package static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(3600, 60 * pow(2, Double(max(0, min(attempts - 1, 12)))))
    }

    package struct Report: Sendable, Equatable {
        package var sent = 0
        package var retrying = 0
        package var failed = 0
        package init() {}
    }

    /// Sends the messages that are due, oldest first, at most `limit` in one run.
    package static func deliverDue(
        transport: any MailTransport, from: String, baseURL: String, db: any Database, now: @Sendable () -> Date,
        limit: Int = 500
    ) async throws -> Report {
        var report = Report()
        for _ in 0..<limit {
            guard let message = try await claimNext(db: db, now: now()) else { break }
            let id = try message.requireID()
            let addresses = try await recipients(of: message, db: db)
            guard !addresses.isEmpty else {
                try await record(
                    id, outcome: .failed("Nobody to send it to: no active user or contact address"), db: db, now: now())
                report.failed += 1
                continue
            }
            let mail = OutgoingMail(
                messageID: "<\(id.uuidString.lowercased())@\(host(of: baseURL))>", from: from, to: addresses,
                subject: headerSafe(message.subject), body: text(of: message, baseURL: baseURL), date: message.createdAt
            )
            do {
                try await transport.send(mail)
                try await record(id, outcome: .sent(addresses), db: db, now: now())
                report.sent += 1
            } catch {
                let failure = error as? MailFailure ?? MailFailure(permanent: false, String(describing: error))
                if failure.permanent || message.attempts >= maxAttempts {
                    try await record(id, outcome: .failed(failure.message), db: db, now: now())
                    report.failed += 1
                } else {
                    try await record(
                        id, outcome: .retry(failure.message, at: now() + backoff(afterAttempts: message.attempts)),
                        db: db, now: now())
                    report.retrying += 1
                }
            }
        }
        return report
    }

    /// Claims the oldest message that is due and not leased by another sender, counting the attempt. One UPDATE
    /// conditional on the lease decides, so of two senders that picked the same row only one gets it; on
    /// PostgreSQL the pick skips rows another sender has locked.
    static func claimNext(db: any Database, now: Date) async throws -> OutboxMessageRecord? {
        try await db.writeTransaction { db in
            let sql = try db.sql()
            let skipLocked = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
            var due: SQLQueryString = "delivered_at IS NULL AND failed_at IS NULL"
            due += " AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now))"
            due += " AND (claimed_until IS NULL OR claimed_until < \(bind: now))"
            guard
                let picked = try await sql.raw(
                    "SELECT id FROM outbox_messages WHERE \(due) ORDER BY created_at, id LIMIT 1"
                        + "\(unsafeRaw: skipLocked)"
                ).first()?.decode(column: "id", as: UUID.self),
                try await sql.raw(
                    "UPDATE outbox_messages SET claimed_until = \(bind: now + lease), attempts = attempts + 1 "
                        + "WHERE id = \(bind: picked) AND \(due) RETURNING id"
                ).first() != nil
            else { return nil }
            return try await OutboxMessageRecord.find(picked, on: db)
        }
    }

    enum Outcome {
        case sent([String])
        case retry(String, at: Date)
        case failed(String)
    }

    static func record(_ id: UUID, outcome: Outcome, db: any Database, now: Date) async throws {
        try await db.writeTransaction { db in
            var update = try db.sql().update(OutboxMessageRecord.schema)
                .set(SQLIdentifier("claimed_until"), to: SQLLiteral.null)
            switch outcome {
            case .sent(let to):
                update = update.set(SQLIdentifier("delivered_at"), to: SQLBind(now))
                    .set(SQLIdentifier("sent_to"), to: SQLBind(to.joined(separator: ", ")))
                    .set(SQLIdentifier("last_error"), to: SQLLiteral.null)
            case .retry(let error, let at):
                update = update.set(SQLIdentifier("last_error"), to: SQLBind(String(error.prefix(500))))
                    .set(SQLIdentifier("next_attempt_at"), to: SQLBind(at))
            case .failed(let error):
                update = update.set(SQLIdentifier("last_error"), to: SQLBind(String(error.prefix(500))))
                    .set(SQLIdentifier("failed_at"), to: SQLBind(now))
            }
            try await update.where(SQLIdentifier("id"), .equal, SQLBind(id)).run()
        }
    }

    /// Who a message goes to: an address it names, or the active users of its organisation who hold the roles
    /// its recipient stands for (bid writers, placement officers…), or else the organisation's contact address.
    static func recipients(of message: OutboxMessageRecord, db: any Database) async throws -> [String] {
        if isAddress(message.recipient) { return [message.recipient] }
        guard let org = message.organisationID else { return [] }
        let roles: [Role] =
            switch message.recipient {
            case "Bid writers": [.providerAdmin, .bidWriter]
            case "Provider": [.providerAdmin]
            case "Placement officers": [.placementOfficer]
            case "Evaluators": [.evaluator, .dpsAdmin]
            case "DPS administrators": [.dpsAdmin, .contractManager]
            case "Contract managers": [.contractManager, .dpsAdmin]
            default: [.dpsAdmin, .providerAdmin]
            }
        let users = try await User.query(on: db).filter(\.$organisation.$id == org)
            .filter(\.$role ~~ roles.map(\.rawValue)).filter(\.$deactivatedAt == nil).sort(\.$email).all(\.$email)
            .filter(isAddress)
        if !users.isEmpty { return Array(Set(users)).sorted() }
        let contact = try await Organisation.find(org, on: db)?.contactEmail
        return contact.map { isAddress($0) ? [$0] : [] } ?? []
    }

    /// A plain address (`name@domain`), nothing a header could be split or extended by.
    package static func isAddress(_ text: String) -> Bool {
        text.count <= 254
            && text.range(of: #"^[^\s@<>,;:"()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"#, options: .regularExpression)
                != nil
    }

    /// A header value on one line: control characters become spaces; at most 200 characters.
    package static func headerSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }).prefix(
                200))
    }

    /// The message, the link to the thing it concerns, and where to read every message.
    static func text(of message: OutboxMessageRecord, baseURL: String) -> String {
        var lines = [message.body]
        if let link = message.link, link.hasPrefix("/") { lines += ["", "Open it: \(baseURL)\(link)"] }
        lines += [
            "", "--",
            "Children's Placements DPS. You can also read this message in the service: "
                + "\(baseURL)\(SiteURL.messages.path)",
        ]
        return lines.joined(separator: "\n")
    }

    static func host(of baseURL: String) -> String {
        URL(string: baseURL)?.host ?? "dps.invalid"
    }

    /// Messages the lead authority's staff should know about: given up, or failing and waiting to be tried again,
    /// for the organisations of the DPSs it runs (itself, its partners and the providers that applied or hold
    /// memberships).
    package static func problems(actor: Actor, db: any Database) async throws -> [OutboxMessageRecord] {
        try actor.require(.dpsAdmin, .contractManager)
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard actor.isLeadAuthority, !dpsIDs.isEmpty else { return [] }
        var orgs: Set<UUID> = [actor.organisationID]
        orgs.formUnion(try await PartnerRecord.query(on: db).filter(\.$dps.$id ~~ dpsIDs).all(\.$organisation.$id))
        orgs.formUnion(
            try await MembershipRecord.query(on: db).filter(\.$dps.$id ~~ dpsIDs).unique().all(\.$organisation.$id))
        orgs.formUnion(
            try await ApplicationRecord.query(on: db).filter(\.$dps.$id ~~ dpsIDs).unique().all(\.$organisation.$id))
        return try await OutboxMessageRecord.query(on: db).filter(\.$organisationID ~~ Array(orgs))
            .filter(\.$deliveredAt == nil).filter(\.$lastError != nil)
            .sort(\.$createdAt, .descending).range(..<100).all()
    }
}

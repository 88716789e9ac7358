import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Annual compliance checks (issue 9, DOMAIN §5, PCR 34(26) with 59): at least once a year the contract manager
/// opens a check for a category or the whole DPS; every active membership in it confirms its details within 5
/// working days, renewing what has expired first; a reminder goes on the last day; the report shows who has
/// answered, who is late and who failed; a membership that has not answered when the grace period (a DPS setting)
/// ends is suspended by the daily job. Each answer is a row moved by conditional UPDATEs, so nothing acts twice.
package enum ComplianceChecks {
    package static let job = "compliance-deadlines"
    package static let performer = "Compliance check deadline"

    package enum AnswerState: String, Sendable {
        case waiting, confirmed, failed, suspended
    }

    package struct Check: Sendable {
        package var id: UUID
        package var dps: UUID
        package var scope: String
        package var openedAt: Date
        package var openedBy: String
        package var answerBy: LocalDate
        package var suspendsOn: LocalDate
    }

    package struct Answer: Sendable {
        package var id: UUID
        package var membership: UUID
        package var establishment: String
        package var provider: String
        package var providerID: UUID
        package var category: String
        package var state: AnswerState
        package var statement: String?
        package var answeredAt: Date?
        package var answeredBy: String?
    }

    private static func requireManager(_ actor: Actor) throws {
        guard actor.isLeadAuthority else { throw UseCaseError(.forbidden, "Contract managers run compliance checks.") }
        try actor.require(.contractManager)
    }

    /// What a contract manager can open a check of: each DPS its authority leads, and its categories.
    package struct Scope: Sendable {
        package var dps: UUID
        package var title: String
        package var categories: [(id: UUID, name: String)]
    }

    package static func scopes(actor: Actor, db: any Database) async throws -> [Scope] {
        try requireManager(actor)
        var scopes: [Scope] = []
        for dps in try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).sort(\.$title).all() {
            let categories = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dps.requireID())
                .sort(\.$position).all()
            scopes.append(
                Scope(
                    dps: try dps.requireID(), title: dps.title,
                    categories: try categories.map { (try $0.requireID(), $0.name) }))
        }
        return scopes
    }

    /// Opens a check of `category` (nil: the whole DPS) in the manager's DPS `dps`: every active membership in it is
    /// asked, and its provider told the date to answer by. Returns the check.
    @discardableResult
    package static func open(
        dps: UUID, category: UUID?, actor: Actor, db: any Database, now: Date,
        calendar: WorkingDayCalendar = WorkingDayCalendar()
    ) async throws -> UUID {
        try requireManager(actor)
        guard let record = try await DPSRecord.find(dps, on: db), record.$lead.id == actor.organisationID else {
            throw UseCaseError(.notFound, "There is no such DPS.")
        }
        var label = "Every category of \(record.title)"
        if let category {
            guard let c = try await CategoryRecord.find(category, on: db), c.$dps.id == dps else {
                throw UseCaseError(field: "category", "Choose a category of this DPS")
            }
            label = c.name
        }
        let scope = label
        let today = LocalDate.from(now)
        let answerBy = ComplianceDates.answerBy(opened: today, calendar: calendar)
        let suspendsOn = ComplianceDates.suspendsOn(
            opened: today, graceWorkingDays: record.complianceGraceDays, calendar: calendar)
        return try await db.writeTransaction { db in
            let categoryFilter: SQLQueryString = category.map { "AND m.category_id = \(bind: $0)" } ?? ""
            let members = try await db.sql().raw(
                """
                SELECT m.id, m.organisation_id, e.name FROM memberships m
                JOIN establishments e ON e.id = m.establishment_id
                WHERE m.dps_id = \(bind: dps) AND m.state = 'active' \(categoryFilter)
                """
            ).all()
            guard !members.isEmpty else {
                throw UseCaseError(field: "category", "There is no active membership to check there")
            }
            let id = UUID()
            try await db.sql().insert(into: ComplianceTables.checks)
                .columns(
                    "id", "dps_id", "category_id", "scope_label", "opened_at", "opened_by", "answer_by", "suspends_on"
                )
                .values(
                    SQLBind(id), SQLBind(dps), SQLBind(category), SQLBind(scope), SQLBind(now), SQLBind(actor.name),
                    SQLBind(answerBy.iso), SQLBind(suspendsOn.iso)
                ).run()
            var providers: Set<UUID> = []
            for row in members {
                try await db.sql().insert(into: ComplianceTables.answers)
                    .columns("id", "check_id", "membership_id", "state")
                    .values(
                        SQLBind(UUID()), SQLBind(id), SQLBind(try row.decode(column: "id", as: UUID.self)),
                        SQLBind(AnswerState.waiting.rawValue)
                    ).run()
                providers.insert(try row.decode(column: "organisation_id", as: UUID.self))
            }
            try await Audit.record(
                on: db, actor: actor, dps: dps, action: "compliance.opened", entityType: "compliance_check",
                entityID: id, before: String?.none,
                after: ["scope": scope, "answerBy": answerBy.iso, "memberships": String(members.count)], at: now)
            for provider in providers {
                try await Outbox.send(
                    on: db, organisationID: provider, recipient: "Provider",
                    subject: "Compliance check: answer by \(answerBy.longForm)",
                    body: "\(actor.organisationName) has opened its annual compliance check (\(scope)). For each "
                        + "membership, confirm that your details are current and renew any evidence that has expired, "
                        + "by \(answerBy.longForm). A membership not confirmed by \(suspendsOn.longForm) is suspended "
                        + "for every partner.",
                    link: SiteURL.complianceCheck(id).path, at: now)
            }
            return id
        }
    }

    private static func check(_ id: UUID, db: any Database) async throws -> (Check, lead: UUID)? {
        guard
            let row = try await db.sql().raw(
                """
                SELECT c.id, c.dps_id, c.scope_label, c.opened_at, c.opened_by, c.answer_by, c.suspends_on,
                    d.lead_organisation_id
                FROM compliance_checks c JOIN dps d ON d.id = c.dps_id WHERE c.id = \(bind: id)
                """
            ).first()
        else { return nil }
        return (try checkRow(row), try row.decode(column: "lead_organisation_id", as: UUID.self))
    }

    private static func checkRow(_ row: any SQLRow) throws -> Check {
        guard let answerBy = LocalDate(iso: try row.decode(column: "answer_by", as: String.self)),
            let suspendsOn = LocalDate(iso: try row.decode(column: "suspends_on", as: String.self))
        else { throw UseCaseError(.internalFailure, "A stored compliance check's dates cannot be read.") }
        return Check(
            id: try row.decode(column: "id", as: UUID.self), dps: try row.decode(column: "dps_id", as: UUID.self),
            scope: try row.decode(column: "scope_label", as: String.self),
            openedAt: try row.decode(column: "opened_at", as: Date.self),
            openedBy: try row.decode(column: "opened_by", as: String.self), answerBy: answerBy, suspendsOn: suspendsOn)
    }

    /// A check and its answers as the actor may read them: the lead's contract managers, DPS administrators and
    /// auditor read every answer; a provider reads its own; anyone else is told there is no such check.
    package static func report(_ id: UUID, actor: Actor, db: any Database) async throws -> (Check, [Answer]) {
        guard let (check, lead) = try await check(id, db: db) else {
            throw UseCaseError(.notFound, "There is no such compliance check.")
        }
        let condition: SQLQueryString
        if actor.isProvider {
            condition = "m.organisation_id = \(bind: actor.organisationID)"
        } else if actor.isLeadAuthority && actor.organisationID == lead
            && [.contractManager, .dpsAdmin, .auditor].contains(actor.role)
        {
            condition = "1 = 1"
        } else {
            throw UseCaseError(.notFound, "There is no such compliance check.")
        }
        let answers = try await db.sql().raw(
            """
            SELECT a.id, a.membership_id, a.state, a.statement, a.answered_at, a.answered_by, e.name AS establishment,
                o.name AS provider, m.organisation_id, c.name AS category
            FROM compliance_answers a JOIN memberships m ON m.id = a.membership_id
                JOIN establishments e ON e.id = m.establishment_id JOIN organisations o ON o.id = m.organisation_id
                JOIN categories c ON c.id = m.category_id
            WHERE a.check_id = \(bind: id) AND \(condition)
            ORDER BY o.name, e.name, c.name
            """
        ).all().map { row in
            guard let state = AnswerState(rawValue: try row.decode(column: "state", as: String.self)) else {
                throw UseCaseError(.internalFailure, "A stored compliance answer's state cannot be read.")
            }
            return Answer(
                id: try row.decode(column: "id", as: UUID.self),
                membership: try row.decode(column: "membership_id", as: UUID.self),
                establishment: try row.decode(column: "establishment", as: String.self),
                provider: try row.decode(column: "provider", as: String.self),
                providerID: try row.decode(column: "organisation_id", as: UUID.self),
                category: try row.decode(column: "category", as: String.self),
                state: state,
                statement: try row.decode(column: "statement", as: String?.self),
                answeredAt: try row.decode(column: "answered_at", as: Date?.self),
                answeredBy: try row.decode(column: "answered_by", as: String?.self))
        }
        if actor.isProvider && answers.isEmpty { throw UseCaseError(.notFound, "There is no such compliance check.") }
        return (check, answers)
    }

    /// The checks of the lead's DPSs, newest first; for a provider, the checks that ask it.
    package static func checks(actor: Actor, db: any Database) async throws -> [Check] {
        let condition: SQLQueryString
        if actor.isProvider {
            condition = """
                c.id IN (SELECT a.check_id FROM compliance_answers a JOIN memberships m ON m.id = a.membership_id
                    WHERE m.organisation_id = \(bind: actor.organisationID))
                """
        } else if actor.isLeadAuthority && [.contractManager, .dpsAdmin, .auditor].contains(actor.role) {
            condition = "d.lead_organisation_id = \(bind: actor.organisationID)"
        } else {
            return []
        }
        return try await db.sql().raw(
            """
            SELECT c.id, c.dps_id, c.scope_label, c.opened_at, c.opened_by, c.answer_by, c.suspends_on
            FROM compliance_checks c JOIN dps d ON d.id = c.dps_id
            WHERE \(condition) ORDER BY c.opened_at DESC, c.id DESC LIMIT 100
            """
        ).all().map(checkRow)
    }

    /// The checks still waiting for the provider's answer, with how many of its memberships each asks.
    package static func waiting(actor: Actor, db: any Database) async throws -> [(check: Check, memberships: Int)] {
        guard actor.isProvider else { return [] }
        return try await db.sql().raw(
            """
            SELECT c.id, c.dps_id, c.scope_label, c.opened_at, c.opened_by, c.answer_by, c.suspends_on,
                COUNT(*) AS n
            FROM compliance_checks c JOIN compliance_answers a ON a.check_id = c.id
                JOIN memberships m ON m.id = a.membership_id
            WHERE m.organisation_id = \(bind: actor.organisationID) AND a.state = 'waiting'
            GROUP BY c.id, c.dps_id, c.scope_label, c.opened_at, c.opened_by, c.answer_by, c.suspends_on
            ORDER BY c.answer_by
            """
        ).all().map { (try checkRow($0), try $0.decode(column: "n", as: Int.self)) }
    }

    /// The provider confirms that the details of its memberships still to answer in the check are current, with a
    /// statement. Refused while evidence of one of them has expired (renew it first). Returns how many it confirmed.
    @discardableResult
    package static func confirm(_ id: UUID, statement raw: String, actor: Actor, db: any Database, now: Date)
        async throws -> Int
    {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "The provider answers its compliance check.") }
        try actor.require(.providerAdmin)
        let statement = raw.trimmed
        guard (10...2_000).contains(statement.count) else {
            throw UseCaseError(
                field: "statement", "Say what you checked and that it is current, in 10 to 2,000 characters")
        }
        let (check, answers) = try await report(id, actor: actor, db: db)
        let waiting = answers.filter { $0.state == .waiting }
        guard !waiting.isEmpty else {
            throw UseCaseError(
                field: "statement", "Nothing is waiting for your answer in this check", status: .conflict)
        }
        let today = LocalDate.from(now)
        var lapsed: [String] = []
        for answer in waiting {
            let expired = try await EvidenceWatch.documentsExpired(membership: answer.membership, before: today, db: db)
            if !expired.isEmpty { lapsed.append("\(answer.establishment) (\(answer.category))") }
        }
        guard lapsed.isEmpty else {
            throw UseCaseError(
                field: "statement",
                "Renew the expired evidence first, on each membership's page: \(lapsed.joined(separator: "; "))")
        }
        return try await db.writeTransaction { db in
            var confirmed = 0
            for answer in waiting {
                let moved = try await db.sql().update(ComplianceTables.answers)
                    .set(SQLIdentifier("state"), to: SQLBind(AnswerState.confirmed.rawValue))
                    .set(SQLIdentifier("statement"), to: SQLBind(statement))
                    .set(SQLIdentifier("answered_at"), to: SQLBind(now))
                    .set(SQLIdentifier("answered_by"), to: SQLBind(actor.name))
                    .where(SQLIdentifier("id"), .equal, SQLBind(answer.id))
                    .where(SQLIdentifier("state"), .equal, SQLBind(AnswerState.waiting.rawValue))
                    .returning("id").first()
                guard moved != nil else { continue }
                confirmed += 1
                try await Audit.record(
                    on: db, actor: actor, dps: check.dps, action: "compliance.confirmed", entityType: "membership",
                    entityID: answer.membership, before: String?.none,
                    after: ["check": id.uuidString, "late": check.answerBy < today ? "yes" : "no"], at: now)
            }
            guard confirmed > 0 else {
                throw UseCaseError(field: "statement", "These have just been answered", status: .conflict)
            }
            return confirmed
        }
    }

    /// The contract manager fails an answer (what was sent does not show compliance): the membership is suspended for
    /// every partner, reason "compliance check failed".
    package static func fail(
        _ id: UUID, answer: UUID?, reason raw: String, actor: Actor, db: any Database, now: Date
    ) async throws {
        try requireManager(actor)
        let reason = raw.trimmed
        guard (10...2_000).contains(reason.count) else {
            throw UseCaseError(field: "failReason", "Say why it fails, in 10 to 2,000 characters")
        }
        let (_, answers) = try await report(id, actor: actor, db: db)
        guard let target = answers.first(where: { $0.id == answer }) else {
            throw UseCaseError(field: "answer", "Choose the membership that fails")
        }
        try await db.writeTransaction { db in
            let moved = try await db.sql().update(ComplianceTables.answers)
                .set(SQLIdentifier("state"), to: SQLBind(AnswerState.failed.rawValue))
                .where(SQLIdentifier("id"), .equal, SQLBind(answer))
                .where(
                    SQLIdentifier("state"), .in,
                    SQLGroupExpression([SQLBind(AnswerState.waiting.rawValue), SQLBind(AnswerState.confirmed.rawValue)])
                )
                .returning("id").first()
            guard moved != nil else {
                throw UseCaseError(field: "failReason", "This answer has already been decided", status: .conflict)
            }
            try await ContractManagement.suspend(
                membershipInTransaction: target.membership, reason: .complianceFailed,
                detail: "Compliance check: \(reason)", actor: actor, db: db, now: now)
        }
    }

    /// The day's deadlines, once a day across instances (the day is claimed).
    package static func runDaily(db: any Database, now: Date) async throws -> (reminded: Int, suspended: Int)? {
        let day = LocalDate.from(now).iso
        guard try await JobRun.claim(job, period: day, db: db, now: now) else { return nil }
        let result = try await runDeadlines(db: db, now: now)
        try await JobRun.finish(
            job, period: day, summary: "\(result.reminded) reminded, \(result.suspended) suspended", db: db, now: now)
        return result
    }

    /// The daily job: on each open check's answer-by day, reminds the providers still to answer (once); from its
    /// suspend-on day, suspends each membership still not answered (once, by its answer's conditional UPDATE).
    /// Returns how many reminders it sent and memberships it suspended.
    package static func runDeadlines(db: any Database, now: Date) async throws -> (reminded: Int, suspended: Int) {
        let today = LocalDate.from(now)
        let due = try await db.sql().raw(
            """
            SELECT a.id, a.membership_id, a.reminded_at, c.id AS check_id, c.dps_id, c.answer_by, c.suspends_on,
                m.organisation_id, e.name AS establishment, d.lead_organisation_id
            FROM compliance_answers a JOIN compliance_checks c ON c.id = a.check_id
                JOIN memberships m ON m.id = a.membership_id JOIN establishments e ON e.id = m.establishment_id
                JOIN dps d ON d.id = c.dps_id
            WHERE a.state = 'waiting' AND c.answer_by <= \(bind: today.iso)
            """
        ).all()
        var reminded = 0
        var suspended = 0
        for row in due {
            let answer = try row.decode(column: "id", as: UUID.self)
            let checkID = try row.decode(column: "check_id", as: UUID.self)
            guard let suspendsOn = LocalDate(iso: try row.decode(column: "suspends_on", as: String.self)),
                let answerBy = LocalDate(iso: try row.decode(column: "answer_by", as: String.self))
            else { throw UseCaseError(.internalFailure, "A stored compliance check's dates cannot be read.") }
            let membership = try row.decode(column: "membership_id", as: UUID.self)
            let establishment = try row.decode(column: "establishment", as: String.self)
            if today >= suspendsOn {
                let done = try await db.writeTransaction { db -> Bool in
                    guard try await lockWaiting(answer, db: db) else { return false }
                    let moved = try await db.sql().update(ComplianceTables.answers)
                        .set(SQLIdentifier("state"), to: SQLBind(AnswerState.suspended.rawValue))
                        .where(SQLIdentifier("id"), .equal, SQLBind(answer))
                        .where(SQLIdentifier("state"), .equal, SQLBind(AnswerState.waiting.rawValue))
                        .returning("id").first()
                    guard moved != nil else { return false }
                    let dps = try row.decode(column: "dps_id", as: UUID.self)
                    let lead = try await Organisation.find(
                        try row.decode(column: "lead_organisation_id", as: UUID.self), on: db)
                    let targets = try await ContractManagement.targets(
                        .membership(membership), states: [.active], in: [dps], db: db)
                    return
                        !(try await ContractManagement.apply(
                            targets, reason: .complianceFailed,
                            detail: "The compliance check was not answered by \(answerBy.longForm) nor in the grace "
                                + "period after it.",
                            exclusion: nil, by: .init(system: performer, for: lead?.name ?? "The lead authority"),
                            db: db,
                            now: now
                        ).isEmpty)
                }
                if done { suspended += 1 }
            } else if try row.decode(column: "reminded_at", as: Date?.self) == nil {
                let sent = try await db.writeTransaction { db -> Bool in
                    guard try await lockWaiting(answer, db: db) else { return false }
                    let moved = try await db.sql().update(ComplianceTables.answers)
                        .set(SQLIdentifier("reminded_at"), to: SQLBind(now))
                        .where(SQLIdentifier("id"), .equal, SQLBind(answer))
                        .where(SQLIdentifier("reminded_at"), .is, SQLLiteral.null)
                        .returning("id").first()
                    guard moved != nil else { return false }
                    try await Outbox.send(
                        on: db, organisationID: try row.decode(column: "organisation_id", as: UUID.self),
                        recipient: "Provider", subject: "Compliance check not yet answered: \(establishment)",
                        body: "The compliance check for \(establishment) was due by \(answerBy.longForm). Answer it "
                            + "now: a membership not confirmed by \(suspendsOn.longForm) is suspended for every "
                            + "partner.",
                        link: SiteURL.complianceCheck(checkID).path, at: now)
                    return true
                }
                if sent { reminded += 1 }
            }
        }
        return (reminded, suspended)
    }

    /// Takes a waiting answer's row for this transaction. On PostgreSQL `FOR UPDATE SKIP LOCKED`: an answer another
    /// instance is handling is skipped, not waited for; on SQLite write transactions are one at a time already. The
    /// conditional UPDATE that follows still decides whether there is anything left to do.
    private static func lockWaiting(_ answer: UUID, db: any Database) async throws -> Bool {
        let sql = try db.sql()
        guard sql.dialect.name == "postgresql" else { return true }
        return try await sql.raw(
            """
            SELECT id FROM compliance_answers WHERE id = \(bind: answer) AND state = 'waiting'
            FOR UPDATE SKIP LOCKED
            """
        ).first() != nil
    }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The inspection watch (issue 9, DOMAIN §5): after a newer register snapshot is imported, each member
/// establishment's inspection is compared with the last one the DPS knew (`InspectionWatch`). A judgement below the
/// threshold, or a registration Ofsted has suspended, suspends its active memberships at once for every partner; an
/// improvement after such a suspension, a judgement the system cannot read, and an establishment leaving the
/// register go to the lead's contract managers as findings to review; establishments newly registered in a DPS's
/// areas are listed as leads. Each finding is a row unique by its fact, inserted before anything is done about it,
/// so a snapshot checked twice, or by two instances at once, acts once.
package enum RegisterWatch {
    package static let job = "inspection-watch"
    package static let performer = "Inspection watch (public register)"

    package struct Report: Sendable, Equatable {
        package var alreadyChecked = false
        package var establishmentsChecked = 0
        package var inspectionsRecorded = 0
        package var membershipsSuspended = 0
        package var findingsToReview = 0
        package var newlyRegistered = 0

        package init() {}

        package var summary: String {
            if alreadyChecked { return "This snapshot was already checked; nothing to do." }
            return "Checked \(establishmentsChecked) member establishment\(establishmentsChecked == 1 ? "" : "s"): "
                + "\(inspectionsRecorded) newer inspection\(inspectionsRecorded == 1 ? "" : "s"), "
                + "\(membershipsSuspended) membership\(membershipsSuspended == 1 ? "" : "s") suspended, "
                + "\(findingsToReview) finding\(findingsToReview == 1 ? "" : "s") to review, "
                + "\(newlyRegistered) newly registered establishment\(newlyRegistered == 1 ? "" : "s") in the areas."
        }
    }

    /// A member establishment and its memberships, as the watch reads them.
    private struct Member {
        var id: UUID
        var name: String
        var known: InspectionWatch.Known
        /// Its memberships that are active or suspended, by DPS.
        var memberships: [UUID: [UUID]]
    }

    /// Compares the snapshot's `entries` with every member establishment; `previous` holds the URNs of the snapshot
    /// it replaced (empty on a first import). `snapshot` names the files' contents: a snapshot already checked is
    /// not checked again. `progress` hears how far it has gone.
    package static func run(
        entries: [RegisterEntry], previous: Set<String>, snapshot: String, db: any Database, now: Date,
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        guard try await JobRun.claim(job, period: snapshot, db: db, now: now) else {
            report.alreadyChecked = true
            return report
        }
        let byURN = Dictionary(entries.map { ($0.urn.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let members = try await members(db: db)
        progress("Checking \(members.count) member establishments against the register…")
        for (index, member) in members.enumerated() {
            let findings = InspectionWatch.compare(member.known, with: byURN[member.known.urn])
            if !findings.isEmpty {
                let outcome = try await db.writeTransaction { db in
                    try await act(on: member, findings: findings, db: db, now: now)
                }
                outcome.add(to: &report)
            }
            report.establishmentsChecked += 1
            if (index + 1) % 100 == 0 { progress("  \(index + 1) of \(members.count) checked") }
        }
        report.newlyRegistered = try await flagNewRegistrations(entries, previous: previous, db: db, now: now)
        try await JobRun.finish(job, period: snapshot, summary: report.summary, db: db, now: now)
        return report
    }

    /// What one establishment's findings did.
    private struct Outcome: Sendable {
        var recorded = 0
        var suspended = 0
        var toReview = 0

        func add(to report: inout Report) {
            report.inspectionsRecorded += recorded
            report.membershipsSuspended += suspended
            report.findingsToReview += toReview
        }
    }

    /// Every establishment with a URN holding an active or suspended membership, with whether it is suspended
    /// because of an inspection (the reason of its memberships' latest suspension).
    private static func members(db: any Database) async throws -> [Member] {
        let rows = try await db.sql().raw(
            """
            SELECT e.id, e.urn, e.name, e.judgement, e.judgement_date, m.id AS membership_id, m.dps_id, m.state,
                (SELECT ev.reason_code FROM membership_events ev
                 WHERE ev.membership_id = m.id AND ev.kind = 'suspended'
                 ORDER BY ev.occurred_at DESC, ev.id DESC LIMIT 1) AS suspended_for
            FROM establishments e JOIN memberships m ON m.establishment_id = e.id
            WHERE e.urn IS NOT NULL AND e.urn <> '' AND m.state IN ('active', 'suspended')
            ORDER BY e.id
            """
        ).all()
        var members: [UUID: Member] = [:]
        var order: [UUID] = []
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            if members[id] == nil {
                order.append(id)
                members[id] = Member(
                    id: id, name: try row.decode(column: "name", as: String.self),
                    known: InspectionWatch.Known(
                        urn: try row.decode(column: "urn", as: String.self).trimmed.uppercased(),
                        judgement: try row.decode(column: "judgement", as: String.self),
                        judgementDate: try row.decode(column: "judgement_date", as: String?.self),
                        suspendedForInspection: false),
                    memberships: [:])
            }
            let state = try row.decode(column: "state", as: String.self)
            let reason = try row.decode(column: "suspended_for", as: String?.self)
            if state == MembershipState.suspended.rawValue
                && reason == SuspensionReason.inspectionBelowThreshold.rawValue
            {
                members[id]?.known.suspendedForInspection = true
            }
            members[id]?.memberships[try row.decode(column: "dps_id", as: UUID.self), default: []].append(
                try row.decode(column: "membership_id", as: UUID.self))
        }
        return order.compactMap { members[$0] }
    }

    /// Records what the register says of one establishment, for each DPS it is a member of, inside one transaction.
    private static func act(
        on member: Member, findings: [InspectionWatch.Finding], db: any Database, now: Date
    ) async throws -> Outcome {
        var outcome = Outcome()
        if let rating = findings.lazy.compactMap(\.rating).first {
            try await db.sql().update(EstablishmentRecord.schema)
                .set(SQLIdentifier("judgement"), to: SQLBind(rating.judgement))
                .set(SQLIdentifier("judgement_date"), to: SQLBind(rating.date?.iso))
                .where(SQLIdentifier("id"), .equal, SQLBind(member.id)).run()
        }
        for (dps, memberships) in member.memberships.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            let lead = try await DPSRecord.find(dps, on: db)
            for finding in findings {
                let detail = describe(finding, name: member.name)
                guard
                    try await insertFinding(
                        dps: dps, establishment: member.id, urn: member.known.urn, name: member.name, finding: finding,
                        detail: detail, db: db, now: now)
                else { continue }
                if finding.rating != nil {
                    outcome.recorded += 1
                    for membership in memberships {
                        try await ContractManagement.log(
                            .inspected, membership: membership, dps: dps, detail: detail, actorLabel: performer,
                            at: now, db: db)
                    }
                }
                if finding.suspends {
                    let targets = try await ContractManagement.targets(
                        .establishment(member.id), states: [.active], in: [dps], db: db)
                    let done = try await ContractManagement.apply(
                        targets,
                        reason: finding.isRegistration ? .other : .inspectionBelowThreshold, detail: detail,
                        exclusion: nil,
                        by: .init(system: performer, for: try await leadName(lead, db: db)), db: db, now: now)
                    outcome.suspended += done.count
                    if case .belowThreshold = finding {
                        // An action plan follows a poor inspection: a coordinated review holds it.
                        _ = try await Concerns.openAfterInspection(
                            dps: dps, establishment: member.id, reason: detail, by: performer, db: db, now: now)
                    }
                }
                if finding.needsReview {
                    outcome.toReview += 1
                    try await Outbox.send(
                        on: db, organisationID: lead?.$lead.id, recipient: "Contract managers",
                        subject: "Register watch: \(member.name)", body: detail + " " + nextStep(finding),
                        link: SiteURL.registerWatch.path, at: now)
                }
            }
        }
        return outcome
    }

    /// Inserts a finding unless the same fact is already recorded for the DPS; true when this call inserted it.
    /// A finding with nothing to review is recorded as reviewed.
    private static func insertFinding(
        dps: UUID, establishment: UUID?, urn: String, name: String, finding code: String, key: String,
        reviewed: Bool, detail: String, db: any Database, now: Date
    ) async throws -> Bool {
        try await db.sql().insert(into: RegisterFindings.schema)
            .columns(
                "id", "dps_id", "establishment_id", "urn", "name", "kind", "fact_key", "detail", "created_at",
                "reviewed_at", "reviewed_by"
            )
            .values(
                SQLBind(UUID()), SQLBind(dps), SQLBind(establishment), SQLBind(urn), SQLBind(name), SQLBind(code),
                SQLBind(key), SQLBind(detail), SQLBind(now), SQLBind(reviewed ? now : nil),
                SQLBind(reviewed ? performer : nil)
            )
            .ignoringConflicts()
            .returning("id").first() != nil
    }

    private static func insertFinding(
        dps: UUID, establishment: UUID, urn: String, name: String, finding: InspectionWatch.Finding, detail: String,
        db: any Database, now: Date
    ) async throws -> Bool {
        try await insertFinding(
            dps: dps, establishment: establishment, urn: urn, name: name, finding: finding.code, key: finding.key,
            reviewed: !finding.needsReview, detail: detail, db: db, now: now)
    }

    private static func leadName(_ dps: DPSRecord?, db: any Database) async throws -> String {
        guard let id = dps?.$lead.id else { return "The lead authority" }
        return try await Organisation.find(id, on: db)?.name ?? "The lead authority"
    }

    /// The finding in words, for the log, the messages and the review list.
    static func describe(_ finding: InspectionWatch.Finding, name: String) -> String {
        func inspection(_ r: InspectionRating) -> String {
            "Ofsted judged \(name) \"\(r.judgement)\"" + (r.date.map { " at its inspection of \($0.longForm)" } ?? "")
                + "."
        }
        switch finding {
        case .belowThreshold(let r): return inspection(r) + " That is below the DPS's inspection threshold."
        case .improved(let r):
            return inspection(r)
                + " That meets the threshold; the establishment is suspended for an earlier inspection."
        case .recorded(let r): return inspection(r)
        case .unreadable(let r, let reason): return inspection(r) + " " + reason + "."
        case .registrationSuspended: return "Ofsted lists the registration of \(name) as suspended."
        case .leaving(let status):
            return status.map { "The register lists \(name) as \"\($0)\"." }
                ?? "\(name) is no longer on the public register (closed, resigned or cancelled)."
        }
    }

    private static func nextStep(_ finding: InspectionWatch.Finding) -> String {
        switch finding {
        case .belowThreshold, .registrationSuspended:
            "Its memberships are suspended for every partner; the provider has been told what lifts the suspension."
        case .improved: "Review the report, then reinstate the memberships or keep the suspension."
        case .unreadable: "Read the report against the threshold and suspend the memberships if it falls below."
        case .leaving: "Check with the provider and end or suspend the memberships if it has closed."
        case .recorded: ""
        }
    }

    /// Lists, for each DPS, the establishments newly on the register in its partners' areas and of the register
    /// categories of its members, once each; tells its contract managers how many. Returns how many it listed.
    private static func flagNewRegistrations(
        _ entries: [RegisterEntry], previous: Set<String>, db: any Database, now: Date
    ) async throws -> Int {
        guard !previous.isEmpty else { return 0 }
        let byURN = Dictionary(entries.map { ($0.urn.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var total = 0
        for dps in try await DPSRecord.query(on: db).all() {
            guard let id = dps.id else { continue }
            let areas = try await db.sql().raw(
                """
                SELECT o.gss_code FROM organisations o
                WHERE o.gss_code IS NOT NULL AND (o.id = \(bind: dps.$lead.id)
                    OR o.id IN (SELECT organisation_id FROM dps_partners WHERE dps_id = \(bind: id)))
                """
            ).all().map { try $0.decode(column: "gss_code", as: String.self) }
            let memberURNs = try await db.sql().raw(
                """
                SELECT DISTINCT e.urn FROM establishments e JOIN memberships m ON m.establishment_id = e.id
                WHERE m.dps_id = \(bind: id) AND e.urn IS NOT NULL
                """
            ).all().map { try $0.decode(column: "urn", as: String.self).uppercased() }
            let categories = Set(memberURNs.compactMap { byURN[$0]?.category })
            let fresh = InspectionWatch.newlyRegistered(
                entries, previous: previous, areas: Set(areas), categories: categories)
            guard !fresh.isEmpty else { continue }
            let listed = try await db.writeTransaction { db in
                var listed = 0
                for entry in fresh {
                    let name = entry.name ?? "A \(entry.type.lowercased()) (name withheld by Ofsted)"
                    let inserted = try await insertFinding(
                        dps: id, establishment: nil, urn: entry.urn.uppercased(), name: name,
                        finding: "new_registration", key: "registered", reviewed: false,
                        detail: "\(name) (URN \(entry.urn)) is newly registered in the area: it may apply to join.",
                        db: db, now: now)
                    if inserted { listed += 1 }
                }
                if listed > 0 {
                    try await Outbox.send(
                        on: db, organisationID: dps.$lead.id, recipient: "Contract managers",
                        subject: "Register watch: \(listed) newly registered establishment\(listed == 1 ? "" : "s")",
                        body: "\(listed) establishment\(listed == 1 ? " is" : "s are") newly registered in the "
                            + "partners' areas, of the kinds on \(dps.title). They may be invited to apply.",
                        link: SiteURL.registerWatch.path, at: now)
                }
                return listed
            }
            total += listed
        }
        return total
    }
}

extension InspectionWatch.Finding {
    /// The inspection the finding is about, if it is about one.
    var rating: InspectionRating? {
        switch self {
        case .belowThreshold(let r), .improved(let r), .recorded(let r), .unreadable(let r, _): r
        case .registrationSuspended, .leaving: nil
        }
    }

    var isRegistration: Bool { self == .registrationSuspended }
}

// MARK: The contract managers' review

extension RegisterWatch {
    package struct FindingRow: Sendable {
        package var id: UUID
        package var kind: String
        package var urn: String
        package var name: String
        package var establishment: UUID?
        package var detail: String
        package var createdAt: Date
        package var reviewedAt: Date?
        package var reviewedBy: String?
        package var reviewNote: String?

        package var kindLabel: String {
            switch kind {
            case "below_threshold": "Inspection below the threshold: suspended"
            case "registration_suspended": "Registration suspended by Ofsted: suspended"
            case "improved": "Improved after a suspension"
            case "unreadable": "Judgement to read"
            case "leaving": "Leaving the register"
            case "new_registration": "Newly registered in the area"
            case "recorded": "New inspection recorded"
            default: kind
            }
        }
    }

    private static func requireLeadStaff(_ actor: Actor, _ roles: Set<Role>) throws {
        guard actor.isLeadAuthority, roles.contains(actor.role) else {
            throw UseCaseError(.forbidden, "Only the lead authority's contract managers review the register watch.")
        }
    }

    /// The findings of the lead's DPSs still to review (or, with `reviewed`, those reviewed and those that needed
    /// no review), newest first, a page at a time.
    package static func findings(reviewed: Bool, actor: Actor, page: ListPage = .first, db: any Database)
        async throws -> PageOf<FindingRow>
    {
        try requireLeadStaff(actor, [.contractManager, .dpsAdmin, .auditor])
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard !dpsIDs.isEmpty else { return PageOf([], page) }
        let rows = try await db.sql().raw(
            """
            SELECT id, kind, urn, name, establishment_id, detail, created_at, reviewed_at, reviewed_by, review_note
            FROM register_findings
            WHERE dps_id IN (\(binds: dpsIDs)) AND reviewed_at IS \(unsafeRaw: reviewed ? "NOT NULL" : "NULL")
            ORDER BY created_at DESC, id DESC LIMIT \(bind: page.size + 1) OFFSET \(bind: page.offset)
            """
        ).all()
        return PageOf(try rows.map(findingRow), page)
    }

    /// One finding of the lead's DPSs; anyone else is told there is no such finding.
    package static func finding(_ id: UUID, actor: Actor, db: any Database) async throws -> FindingRow {
        try requireLeadStaff(actor, [.contractManager, .dpsAdmin, .auditor])
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard !dpsIDs.isEmpty,
            let row = try await db.sql().raw(
                """
                SELECT id, kind, urn, name, establishment_id, detail, created_at, reviewed_at, reviewed_by, review_note
                FROM register_findings WHERE id = \(bind: id) AND dps_id IN (\(binds: dpsIDs))
                """
            ).first()
        else { throw UseCaseError(.notFound, "There is no such finding.") }
        return try findingRow(row)
    }

    private static func findingRow(_ row: any SQLRow) throws -> FindingRow {
        FindingRow(
            id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
            urn: try row.decode(column: "urn", as: String.self), name: try row.decode(column: "name", as: String.self),
            establishment: try row.decode(column: "establishment_id", as: UUID?.self),
            detail: try row.decode(column: "detail", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            reviewedAt: try row.decode(column: "reviewed_at", as: Date?.self),
            reviewedBy: try row.decode(column: "reviewed_by", as: String?.self),
            reviewNote: try row.decode(column: "review_note", as: String?.self))
    }

    /// Marks a finding reviewed, with what the contract manager did about it; once only.
    package static func review(_ id: UUID, note raw: String, actor: Actor, db: any Database, now: Date) async throws {
        try requireLeadStaff(actor, [.contractManager, .dpsAdmin])
        let note = raw.trimmed
        guard (3...1_000).contains(note.count) else {
            throw UseCaseError(field: "note", "Say what you did about it, in 3 to 1,000 characters")
        }
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        try await db.writeTransaction { db in
            guard
                let row = try await db.sql().select().columns("dps_id", "reviewed_at").from(RegisterFindings.schema)
                    .where(SQLIdentifier("id"), .equal, SQLBind(id)).first(),
                dpsIDs.contains(try row.decode(column: "dps_id", as: UUID.self))
            else { throw UseCaseError(.notFound, "There is no such finding.") }
            let claimed =
                try await db.sql().update(RegisterFindings.schema)
                .set(SQLIdentifier("reviewed_at"), to: SQLBind(now))
                .set(SQLIdentifier("reviewed_by"), to: SQLBind(actor.name))
                .set(SQLIdentifier("review_note"), to: SQLBind(note))
                .where(SQLIdentifier("id"), .equal, SQLBind(id))
                .where(SQLIdentifier("reviewed_at"), .is, SQLLiteral.null)
                .returning("id").first() != nil
            guard claimed else {
                throw UseCaseError(field: "note", "This finding has already been reviewed", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: try row.decode(column: "dps_id", as: UUID.self),
                action: "register_finding.reviewed", entityType: "register_finding", entityID: id,
                before: String?.none, after: ["note": note], at: now)
        }
    }
}

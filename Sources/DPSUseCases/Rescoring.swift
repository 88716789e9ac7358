import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Re-scoring (issue 9, DOMAIN §5): every 6 or 12 months (the DPS's setting) a contract manager raises or lowers a
/// membership's qualification score with a reason and the evidence behind it (monitoring visits, outcomes,
/// concerns). Invitations keep the score they were sent with, so the new score counts in referrals published from
/// then on and never in one already published.
extension ContractManagement {
    /// The typed command of a re-score: the new score as typed ("72.5"), and the reason with its evidence.
    package struct RescoreCommand: Sendable {
        package var score: String
        package var reason: String

        package init(score: String, reason: String) {
            self.score = score
            self.reason = reason
        }
    }

    /// Sets the membership's qualification score, claimed against the score read (two managers at once: the second
    /// is told), logged with the old and new score, audited; the provider is told.
    package static func rescore(_ id: UUID, _ command: RescoreCommand, actor: Actor, db: any Database, now: Date)
        async throws
    {
        guard actor.isLeadAuthority else {
            throw UseCaseError(.forbidden, "Only the lead authority's contract managers re-score memberships.")
        }
        try actor.require(.contractManager)
        var errors: [FieldError] = []
        let typed = command.score.trimmed
        let score = typed.count <= 8 ? Money.parsePercentBasisPoints(typed) : nil
        if score == nil || score! > 10_000 {
            errors.append(
                FieldError(field: "score", message: "Enter the new score from 0 to 100, with at most 2 decimals"))
        }
        let reason = command.reason.trimmed
        if !(10...2_000).contains(reason.count) {
            errors.append(
                FieldError(
                    field: "rescoreReason",
                    message: "Give the reason and the evidence (visits, outcomes, concerns), in 10 to 2,000 characters"
                ))
        }
        guard errors.isEmpty, let score else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let found = try await targets(
                .membership(id), states: [.active, .suspended], in: AccessPolicy.dpsIDs(of: actor, db: db), db: db)
            guard let target = found.first,
                let row = try await db.sql().select().column("qualification_score").from(MembershipRecord.schema)
                    .where(SQLIdentifier("id"), .equal, SQLBind(id)).first()
            else { throw UseCaseError(.notFound, "There is no active or suspended membership to re-score there.") }
            let old = try row.decode(column: "qualification_score", as: Int.self)
            guard old != score else {
                throw UseCaseError(field: "score", "That is already the membership's score")
            }
            let claimed =
                try await db.sql().update(MembershipRecord.schema)
                .set(SQLIdentifier("qualification_score"), to: SQLBind(score))
                .where(SQLIdentifier("id"), .equal, SQLBind(id))
                .where(SQLIdentifier("qualification_score"), .equal, SQLBind(old))
                .returning("id").first() != nil
            guard claimed else {
                throw UseCaseError(field: "score", "Someone has just re-scored this membership", status: .conflict)
            }
            let change =
                "From \(QualificationScoring.formatHundredths(old)) to \(QualificationScoring.formatHundredths(score))."
            try await log(
                .rescored, membership: id, dps: target.dps, detail: "\(change) \(reason)", actorLabel: actor.name,
                at: now, db: db)
            try await Audit.record(
                on: db, actor: actor, dps: target.dps, action: "membership.rescored", entityType: "membership",
                entityID: id, before: ["qualificationScore": old], after: ["qualificationScore": score], at: now)
            try await Outbox.send(
                on: db, organisationID: target.provider, recipient: "Provider",
                subject: "Qualification score changed: \(target.establishment)",
                body: "\(actor.organisationName) has re-scored \(target.establishment) (\(target.category)). "
                    + "\(change) \(reason) The new score counts in referrals published from now on.",
                link: SiteURL.membership(id).path, at: now)
        }
    }

    /// When the membership is next due to be re-scored: `months` after its admission or its latest re-score.
    package static func rescoreDue(_ timeline: Timeline, months: Int) -> LocalDate {
        let last =
            timeline.events.first { $0.kind == .rescored || $0.kind == .admitted }?.occurredAt ?? timeline.admittedAt
        return ComplianceDates.rescoreDue(last: LocalDate.from(last), months: months)
    }
}

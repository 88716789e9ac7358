import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation

extension PlacementAgreement {
    /// Reads the page's model. `Referrals.placement` is the access check: the placing authority, the
    /// provider, and the lead authority's auditor. Stored terms that cannot be decoded are an error.
    static func query(
        _ id: UUID, actor: Actor, db: any Database, now: Date = Date(), errors: [FieldError] = [],
        values: [String: String] = [:]
    ) async throws -> Model {
        let p = try await Referrals.placement(id, actor: actor, db: db)
        let r = try await p.referralID.asyncMap { try await ReferralRecord.find($0, on: db) } ?? nil
        let reference = p.reference ?? r?.reference ?? ""
        let children = r?.children ?? 1
        // Only the placing authority and the awarded provider read the child's details (issue 10, DOMAIN §8).
        let childDetails =
            AccessPolicy.readsChildDetails(p, actor: actor) ? (r?.childDetails ?? p.childDetails ?? "") : ""
        let provider = try await Organisation.find(p.providerID, on: db)
        let authority = try await Organisation.find(p.authorityID, on: db)
        let category =
            try await (p.categoryID ?? r?.$category.id).asyncMap { try await CategoryRecord.find($0, on: db) }
            ?? nil
        let names = Dictionary(uniqueKeysWithValues: (try category?.content.costLines ?? []).map { ($0.key, $0.name) })
        let core: [String: Int] = try Referrals.decode(p.coreJSON) ?? [:]
        let variable: [BidItem] = try Referrals.decode(p.variableJSON) ?? []
        let outcomes: [String] = try Referrals.decode(p.outcomesJSON) ?? []
        let reviews: [String] = try Referrals.decode(p.reviewDatesJSON) ?? []
        let isProvider = p.providerID == actor.organisationID
        // The same rule as `Referrals.accept`: the provider's administrator, or the placing authority's officer.
        let mayAccept =
            isProvider
            ? actor.role == .providerAdmin
            : p.authorityID == actor.organisationID && Referrals.officerRoles.contains(actor.role)
        // The value: the pattern's weeks a year (52 for a direct placement, which has no pattern), over the weeks
        // from the start to the expected end.
        let pattern = (p.pattern ?? r?.pattern).flatMap { PlacementPattern(rawValue: $0) }
        let weeksPerYear = pattern?.weeksPerYear ?? 52
        let duration = LocalDate(iso: p.startDate).flatMap { start in
            p.expectedEndDate.flatMap { LocalDate(iso: $0) }.flatMap { PlacementEnding.weeks(from: start, to: $0) }
        }
        let value = PlacementEnding.value(
            weeklyPence: p.weeklyFeePence, weeksPerYear: weeksPerYear, durationWeeks: duration)
        let life = try await Placements.life(p, reader: actor, db: db)
        // The review dates by the DPS's schedule (months from the start), as the reviews themselves fall.
        let months = try await p.dpsID.asyncMap { try await DPSRecord.find($0, on: db)?.reviewMonths } ?? nil
        let scheduled = LocalDate(iso: p.startDate).map { start in
            OutcomeReviewSchedule.dueDates(
                start: start,
                end: (p.actualEndDate ?? p.expectedEndDate).flatMap { LocalDate(iso: $0) }, months: months ?? 6
            ).map(\.iso)
        }
        let side: Placements.Side? =
            isProvider
            ? (actor.role == .providerAdmin ? .provider : nil)
            : (p.authorityID == actor.organisationID && Referrals.officerRoles.contains(actor.role) ? .authority : nil)
        // The placing authority's contact is the officer who made the placement; the provider's, its named contact.
        let officer = try await (p.createdBy ?? r?.createdBy).asyncMap { try await User.find($0, on: db) } ?? nil
        return Model(
            placement: p, reference: reference, children: children, childDetails: childDetails,
            authorityName: authority?.name ?? "", providerName: provider?.name ?? "", lineNames: names, core: core,
            variable: variable, outcomes: outcomes, reviewDates: scheduled ?? reviews,
            canAccept: mayAccept && p.status == PlacementStatus.active.rawValue
                && (isProvider ? p.providerAcceptedAt : p.authorityAcceptedAt) == nil,
            durationWeeks: duration, weeksPerYear: weeksPerYear, patternLabel: pattern?.label,
            annualPence: value.annual, totalPence: value.total,
            authorityContact: Contact(
                name: officer?.name ?? authority?.contactName ?? "",
                email: officer?.email ?? authority?.contactEmail ?? "",
                phone: authority?.contactPhone ?? ""),
            providerContact: Contact(
                name: provider?.contactName ?? "", email: provider?.contactEmail ?? "",
                phone: provider?.contactPhone ?? ""),
            reviews: life.reviews, changes: life.changes, side: side,
            feeLines: try Placements.feeLines(p, lineNames: names),
            pattern: pattern,
            pendingFee: life.changes.first {
                $0.kind == .fee && $0.state == .accepted && $0.effective > LocalDate.from(now)
            }.flatMap { change in change.before.weeklyPence.map { (change.effective, $0) } },
            errors: errors, values: values)
    }
}

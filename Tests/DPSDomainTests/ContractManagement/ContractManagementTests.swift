import Foundation
import Testing

@testable import DPSDomain

@Suite("Contract management rules")
struct ContractManagementTests {
    static func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }
    let calendar = WorkingDayCalendar()

    @Test("A suspension sets aside bids only in referrals still open for bids; nothing else changes")
    func suspensionEffects() throws {
        for state in ReferralState.allCases {
            #expect(SuspensionEffect.on(referral: state) == (state == .published ? .bidSetAside : .unchanged))
        }
        // The state machine: suspended from active, reinstated to active, never from removed.
        #expect(try MembershipState.active.applying(.suspend(reason: "Insurance lapsed")) == .suspended)
        #expect(try MembershipState.suspended.applying(.reinstate(reason: "Insurance renewed")) == .active)
        #expect(throws: ValidationFailure.self) {
            try MembershipState.removed.applying(.reinstate(reason: "Insurance renewed"))
        }
        #expect(!MembershipState.suspended.canReceiveReferrals)
        // Every reason says what lifts it.
        #expect(SuspensionReason.allCases.allSatisfy { !$0.evidenceNeeded.isEmpty && !$0.label.isEmpty })
    }

    @Test("Excluded and excludable exist only under the Procurement Act 2023; excluded means removal")
    func exclusion() {
        #expect(ExclusionStatus.check(.excludable, regime: .pa2023) == nil)
        #expect(ExclusionStatus.check(.excluded, regime: .pcr2015)?.field == "exclusion")
        #expect(ExclusionStatus.check(nil, regime: .pcr2015) == nil)
        #expect(ExclusionStatus.excluded.requiresRemoval && !ExclusionStatus.excludable.requiresRemoval)
    }

    @Test("A review opens on any safeguarding concern, or 3 concerns from 2 partners within 12 months")
    func concernThreshold() {
        let rule = ConcernThreshold()
        typealias C = ConcernThreshold.Concern
        let today = Self.day("2027-06-15")
        #expect(
            rule.opensReview([C(kind: .safeguarding, partner: "Kent", raisedOn: Self.day("2027-06-01"))], on: today))
        let three = [
            C(kind: .quality, partner: "Kent", raisedOn: Self.day("2026-06-16")),
            C(kind: .financial, partner: "Kent", raisedOn: Self.day("2027-01-10")),
            C(kind: .contractual, partner: "Surrey", raisedOn: Self.day("2027-06-15")),
        ]
        #expect(rule.opensReview(three, on: today))
        // One partner alone, however many concerns, does not.
        #expect(!rule.opensReview(three.map { C(kind: $0.kind, partner: "Kent", raisedOn: $0.raisedOn) }, on: today))
        // The window: a concern raised exactly 12 months before has left it.
        var old = three
        old[0].raisedOn = Self.day("2026-06-15")
        #expect(!rule.opensReview(old, on: today))
        #expect(rule.windowStart(endingOn: Self.day("2027-03-31")) == Self.day("2026-04-01"))
        #expect(rule.windowStart(endingOn: Self.day("2028-02-29")) == Self.day("2027-03-01"))
        // A safeguarding concern older than the window does not count; a later one does not count early.
        #expect(!rule.opensReview([C(kind: .safeguarding, partner: "K", raisedOn: Self.day("2025-01-01"))], on: today))
        #expect(!rule.opensReview([C(kind: .safeguarding, partner: "K", raisedOn: Self.day("2027-07-01"))], on: today))
    }

    @Test("Cost shares are whole pence that add up to the cost exactly, equally or by use")
    func costSharing() {
        #expect(CostSharing.shares(of: 100, weights: [1, 1, 1]) == [34, 33, 33])
        #expect(CostSharing.shares(of: 2_900_000, weights: [1, 1, 1, 1]) == [725_000, 725_000, 725_000, 725_000])
        // By placements: 3, 1 and 0 placements; the partner with none pays nothing.
        #expect(CostSharing.shares(of: 1_000, weights: [3, 1, 0]) == [750, 250, 0])
        // The largest remainders get the odd pence: 7 × (2/7, 2/7, 3/7) of 10.
        let shares = CostSharing.shares(of: 10, weights: [2, 2, 3])!
        #expect(shares.reduce(0, +) == 10 && shares == [3, 3, 4])
        // Nobody has used it yet: shared equally.
        #expect(CostSharing.shares(of: 10, weights: [0, 0]) == [5, 5])
        // Huge figures neither trap nor lose a penny.
        let big = CostSharing.shares(of: Int.max, weights: [Int.max / 2, Int.max / 2])!
        #expect(big.reduce(0, &+) == Int.max)
        #expect(CostSharing.shares(of: -1, weights: [1]) == nil && CostSharing.shares(of: 1, weights: [-1]) == nil)
        #expect(CostSharing.shares(of: 1, weights: [Int.max, 1]) == nil)  // the weights' sum overflows
        // Founders share the costs less the joining fees received.
        #expect(
            CostSharing.foundersShares(
                procurementPence: 15_000_000, centralPence: 2_100_000, joiningFeesPence: 1_100_000,
                weights: [1, 1, 1, 1])
                == [4_000_000, 4_000_000, 4_000_000, 4_000_000])
        #expect(
            CostSharing.foundersShares(procurementPence: 1, centralPence: 1, joiningFeesPence: 3, weights: [1]) == nil)
    }

    @Test("A re-score or a new fee schedule applies to referrals published from its moment, never earlier")
    func effectiveHistory() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var score = EffectiveHistory(original: 8000)
        score.record(7200, from: t0)
        score.record(7600, from: t0 + 86_400 * 180)
        #expect(score.value(at: t0 - 1) == 8000)
        #expect(score.value(at: t0) == 7200)
        #expect(score.value(at: t0 + 86_400 * 179) == 7200)
        #expect(score.value(at: t0 + 86_400 * 200) == 7600)
        score.record(7000, from: t0)  // a correction of the same change replaces it
        #expect(score.value(at: t0) == 7000 && score.changes.count == 2)
        let fees = EffectiveHistory(
            original: ["education": 200_000],
            changes: [
                .init(from: t0 + 10, value: ["education": 210_000]), .init(from: t0, value: ["education": 205_000]),
            ])
        #expect(fees.value(at: t0 + 5) == ["education": 205_000] && fees.value(at: t0 + 10) == ["education": 210_000])
    }

    @Test("Evidence reminders fall on working days before expiry; a compliance check is answered in 5 working days")
    func complianceDates() {
        // Expiring Tuesday 30 March 2027: 30 days before is Sunday 28 February, moved back to Friday 26 February;
        // 7 days before is Tuesday 23 March.
        let reminders = ComplianceDates.reminders(
            expiring: Self.day("2027-03-30"), today: Self.day("2027-01-01"), calendar: calendar)
        #expect(reminders == [Self.day("2027-02-26"), Self.day("2027-03-23")])
        // Reminders already past are not sent again.
        #expect(
            ComplianceDates.reminders(
                expiring: Self.day("2027-03-30"), today: Self.day("2027-03-01"), calendar: calendar)
                == [Self.day("2027-03-23")])
        #expect(ComplianceDates.lapses(expiring: Self.day("2027-03-30")) == Self.day("2027-03-31"))
        // Re-scoring falls due 6 or 12 months on, on the month's last day when the month is shorter.
        #expect(ComplianceDates.rescoreDue(last: Self.day("2026-08-31"), months: 6) == Self.day("2027-02-28"))
        #expect(ComplianceDates.rescoreDue(last: Self.day("2027-08-31"), months: 6) == Self.day("2028-02-29"))
        #expect(ComplianceDates.rescoreDue(last: Self.day("2026-11-10"), months: 12) == Self.day("2027-11-10"))
        #expect(ComplianceDates.rescoreDue(last: Self.day("2026-07-15"), months: 6) == Self.day("2027-01-15"))
        // What the daily check owes: nothing before the first reminder; the latest reminder due; the lapse from
        // the day after expiry.
        func notice(_ today: String) -> ComplianceDates.Notice? {
            ComplianceDates.notice(expiring: Self.day("2027-03-30"), today: Self.day(today), calendar: calendar)
        }
        #expect(notice("2027-02-25") == nil)
        #expect(notice("2027-02-26") == .reminder(daysBefore: 30) && notice("2027-03-22") == .reminder(daysBefore: 30))
        #expect(notice("2027-03-23") == .reminder(daysBefore: 7) && notice("2027-03-30") == .reminder(daysBefore: 7))
        #expect(notice("2027-03-31") == .lapsed && notice("2028-01-01") == .lapsed)
        // Opened Thursday 24 December 2026: Christmas, Boxing Day (Monday 28th) and the weekend do not count.
        let due = ComplianceDates.answerBy(opened: Self.day("2026-12-24"), calendar: calendar)
        #expect(due == Self.day("2027-01-05"))
        #expect(
            ComplianceDates.suspendsOn(opened: Self.day("2026-12-24"), graceWorkingDays: 5, calendar: calendar)
                == Self.day("2027-01-13"))
    }
}

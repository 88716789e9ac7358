import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The headline numbers on each organisation's dashboard (issue 11), in the placement register's scope: a council's
/// own placements and referrals, the lead's staff every partner's in their DPSs, a provider its own. Each is one
/// counted SQL query.
package enum Dashboard {
    package struct Headlines: Sendable, Equatable {
        package var livePlacements: Int
        package var liveAnnualPence: Int
        /// Referrals open for bids now (a provider: its invitations still open and not answered).
        package var openReferrals: Int
        /// Outcome reviews past their date and not completed.
        package var overdueReviews: Int
        /// Placements ended unplanned in the twelve months to today.
        package var unplannedEndings: Int
    }

    package static func headlines(actor: Actor, today: LocalDate, now: Date, db: any Database) async throws
        -> Headlines
    {
        let sql = try db.sql()
        let placements: SQLQueryString
        let referrals: SQLQueryString
        switch try await AccessPolicy.placementScope(of: actor, db: db) {
        case .provider(let org):
            placements = "p.provider_id = \(bind: org)"
            // Asked of each open referral (few, by their partial index), not of every invitation the provider ever
            // had (52 ms at regional scale for the provider with most).
            referrals = """
                EXISTS (SELECT 1 FROM invitations i WHERE i.referral_id = r.id AND i.organisation_id = \(bind: org)
                    AND i.declined_at IS NULL AND NOT EXISTS (SELECT 1 FROM bids b WHERE b.invitation_id = i.id
                    AND b.state = 'submitted'))
                """
        case .authority(let org):
            placements = "p.authority_id = \(bind: org)"
            referrals = "r.organisation_id = \(bind: org)"
        case .dps(let ids):
            placements = ids.isEmpty ? "1 = 0" : "p.dps_id IN (\(binds: ids))"
            referrals = ids.isEmpty ? "1 = 0" : "r.dps_id IN (\(binds: ids))"
        }
        let yearAgo = today.adding(months: -12).iso
        let row = try await sql.raw(
            """
            SELECT
                (SELECT COUNT(*) FROM placements p WHERE \(placements) AND p.status = 'active'
                    AND p.start_date <= \(bind: today.iso)) AS live,
                (SELECT CAST(COALESCE(SUM(\(MarketFigures.annualValue)), 0) AS BIGINT)
                    FROM placements p
                    WHERE \(placements) AND p.status = 'active' AND p.start_date <= \(bind: today.iso)) AS annual,
                (SELECT COUNT(*) FROM referrals r WHERE \(referrals) AND r.state = 'published'
                    AND r.deadline > \(bind: now)) AS open,
                (SELECT COUNT(*) FROM placement_reviews v JOIN placements p ON p.id = v.placement_id
                    WHERE \(placements) AND v.state <> 'completed' AND v.due_date < \(bind: today.iso)) AS overdue,
                (SELECT COUNT(*) FROM placements p WHERE \(placements) AND p.status = 'ended'
                    AND p.ending_kind = 'unplanned' AND p.actual_end_date > \(bind: yearAgo)
                    AND p.actual_end_date <= \(bind: today.iso)) AS unplanned
            """
        ).first()
        func int(_ column: String) throws -> Int { try row?.decode(column: column, as: Int.self) ?? 0 }
        return Headlines(
            livePlacements: try int("live"), liveAnnualPence: try int("annual"), openReferrals: try int("open"),
            overdueReviews: try int("overdue"), unplannedEndings: try int("unplanned"))
    }
}

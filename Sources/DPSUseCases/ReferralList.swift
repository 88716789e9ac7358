import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

extension Referrals {
    /// One referral on a council's list, with the number invited and the number of bids submitted (a count
    /// only: bids stay sealed until the deadline).
    package struct ListRow: Sendable, Equatable {
        package var id: UUID
        package var reference: String
        package var categoryCode: String
        package var categoryName: String
        package var state: String
        package var kind: String
        package var homeDistrict: String
        package var radiusMiles: Double
        package var deadline: Date
        package var invited: Int
        package var bids: Int
    }

    /// The referral list's states, searches (reference, home district, category) and orders.
    package static let listOptions = ListFilter.Options(
        states: ReferralState.allCases.map { ListFilter.Choice($0.rawValue, $0.label) },
        sorts: [
            ListFilter.Choice("newest", "Newest first"), ListFilter.Choice("deadline", "Deadline, soonest first"),
            ListFilter.Choice("reference", "Reference"),
        ])

    /// A page of the referrals the actor may list (`AccessPolicy.referralScope`: its own authority's, or every
    /// referral of the DPSs its lead authority runs for the auditor), newest first unless `filter` orders them
    /// otherwise. One statement: the counts are SQL subqueries on indexed columns, never rows fetched to be
    /// counted.
    package static func list(actor: Actor, filter: ListFilter? = nil, page: ListPage, db: any Database) async throws
        -> PageOf<ListRow>
    {
        try await list(scope: AccessPolicy.referralScope(of: actor, db: db), filter: filter, page: page, db: db)
    }

    /// The same, for a scope the caller already asked the access policy for.
    package static func list(
        scope: AccessPolicy.ReferralScope, filter: ListFilter? = nil, page: ListPage, db: any Database
    ) async throws -> PageOf<ListRow> {
        let narrowing = filter ?? .none(listOptions)
        let order: (inner: String, outer: String) =
            switch narrowing.sort {
            case "deadline": ("r.deadline, r.id", "p.deadline, p.id")
            case "reference": ("r.reference, r.id", "p.reference, p.id")
            default: ("r.created_at DESC, r.id DESC", "p.created_at DESC, p.id DESC")
            }
        let filter: SQLQueryString
        switch scope {
        case .authority(let id): filter = "r.organisation_id = \(bind: id)"
        case .dps(let ids):
            guard !ids.isEmpty else { return PageOf([], page) }
            filter = "r.dps_id IN (\(binds: ids))"
        }
        // The page first (in index order), then the counts for its rows only.
        let query: SQLQueryString = """
            SELECT p.id, p.reference, p.state, p.kind, p.home_district, p.radius_miles, p.deadline,
                c.code AS category_code, c.name AS category_name,
                (SELECT COUNT(*) FROM invitations i WHERE i.referral_id = p.id) AS invited,
                (SELECT COUNT(*) FROM bids b WHERE b.referral_id = p.id AND b.state = 'submitted') AS bids
            FROM (SELECT r.id, r.reference, r.state, r.kind, r.home_district, r.radius_miles, r.deadline,
                    r.category_id, r.created_at
                FROM referrals r WHERE \(filter) AND \(narrowing.stateIs("r.state"))
                    AND \(narrowing.matches(["r.reference", "r.home_district"]))
                ORDER BY \(unsafeRaw: order.inner)
                LIMIT \(literal: page.size + 1) OFFSET \(literal: page.offset)) p
            JOIN categories c ON c.id = p.category_id
            ORDER BY \(unsafeRaw: order.outer)
            """
        let rows = try await db.sql().raw(query).all().map { row in
            ListRow(
                id: try row.decode(column: "id", as: UUID.self),
                reference: try row.decode(column: "reference", as: String.self),
                categoryCode: try row.decode(column: "category_code", as: String.self),
                categoryName: try row.decode(column: "category_name", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                kind: try row.decode(column: "kind", as: String.self),
                homeDistrict: try row.decode(column: "home_district", as: String.self),
                radiusMiles: try row.decode(column: "radius_miles", as: Double.self),
                deadline: try row.decode(column: "deadline", as: Date.self),
                invited: try row.decode(column: "invited", as: Int.self),
                bids: try row.decode(column: "bids", as: Int.self))
        }
        return PageOf(rows, page)
    }

    /// The newest placements of a referral scope (`AccessPolicy.referralScope`), direct ones included, with
    /// their establishments; at most `limit`, and whether there are more.
    package static func recentPlacements(scope: AccessPolicy.ReferralScope, limit: Int = 100, db: any Database)
        async throws -> (placements: [PlacementRecord], more: Bool)
    {
        var placements = PlacementRecord.query(on: db).with(\.$establishment).sort(\.$createdAt, .descending)
        switch scope {
        case .authority(let id): placements = placements.filter(\.$authorityID == id)
        case .dps(let ids): placements = placements.filter(\.$dpsID ~~ ids)
        }
        let fetched = try await placements.limit(limit + 1).all()
        return (Array(fetched.prefix(limit)), fetched.count > limit)
    }

    /// How a referral was answered, for its page: invitations, submitted bids and its placement counted in one
    /// statement, and (unless not wanted) the declines with their establishments' names in another. The caller has
    /// checked access.
    package struct Responses: Sendable {
        package var invited: Int
        package var submittedBids: Int
        package var placementID: UUID?
        package var placementBidID: UUID?
        package var declined: [(establishment: String, reason: String, note: String)]
    }

    package static func responses(_ id: UUID, declines: Bool = true, db: any Database) async throws -> Responses {
        let sql = try db.sql()
        let counts = try await sql.raw(
            """
            SELECT (SELECT COUNT(*) FROM invitations i WHERE i.referral_id = \(bind: id)) AS invited,
                (SELECT COUNT(*) FROM bids b WHERE b.referral_id = \(bind: id) AND b.state = 'submitted') AS bids,
                p.id AS placement, p.bid_id AS placement_bid
            FROM (SELECT 1 AS one) r LEFT JOIN placements p ON p.referral_id = \(bind: id)
            """
        ).first()
        let declined =
            !declines
            ? []
            : try await sql.raw(
                """
                SELECT e.name, i.declined_reason, i.declined_note FROM invitations i
                JOIN establishments e ON e.id = i.establishment_id
                WHERE i.referral_id = \(bind: id) AND i.declined_at IS NOT NULL ORDER BY e.name
                """
            ).all()
        return Responses(
            invited: try counts?.decode(column: "invited", as: Int.self) ?? 0,
            submittedBids: try counts?.decode(column: "bids", as: Int.self) ?? 0,
            placementID: try counts?.decode(column: "placement", as: UUID?.self),
            placementBidID: try counts?.decode(column: "placement_bid", as: UUID?.self),
            declined: try declined.map {
                (
                    try $0.decode(column: "name", as: String.self),
                    try $0.decode(column: "declined_reason", as: String?.self) ?? "",
                    try $0.decode(column: "declined_note", as: String?.self) ?? ""
                )
            })
    }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Read models that several pages and the API share. Each filters by the actor.
package enum Queries {
    package struct MembershipRow: Codable, Sendable {
        package var id: UUID
        package var establishmentID: UUID
        package var establishment: String
        package var provider: String
        package var providerID: UUID
        package var category: String
        package var categoryCode: String
        package var score: Int
        package var coreTotalPence: Int
        package var state: String
        package var postcodeDistrict: String

        package init(
            id: UUID, establishmentID: UUID, establishment: String, provider: String, providerID: UUID,
            category: String, categoryCode: String, score: Int, coreTotalPence: Int, state: String,
            postcodeDistrict: String
        ) {
            self.id = id
            self.establishmentID = establishmentID
            self.establishment = establishment
            self.provider = provider
            self.providerID = providerID
            self.category = category
            self.categoryCode = categoryCode
            self.score = score
            self.coreTotalPence = coreTotalPence
            self.state = state
            self.postcodeDistrict = postcodeDistrict
        }
    }

    /// A page of memberships, by category and establishment: the lead authority and partners see every
    /// membership of the DPSs they run or belong to (every admitted provider is visible to every partner,
    /// DOMAIN §3); a provider sees only its own. One statement, joined, never the whole table.
    package static func memberships(actor: Actor, page: ListPage = .first, db: any Database) async throws
        -> PageOf<MembershipRow>
    {
        let filter: SQLQueryString
        if actor.isProvider {
            filter = "m.organisation_id = \(bind: actor.organisationID)"
        } else {
            let ids = try await AccessPolicy.dpsIDs(of: actor, db: db)
            guard !ids.isEmpty else { return PageOf([], page) }
            filter = "m.dps_id IN (\(binds: ids))"
        }
        let query: SQLQueryString = """
            SELECT m.id, m.establishment_id, e.name AS establishment, o.name AS provider,
                m.organisation_id AS provider_id, c.name AS category, c.code AS category_code,
                m.qualification_score, m.core_costs_json, m.state, e.postcode_district
            FROM memberships m
                JOIN establishments e ON e.id = m.establishment_id
                JOIN organisations o ON o.id = m.organisation_id
                JOIN categories c ON c.id = m.category_id
            WHERE \(filter)
            ORDER BY c.name, e.name, m.id
            LIMIT \(literal: page.size + 1) OFFSET \(literal: page.offset)
            """
        let rows = try await db.sql().raw(query).all().map { row in
            let costs = try Referrals.decode(
                row.decode(column: "core_costs_json", as: String.self), as: [String: Int].self)
            guard let total = SafeArithmetic.sum(costs?.values.map { $0 } ?? []) else {
                throw UseCaseError(.internalFailure, "A membership's stored core costs do not add up.")
            }
            return MembershipRow(
                id: try row.decode(column: "id", as: UUID.self),
                establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
                establishment: try row.decode(column: "establishment", as: String.self),
                provider: try row.decode(column: "provider", as: String.self),
                providerID: try row.decode(column: "provider_id", as: UUID.self),
                category: try row.decode(column: "category", as: String.self),
                categoryCode: try row.decode(column: "category_code", as: String.self),
                score: try row.decode(column: "qualification_score", as: Int.self),
                coreTotalPence: total,
                state: try row.decode(column: "state", as: String.self),
                postcodeDistrict: try row.decode(column: "postcode_district", as: String.self))
        }
        return PageOf(rows, page)
    }

    /// One invitation on the provider's list, with what the provider may know of where it stands.
    package struct InvitationRow: Sendable {
        package var invitation: InvitationRecord
        package var bidState: String?
        package var awardedToUs: Bool
    }

    /// A page of the provider's invitations, newest first, each with its own bid's state; and the provider's
    /// newest placements (at most 100, and whether there are more).
    package static func invitations(actor: Actor, page: ListPage = .first, db: any Database) async throws
        -> (invitations: PageOf<InvitationRow>, placements: [PlacementRecord], morePlacements: Bool)
    {
        let fetched = try await invitationRecords(actor: actor, page: page, db: db)
        let ids = fetched.compactMap(\.id)
        let bids = Dictionary(
            try await BidRecord.query(on: db).filter(\.$invitation.$id ~~ ids).all().map {
                ($0.$invitation.id, $0.state)
            },
            uniquingKeysWith: { first, _ in first })
        struct Won: Hashable {
            var referral: UUID
            var establishment: UUID
        }
        // Awards of this page's referrals to this provider, however old.
        let won = Set(
            try await PlacementRecord.query(on: db).filter(\.$providerID == actor.organisationID)
                .filter(\.$referralID ~~ fetched.map(\.$referral.id)).all()
                .compactMap { p in p.referralID.map { Won(referral: $0, establishment: p.$establishment.id) } })
        let placements = try await PlacementRecord.query(on: db).filter(\.$providerID == actor.organisationID)
            .with(\.$establishment).sort(\.$createdAt, .descending).limit(101).all()
        let rows = fetched.map { inv in
            InvitationRow(
                invitation: inv, bidState: inv.id.flatMap { bids[$0] },
                awardedToUs: won.contains(Won(referral: inv.$referral.id, establishment: inv.$establishment.id)))
        }
        return (PageOf(rows, page), Array(placements.prefix(100)), placements.count > 100)
    }

    /// A page of the provider's invitation records (one more than the page, for `PageOf`), newest first, with
    /// their referral, category and establishment.
    package static func invitationRecords(actor: Actor, page: ListPage, db: any Database) async throws
        -> [InvitationRecord]
    {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "Invitations are for providers.") }
        return try await InvitationRecord.query(on: db).filter(\.$organisationID == actor.organisationID)
            .with(\.$referral, { $0.with(\.$category) }).with(\.$establishment)
            .sort(\.$invitedAt, .descending).sort(\.$id, .descending)
            .range(page.offset..<(page.offset + page.size + 1)).all()
    }

    /// A page of the audit trail the actor may read (`AccessPolicy.auditScope`: its DPSs' events and its own
    /// organisation's), newest first.
    package static func auditTrail(actor: Actor, page: ListPage, db: any Database) async throws
        -> PageOf<AuditEventRecord>
    {
        try actor.require(.auditor, .contractManager, .dpsAdmin)
        let scope = try await AccessPolicy.auditScope(of: actor, db: db)
        let fetched = try await scope.filter(AuditEventRecord.query(on: db)).sort(\.$seq, .descending)
            .range(page.offset..<(page.offset + page.size + 1)).all()
        return PageOf(fetched, page)
    }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation

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

    /// The lead authority and partners see every membership (every admitted provider is visible to every
    /// partner, DOMAIN §3); a provider sees only its own.
    package static func memberships(actor: Actor, db: any Database) async throws -> [MembershipRow] {
        var query = MembershipRecord.query(on: db).with(\.$establishment).with(\.$organisation).with(\.$category)
        if actor.isProvider {
            query = query.filter(\.$organisation.$id == actor.organisationID)
        } else {
            // Authorities see the memberships of the DPSs they run or are partners of, no other.
            query = query.filter(\.$dps.$id ~~ (try await AccessPolicy.dpsIDs(of: actor, db: db)))
        }
        return try await query.all().map { m in
            let costs = try Referrals.decode(m.coreCostsJSON, as: [String: Int].self) ?? [:]
            return MembershipRow(
                id: m.id!, establishmentID: m.$establishment.id, establishment: m.establishment.name,
                provider: m.organisation.name,
                providerID: m.$organisation.id, category: m.category.name, categoryCode: m.category.code,
                score: m.qualificationScore,
                coreTotalPence: costs.values.reduce(0, +), state: m.state,
                postcodeDistrict: m.establishment.postcodeDistrict)
        }.sorted { ($0.category, $0.establishment) < ($1.category, $1.establishment) }
    }

    /// One invitation on the provider's list, with what the provider may know of where it stands.
    package struct InvitationRow: Sendable {
        package var invitation: InvitationRecord
        package var bidState: String?
        package var awardedToUs: Bool
    }

    /// The provider's invitations, newest first, and its placements.
    package static func invitations(actor: Actor, db: any Database) async throws
        -> (invitations: [InvitationRow], placements: [PlacementRecord])
    {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "Invitations are for providers.") }
        let invitations = try await InvitationRecord.query(on: db).filter(\.$organisationID == actor.organisationID)
            .with(\.$referral, { $0.with(\.$category) }).with(\.$establishment).sort(\.$invitedAt, .descending).all()
        let bids = Dictionary(
            try await BidRecord.query(on: db).filter(\.$organisationID == actor.organisationID).all().map {
                ($0.$invitation.id, $0.state)
            }, uniquingKeysWith: { first, _ in first })
        let placements = try await PlacementRecord.query(on: db).filter(\.$providerID == actor.organisationID)
            .with(\.$establishment).all()
        struct Won: Hashable {
            var referral: UUID
            var establishment: UUID
        }
        let won = Set(
            placements.compactMap { p in p.referralID.map { Won(referral: $0, establishment: p.$establishment.id) } })
        let rows = invitations.map { inv in
            InvitationRow(
                invitation: inv, bidState: inv.id.flatMap { bids[$0] },
                awardedToUs: won.contains(Won(referral: inv.$referral.id, establishment: inv.$establishment.id)))
        }
        return (rows, placements)
    }
}

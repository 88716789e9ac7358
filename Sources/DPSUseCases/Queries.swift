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
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Vapor

/// Read models that several pages and the API share. Each filters by the actor.
enum Queries {
    struct MembershipRow: Content {
        var id: UUID
        var establishmentID: UUID
        var establishment: String
        var provider: String
        var providerID: UUID
        var category: String
        var categoryCode: String
        var score: Int
        var coreTotalPence: Int
        var state: String
        var postcodeDistrict: String
    }

    /// The lead authority and partners see every membership (every admitted provider is visible to every
    /// partner, DOMAIN §3); a provider sees only its own.
    static func memberships(actor: Actor, db: any Database) async throws -> [MembershipRow] {
        var query = MembershipRecord.query(on: db).with(\.$establishment).with(\.$organisation).with(\.$category)
        if actor.isProvider {
            query = query.filter(\.$organisation.$id == actor.organisationID)
        } else {
            // Authorities see the memberships of the DPSs they run or are partners of, no other.
            query = query.filter(\.$dps.$id ~~ (try await AccessPolicy.dpsIDs(of: actor, db: db)))
        }
        return try await query.all().map { m in
            let costs = (try? JSONDecoder().decode([String: Int].self, from: Data(m.coreCostsJSON.utf8))) ?? [:]
            return MembershipRow(id: m.id!, establishmentID: m.$establishment.id, establishment: m.establishment.name, provider: m.organisation.name,
                                 providerID: m.$organisation.id, category: m.category.name, categoryCode: m.category.code, score: m.qualificationScore,
                                 coreTotalPence: costs.values.reduce(0, +), state: m.state, postcodeDistrict: m.establishment.postcodeDistrict)
        }.sorted { ($0.category, $0.establishment) < ($1.category, $1.establishment) }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Vapor

/// Referrals over the API: officers read their own referrals and, once closed, the scored bids;
/// providers read their invitations (anonymised) and their own bids.
struct ReferralAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("referrals", use: referrals)
        api.get("referrals", ":id", "bids", use: bids)
        api.get("invitations", use: invitations)
        api.get("invitations", ":id", use: invitation)
    }

    struct ReferralSummary: Content {
        var id: UUID; var reference: String; var category: String; var state: String; var kind: String
        var homeDistrict: String; var radiusMiles: Double; var deadline: Date; var invited: Int; var bids: Int
    }

    func referrals(req: Request) async throws -> [ReferralSummary] {
        let actor = try req.requireActor()
        guard !actor.isProvider else { throw Abort(.forbidden, reason: "Providers see their invitations at /api/v1/invitations.") }
        let list = try await ReferralRecord.query(on: req.db).filter(\.$organisation.$id == actor.organisationID).with(\.$category).sort(\.$createdAt).all()
        let ids = list.compactMap(\.id)
        // Two queries for the whole list, counted in memory.
        let invited = Dictionary(grouping: try await InvitationRecord.query(on: req.db).filter(\.$referral.$id ~~ ids).all(\.$referral.$id), by: { $0 }).mapValues(\.count)
        let bids = Dictionary(grouping: try await BidRecord.query(on: req.db).filter(\.$referral.$id ~~ ids).filter(\.$state == "submitted").all(\.$referral.$id), by: { $0 }).mapValues(\.count)
        return list.map { r in
            ReferralSummary(id: r.id!, reference: r.reference, category: r.category.code, state: r.state, kind: r.kind, homeDistrict: r.homeDistrict,
                            radiusMiles: r.radiusMiles, deadline: r.deadline, invited: invited[r.id!] ?? 0, bids: bids[r.id!] ?? 0)
        }
    }

    struct BidView: Content { var id: UUID; var establishment: String; var weeklyCostPence: Int; var distanceMiles: Double; var outcomesStatement: String }
    struct BidsView: Content { var bids: [BidView]; var evaluation: EvaluationResult; var unscored: Int }

    /// Sealed until the referral closes: before then the officer gets 409 with the count only.
    func bids(req: Request) async throws -> BidsView {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let r = try await Referrals.own(id, actor: actor, db: req.db)
        guard Referrals.isOpened(r) else {
            let count = try await BidRecord.query(on: req.db).filter(\.$referral.$id == id).filter(\.$state == "submitted").count()
            throw Abort(.conflict, reason: "Bids are sealed until the deadline (\(DisplayDate.dateTime(r.deadline))); \(count) received so far.")
        }
        let evaluation = try await Referrals.evaluate(r, db: req.db)
        return BidsView(bids: evaluation.bids.values.map { BidView(id: $0.id!, establishment: $0.establishment.name, weeklyCostPence: $0.weeklyCostPence, distanceMiles: $0.distanceMiles, outcomesStatement: $0.outcomesStatement) }
                            .sorted { $0.establishment < $1.establishment },
                        evaluation: evaluation.result, unscored: evaluation.unscored.count)
    }

    struct InvitationView: Content {
        var id: UUID; var reference: String; var establishment: String; var category: String; var state: String
        var pattern: String; var startDate: String; var children: Int; var childAge: Int?; var homeDistrict: String
        var distanceMiles: Double; var deadline: Date; var needs: [String]; var mustHaves: [String]; var outcomes: [String]
        var declined: Bool; var bidWeeklyCostPence: Int?; var bidState: String?
    }

    /// Views of several invitations, reading their bids in one query.
    private func views(_ invitations: [InvitationRecord], db: any Database) async throws -> [InvitationView] {
        let bids = Dictionary(try await BidRecord.query(on: db).filter(\.$invitation.$id ~~ invitations.compactMap(\.id)).all().map { ($0.$invitation.id, $0) },
                              uniquingKeysWith: { a, _ in a })
        return invitations.map { view($0, bid: bids[$0.id!]) }
    }

    private func view(_ inv: InvitationRecord, bid: BidRecord?) -> InvitationView {
        let r = inv.referral
        let c = Referrals.Content(r)
        return InvitationView(id: inv.id!, reference: r.reference, establishment: inv.establishment.name, category: r.category.code, state: r.state,
                              pattern: r.pattern, startDate: r.startDate, children: r.children, childAge: r.childAge, homeDistrict: r.homeDistrict,
                              distanceMiles: inv.distanceMiles, deadline: r.deadline, needs: c.needs.map(\.text), mustHaves: c.mustHaves, outcomes: c.outcomes,
                              declined: inv.declinedAt != nil, bidWeeklyCostPence: bid?.weeklyCostPence, bidState: bid?.state)
    }

    func invitations(req: Request) async throws -> [InvitationView] {
        let actor = try req.requireActor()
        guard actor.isProvider else { throw Abort(.forbidden, reason: "Invitations are for providers.") }
        return try await views(try await InvitationRecord.query(on: req.db).filter(\.$organisationID == actor.organisationID)
            .with(\.$referral, { $0.with(\.$category) }).with(\.$establishment).sort(\.$invitedAt).all(), db: req.db)
    }

    func invitation(req: Request) async throws -> InvitationView {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        return try await views([try await Referrals.invitation(id, actor: actor, db: req.db)], db: req.db)[0]
    }
}

extension OpenAPISpec {
    static let referralPaths = #"""
  /api/v1/referrals:
    get:
      operationId: listReferrals
      summary: The caller's authority's referrals (councils only).
      responses:
        '200': { description: Referrals with counts of invitations and bids, content: { application/json: { schema: { type: array, items: { type: object } } } } }
        '401': { $ref: '#/components/responses/Problem' }
        '403': { $ref: '#/components/responses/Problem' }
  /api/v1/referrals/{id}/bids:
    get:
      operationId: listReferralBids
      summary: The bids of a closed referral with the full evaluation. Sealed (409) until the deadline.
      parameters:
        - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
      responses:
        '200': { description: Bids, evaluation and the number still to score, content: { application/json: { schema: { type: object } } } }
        '401': { $ref: '#/components/responses/Problem' }
        '404': { $ref: '#/components/responses/Problem' }
        '409': { $ref: '#/components/responses/Problem' }
  /api/v1/invitations:
    get:
      operationId: listInvitations
      summary: The provider's invitations to bid, anonymised.
      responses:
        '200': { description: Invitations, content: { application/json: { schema: { type: array, items: { type: object } } } } }
        '401': { $ref: '#/components/responses/Problem' }
        '403': { $ref: '#/components/responses/Problem' }
  /api/v1/invitations/{id}:
    get:
      operationId: getInvitation
      summary: One invitation of the provider, with its own bid's state.
      parameters:
        - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
      responses:
        '200': { description: The invitation, content: { application/json: { schema: { type: object } } } }
        '401': { $ref: '#/components/responses/Problem' }
        '404': { $ref: '#/components/responses/Problem' }
"""#
}

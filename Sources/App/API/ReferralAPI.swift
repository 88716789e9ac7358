import DPSDomain
import DPSPersistence
import DPSUseCases
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
        var id: UUID
        var reference: String
        var category: String
        var state: String
        var kind: String
        var homeDistrict: String
        var radiusMiles: Double
        var deadline: Date
        var invited: Int
        var bids: Int
    }

    /// A page of the council's referrals, newest first (`?page=N&limit=M`, at most 100 a page); a `Link`
    /// header names the next and previous pages.
    /// Stored once per change of the data for each user (`ViewCache`).
    func referrals(req: Request) async throws -> Response {
        try await req.application.storedViews.api(req) { try await referralsPage(req) }
    }

    private func referralsPage(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        guard !actor.isProvider else {
            throw Abort(.forbidden, reason: "Providers see their invitations at /api/v1/invitations.")
        }
        let filter = try req.apiListFilter(Referrals.listOptions)
        let page = try await Referrals.list(actor: actor, filter: filter, page: try req.listPage(), db: req.db)
        let summaries = page.rows.map { r in
            ReferralSummary(
                id: r.id, reference: r.reference, category: r.categoryCode, state: r.state, kind: r.kind,
                homeDistrict: r.homeDistrict, radiusMiles: r.radiusMiles, deadline: r.deadline, invited: r.invited,
                bids: r.bids)
        }
        return try await summaries.encodeResponse(for: req).linking(
            page, path: "/api/v1/referrals", query: filter.query(Referrals.listOptions))
    }

    struct BidView: Content {
        var id: UUID
        var establishment: String
        var weeklyCostPence: Int
        var distanceMiles: Double
        var outcomesStatement: String
    }
    struct BidsView: Content {
        var bids: [BidView]
        var evaluation: EvaluationResult
        var unscored: Int
    }

    /// Sealed until the referral closes: before then the officer gets 409 with the count only. Stored once per
    /// change of the data for each user (`ViewCache`).
    func bids(req: Request) async throws -> Response {
        try await req.application.storedViews.api(req) { try await bidsView(req).encodeResponse(for: req) }
    }

    private func bidsView(_ req: Request) async throws -> BidsView {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let r = try await Referrals.own(id, actor: actor, db: req.db)
        guard Referrals.isOpened(r) else {
            let count = try await BidRecord.query(on: req.db).filter(\.$referral.$id == id).filter(
                \.$state == "submitted"
            ).count()
            throw Abort(
                .conflict,
                reason:
                    "Bids are sealed until the deadline (\(DisplayDate.dateTime(r.deadline))); "
                    + "\(count) received so far."
            )
        }
        let evaluation = try await Referrals.evaluate(r, db: req.db)
        return BidsView(
            bids: evaluation.bids.values.map {
                BidView(
                    id: $0.id, establishment: $0.establishmentName, weeklyCostPence: $0.weeklyCostPence,
                    distanceMiles: $0.distanceMiles, outcomesStatement: $0.outcomesStatement)
            }
            .sorted { $0.establishment < $1.establishment },
            evaluation: evaluation.result, unscored: evaluation.unscored.count)
    }

    struct InvitationView: Content {
        var id: UUID
        var reference: String
        var establishment: String
        var category: String
        var state: String
        var pattern: String
        var startDate: String
        var children: Int
        var childAge: Int?
        var homeDistrict: String
        var distanceMiles: Double
        var deadline: Date
        var needs: [String]
        var mustHaves: [String]
        var outcomes: [String]
        var declined: Bool
        var bidWeeklyCostPence: Int?
        var bidState: String?
        /// What a bid refers to: the ids of the needs, must-haves and desirables (`needsMet` and so on take them).
        var items: [ReferralWriteAPI.IdentifiedItem]
        /// One invitation only: the approved weekly core price of each line, by key (a bid may lower, never
        /// raise), and the published discount per number of children placed together, in basis points.
        var approvedCorePence: [String: Int]?
        var discountTiers: [String: Int]?
    }

    /// Views of a page of invitations: their referrals' items in one query.
    private func views(_ rows: [Queries.InvitationRow], db: any Database) async throws -> [InvitationView] {
        let contents = try await Referrals.Content.load(
            weights: Dictionary(rows.map { ($0.referralID, $0.weightsJSON) }, uniquingKeysWith: { a, _ in a }), db: db)
        return try rows.map { row in
            guard let c = contents[row.referralID] else {
                throw UseCaseError(.internalFailure, "The referral's content was not loaded.")
            }
            return InvitationView(
                id: row.id, reference: row.reference, establishment: row.establishmentName,
                category: row.categoryCode, state: row.referralState, pattern: row.pattern, startDate: row.startDate,
                children: row.children, childAge: row.childAge, homeDistrict: row.homeDistrict,
                distanceMiles: row.distanceMiles, deadline: row.deadline, content: c, declined: row.declined,
                bidWeeklyCostPence: row.bidWeeklyCostPence, bidState: row.bidState)
        }
    }

    /// A page of the provider's invitations, newest first (`?page=N&limit=M`), with a `Link` header.
    func invitations(req: Request) async throws -> Response {
        try await req.application.storedViews.api(req) { try await invitationsPage(req) }
    }

    private func invitationsPage(_ req: Request) async throws -> Response {
        let list = try req.listPage()
        let filter = try req.apiListFilter(Queries.invitationOptions)
        let page = try await Queries.invitationRows(
            actor: try req.requireActor(), filter: filter, page: list, db: req.db)
        return try await views(page.rows, db: req.db).encodeResponse(for: req)
            .linking(page, path: "/api/v1/invitations", query: filter.query(Queries.invitationOptions))
    }

    func invitation(req: Request) async throws -> InvitationView {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let inv = try await Referrals.invitation(id, actor: actor, db: req.db)
        let r = inv.referral
        let bid = try await BidRecord.query(on: req.db).filter(\.$invitation.$id == id).first()
        var view = InvitationView(
            id: id, reference: r.reference, establishment: inv.establishment.name, category: r.category.code,
            state: r.state, pattern: r.pattern, startDate: r.startDate, children: r.children, childAge: r.childAge,
            homeDistrict: r.homeDistrict, distanceMiles: inv.distanceMiles, deadline: r.deadline,
            content: try await Referrals.Content.load(r, db: req.db), declined: inv.declinedAt != nil,
            bidWeeklyCostPence: bid?.weeklyCostPence, bidState: bid?.state)
        let (core, tiers) = try await Referrals.approved(inv, db: req.db)
        view.approvedCorePence = core
        view.discountTiers = Dictionary(uniqueKeysWithValues: tiers.map { (String($0.key), $0.value) })
        return view
    }
}

extension ReferralAPI.InvitationView {
    /// An invitation as the API shows it, with what its referral asks for as identified items.
    init(
        id: UUID, reference: String, establishment: String, category: String, state: String, pattern: String,
        startDate: String, children: Int, childAge: Int?, homeDistrict: String, distanceMiles: Double, deadline: Date,
        content c: Referrals.Content, declined: Bool, bidWeeklyCostPence: Int?, bidState: String?
    ) {
        self.init(
            id: id, reference: reference, establishment: establishment, category: category, state: state,
            pattern: pattern, startDate: startDate, children: children, childAge: childAge, homeDistrict: homeDistrict,
            distanceMiles: distanceMiles, deadline: deadline, needs: c.needs.map(\.text), mustHaves: c.mustHaves,
            outcomes: c.outcomes, declined: declined, bidWeeklyCostPence: bidWeeklyCostPence, bidState: bidState,
            items: c.needs.map { .init(id: $0.id, text: $0.text, marks: $0.marks, code: $0.code) }
                + c.mustHaves.enumerated().map {
                    .init(id: "m\($0.offset + 1)", text: $0.element, marks: nil, code: nil)
                }
                + c.desirables.map { .init(id: $0.id, text: $0.text, marks: $0.marks, code: $0.code) },
            approvedCorePence: nil, discountTiers: nil)
    }
}

extension OpenAPISpec {
    static let referralPaths = #"""
          /api/v1/referrals:
            post:
              operationId: createReferral
              summary: Create a draft referral (placement officers of a partner authority). Validated in full now; \#
        publishing checks only what time changes.
              security: [{ bearer: [] }]
              requestBody:
                required: true
                content: { application/json: { schema: { $ref: '#/components/schemas/ReferralInput' } } }
              responses:
                '201': { description: The draft referral, content: { application/json: { schema: { $ref: \#
        '#/components/schemas/Referral' } } } }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
            get:
              operationId: listReferrals
              summary: A page of the caller's authority's referrals, newest first (councils only; the lead \#
        authority's auditor reads every referral of its DPSs). The Link header names the next and previous pages.
              parameters:
                - name: state
                  in: query
                  required: false
                  schema:
                    type: string
                    enum: [draft, published, closed, awaitingParent, awarded, cancelled, reissued]
                - { name: q, in: query, required: false, schema: { type: string, maxLength: 100 } }
                - name: sort
                  in: query
                  required: false
                  schema: { type: string, enum: [newest, deadline, reference] }
                - { name: page, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 10000 } }
                - { name: limit, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 100 } }
              responses:
                '200': { description: Referrals with counts of invitations and bids, content: { application/json: { \#
        schema: { type: array, items: { type: object } } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/bids:
            get:
              operationId: listReferralBids
              summary: The bids of a closed referral with the full evaluation. Sealed (409) until the deadline.
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200': { description: Bids, evaluation and the number still to score, content: { application/json: { \#
        schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
          /api/v1/invitations:
            get:
              operationId: listInvitations
              summary: A page of the provider's invitations to bid, anonymised, newest first. The Link header \#
        names the next and previous pages.
              parameters:
                - name: state
                  in: query
                  required: false
                  schema: { type: string, enum: [published, closed, awaitingParent, awarded, cancelled] }
                - { name: q, in: query, required: false, schema: { type: string, maxLength: 100 } }
                - { name: sort, in: query, required: false, schema: { type: string, enum: [newest, deadline] } }
                - { name: page, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 10000 } }
                - { name: limit, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 100 } }
              responses:
                '200': { description: Invitations, content: { application/json: { schema: { type: array, items: { \#
        type: object } } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/invitations/{id}:
            get:
              operationId: getInvitation
              summary: One invitation of the provider, with its own bid's state, the ids a bid refers to (items) and \#
        the approved core price of each line (approvedCorePence).
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200': { description: The invitation, content: { application/json: { schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}:
            get:
              operationId: getReferral
              summary: One referral of the caller's authority. Bids are sealed before the deadline, so only their \#
        number is given.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200': { description: The referral, content: { application/json: { schema: { $ref: \#
        '#/components/schemas/Referral' } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/eligibility:
            get:
              operationId: getReferralEligibility
              summary: How many active members are within the radius, the category's minimum, and the radius that \#
        would reach it when too few are.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200':
                  description: Eligibility
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [radiusMiles, eligible, minimum]
                        properties:
                          radiusMiles: { type: number }
                          eligible: { type: integer }
                          minimum: { type: integer }
                          proposedRadiusMiles: { type: [number, 'null'] }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/publish:
            post:
              operationId: publishReferral
              summary: Publish a draft, inviting every active member of the category within the radius at once.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200':
                  description: Published
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [invited, referral]
                        properties:
                          invited: { type: integer }
                          referral: { $ref: '#/components/schemas/Referral' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/close:
            post:
              operationId: closeReferral
              summary: Close an open referral once its deadline has passed (the closing job does the same every minute).
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200': { description: The closed referral, content: { application/json: { schema: { $ref: \#
        '#/components/schemas/Referral' } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/bids/{bidId}/score:
            put:
              operationId: scoreBid
              summary: Record the panel's consensus score (0-5) with its reason for a bid's outcomes statement or \#
        incentive, after closing and before award.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
                - { name: bidId, in: path, required: true, schema: { type: string, format: uuid } }
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [criterion, score, comment]
                      properties:
                        criterion: { type: string, enum: [outcomes, incentives] }
                        score: { type: integer, minimum: 0, maximum: 5 }
                        comment: { type: string, minLength: 1, maxLength: 20000 }
              responses:
                '200':
                  description: Recorded
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [bid, criterion, score, consensus]
                        properties:
                          bid: { type: string, format: uuid }
                          criterion: { type: string }
                          score: { type: integer }
                          consensus: { type: boolean }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/evaluation:
            get:
              operationId: getReferralEvaluation
              summary: The evaluation of a closed referral with every breakdown, the ranking, the non-compliant bids \#
        with reasons and the parent-choice shortlist. Sealed (409) until the deadline.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200':
                  description: The evaluation (format in docs/evaluation-format.md)
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [referral, state, evaluation, unscored]
                        properties:
                          referral: { type: string, format: uuid }
                          state: { type: string }
                          evaluation: { type: object }
                          unscored: { type: array, items: { type: string, format: uuid } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
          /api/v1/referrals/{id}/award:
            post:
              operationId: awardReferral
              summary: Award to the parent's preference or the top bid, once every bid has its consensus score; \#
        creates the placement agreement. Exactly once.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '201':
                  description: Awarded
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [referral, placement, weeklyFeePence]
                        properties:
                          referral: { type: string, format: uuid }
                          placement: { type: string, format: uuid }
                          bid: { type: [string, 'null'], format: uuid }
                          weeklyFeePence: { type: integer }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
          /api/v1/invitations/{id}/bid:
            put:
              operationId: submitBid
              summary: Submit or revise the establishment's bid until the deadline. Sealed; only the bidder can read \#
        it before closing.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              requestBody:
                required: true
                content: { application/json: { schema: { $ref: '#/components/schemas/BidInput' } } }
              responses:
                '200':
                  description: Saved
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [invitation, state, weeklyCostPence, submittedAt]
                        properties:
                          invitation: { type: string, format: uuid }
                          state: { type: string }
                          weeklyCostPence: { type: integer }
                          submittedAt: { type: string, format: date-time }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
            delete:
              operationId: withdrawBid
              summary: Withdraw the establishment's bid before the deadline.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '204': { description: Withdrawn }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
          /api/v1/invitations/{id}/decline:
            post:
              operationId: declineInvitation
              summary: Decline to bid, with a reason (cannot_meet_needs, no_vacancy, or other with a note).
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [reason]
                      properties:
                        reason: { type: string, enum: [cannot_meet_needs, no_vacancy, other] }
                        note: { type: string, maxLength: 20000 }
              responses:
                '204': { description: Declined }
                '400': { $ref: '#/components/responses/Problem' }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
                '409': { $ref: '#/components/responses/Problem' }
                '415': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/placements/{id}:
            get:
              operationId: getPlacement
              summary: The Individual Placement Agreement, for the placing authority, the awarded provider and the \#
        lead authority's auditor.
              security: [{ bearer: [] }]
              parameters:
                - { name: id, in: path, required: true, schema: { type: string, format: uuid } }
              responses:
                '200': { description: The agreement, content: { application/json: { schema: { $ref: \#
        '#/components/schemas/Placement' } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '403': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
        """#

    /// Schemas of the referral write API, added to the document's components.
    static let referralSchemas = #"""
            MarkedItem:
              type: object
              required: [text]
              properties:
                text: { type: string, minLength: 1, maxLength: 1000 }
                marks: { type: integer, minimum: 0, maximum: 1000 }
                code: { $ref: '#/components/schemas/NeedArea' }
            NeedArea:
              type: string
              description: The published taxonomy of needs (the four broad areas of an EHC plan and common care-plan \#
        needs); see docs/DECISIONS.md.
              enum: [communication_interaction, cognition_learning, semh, sensory_physical, attachment_trauma, \#
        behaviour_that_challenges, self_harm, exploitation_risk, going_missing, substance_misuse, health_medical, \#
        disability_personal_care, unaccompanied_asylum_seeking, other]
            IdentifiedItem:
              type: object
              required: [id, text]
              properties:
                id: { type: string }
                text: { type: string }
                marks: { type: [integer, 'null'] }
                code: { anyOf: [{ $ref: '#/components/schemas/NeedArea' }, { type: 'null' }] }
            ReferralInput:
              type: object
              required: [category, pattern, startDate, durationWeeks, homePostcode, needs, outcomes, radiusMiles, \#
        deadline]
              properties:
                category: { type: string, format: uuid, description: A category the authority uses (GET \#
        /api/v1/categories). }
                kind: { type: string, enum: [spot, block] }
                pattern: { type: string, enum: [day38, weekly38, residential42, residential52, fostering] }
                startDate: { type: string, format: date }
                durationWeeks: { type: integer, minimum: 1, maximum: 520 }
                children: { type: integer, minimum: 1, maximum: 10 }
                places: { type: integer, minimum: 1, maximum: 200 }
                voidTerms: { type: string, maxLength: 20000 }
                childAge: { type: integer, minimum: 0, maximum: 25 }
                childGender: { type: string, maxLength: 500 }
                homePostcode: { type: string, maxLength: 500, description: Never shown to providers. }
                childDetails: { type: string, maxLength: 20000, description: Never shown to providers. }
                needs: { type: array, minItems: 1, maxItems: 50, items: { $ref: '#/components/schemas/MarkedItem' } }
                mustHaves: { type: array, maxItems: 50, items: { type: string, minLength: 1, maxLength: 1000 } }
                desirables: { type: array, maxItems: 50, items: { $ref: '#/components/schemas/MarkedItem' } }
                outcomes: { type: array, minItems: 1, maxItems: 50, items: { type: string, minLength: 1, maxLength: \#
        1000 } }
                radiusMiles: { type: number, minimum: 1, maximum: 500 }
                deadline: { type: string, format: date-time }
                parentChoice: { type: boolean }
                weights:
                  type: object
                  description: Points out of 100 per criterion, within the category's bounds, adding up to 100.
                  properties:
                    price: { type: integer, minimum: 0, maximum: 100 }
                    coreCompetency: { type: integer, minimum: 0, maximum: 100 }
                    outcomes: { type: integer, minimum: 0, maximum: 100 }
                    needs: { type: integer, minimum: 0, maximum: 100 }
                    location: { type: integer, minimum: 0, maximum: 100 }
                    desirables: { type: integer, minimum: 0, maximum: 100 }
                    incentives: { type: integer, minimum: 0, maximum: 100 }
            Referral:
              type: object
              required: [id, reference, state, kind, category, pattern, startDate, durationWeeks, children, places, \#
        homeDistrict, needs, mustHaves, desirables, outcomes, weights, radiusMiles, deadline, parentChoice, invited, \#
        bidsReceived]
              properties:
                id: { type: string, format: uuid }
                reference: { type: string }
                state: { type: string, enum: [draft, published, closed, awaitingParent, awarded, cancelled, reissued] }
                kind: { type: string }
                category: { type: string }
                pattern: { type: string }
                startDate: { type: string }
                durationWeeks: { type: integer }
                children: { type: integer }
                places: { type: integer }
                childAge: { type: [integer, 'null'] }
                homeDistrict: { type: string }
                needs: { type: array, items: { $ref: '#/components/schemas/IdentifiedItem' } }
                mustHaves: { type: array, items: { $ref: '#/components/schemas/IdentifiedItem' } }
                desirables: { type: array, items: { $ref: '#/components/schemas/IdentifiedItem' } }
                outcomes: { type: array, items: { type: string } }
                weights: { type: object, additionalProperties: { type: integer } }
                radiusMiles: { type: number }
                deadline: { type: string, format: date-time }
                parentChoice: { type: boolean }
                publishedAt: { type: [string, 'null'], format: date-time }
                closedAt: { type: [string, 'null'], format: date-time }
                invited: { type: integer }
                bidsReceived: { type: integer }
            BidInput:
              type: object
              required: [corePence, outcomesStatement]
              properties:
                corePence:
                  type: object
                  description: The weekly price in pence of every line of the approved core cost schedule, by line \#
        key; each may be lowered, never raised.
                  additionalProperties: { type: integer, minimum: 0, maximum: 1000000000000 }
                variable:
                  type: array
                  maxItems: 5
                  items:
                    type: object
                    required: [description, weeklyPence]
                    properties:
                      description: { type: string, minLength: 1, maxLength: 1000 }
                      weeklyPence: { type: integer, minimum: 0, maximum: 1000000000000 }
                discountBasisPoints: { type: integer, minimum: 0, maximum: 9999, description: 'Hundredths of a per \#
        cent; only for children the discount tiers cover.' }
                outcomesStatement: { type: string, minLength: 1, maxLength: 20000 }
                incentive: { type: string, maxLength: 20000 }
                carerDistrict: { type: string, maxLength: 500, description: Postcode district of the proposed carer \#
        (fostering). }
                needsMet: { type: array, maxItems: 50, items: { type: string } }
                mustHavesMet: { type: array, maxItems: 50, items: { type: string } }
                desirablesMet: { type: array, maxItems: 50, items: { type: string } }
            Placement:
              type: object
              required: [id, establishment, contractName, startDate, status, weeklyFeePence, core, variable, \#
        discountBasisPoints, outcomes, reviewDates, direct]
              properties:
                id: { type: string, format: uuid }
                reference: { type: [string, 'null'] }
                referral: { type: [string, 'null'], format: uuid, description: Empty for a direct placement. }
                expectedEndDate: { type: [string, 'null'], format: date }
                status: { type: string, enum: [active, ended] }
                establishment: { type: string }
                urn: { type: [string, 'null'] }
                contractName: { type: string }
                startDate: { type: string }
                weeklyFeePence: { type: integer }
                core: { type: array, items: { type: object, required: [line, weeklyPence], properties: { line: { \#
        type: string }, weeklyPence: { type: integer } } } }
                variable: { type: array, items: { type: object, required: [description, weeklyPence], properties: { \#
        description: { type: string }, weeklyPence: { type: integer } } } }
                discountBasisPoints: { type: integer }
                outcomes: { type: array, items: { type: string } }
                reviewDates: { type: array, items: { type: string } }
                direct: { type: boolean }
                authorityAcceptedAt: { type: [string, 'null'], format: date-time }
                providerAcceptedAt: { type: [string, 'null'], format: date-time }
        """#
}

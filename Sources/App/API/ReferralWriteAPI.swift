import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The referral journey for a council's case-management system and a provider's bid software: the same use
/// cases the pages call, over JSON with bearer tokens. Each handler decodes a typed body (numbers bounded by
/// the domain's rules, which name the field), calls one use case and maps its result to a wire type.
struct ReferralWriteAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.post("referrals", use: create)
        api.get("referrals", ":id", use: read)
        api.get("referrals", ":id", "eligibility", use: eligibility)
        api.post("referrals", ":id", "publish", use: publish)
        api.post("referrals", ":id", "close", use: close)
        api.put("referrals", ":id", "bids", ":bidId", "score", use: score)
        api.get("referrals", ":id", "evaluation", use: evaluation)
        api.post("referrals", ":id", "award", use: award)
        api.put("invitations", ":id", "bid", use: bid)
        api.delete("invitations", ":id", "bid", use: withdraw)
        api.post("invitations", ":id", "decline", use: decline)
        api.get("placements", ":id", use: placement)
    }

    // MARK: Wire types

    struct MarkedItem: Content {
        var text: String
        var marks: Int?
        var code: NeedArea?
    }
    struct IdentifiedItem: Content {
        var id: String
        var text: String
        var marks: Int?
        var code: NeedArea?
    }

    struct ReferralBody: Content {
        var category: UUID
        var kind: String?
        var pattern: String
        var startDate: String
        var durationWeeks: Int
        var children: Int?
        var places: Int?
        var voidTerms: String?
        var childAge: Int?
        var childGender: String?
        var homePostcode: String
        var childDetails: String?
        var needs: [MarkedItem]
        var mustHaves: [String]?
        var desirables: [MarkedItem]?
        var outcomes: [String]
        var radiusMiles: Double
        var deadline: Date
        var parentChoice: Bool?
        var weights: [String: Int]?
    }

    struct ReferralView: Content {
        var id: UUID
        var reference: String
        var state: String
        var kind: String
        var category: String
        var pattern: String
        var startDate: String
        var durationWeeks: Int
        var children: Int
        var places: Int
        var childAge: Int?
        var homeDistrict: String
        var needs: [IdentifiedItem]
        var mustHaves: [IdentifiedItem]
        var desirables: [IdentifiedItem]
        var outcomes: [String]
        var weights: [String: Int]
        var radiusMiles: Double
        var deadline: Date
        var parentChoice: Bool
        var publishedAt: Date?
        var closedAt: Date?
        /// Establishments invited, and bids received: a count only, since bids stay sealed until the deadline.
        var invited: Int
        var bidsReceived: Int
    }

    struct EligibilityView: Content {
        var radiusMiles: Double
        var eligible: Int
        var minimum: Int
        var proposedRadiusMiles: Double?
    }
    struct PublishedView: Content {
        var invited: Int
        var referral: ReferralView
    }

    struct BidBody: Content {
        struct Item: Content {
            var description: String
            var weeklyPence: Int
        }
        /// Weekly price of each approved core line, in pence, by line key.
        var corePence: [String: Int]
        var variable: [Item]?
        var discountBasisPoints: Int?
        var outcomesStatement: String
        var incentive: String?
        var carerDistrict: String?
        var needsMet: [String]?
        var mustHavesMet: [String]?
        var desirablesMet: [String]?
    }

    struct BidReceipt: Content {
        var invitation: UUID
        var state: String
        var weeklyCostPence: Int
        var submittedAt: Date
    }
    struct DeclineBody: Content {
        var reason: String
        var note: String?
    }
    struct ScoreBody: Content {
        var criterion: String
        var score: Int
        var comment: String
    }
    struct ScoreReceipt: Content {
        var bid: UUID
        var criterion: String
        var score: Int
        var consensus: Bool
    }

    struct EvaluationView: Content {
        var referral: UUID
        var state: String
        var evaluation: EvaluationResult
        /// Bids still waiting for a consensus outcomes score: nothing can be awarded until none are left.
        var unscored: [UUID]
    }

    struct AwardView: Content {
        var referral: UUID
        var placement: UUID
        var bid: UUID?
        var weeklyFeePence: Int
    }

    struct PlacementView: Content {
        struct Line: Content {
            var line: String
            var weeklyPence: Int
        }
        struct Item: Content {
            var description: String
            var weeklyPence: Int
        }
        var id: UUID
        var reference: String?
        var referral: UUID?
        var establishment: String
        var urn: String?
        var contractName: String
        var startDate: String
        var expectedEndDate: String?
        var status: String
        var weeklyFeePence: Int
        var core: [Line]
        var variable: [Item]
        var discountBasisPoints: Int
        var outcomes: [String]
        var reviewDates: [String]
        var direct: Bool
        var authorityAcceptedAt: Date?
        var providerAcceptedAt: Date?
    }

    // MARK: Handlers

    func create(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let body = try req.content.decode(ReferralBody.self)
        let r = try await Referrals.create(command(body), actor: actor, db: req.db, now: req.now)
        return try await view(r, db: req.db).encodeResponse(status: .created, for: req)
    }

    func read(req: Request) async throws -> Response {
        try await req.application.storedViews.api(req) {
            let r = try await Referrals.own(try id(req), actor: try req.requireActor(), db: req.db)
            return try await view(r, db: req.db).encodeResponse(for: req)
        }
    }

    func eligibility(req: Request) async throws -> EligibilityView {
        let r = try await Referrals.own(try id(req), actor: try req.requireActor(), db: req.db)
        let preview = try await Referrals.preview(r, db: req.db)
        return EligibilityView(
            radiusMiles: r.radiusMiles, eligible: preview.eligible, minimum: preview.minimum,
            proposedRadiusMiles: preview.proposedRadius)
    }

    func publish(req: Request) async throws -> PublishedView {
        let actor = try req.requireActor()
        let id = try id(req)
        let invited = try await Referrals.publish(id, actor: actor, db: req.db, now: req.now)
        return PublishedView(
            invited: invited,
            referral: try await view(try await Referrals.own(id, actor: actor, db: req.db), db: req.db))
    }

    func close(req: Request) async throws -> ReferralView {
        let actor = try req.requireActor()
        let id = try id(req)
        try await Referrals.closeOnDemand(id, actor: actor, db: req.db, now: req.now)
        return try await view(try await Referrals.own(id, actor: actor, db: req.db), db: req.db)
    }

    func score(req: Request) async throws -> ScoreReceipt {
        let actor = try req.requireActor()
        guard let bidID = req.parameters.get("bidId", as: UUID.self) else {
            throw Abort(.notFound, reason: "No such bid.")
        }
        let body = try req.content.decode(ScoreBody.self)
        // The API records the panel's consensus, the score the evaluation uses.
        try await Referrals.scoreBid(
            try id(req), bidID: bidID,
            .init(
                criterion: EvaluationCriterion(rawValue: body.criterion), score: body.score, comment: body.comment,
                consensus: true),
            actor: actor, db: req.db, now: req.now)
        return ScoreReceipt(bid: bidID, criterion: body.criterion, score: body.score, consensus: true)
    }

    /// The whole evaluation with every breakdown; sealed (409) until the referral closes.
    func evaluation(req: Request) async throws -> Response {
        try await req.application.storedViews.api(req) { try await evaluationView(req).encodeResponse(for: req) }
    }

    private func evaluationView(_ req: Request) async throws -> EvaluationView {
        let r = try await Referrals.own(try id(req), actor: try req.requireActor(), db: req.db)
        guard Referrals.isOpened(r) else {
            throw UseCaseError(
                .conflict,
                "Bids are sealed until the deadline (\(DisplayDate.dateTime(r.deadline))); "
                    + "nothing can be evaluated before then."
            )
        }
        let evaluation = try await Referrals.evaluate(r, db: req.db)
        return EvaluationView(
            referral: try r.requireID(), state: r.state, evaluation: evaluation.result,
            unscored: evaluation.unscored.map(\.id))
    }

    func award(req: Request) async throws -> Response {
        let p = try await Referrals.award(try id(req), actor: try req.requireActor(), db: req.db, now: req.now)
        return try await AwardView(
            referral: try id(req), placement: try p.requireID(), bid: p.bidID, weeklyFeePence: p.weeklyFeePence
        )
        .encodeResponse(status: .created, for: req)
    }

    func bid(req: Request) async throws -> BidReceipt {
        let actor = try req.requireActor()
        let id = try id(req)
        let body = try req.content.decode(BidBody.self)
        let command = Referrals.BidCommand(
            corePence: body.corePence,
            variable: (body.variable ?? []).map { BidItem(description: $0.description, pence: $0.weeklyPence) },
            discountBasisPoints: body.discountBasisPoints ?? 0, outcomesStatement: body.outcomesStatement,
            incentive: body.incentive ?? "",
            carerDistrict: body.carerDistrict, needsMet: body.needsMet ?? [], mustHavesMet: body.mustHavesMet ?? [],
            desirablesMet: body.desirablesMet ?? [])
        try await Referrals.bid(id, command, actor: actor, db: req.db, now: req.now)
        guard let stored = try await BidRecord.query(on: req.db).filter(\.$invitation.$id == id).first() else {
            throw UseCaseError(.internalFailure, "The bid was saved but cannot be read back.")
        }
        return BidReceipt(
            invitation: id, state: stored.state, weeklyCostPence: stored.weeklyCostPence,
            submittedAt: stored.submittedAt)
    }

    func withdraw(req: Request) async throws -> HTTPStatus {
        try await Referrals.withdraw(try id(req), actor: try req.requireActor(), db: req.db, now: req.now)
        return .noContent
    }

    func decline(req: Request) async throws -> HTTPStatus {
        let actor = try req.requireActor()
        let body = try req.content.decode(DeclineBody.self)
        try await Referrals.decline(
            try id(req), reason: body.reason, note: body.note, actor: actor, db: req.db, now: req.now)
        return .noContent
    }

    func placement(req: Request) async throws -> PlacementView {
        let p = try await Referrals.placement(try id(req), actor: try req.requireActor(), db: req.db)
        let core: [String: Int] = try Referrals.decode(p.coreJSON) ?? [:]
        let variable: [BidItem] = try Referrals.decode(p.variableJSON) ?? []
        return PlacementView(
            id: try p.requireID(), reference: p.reference, referral: p.referralID, establishment: p.establishment.name,
            urn: p.establishment.urn, contractName: p.contractName, startDate: p.startDate,
            expectedEndDate: p.expectedEndDate,
            status: p.status, weeklyFeePence: p.weeklyFeePence,
            core: core.sorted { $0.key < $1.key }.map { PlacementView.Line(line: $0.key, weeklyPence: $0.value) },
            variable: variable.map { PlacementView.Item(description: $0.description, weeklyPence: $0.pence) },
            discountBasisPoints: p.discountBasisPoints, outcomes: try Referrals.decode(p.outcomesJSON) ?? [],
            reviewDates: try Referrals.decode(p.reviewDatesJSON) ?? [], direct: p.direct,
            authorityAcceptedAt: p.authorityAcceptedAt, providerAcceptedAt: p.providerAcceptedAt)
    }

    // MARK: Mapping

    private func id(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound, reason: "Not found.") }
        return id
    }

    /// The JSON body as the typed command. Weights outside 0-100 become -1, which the rules refuse by name.
    private func command(_ body: ReferralBody) -> Referrals.NewReferral {
        let block = body.kind == "block"
        var weights: [ReferralCriterion: Int] = [:]
        for c in ReferralCriterion.allCases {
            let given = body.weights?[c.rawValue]
            weights[c] =
                body.weights == nil ? c.defaultPoints : given.flatMap { Bounded.points.contains($0) ? $0 : nil } ?? -1
        }
        func marked(_ items: [MarkedItem], prefix: String) -> [ReferralNeed] {
            items.enumerated().map {
                ReferralNeed(
                    id: "\(prefix)\($0.offset + 1)", text: $0.element.text.trimmed, marks: $0.element.marks ?? 1,
                    code: $0.element.code)
            }
        }
        let draft = ReferralDraft(
            pattern: PlacementPattern(rawValue: body.pattern), startDate: LocalDate(iso: body.startDate.trimmed),
            durationWeeks: body.durationWeeks, children: body.children ?? 1, childAge: body.childAge,
            childGender: body.childGender ?? "", needs: marked(body.needs, prefix: "n"),
            mustHaves: (body.mustHaves ?? []).map(\.trimmed), desirables: marked(body.desirables ?? [], prefix: "d"),
            outcomes: body.outcomes.map(\.trimmed), weights: weights, radiusMiles: body.radiusMiles,
            deadline: body.deadline,
            parentChoice: body.parentChoice ?? false, places: body.places ?? 1,
            voidTerms: (body.voidTerms ?? "").trimmed)
        let kindError =
            body.kind.map { ["spot", "block"].contains($0) } == false
            ? [FieldError(field: "kind", message: "The kind is spot or block")] : []
        return Referrals.NewReferral(
            categoryID: body.category, block: block, draft: draft, homePostcode: body.homePostcode,
            childDetails: body.childDetails ?? "", unreadable: kindError)
    }

    private func view(_ r: ReferralRecord, db: any Database) async throws -> ReferralView {
        let content = try await Referrals.Content.load(r, db: db)
        let id = try r.requireID()
        let responses = try await Referrals.responses(id, declines: false, db: db)
        // Read by `own` with its category already; a newly created referral has only the id.
        var category = r.$category.value
        if category == nil { category = try await CategoryRecord.find(r.$category.id, on: db) }
        return ReferralView(
            id: id, reference: r.reference, state: r.state, kind: r.kind, category: category?.code ?? "",
            pattern: r.pattern,
            startDate: r.startDate, durationWeeks: r.durationWeeks, children: r.children, places: r.places,
            childAge: r.childAge,
            homeDistrict: r.homeDistrict,
            needs: content.needs.map { IdentifiedItem(id: $0.id, text: $0.text, marks: $0.marks, code: $0.code) },
            mustHaves: content.mustHaves.enumerated().map {
                IdentifiedItem(id: "m\($0.offset + 1)", text: $0.element, marks: nil, code: nil)
            },
            desirables: content.desirables.map {
                IdentifiedItem(id: $0.id, text: $0.text, marks: $0.marks, code: $0.code)
            },
            outcomes: content.outcomes, weights: content.weights, radiusMiles: r.radiusMiles, deadline: r.deadline,
            parentChoice: r.parentChoice, publishedAt: r.publishedAt, closedAt: r.closedAt,
            invited: responses.invited, bidsReceived: responses.submittedBids)
    }
}

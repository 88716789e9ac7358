import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The JSON API under /api/v1, described by `OpenAPISpec.yaml` (served at /api/v1/openapi.yaml).
/// Clients authenticate with a bearer token from POST /api/v1/tokens.
struct APIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1")
        api.get("openapi.yaml") { _ -> Response in
            let response = Response(status: .ok, body: .init(string: OpenAPISpec.yaml))
            response.headers.contentType = HTTPMediaType(type: "application", subType: "yaml")
            return response
        }
        api.post("tokens", use: createToken)
        api.get("tokens", use: listTokens)
        api.delete("tokens", ":id", use: revokeToken)
        api.get("dps", use: dps)
        api.get("categories", use: categories)
        api.get("registers", ":urn", use: register)
        api.get("establishments", use: establishments)
        api.post("establishments", use: createEstablishment)
        api.get("applications", use: applications)
        api.get("applications", ":id", use: application)
        api.get("memberships", use: memberships)
        api.get("audit", "verify", use: auditVerify)
    }

    struct TokenRequest: Content {
        var email: String
        var password: String
        var label: String?
    }
    struct TokenResponse: Content {
        var token: String
        var expiresAt: Date
        var role: String
        var organisation: String
    }

    func createToken(req: Request) async throws -> TokenResponse {
        let body = try req.content.decode(TokenRequest.self)
        guard
            let user = try await req.verifiedUser(
                email: String(body.email.trimmed.lowercased().prefix(320)),
                password: String(body.password.prefix(1_000)))
        else {
            throw Abort(.unauthorized, reason: "The email address or password is not right.")
        }
        let token = Tokens.random()
        let expires = req.now.addingTimeInterval(30 * 24 * 3600)
        try await req.db.writeTransaction { db in
            let record = APIToken(
                userID: try user.requireID(), tokenHash: Tokens.hash(token),
                label: String((body.label ?? "API client").prefix(100)), expiresAt: expires)
            try await record.create(on: db)
            try await Audit.record(
                on: db, actor: nil, actorLabel: user.email, dps: nil, action: "api.token.created",
                entityType: "api_token",
                entityID: record.id,
                before: String?.none, after: ["label": record.label], at: req.now)
        }
        return TokenResponse(token: token, expiresAt: expires, role: user.role, organisation: user.organisation.name)
    }

    struct TokenView: Content {
        var id: UUID
        var label: String
        var createdAt: Date?
        var expiresAt: Date
    }

    /// The person's own tokens, newest first.
    func listTokens(req: Request) async throws -> [TokenView] {
        let actor = try req.requireActor()
        return try await APIToken.query(on: req.db).filter(\.$user.$id == actor.userID).sort(\.$expiresAt, .descending)
            .limit(100).all()
            .map { TokenView(id: $0.id!, label: $0.label, createdAt: $0.createdAt, expiresAt: $0.expiresAt) }
    }

    /// Revokes one of the person's own tokens; another person's answers 404.
    func revokeToken(req: Request) async throws -> HTTPStatus {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self),
            let token = try await APIToken.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == actor.userID)
                .first()
        else {
            throw Abort(.notFound, reason: "No such token.")
        }
        try await req.db.writeTransaction { db in
            try await token.delete(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: "api.token.revoked", entityType: "api_token", entityID: id,
                before: ["label": token.label], after: String?.none, at: req.now)
        }
        return .noContent
    }

    struct DPSView: Content {
        var id: UUID
        var title: String
        var leadAuthority: String
        var regime: String
        var validityStart: String
        var validityEnd: String
        var shortDeadlinesAgreed: Bool
        var parentChoiceBandPoints: Int
    }

    /// Public: the DPS's published terms.
    func dps(req: Request) async throws -> [DPSView] {
        try await DPSRecord.query(on: req.db).with(\.$lead).all().map {
            DPSView(
                id: $0.id!, title: $0.title, leadAuthority: $0.lead.name, regime: $0.regime,
                validityStart: $0.validityStart,
                validityEnd: $0.validityEnd, shortDeadlinesAgreed: $0.shortDeadlinesAgreed,
                parentChoiceBandPoints: $0.parentChoiceBandPoints)
        }
    }

    struct CategoryView: Content {
        var id: UUID
        var code: String
        var name: String
        var contractName: String
        var affordabilityCapPence: Int?
        var minimumInvitees: Int
        var openForApplications: Bool
        var content: CategoryContent
    }

    /// Public: every category's published criteria.
    func categories(req: Request) async throws -> [CategoryView] {
        try await CategoryRecord.query(on: req.db).sort(\.$position).all().map {
            CategoryView(
                id: $0.id!, code: $0.code, name: $0.name, contractName: $0.contractName,
                affordabilityCapPence: $0.affordabilityCapPence,
                minimumInvitees: $0.minimumInvitees, openForApplications: try $0.readinessProblems.isEmpty,
                content: try $0.content)
        }
    }

    func register(req: Request) async throws -> RegisterEntry {
        _ = try req.requireActor()
        guard let entry = try await Registers.entry(urn: req.parameters.get("urn") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "No establishment with that URN in the registers.")
        }
        return entry
    }

    struct EstablishmentView: Content {
        var id: UUID
        var name: String
        var type: String
        var urn: String?
        var postcode: String
        var postcodeDistrict: String
        var locationApproximate: Bool
        var ageLow: Int
        var ageHigh: Int
        var genders: String
        var capacity: Int
        var inspectorate: String
        var judgement: String
        var judgementDate: String?

        init(_ e: EstablishmentRecord) {
            id = e.id!
            name = e.name
            type = e.type
            urn = e.urn
            postcode = e.postcode
            postcodeDistrict = e.postcodeDistrict
            locationApproximate = e.locationApproximate
            ageLow = e.ageLow
            ageHigh = e.ageHigh
            genders = e.genders
            capacity = e.capacity
            inspectorate = e.inspectorate
            judgement = e.judgement
            judgementDate = e.judgementDate
        }
    }

    func establishments(req: Request) async throws -> [EstablishmentView] {
        try await ProviderUseCases.establishments(actor: try req.requireActor(), db: req.db).map(EstablishmentView.init)
    }

    func createEstablishment(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let e = try await ProviderUseCases.addEstablishment(
            try req.content.decode(ProviderUseCases.EstablishmentInput.self), actor: actor, db: req.db, now: req.now)
        return try await EstablishmentView(e).encodeResponse(status: .created, for: req)
    }

    struct ApplicationView: Content {
        var id: UUID
        var establishment: String
        var provider: String
        var state: String
        var submittedAt: Date?
        var deadline: String?
        var extended: Bool
        var categories: [CategoryPart]
        struct CategoryPart: Content {
            var category: String
            var decision: String
            var reason: String?
        }
    }

    /// Views of several applications, reading all their category parts in one query.
    private func views(_ apps: [ApplicationRecord], db: any Database) async throws -> [ApplicationView] {
        let parts = Dictionary(
            grouping: try await ApplicationCategoryRecord.query(on: db).filter(
                \.$application.$id ~~ apps.compactMap(\.id)
            ).with(\.$category).all(),
            by: { $0.$application.id })
        return apps.map { app in
            ApplicationView(
                id: app.id!, establishment: app.establishment.name, provider: app.organisation.name, state: app.state,
                submittedAt: app.submittedAt,
                deadline: app.deadline, extended: app.extended,
                categories: (parts[app.id!] ?? []).map {
                    .init(category: $0.category.code, decision: $0.decision, reason: $0.decisionReason)
                })
        }
    }

    /// Providers see their own applications; the lead authority sees submitted ones.
    func applications(req: Request) async throws -> Response {
        // Oldest first, as the API has always listed them, a page at a time.
        let list = try req.listPage()
        let page = try await ProviderUseCases.applications(
            actor: try req.requireActor(), page: list, oldestFirst: true, db: req.db)
        return try await views(page.rows, db: req.db).encodeResponse(for: req)
            .linking(page, path: "/api/v1/applications")
    }

    func application(req: Request) async throws -> ApplicationView {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else {
            throw Abort(.notFound, reason: "No such application.")
        }
        let app: ApplicationRecord
        if actor.isProvider {
            app = try await ProviderUseCases.ownApplication(id, actor: actor, db: req.db)
            try await app.$organisation.load(on: req.db)
        } else {
            app = try await Assessment.application(id, actor: actor, db: req.db)
        }
        return try await views([app], db: req.db)[0]
    }

    /// A page of memberships (`?page=N&limit=M`), with a `Link` header to the next and previous pages.
    /// Stored once per change of the data for each user (`ViewCache`).
    func memberships(req: Request) async throws -> Response {
        try await req.application.storedViews.api(req) { try await membershipsPage(req) }
    }

    private func membershipsPage(_ req: Request) async throws -> Response {
        let filter = try req.apiListFilter(Queries.membershipOptions)
        let page = try await Queries.memberships(
            actor: try req.requireActor(), filter: filter, page: try req.listPage(), db: req.db)
        return try await page.rows.encodeResponse(for: req)
            .linking(page, path: "/api/v1/memberships", query: filter.query(Queries.membershipOptions))
    }

    func auditVerify(req: Request) async throws -> Audit.Verification {
        let actor = try req.requireActor()
        try actor.require(.auditor, .contractManager, .dpsAdmin)
        return try await Audit.verify(on: req.db, scope: AccessPolicy.auditScope(of: actor, db: req.db))
    }
}

extension RegisterEntry: Content {}

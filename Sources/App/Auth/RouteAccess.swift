import DPSDomain
import DPSUseCases
import Vapor

/// The first gate of the access policy: which roles may call each route at all. Every route the app
/// registers has an entry here; a route without one is refused (and the route × role test fails), so a new
/// route cannot go out unguarded. The second gate is in the use cases (`AccessPolicy`, `Referrals.own`,
/// `Referrals.invitation`, `Referrals.placement`, `ProviderUseCases.ownApplication`, `Assessment.application`):
/// whether this person may touch this thing, by its DPS and organisation.
enum RouteAccess {
    enum Audience: Sendable {
        /// Public pages and documents, sign-in, the parent's private link (its token is the key).
        case anyone
        /// Anyone signed in; the use case narrows by organisation (dashboard, messages, placements).
        case signedIn
        case roles(Set<Role>)
    }

    static let leadStaff: Set<Role> = [.dpsAdmin, .evaluator, .contractManager, .panelMember, .auditor]
    /// Council staff: the lead authority's and the partners' (never providers).
    static let councilStaff: Set<Role> = leadStaff.union([.placementOfficer, .partnerViewer, .councilAdmin])
    static let providerStaff: Set<Role> = [.providerAdmin, .bidWriter]
    /// The market figures: council staff, but not the evaluators and young people's panel, whose work is scoring.
    static let figureReaders: Set<Role> = councilStaff.subtracting([.evaluator, .panelMember])
    static let officers = Set(Referrals.officerRoles)
    static let assessors: Set<Role> = [.evaluator, .dpsAdmin]
    static let auditReaders: Set<Role> = [.auditor, .contractManager, .dpsAdmin]
    /// Who manages their organisation's people (`Accounts.assignableRoles`).
    static let administrators: Set<Role> = [.providerAdmin, .councilAdmin, .dpsAdmin]

    /// "METHOD /path/:parameter" → who may call it.
    static let rules: [String: Audience] = [
        // Public
        "GET /healthz": .anyone, "GET /assets/app.css": .anyone, "GET /": .anyone, "GET /documents": .anyone,
        "GET /documents/:categoryID": .anyone, "GET /about/data": .anyone, "GET /published": .anyone,
        "GET /demand": .anyone,
        "GET /publication": .roles([.contractManager, .dpsAdmin, .auditor]),
        "POST /publication/sent": .roles([.contractManager]),
        "GET /figures": .roles(figureReaders), "GET /figures.csv": .roles(figureReaders),
        "GET /figures/capacity": .roles(figureReaders), "GET /results.csv": .roles(providerStaff),
        "GET /sign-in": .anyone,
        "POST /sign-in": .anyone,
        "POST /sign-out": .anyone, "GET /register": .anyone, "POST /register": .anyone,
        "GET /password-reset": .anyone, "POST /password-reset": .anyone, "GET /password/:token": .anyone,
        "POST /password/:token": .anyone,
        "GET /account/people": .roles(administrators), "POST /account/people": .roles(administrators),
        "POST /account/people/:id": .roles(administrators), "GET /account/people/:id/edit": .roles(administrators),
        "POST /account/people/:id/edit": .roles(administrators),
        "GET /choice/:token": .anyone, "POST /choice/:token": .anyone,
        "GET /api/v1/openapi.yaml": .anyone, "POST /api/v1/tokens": .anyone, "GET /api/v1/dps": .anyone,
        "GET /api/v1/ocds/releases": .anyone, "GET /api/v1/ocds/records/:ocid": .anyone,
        "GET /api/v1/ocds/quarters/:quarter": .anyone, "GET /api/v1/ocds/download": .anyone,
        "GET /api/v1/categories": .anyone, "POST /api/v1/evaluations/preview": .anyone,
        // Everyone signed in (the use case decides what each organisation sees)
        "GET /dashboard": .signedIn, "GET /messages": .signedIn, "GET /memberships": .signedIn,
        "GET /memberships/:id": .signedIn, "GET /memberships.csv": .signedIn,
        "POST /memberships/:id/suspend": .roles([.contractManager]),
        "POST /memberships/:id/reinstate": .roles([.contractManager]),
        "POST /memberships/:id/keep": .roles([.contractManager]),
        "GET /register-watch": .roles([.contractManager, .dpsAdmin, .auditor]),
        "GET /register-watch/:id": .roles([.contractManager, .dpsAdmin, .auditor]),
        "POST /register-watch/:id": .roles([.contractManager, .dpsAdmin]),
        "POST /memberships/:id/respond": .roles([.providerAdmin]),
        "POST /memberships/:id/renew": .roles([.providerAdmin]),
        "POST /memberships/:id/rescore": .roles([.contractManager]),
        "POST /memberships/:id/concern": .roles([.placementOfficer, .councilAdmin, .contractManager]),
        "POST /memberships/:id/review": .roles([.contractManager]),
        "GET /compliance": .roles([.contractManager, .dpsAdmin, .auditor, .providerAdmin, .bidWriter]),
        "POST /compliance": .roles([.contractManager]), "GET /compliance/:id": .signedIn,
        "POST /compliance/:id/confirm": .roles([.providerAdmin]),
        "POST /compliance/:id/fail": .roles([.contractManager]),
        "GET /fee-reviews": .roles([.contractManager, .dpsAdmin, .auditor, .providerAdmin, .bidWriter]),
        "POST /fee-reviews": .roles([.contractManager]), "GET /fee-reviews/:id": .signedIn,
        "POST /fee-reviews/:id/decide": .roles([.contractManager]),
        "POST /fee-reviews/:id/close": .roles([.contractManager]),
        "GET /fee-reviews/:id/memberships/:membershipID": .roles([.providerAdmin]),
        "POST /fee-reviews/:id/memberships/:membershipID": .roles([.providerAdmin]),
        "GET /cost-sharing": .roles([
            .dpsAdmin, .contractManager, .auditor, .councilAdmin, .partnerViewer, .placementOfficer,
        ]),
        "POST /cost-sharing": .roles([.dpsAdmin, .contractManager]),
        "POST /cost-sharing/supplier-fee": .roles([.dpsAdmin]),
        "GET /reviews": .signedIn, "GET /reviews/:id": .signedIn, "GET /reviews/:id/visits/:visitID": .signedIn,
        "POST /reviews/:id/actions": .roles([.contractManager]),
        "POST /reviews/:id/done": .roles([.contractManager]), "POST /reviews/:id/report": .roles([.contractManager]),
        "POST /reviews/:id/visits": .roles([.contractManager]), "POST /reviews/:id/close": .roles([.contractManager]),
        "GET /memberships/:id/responses/:responseID": .signedIn,
        "GET /placements/:id": .signedIn, "GET /api/v1/tokens": .signedIn, "DELETE /api/v1/tokens/:id": .signedIn,
        "GET /api/v1/registers/:urn": .signedIn, "GET /api/v1/applications": .signedIn,
        "GET /api/v1/applications/:id": .signedIn, "GET /api/v1/memberships": .signedIn,
        "GET /api/v1/placements/:id": .signedIn,
        "POST /placements/:id/accept": .roles([.providerAdmin, .placementOfficer, .dpsAdmin]),
        "GET /placements": .signedIn, "GET /placements/:id/reviews/:reviewID": .roles([.providerAdmin]),
        "POST /placements/:id/reviews/:reviewID": .roles([.providerAdmin]),
        "POST /placements/:id/reviews/:reviewID/answer": .roles(officers),
        "GET /placements/:id/reviews/:reviewID/evidence/:outcome": .signedIn,
        "POST /placements/:id/changes": .roles(officers.union([.providerAdmin])),
        "POST /placements/:id/changes/:changeID": .roles(officers.union([.providerAdmin])),
        "POST /placements/:id/end": .roles(officers.union([.providerAdmin])),
        // DPS administration
        "GET /admin/dps": .roles([.dpsAdmin]), "POST /admin/dps": .roles([.dpsAdmin]),
        "POST /admin/dps/:id": .roles([.dpsAdmin]),
        "POST /admin/dps/:id/validity": .roles([.dpsAdmin]), "POST /admin/dps/:id/windows": .roles([.dpsAdmin]),
        "POST /admin/dps/:id/partners": .roles([.dpsAdmin]), "POST /admin/dps/:id/categories": .roles([.dpsAdmin]),
        "GET /admin/categories/:id": .roles([.dpsAdmin]), "POST /admin/categories/:id/settings": .roles([.dpsAdmin]),
        "POST /admin/categories/:id/items": .roles([.dpsAdmin]),
        "POST /admin/categories/:id/items/remove": .roles([.dpsAdmin]),
        "GET /admin/urn-claims": .roles(auditReaders),
        "POST /admin/urn-claims/:id": .roles([.dpsAdmin, .contractManager]),
        "GET /admin/mail": .roles([.dpsAdmin, .contractManager]), "GET /audit": .roles(auditReaders),
        "GET /audit.csv": .roles(auditReaders),
        "GET /api/v1/audit/verify": .roles(auditReaders),
        // Providers
        "GET /provider/organisation": .roles(providerStaff), "GET /provider/standing": .roles(providerStaff),
        "GET /provider/establishments": .roles(providerStaff),
        "GET /provider/establishments/new": .roles(providerStaff),
        "POST /provider/establishments": .roles([.providerAdmin]),
        "GET /provider/establishments/:id/edit": .roles([.providerAdmin]),
        "POST /provider/establishments/:id/edit": .roles([.providerAdmin]),
        "POST /provider/organisation": .roles([.providerAdmin]),
        "POST /provider/establishments/claims": .roles([.providerAdmin]),
        "GET /provider/applications": .roles(providerStaff), "POST /provider/applications": .roles([.providerAdmin]),
        "GET /provider/applications/:id": .roles(providerStaff),
        "POST /provider/applications/:id": .roles([.providerAdmin]),
        "POST /provider/applications/:id/evidence/:partID": .roles([.providerAdmin]),
        "GET /provider/evidence/:docID": .roles(providerStaff.union(leadStaff)),
        "POST /provider/applications/:id/clarifications/:cid": .roles(providerStaff),
        "GET /provider/invitations": .roles(providerStaff), "GET /provider/invitations/:id": .roles(providerStaff),
        "POST /provider/invitations/:id/bid": .roles(providerStaff),
        "POST /provider/invitations/:id/withdraw": .roles(providerStaff),
        "POST /provider/invitations/:id/decline": .roles(providerStaff),
        "GET /api/v1/establishments": .roles(providerStaff), "POST /api/v1/establishments": .roles([.providerAdmin]),
        "GET /api/v1/invitations": .roles(providerStaff), "GET /api/v1/invitations/:id": .roles(providerStaff),
        "PUT /api/v1/invitations/:id/bid": .roles(providerStaff),
        "DELETE /api/v1/invitations/:id/bid": .roles(providerStaff),
        "POST /api/v1/invitations/:id/decline": .roles(providerStaff),
        // Assessment of applications (the lead authority)
        "GET /assessment": .roles(leadStaff), "GET /assessment/report": .roles(leadStaff),
        "GET /assessment/:id": .roles(leadStaff),
        "POST /assessment/:id/review/:partID": .roles(assessors),
        "POST /assessment/:id/score/:partID": .roles(assessors.union([.panelMember])),
        "POST /assessment/:id/clarify": .roles(assessors), "POST /assessment/:id/extend": .roles(assessors),
        "POST /assessment/:id/decide/:partID": .roles(assessors),
        // Referrals (councils)
        "GET /referrals": .roles(councilStaff), "GET /referrals/new": .roles(officers),
        "POST /referrals": .roles(officers),
        "GET /referrals/direct": .roles(officers), "POST /referrals/direct": .roles(officers),
        "GET /referrals/:id": .roles(councilStaff),
        "POST /referrals/:id/radius": .roles(officers), "POST /referrals/:id/publish": .roles(officers),
        "POST /referrals/:id/extend": .roles(officers), "POST /referrals/:id/cancel": .roles(officers),
        "POST /referrals/:id/close": .roles(officers),
        "POST /referrals/:id/score/:bidID": .roles(officers.union([.partnerViewer])),
        "POST /referrals/:id/parent": .roles(officers), "POST /referrals/:id/award": .roles(officers),
        "POST /referrals/:id/reissue": .roles(officers),
        "GET /api/v1/referrals": .roles(councilStaff), "POST /api/v1/referrals": .roles(officers),
        "GET /api/v1/referrals/:id": .roles(councilStaff), "GET /api/v1/referrals/:id/bids": .roles(councilStaff),
        "GET /api/v1/referrals/:id/eligibility": .roles(councilStaff),
        "POST /api/v1/referrals/:id/publish": .roles(officers),
        "POST /api/v1/referrals/:id/close": .roles(officers),
        "PUT /api/v1/referrals/:id/bids/:bidId/score": .roles(officers),
        "GET /api/v1/referrals/:id/evaluation": .roles(councilStaff),
        "POST /api/v1/referrals/:id/award": .roles(officers),
    ]

    /// The key of a route in `rules`.
    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /"
            + route.path.map { component -> String in
                if case .parameter(let name) = component { return ":\(name)" }
                return component.description
            }.joined(separator: "/")
    }

    /// Refuses the request when its route's audience does not include the person asking: 401 when nobody is
    /// signed in, 403 otherwise. HEAD requests are judged as the GET they mirror.
    static func check(_ request: Request) throws {
        guard let route = request.route else { return }  // no route: the router answers 404 or 405
        var key = key(route)
        if key.hasPrefix("HEAD ") { key = "GET " + key.dropFirst(5) }
        guard let audience = rules[key] else {
            request.logger.error("Route \(key) has no entry in RouteAccess.rules; refused")
            throw Abort(.forbidden, reason: "This route has no access rule.")
        }
        switch audience {
        case .anyone: return
        case .signedIn: _ = try request.requireActor()
        case .roles(let roles):
            let actor = try request.requireActor()
            guard roles.contains(actor.role) else {
                throw Abort(.forbidden, reason: "Your role (\(actor.role.label)) cannot do this.")
            }
        }
    }
}

/// Applies `RouteAccess` to every request, after the person asking is known and before any handler runs.
struct RouteAccessMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try RouteAccess.check(request)
        return try await next.respond(to: request)
    }
}

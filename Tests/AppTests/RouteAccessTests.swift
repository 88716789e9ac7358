import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// Every registered route, called by every role: West Sussex's staff of each role, a partner's officer and
/// viewer, two providers' admins and a bid writer, a second lead authority (Hampshire) with its own DPS,
/// a council that is a partner of nothing (Dorset), and nobody. Identifiers in the paths are West Sussex's
/// real ones (its DPS, category, application, evidence, referral, bid, invitation, placement), so a refusal
/// is tested against things that exist.
@Suite("Route × role: every route has a rule, and every role outside it is refused", .serialized)
struct RouteAccessTests {
    typealias Browser = HTTPTests.Browser
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!
    let http = HTTPTests()

    /// Someone who can sign in, by e-mail, with their role; `outsider` when their organisation has no part in
    /// West Sussex's DPS or in the referral (Hampshire, Dorset, and Cedar, a provider that was not invited).
    struct Person {
        var email: String
        var role: Role
        var outsider: Bool
    }

    /// What the walk needs: the people and one real identifier per path parameter, by route prefix.
    struct Scene {
        var people: [Person]
        var ids: [String: String]
        /// Text only the placing council, the lead authority and the awarded provider (on the agreement) may read:
        /// the child's name and case reference.
        var secrets: [String]
    }

    private func scene(_ app: Application) async throws -> Scene {
        let rw = try await ReferralWorld.make(app)
        let w = rw.w
        let application = try await w.application(app, codes: ["sen-inmss"])
        let part = try #require(
            try await ApplicationCategoryRecord.query(on: app.db).filter(\.$application.$id == application.id!).first())
        let evidence = try #require(try await EvidenceRecord.query(on: app.db).first())
        // A referral awarded to Acorn, with Birch's losing bid.
        let r = try await Referrals.create(
            rw.input(radius: 50, parentChoice: false), actor: w.officer, db: app.db, now: testNow)
        _ = try await Referrals.publish(r.id!, actor: w.officer, db: app.db, now: testNow)
        let invitations = try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == r.id!).with(
            \.$establishment
        ).all()
        let acorn = try #require(invitations.first { $0.establishment.name == "Acorn House" })
        let birch = try #require(invitations.first { $0.establishment.name == "Birch School" })
        try await Referrals.bid(
            acorn.id!, form: rw.bidForm(app, invitation: acorn, corePounds: 380), actor: w.provider, db: app.db,
            now: testNow)
        try await Referrals.bid(
            birch.id!, form: rw.bidForm(app, invitation: birch), actor: w.otherProvider, db: app.db, now: testNow)
        _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
        let bids = try await BidRecord.query(on: app.db).filter(\.$referral.$id == r.id!).all()
        for b in bids {
            try await Referrals.scoreBid(
                r.id!, bidID: b.id!, .init(criterion: .outcomes, score: 4, comment: "Clear.", consensus: true),
                actor: w.officer, db: app.db, now: afterDeadline)
        }
        let placement = try await Referrals.award(r.id!, actor: w.officer, db: app.db, now: afterDeadline)
        let acornBid = try #require(bids.first { $0.$invitation.id == acorn.id })

        // The remaining roles, and the outsiders.
        let hash = try app.password.hash(World.password)
        let ws = try #require(try await Organisation.find(w.admin.organisationID, on: app.db))
        let bh = try #require(try await Organisation.find(w.officer.organisationID, on: app.db))
        let acornCare = try #require(try await Organisation.find(w.provider.organisationID, on: app.db))
        let hampshire = Organisation(kind: OrganisationKind.leadAuthority.rawValue, name: "Hampshire")
        let dorset = Organisation(kind: OrganisationKind.partnerAuthority.rawValue, name: "Dorset")
        try await hampshire.create(on: app.db)
        try await dorset.create(on: app.db)
        var people = [
            Person(email: "admin@ws.test", role: .dpsAdmin, outsider: false),
            Person(email: "eval@ws.test", role: .evaluator, outsider: false),
            Person(email: "panel@ws.test", role: .panelMember, outsider: false),
            Person(email: "audit@ws.test", role: .auditor, outsider: false),
            Person(email: "officer@bh.test", role: .placementOfficer, outsider: false),
            Person(email: "admin@acorn.test", role: .providerAdmin, outsider: false),
            Person(email: "admin@birch.test", role: .providerAdmin, outsider: false),
            Person(email: "admin@cedar.test", role: .providerAdmin, outsider: true),
        ]
        for (org, email, role, outsider) in [
            (ws, "contracts@ws.test", Role.contractManager, false), (bh, "viewer@bh.test", .partnerViewer, false),
            (bh, "admin@bh.test", .councilAdmin, false), (dorset, "admin@dorset.test", .councilAdmin, true),
            (acornCare, "writer@acorn.test", .bidWriter, false),
            (hampshire, "admin@hants.test", .dpsAdmin, true), (hampshire, "eval@hants.test", .evaluator, true),
            (hampshire, "panel@hants.test", .panelMember, true), (hampshire, "audit@hants.test", .auditor, true),
            (hampshire, "contracts@hants.test", .contractManager, true),
            (dorset, "officer@dorset.test", .placementOfficer, true),
            (dorset, "viewer@dorset.test", .partnerViewer, true),
        ] {
            try await User(organisationID: org.id!, email: email, name: email, role: role.rawValue, passwordHash: hash)
                .create(on: app.db)
            people.append(Person(email: email, role: role, outsider: outsider))
        }
        let hantsAdmin = Actor(
            userID: UUID(), name: "Hants", email: "admin@hants.test", role: .dpsAdmin, organisationID: hampshire.id!,
            organisationKind: .leadAuthority, organisationName: "Hampshire")
        _ = try await DPSAdmin.create(
            .init(
                title: "Hampshire DPS", regime: .pcr2015, validityStart: LocalDate(iso: "2026-04-01"),
                validityEnd: LocalDate(iso: "2030-03-31"),
                shortDeadlinesAgreed: true, parentChoiceBandPoints: 5, description: "", terms: ""),
            actor: hantsAdmin, db: app.db, now: testNow)
        let ids: [String: String] = [
            "admin/dps": w.dps.id!.uuidString, "admin/categories": rw.category.id!.uuidString,
            "provider/applications": application.id!.uuidString, "assessment": application.id!.uuidString,
            "api/v1/applications": application.id!.uuidString, "partID": part.id!.uuidString,
            "provider/evidence": evidence.id!.uuidString, "referrals": r.id!.uuidString,
            "api/v1/referrals": r.id!.uuidString,
            "bidID": acornBid.id!.uuidString, "bidId": acornBid.id!.uuidString, "placements": placement.id!.uuidString,
            "api/v1/placements": placement.id!.uuidString, "provider/invitations": acorn.id!.uuidString,
            "api/v1/invitations": acorn.id!.uuidString, "urn": w.establishment.urn ?? "100000",
        ]
        return Scene(people: people, ids: ids, secrets: ["Jane Doe", "case 12345"])
    }

    /// The route's path with each parameter replaced by West Sussex's real identifier for it.
    private func path(_ route: Route, _ ids: [String: String]) -> String {
        var prefix: [String] = []
        var parts: [String] = []
        for component in route.path {
            if case .parameter(let name) = component {
                parts.append(ids[name] ?? ids[prefix.joined(separator: "/")] ?? UUID().uuidString)
            } else {
                parts.append(component.description)
            }
            prefix.append(component.description)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// One request as `person` (or nobody): the API with a bearer token, pages with a session and its CSRF token.
    private func call(_ app: Application, _ route: Route, _ path: String, browser: Browser?, token: String?)
        async throws -> TestingHTTPResponse
    {
        if path.hasPrefix("/api/") {
            let body: String? = route.method == .GET || route.method == .DELETE ? nil : "{}"
            return try await http.api(app, route.method, path, token: token, json: body)
        }
        let client = browser ?? Browser(app)
        return route.method == .GET ? try await client.get(path) : try await client.post(path, [:])
    }

    @Test("Every registered route has an access rule")
    func everyRouteHasARule() async throws {
        try await withApp { app in
            let missing = app.routes.all.map(RouteAccess.key).filter { RouteAccess.rules[$0] == nil }
            #expect(missing.isEmpty, "routes without a rule in RouteAccess.rules: \(missing)")
            let stale = Set(RouteAccess.rules.keys).subtracting(app.routes.all.map(RouteAccess.key))
            #expect(stale.isEmpty, "rules for routes that do not exist: \(stale.sorted())")
        }
    }

    @Test(
        """
        The OpenAPI document lists 403 for every API operation some roles may not call \
        (schemathesis found one missing)
        """
    )
    func documentedRefusals() async throws {
        try await withApp { app in
            let spec = OpenAPISpec.yaml
            for route in app.routes.all where route.path.first?.description == "api" {
                guard case .roles? = RouteAccess.rules[RouteAccess.key(route)] else { continue }
                let path = openAPIPath(route)
                // The operation's block: from its method line to the next method or path.
                let pattern =
                    "\n  \(NSRegularExpression.escapedPattern(for: path)):\n(    .*\n)*?"
                    + "    \(route.method.rawValue.lowercased()):\n((      .*|        .*)\n)*"
                let block = spec.range(of: pattern, options: .regularExpression).map { String(spec[$0]) } ?? ""
                #expect(block.contains("'403'"), "\(route.method) \(path) does not document 403")
            }
        }
    }

    @Test(
        """
        Each role outside a route's audience is refused, nobody signed in is sent to sign in, \
        and outsiders get nothing of West Sussex's
        """
    )
    func walk() async throws {
        try await withApp(now: afterDeadline) { app in
            // setup
            let scene = try await scene(app)
            var browsers: [String: Browser] = [:]
            var tokens: [String: String] = [:]
            for person in scene.people {
                let b = Browser(app)
                try await b.signIn(person.email)
                try await b.get("/messages")  // the signed-in session's CSRF token
                browsers[person.email] = b
                tokens[person.email] = try await http.token(app, person.email)
            }
            let routes = app.routes.all.filter { RouteAccess.rules[RouteAccess.key($0)] != nil }

            for route in routes {
                let key = RouteAccess.key(route)
                let target = path(route, scene.ids)
                guard case let audience? = RouteAccess.rules[key] else { continue }
                if case .anyone = audience { continue }

                // MUT: nobody signed in
                let before = try await auditCount(app)
                let anonymous = try await call(app, route, target, browser: nil, token: nil)
                #expect(try await auditCount(app) == before, "nobody changed something with \(key)")
                let toSignIn =
                    anonymous.status == .seeOther
                    && (anonymous.headers.first(name: .location) ?? "").hasPrefix("/sign-in")
                #expect(
                    anonymous.status == .unauthorized || toSignIn || anonymous.status == .forbidden,
                    "nobody: \(key) gave \(anonymous.status)")

                for person in scene.people {
                    let allowed: Bool =
                        switch audience {
                        case .anyone, .signedIn: true
                        case .roles(let roles): roles.contains(person.role)
                        }
                    // MUT: each person
                    let before = try await auditCount(app)
                    let res = try await call(
                        app, route, target, browser: browsers[person.email], token: tokens[person.email])
                    if !allowed || person.outsider {
                        #expect(try await auditCount(app) == before, "\(person.email) changed something with \(key)")
                    }
                    // validate
                    #expect(res.status.code < 500, "\(person.email): \(key) gave \(res.status)")
                    if !allowed {
                        #expect(
                            res.status == .forbidden,
                            "\(person.email) (\(person.role)): \(key) gave \(res.status), not 403")
                    } else if person.outsider && key.contains(":") && !key.hasSuffix(":urn") {
                        #expect(
                            res.status.code >= 400,
                            "outsider \(person.email): \(key) with West Sussex's id gave \(res.status)")
                    }
                    let awarded = person.email.hasSuffix("@acorn.test")
                    if person.outsider || person.role.organisationKind == .provider && !awarded {
                        let body = res.body.string
                        for secret in scene.secrets {
                            #expect(!body.contains(secret), "\(person.email) read \"\(secret)\" at \(key)")
                        }
                    }
                }
            }
        }
    }
}

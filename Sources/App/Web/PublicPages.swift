import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// Pages anyone can see: the home page, the procurement documents, sign in and provider registration.
struct PublicPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.home, use: home)
        routes.get(.documents, use: documents)
        routes.get(.document(category: .any), use: categoryDocument)
        routes.get(.aboutData, use: aboutData)
        routes.get(.signIn, use: signInPage)
        routes.post(.signIn, use: signIn)
        routes.post(.signOut, use: signOut)
        routes.get(.register, use: registerPage)
        routes.post(.register, use: register)
        routes.get(.dashboard, use: dashboard)
        routes.get(.messages, use: messages)
    }

    func home(req: Request) async throws -> Response {
        try await req.application.storedViews.publicPage(req) { try await homeView(req) }
    }

    private func homeView(_ req: Request) async throws -> Markup {
        let dps = try await DPSRecord.query(on: req.db).with(\.$lead).first()
        let memberships = try await MembershipRecord.query(on: req.db).filter(
            \.$state == MembershipState.active.rawValue
        ).count()
        let providers = try await Organisation.query(on: req.db).filter(\.$kind == OrganisationKind.provider.rawValue)
            .count()
        return Layout.page(title: "Home", context: PageContext(request: req)) {
            UI.h1("Buy children's placements fairly and fast")
            UI.p(
                "A dynamic purchasing system for councils placing children with special educational needs in "
                    + "independent schools, and looked-after children with fostering agencies and children's homes."
            )
            if let dps {
                el("div", .class("dps-grid")) {
                    el("div", .class("dps-card")) {
                        UI.h2(dps.title)
                        UI.p(
                            "Run by \(dps.lead.name). Open to new providers from "
                                + "\(LocalDate(iso: dps.validityStart)?.longForm ?? dps.validityStart) to "
                                + "\(LocalDate(iso: dps.validityEnd)?.longForm ?? dps.validityEnd)."
                        )
                    }
                    el("div", .class("dps-card")) {
                        UI.h2("\(memberships) active memberships")
                        UI.p("\(providers) provider organisations registered.")
                    }
                }
            }
            UI.h2("Providers")
            UI.p(
                "Register your organisation once, then apply for each school, home or fostering branch. "
                    + "Each category's criteria and scoring method are published in the procurement documents."
            )
            el("p") {
                UI.link("Register a provider organisation", .register)
                " or "
                UI.link("read the procurement documents", .documents)
            }
            UI.h2("Council officers")
            el("p") {
                UI.link("Sign in", .signIn)
                " to set up the DPS, assess applications or buy placements."
            }
        }
    }

    func documents(req: Request) async throws -> Response {
        try await req.application.storedViews.publicPage(req) { try await documentsView(req) }
    }

    private func documentsView(_ req: Request) async throws -> Markup {
        guard let dps = try await DPSRecord.query(on: req.db).with(\.$lead).first() else {
            throw Abort(.notFound, reason: "No DPS has been set up yet.")
        }
        let categories = try await CategoryRecord.query(on: req.db).filter(\.$dps.$id == dps.requireID()).sort(
            \.$position
        ).all()
        let partners = try await PartnerRecord.query(on: req.db).filter(\.$dps.$id == dps.requireID()).with(
            \.$organisation
        ).all()
        let windows = try await ClosedWindowRecord.query(on: req.db).filter(\.$dps.$id == dps.requireID()).sort(
            \.$startsAt
        ).all()
        let changes = try await ValidityChangeRecord.query(on: req.db).filter(\.$dps.$id == dps.requireID()).sort(
            \.$changedAt
        ).all()
        return Layout.page(title: "Procurement documents", context: PageContext(request: req)) {
            UI.h1(dps.title, caption: "Procurement documents")
            UI.summaryList([
                ("Lead authority", text(dps.lead.name)),
                ("Legal regime", text(Regime(rawValue: dps.regime)?.label ?? dps.regime)),
                (
                    "Period of validity",
                    text(
                        "\(LocalDate(iso: dps.validityStart)?.longForm ?? dps.validityStart) to "
                            + "\(LocalDate(iso: dps.validityEnd)?.longForm ?? dps.validityEnd)"
                    )
                ),
                (
                    "Referral deadlines",
                    text(
                        dps.shortDeadlinesAgreed
                            ? "Admitted providers agree that referral deadlines may be shorter than 10 days, "
                                + "the same for every invited provider."
                            : "At least 10 days for every referral.")
                ),
                ("Partner authorities", text(partners.map(\.organisation.name).sorted().joined(separator: ", "))),
                (
                    "Parent choice",
                    text(
                        "Where parent choice applies, bids scoring less than \(dps.parentChoiceBandPoints) points "
                            + "below the top bid are shortlisted (up to 3) and the parent or carer states "
                            + "a preference."
                    )
                ),
            ])
            if !dps.description.isEmpty { UI.p(dps.description) }
            if !windows.isEmpty {
                UI.h2("When entry is closed")
                UI.table(
                    headers: ["Closed from", "Reopens", "Reason"],
                    rows: windows.map { w in
                        [
                            text(LocalDate.from(w.startsAt).longForm), text(LocalDate.from(w.endsAt).longForm),
                            text(w.reason),
                        ]
                    })
            }
            if !changes.isEmpty {
                UI.h2("Changes to the period of validity")
                UI.table(
                    headers: ["Date", "Change", "New end", "Reason"],
                    rows: changes.map { c in
                        [
                            text(LocalDate.from(c.changedAt).longForm), text(c.kind.capitalized),
                            text(LocalDate(iso: c.newEnd)?.longForm ?? c.newEnd), text(c.reason),
                        ]
                    })
            }
            UI.h2("Categories")
            el("ul", .class("govuk-list")) {
                for c in categories { el("li") { UI.link(c.name, .document(category: c.id!)) } }
            }
            UI.h2("How bids are scored")
            UI.p(
                """
                Each referral is scored out of 100 points. \
                Price: points × lowest compliant annual cost ÷ this bid's annual cost. \
                Core competency: points × qualification score ÷ 100. \
                Outcomes approach: points × officers' consensus score (0 to 5) ÷ 5. \
                Needs met: points × marks of needs met ÷ total marks. \
                Location: points × (5 − distance band) ÷ 5, with bands of 10 miles. \
                Each criterion is rounded to 2 decimal places and the total is the sum. \
                Ties go to higher quality points, then lower annual cost, then the earlier submission.
                """
            )
            if !dps.terms.isEmpty {
                UI.h2("Terms")
                el("p", .class("govuk-body dps-preline")) { dps.terms }
            }
        }
    }

    func categoryDocument(req: Request) async throws -> Response {
        try await req.application.storedViews.publicPage(req) { try await categoryDocumentView(req) }
    }

    private func categoryDocumentView(_ req: Request) async throws -> Markup {
        guard let id = req.parameters.get("categoryID", as: UUID.self),
            let c = try await CategoryRecord.find(id, on: req.db)
        else {
            throw Abort(.notFound, reason: "No such category.")
        }
        let content = try c.content
        return Layout.page(title: c.name, context: PageContext(request: req)) {
            UI.backLink(.documents, "Back to the procurement documents")
            UI.h1(c.name, caption: "Category")
            UI.p(c.description)
            UI.summaryList([
                ("Contract", text(c.contractName)),
                (
                    "Affordability cap",
                    text(
                        c.affordabilityCapPence.map { "Total weekly core cost up to \(formatPence($0))" }
                            ?? "No cap")
                ),
                ("Minimum providers per referral", text(String(c.minimumInvitees))),
            ])
            UI.h2("Pass/fail questions")
            UI.table(
                headers: ["Question", "Evidence"],
                rows: content.passFail.map { q in
                    [
                        text(q.text),
                        text(
                            q.requiresEvidence
                                ? (q.evidenceExpires ? "Document with expiry date" : "Document") : "None"),
                    ]
                })
            UI.h2("Scored method statements")
            UI.p(
                "Each statement is scored 0 (no answer), 1 (poor), 2 (weak), 3 (satisfactory), 4 (good) "
                    + "or 5 (excellent), weighted, and the weighted total out of 100 is the establishment's "
                    + "qualification score, carried into every referral."
            )
            UI.table(
                headers: ["Statement", "Weight", "Scored by"],
                rows: content.statements.map { s in
                    [
                        text(s.title), text(String(s.weight)),
                        text(s.youngPeoplesPanel ? "Young people's panel" : "Evaluators"),
                    ]
                })
            UI.h2("Core cost lines")
            el("ul", .class("govuk-list govuk-list--bullet")) { for l in content.costLines { el("li") { l.name } } }
            if !content.discountTiers.isEmpty {
                UI.h2("Cohort and sibling discounts")
                UI.p(
                    "Providers publish a discount for each tier: "
                        + content.discountTiers.map { "\($0.children) or more children placed together" }.joined(
                            separator: "; ") + ".")
            }
            UI.h2("Referral weighting")
            UI.table(
                headers: ["Criterion", "Default points", "Allowed points"],
                rows: ReferralCriterion.allCases.map { r in
                    let b = content.weightBounds[r.rawValue]
                    return [
                        text(r.label), text(String(r.defaultPoints)),
                        text(b.map { "\($0.min) to \($0.max)" } ?? ""),
                    ]
                })
        }
    }

    func aboutData(req: Request) async throws -> Response {
        HTMLResponse.make(
            Layout.page(title: "Data sources", context: PageContext(request: req)) {
                UI.h1("Data sources")
                UI.p(
                    """
                    The demo and the URN look-up use public registers: the Department for Education's Get Information \
                    about Schools, Ofsted's register of children's social care providers (at 31 March 2025), and the \
                    ONS Postcode Directory's district and sector centroids. Ofsted withholds children's homes' \
                    addresses; the demo places each home at a postcode sector of its local authority and marks the \
                    location as approximate.
                    """
                )
                UI.p(Attribution.text)
            })
    }

    func signInPage(req: Request) async throws -> Response {
        HTMLResponse.make(signInView(req, errors: [], email: ""))
    }

    private func signInView(_ req: Request, errors: [FieldError], email: String) -> Markup {
        let next = SafeHeaders.localPath(try? req.query.get(String.self, at: "next"), fallback: "")
        return Layout.page(title: "Sign in", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Sign in")
            UI.form(action: .signIn, csrf: req.csrfToken) {
                void("input", [.type("hidden"), .name("next"), .value(next)])
                UI.textInput(
                    "email", label: "Email address", value: email, errors: errors, type: "email",
                    autocomplete: "username")
                UI.textInput(
                    "password", label: "Password", errors: errors, type: "password", autocomplete: "current-password")
                UI.button("Sign in")
            }
            el("p", .class("govuk-body")) { UI.link("Forgotten your password?", .passwordReset) }
            el("p", .class("govuk-body")) {
                "New provider? "
                UI.link("Register your organisation", .register)
            }
        }
    }

    struct SignInForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let email = (form.email ?? "").trimmed.lowercased()
        var errors: [FieldError] = []
        if email.isEmpty { errors.append(FieldError(field: "email", message: "Enter your email address")) }
        if (form.password ?? "").isEmpty {
            errors.append(FieldError(field: "password", message: "Enter your password"))
        }
        if errors.isEmpty {
            if let user = try await req.verifiedUser(
                email: String(email.prefix(320)), password: String(form.password!.prefix(1_000)))
            {
                try await req.startSession(userID: user.requireID())
                return req.redirect(to: SafeHeaders.localPath(form.next))
            }
            errors.append(FieldError(field: "email", message: "The email address or password is not right"))
        }
        return HTMLResponse.make(signInView(req, errors: errors, email: email), status: .unauthorized)
    }

    func signOut(req: Request) async throws -> Response {
        // Signing out ends the browser session and revokes the person's API tokens.
        if let actor = req.actor {
            try await APIToken.query(on: req.db).filter(\.$user.$id == actor.userID).delete()
        }
        req.session.destroy()
        return req.redirect(to: .home)
    }

    func registerPage(req: Request) async throws -> Response {
        HTMLResponse.make(registerView(req, errors: [], values: [:]))
    }

    private func registerView(_ req: Request, errors: [FieldError], values: [String: String]) -> Markup {
        Layout.page(title: "Register a provider organisation", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Register a provider organisation")
            UI.p("Register once. You then add each establishment and apply for the categories it offers.")
            UI.form(action: .register, csrf: req.csrfToken) {
                UI.textInput(
                    "organisationName", label: "Organisation name", value: values["organisationName"], errors: errors,
                    autocomplete: "organization")
                UI.textInput(
                    "legalName", label: "Legal name", value: values["legalName"],
                    hint: "As registered with Companies House or the Charity Commission", errors: errors)
                UI.textInput(
                    "companyNumber", label: "Companies House number", value: values["companyNumber"],
                    hint: "8 characters, like 01234567. Leave empty if you give a charity number.", errors: errors,
                    width: "10")
                UI.textInput(
                    "charityNumber", label: "Charity number (if a charity)", value: values["charityNumber"],
                    errors: errors, width: "10")
                UI.textarea("address", label: "Registered address", value: values["address"], errors: errors, rows: 3)
                UI.textInput(
                    "postcode", label: "Postcode", value: values["postcode"], errors: errors, width: "10",
                    autocomplete: "postal-code")
                UI.textInput(
                    "contactName", label: "Your full name", value: values["contactName"], errors: errors,
                    autocomplete: "name")
                UI.textInput(
                    "contactEmail", label: "Your email address", value: values["contactEmail"],
                    hint: "You will use this to sign in", errors: errors, type: "email", autocomplete: "email")
                UI.textInput(
                    "contactPhone", label: "Telephone (optional)", value: values["contactPhone"], errors: errors,
                    type: "tel", width: "20", autocomplete: "tel")
                UI.textInput(
                    "password", label: "Create a password", hint: "12 characters or more", errors: errors,
                    type: "password", autocomplete: "new-password")
                UI.button("Register")
            }
        }
    }

    func register(req: Request) async throws -> Response {
        let input = try req.content.decode(ProviderUseCases.RegistrationInput.self)
        // Registration says whether an address has an account, so it is throttled per client address like
        // sign-in (each "already registered" answer counts), and its bcrypt work shares the sign-in bound.
        let guardian = req.application.signInGuard
        let address = ["address:\(req.remoteAddress?.ipAddress ?? "unknown")"]
        if let wait = try await guardian.retryAfter(
            address, limits: [SignInGuard.maxFailuresPerAddress], now: req.now, db: req.db)
        {
            throw TooManyAttempts(retryAfter: wait)
        }
        do {
            let hasher = req.password
            let user = try await ProviderUseCases.register(
                input,
                hashPassword: { secret in
                    guard let hash = try await guardian.hashing({ try await hasher.async.hash(secret) }) else {
                        throw TooManyAttempts(retryAfter: 5)
                    }
                    return hash
                }, db: req.db, now: req.now)
            try await req.startSession(userID: user.requireID())
            req.flash("Your organisation is registered. Add your first establishment.")
            return req.redirect(to: .newEstablishment)
        } catch let error as UseCaseError where !error.errors.isEmpty {
            if error.kind == .conflict { try await guardian.recordFailure(address, now: req.now, db: req.db) }
            var values = Forms.values(req)
            values["password"] = nil
            return HTMLResponse.make(registerView(req, errors: error.errors, values: values), status: error.httpStatus)
        }
    }

    func dashboard(req: Request) async throws -> Response { try await DashboardPages().dashboard(req: req) }

    func messages(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let page = try await Outbox.messages(for: actor, page: try req.listPage(), db: req.db)
        return HTMLResponse.make(
            Layout.page(title: "Messages", context: PageContext(request: req)) {
                UI.h1("Messages", caption: actor.organisationName)
                if page.rows.isEmpty { UI.p("No messages yet.") }
                for m in page.rows {
                    el("div", .class("dps-card")) {
                        el("h2", .class("govuk-heading-s")) { m.subject }
                        el("p", .class("govuk-body-s")) { "Sent \(DisplayDate.dateTime(m.createdAt))" }
                        UI.p(m.body)
                        if let link = m.link { el("p") { UI.link("View", href: link) } }
                    }
                }
                UI.pagination(page, base: .messages)
            })
    }
}

extension Request {
    /// Signs a user in under a new session id (so a session id fixed before sign-in is worthless) with a
    /// fresh CSRF token; the old session record is deleted.
    func startSession(userID: UUID) async throws {
        if let old = session.id {
            try await application.sessions.driver.deleteSession(old, for: self).get()
        }
        session.id = nil
        session.data = SessionData()
        session.data["uid"] = userID.uuidString
        session.data["csrf"] = Tokens.random()
        session.data["started"] = String(Int(now.timeIntervalSince1970))
    }
}

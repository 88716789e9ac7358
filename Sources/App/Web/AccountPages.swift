import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// People and passwords: an administrator's page of their organisation's people (invite, change name and role,
/// deactivate, reactivate), the forgotten-password page, and the page an e-mailed link opens to choose a password.
struct AccountPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.people, use: people)
        routes.post(.people, use: invite)
        routes.post(.person(.any), use: setActive)
        routes.get(.personEdit(.any), use: editPage)
        routes.post(.personEdit(.any), use: editPerson)
        routes.get(.passwordReset, use: resetPage)
        routes.post(.passwordReset, use: requestReset)
        routes.get(.setPassword(token: ""), use: setPasswordPage)
        routes.post(.setPassword(token: ""), use: setPassword)
    }

    func people(req: Request) async throws -> Response {
        HTMLResponse.make(try await peopleView(req, errors: [], values: [:]))
    }

    private func peopleView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let people = try await Accounts.people(actor: actor, db: req.db)
        return Layout.page(title: "People", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("People", caption: actor.organisationName)
            UI.table(
                headers: ["Name", "Email", "Role", "Status", "", ""],
                rows: people.map { p in
                    [
                        text(p.name), text(p.email), text(p.role?.label ?? ""),
                        text(!p.active ? "Deactivated" : p.invited ? "Invited: no password chosen yet" : "Active"),
                        p.id == actor.userID
                            ? text("You")
                            : UI.form(action: .person(p.id), csrf: req.csrfToken) {
                                void("input", [.type("hidden"), .name("active"), .value(p.active ? "no" : "yes")])
                                UI.button(
                                    p.active ? "Deactivate \(p.name)" : "Reactivate \(p.name)",
                                    kind: p.active ? "warning" : "secondary")
                            },
                        p.role.map(Accounts.assignableRoles(by: actor).contains) == true
                            ? el("a", .class("govuk-link"), .href(SiteURL.personEdit(p.id).path)) {
                                "Change"
                                el("span", .class("govuk-visually-hidden")) { " \(p.name)'s name or role" }
                            } : text(""),
                    ]
                })
            UI.h2("Invite a colleague")
            UI.p(
                "They get an email with a link to choose their password. The link works once and expires after 7 days.")
            UI.form(action: .people, csrf: req.csrfToken) {
                UI.textInput("name", label: "Full name", value: values["name"], errors: errors, autocomplete: "off")
                UI.textInput(
                    "email", label: "Email address", value: values["email"], errors: errors, type: "email",
                    autocomplete: "off")
                UI.radios(
                    "role", legend: "Role",
                    options: Accounts.assignableRoles(by: actor).map { .init(value: $0.rawValue, label: $0.label) },
                    selected: values["role"], errors: errors)
                UI.button("Send the invitation")
            }
        }
    }

    struct InviteForm: Content {
        var name: String?
        var email: String?
        var role: String?
    }

    func invite(req: Request) async throws -> Response {
        let form = try req.content.decode(InviteForm.self)
        let actor = try req.requireActor()
        return try await Forms.handle(
            req, success: "Invitation sent to \(form.email ?? "")", redirect: { .people },
            render: { errors, values in try await peopleView(req, errors: errors, values: values) }
        ) {
            // An account nobody can sign in to until the link sets a password: the hash of a secret nobody knows.
            let placeholder = try await req.password.async.hash(Tokens.random())
            try await Accounts.invite(
                .init(name: form.name, email: form.email, role: form.role), actor: actor, db: req.db, now: req.now,
                placeholderHash: placeholder)
        }
    }

    struct ActiveForm: Content { var active: String? }

    func setActive(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let active = try req.content.decode(ActiveForm.self).active == "yes"
        return try await Forms.handle(
            req, success: active ? "Account reactivated" : "Account deactivated: they can no longer sign in",
            redirect: { .people },
            render: { errors, values in try await peopleView(req, errors: errors, values: values) }
        ) {
            try await Accounts.setActive(id, active: active, actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    func editPage(req: Request) async throws -> Response {
        HTMLResponse.make(try await editView(req, errors: [], values: [:]))
    }

    private func editView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let person = try await Accounts.person(id, actor: actor, db: req.db)
        return Layout.page(title: "Change \(person.name)", context: PageContext(request: req)) {
            UI.backLink(.people, "Back to people")
            UI.errorSummary(errors)
            UI.h1("Change \(person.name)", caption: person.email)
            UI.form(action: .personEdit(id), csrf: req.csrfToken) {
                UI.textInput(
                    "name", label: "Full name", value: values["name"] ?? person.name, errors: errors,
                    autocomplete: "off")
                UI.radios(
                    "role", legend: "Role",
                    options: Accounts.assignableRoles(by: actor).map { .init(value: $0.rawValue, label: $0.label) },
                    selected: values["role"] ?? person.role?.rawValue,
                    hint: id == actor.userID
                        ? "You cannot change your own role; another administrator can." : nil,
                    errors: errors)
                UI.button("Save the changes")
            }
        }
    }

    func editPerson(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(InviteForm.self)
        return try await Forms.handle(
            req, success: "Changes saved", redirect: { .people },
            render: { errors, values in try await editView(req, errors: errors, values: values) }
        ) {
            try await Accounts.edit(
                id, name: form.name, role: form.role, actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    func resetPage(req: Request) async throws -> Response {
        HTMLResponse.make(resetView(req, errors: [], email: ""))
    }

    private func resetView(_ req: Request, errors: [FieldError], email: String) -> Markup {
        Layout.page(title: "Reset your password", context: PageContext(request: req)) {
            UI.backLink(.signIn)
            UI.errorSummary(errors)
            UI.h1("Reset your password")
            UI.p("Enter the email address you sign in with. We will send you a link to choose a new password.")
            UI.form(action: .passwordReset, csrf: req.csrfToken) {
                UI.textInput(
                    "email", label: "Email address", value: email, errors: errors, type: "email",
                    autocomplete: "username")
                UI.button("Send the link")
            }
        }
    }

    struct ResetForm: Content { var email: String? }

    func requestReset(req: Request) async throws -> Response {
        let email = try req.content.decode(ResetForm.self).email ?? ""
        // The same throttle as signing in, by address: a reset sends e-mail.
        let guardian = req.application.signInGuard
        let address = ["address:\(req.remoteAddress?.ipAddress ?? "unknown")"]
        if let wait = try await guardian.retryAfter(
            address, limits: [SignInGuard.maxFailuresPerAddress], now: req.now, db: req.db)
        {
            throw TooManyAttempts(retryAfter: wait)
        }
        do {
            try await Accounts.requestReset(email: email, db: req.db, now: req.now)
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return HTMLResponse.make(resetView(req, errors: error.errors, email: email), status: error.httpStatus)
        }
        try await guardian.recordFailure(address, now: req.now, db: req.db)
        return HTMLResponse.make(
            Layout.page(title: "Check your email", context: PageContext(request: req)) {
                UI.h1("Check your email")
                UI.p(
                    "If \(email.trimmed) is the address of an account here, we have sent it a link to choose a new "
                        + "password. The link works once, for an hour. Nothing arrived? Check your spam folder, or "
                        + "ask your organisation's administrator.")
                el("p", .class("govuk-body")) { UI.link("Back to sign in", .signIn) }
            })
    }

    private func token(_ req: Request) -> String { req.parameters.get("token") ?? "" }

    func setPasswordPage(req: Request) async throws -> Response {
        guard let holder = try await Accounts.linkHolder(token: token(req), db: req.db, now: req.now) else {
            return HTMLResponse.make(expiredView(req), status: .gone)
        }
        return HTMLResponse.make(setPasswordView(req, errors: [], holder: holder))
    }

    private func expiredView(_ req: Request) -> Markup {
        Layout.page(title: "This link has expired", context: PageContext(request: req)) {
            UI.h1("This link has expired or has been used")
            UI.p("Links to choose a password work once: an invitation's for 7 days, a reset's for an hour.")
            el("p", .class("govuk-body")) { UI.link("Ask for a new link", .passwordReset) }
        }
    }

    private func setPasswordView(_ req: Request, errors: [FieldError], holder: (name: String, email: String))
        -> Markup
    {
        Layout.page(title: "Choose your password", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Choose your password")
            UI.p("For \(holder.name), \(holder.email).")
            UI.form(action: .setPassword(token: token(req)), csrf: req.csrfToken) {
                UI.textInput(
                    "password", label: "New password",
                    hint: "At least \(Accounts.minimumPassword) characters. A few unrelated words make a strong one.",
                    errors: errors, type: "password", autocomplete: "new-password")
                UI.textInput(
                    "confirmation", label: "The same password again", errors: errors, type: "password",
                    autocomplete: "new-password")
                UI.button("Save the password")
            }
        }
    }

    struct PasswordForm: Content {
        var password: String?
        var confirmation: String?
    }

    func setPassword(req: Request) async throws -> Response {
        let form = try req.content.decode(PasswordForm.self)
        let hasher = req.password
        let guardian = req.application.signInGuard
        do {
            let userID = try await Accounts.setPassword(
                token: token(req), password: form.password ?? "", confirmation: form.confirmation ?? "",
                hash: { secret in
                    guard let hash = try await guardian.hashing({ try await hasher.async.hash(secret) }) else {
                        throw TooManyAttempts(retryAfter: 5)
                    }
                    return hash
                }, db: req.db, now: req.now)
            try await req.startSession(userID: userID)
            req.flash("Your password is saved and you are signed in.")
            return req.redirect(to: .dashboard)
        } catch let error as UseCaseError where error.kind == .gone {
            return HTMLResponse.make(expiredView(req), status: .gone)
        } catch let error as UseCaseError where !error.errors.isEmpty {
            guard let holder = try await Accounts.linkHolder(token: token(req), db: req.db, now: req.now) else {
                return HTMLResponse.make(expiredView(req), status: .gone)
            }
            return HTMLResponse.make(
                setPasswordView(req, errors: error.errors, holder: holder), status: error.httpStatus)
        }
    }
}

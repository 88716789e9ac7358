import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The DPS administrator's pages, the membership register and the audit trail.
struct AdminPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.dpsOverview, use: overview)
        routes.post(.dpsOverview, use: create)
        routes.post(.dps(.any), use: update)
        routes.post(.dps(.any, .validity), use: validity)
        routes.post(.dps(.any, .windows), use: window)
        routes.post(.dps(.any, .partners), use: partner)
        routes.post(.dps(.any, .categories), use: newCategory)
        routes.get(.category(.any), use: category)
        routes.post(.category(.any, .settings), use: categorySettings)
        routes.post(.category(.any, .items), use: addItem)
        routes.post(.category(.any, .removeItem), use: removeItem)
        routes.get(.memberships, use: memberships)
        routes.get(.membershipsExport, use: membershipsExport)
        routes.get(.audit, use: audit)
        routes.get(.auditExport, use: auditExport)
        routes.get(.urnClaims, use: urnClaims)
        routes.post(.urnClaim(.any), use: decideURNClaim)
        routes.get(.mailProblems, use: mailProblems)
    }

    /// E-mail that failed: waiting to be tried again, or given up. Says when e-mail is off.
    func mailProblems(req: Request) async throws -> Response {
        let problems = try await MailQueue.problems(actor: try req.requireActor(), db: req.db)
        let on = (try? req.application.config.mail()) != nil
        return HTMLResponse.make(
            Layout.page(title: "E-mail delivery", context: PageContext(request: req)) {
                UI.h1("E-mail delivery")
                UI.p(
                    on
                        ? "Every message is also sent by e-mail. Messages that could not be delivered are listed here; "
                            + "those waiting are tried again, at longer intervals, up to "
                            + "\(MailQueue.maxAttempts) times."
                        : "E-mail is off on this installation (DPS_SMTP_URL is not set): people read their messages "
                            + "in the service, on their Messages page.")
                if problems.isEmpty {
                    UI.inset("No delivery problems.")
                } else {
                    UI.table(
                        headers: ["Written", "To", "Subject", "Tries", "Problem", "Status"],
                        rows: problems.map { m in
                            [
                                text(DisplayDate.dateTime(m.createdAt)), text(m.recipient), text(m.subject),
                                text(String(m.attempts)), text(m.lastError ?? ""),
                                text(
                                    m.failedAt != nil
                                        ? "Given up"
                                        : "Next try \(m.nextAttemptAt.map(DisplayDate.dateTime) ?? "soon")"),
                            ]
                        })
                }
            })
    }

    func urnClaims(req: Request) async throws -> Response {
        HTMLResponse.make(try await urnClaimsView(req, errors: [], values: [:], failed: nil))
    }

    /// Claims on registered URNs: open ones first, each with what upholding it does, and the decided ones after.
    private func urnClaimsView(_ req: Request, errors: [FieldError], values: [String: String], failed: UUID?)
        async throws -> Markup
    {
        let actor = try req.requireActor()
        let claims = try await URNClaims.list(actor: actor, db: req.db)
        return Layout.page(title: "Claims on registered establishments", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Claims on registered establishments")
            UI.p(
                "An establishment (by its URN) belongs to one provider. When another provider says it is theirs, "
                    + "for example after a change of owner, the claim comes here.")
            if claims.isEmpty { UI.inset("No claims yet. Claims that providers make will appear here.") }
            for claim in claims {
                el("section", .class("dps-card")) {
                    UI.h2("URN \(claim.urn): \(claim.establishmentName)")
                    UI.summaryList([
                        ("Registered to", text(claim.holderName ?? "")),
                        ("Claimed by", text(claim.claimantName)),
                        ("Made", text(DisplayDate.dateTime(claim.createdAt))),
                        ("Their statement", text(claim.statement)),
                        ("Status", text(claim.state.label + (claim.decisionReason.map { ". \($0)" } ?? ""))),
                    ])
                    if claim.state == .open && [.dpsAdmin, .contractManager].contains(actor.role) {
                        let shown = claim.id == failed ? errors : []
                        UI.form(action: .urnClaim(claim.id), csrf: req.csrfToken) {
                            UI.radios(
                                "decision", legend: "Your decision",
                                options: [
                                    .init(
                                        value: "uphold",
                                        label: "Uphold: the establishment moves to \(claim.claimantName)",
                                        hint: "\(claim.holderName ?? "The provider it is registered to")'s memberships "
                                            + "of it end and its applications in progress for it are withdrawn. "
                                            + "This cannot be undone."),
                                    .init(
                                        value: "reject",
                                        label: "Reject: it stays with \(claim.holderName ?? "its provider")"),
                                ], selected: claim.id == failed ? values["decision"] : nil, errors: shown)
                            UI.textarea(
                                "reason", label: "Reason", value: claim.id == failed ? values["reason"] : nil,
                                hint: "Both providers are told it.", errors: shown, rows: 3)
                            UI.button("Record the decision")
                        }
                    }
                }
            }
        }
    }

    struct ClaimDecision: Content {
        var decision: String?
        var reason: String?
    }

    func decideURNClaim(req: Request) async throws -> Response {
        let claimID = try id(req)
        let input = try req.content.decode(ClaimDecision.self)
        return try await Forms.handle(
            req, success: "Decision recorded. Both providers have been told.", redirect: { .urnClaims },
            render: { errors, values in try await urnClaimsView(req, errors: errors, values: values, failed: claimID) }
        ) {
            guard let decision = input.decision, ["uphold", "reject"].contains(decision) else {
                throw UseCaseError(field: "decision", "Choose whether to uphold or reject the claim")
            }
            try await URNClaims.decide(
                claimID, uphold: decision == "uphold", reason: input.reason ?? "", actor: try req.requireActor(),
                db: req.db, now: req.now)
        }
    }

    private func id(_ req: Request) throws -> UUID { try req.uuid("id") }

    func overview(req: Request) async throws -> Response {
        HTMLResponse.make(try await overviewView(req, errors: [], values: [:]))
    }

    private func overviewView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        guard let setup = try await DPSAdmin.setup(actor: try req.requireActor(), db: req.db) else {
            return Layout.page(title: "Set up the DPS", context: PageContext(request: req)) {
                UI.errorSummary(errors)
                UI.h1("Set up the dynamic purchasing system")
                UI.form(action: .dpsOverview, csrf: req.csrfToken) {
                    dpsFields(values: values, errors: errors, creating: true)
                    UI.button("Create the DPS")
                }
            }
        }
        let (dps, categories, partners, windows) = (setup.dps, setup.categories, setup.partners, setup.closedWindows)
        // Several forms here share field names (name, reason): only the form that was posted shows its errors and
        // what was typed, and the error summary links to that form's fields.
        let posted = req.method == .POST ? req.url.path : nil
        func formErrors(_ action: SiteURL) -> [FieldError] { posted == action.path ? errors : [] }
        func formValues(_ action: SiteURL) -> [String: String] { posted == action.path ? values : [:] }
        let (addCategory, partnerForm, windowForm, validityForm): (SiteURL, SiteURL, SiteURL, SiteURL) = (
            .dps(dps.id!, .categories), .dps(dps.id!, .partners), .dps(dps.id!, .windows), .dps(dps.id!, .validity)
        )
        // The category form's name and description carry their own ids (the partner and settings forms have theirs).
        let categoryErrors = formErrors(addCategory).map { e in
            ["name": "categoryName", "description": "categoryDescription"][e.field].map {
                FieldError(field: $0, message: e.message)
            } ?? e
        }
        let settingsValues = formValues(.dps(dps.id!))
        let current =
            settingsValues.isEmpty
            ? [
                "title": dps.title, "regime": dps.regime, "validityStart": dps.validityStart,
                "validityEnd": dps.validityEnd,
                "shortDeadlinesAgreed": dps.shortDeadlinesAgreed ? "yes" : "no",
                "parentChoiceBandPoints": String(dps.parentChoiceBandPoints),
                "rescoreMonths": String(dps.rescoreMonths), "reviewMonths": String(dps.reviewMonths),
                "ocidPrefix": dps.ocidPrefix,
                "concernCount": String(dps.concernCount),
                "concernPartners": String(dps.concernPartners), "concernMonths": String(dps.concernMonths),
                "concernAnySafeguarding": dps.concernAnySafeguarding ? "yes" : "no",
                "complianceGraceDays": String(dps.complianceGraceDays), "description": dps.description,
                "terms": dps.terms,
            ] : settingsValues
        return Layout.page(title: "DPS set-up", context: PageContext(request: req)) {
            UI.errorSummary(posted == addCategory.path ? categoryErrors : errors)
            UI.h1(dps.title, caption: "DPS set-up")
            UI.h2("Categories")
            UI.table(
                headers: ["Category", "Status", "Cap", "Minimum providers"],
                rows: categories.map { c in
                    let problems = setup.problems[c.id!] ?? []
                    return [
                        UI.link(c.name, .category(c.id!)),
                        problems.isEmpty
                            ? UI.tag("Open for applications")
                            : UI.tag(
                                "Not ready: \(problems.count) problem\(problems.count == 1 ? "" : "s")",
                                colour: "yellow"),
                        text(c.affordabilityCapPence.map(formatPence) ?? "No cap"), text(String(c.minimumInvitees)),
                    ]
                })
            UI.details("Add a category", errors: categoryErrors) {
                UI.form(action: .dps(dps.id!, .categories), csrf: req.csrfToken) {
                    UI.textInput(
                        "name", label: "Category name", value: formValues(addCategory)["name"],
                        errors: formErrors(addCategory)
                    ).replacingIDs(
                        "name", "categoryName")
                    UI.textInput(
                        "description", label: "Description (optional)", value: formValues(addCategory)["description"],
                        errors: formErrors(addCategory)
                    ).replacingIDs("description", "categoryDescription")
                    UI.textInput(
                        "contractName", label: "National contract used for awards",
                        value: formValues(addCategory)["contractName"],
                        errors: formErrors(addCategory))
                    UI.radios(
                        "inspected", legend: "Are establishments in this category inspected (Ofsted, ISI or similar)?",
                        options: [
                            .init(value: "yes", label: "Yes"),
                            .init(value: "no", label: "No, for example alternative education"),
                        ], selected: formValues(addCategory)["inspected"] ?? "yes", errors: formErrors(addCategory),
                        inline: true)
                    UI.button("Add category", kind: "secondary")
                }
            }
            UI.h2("Partner authorities")
            UI.table(
                headers: ["Authority", "Categories used", "Joined"],
                rows: partners.map { p in
                    let ids = setup.categoriesUsed[p.id!] ?? []
                    return [
                        text(p.organisation.name + (p.isJoiner ? " (joiner)" : "")),
                        text(categories.filter { ids.contains($0.id!) }.map(\.name).joined(separator: "; ")),
                        text(DisplayDate.date(p.joinedOn)),
                    ]
                })
            UI.details("Add a partner authority or change its categories", errors: formErrors(partnerForm)) {
                UI.form(action: .dps(dps.id!, .partners), csrf: req.csrfToken) {
                    UI.textInput(
                        "name", label: "Authority name", value: formValues(partnerForm)["name"],
                        hint: "As in the DfE list, for example Brighton and Hove", errors: formErrors(partnerForm))
                    UI.textInput(
                        "gssCode", label: "GSS code (optional)", value: formValues(partnerForm)["gssCode"],
                        hint: "For example E06000043", errors: formErrors(partnerForm), width: "10")
                    UI.checkboxes(
                        "categories[]", legend: "Categories it uses",
                        options: categories.map { .init(value: $0.id!.uuidString, label: $0.name) }, selected: [],
                        errors: formErrors(partnerForm))
                    UI.radios(
                        "isJoiner", legend: "Is it joining after the DPS was set up (for a joining fee)?",
                        options: [
                            .init(value: "no", label: "No, a founding partner"),
                            .init(value: "yes", label: "Yes, a joiner"),
                        ], selected: "no", errors: formErrors(partnerForm), inline: true)
                    UI.button("Save partner", kind: "secondary")
                }
            }
            UI.h2("When entry is closed")
            if windows.isEmpty {
                UI.p("The DPS is open to new applicants at all times.")
            } else {
                UI.table(
                    headers: ["Closed from", "Reopens", "Reason"],
                    rows: windows.map { w in
                        [
                            text(LocalDate.from(w.startsAt).longForm), text(LocalDate.from(w.endsAt).longForm),
                            text(w.reason),
                        ]
                    })
            }
            UI.details("Close entry for a period", errors: formErrors(windowForm)) {
                UI.form(action: .dps(dps.id!, .windows), csrf: req.csrfToken) {
                    UI.dateInput(
                        "start", legend: "Entry closes on", values: formValues(windowForm),
                        hint: "For example 1 2 2027", errors: formErrors(windowForm))
                    UI.dateInput(
                        "end", legend: "Entry reopens on", values: formValues(windowForm), hint: "For example 1 4 2027",
                        errors: formErrors(windowForm))
                    UI.textInput(
                        "reason", label: "Reason", value: formValues(windowForm)["reason"],
                        errors: formErrors(windowForm))
                    UI.button("Close entry for this period", kind: "secondary")
                }
            }
            UI.h2("Period of validity")
            UI.p(
                "Runs from \(DisplayDate.date(dps.validityStart)) to \(DisplayDate.date(dps.validityEnd)). "
                    + "Every change is recorded with its reason and partners are told."
            )
            UI.details("Extend, shorten or terminate the DPS", errors: formErrors(validityForm)) {
                UI.form(action: .dps(dps.id!, .validity), csrf: req.csrfToken) {
                    UI.radios(
                        "kind", legend: "Change",
                        options: ValidityChange.Kind.allCases.map {
                            .init(value: $0.rawValue, label: $0.rawValue.capitalized)
                        }, selected: formValues(validityForm)["kind"], errors: formErrors(validityForm), inline: true)
                    UI.dateInput(
                        "newEnd", legend: "New end date", values: formValues(validityForm),
                        hint: "For example 31 3 2031. Leave empty to terminate today.", errors: formErrors(validityForm)
                    )
                    UI.textarea(
                        "reason", label: "Reason for the change", value: formValues(validityForm)["reason"],
                        errors: formErrors(validityForm), rows: 3)
                    UI.button("Record the change", kind: "warning")
                }
            }
            UI.h2("Settings")
            UI.form(action: .dps(dps.id!), csrf: req.csrfToken) {
                dpsFields(values: current, errors: formErrors(.dps(dps.id!)), creating: false)
                UI.button("Save settings", kind: "secondary")
            }
        }
    }

    private func dpsFields(values: [String: String], errors: [FieldError], creating: Bool) -> Markup {
        MarkupBuilder.buildBlock(
            UI.textInput("title", label: "Title", value: values["title"], errors: errors),
            UI.radios(
                "regime", legend: "Legal regime",
                options: Regime.allCases.map { .init(value: $0.rawValue, label: $0.label) }, selected: values["regime"],
                errors: errors),
            UI.dateInput(
                "validityStart", legend: "Start of the period of validity", values: values,
                hint: "For example 1 4 2027", errors: errors),
            creating
                ? UI.dateInput(
                    "validityEnd", legend: "End of the period of validity", values: values,
                    hint: "For example 31 3 2031", errors: errors) : .empty,
            UI.radios(
                "shortDeadlinesAgreed",
                legend: "Have admitted providers agreed that referral deadlines may be shorter than 10 days?",
                options: [
                    .init(value: "yes", label: "Yes, the DPS terms record this"), .init(value: "no", label: "No"),
                ], selected: values["shortDeadlinesAgreed"] ?? "no", errors: errors, inline: true),
            UI.textInput(
                "parentChoiceBandPoints", label: "Parent choice band (points below the top bid)",
                value: values["parentChoiceBandPoints"] ?? "5",
                hint: "5 reads the business case's 5% as 5 points of 100", errors: errors, width: "5"),
            UI.radios(
                "rescoreMonths", legend: "Re-score each membership every",
                options: [.init(value: "6", label: "6 months"), .init(value: "12", label: "12 months")],
                selected: values["rescoreMonths"] ?? "12", errors: errors, inline: true),
            UI.radios(
                "reviewMonths", legend: "Review each placement's outcomes every",
                options: [3, 6, 12].map { .init(value: String($0), label: "\($0) months") },
                selected: values["reviewMonths"] ?? "6", errors: errors, inline: true),
            UI.textInput(
                "ocidPrefix", label: "Open Contracting ocid prefix", value: values["ocidPrefix"] ?? "ocds-dpsdev",
                hint: "The prefix you registered with the Open Contracting Data Standard for your published data, "
                    + "for example ocds-b5fd17. ocds-dpsdev marks data not yet published under your own.",
                errors: errors, width: "10"),
            UI.textInput(
                "concernCount", label: "A coordinated review opens at this many concerns about an establishment",
                value: values["concernCount"] ?? "3", errors: errors, width: "2"),
            UI.textInput(
                "concernPartners", label: "raised by at least this many partners",
                value: values["concernPartners"] ?? "2",
                errors: errors, width: "2"),
            UI.textInput(
                "concernMonths", label: "within this many months", value: values["concernMonths"] ?? "12",
                errors: errors, width: "2"),
            UI.checkboxes(
                "concernAnySafeguarding", legend: "Safeguarding",
                options: [.init(value: "yes", label: "Any safeguarding concern opens a review at once")],
                selected: values["concernAnySafeguarding"] == "yes" || values.isEmpty ? ["yes"] : [], errors: errors),
            UI.textInput(
                "complianceGraceDays",
                label: "Working days after a compliance check's deadline before a membership that has not answered "
                    + "is suspended",
                value: values["complianceGraceDays"] ?? "5", errors: errors, width: "2"),
            UI.textarea(
                "description", label: "Description (public)", value: values["description"], errors: errors, rows: 3),
            UI.textarea("terms", label: "Terms (public)", value: values["terms"], errors: errors, rows: 5)
        )
    }

    private func adminForm(_ req: Request, success: String, action: (Actor, UUID) async throws -> Void) async throws
        -> Response
    {
        let actor = try req.requireActor()
        let dpsID = try? id(req)
        return try await Forms.handle(
            req, success: success, redirect: { .dpsOverview },
            render: { errors, values in try await overviewView(req, errors: errors, values: values) },
            action: { try await action(actor, dpsID ?? UUID()) })
    }

    func create(req: Request) async throws -> Response {
        try await adminForm(req, success: "The DPS has been created with the four default categories.") { actor, _ in
            _ = try await DPSAdmin.create(
                try req.decodeForm(AdminForms.DPS.self).command, actor: actor, db: req.db, now: req.now)
        }
    }

    func newCategory(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let dpsID = try id(req)
        var created: UUID?
        return try await Forms.handle(
            req, success: "Category added. Add its questions, statements and cost lines.",
            redirect: { created.map { .category($0) } ?? .dpsOverview },
            render: { errors, values in try await overviewView(req, errors: errors, values: values) }
        ) {
            created = try await DPSAdmin.newCategory(
                dpsID, try req.content.decode(AdminForms.NewCategory.self).command, actor: actor, db: req.db,
                now: req.now
            ).id
        }
    }

    func update(req: Request) async throws -> Response {
        try await adminForm(req, success: "Settings saved.") { actor, id in
            try await DPSAdmin.update(
                id, try req.decodeForm(AdminForms.DPS.self).command, actor: actor, db: req.db, now: req.now)
        }
    }

    func validity(req: Request) async throws -> Response {
        try await adminForm(
            req, success: "The change to the period of validity is recorded and partners have been told."
        ) { actor, id in
            try await DPSAdmin.changeValidity(
                id, try req.decodeForm(AdminForms.Validity.self).command, actor: actor, db: req.db, now: req.now)
        }
    }

    func window(req: Request) async throws -> Response {
        try await adminForm(req, success: "Entry is closed for that period.") { actor, id in
            try await DPSAdmin.addClosedWindow(
                id, try req.decodeForm(AdminForms.ClosedWindow.self).command, actor: actor, db: req.db, now: req.now
            )
        }
    }

    func partner(req: Request) async throws -> Response {
        try await adminForm(req, success: "Partner saved.") { actor, id in
            let form = try req.content.decode(AdminForms.Partner.self)
            try await DPSAdmin.upsertPartner(id, form.command, actor: actor, db: req.db, now: req.now)
        }
    }

    func category(req: Request) async throws -> Response {
        HTMLResponse.make(try await categoryView(req, errors: [], values: [:]))
    }

    private func categoryView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let c = try await DPSAdmin.ownCategory(try id(req), actor: actor, db: req.db)
        let content = try c.content
        let problems = try c.readinessProblems
        // Four forms add items (told apart by their `kind`) and one saves the settings; only the posted one shows
        // its errors and what was typed. Fields that share a name with another form's carry their own ids.
        let postedKind = req.url.path == SiteURL.category(c.id!, .items).path ? values["kind"] ?? "" : nil
        let ownIDs = ["statement": ["hint": "statementHint"], "costLine": ["name": "costLineName"]]
        func itemErrors(_ kind: String) -> [FieldError] {
            guard postedKind == kind else { return [] }
            return errors.map { e in ownIDs[kind]?[e.field].map { FieldError(field: $0, message: e.message) } ?? e }
        }
        func itemValues(_ kind: String) -> [String: String] { postedKind == kind ? values : [:] }
        let settingsErrors = req.url.path == SiteURL.category(c.id!, .settings).path ? errors : []
        let settingsValues = settingsErrors.isEmpty ? [:] : values
        func v(_ key: String, _ fallback: String) -> String {
            settingsValues.isEmpty ? fallback : (settingsValues[key] ?? "")
        }
        func removeButton(_ kind: String, _ key: String, _ label: String) -> Markup {
            UI.form(action: .category(c.id!, .removeItem), csrf: req.csrfToken) {
                void("input", [.type("hidden"), .name("kind"), .value(kind)])
                void("input", [.type("hidden"), .name("key"), .value(key)])
                el("button", .class("govuk-button govuk-button--secondary"), .type("submit")) {
                    "Remove"
                    el("span", .class("govuk-visually-hidden")) { " \(label)" }
                }
            }
        }
        return Layout.page(title: c.name, context: PageContext(request: req)) {
            UI.backLink(.dpsOverview)
            UI.errorSummary(postedKind.map(itemErrors) ?? errors)
            UI.h1(c.name, caption: "Category")
            if problems.isEmpty {
                UI.inset("This category is open for applications. Its criteria are published at /documents.")
            } else {
                UI.warning("Providers cannot apply for this category until these are fixed:")
                el("ul", .class("govuk-list govuk-list--bullet")) { for p in problems { el("li") { p.message } } }
            }
            UI.h2("Pass/fail questions")
            UI.table(
                headers: ["Question", "Evidence", ""],
                rows: content.passFail.map { q in
                    [
                        text(q.text),
                        text(
                            !q.requiresEvidence
                                ? "None"
                                : !q.evidenceExpires
                                    ? "Document"
                                    : q.lapseAction == .flag
                                        ? "Document with expiry; the contract managers are told when it lapses"
                                        : "Document with expiry; the membership is suspended when it lapses"),
                        removeButton("passFail", q.key, q.text),
                    ]
                })
            UI.details("Add a pass/fail question", errors: itemErrors("passFail")) {
                UI.form(action: .category(c.id!, .items), csrf: req.csrfToken) {
                    void("input", [.type("hidden"), .name("kind"), .value("passFail")])
                    UI.textarea(
                        "text", label: "Question", value: itemValues("passFail")["text"],
                        errors: itemErrors("passFail"), rows: 2)
                    UI.textInput(
                        "hint", label: "Hint (optional)", value: itemValues("passFail")["hint"],
                        errors: itemErrors("passFail"))
                    UI.checkboxes(
                        "requiresEvidence", legend: "Evidence",
                        options: [.init(value: "yes", label: "Applicants must upload a document")], selected: [],
                        errors: itemErrors("passFail"))
                    UI.radios(
                        "evidenceExpires", legend: "Expiry",
                        options: [
                            .init(value: "", label: "The document does not expire"),
                            .init(
                                value: "yes", label: "It expires; when it lapses, suspend the membership",
                                hint: "For every partner, until the provider sends a current document."),
                            .init(
                                value: "flag", label: "It expires; when it lapses, tell the contract managers",
                                hint: "They decide whether to suspend."),
                        ], selected: itemValues("passFail")["evidenceExpires"] ?? "", errors: itemErrors("passFail"))
                    UI.button("Add question", kind: "secondary")
                }
            }
            UI.h2("Scored method statements")
            UI.p("Weights must add up to 100; currently \(content.statements.map(\.weight).reduce(0, +)).")
            UI.table(
                headers: ["Statement", "Weight", "Scored by", ""],
                rows: content.statements.map { s in
                    [
                        text(s.title), text(String(s.weight)),
                        text(s.youngPeoplesPanel ? "Young people's panel" : "Evaluators"),
                        removeButton("statement", s.key, s.title),
                    ]
                })
            UI.details("Add a method statement", errors: itemErrors("statement")) {
                UI.form(action: .category(c.id!, .items), csrf: req.csrfToken) {
                    void("input", [.type("hidden"), .name("kind"), .value("statement")])
                    UI.textInput(
                        "title", label: "Title", value: itemValues("statement")["title"],
                        errors: itemErrors("statement"))
                    UI.textInput(
                        "hint", label: "Guidance for applicants", value: itemValues("statement")["hint"],
                        errors: postedKind == "statement" ? errors : []
                    ).replacingIDs("hint", "statementHint")
                    UI.textInput(
                        "weight", label: "Weight (points of 100)", value: itemValues("statement")["weight"],
                        errors: itemErrors("statement"), width: "5")
                    UI.checkboxes(
                        "youngPeoplesPanel", legend: "Who scores it",
                        options: [.init(value: "yes", label: "The young people's panel")], selected: [],
                        errors: itemErrors("statement"))
                    UI.button("Add statement", kind: "secondary")
                }
            }
            UI.h2("Core cost lines")
            UI.table(
                headers: ["Line", ""],
                rows: content.costLines.map { l in [text(l.name), removeButton("costLine", l.key, l.name)] })
            UI.details("Add a core cost line", errors: itemErrors("costLine")) {
                UI.form(action: .category(c.id!, .items), csrf: req.csrfToken) {
                    void("input", [.type("hidden"), .name("kind"), .value("costLine")])
                    UI.textInput(
                        "name", label: "Cost line name", value: itemValues("costLine")["name"],
                        errors: postedKind == "costLine" ? errors : []
                    ).replacingIDs("name", "costLineName")
                    UI.button("Add cost line", kind: "secondary")
                }
            }
            UI.h2("Cohort and sibling discount tiers")
            UI.table(
                headers: ["Children placed together", "Minimum discount", ""],
                rows: content.discountTiers.map { t in
                    [
                        text("\(t.children) or more"), text(Money.percent(t.basisPoints)),
                        removeButton("tier", String(t.children), "\(t.children) children"),
                    ]
                })
            UI.details("Add a discount tier", errors: itemErrors("tier")) {
                UI.form(action: .category(c.id!, .items), csrf: req.csrfToken) {
                    void("input", [.type("hidden"), .name("kind"), .value("tier")])
                    UI.textInput(
                        "children", label: "Number of children", value: itemValues("tier")["children"],
                        errors: itemErrors("tier"), width: "5")
                    UI.textInput(
                        "percent", label: "Discount (%)", value: itemValues("tier")["percent"],
                        errors: itemErrors("tier"), width: "5")
                    UI.button("Add tier", kind: "secondary")
                }
            }
            UI.h2("Settings")
            UI.form(action: .category(c.id!, .settings), csrf: req.csrfToken) {
                UI.textInput("name", label: "Name", value: v("name", c.name), errors: settingsErrors)
                UI.textarea(
                    "description", label: "Description", value: v("description", c.description), errors: settingsErrors,
                    rows: 2
                )
                UI.textInput(
                    "contractName", label: "National contract used for awards",
                    value: v("contractName", c.contractName), errors: settingsErrors)
                UI.textInput(
                    "affordabilityCap", label: "Affordability cap: total weekly core cost, in pounds (optional)",
                    value: v("affordabilityCap", Money.poundsInput(c.affordabilityCapPence)),
                    hint: "Applications whose core costs add up to more are refused. Leave empty for no cap.",
                    errors: settingsErrors, width: "10")
                UI.textInput(
                    "minimumInvitees", label: "Minimum number of providers a referral must reach",
                    value: v("minimumInvitees", String(c.minimumInvitees)), errors: settingsErrors, width: "5")
                el("fieldset", .class("govuk-fieldset")) {
                    el("legend", .class("govuk-fieldset__legend govuk-fieldset__legend--s")) {
                        "Points each referral may give each criterion"
                    }
                    UI.table(
                        headers: ["Criterion", "Minimum", "Maximum"],
                        rows: ReferralCriterion.allCases.map { r in
                            let b =
                                content.weightBounds[r.rawValue]
                                ?? .init(min: r.hardBounds.lowerBound, max: r.hardBounds.upperBound)
                            return [
                                text(r.label),
                                UI.textInput(
                                    "bounds.\(r.rawValue).min", label: "\(r.label) minimum",
                                    value: v("bounds.\(r.rawValue).min", String(b.min)), errors: settingsErrors,
                                    width: "5"),
                                UI.textInput(
                                    "bounds.\(r.rawValue).max", label: "\(r.label) maximum",
                                    value: v("bounds.\(r.rawValue).max", String(b.max)), errors: settingsErrors,
                                    width: "5"),
                            ]
                        })
                }
                UI.button("Save settings")
            }
        }
    }

    private func categoryForm(_ req: Request, success: String, action: @escaping (Actor, UUID) async throws -> Void)
        async throws -> Response
    {
        let actor = try req.requireActor()
        let categoryID = try id(req)
        return try await Forms.handle(
            req, success: success, redirect: { .category(categoryID) },
            render: { errors, values in try await categoryView(req, errors: errors, values: values) },
            action: { try await action(actor, categoryID) })
    }

    func categorySettings(req: Request) async throws -> Response {
        try await categoryForm(req, success: "Category settings saved.") { actor, id in
            try await DPSAdmin.updateCategorySettings(
                id,
                try req.content.decode(AdminForms.CategorySettings.self).command(
                    bounds: req.content.decode(FormFields.self).text),
                actor: actor, db: req.db, now: req.now)
        }
    }

    func addItem(req: Request) async throws -> Response {
        try await categoryForm(req, success: "Added.") { actor, id in
            try await DPSAdmin.addContentItem(
                id, try req.content.decode(AdminForms.ContentItem.self).command, actor: actor, db: req.db, now: req.now)
        }
    }

    func removeItem(req: Request) async throws -> Response {
        try await categoryForm(req, success: "Removed.") { actor, id in
            let form = try req.content.decode(AdminForms.RemoveItem.self)
            try await DPSAdmin.removeContentItem(
                id, kind: try form.itemKind, key: form.key, actor: actor, db: req.db, now: req.now)
        }
    }

    /// The membership list's filters from the query string: status, search and order, and a partner's area
    /// (checked against the areas the reader may choose; refused by name otherwise).
    private func membershipFilter(_ req: Request, actor: Actor) async throws -> (
        filter: ListFilter, area: String?, areas: [ListFilter.Choice], category: UUID?,
        categories: [ListFilter.Choice], errors: [FieldError], query: String?
    ) {
        let options = Queries.membershipOptions
        var (filter, errors) = req.listFilter(options)
        let areas = try await Queries.membershipAreas(actor: actor, db: req.db)
        var area = req.query[String.self, at: "area"]?.trimmed
        if area?.isEmpty == true { area = nil }
        if let chosen = area, !areas.contains(where: { $0.value == chosen }) {
            errors.append(FieldError(field: "area", message: "Choose a partner area from the list"))
            area = nil
            filter = .none(options)
        }
        let categories = try await Queries.membershipCategories(actor: actor, db: req.db)
        var category = req.query[String.self, at: "category"]?.trimmed
        if category?.isEmpty == true { category = nil }
        if let chosen = category, !categories.contains(where: { $0.value == chosen }) {
            errors.append(FieldError(field: "category", message: "Choose a category from the list"))
            category = nil
            filter = .none(options)
        }
        var parts = URLComponents()
        parts.percentEncodedQuery = filter.query(options)
        if let area { parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "area", value: area)] }
        if let category {
            parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "category", value: category)]
        }
        return (
            filter, area, areas, category.flatMap(UUID.init(uuidString:)), categories, errors, parts.percentEncodedQuery
        )
    }

    /// Stored once per change of the data for each signed-in session (`ViewCache`).
    func memberships(req: Request) async throws -> Response {
        try await req.application.storedViews.signedIn(req) { try await membershipsPage(req) }
    }

    private func membershipsPage(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let options = Queries.membershipOptions
        let (filter, area, areas, category, categories, errors, query) = try await membershipFilter(req, actor: actor)
        let page = try await Queries.memberships(
            actor: actor, filter: filter, area: area, category: category, page: try req.listPage(), db: req.db)
        let markup = Layout.page(title: "Memberships", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Memberships", caption: actor.isProvider ? actor.organisationName : "Every admitted establishment")
            UI.listFilter(
                .memberships, filter: filter, options: options, searchLabel: "Establishment, provider or category",
                errors: errors,
                extra: MarkupBuilder.concatenate([
                    categories.count < 2
                        ? .empty
                        : UI.select(
                            "category", label: "Category",
                            options: [.init(value: "", label: "Every category")]
                                + categories.map { .init(value: $0.value, label: $0.label) },
                            selected: category?.uuidString ?? "", errors: errors),
                    areas.isEmpty
                        ? .empty
                        : UI.select(
                            "area", label: "Partner area",
                            options: [.init(value: "", label: "Every area")]
                                + areas.map { .init(value: $0.value, label: $0.label) }, selected: area ?? "",
                            errors: errors),
                ]))
            el("p", .class("govuk-body")) {
                UI.link(
                    "Download these memberships as CSV",
                    href: SiteURL.membershipsExport.path + (query.map { "?" + $0 } ?? ""))
            }
            if page.rows.isEmpty {
                UI.emptyList(
                    actor.isProvider
                        ? "None of your establishments is a member yet. Apply from Applications."
                        : "No establishment has been admitted yet.",
                    narrowed: filter.narrows || area != nil || category != nil,
                    clear: SiteURL.memberships.path)
            } else {
                UI.table(
                    headers: [
                        "Establishment", "Provider", "Category", "Qualification score", "Weekly core cost", "Status",
                    ],
                    rows: page.rows.map { m in
                        [
                            UI.link(m.establishment, .membership(m.id)), text(m.provider), text(m.category),
                            text(QualificationScoring.formatHundredths(m.score)), text(formatPence(m.coreTotalPence)),
                            UI.tag(
                                m.state.capitalized
                                    + (m.stateReason.flatMap(SuspensionReason.init).map { ": \($0.label)" } ?? ""),
                                colour: m.state == "active" ? nil : "red"),
                        ]
                    })
            }
            UI.pagination(page, base: .memberships, query: query)
        }
        return HTMLResponse.make(markup, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    /// The master log as CSV, with the list's filters: every matching membership, its standing and the reason of
    /// its latest suspension, read a hundred at a time.
    func membershipsExport(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let (filter, area, _, category, _, errors, _) = try await membershipFilter(req, actor: actor)
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let db = req.readDB
        _ = try await Queries.memberships(
            actor: actor, filter: filter, area: area, category: category, page: .first, db: db)
        let name = ["memberships", filter.state, area, DisplayDate.isoMinute(req.now).prefix(10).description]
            .compactMap { $0 }.joined(separator: "-")
        return CSVDownload.stream(
            filename: name,
            header: [
                "Establishment", "URN", "Provider", "Category", "Postcode district", "Status", "Reason",
                "Qualification score", "Weekly core cost (pence)",
            ], first: 1
        ) { number in
            let page = try await Queries.memberships(
                actor: actor, filter: filter, area: area, category: category,
                page: try ListPage(number: number, size: ListPage.maximumSize),
                db: db)
            let rows = page.rows.map { m in
                [
                    m.establishment, m.urn ?? "", m.provider, m.category, m.postcodeDistrict, m.state,
                    m.stateReason.flatMap(SuspensionReason.init)?.label ?? "",
                    QualificationScoring.formatHundredths(m.score), String(m.coreTotalPence),
                ]
            }
            return (rows, page.hasNext && number < ListPage.maximumNumber ? number + 1 : nil)
        }
    }

    /// The audit trail's filter as given in the query string (`?type=referral&who=ann`), checked by name.
    private func auditFilter(_ req: Request) throws -> Queries.AuditFilter {
        try Queries.AuditFilter(type: req.query[String.self, at: "type"], who: req.query[String.self, at: "who"])
    }

    /// The filter as a query string, kept by the page links and the CSV link.
    private func auditQuery(_ filter: Queries.AuditFilter) -> String? {
        var parts = URLComponents()
        parts.queryItems = [
            filter.type.map { URLQueryItem(name: "type", value: $0) },
            filter.who.map { URLQueryItem(name: "who", value: $0) },
        ].compactMap { $0 }
        return parts.queryItems?.isEmpty == false ? parts.percentEncodedQuery : nil
    }

    /// Where an event's subject can be opened by this reader: only pages the reader's role opens, and a referral
    /// or placement only when the reader's own organisation made the change (the referral belongs to it).
    private func auditLink(_ e: Queries.AuditRow, actor: Actor) -> SiteURL? {
        guard let id = UUID(uuidString: e.entityID) else { return nil }
        let ownOrganisation = e.organisationID == actor.organisationID
        switch e.entityType {
        case "referral" where ownOrganisation: return .referral(id)
        case "placement" where ownOrganisation: return .placement(id)
        case "application": return .assessment(id)
        case "category" where actor.role == .dpsAdmin: return .category(id)
        case "dps" where actor.role == .dpsAdmin: return .dpsOverview
        case "urn_claim": return .urnClaims
        default: return nil
        }
    }

    func audit(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let filter: Queries.AuditFilter
        var errors: [FieldError] = []
        do { filter = try auditFilter(req) } catch let error as UseCaseError {
            (filter, errors) = (.none, error.errors)
        }
        // Only the events of this authority's own DPS world, a page at a time; the chain is verified on demand.
        let page = try await Queries.auditTrail(actor: actor, filter: filter, page: try req.listPage(), db: req.db)
        let query = auditQuery(filter)
        let typeNames = Dictionary(uniqueKeysWithValues: Queries.AuditFilter.types.map { ($0.value, $0.label) })
        let markup = Layout.page(title: "Audit trail", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Audit trail")
            UI.inset(
                "Every event is chained to the one before by its hash. "
                    + "Check the whole chain with `dps audit-verify` or GET /api/v1/audit/verify."
            )
            el("form", .class("dps-filter"), Attr("method", "get"), Attr("action", SiteURL.audit.path)) {
                UI.select(
                    "type", label: "Concerning",
                    options: [.init(value: "", label: "Everything")]
                        + Queries.AuditFilter.types.map { .init(value: $0.value, label: $0.label) },
                    selected: filter.type ?? "", errors: errors)
                UI.textInput(
                    "who", label: "Who (part of a name or e-mail address)", value: filter.who, errors: errors,
                    width: "20")
                UI.button("Filter", kind: "secondary")
            }
            el("p", .class("govuk-body")) {
                UI.link(
                    "Download these events as CSV", href: SiteURL.auditExport.path + (query.map { "?" + $0 } ?? ""))
                " (every page, oldest first)"
            }
            if page.rows.isEmpty {
                UI.p(filter.isEmpty ? "No events yet." : "No events match. Clear the filter to see every event.")
            } else {
                UI.table(
                    caption: "Events, newest first", headers: ["#", "When", "Who", "What", "Concerning"],
                    rows: page.rows.map { e in
                        let subject = "\(typeNames[e.entityType] ?? e.entityType) \(e.entityID.prefix(8))"
                        return [
                            text(String(e.seq)), text(DisplayDate.dateTime(e.occurredAt)), text(e.actorLabel),
                            text(e.label), auditLink(e, actor: actor).map { UI.link(subject, $0) } ?? text(subject),
                        ]
                    })
            }
            UI.pagination(page, base: .audit, query: query)
        }
        return HTMLResponse.make(markup, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    /// The audit trail as CSV, with the page's filter: read and written a thousand events at a time, so an export
    /// of any size holds one piece in memory. Cells that a spreadsheet would run as a formula are quoted as text.
    func auditExport(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let filter = try auditFilter(req)
        let db = req.readDB
        // Checked before the response starts, so a reader without access gets its error, not an empty file.
        _ = try await Queries.auditEvents(actor: actor, filter: filter, after: 0, limit: 1, db: db)
        let name = ["audit", filter.type, DisplayDate.isoMinute(req.now).prefix(10).description]
            .compactMap { $0 }.joined(separator: "-")
        return CSVDownload.stream(
            filename: name,
            header: ["Sequence", "Time (UTC)", "Who", "Event", "Action code", "Concerning", "Identifier", "Hash"],
            first: 0
        ) { after in
            let rows = try await Queries.auditEvents(actor: actor, filter: filter, after: after, limit: 1_000, db: db)
            return (
                rows.map { e in
                    [
                        String(e.seq), CSV.utc(e.occurredAt), e.actorLabel, e.label, e.action, e.entityType, e.entityID,
                        e.hash,
                    ]
                }, rows.last.map(\.seq)
            )
        }
    }
}

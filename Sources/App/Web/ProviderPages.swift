import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The provider's pages: organisation, establishments (filled from the registers by URN), applications.
struct ProviderPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.organisation, use: organisation)
        routes.get(.establishments, use: establishments)
        routes.get(.newEstablishment, use: newEstablishment)
        routes.post(.establishments, use: addEstablishment)
        routes.get(.establishmentEdit(.any), use: editEstablishmentPage)
        routes.post(.establishmentEdit(.any), use: editEstablishment)
        routes.post(.organisation, use: updateOrganisation)
        routes.post(.establishmentClaims, use: claimEstablishment)
        routes.get(.applications, use: applications)
        routes.post(.applications, use: startApplication)
        routes.get(.application(.any), use: application)
        routes.post(.application(.any), use: saveApplication)
        routes.on(
            .POST, SiteURL.evidenceUpload(application: .any, part: .any).route, body: .collect(maxSize: "12mb"),
            use: uploadEvidence)
        routes.get(.evidence(.any), use: downloadEvidence)
        routes.post(.clarificationAnswer(application: .any, clarification: .any), use: answerClarification)
    }

    private func providerActor(_ req: Request) throws -> Actor {
        let actor = try req.requireActor()
        guard actor.isProvider else { throw Abort(.forbidden, reason: "Only provider organisations use these pages.") }
        return actor
    }

    func organisation(req: Request) async throws -> Response {
        HTMLResponse.make(try await organisationView(req, errors: [], values: [:]))
    }

    func updateOrganisation(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        return try await Forms.handle(
            req, success: "Organisation details saved.", redirect: { .organisation },
            render: { errors, values in try await organisationView(req, errors: errors, values: values) }
        ) {
            try await ProviderUseCases.updateOrganisation(
                try req.content.decode(ProviderUseCases.RegistrationInput.self), actor: actor, db: req.db, now: req.now)
        }
    }

    private func organisationView(_ req: Request, errors: [FieldError], values: [String: String]) async throws
        -> Markup
    {
        let actor = try providerActor(req)
        let (org, users) = try await ProviderUseCases.organisation(actor: actor, db: req.db)
        let current =
            values.isEmpty
            ? [
                "organisationName": org.name, "legalName": org.legalName ?? "",
                "companyNumber": org.companyNumber ?? "", "charityNumber": org.charityNumber ?? "",
                "address": org.address ?? "", "postcode": org.postcode ?? "", "contactName": org.contactName ?? "",
                "contactEmail": org.contactEmail ?? "", "contactPhone": org.contactPhone ?? "",
            ] : values
        return Layout.page(title: "Organisation", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1(org.name, caption: "Organisation")
            UI.summaryList([
                ("Legal name", text(org.legalName ?? "")),
                ("Companies House number", text(org.companyNumber ?? "—")),
                ("Charity number", text(org.charityNumber ?? "—")),
                ("Address", text([org.address, org.postcode].compactMap { $0 }.joined(separator: "\n"))),
                (
                    "Contact",
                    text(
                        [org.contactName, org.contactEmail, org.contactPhone].compactMap { $0 }.filter {
                            !$0.isEmpty
                        }.joined(separator: "\n"))
                ),
            ])
            UI.h2("People")
            UI.table(
                headers: ["Name", "Email", "Role"],
                rows: users.map {
                    [text($0.name), text($0.email), text(Role(rawValue: $0.role)?.label ?? $0.role)]
                })
            if actor.role == .providerAdmin {
                UI.details("Change the organisation's details", errors: errors) {
                    UI.form(action: .organisation, csrf: req.csrfToken) {
                        UI.textInput(
                            "organisationName", label: "Name", value: current["organisationName"], errors: errors)
                        UI.textInput("legalName", label: "Legal name", value: current["legalName"], errors: errors)
                        UI.textInput(
                            "companyNumber", label: "Companies House number", value: current["companyNumber"],
                            hint: "Like 01234567 or SC123456", errors: errors, width: "10")
                        UI.textInput(
                            "charityNumber", label: "Charity number", value: current["charityNumber"],
                            hint: "Like 1123456", errors: errors, width: "10")
                        UI.textarea("address", label: "Address", value: current["address"], errors: errors, rows: 3)
                        UI.textInput(
                            "postcode", label: "Postcode", value: current["postcode"], errors: errors, width: "10")
                        UI.textInput(
                            "contactName", label: "Contact name", value: current["contactName"], errors: errors)
                        UI.textInput(
                            "contactEmail", label: "Contact email address", value: current["contactEmail"],
                            errors: errors, type: "email")
                        UI.textInput(
                            "contactPhone", label: "Contact telephone", value: current["contactPhone"],
                            errors: errors, type: "tel", width: "20")
                        UI.button("Save the details", kind: "secondary")
                    }
                }
            }
        }
    }

    func establishments(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        let list = try await ProviderUseCases.establishments(actor: actor, db: req.db)
        let claims = try await URNClaims.list(actor: actor, db: req.db)
        return HTMLResponse.make(
            Layout.page(title: "Establishments", context: PageContext(request: req)) {
                UI.h1("Establishments", caption: actor.organisationName)
                if actor.role == .providerAdmin {
                    el("p") {
                        el("a", .class("govuk-button"), .href(SiteURL.newEstablishment)) {
                            "Add an establishment"
                        }
                    }
                }
                UI.table(
                    headers: ["Name", "Type", "URN", "Postcode", "Inspection"],
                    rows: list.map { e in
                        [
                            actor.role == .providerAdmin
                                ? UI.link(e.name, .establishmentEdit(e.id!)) : text(e.name),
                            text(EstablishmentType(rawValue: e.type)?.label ?? e.type),
                            text(e.urn ?? "—"),
                            text(e.postcode + (e.locationApproximate ? " (approximate)" : "")),
                            text("\(e.judgement)\(e.judgementDate.map { " (\(DisplayDate.date($0)))" } ?? "")"),
                        ]
                    })
                if !claims.isEmpty {
                    UI.h2("Claims on establishments registered to another provider")
                    UI.table(
                        headers: ["URN", "Establishment", "Made", "Status"],
                        rows: claims.map { c in
                            [
                                text(c.urn), text(c.establishmentName), text(DisplayDate.dateTime(c.createdAt)),
                                text(c.state.label + (c.decisionReason.map { ". \($0)" } ?? "")),
                            ]
                        })
                }
            })
    }

    func newEstablishment(req: Request) async throws -> Response {
        _ = try providerActor(req)
        let urn = (try? req.query.get(String.self, at: "urn"))?.trimmed ?? ""
        var values: [String: String] = ["urn": urn]
        var notice: String?
        if !urn.isEmpty {
            let actor = try providerActor(req)
            let held = try await URNClaims.heldElsewhere(urn, actor: actor, db: req.db)
            if held.held {
                return HTMLResponse.make(claimView(req, urn: urn, openClaim: held.openClaim, errors: [], values: [:]))
            }
            if let entry = try await Registers.entry(urn: urn, on: req.db) {
                values = Self.values(from: entry)
                if let lat = entry.latitude, let lon = entry.longitude, entry.postcode == nil,
                    let sector = try await nearestSectorCode(entry.laGSSCode, lat: lat, lon: lon, db: req.db)
                {
                    values["postcode"] = sector
                }
                notice =
                    "We filled in the details from the "
                    + "\(entry.source == .gias ? "Get Information about Schools" : "Ofsted") register. "
                    + "Check them and correct anything out of date."
                    + (entry.detailsWithheld
                        ? " Ofsted withholds this home's name and address: enter the name you use, and we place it at "
                            + "a postcode sector of its local authority, marked as approximate."
                        : "")
            } else {
                notice = "We could not find URN \(urn) in the registers. Enter the details yourself."
            }
        }
        return HTMLResponse.make(establishmentView(req, errors: [], values: values, notice: notice))
    }

    /// A withheld address is placed at the sector of its local authority nearest the register's point.
    private func nearestSectorCode(_ la: String?, lat: Double, lon: Double, db: any Database) async throws -> String? {
        guard let la else { return nil }
        let sectors = try await PostcodeCentroidRecord.query(on: db).filter(\.$laGSSCode == la).filter(
            \.$precision == "sector"
        ).all()
        return sectors.min { a, b in
            abs(a.latitude - lat) + abs(a.longitude - lon) < abs(b.latitude - lat) + abs(b.longitude - lon)
        }?.id
    }

    static func values(from entry: RegisterEntry) -> [String: String] {
        let type: EstablishmentType =
            switch entry.category {
            case "childrens_home", "secure_childrens_home": .childrensHome
            case "independent_fostering_agency": .fosteringAgency
            default: entry.source == .gias ? .school : .childrensHome
            }
        let inspectorate = Inspectorate.from(name: entry.inspectorate ?? (entry.source == .ofsted ? "Ofsted" : ""))
        return [
            "urn": entry.urn, "name": entry.name ?? "", "type": type.rawValue,
            "address": entry.addressLines.joined(separator: "\n"),
            "town": entry.town ?? "", "postcode": entry.postcode ?? "", "ageLow": entry.ageLow.map(String.init) ?? "",
            "ageHigh": entry.ageHigh.map(String.init) ?? "", "genders": (entry.genders ?? "mixed").lowercased(),
            "capacity": entry.capacity.map(String.init) ?? "", "inspectorate": inspectorate.rawValue,
            "judgement": entry.latestJudgement ?? "", "judgementDate": entry.judgementDate ?? "",
            "locationApproximate": entry.locationApproximate ? "yes" : "no",
        ]
    }

    /// The form to add an establishment (`editing` nil: with the URN lookup) or to change one of the provider's
    /// (its URN shown, not editable).
    private func establishmentView(
        _ req: Request, errors: [FieldError], values: [String: String], notice: String?,
        editing: EstablishmentRecord? = nil
    ) -> Markup {
        let title = editing.map { "Change \($0.name)" } ?? "Add an establishment"
        return Layout.page(title: title, context: PageContext(request: req)) {
            UI.backLink(.establishments)
            UI.errorSummary(errors)
            UI.h1(title)
            if let editing {
                UI.p(
                    editing.urn.map { "URN \($0). A URN stays with its establishment; it moves only by a claim." }
                        ?? "This establishment has no URN.")
            } else {
                el("form", Attr("method", "get"), Attr("action", SiteURL.newEstablishment.path)) {
                    UI.textInput(
                        "urn", label: "Unique reference number (URN)", value: values["urn"],
                        hint:
                            "We fill in the details from the school or Ofsted register. "
                            + "For example 126140 or SC040336.",
                        errors: errors, width: "10")
                    UI.button("Find", kind: "secondary")
                }
            }
            if let notice { UI.inset(notice) }
            UI.form(action: editing.map { .establishmentEdit($0.id!) } ?? .establishments, csrf: req.csrfToken) {
                void("input", [.type("hidden"), .name("urn"), .value(values["urn"] ?? "")])
                void(
                    "input",
                    [.type("hidden"), .name("locationApproximate"), .value(values["locationApproximate"] ?? "no")])
                UI.textInput("name", label: "Name", value: values["name"], errors: errors)
                UI.radios(
                    "type", legend: "Type",
                    options: EstablishmentType.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                    selected: values["type"], errors: errors)
                UI.textarea("address", label: "Address", value: values["address"], errors: errors, rows: 3)
                UI.textInput("town", label: "Town", value: values["town"], errors: errors, width: "20")
                UI.textInput(
                    "postcode", label: "Postcode", value: values["postcode"],
                    hint: "For children's homes whose address is withheld, a postcode sector such as RH12 1 is enough",
                    errors: errors, width: "10")
                UI.textInput("ageLow", label: "Youngest age taken", value: values["ageLow"], errors: errors, width: "5")
                UI.textInput("ageHigh", label: "Oldest age taken", value: values["ageHigh"], errors: errors, width: "5")
                UI.radios(
                    "genders", legend: "Takes",
                    options: [
                        .init(value: "mixed", label: "Boys and girls"), .init(value: "boys", label: "Boys"),
                        .init(value: "girls", label: "Girls"),
                    ], selected: values["genders"], errors: errors, inline: true)
                UI.textInput(
                    "capacity", label: "Number of places", value: values["capacity"],
                    hint: "Leave empty for a fostering agency", errors: errors, width: "5")
                UI.select(
                    "inspectorate", label: "Inspectorate",
                    options: [.init(value: "", label: "Choose")]
                        + Inspectorate.allCases.map { .init(value: $0.rawValue, label: $0.displayName) },
                    selected: values["inspectorate"], errors: errors)
                UI.textInput(
                    "judgement", label: "Latest inspection judgement", value: values["judgement"],
                    hint: "As published, for example Good, or Requires improvement to be good", errors: errors)
                UI.dateInput(
                    "judgementDate", legend: "Date of that inspection", values: values, hint: "For example 5 11 2024",
                    errors: errors)
                UI.button(editing == nil ? "Add establishment" : "Save the changes")
            }
        }
    }

    private func establishmentID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        return id
    }

    func editEstablishmentPage(req: Request) async throws -> Response {
        let e = try await ProviderUseCases.ownEstablishment(
            try establishmentID(req), actor: try providerActor(req), db: req.db)
        let values = [
            "name": e.name, "type": e.type, "address": e.address, "town": e.town, "postcode": e.postcode,
            "ageLow": String(e.ageLow), "ageHigh": String(e.ageHigh), "genders": e.genders,
            "capacity": String(e.capacity), "inspectorate": e.inspectorate, "judgement": e.judgement,
            "judgementDate": e.judgementDate ?? "", "locationApproximate": e.locationApproximate ? "yes" : "no",
        ]
        return HTMLResponse.make(establishmentView(req, errors: [], values: values, notice: nil, editing: e))
    }

    func editEstablishment(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        let e = try await ProviderUseCases.ownEstablishment(try establishmentID(req), actor: actor, db: req.db)
        return try await Forms.handle(
            req, success: "Changes to \(e.name) saved.", redirect: { .establishments },
            render: { errors, values in
                establishmentView(req, errors: errors, values: values, notice: nil, editing: e)
            }
        ) {
            try await ProviderUseCases.updateEstablishment(
                e.id!, try req.decodeForm(ProviderUseCases.EstablishmentInput.self), actor: actor, db: req.db,
                now: req.now)
        }
    }

    /// The URN is registered to another provider: instead of a second copy, the provider may claim it, and the
    /// lead authority decides.
    private func claimView(_ req: Request, urn: String, openClaim: Bool, errors: [FieldError], values: [String: String])
        -> Markup
    {
        Layout.page(title: "URN \(urn) is registered to another provider", context: PageContext(request: req)) {
            UI.backLink(.establishments)
            UI.errorSummary(errors)
            UI.h1("URN \(urn) is registered to another provider")
            UI.p(
                "An establishment belongs to one provider on this service, so it cannot be added twice. If it is yours "
                    + "(for example, you have taken it over), claim it: the lead authority checks your statement, "
                    + "may contact both providers, and decides. You will get a message with the decision.")
            if openClaim {
                UI.inset("You have already claimed this URN. The lead authority will reply.")
            } else if (try? req.requireActor().role) == .providerAdmin {
                UI.form(action: .establishmentClaims, csrf: req.csrfToken) {
                    void("input", [.type("hidden"), .name("urn"), .value(urn)])
                    UI.textarea(
                        "statement", label: "Why is this establishment yours?", value: values["statement"],
                        hint: "For example, the date you took it over, its registration with Ofsted or the DfE in your "
                            + "name, and who the lead authority can contact to confirm it.",
                        errors: errors, rows: 5)
                    UI.button("Send the claim to the lead authority")
                }
            } else {
                UI.inset("Your provider administrator can claim it.")
            }
        }
    }

    struct ClaimInput: Content {
        var urn: String?
        var statement: String?
    }

    func claimEstablishment(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        let input = try req.content.decode(ClaimInput.self)
        return try await Forms.handle(
            req, success: "Claim sent. The lead authority will decide and send you a message.",
            redirect: { .establishments },
            render: { errors, values in
                claimView(req, urn: input.urn ?? "", openClaim: false, errors: errors, values: values)
            }
        ) {
            _ = try await URNClaims.submit(
                urn: input.urn ?? "", statement: input.statement ?? "", actor: actor, db: req.db, now: req.now)
        }
    }

    func addEstablishment(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        return try await Forms.handle(
            req, success: "Establishment added. You can now apply for it.", redirect: { .establishments },
            render: { errors, values in establishmentView(req, errors: errors, values: values, notice: nil) }
        ) {
            _ = try await ProviderUseCases.addEstablishment(
                try req.decodeForm(ProviderUseCases.EstablishmentInput.self), actor: actor, db: req.db, now: req.now
            )
        }
    }

    func applications(req: Request) async throws -> Response {
        HTMLResponse.make(try await applicationsView(req, errors: [], values: [:]))
    }

    private func applicationsView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup
    {
        let actor = try providerActor(req)
        let apps = try await ProviderUseCases.applications(actor: actor, page: try req.listPage(), db: req.db)
        // Answers may be copied from the newest applications (the first page), whichever page is shown.
        let recent =
            apps.request.number == 1
            ? apps.rows : try await ProviderUseCases.applications(actor: actor, page: .first, db: req.db).rows
        let establishments = try await ProviderUseCases.establishments(actor: actor, db: req.db)
        let categories = try await ProviderUseCases.categoriesOpenForApplications(db: req.db)
        let memberships = try await ProviderUseCases.ownMemberships(actor: actor, db: req.db)
        // Each category is named with its DPS when the installation runs more than one.
        let severalDPSs = Set(categories.map(\.$dps.id)).count > 1
        return Layout.page(title: "Applications", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Applications", caption: actor.organisationName)
            UI.table(
                headers: ["Establishment", "Status", "Submitted", "Decision due"],
                rows: apps.rows.map { a in
                    [
                        UI.link(a.establishment.name, .application(a.id!)), Self.stateTag(a.state),
                        text(a.submittedAt.map(DisplayDate.dateTime) ?? "—"), text(DisplayDate.date(a.deadline)),
                    ]
                })
            UI.pagination(apps, base: .applications)
            if !memberships.isEmpty {
                UI.h2("Memberships")
                UI.table(
                    headers: ["Establishment", "Category", "Qualification score", "Status"],
                    rows: memberships.map { m in
                        [
                            text(m.establishment.name), text(m.category.name),
                            text(QualificationScoring.formatHundredths(m.qualificationScore)),
                            UI.tag(m.state.capitalized),
                        ]
                    })
            }
            if actor.role == .providerAdmin {
                UI.h2("Start an application")
                if establishments.isEmpty {
                    el("p") {
                        "First "
                        UI.link("add an establishment", .newEstablishment)
                        "."
                    }
                } else {
                    UI.form(action: .applications, csrf: req.csrfToken) {
                        UI.select(
                            "establishment", label: "Establishment",
                            options: [.init(value: "", label: "Choose an establishment")]
                                + establishments.map { .init(value: $0.id!.uuidString, label: $0.name) },
                            selected: values["establishment"], errors: errors)
                        UI.checkboxes(
                            "categories[]", legend: "Categories to apply for",
                            options: categories.map {
                                .init(
                                    value: $0.id!.uuidString,
                                    label: severalDPSs ? "\($0.name) (\($0.dps.title))" : $0.name)
                            },
                            selected: Set(Forms.fields(req).lists["categories"] ?? []),
                            hint: "Select all that apply. Each category is decided separately.", errors: errors)
                        if !recent.isEmpty {
                            UI.select(
                                "copyFrom", label: "Copy answers from an earlier application (optional)",
                                options: [.init(value: "", label: "Start with empty answers")]
                                    + recent.map {
                                        .init(
                                            value: $0.id!.uuidString,
                                            label:
                                                "\($0.establishment.name) "
                                                + "(\(ApplicationState(rawValue: $0.state)?.label ?? $0.state))"
                                        )
                                    }, selected: values["copyFrom"],
                                hint:
                                    "Answers for the categories both applications share are copied; "
                                    + "you can change them before you submit.",
                                errors: errors)
                        }
                        UI.button("Start application")
                    }
                }
            }
        }
    }

    static func stateTag(_ state: String) -> Markup {
        let s = ApplicationState(rawValue: state)
        let colour: String? =
            switch s {
            case .draft: "grey"
            case .clarificationRequested: "yellow"
            case .submitted: "blue"
            case .withdrawn: "red"
            default: nil
            }
        return UI.tag(s?.label ?? state, colour: colour)
    }

    func startApplication(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        var created: UUID?
        return try await Forms.handle(
            req, success: "Application started. Save your answers as you go; submit when everything is complete.",
            redirect: { .application(created ?? .any) },
            render: { errors, values in try await applicationsView(req, errors: errors, values: values) }
        ) {
            let command = try req.content.decode(ApplicationForm.Start.self).command
            created = try await ProviderUseCases.startApplication(command, actor: actor, db: req.db, now: req.now).id
        }
    }

    func application(req: Request) async throws -> Response {
        HTMLResponse.make(try await applicationView(req, errors: [], values: [:]))
    }

    private func applicationView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup
    {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let model = try await ProviderApplication.query(id, actor: try providerActor(req), db: req.db)
        return ProviderApplication.view(
            model, context: PageContext(request: req), form: FormState(errors: errors, values: values))
    }

    func saveApplication(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(FormFields.self).text
        let submitting = form["action"] == "submit"
        if submitting && form["confirm"] != "yes" {
            // Save what was typed, then check the answers before the submission that cannot be undone.
            do {
                try await ProviderUseCases.saveDraft(id, form: form, actor: actor, db: req.db, now: req.now)
                try await ProviderUseCases.submit(
                    id, actor: actor, db: req.db, now: req.now, calendar: req.calendar, checkOnly: true)
            } catch let error as UseCaseError where !error.errors.isEmpty {
                return HTMLResponse.make(
                    try await applicationView(req, errors: error.errors, values: form), status: error.httpStatus)
            }
            let model = try await ProviderApplication.query(id, actor: actor, db: req.db)
            return HTMLResponse.make(
                ProviderApplication.checkAnswers(model, context: PageContext(request: req), csrf: req.csrfToken))
        }
        return try await Forms.handle(
            req, success: submitting ? "Application submitted. We will decide within 10 working days." : "Draft saved.",
            redirect: { .application(id) },
            render: { errors, values in try await applicationView(req, errors: errors, values: values) }
        ) {
            // The confirmed submission carries no answers: they were saved before checking them.
            if !submitting {
                try await ProviderUseCases.saveDraft(id, form: form, actor: actor, db: req.db, now: req.now)
            }
            if submitting {
                try await ProviderUseCases.submit(id, actor: actor, db: req.db, now: req.now, calendar: req.calendar)
            }
        }
    }

    /// An evidence upload, sent by the application form itself (its Upload buttons post the whole form here), so
    /// the answers typed but not yet saved are saved first and never lost; then the chosen question's file.
    func uploadEvidence(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        guard let id = req.parameters.get("id", as: UUID.self), let partID = req.parameters.get("partID", as: UUID.self)
        else { throw Abort(.notFound) }
        let fields = (try? req.content.decode(FormFields.self)) ?? FormFields()
        let question = fields.text["question"] ?? ""
        do {
            try await ProviderUseCases.saveDraft(id, form: fields.text, actor: actor, db: req.db, now: req.now)
            let upload = ProviderUseCases.EvidenceUpload(
                question: question, expiresOn: DateParts.text(fields.text, "expiresOn.\(partID).\(question)"),
                file: (try? req.content.get(File.self, at: "file.\(partID).\(question)"))?.uploaded)
            try await ProviderUseCases.uploadEvidence(
                id, partID: partID, upload, actor: actor, db: req.db, now: req.now)
            req.flash("Answers saved and document uploaded.")
            return req.redirect(to: .application(id))
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return HTMLResponse.make(
                try await applicationView(req, errors: error.errors, values: fields.text), status: error.httpStatus)
        }
    }

    func downloadEvidence(req: Request) async throws -> Response {
        guard let id = req.parameters.get("docID", as: UUID.self) else { throw Abort(.notFound) }
        let doc = try await ProviderUseCases.evidence(id, actor: try req.requireActor(), db: req.db)
        let response = Response(status: .ok, body: .init(data: doc.data))
        response.headers.replaceOrAdd(name: .contentType, value: "application/octet-stream")
        response.headers.replaceOrAdd(name: .contentDisposition, value: SafeHeaders.attachment(doc.filename))
        return response
    }

    func answerClarification(req: Request) async throws -> Response {
        let actor = try providerActor(req)
        guard let id = req.parameters.get("id", as: UUID.self), let cid = req.parameters.get("cid", as: UUID.self)
        else { throw Abort(.notFound) }
        struct Form: Content { var answer: String? }
        return try await Forms.handle(
            req, success: "Answer sent.", redirect: { .application(id) },
            render: { errors, values in try await applicationView(req, errors: errors, values: values) }
        ) {
            try await ProviderUseCases.answerClarification(
                id, clarificationID: cid, answer: try req.content.decode(Form.self).answer, actor: actor, db: req.db,
                now: req.now)
        }
    }
}

extension Markup {
    /// Renames a field's `name` attribute while keeping its id (so error links still work).
    func replacingName(_ from: String, with to: String) -> Markup {
        Markup(unsafeRaw: html.replacingOccurrences(of: "name=\"\(escape(from))\"", with: "name=\"\(escape(to))\""))
    }

    /// The same, and the field made part of the form `formID` (HTML's `form` attribute) though written outside it.
    func replacingName(_ from: String, with to: String, inForm formID: String) -> Markup {
        Markup(
            unsafeRaw: html.replacingOccurrences(
                of: "name=\"\(escape(from))\"", with: "name=\"\(escape(to))\" form=\"\(escape(formID))\""))
    }
}

extension Inspectorate {
    var displayName: String {
        switch self {
        case .ofstedSocialCare: "Ofsted (social care)"
        case .ofstedEducation: "Ofsted (education)"
        case .isi: "Independent Schools Inspectorate"
        case .ciw: "Care Inspectorate Wales / Estyn"
        case .other: "Other"
        }
    }
}

/// The evidence form as posted (multipart), before it becomes the use case's typed upload.
struct EvidenceForm: Content {
    var question: String?
    var expiresOn: String?
    var file: File?
}

extension File {
    var uploaded: ProviderUseCases.UploadedFile {
        ProviderUseCases.UploadedFile(
            filename: filename, contentType: contentType?.serialize(), data: Data(buffer: data))
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// Officers' referral pages, the placement agreement, and the parent's private page.
struct ReferralPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.referrals, use: list)
        routes.get(.newReferral, use: newForm)
        routes.post(.referrals, use: create)
        routes.get(.directReferral, use: directForm)
        routes.post(.directReferral, use: direct)
        routes.get(.referral(.any), use: show)
        routes.post(.referral(.any, .radius), use: radius)
        routes.post(.referral(.any, .publish), use: publish)
        routes.post(.referral(.any, .extend), use: extend)
        routes.post(.referral(.any, .cancel), use: cancel)
        routes.post(.referral(.any, .close), use: close)
        routes.post(.bidScore(referral: .any, bid: .any), use: score)
        routes.post(.referral(.any, .parent), use: parent)
        routes.post(.referral(.any, .award), use: award)
        routes.post(.referral(.any, .reissue), use: reissue)
        routes.get(.placement(.any), use: placement)
        routes.post(.placementAccept(.any), use: accept)
        routes.get(.choice(token: ""), use: choice)
        routes.post(.choice(token: ""), use: choose)
    }

    private func id(_ req: Request, _ name: String = "id") throws -> UUID {
        guard let id = req.parameters.get(name, as: UUID.self) else { throw Abort(.notFound) }
        return id
    }

    private func council(_ req: Request) throws -> Actor {
        let actor = try req.requireActor()
        guard !actor.isProvider else { throw Abort(.forbidden, reason: "Referrals are made by councils.") }
        return actor
    }

    static func stateTag(_ state: String) -> Markup {
        let s = ReferralState(rawValue: state)
        let colour: String? =
            switch s {
            case .draft: "grey"
            case .published: "blue"
            case .closed, .awaitingParent: "yellow"
            case .cancelled, .reissued: "red"
            default: nil
            }
        return UI.tag(s?.label ?? state, colour: colour)
    }

    /// Stored once per change of the data for each signed-in session (`ViewCache`).
    func list(req: Request) async throws -> Response {
        try await req.application.storedViews.signedIn(req) {
            let model = try await ReferralList.query(
                actor: try council(req), filter: req.listFilter(Referrals.listOptions), page: try req.listPage(),
                db: req.db)
            return HTMLResponse.make(
                ReferralList.view(model, context: PageContext(request: req)),
                status: model.filterErrors.isEmpty ? .ok : .unprocessableEntity)
        }
    }

    func newForm(req: Request) async throws -> Response {
        HTMLResponse.make(try await form(req, errors: [], values: [:]))
    }

    private func form(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try council(req)
        try Referrals.requireOfficer(actor)
        try await AccessPolicy.requireBuyer(actor, db: req.db)
        let categories = try await Referrals.categories(for: actor, db: req.db)
        let labels = Referrals.choiceLabels(categories)
        let defaultDeadline = DisplayDate.isoMinute(req.now.addingTimeInterval(2 * 86400))
        func v(_ key: String, _ fallback: String = "") -> String { values[key] ?? fallback }
        return Layout.page(title: "Create a referral", context: PageContext(request: req)) {
            UI.backLink(.referrals)
            UI.errorSummary(errors)
            UI.h1("Create a referral")
            UI.p(
                "Describe the child's needs once. Every admitted provider within the distance you set "
                    + "is invited at the same moment; they never see who the child is."
            )
            UI.form(action: .referrals, csrf: req.csrfToken) {
                UI.select(
                    "category", label: "Category",
                    options: [.init(value: "", label: "Choose a category")]
                        + categories.map {
                            .init(value: $0.id!.uuidString, label: labels[$0.id!] ?? $0.name)
                        },
                    selected: values["category"], errors: errors)
                UI.radios(
                    "kind", legend: "What are you buying?",
                    options: [
                        .init(value: "spot", label: "A placement for a child (or siblings)"),
                        .init(
                            value: "block", label: "A block of places for a period",
                            hint: "Bid and awarded the same way; no child's details"),
                    ], selected: v("kind", "spot"), errors: errors)
                UI.radios(
                    "pattern", legend: "Placement pattern",
                    options: PlacementPattern.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                    selected: values["pattern"], errors: errors)
                UI.dateInput(
                    "startDate", legend: "Start date", values: values, hint: "For example 4 1 2027", errors: errors)
                UI.textInput(
                    "durationWeeks", label: "Expected duration in weeks", value: values["durationWeeks"],
                    errors: errors, width: "5")
                UI.textInput(
                    "children", label: "Number of children placed together", value: v("children", "1"),
                    hint: "More than 1 for a sibling group or cohort: the providers' published discounts apply",
                    errors: errors, width: "5")
                UI.textInput(
                    "places", label: "Places to book (block bookings only)", value: v("places", "1"), errors: errors,
                    width: "5")
                UI.textarea(
                    "voidTerms", label: "Void terms (block bookings only)", value: values["voidTerms"],
                    hint: "For example: unused places paid at 80% of the weekly fee after 4 weeks", errors: errors,
                    rows: 2)
                el("h2", .class("govuk-heading-m")) { "The child" }
                UI.textInput("childAge", label: "Age in years", value: values["childAge"], errors: errors, width: "5")
                UI.radios(
                    "childGender", legend: "Gender",
                    options: [
                        .init(value: "girl", label: "Girl"), .init(value: "boy", label: "Boy"),
                        .init(value: "other", label: "Another gender or prefers not to say"),
                    ], selected: values["childGender"], errors: errors, inline: true)
                UI.textInput(
                    "homePostcode", label: "Home postcode", value: values["homePostcode"],
                    hint: "Kept private. Providers see only the district, for example RH12.", errors: errors,
                    width: "10")
                UI.textarea(
                    "childDetails", label: "Child's details (private)", value: values["childDetails"],
                    hint: "Name, date of birth, case number. Released only to the provider awarded the placement.",
                    errors: errors, rows: 3)
                el("h2", .class("govuk-heading-m")) { "Needs and outcomes" }
                UI.textarea(
                    "needs", label: "Needs from the EHC plan or care plan", value: values["needs"],
                    hint:
                        "One per line. Add marks after a bar if a need counts for more, and the area of need "
                        + "after a second bar, for example: Speech and language therapy | 2 | "
                        + "communication_interaction. Areas: "
                        + NeedArea.allCases.map { "\($0.rawValue) (\($0.label))" }.joined(separator: ", "),
                    errors: errors, rows: 5)
                UI.textarea(
                    "mustHaves", label: "Must-have features", value: values["mustHaves"],
                    hint: "One per line. A bid that does not meet every one is not compliant.", errors: errors, rows: 3)
                UI.textarea(
                    "desirables", label: "Desirable features (optional)", value: values["desirables"],
                    hint: "One per line, with marks after a bar if needed", errors: errors, rows: 3)
                UI.textarea(
                    "outcomes", label: "Desired outcomes", value: values["outcomes"],
                    hint: "One per line, framed in the outcomes framework", errors: errors, rows: 3)
                el("h2", .class("govuk-heading-m")) { "How bids are scored" }
                UI.p(
                    "Points out of 100. Price 30 to 70, core competency at most 20, location at most 5, "
                        + "within the category's bounds."
                )
                for c in ReferralCriterion.allCases {
                    UI.textInput(
                        "weights[\(c.rawValue)]", label: "\(c.label) (points)",
                        value: values["weights[\(c.rawValue)]"] ?? String(c.defaultPoints), errors: errors, width: "5"
                    )
                    .replacingIDs("weights[\(c.rawValue)]", "weights.\(c.rawValue)")
                }
                el("h2", .class("govuk-heading-m")) { "Reach and timing" }
                UI.textInput(
                    "radiusMiles", label: "Distance limit in miles from the child's home",
                    value: v("radiusMiles", "20"), errors: errors, width: "5")
                UI.dateInput(
                    "deadline", legend: "Response deadline",
                    values: values.isEmpty ? ["deadline": defaultDeadline] : values,
                    hint: "Date and time (24-hour clock), for example 12 1 2027 and 17:00. Every invited provider has "
                        + "the same deadline.",
                    errors: errors, time: true)
                UI.radios(
                    "parentChoice", legend: "Does parent choice apply?",
                    options: [
                        .init(
                            value: "yes", label: "Yes",
                            hint: "The parent or carer chooses among bids within a few points of the top"),
                        .init(value: "no", label: "No"),
                    ], selected: v("parentChoice", "yes"), errors: errors, inline: true)
                UI.button("Save referral")
            }
        }
    }

    func create(req: Request) async throws -> Response {
        let actor = try council(req)
        var created: UUID?
        return try await Forms.handle(
            req, success: "Referral saved as a draft. Check who it will reach, then publish it.",
            redirect: { .referral(created ?? .any) },
            render: { errors, values in try await form(req, errors: errors, values: values) }
        ) {
            var input = try req.decodeForm(Referrals.Input.self)
            input.deadline = req.typedDateTime("deadline")
            created = try await Referrals.create(input, actor: actor, db: req.db, now: req.now).id
        }
    }

    /// Stored once per change of the data for each signed-in session (`ViewCache`): after the deadline the page
    /// carries the whole evaluation, which changes only when a score, the parent's choice or the award is saved.
    func show(req: Request) async throws -> Response {
        try await req.application.storedViews.signedInPage(req) { try await detail(req, errors: [], values: [:]) }
    }

    private func detail(_ req: Request, errors: [FieldError], values: [String: String], parentLink: String? = nil)
        async throws -> Markup
    {
        let model = try await ReferralDetail.query(try id(req), actor: try council(req), db: req.db, now: req.now)
        return ReferralDetail.view(
            model, context: PageContext(request: req),
            form: FormState(errors: errors, values: values, parentLink: parentLink))
    }

    private func officerForm(
        _ req: Request, success: @autoclosure () -> String, redirect: ((UUID) -> SiteURL)? = nil,
        action: @escaping (Actor, UUID) async throws -> Void
    ) async throws -> Response {
        let actor = try council(req)
        let referralID = try id(req)
        return try await Forms.handle(
            req, success: success(), redirect: { redirect?(referralID) ?? .referral(referralID) },
            render: { errors, values in try await detail(req, errors: errors, values: values) },
            action: { try await action(actor, referralID) })
    }

    struct Text: Content {
        var radiusMiles: String?
        var deadline: String?
        var reason: String?
        var replyBy: String?
        var parentEmail: String?
        var score: String?
        var comment: String?
        var consensus: String?
        var criterion: String?

        /// Miles as a finite number (anything else is "not given", and the use case names the field).
        var radius: Double? { Double((radiusMiles ?? "").trimmed).flatMap { $0.isFinite ? $0 : nil } }
        /// "2026-11-25 17:00" in London time.
        var deadlineDate: Date? { Referrals.parseDeadline(deadline) }

        /// The form with its deadline read from the date input's boxes.
        static func decode(_ req: Request) throws -> Text {
            var form = try req.content.decode(Text.self)
            form.deadline = req.typedDateTime("deadline")
            return form
        }
        var replyByDate: Date? { Referrals.parseDeadline(replyBy) }
    }

    func radius(req: Request) async throws -> Response {
        try await officerForm(req, success: "Distance limit changed.") { actor, id in
            try await Referrals.setRadius(
                id, miles: try req.content.decode(Text.self).radius, actor: actor, db: req.db, now: req.now)
        }
    }

    func publish(req: Request) async throws -> Response {
        if !Confirmation.given(req) {
            // Check the referral before it goes to every provider in reach at once.
            let actor = try council(req)
            let model = try await ReferralDetail.query(try id(req), actor: actor, db: req.db, now: req.now)
            let r = model.referral
            let list = { (items: [String]) in items.isEmpty ? "None" : items.joined(separator: "\n") }
            return Confirmation.page(
                req, title: "Check the referral before publishing", caption: r.reference,
                facts: [
                    ("Category", r.category.name), ("Start", DisplayDate.date(r.startDate)),
                    ("Duration", "\(r.durationWeeks) weeks"),
                    (
                        "Child",
                        [r.childAge.map { "aged \($0)" }, r.childGender].compactMap { $0 }.joined(separator: ", ")
                    ),
                    ("Needs", list(model.content.needs.map(\.text))), ("Must-haves", list(model.content.mustHaves)),
                    ("Outcomes", list(model.content.outcomes)),
                    ("Deadline for bids", DisplayDate.dateTime(r.deadline)),
                    (
                        "Who it reaches",
                        "\(model.preview?.eligible ?? 0) establishments within \(Int(r.radiusMiles)) miles"
                    ),
                ],
                consequence: "Publishing invites every one of them at the same moment. After that you cannot change "
                    + "the referral or remove a provider; you can extend the deadline or cancel.",
                action: .referral(r.id!, .publish), button: "Publish and invite providers", back: .referral(r.id!))
        }
        var count = 0
        return try await officerForm(req, success: "Published: \(count) establishments invited at the same moment.") {
            actor, id in
            count = try await Referrals.publish(id, actor: actor, db: req.db, now: req.now)
        }
    }

    func extend(req: Request) async throws -> Response {
        try await officerForm(req, success: "Deadline extended for every invited provider.") { actor, id in
            try await Referrals.extend(
                id, deadline: try Text.decode(req).deadlineDate, actor: actor, db: req.db, now: req.now)
        }
    }

    func cancel(req: Request) async throws -> Response {
        try await officerForm(req, success: "Referral cancelled; invited providers have been told.") { actor, id in
            try await Referrals.cancel(
                id, reason: try req.content.decode(Text.self).reason, actor: actor, db: req.db, now: req.now)
        }
    }

    func close(req: Request) async throws -> Response {
        try await officerForm(req, success: "Closed. The bids are open for scoring.") { actor, id in
            try await Referrals.closeOnDemand(id, actor: actor, db: req.db, now: req.now)
        }
    }

    func score(req: Request) async throws -> Response {
        let bidID = try id(req, "bidID")
        return try await officerForm(req, success: "Score saved.") { actor, id in
            let form = try req.content.decode(Text.self)
            try await Referrals.scoreBid(
                id, bidID: bidID,
                .init(
                    criterion: EvaluationCriterion(rawValue: form.criterion ?? ""),
                    score: AdminForms.int(form.score),
                    comment: form.comment ?? "", consensus: AdminForms.yes(form.consensus)),
                actor: actor, db: req.db, now: req.now)
        }
    }

    func parent(req: Request) async throws -> Response {
        let actor = try council(req)
        let referralID = try id(req)
        do {
            var form = try Text.decode(req)
            form.replyBy = req.typedDateTime("replyBy")
            let token = try await Referrals.askParent(
                referralID, replyBy: form.replyByDate, parentEmail: form.parentEmail, actor: actor, db: req.db,
                now: req.now)
            if let email = form.parentEmail?.trimmed, !email.isEmpty {
                req.flash("The private link is on its way to \(email).")
            }
            let link = req.application.config.publicBaseURL + SiteURL.choice(token: token).path
            return HTMLResponse.make(try await detail(req, errors: [], values: [:], parentLink: link))
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return HTMLResponse.make(
                try await detail(req, errors: error.errors, values: Forms.values(req)), status: error.httpStatus)
        }
    }

    func award(req: Request) async throws -> Response {
        if !Confirmation.given(req) {
            let actor = try council(req)
            let model = try await ReferralDetail.query(try id(req), actor: actor, db: req.db, now: req.now)
            let r = model.referral
            let preferred = r.parentPreference
            let top = model.evaluation?.result.ranking.first.flatMap { UUID(uuidString: $0.id) }
            let winner = (preferred ?? top).flatMap { model.evaluation?.bids[$0] }
            return Confirmation.page(
                req, title: "Award \(r.reference)", caption: r.category.name,
                facts: [
                    ("To", winner?.establishmentName ?? "The top bid"),
                    (
                        "Because",
                        preferred != nil ? "The parent or carer chose it from the shortlist" : "It has the top score"
                    ),
                    ("Bids", "\(model.bidCount)"),
                ],
                consequence:
                    "Awarding cannot be undone: every bidder is told its result and the placement agreement is "
                    + "created for both sides to accept.",
                action: .referral(r.id!, .award), button: "Award", back: .referral(r.id!))
        }
        var placementID: UUID?
        return try await officerForm(
            req, success: "Awarded. Every bidder has been told its result; the placement agreement is ready.",
            redirect: { _ in placementID.map { .placement($0) } ?? .referrals }
        ) { actor, id in
            placementID = try await Referrals.award(id, actor: actor, db: req.db, now: req.now).id
        }
    }

    func reissue(req: Request) async throws -> Response {
        var next: UUID?
        return try await officerForm(
            req, success: "Re-issued as a new round. Check who it reaches, then publish it.",
            redirect: { _ in .referral(next ?? .any) }
        ) { actor, id in
            let form = try Text.decode(req)
            next = try await Referrals.reissue(
                id, radius: form.radius, deadline: form.deadlineDate, actor: actor, db: req.db, now: req.now
            ).id
        }
    }

    func directForm(req: Request) async throws -> Response {
        HTMLResponse.make(try await directView(req, errors: [], values: [:]))
    }

    private func directView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let (categories, memberships) = try await Referrals.directPlacementChoices(
            actor: try council(req), db: req.db)
        let labels = Referrals.choiceLabels(categories)
        return Layout.page(title: "Record a direct placement", context: PageContext(request: req)) {
            UI.backLink(.referrals)
            UI.errorSummary(errors)
            UI.h1("Record a direct placement")
            UI.warning("Only in exceptional, justified circumstances. It is reported as off-competition spend.")
            UI.form(action: .directReferral, csrf: req.csrfToken) {
                UI.select(
                    "category", label: "Category",
                    options: [.init(value: "", label: "Choose")]
                        + categories.map {
                            .init(value: $0.id!.uuidString, label: labels[$0.id!] ?? $0.name)
                        },
                    selected: values["category"], errors: errors)
                UI.select(
                    "establishment", label: "Establishment",
                    options: [.init(value: "", label: "Choose")]
                        + memberships.sorted { $0.establishment.name < $1.establishment.name }.map {
                            .init(
                                value: $0.establishment.id!.uuidString,
                                label: "\($0.establishment.name) (\($0.category.name))")
                        }, selected: values["establishment"], errors: errors)
                UI.dateInput(
                    "startDate", legend: "Start date", values: values, hint: "For example 1 12 2026", errors: errors)
                UI.textInput(
                    "weeklyFee", label: "Agreed weekly fee (£)", value: values["weeklyFee"], errors: errors,
                    width: "10")
                UI.textInput(
                    "durationWeeks", label: "Expected duration in weeks", value: values["durationWeeks"] ?? "52",
                    hint: "From 1 to 520; reviews are set every six months within it", errors: errors, width: "5")
                UI.textarea(
                    "justification", label: "Justification", value: values["justification"],
                    hint: "Why competition was not possible", errors: errors, rows: 3)
                UI.textarea(
                    "childDetails", label: "Child's details (private)", value: values["childDetails"], errors: errors,
                    rows: 2)
                UI.textarea(
                    "outcomes", label: "Agreed outcomes, one per line", value: values["outcomes"], errors: errors,
                    rows: 3)
                UI.button("Record direct placement")
            }
        }
    }

    func direct(req: Request) async throws -> Response {
        let actor = try council(req)
        var placementID: UUID?
        return try await Forms.handle(
            req, success: "Direct placement recorded.", redirect: { .placement(placementID ?? .any) },
            render: { errors, values in try await directView(req, errors: errors, values: values) }
        ) {
            placementID = try await Referrals.direct(
                try req.decodeForm(Referrals.DirectForm.self).command, actor: actor, db: req.db, now: req.now
            ).id
        }
    }

    func placement(req: Request) async throws -> Response {
        let model = try await PlacementAgreement.query(
            try id(req), actor: try req.requireActor(), db: req.db, now: req.now)
        return HTMLResponse.make(PlacementAgreement.view(model, context: PageContext(request: req)))
    }

    func accept(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let placementID = try id(req)
        try await Referrals.accept(placementID, actor: actor, db: req.db, now: req.now)
        req.flash("Agreement accepted.")
        return req.redirect(to: .placement(placementID))
    }

    // MARK: The parent's private page

    func choice(req: Request) async throws -> Response {
        HTMLResponse.make(try await choiceView(req, errors: []))
    }

    private func choiceView(_ req: Request, errors: [FieldError], done: Bool = false) async throws -> Markup {
        let token = req.parameters.get("token") ?? ""
        let page = try await Referrals.parentChoicePage(token: token, db: req.db, now: req.now)
        let replyBy = DisplayDate.dateTime(page.replyBy)
        return Layout.page(title: "Choose a setting", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Choose the setting you prefer")
            if done || page.preference != nil {
                UI.banner("Thank you. We have your choice.") {
                    UI.p("You can change it below until \(replyBy). Your child's placement officer will contact you.")
                }
            }
            UI.p(
                "\(page.councilName) has offers from \(page.options.count) settings for your child. They came out "
                    + "almost the same on quality and cost, so you can choose between them. They are listed in "
                    + "alphabetical order.")
            UI.h2("What happens next")
            el("ol", .class("govuk-list govuk-list--number")) {
                el("li") { "Read about each setting below. You can ask to visit them first." }
                el("li") { "Choose one and send your choice by \(replyBy). You can change it until then." }
                el("li") {
                    "\(page.officerName) arranges the placement with the setting you chose and contacts you to "
                        + "confirm it."
                }
                el("li") { "If we do not hear from you by then, the place goes to the setting that scored highest." }
            }
            UI.h2("Visits and questions")
            el("p", .class("govuk-body")) {
                "To visit a setting before you choose, or to ask about anything on this page, contact "
                    + "\(page.officerName) at \(page.councilName)"
                if !page.officerEmail.isEmpty {
                    ": "
                    UI.link(page.officerEmail, href: "mailto:" + page.officerEmail)
                }
                ". They arrange visits with the settings."
            }
            UI.form(action: .choice(token: token), csrf: req.csrfToken) {
                for option in page.options {
                    el("section", .class("dps-card")) {
                        el("h2", .class("govuk-heading-m")) { option.name }
                        UI.summaryList([
                            ("What it is", text(option.kind)),
                            (
                                "Where",
                                text(
                                    "\(option.town), about \(option.distanceMiles) "
                                        + "mile\(option.distanceMiles == 1 ? "" : "s") from home")
                            ),
                            (
                                "Latest inspection",
                                MarkupBuilder.buildBlock(
                                    el("p", .class("govuk-body")) { option.inspection + "." },
                                    option.reportURL.map { url in
                                        el("a", .class("govuk-link"), .href(url), Attr("rel", "noopener noreferrer")) {
                                            option.reportLinkText
                                        }
                                    } ?? text(option.reportLinkText + "."))
                            ),
                            (
                                "Your child's needs",
                                el("ul", .class("govuk-list")) {
                                    for need in page.needs {
                                        el("li") {
                                            (option.needsMet.contains(need.id)
                                                ? "Says it meets: " : "Does not say it meets: ") + need.text
                                        }
                                    }
                                }
                            ),
                            ("What they plan to achieve", text(option.outcomesStatement)),
                        ])
                    }
                }
                UI.radios(
                    "choice", legend: "Which setting do you prefer?",
                    options: page.options.map { .init(value: $0.bidID.uuidString, label: $0.name) },
                    selected: page.preference?.uuidString, errors: errors)
                UI.textarea(
                    "reason", label: "Why? (optional)", value: page.reason,
                    hint: "For example, closer to family or a school friend", errors: errors, rows: 3)
                UI.button("Send my choice")
            }
            if !page.glossary.isEmpty {
                UI.h2("Words used on this page")
                el("dl", .class("govuk-summary-list")) {
                    for entry in page.glossary {
                        el("div", .class("govuk-summary-list__row")) {
                            el("dt", .class("govuk-summary-list__key")) { entry.term }
                            el("dd", .class("govuk-summary-list__value")) { entry.meaning }
                        }
                    }
                }
            }
        }
    }

    func choose(req: Request) async throws -> Response {
        struct Form: Content {
            var choice: String?
            var reason: String?
        }
        let form = try req.content.decode(Form.self)
        do {
            try await Referrals.recordPreference(
                token: req.parameters.get("token") ?? "", bidID: form.choice, reason: form.reason, db: req.db,
                now: req.now)
            return HTMLResponse.make(try await choiceView(req, errors: [], done: true))
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return HTMLResponse.make(try await choiceView(req, errors: error.errors), status: error.httpStatus)
        }
    }
}

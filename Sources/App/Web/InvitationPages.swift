import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The provider's side of referrals: invitations, the anonymised referral, the bid, and the feedback.
struct InvitationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.invitations, use: list)
        routes.get(.invitation(.any), use: show)
        routes.post(.invitation(.any, .bid), use: bid)
        routes.post(.invitation(.any, .withdraw), use: withdraw)
        routes.post(.invitation(.any, .decline), use: decline)
    }

    private func provider(_ req: Request) throws -> Actor {
        let actor = try req.requireActor()
        guard actor.isProvider else { throw Abort(.forbidden, reason: "Invitations are for providers.") }
        return actor
    }

    /// What the provider may know of where a referral stands.
    static func status(_ inv: InvitationRecord, bid: BidRecord?, awardedToUs: Bool) -> Markup {
        let state = ReferralState(rawValue: inv.referral.state) ?? .draft
        if inv.declinedAt != nil { return UI.tag("Declined", colour: "grey") }
        switch state {
        case .published:
            return bid?.state == "submitted"
                ? UI.tag("Bid submitted", colour: "blue") : UI.tag("Open: respond by the deadline", colour: "yellow")
        case .awarded:
            return awardedToUs
                ? UI.tag("Awarded to you") : UI.tag(bid == nil ? "Closed" : "Not awarded", colour: "grey")
        case .cancelled: return UI.tag("Cancelled", colour: "red")
        default: return UI.tag("Closed: being evaluated", colour: "grey")
        }
    }

    func list(req: Request) async throws -> Response {
        let actor = try provider(req)
        let invitations = try await InvitationRecord.query(on: req.db).filter(\.$organisationID == actor.organisationID)
            .with(\.$referral, { $0.with(\.$category) }).with(\.$establishment).sort(\.$invitedAt, .descending).all()
        let bids = try await BidRecord.query(on: req.db).filter(\.$organisationID == actor.organisationID).all()
        let placements = try await PlacementRecord.query(on: req.db).filter(\.$providerID == actor.organisationID).with(
            \.$establishment
        ).all()
        return HTMLResponse.make(
            Layout.page(title: "Invitations", context: PageContext(request: req)) {
                UI.h1("Invitations to bid", caption: actor.organisationName)
                if invitations.isEmpty {
                    UI.p(
                        "No invitations yet. When a council publishes a referral that an admitted establishment of "
                            + "yours can reach, it appears here."
                    )
                }
                UI.table(
                    headers: ["Referral", "Establishment", "Category", "Child's area", "Deadline", "Status"],
                    rows: invitations.map { inv in
                        let bid = bids.first { $0.$invitation.id == inv.id }
                        let won = placements.contains {
                            $0.referralID == inv.$referral.id && $0.$establishment.id == inv.$establishment.id
                        }
                        return [
                            UI.link(inv.referral.reference, .invitation(inv.id!)),
                            text(inv.establishment.name), text(inv.referral.category.name),
                            text(inv.referral.homeDistrict), text(DisplayDate.dateTime(inv.referral.deadline)),
                            Self.status(inv, bid: bid, awardedToUs: won),
                        ]
                    })
                if !placements.isEmpty {
                    UI.h2("Placements")
                    UI.table(
                        headers: ["Referral", "Establishment", "Start", "Weekly fee", "Agreement"],
                        rows: placements.map { p in
                            [
                                text((p.reference ?? "") + (p.direct ? " (direct placement)" : "")),
                                text(p.establishment.name), text(DisplayDate.date(p.startDate)),
                                text(formatPence(p.weeklyFeePence)),
                                UI.link(
                                    p.providerAcceptedAt == nil ? "Review and accept" : "View", .placement(p.id!)),
                            ]
                        })
                }
            })
    }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try provider(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let inv = try await Referrals.invitation(id, actor: actor, db: req.db)
        let r = inv.referral
        let content = try await Referrals.Content.load(r, db: req.db)
        let bid = try await BidRecord.query(on: req.db).filter(\.$invitation.$id == id).first()
        let open = r.state == ReferralState.published.rawValue && req.now < r.deadline
        let (approved, tiers) = try await Referrals.approved(inv, db: req.db)
        let lines = try r.category.content.costLines.filter { approved[$0.key] != nil }
        let saved = try await bid.asyncMap { try await Referrals.bidContent([$0], db: req.db)[$0.requireID()] } ?? nil
        let offered: [String: Int] = saved?.core ?? approved
        let variable: [BidItem] = saved?.variable ?? []
        let needsMet = Set(saved?.met(prefix: "n") ?? [])
        let mustMet = Set(saved?.met(prefix: "m") ?? [])
        let desMet = Set(saved?.met(prefix: "d") ?? [])
        let floor = BidRules.publishedDiscount(tiers: tiers, children: r.children)
        let fostering = r.category.code == "fostering" || r.pattern == PlacementPattern.fostering.rawValue
        let evaluation: EvaluationResult? = try Referrals.decode(r.evaluationJSON)
        let placement = try await PlacementRecord.query(on: req.db).filter(\.$referralID == r.requireID()).filter(
            \.$providerID == actor.organisationID
        ).first()
        func v(_ key: String, _ stored: String) -> String { values.isEmpty ? stored : (values[key] ?? "") }
        return Layout.page(title: "Referral \(r.reference)", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1(r.reference, caption: "\(r.category.name): invitation for \(inv.establishment.name)")
            UI.summaryList([
                ("Respond by", text(DisplayDate.dateTime(r.deadline))),
                (
                    "Placement",
                    text(
                        "\(PlacementPattern(rawValue: r.pattern)?.label ?? r.pattern), "
                            + "from \(DisplayDate.date(r.startDate)) for about \(r.durationWeeks) weeks"
                    )
                ),
                (
                    "Children",
                    text(
                        r.kind == "block"
                            ? "A block of \(r.places) places. Void terms: \(r.voidTerms)"
                            : "\(r.children) child\(r.children == 1 ? "" : "ren"), "
                                + "\(r.childAge.map { "aged \($0)" } ?? ""), \(r.childGender)"
                    )
                ),
                (
                    "Home area",
                    text(
                        "\(r.homeDistrict), about \(Int(inv.distanceMiles.rounded())) miles "
                            + "from \(inv.establishment.name)"
                    )
                ),
                ("Needs", text(content.needs.map(\.text).joined(separator: "\n"))),
                ("Must-haves", text(content.mustHaves.joined(separator: "\n"))),
                (
                    "Desirable",
                    text(content.desirables.isEmpty ? "None" : content.desirables.map(\.text).joined(separator: "\n"))
                ),
                ("Outcomes sought", text(content.outcomes.joined(separator: "\n"))),
                (
                    "Scoring",
                    text(
                        ReferralCriterion.allCases.filter { (content.weights[$0.rawValue] ?? 0) > 0 }.map {
                            "\($0.label) \(content.weights[$0.rawValue] ?? 0)"
                        }.joined(separator: ", "))
                ),
            ])
            if let placement {
                UI.banner("Awarded to \(inv.establishment.name)") {
                    el("p", .class("govuk-body")) {
                        UI.link(
                            placement.providerAcceptedAt == nil
                                ? "Review and accept the placement agreement" : "View the placement agreement",
                            .placement(placement.id!))
                    }
                }
            }
            if let evaluation, let bid, r.state == ReferralState.awarded.rawValue {
                UI.h2("Your result")
                if let mine = evaluation.ranking.first(where: { $0.id == bid.id?.uuidString }),
                    let winner = evaluation.ranking.first
                {
                    let p = mine.points
                    UI.summaryList([
                        ("Rank", text("\(mine.rank) of \(evaluation.ranking.count)")),
                        (
                            "Your score",
                            text(
                                "\(mine.total) of 100: price \(p.price), core competency \(p.coreCompetency), "
                                    + "outcomes \(p.outcomes), needs \(p.needs), location \(p.location), "
                                    + "desirables \(p.desirables), incentives \(p.incentives)"
                            )
                        ),
                        ("Top score", text(winner.total.description)),
                    ])
                } else if let nc = evaluation.nonCompliant.first(where: { $0.id == bid.id?.uuidString }) {
                    UI.warning("Your bid was not ranked: \(nc.reasons.map { "\($0)" }.joined(separator: "; ")).")
                }
            }
            if inv.declinedAt != nil {
                UI.inset("You declined: \(Referrals.declineReasons.first { $0.0 == inv.declinedReason }?.1 ?? "")")
            }
            if let bid, bid.state == "submitted" {
                UI.inset(
                    "Your bid is submitted: \(formatPence(bid.weeklyCostPence)) a week, "
                        + "at \(DisplayDate.dateTime(bid.submittedAt)). "
                        + "It is sealed: nobody else can read it before the deadline."
                )
            }
            if open && actor.role != .partnerViewer {
                UI.h2(bid?.state == "submitted" ? "Revise your bid" : "Bid")
                UI.form(action: .invitation(id, .bid), csrf: req.csrfToken) {
                    el("h3", .class("govuk-heading-s")) { "Core costs (£ a week per child)" }
                    UI.p("From your approved schedule. You may lower a line, never raise it.")
                    for line in lines {
                        UI.textInput(
                            "core.\(line.key)",
                            label: "\(line.name) (approved \(formatPence(approved[line.key] ?? 0)))",
                            value: v("core.\(line.key)", Money.poundsInput(offered[line.key])), errors: errors,
                            width: "10")
                    }
                    el("h3", .class("govuk-heading-s")) { "Variable costs for this child (£ a week)" }
                    for i in 0..<3 {
                        el("div", .class("dps-grid")) {
                            UI.textInput(
                                "variable.\(i).description", label: "Item \(i + 1)",
                                value: v(
                                    "variable.\(i).description", i < variable.count ? variable[i].description : ""),
                                errors: errors)
                            UI.textInput(
                                "variable.\(i).amount", label: "Amount \(i + 1)",
                                value: v(
                                    "variable.\(i).amount",
                                    i < variable.count ? Money.poundsInput(variable[i].pence) : ""), errors: errors,
                                width: "10")
                        }
                    }
                    if r.children > 1 || floor > 0 {
                        UI.textInput(
                            "discount", label: "Discount for \(r.children) children placed together (%)",
                            value: v(
                                "discount",
                                bid.map { String(Double($0.discountBasisPoints) / 100) }
                                    ?? String(Double(floor) / 100)),
                            hint: "At least your published \(Money.percent(floor))", errors: errors, width: "5")
                    } else {
                        void("input", [.type("hidden"), .name("discount"), .value("0")])
                    }
                    UI.checkboxes(
                        "need", legend: "Needs you will meet",
                        options: content.needs.map { .init(value: $0.id, label: $0.text) }, selected: needsMet,
                        errors: errors)
                    UI.checkboxes(
                        "must", legend: "Must-have features you provide",
                        options: content.mustHaves.indices.map {
                            .init(value: "m\($0 + 1)", label: content.mustHaves[$0])
                        }, selected: mustMet, hint: "A bid missing any must-have is not compliant and is not ranked.",
                        errors: errors)
                    if !content.desirables.isEmpty {
                        UI.checkboxes(
                            "desirable", legend: "Desirable features you provide",
                            options: content.desirables.map { .init(value: $0.id, label: $0.text) }, selected: desMet,
                            errors: errors)
                    }
                    UI.textarea(
                        "outcomesStatement", label: "Outcomes statement",
                        value: v("outcomesStatement", bid?.outcomesStatement ?? ""),
                        hint: "How you will achieve the outcomes sought. Officers score this 0 to 5.", errors: errors,
                        rows: 6)
                    UI.textarea(
                        "incentive", label: "Incentive offer (optional)", value: v("incentive", bid?.incentive ?? ""),
                        errors: errors, rows: 2)
                    if fostering {
                        UI.textInput(
                            "carerDistrict", label: "Postcode district of the proposed carer",
                            value: v("carerDistrict", bid?.carerDistrict ?? ""),
                            hint: "For example BN3. Used for the distance score.", errors: errors, width: "5")
                    }
                    UI.button(bid?.state == "submitted" ? "Revise bid" : "Submit bid")
                }
                if bid?.state == "submitted" {
                    UI.form(action: .invitation(id, .withdraw), csrf: req.csrfToken) {
                        UI.button("Withdraw bid", kind: "warning")
                    }
                } else if inv.declinedAt == nil {
                    el("details", .class("dps-card")) {
                        el("summary") { "Decline this referral" }
                        UI.form(action: .invitation(id, .decline), csrf: req.csrfToken) {
                            UI.radios(
                                "reason", legend: "Why are you declining?",
                                options: Referrals.declineReasons.map { .init(value: $0.0, label: $0.1) },
                                selected: values["reason"], errors: errors)
                            UI.textInput(
                                "note", label: "More detail (needed for another reason)", value: values["note"],
                                errors: errors)
                            UI.button("Decline", kind: "secondary")
                        }
                    }
                }
            } else if r.state == ReferralState.published.rawValue {
                UI.inset("The deadline has passed. Bids are closed.")
            }
        }
    }

    private func form(_ req: Request, success: String, action: @escaping (Actor, UUID) async throws -> Void)
        async throws -> Response
    {
        let actor = try provider(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        return try await Forms.handle(
            req, success: success, redirect: { .invitation(id) },
            render: { errors, values in try await view(req, errors: errors, values: values) },
            action: { try await action(actor, id) })
    }

    func bid(req: Request) async throws -> Response {
        try await form(req, success: "Bid saved. You can revise or withdraw it until the deadline.") { actor, id in
            let fields = try req.content.decode(FormFields.self)
            var form = fields.text
            for group in ["need", "must", "desirable"] {
                for value in fields.lists[group] ?? [] { form["\(group).\(value)"] = "yes" }
            }
            try await Referrals.bid(id, form: form, actor: actor, db: req.db, now: req.now)
        }
    }

    func withdraw(req: Request) async throws -> Response {
        try await form(req, success: "Bid withdrawn.") { actor, id in
            try await Referrals.withdraw(id, actor: actor, db: req.db, now: req.now)
        }
    }

    func decline(req: Request) async throws -> Response {
        struct Form: Content {
            var reason: String?
            var note: String?
        }
        return try await form(req, success: "Declined. Thank you for telling the council why.") { actor, id in
            let f = try req.content.decode(Form.self)
            try await Referrals.decline(id, reason: f.reason, note: f.note, actor: actor, db: req.db, now: req.now)
        }
    }
}

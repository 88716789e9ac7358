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
    static func status(_ row: Queries.InvitationRow) -> Markup {
        let state = ReferralState(rawValue: row.referralState) ?? .draft
        let (bidState, awardedToUs) = (row.bidState, row.awardedToUs)
        if row.declined { return UI.tag("Declined", colour: "grey") }
        switch state {
        case .published:
            return bidState == "submitted"
                ? UI.tag("Bid submitted", colour: "blue") : UI.tag("Open: respond by the deadline", colour: "yellow")
        case .awarded:
            return awardedToUs
                ? UI.tag("Awarded to you") : UI.tag(bidState == nil ? "Closed" : "Not awarded", colour: "grey")
        case .cancelled: return UI.tag("Cancelled", colour: "red")
        default: return UI.tag("Closed: being evaluated", colour: "grey")
        }
    }

    /// Stored once per change of the data for each signed-in session (`ViewCache`).
    func list(req: Request) async throws -> Response {
        try await req.application.storedViews.signedIn(req) { try await listPage(req) }
    }

    private func listPage(_ req: Request) async throws -> Response {
        let actor = try provider(req)
        let options = Queries.invitationOptions
        let (filter, errors) = req.listFilter(options)
        let (page, placements, morePlacements) = try await Queries.invitations(
            actor: actor, filter: filter, page: try req.listPage(), db: req.db)
        let invitations = page.rows
        return HTMLResponse.make(
            Layout.page(title: "Invitations", context: PageContext(request: req)) {
                UI.errorSummary(errors)
                UI.h1("Invitations to bid", caption: actor.organisationName)
                UI.listFilter(
                    .invitations, filter: filter, options: options, searchLabel: "Referral, establishment or category",
                    errors: errors)
                if invitations.isEmpty && page.request.number == 1 {
                    UI.emptyList(
                        "No invitations yet. When a council publishes a referral that an admitted establishment of "
                            + "yours can reach, it appears here.", narrowed: filter.narrows,
                        clear: SiteURL.invitations.path)
                }
                UI.table(
                    headers: ["Referral", "Establishment", "Category", "Child's area", "Deadline", "Status"],
                    rows: invitations.map { row in
                        [
                            UI.link(row.reference, .invitation(row.id)), text(row.establishmentName),
                            text(row.categoryName), text(row.homeDistrict), text(DisplayDate.dateTime(row.deadline)),
                            Self.status(row),
                        ]
                    })
                UI.pagination(page, base: .invitations, query: filter.query(options))
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
                    if morePlacements { UI.p("The \(placements.count) most recent placements are shown.") }
                }
            }, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let model = try await InvitationDetail.query(id, actor: try provider(req), db: req.db, now: req.now)
        return InvitationDetail.view(
            model, context: PageContext(request: req),
            form: FormState(errors: errors, values: values, lists: Forms.fields(req).lists))
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

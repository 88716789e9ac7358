import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// The annual core fee review: the list and the form to open one (contract managers); a review with its proposals,
/// the form to decide them and to close it; a provider's proposals and the form to propose new fees for one
/// membership.
struct FeeReviewPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.feeReviews, use: list)
        routes.post(.feeReviews, use: open)
        routes.get(.feeReview(.any), use: show)
        routes.post(.feeReview(.any, .decide), use: decide)
        routes.post(.feeReview(.any, .close), use: close)
        routes.get(.feeProposal(.any, membership: .any), use: proposalForm)
        routes.post(.feeProposal(.any, membership: .any), use: propose)
    }

    private func id(_ req: Request) throws -> UUID { try req.uuid("id") }

    func list(req: Request) async throws -> Response {
        HTMLResponse.make(try await listView(req, errors: [], values: [:]))
    }

    private func listView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let reviews = try await FeeReviews.reviews(actor: actor, db: req.db)
        let manager = actor.isLeadAuthority && actor.role == .contractManager
        let scopes = manager ? try await ComplianceChecks.scopes(actor: actor, db: req.db) : []
        return Layout.page(title: "Fee reviews", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Annual fee reviews")
            UI.p(
                "Once a year providers may propose changes to their core weekly fees, with a justification. Fees "
                    + "agreed take effect from the review's date, for referrals published from then on.")
            if reviews.isEmpty {
                UI.inset("No fee reviews yet.")
            } else {
                UI.table(
                    caption: "Newest first", headers: ["Opened", "Proposals until", "Fees from", "Status"],
                    rows: reviews.map { r in
                        [
                            UI.link(LocalDate.from(r.openedAt).longForm, .feeReview(r.id)), text(r.closesOn.longForm),
                            text(r.effectiveFrom.longForm), text(r.state.capitalized),
                        ]
                    })
            }
            if manager {
                UI.details("Open a fee review", errors: errors) {
                    UI.form(action: .feeReviews, csrf: req.csrfToken) {
                        UI.radios(
                            "dps", legend: "DPS",
                            options: scopes.map { .init(value: $0.dps.uuidString, label: $0.title) },
                            selected: values["dps"] ?? scopes.first?.dps.uuidString, errors: errors)
                        UI.dateInput(
                            "closesOn", legend: "Last day for proposals", values: values, hint: "For example 31 1 2027",
                            errors: errors)
                        UI.dateInput(
                            "effectiveFrom", legend: "Agreed fees take effect from", values: values,
                            hint: "For example 1 4 2027", errors: errors)
                        UI.button("Open the review", kind: "secondary")
                    }
                }
            }
        }
    }

    struct OpenForm: Content, HasDateInputs {
        var dps: String?
        var closesOn: String?
        var effectiveFrom: String?
        static var dateInputs: [(WritableKeyPath<Self, String?>, String)] {
            [(\.closesOn, "closesOn"), (\.effectiveFrom, "effectiveFrom")]
        }
    }

    func open(req: Request) async throws -> Response {
        let form = try req.decodeForm(OpenForm.self)
        var opened: UUID?
        return try await Forms.handle(
            req, success: "Fee review opened. Every provider has been told.",
            redirect: { opened.map { .feeReview($0) } ?? .feeReviews },
            render: { errors, values in try await listView(req, errors: errors, values: values) }
        ) {
            guard let dps = form.dps.flatMap(UUID.init(uuidString:)) else {
                throw UseCaseError(field: "dps", "Choose the DPS")
            }
            opened = try await FeeReviews.open(
                dps: dps, closesOn: LocalDate(typed: form.closesOn ?? ""),
                effectiveFrom: LocalDate(typed: form.effectiveFrom ?? ""), actor: try req.requireActor(), db: req.db,
                now: req.now)
        }
    }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let (review, proposals) = try await FeeReviews.review(try id(req), actor: actor, db: req.db)
        let manager = actor.isLeadAuthority && actor.role == .contractManager && review.state == "open"
        let own = try await FeeReviews.ownMemberships(review, actor: actor, db: req.db)
        let open = review.state == "open" && LocalDate.from(req.now) <= review.closesOn
        return Layout.page(title: "Fee review", context: PageContext(request: req)) {
            UI.backLink(.feeReviews)
            UI.errorSummary(errors)
            UI.h1("Annual fee review")
            UI.summaryList([
                ("Status", text(review.state.capitalized)),
                ("Proposals until", text(review.closesOn.longForm)),
                ("Agreed fees from", text(review.effectiveFrom.longForm)),
            ])
            UI.h2("Proposals")
            if proposals.isEmpty {
                UI.p("No proposals yet.")
            } else {
                UI.table(
                    headers: ["Establishment", "Line", "Now", "Proposed", "Why", "Decision"],
                    rows: proposals.map { p in
                        [
                            text("\(p.establishment) (\(p.category))"), text(p.lineName),
                            text(formatPence(p.currentPence)), text(formatPence(p.proposedPence)),
                            text(p.justification),
                            text(
                                p.state == "proposed"
                                    ? "To decide"
                                    : "\(p.state.capitalized)"
                                        + (p.decidedPence.map { ": \(formatPence($0))" } ?? "")
                                        + (p.note.map { ". \($0)" } ?? "")),
                        ]
                    })
            }
            if open && !own.isEmpty {
                UI.h2("Propose new fees")
                el("ul", .class("govuk-list")) {
                    for m in own {
                        el("li") {
                            UI.link("\(m.establishment) (\(m.category))", .feeProposal(review.id, membership: m.id))
                        }
                    }
                }
            }
            let undecided = proposals.filter { $0.state == "proposed" }
            if manager && !undecided.isEmpty {
                UI.details("Decide a proposal", errors: errors) {
                    UI.form(action: .feeReview(review.id, .decide), csrf: req.csrfToken) {
                        UI.radios(
                            "proposal", legend: "Which proposal",
                            options: undecided.map {
                                .init(
                                    value: $0.id.uuidString,
                                    label: "\($0.establishment), \($0.lineName): \(formatPence($0.currentPence)) to "
                                        + formatPence($0.proposedPence))
                            }, selected: values["proposal"], errors: errors)
                        UI.radios(
                            "decision", legend: "Decision",
                            options: [
                                .init(value: "accept", label: "Accept"), .init(value: "reject", label: "Reject"),
                                .init(value: "counter", label: "Counter-propose the fee below"),
                            ], selected: values["decision"], errors: errors, inline: true)
                        UI.textInput(
                            "counter", label: "Counter-proposal, pounds a week", value: values["counter"],
                            errors: errors, width: "10")
                        UI.textarea(
                            "note", label: "Reason", value: values["note"], hint: "The provider reads this.",
                            errors: errors, rows: 2)
                        UI.button("Record the decision", kind: "secondary")
                    }
                }
            }
            if manager {
                UI.form(action: .feeReview(review.id, .close), csrf: req.csrfToken) {
                    UI.p(
                        "Closing records the agreed fees from \(review.effectiveFrom.longForm); every proposal must be "
                            + "decided first.")
                    if let error = errors.first(where: { $0.field == "close" }) {
                        el("p", .class("govuk-error-message"), .id("f-close")) { error.message }
                    }
                    UI.button("Close the review", kind: "warning")
                }
            }
        }
    }

    struct DecideForm: Content {
        var proposal: String?
        var decision: String?
        var counter: String?
        var note: String?
    }

    func decide(req: Request) async throws -> Response {
        let reviewID = try id(req)
        let form = try req.content.decode(DecideForm.self)
        return try await Forms.handle(
            req, success: "Decision recorded. The provider has been told.", redirect: { .feeReview(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            let counter = (form.counter ?? "").trimmed
            let pence = Money.parsePounds(counter)
            if form.decision == "counter" && !counter.isEmpty && pence == nil {
                throw UseCaseError(field: "counter", "Enter the fee in pounds, for example 1,250.00")
            }
            try await FeeReviews.decide(
                reviewID, proposal: form.proposal.flatMap(UUID.init(uuidString:)),
                decision: FeeReviews.Decision(rawValue: form.decision ?? ""), counterPence: pence,
                note: form.note ?? "", actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    func close(req: Request) async throws -> Response {
        let reviewID = try id(req)
        return try await Forms.handle(
            req, success: "Review closed. The agreed fees are recorded and the providers told.",
            redirect: { .feeReview(reviewID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await FeeReviews.close(reviewID, actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    func proposalForm(req: Request) async throws -> Response {
        HTMLResponse.make(try await proposalView(req, errors: [], values: [:]))
    }

    private func proposalView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let membership = try req.uuid("membershipID")
        let reviewID = try id(req)
        let target = try await FeeReviews.target(reviewID, membership: membership, actor: actor, db: req.db)
        return Layout.page(title: "Propose new fees", context: PageContext(request: req)) {
            UI.backLink(.feeReview(reviewID))
            UI.errorSummary(errors)
            UI.h1("Propose new fees", caption: "\(target.establishment): \(target.category)")
            if let cap = target.capPence {
                UI.p("The category's affordability cap is \(formatPence(cap)) a week in all.")
            }
            UI.form(action: .feeProposal(reviewID, membership: membership), csrf: req.csrfToken) {
                for line in target.lines {
                    UI.textInput(
                        "fee.\(line.key)", label: "\(line.name), pounds a week",
                        value: values["fee.\(line.key)"] ?? Money.poundsInput(target.current[line.key]),
                        hint: "Now \(formatPence(target.current[line.key] ?? 0)). Leave as it is to keep it.",
                        errors: errors, width: "10")
                }
                UI.textarea(
                    "justification", label: "Justification", value: values["justification"],
                    hint: "For example rises in staff pay or the cost of premises, with figures.", errors: errors,
                    rows: 4)
                UI.button("Send the proposal")
            }
        }
    }

    func propose(req: Request) async throws -> Response {
        let reviewID = try id(req)
        let membership = try req.uuid("membershipID")
        let fields = Forms.fields(req).text
        return try await Forms.handle(
            req, success: "Proposal sent. The contract manager will decide each line.",
            redirect: { .feeReview(reviewID) },
            render: { errors, values in try await proposalView(req, errors: errors, values: values) }
        ) {
            var lines: [String: Int] = [:]
            var unreadable: [FieldError] = []
            for (name, value) in fields where name.hasPrefix("fee.") && name.count <= 80 {
                let key = String(name.dropFirst(4))
                if let pence = Money.parsePounds(value) {
                    lines[key] = pence
                } else if !value.trimmed.isEmpty {
                    unreadable.append(FieldError(field: name, message: "Enter the fee in pounds, for example 1,250.00"))
                }
            }
            try await FeeReviews.propose(
                reviewID, membership: membership, lines: lines, unreadable: unreadable,
                justification: fields["justification"] ?? "", actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }
}

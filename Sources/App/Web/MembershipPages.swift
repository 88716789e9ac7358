import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// A membership's page: its standing and dated history for everyone who may read it (the provider, the lead
/// authority and the partner councils), and for the lead's contract managers the forms to suspend it (or every
/// membership of its establishment or provider) and to reinstate it.
struct MembershipPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.membership(.any), use: show)
        routes.post(.membership(.any, .suspend), use: suspend)
        routes.post(.membership(.any, .reinstate), use: reinstate)
        routes.post(.membership(.any, .respond), use: respond)
        routes.post(.membership(.any, .keep), use: keep)
        routes.post(.membership(.any, .renew), use: renew)
        routes.post(.membership(.any, .rescore), use: rescore)
        routes.post(.membership(.any, .concern), use: raiseConcern)
        routes.post(.membership(.any, .review), use: openReview)
        routes.get(.membershipResponse(.any, response: .any), use: download)
    }

    private func id(_ req: Request) throws -> UUID { try req.uuid("id") }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let m = try await ContractManagement.timeline(try id(req), actor: actor, db: req.db)
        let manager = actor.role == .contractManager && actor.isLeadAuthority
        let latest = m.events.first { $0.kind == .suspended || $0.kind == .removed }
        let responses = try await ContractManagement.responses(m, actor: actor, db: req.db)
        let ownAdmin = actor.organisationID == m.providerID && actor.role == .providerAdmin
        let documents = try await EvidenceWatch.documents(m, actor: actor, db: req.db)
        let today = LocalDate.from(req.now)
        let due = ContractManagement.rescoreDue(m, months: m.rescoreMonths)
        let quality = try await Concerns.about(membership: m.id, actor: actor, db: req.db)
        let raises =
            (actor.organisationKind == .partnerAuthority && [.placementOfficer, .councilAdmin].contains(actor.role))
            || manager
        return Layout.page(title: "\(m.establishment): \(m.category)", context: PageContext(request: req)) {
            UI.backLink(.memberships)
            UI.errorSummary(errors)
            UI.h1(m.establishment, caption: "Membership of \(m.category)")
            UI.summaryList([
                ("Provider", text(m.provider)),
                (
                    "Status",
                    UI.tag(m.state?.rawValue.capitalized ?? "Unknown", colour: m.state == .active ? nil : "red")
                ),
                ("Qualification score", text(QualificationScoring.formatHundredths(m.score))),
                (
                    "Next re-score due",
                    text("\(due.longForm) (every \(m.rescoreMonths) months)" + (due < today ? ", overdue" : ""))
                ),
            ])
            if m.state == .suspended, let latest {
                UI.warning(
                    "Suspended for every partner: \(latest.reason?.label ?? "see the history"). It is not invited to "
                        + "new referrals, and its bids in referrals open when it was suspended are set aside.")
                if actor.organisationID == m.providerID {
                    UI.p(
                        "To have it lifted, send the contract manager only this evidence: "
                            + "\(latest.reason?.evidenceNeeded.lowercased() ?? "the evidence about the reason").")
                }
            }
            if ownAdmin && m.state == .suspended {
                UI.h2("Send the evidence")
                UI.form(action: .membership(m.id, .respond), csrf: req.csrfToken, multipart: true) {
                    UI.textarea(
                        "statement", label: "What the evidence shows", value: values["statement"],
                        hint: "The contract manager reviews it and lifts the suspension or says why it stays.",
                        errors: errors, rows: 3)
                    UI.fileUpload(
                        "evidence", label: "The document", hint: "One file, smaller than 10 MB", errors: errors)
                    UI.button("Send the evidence")
                }
            }
            if !responses.isEmpty {
                UI.h2("Evidence sent by the provider")
                UI.table(
                    headers: ["Sent", "By", "What it shows", "Document"],
                    rows: responses.map { r in
                        [
                            text(DisplayDate.dateTime(r.createdAt)), text(r.actorLabel), text(r.statement),
                            UI.link(r.filename, .membershipResponse(m.id, response: r.id)),
                        ]
                    })
            }
            if !documents.isEmpty {
                UI.h2("Evidence with an expiry date")
                UI.table(
                    headers: ["Document for", "Expires", "Status"],
                    rows: documents.map { d in
                        [
                            text(d.question), text(d.item.expires.longForm),
                            d.item.expires < today
                                ? UI.tag("Expired", colour: "red")
                                : d.item.expires <= today.adding(days: 30)
                                    ? UI.tag("Expires soon", colour: "yellow") : UI.tag("Current", colour: "green"),
                        ]
                    })
                if ownAdmin {
                    UI.details("Upload a renewed document", errors: errors) {
                        UI.form(action: .membership(m.id, .renew), csrf: req.csrfToken, multipart: true) {
                            UI.radios(
                                "question", legend: "Which document",
                                options: documents.map { .init(value: $0.item.question, label: $0.question) },
                                selected: values["question"], errors: errors)
                            UI.dateInput(
                                "expiresOn", legend: "Its new expiry date", values: values,
                                hint: "For example 31 3 2028", errors: errors)
                            UI.fileUpload(
                                "document", label: "The renewed document", hint: "One file, smaller than 10 MB",
                                errors: errors)
                            UI.button("Upload")
                        }
                    }
                }
            }
            if quality.reading != .none || raises {
                UI.h2("Concerns and reviews")
                if quality.concerns.isEmpty {
                    UI.p(quality.reading == .none ? "" : "No concerns have been raised about \(m.establishment).")
                } else {
                    UI.table(
                        caption: "Concerns about \(m.establishment), newest first",
                        headers: ["Raised", "About", "Details"] + (quality.reading == .full ? ["By"] : []),
                        rows: quality.concerns.map { c in
                            [text(DisplayDate.dateTime(c.raisedAt)), text(c.kind.capitalized), text(c.details)]
                                + (quality.reading == .full ? [text(c.raisedBy ?? "")] : [])
                        })
                }
                for review in quality.reviews {
                    el("p") {
                        UI.link(
                            "Coordinated review opened \(LocalDate.from(review.openedAt).longForm) (\(review.state))",
                            .review(review.id))
                    }
                }
                if raises {
                    UI.details("Raise a concern", errors: errors) {
                        UI.form(action: .membership(m.id, .concern), csrf: req.csrfToken) {
                            UI.radios(
                                "concernKind", legend: "What is it about",
                                options: ConcernThreshold.Kind.allCases.map {
                                    .init(value: $0.rawValue, label: $0.rawValue.capitalized)
                                }, selected: values["concernKind"], errors: errors, inline: true)
                            UI.textarea(
                                "concernDetails", label: "Details", value: values["concernDetails"],
                                hint: "The contract managers and partners who placed children here read this, with "
                                    + "your council's name; the provider reads it without.", errors: errors, rows: 4)
                            UI.button("Raise the concern", kind: "secondary")
                        }
                    }
                }
                if manager && !quality.reviews.contains(where: { $0.state == "open" }) {
                    UI.details("Open a coordinated review", errors: errors) {
                        UI.form(action: .membership(m.id, .review), csrf: req.csrfToken) {
                            UI.textarea(
                                "reviewReason", label: "Why", value: values["reviewReason"],
                                hint: "For example after an inspection below the threshold.", errors: errors, rows: 3)
                            UI.button("Open the review", kind: "secondary")
                        }
                    }
                }
            }
            UI.h2("History")
            UI.table(
                caption: "Newest first", headers: ["When", "What", "Reason", "By"],
                rows: m.events.map { e in
                    [
                        text(DisplayDate.dateTime(e.occurredAt)),
                        text((e.kind?.label ?? e.kindCode) + (e.exclusion.map { " (\($0.rawValue))" } ?? "")),
                        text(
                            [e.reason?.label, e.detail.isEmpty ? nil : e.detail].compactMap { $0 }.joined(
                                separator: ": ")),
                        text(e.actorLabel),
                    ]
                })
            if manager && m.state == .active {
                UI.details("Suspend for every partner", errors: errors) {
                    UI.form(action: .membership(m.id, .suspend), csrf: req.csrfToken) {
                        UI.radios(
                            "scope", legend: "What to suspend",
                            options: [
                                .init(value: "membership", label: "This membership (\(m.category))"),
                                .init(value: "establishment", label: "Every membership of \(m.establishment)"),
                                .init(value: "provider", label: "Every membership of \(m.provider)"),
                            ], selected: values["scope"] ?? "membership", errors: errors)
                        UI.radios(
                            "reason", legend: "Reason",
                            options: SuspensionReason.allCases.map {
                                .init(value: $0.rawValue, label: $0.label, hint: "To lift it: \($0.evidenceNeeded)")
                            }, selected: values["reason"], errors: errors)
                        UI.textarea(
                            "detail", label: "What happened, and the evidence", value: values["detail"],
                            hint: "The provider and every partner council read this.", errors: errors, rows: 4)
                        if m.regime == .pa2023 {
                            UI.radios(
                                "exclusion", legend: "Procurement Act 2023 exclusion (section 37)",
                                options: [
                                    .init(value: "", label: "Neither"),
                                    .init(value: "excludable", label: "Excludable: suspend, the lead decides later"),
                                    .init(value: "excluded", label: "Excluded: remove the supplier"),
                                ], selected: values["exclusion"] ?? "", errors: errors)
                        }
                        UI.button("Suspend", kind: "warning")
                    }
                }
            }
            if manager && (m.state == .active || m.state == .suspended) {
                UI.details("Re-score", errors: errors) {
                    UI.form(action: .membership(m.id, .rescore), csrf: req.csrfToken) {
                        UI.textInput(
                            "score", label: "New qualification score (out of 100)", value: values["score"],
                            hint: "It counts in referrals published from now on, never in those already published.",
                            errors: errors, width: "5")
                        UI.textarea(
                            "rescoreReason", label: "Reason and evidence", value: values["rescoreReason"],
                            hint: "Monitoring visits, outcomes, concerns. The provider reads this.", errors: errors,
                            rows: 3)
                        UI.button("Re-score", kind: "secondary")
                    }
                }
            }
            if manager && m.state == .suspended {
                UI.details("Reinstate", errors: errors) {
                    UI.form(action: .membership(m.id, .reinstate), csrf: req.csrfToken) {
                        UI.textarea(
                            "reinstateReason", label: "The evidence that lifts the suspension",
                            value: values["reinstateReason"], errors: errors, rows: 3)
                        UI.button("Reinstate")
                    }
                }
                UI.details("Keep the suspension", errors: errors) {
                    UI.form(action: .membership(m.id, .keep), csrf: req.csrfToken) {
                        UI.textarea(
                            "keepReason", label: "Why the suspension stays", value: values["keepReason"],
                            hint: "The provider reads this.", errors: errors, rows: 3)
                        UI.button("Keep the suspension", kind: "secondary")
                    }
                }
            }
        }
    }

    struct SuspendForm: Content {
        var scope: String?
        var reason: String?
        var detail: String?
        var exclusion: String?
    }

    func suspend(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let membershipID = try id(req)
        let form = try req.content.decode(SuspendForm.self)
        var count = 0
        return try await Forms.handle(
            req,
            success:
                "Suspended: \(count) membership\(count == 1 ? "" : "s"). "
                + "The provider and every partner have been told.",
            redirect: { .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            let timeline = try await ContractManagement.timeline(membershipID, actor: actor, db: req.db)
            let scope: ContractManagement.Scope =
                switch form.scope {
                case "establishment": .establishment(timeline.establishmentID)
                case "provider": .provider(timeline.providerID)
                default: .membership(membershipID)
                }
            count = try await ContractManagement.suspend(
                .init(
                    scope: scope, reason: SuspensionReason(rawValue: form.reason ?? ""), detail: form.detail ?? "",
                    exclusion: ExclusionStatus(rawValue: form.exclusion ?? "")),
                actor: actor, db: req.db, now: req.now)
        }
    }

    struct ReinstateForm: Content { var reinstateReason: String? }

    func reinstate(req: Request) async throws -> Response {
        let membershipID = try id(req)
        return try await Forms.handle(
            req, success: "Reinstated. The provider and every partner have been told.",
            redirect: { .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await ContractManagement.reinstate(
                membershipID, reason: try req.content.decode(ReinstateForm.self).reinstateReason ?? "",
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct RespondForm: Content {
        var statement: String?
        var evidence: File?
    }

    func respond(req: Request) async throws -> Response {
        let membershipID = try id(req)
        let form = try req.content.decode(RespondForm.self)
        return try await Forms.handle(
            req, success: "Evidence sent. The contract manager will review it.",
            redirect: { .membership(membershipID) },
            render: { errors, _ in try await view(req, errors: errors, values: ["statement": form.statement ?? ""]) }
        ) {
            try await ContractManagement.respond(
                membershipID, statement: form.statement ?? "",
                file: form.evidence.flatMap { $0.data.readableBytes == 0 ? nil : $0.uploaded },
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct KeepForm: Content { var keepReason: String? }

    func keep(req: Request) async throws -> Response {
        let membershipID = try id(req)
        return try await Forms.handle(
            req, success: "The suspension stays. The provider has been told why.",
            redirect: { .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await ContractManagement.keep(
                membershipID, reason: try req.content.decode(KeepForm.self).keepReason ?? "",
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct RescoreForm: Content {
        var score: String?
        var rescoreReason: String?
    }

    func rescore(req: Request) async throws -> Response {
        let membershipID = try id(req)
        let form = try req.content.decode(RescoreForm.self)
        return try await Forms.handle(
            req, success: "Re-scored. The provider has been told.", redirect: { .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await ContractManagement.rescore(
                membershipID, .init(score: form.score ?? "", reason: form.rescoreReason ?? ""),
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct ConcernForm: Content {
        var concernKind: String?
        var concernDetails: String?
    }

    func raiseConcern(req: Request) async throws -> Response {
        let membershipID = try id(req)
        let form = try req.content.decode(ConcernForm.self)
        var review: UUID?
        return try await Forms.handle(
            req,
            success: review == nil
                ? "Concern raised. The contract managers have been told."
                : "Concern raised. It is part of a coordinated review; everyone involved has been told.",
            redirect: { review.map { .review($0) } ?? .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            review = try await Concerns.raise(
                about: membershipID,
                .init(
                    kind: ConcernThreshold.Kind(rawValue: form.concernKind ?? ""), details: form.concernDetails ?? ""),
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct ReviewForm: Content { var reviewReason: String? }

    func openReview(req: Request) async throws -> Response {
        let membershipID = try id(req)
        var review: UUID?
        return try await Forms.handle(
            req, success: "Review opened. The provider and the partners involved have been told.",
            redirect: { review.map { .review($0) } ?? .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            review = try await Concerns.openReview(
                about: membershipID, reason: try req.content.decode(ReviewForm.self).reviewReason ?? "",
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct RenewForm: Content, HasDateInputs {
        var question: String?
        var expiresOn: String?
        var document: File?
        static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.expiresOn, "expiresOn")] }
    }

    func renew(req: Request) async throws -> Response {
        let membershipID = try id(req)
        let form = try req.decodeForm(RenewForm.self)
        return try await Forms.handle(
            req, success: "Renewed document uploaded. The contract managers have been told.",
            redirect: { .membership(membershipID) },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            try await EvidenceWatch.renew(
                membershipID, question: form.question, expiresOn: form.expiresOn,
                file: form.document.flatMap { $0.data.readableBytes == 0 ? nil : $0.uploaded },
                actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    func download(req: Request) async throws -> Response {
        let response = try req.uuid("responseID")
        let doc = try await ContractManagement.responseDocument(
            try id(req), response: response, actor: try req.requireActor(), db: req.db)
        let answer = Response(status: .ok, body: .init(data: doc.data))
        answer.headers.replaceOrAdd(name: .contentType, value: "application/octet-stream")
        answer.headers.replaceOrAdd(name: .contentDisposition, value: SafeHeaders.attachment(doc.filename))
        answer.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return answer
    }
}

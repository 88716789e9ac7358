import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// Placements after award: the register, the provider's outcome review form, the placing authority's answer, and the
/// parties' changes and endings (posted from the agreement page, which shows them again with any errors).
struct PlacementPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.placements, use: register)
        routes.get(.placementReview(.any, review: .any), use: reviewForm)
        routes.post(.placementReview(.any, review: .any), use: recordReview)
        routes.post(.placementReviewAnswer(.any, review: .any), use: answerReview)
        routes.get(.placementReviewFile(.any, review: .any, outcome: 0), use: reviewFile)
        routes.post(.placementChanges(.any), use: proposeChange)
        routes.post(.placementChange(.any, change: .any), use: decideChange)
        routes.post(.placementEnd(.any), use: end)
    }

    private func id(_ req: Request) throws -> UUID { try req.uuid("id") }

    // MARK: The register

    /// The register's filter as sent: each value read as text on its own (a value in another shape, such as
    /// `status[a]=b`, reads as none rather than a framework error).
    struct RegisterQuery {
        var status: String?
        var ending: String?
        var category: String?
        var q: String?
        var overdue: String?

        init(_ req: Request) {
            func text(_ name: String) -> String? { req.query[String.self, at: name].flatMap { $0.isEmpty ? nil : $0 } }
            status = text("status")
            ending = text("ending")
            category = text("category")
            q = text("q")
            overdue = text("overdue")
        }
    }

    func register(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let query = RegisterQuery(req)
        var errors: [FieldError] = []
        func chosen<T: RawRepresentable>(_ raw: String?, _ field: String, _ message: String) -> T?
        where T.RawValue == String {
            guard let raw else { return nil }
            guard let value = T(rawValue: raw) else {
                errors.append(FieldError(field: field, message: message))
                return nil
            }
            return value
        }
        let status: PlacementStatus? = chosen(query.status, "status", "Choose a status: active or ended")
        let ending: PlacementEnding.Kind? = chosen(query.ending, "ending", "Choose an ending: planned or unplanned")
        let category = query.category
        let categoryID = category.flatMap(UUID.init(uuidString:))
        if category != nil && categoryID == nil {
            errors.append(FieldError(field: "category", message: "Choose a category from the list"))
        }
        if (query.q ?? "").count > 100 {
            errors.append(FieldError(field: "q", message: "Search must be 100 characters or fewer"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let filter = Placements.Filter(
            status: status, ending: ending, category: categoryID, search: query.q, overdueOnly: query.overdue == "yes")
        let page = try await Placements.register(
            actor: actor, filter: filter, page: try req.listPage(), db: req.db, now: req.now)
        let categories = try await Placements.categories(actor: actor, db: req.db)
        let overseer = actor.isLeadAuthority && AccessPolicy.placementOverseers.contains(actor.role)
        let today = LocalDate.from(req.now)
        let kept = [
            ("status", query.status), ("ending", query.ending), ("category", category), ("q", query.q),
            ("overdue", query.overdue),
        ].compactMap { name, value in
            value.flatMap {
                $0.isEmpty ? nil : "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }
        }.joined(separator: "&")
        let narrowed = !kept.isEmpty
        return HTMLResponse.make(
            Layout.page(title: "Placements", context: PageContext(request: req)) {
                UI.h1("Placements")
                UI.p(
                    actor.isProvider
                        ? "The placements awarded to your establishments, with the outcome reviews they owe."
                        : "Active and ended placements, with the next outcome review each owes. The child's details "
                            + "are on each agreement, for the placing authority and the provider only.")
                el("form", .class("dps-filter"), Attr("method", "get"), Attr("action", SiteURL.placements.path)) {
                    UI.select(
                        "status", label: "Status",
                        options: [
                            .init(value: "", label: "Any"), .init(value: "active", label: "Active"),
                            .init(value: "ended", label: "Ended"),
                        ], selected: query.status ?? "")
                    UI.select(
                        "ending", label: "Ending",
                        options: [
                            .init(value: "", label: "Any"), .init(value: "planned", label: "Planned"),
                            .init(value: "unplanned", label: "Unplanned"),
                        ], selected: query.ending ?? "")
                    UI.select(
                        "category", label: "Category",
                        options: [.init(value: "", label: "Any")]
                            + categories.map { .init(value: $0.id.uuidString, label: $0.name) },
                        selected: category ?? "")
                    UI.textInput(
                        "q", label: "Reference, establishment or provider", value: query.q, type: "search", width: "20")
                    UI.checkboxes(
                        "overdue", legend: "Reviews",
                        options: [.init(value: "yes", label: "Only those with an overdue review")],
                        selected: query.overdue == "yes" ? ["yes"] : [])
                    el("div", .class("govuk-button-group")) {
                        UI.button("Apply", kind: "secondary")
                        if narrowed { UI.link("Clear", .placements) }
                    }
                }
                if page.rows.isEmpty {
                    UI.emptyList(
                        "No placements yet: they appear here when a referral is awarded or a direct placement is "
                            + "recorded.", narrowed: narrowed, clear: SiteURL.placements.path)
                } else {
                    UI.table(
                        caption: "Newest start first",
                        headers: [
                            "Reference", "Establishment", "Category",
                            actor.isProvider
                                ? "Placing authority" : overseer ? "Placing authority and provider" : "Provider",
                            "Start", "Expected end", "Weekly fee", "Next review", "Status",
                        ],
                        rows: page.rows.map { r in
                            [
                                UI.link(r.reference, .placement(r.id)), text(r.establishment), text(r.category),
                                text(
                                    actor.isProvider
                                        ? r.authority : overseer ? "\(r.authority)\n\(r.provider)" : r.provider),
                                text(r.start?.longForm ?? ""),
                                text(r.expectedEnd?.longForm ?? "Not set"), text(formatPence(r.weeklyFeePence)),
                                r.reviewOverdue
                                    ? UI.tag("Overdue: " + (r.nextReview?.longForm ?? ""), colour: "red")
                                    : text(r.nextReview?.longForm ?? "None"),
                                r.status == .active
                                    ? ((r.start.map { $0 > today } ?? false)
                                        ? UI.tag("Starts \(r.start?.longForm ?? "")", colour: "blue")
                                        : UI.tag("Active", colour: "green"))
                                    : UI.tag(
                                        (r.ending.map { ($0.kind == .planned ? "Ended: " : "Unplanned: ") + $0.label }
                                            ?? "Ended") + (r.actualEnd.map { ", \($0.longForm)" } ?? ""),
                                        colour: r.ending?.kind == .unplanned ? "red" : "grey"),
                            ]
                        })
                    UI.pagination(page, base: .placements, query: kept.isEmpty ? nil : kept)
                }
            })
    }

    // MARK: Outcome reviews

    func reviewForm(req: Request) async throws -> Response {
        HTMLResponse.make(try await reviewView(req, errors: [], values: [:]))
    }

    private func reviewView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let placementID = try id(req)
        let reviewID = try req.uuid("reviewID")
        let model = try await PlacementAgreement.query(placementID, actor: try req.requireActor(), db: req.db)
        guard let review = model.reviews.first(where: { $0.id == reviewID }), model.side == .provider else {
            throw UseCaseError(.notFound, "There is no such review for you to record.")
        }
        guard review.state != .completed else {
            throw UseCaseError(.conflict, "This review is completed: the placing authority has answered it.")
        }
        return Layout.page(title: "Outcome review \(review.sequence)", context: PageContext(request: req)) {
            UI.backLink(.placement(placementID))
            UI.errorSummary(errors)
            UI.h1("Record progress on the agreed outcomes", caption: "\(model.reference): review \(review.sequence)")
            UI.p("Due \(review.due.longForm). The placing authority will agree, or add its own view.")
            UI.table(
                caption: "The rating scale", headers: ["Rating", "What it means"],
                rows: OutcomeProgress.allCases.map { [text($0.label), text($0.meaning)] })
            UI.form(action: .placementReview(placementID, review: reviewID), csrf: req.csrfToken, multipart: true) {
                for (index, outcome) in model.outcomes.enumerated() {
                    let earlier = review.ratings.first { $0.outcomeIndex == index }
                    el("h2", .class("govuk-heading-m")) { "Outcome \(index + 1): \(outcome)" }
                    UI.radios(
                        "rating\(index)", legend: "Progress",
                        options: OutcomeProgress.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                        selected: values["rating\(index)"] ?? earlier?.rating.rawValue, errors: errors, inline: true)
                    UI.textarea(
                        "comment\(index)", label: "What shows this progress",
                        value: values["comment\(index)"] ?? earlier?.comment,
                        hint: "Describe the evidence. Do not write the child's name.", errors: errors, rows: 4)
                    UI.fileUpload(
                        "evidence\(index)", label: "Evidence file (optional, under 10 MB)",
                        hint: errors.isEmpty
                            ? nil : "Attach the file again: files are not kept when the form shows an error.",
                        errors: errors)
                }
                UI.button("Record the review")
            }
        }
    }

    /// The review form as posted (multipart), read in one pass: `ratingN`, `commentN` and the file `evidenceN` for
    /// each outcome N (reading field by field parsed the whole body again for each, which took minutes for a
    /// megabyte and held the server's threads).
    struct ReviewUpload: Decodable {
        var ratings: [Int: String] = [:]
        var comments: [Int: String] = [:]
        var files: [Int: File] = [:]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: FormFields.Name.self)
            for key in container.allKeys {
                for (prefix, kind) in [("rating", 0), ("comment", 1), ("evidence", 2)]
                where key.stringValue.hasPrefix(prefix) {
                    let digits = key.stringValue.dropFirst(prefix.count)
                    guard (1...2).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                        let index = Int(digits),
                        index < ReferralRules.maximumListItems
                    else { continue }
                    switch kind {
                    case 0: ratings[index] = try? container.decode(String.self, forKey: key)
                    case 1: comments[index] = try? container.decode(String.self, forKey: key)
                    default: files[index] = try? container.decode(File.self, forKey: key)
                    }
                }
            }
        }
    }

    func recordReview(req: Request) async throws -> Response {
        let placementID = try id(req)
        let reviewID = try req.uuid("reviewID")
        let actor = try req.requireActor()
        let upload = try req.content.decode(ReviewUpload.self)
        let indexes = Set(upload.ratings.keys).union(upload.comments.keys).union(upload.files.keys).sorted()
        let ratings: [Placements.RatingInput] = indexes.map { index in
            Placements.RatingInput(
                outcomeIndex: index, rating: upload.ratings[index].flatMap(OutcomeProgress.init(rawValue:)),
                comment: upload.comments[index] ?? "",
                file: upload.files[index].flatMap { $0.data.readableBytes == 0 ? nil : $0.uploaded })
        }
        return try await Forms.handle(
            req, success: "Review recorded. The placing authority has been told.",
            redirect: { .placement(placementID) },
            render: { errors, values in try await reviewView(req, errors: errors, values: values) }
        ) {
            try await Placements.recordReview(
                placementID, review: reviewID, ratings: ratings, actor: actor, db: req.db, now: req.now)
        }
    }

    func answerReview(req: Request) async throws -> Response {
        let placementID = try id(req)
        let reviewID = try req.uuid("reviewID")
        let actor = try req.requireActor()
        let fields = Forms.values(req)
        var theirs: [Int: OutcomeProgress] = [:]
        for index in 0..<ReferralRules.maximumListItems {
            if let rating = fields["authorityRating\(index)"].flatMap(OutcomeProgress.init(rawValue:)) {
                theirs[index] = rating
            }
        }
        return try await handle(req, placementID, success: "Answer sent. The provider has been told.") {
            guard ["yes", "no"].contains(fields["agree"] ?? "") else {
                throw UseCaseError(field: "agree", "Choose whether you agree with the progress the provider recorded")
            }
            try await Placements.respondReview(
                placementID, review: reviewID, agree: fields["agree"] != "no", view: fields["view"] ?? "",
                authorityRatings: theirs, actor: actor, db: req.db, now: req.now)
        }
    }

    func reviewFile(req: Request) async throws -> Response {
        guard let outcome = req.parameters.get("outcome").flatMap(Int.init), (0..<1_000).contains(outcome) else {
            throw UseCaseError(.notFound, "There is no such file.")
        }
        let file = try await Placements.reviewFile(
            try id(req), review: try req.uuid("reviewID"), outcome: outcome, actor: try req.requireActor(), db: req.db)
        let response = Response(status: .ok, body: .init(data: file.data))
        response.headers.replaceOrAdd(name: .contentType, value: "application/octet-stream")
        response.headers.replaceOrAdd(name: .contentDisposition, value: SafeHeaders.attachment(file.filename))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    // MARK: Changes and endings

    func proposeChange(req: Request) async throws -> Response {
        let placementID = try id(req)
        let actor = try req.requireActor()
        let fields = Forms.values(req)
        var unreadable: [FieldError] = []
        var lines: [FeeLine] = []
        var positions: [Int] = []
        for index in 0..<FeeVariation.maximumLines + 2 {
            let name = (fields["lineName\(index)"] ?? "").trimmed
            let pounds = (fields["linePounds\(index)"] ?? "").trimmed
            if name.isEmpty && pounds.isEmpty { continue }
            guard let pence = Money.parsePounds(pounds) else {
                unreadable.append(
                    FieldError(field: "linePounds\(index)", message: "Enter line \(index + 1) in pounds, like 1250.00"))
                continue
            }
            let key = (fields["lineKey\(index)"] ?? "").trimmed
            lines.append(
                FeeLine(key: key.isEmpty ? nil : String(key.prefix(100)), name: String(name.prefix(200)), pence: pence))
            positions.append(index)
        }
        func date(_ name: String) -> LocalDate? {
            let typed = DateParts.text(fields, name) ?? ""
            if typed.isEmpty { return nil }
            guard let date = LocalDate(typed: typed) else {
                unreadable.append(FieldError(field: name, message: "Enter a real date, for example 1 4 2027"))
                return nil
            }
            return date
        }
        let kind = fields["kind"].flatMap(PlacementChangeKind.init(rawValue:))
        let command = Placements.ChangeCommand(
            kind: kind, lines: kind == .fee ? lines : [], linePositions: positions, expectedEnd: date("expectedEnd"),
            pattern: fields["pattern"].flatMap(PlacementPattern.init(rawValue:)), reason: fields["changeReason"] ?? "",
            effective: date("effective"), unreadable: unreadable)
        return try await handle(req, placementID, success: "Change proposed. The other party has been told.") {
            try await Placements.proposeChange(placementID, command, actor: actor, db: req.db, now: req.now)
        }
    }

    func decideChange(req: Request) async throws -> Response {
        let placementID = try id(req)
        let changeID = try req.uuid("changeID")
        let actor = try req.requireActor()
        let fields = Forms.values(req)
        let accept = fields["decision"] == "accept"
        return try await handle(req, placementID, success: accept ? "Change accepted." : "Change rejected.") {
            guard ["accept", "reject"].contains(fields["decision"] ?? "") else {
                throw UseCaseError(field: "decision", "Choose whether you accept or reject the change")
            }
            try await Placements.decideChange(
                placementID, change: changeID, accept: accept, note: fields["decisionNote"] ?? "", actor: actor,
                db: req.db,
                now: req.now)
        }
    }

    func end(req: Request) async throws -> Response {
        let placementID = try id(req)
        let actor = try req.requireActor()
        let fields = Forms.values(req)
        let typed = DateParts.text(fields, "endedOn") ?? ""
        let date = typed.isEmpty ? nil : LocalDate(typed: typed)
        return try await handle(req, placementID, success: "The placement's end is recorded.") {
            if !typed.isEmpty && date == nil {
                throw UseCaseError(field: "endedOn", "Enter a real date, for example 1 4 2027")
            }
            try await Placements.end(
                placementID, reason: fields["endReason"].flatMap(PlacementEnding.init(rawValue:)), on: date,
                note: fields["endNote"] ?? "", actor: actor, db: req.db, now: req.now)
        }
    }

    /// A form posted from the agreement page: back to it, or the page again with the errors and what was typed.
    private func handle(
        _ req: Request, _ placementID: UUID, success: String, action: () async throws -> Void
    ) async throws -> Response {
        try await Forms.handle(
            req, success: success, redirect: { .placement(placementID) },
            render: { errors, values in
                let model = try await PlacementAgreement.query(
                    placementID, actor: try req.requireActor(), db: req.db, now: req.now, errors: errors,
                    values: values)
                return PlacementAgreement.view(model, context: PageContext(request: req))
            }, action: action)
    }
}

import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// The register watch for the lead's contract managers: what the last register snapshots showed about member
/// establishments (suspensions made, improvements and judgements to read, establishments leaving or newly
/// registered), each marked reviewed with what was done.
struct RegisterWatchPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.registerWatch, use: show)
        routes.get(.registerFinding(.any), use: finding)
        routes.post(.registerFinding(.any), use: review)
    }

    func show(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let reviewed = req.query[String.self, at: "list"] == "reviewed"
        let page = try await RegisterWatch.findings(
            reviewed: reviewed, actor: actor, page: try req.listPage(), db: req.db)
        let last = try await JobRun.latest(RegisterWatch.job, db: req.db)
        let reviewer = [.contractManager, .dpsAdmin].contains(actor.role)
        let markup = Layout.page(title: "Register watch", context: PageContext(request: req)) {
            UI.h1("Register watch")
            UI.p(
                "Each time a newer snapshot of the public registers is imported, every member establishment's "
                    + "inspection is compared with the last one known. A judgement below the threshold suspends its "
                    + "memberships for every partner at once; everything else that needs a person comes here.")
            UI.p(
                last.map { "Last checked \(DisplayDate.dateTime($0.finishedAt)). \($0.summary)" }
                    ?? "No register snapshot has been checked yet. Run dps import-registers --data FOLDER.")
            el("p") {
                reviewed
                    ? UI.link("Show the findings to review", .registerWatch)
                    : UI.link(
                        "Show the findings already reviewed",
                        href: SiteURL.registerWatch.path(query: [("list", "reviewed")]))
            }
            if page.rows.isEmpty {
                UI.inset(reviewed ? "Nothing reviewed yet." : "Nothing to review.")
            }
            if !page.rows.isEmpty {
                UI.table(
                    caption: reviewed ? "Reviewed, newest first" : "To review, newest first",
                    headers: ["Found", "Establishment", "What the register shows", "When"]
                        + (reviewed ? ["Reviewed"] : []),
                    rows: page.rows.map { f in
                        [
                            text(f.kindLabel), UI.link("\(f.name) (URN \(f.urn))", .registerFinding(f.id)),
                            text(f.detail), text(DisplayDate.dateTime(f.createdAt)),
                        ]
                            + (reviewed
                                ? [text([f.reviewedBy, f.reviewNote].compactMap { $0 }.joined(separator: ": "))] : [])
                    })
            }
            UI.pagination(page, base: .registerWatch, query: reviewed ? "list=reviewed" : nil)
        }
        return HTMLResponse.make(markup)
    }

    func finding(req: Request) async throws -> Response {
        HTMLResponse.make(try await findingView(req, errors: [], values: [:]))
    }

    /// One finding, with its establishment's memberships and, while it is open, the form to mark it reviewed.
    private func findingView(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let id = try req.uuid("id")
        let finding = try await RegisterWatch.finding(id, actor: actor, db: req.db)
        return Layout.page(title: finding.name, context: PageContext(request: req)) {
            UI.backLink(.registerWatch)
            UI.errorSummary(errors)
            UI.h1(finding.name, caption: "Register watch: URN \(finding.urn)")
            UI.summaryList(
                [
                    ("Found", text(finding.kindLabel)),
                    ("What the register shows", text(finding.detail)),
                    ("When", text(DisplayDate.dateTime(finding.createdAt))),
                ]
                    + (finding.reviewedAt.map { at in
                        [
                            (
                                "Reviewed",
                                text(
                                    "\(DisplayDate.dateTime(at)) by \(finding.reviewedBy ?? "")"
                                        + (finding.reviewNote.map { ". \($0)" } ?? ""))
                            )
                        ]
                    } ?? []))
            if finding.establishment != nil {
                el("p") {
                    UI.link("See its memberships", href: SiteURL.memberships.path(query: [("q", finding.name)]))
                }
            }
            if finding.reviewedAt == nil && [.contractManager, .dpsAdmin].contains(actor.role) {
                UI.form(action: .registerFinding(finding.id), csrf: req.csrfToken) {
                    UI.textarea(
                        "note", label: "What you did about it", value: values["note"],
                        hint: "For example: reinstated after reading the report; asked the provider to apply.",
                        errors: errors, rows: 3)
                    UI.button("Mark as reviewed")
                }
            }
        }
    }

    struct ReviewForm: Content {
        var note: String?
    }

    func review(req: Request) async throws -> Response {
        let id = try req.uuid("id")
        let input = try req.content.decode(ReviewForm.self)
        return try await Forms.handle(
            req, success: "Marked as reviewed.", redirect: { .registerWatch },
            render: { errors, values in try await findingView(req, errors: errors, values: values) }
        ) {
            try await RegisterWatch.review(
                id, note: input.note ?? "", actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }
}

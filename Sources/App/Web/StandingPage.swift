import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// A provider's standing on the DPS (issue 9): each membership and its state, what lifts a suspension, evidence
/// expired or expiring within 60 days, and the coordinated reviews of its establishments with their open actions.
struct StandingPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.standing, use: show)
    }

    func show(req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let memberships = try await Queries.memberships(
            actor: actor, page: try ListPage(number: 1, size: ListPage.maximumSize), db: req.db)
        let expiring = try await EvidenceWatch.expiring(within: 60, actor: actor, db: req.db, now: req.now)
        let reviews = try await Concerns.reviews(actor: actor, db: req.db).rows.filter { $0.state == "open" }
        let checks = try await ComplianceChecks.waiting(actor: actor, db: req.db)
        let feeReviews = try await FeeReviews.reviews(actor: actor, db: req.db).filter { $0.state == "open" }
        let today = LocalDate.from(req.now)
        return HTMLResponse.make(
            Layout.page(title: "Our standing", context: PageContext(request: req)) {
                UI.h1("Our standing on the DPS")
                let suspended = memberships.rows.filter { $0.state == MembershipState.suspended.rawValue }
                if !suspended.isEmpty {
                    UI.warning(
                        "\(suspended.count) membership\(suspended.count == 1 ? " is" : "s are") suspended: not "
                            + "invited to new referrals until the contract manager lifts the suspension.")
                }
                UI.h2("Memberships")
                if memberships.rows.isEmpty {
                    UI.inset("No memberships yet. Apply from Applications.")
                } else {
                    UI.table(
                        headers: ["Establishment", "Category", "Status", "Score", "What is needed"],
                        rows: memberships.rows.map { m in
                            let reason = m.stateReason.flatMap(SuspensionReason.init)
                            return [
                                UI.link(m.establishment, .membership(m.id)), text(m.category),
                                UI.tag(m.state.capitalized, colour: m.state == "active" ? "green" : "red"),
                                text(QualificationScoring.formatHundredths(m.score)),
                                text(
                                    m.state == MembershipState.suspended.rawValue
                                        ? "\(reason?.label ?? "Suspended"). Send: "
                                            + (reason?.evidenceNeeded.lowercased() ?? "the evidence about the reason")
                                        : "Nothing"),
                            ]
                        })
                    if memberships.hasNext { el("p") { UI.link("Every membership", .memberships) } }
                }
                UI.h2("Compliance checks to answer")
                if checks.isEmpty {
                    UI.p("None waiting for your answer.")
                } else {
                    UI.table(
                        headers: ["Check", "Memberships", "Answer by"],
                        rows: checks.map { c, count in
                            [
                                UI.link(c.scope, .complianceCheck(c.id)), text(String(count)),
                                text(c.answerBy.longForm + (c.answerBy < today ? " (late)" : "")),
                            ]
                        })
                }
                UI.h2("Fee reviews")
                if feeReviews.isEmpty {
                    UI.p("No fee review is open.")
                } else {
                    for r in feeReviews {
                        el("p") {
                            UI.link(
                                "Propose new core fees by \(r.closesOn.longForm) (agreed fees from "
                                    + "\(r.effectiveFrom.longForm))", .feeReview(r.id))
                        }
                    }
                }
                UI.h2("Evidence expired or expiring within 60 days")
                if expiring.isEmpty {
                    UI.p("Nothing expires in the next 60 days.")
                } else {
                    UI.table(
                        headers: ["Establishment", "Category", "Document", "Expires"],
                        rows: expiring.map { e, question in
                            [
                                UI.link(e.establishment, .membership(e.membership)), text(e.category), text(question),
                                text(e.expires.longForm + (e.expires < today ? " (expired)" : "")),
                            ]
                        })
                    UI.p("Upload the renewed document on the membership's page.")
                }
                UI.h2("Coordinated reviews")
                if reviews.isEmpty {
                    UI.p("No open reviews.")
                } else {
                    UI.table(
                        headers: ["Establishment", "Opened", "Why"],
                        rows: reviews.map { r in
                            [
                                UI.link(r.establishment, .review(r.id)), text(LocalDate.from(r.openedAt).longForm),
                                text(r.reason),
                            ]
                        })
                }
            })
    }
}

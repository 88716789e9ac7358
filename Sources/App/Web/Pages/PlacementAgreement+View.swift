import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension PlacementAgreement {
    static func view(_ m: Model, context: PageContext) -> Markup {
        let (p, reference, children, childDetails) = (m.placement, m.reference, m.children, m.childDetails)
        let (names, core, variable, outcomes, reviews) = (m.lineNames, m.core, m.variable, m.outcomes, m.reviewDates)
        let (authority, provider) = (m.authorityName, m.providerName)
        return Layout.page(title: "Individual Placement Agreement", context: context) {
            UI.backLink(.placements)
            UI.errorSummary(m.errors)
            UI.h1("Individual Placement Agreement", caption: "\(reference) under the \(p.contractName)")
            UI.summaryList([
                ("Placing authority", text(authority)),
                ("Provider", text(provider)),
                ("Establishment", text("\(p.establishment.name), \(p.establishment.postcode)")),
                ("Child", text(childDetails.isEmpty ? "Reference \(reference)" : childDetails)),
                ("Start date", text(DisplayDate.date(p.startDate))),
                (
                    "Expected end",
                    text(
                        p.expectedEndDate == nil
                            ? "Not set"
                            : DisplayDate.date(p.expectedEndDate)
                                + (m.durationWeeks.map { " (\($0) week\($0 == 1 ? "" : "s") from the start)" } ?? ""))
                ),
                (
                    "Weekly fee",
                    text(
                        formatPence(p.weeklyFeePence) + (children > 1 ? " for \(children) children" : "")
                            + (m.pendingFee.map {
                                " from \($0.from.longForm) (\(formatPence($0.until)) until then); the values below use "
                                    + "the new fee"
                            } ?? ""))
                ),
                (
                    "Value a year",
                    text(
                        formatPence(m.annualPence) + " (\(m.weeksPerYear) weeks a year"
                            + (m.patternLabel.map { ": \($0.lowercased())" } ?? "") + ")")
                ),
                (
                    "Total value",
                    text(
                        m.totalPence.map { formatPence($0) + " over the expected duration" }
                            ?? "Not known: no expected end is set")
                ),
                ("Placing authority's contact", contact(m.authorityContact)),
                ("Provider's contact", contact(m.providerContact)),
                (
                    "Core costs a week",
                    text(
                        core.isEmpty && p.direct
                            ? (variable.isEmpty ? "Not broken down: a weekly fee agreed directly" : "None: see below")
                            : core.sorted { $0.key < $1.key }.map {
                                "\(names[$0.key] ?? $0.key): \(formatPence($0.value))"
                            }.joined(separator: "\n"))
                ),
                (
                    "Variable costs a week",
                    text(
                        variable.isEmpty
                            ? "None"
                            : variable.map { "\($0.description): \(formatPence($0.pence))" }.joined(separator: "\n")
                    )
                ),
                ("Discount", text(Money.percent(p.discountBasisPoints))),
                ("Agreed outcomes", text(outcomes.joined(separator: "\n"))),
                (
                    "Reviews",
                    text(
                        reviews.isEmpty
                            ? "None before its end" : reviews.map { DisplayDate.date($0) }.joined(separator: ", "))
                ),
                (
                    "Route",
                    text(
                        p.direct
                            ? "Direct placement (off-competition): \(p.justification ?? "")"
                            : "Awarded through competition")
                ),
                (
                    "Accepted by the authority",
                    text(
                        p.authorityAcceptedAt.map {
                            "\(p.authorityAcceptedBy ?? "") on \(DisplayDate.dateTime($0))"
                        } ?? "Not yet")
                ),
                (
                    "Accepted by the provider",
                    text(
                        p.providerAcceptedAt.map { "\(p.providerAcceptedBy ?? "") on \(DisplayDate.dateTime($0))" }
                            ?? "Not yet")
                ),
            ])
            if m.canAccept {
                UI.form(action: .placementAccept(p.id!), csrf: context.csrf) {
                    UI.p("By accepting you agree to this placement on the terms of the \(p.contractName).")
                    UI.button("Accept the agreement")
                }
            }
            life(m, context: context)
            el("p", .class("govuk-body dps-no-print")) {
                "Print this page or save it as a PDF from your browser's print menu; the header, links and buttons are "
                    + "left out of the printed copy."
            }
        }
    }

    /// A party's contact as lines: name, e-mail address (a link) and telephone, whichever are known.
    private static func contact(_ c: Contact) -> Markup {
        guard !(c.name.isEmpty && c.email.isEmpty && c.phone.isEmpty) else { return text("Not given") }
        return el("ul", .class("govuk-list")) {
            if !c.name.isEmpty { el("li") { c.name } }
            if !c.email.isEmpty { el("li") { UI.link(c.email, href: "mailto:" + c.email) } }
            if !c.phone.isEmpty { el("li") { c.phone } }
        }
    }
}

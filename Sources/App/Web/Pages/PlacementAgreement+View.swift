import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension PlacementAgreement {
    static func view(_ m: Model, context: PageContext) -> Markup {
        let (p, reference, children, childDetails) = (m.placement, m.reference, m.children, m.childDetails)
        let (names, core, variable, outcomes, reviews) = (m.lineNames, m.core, m.variable, m.outcomes, m.reviews)
        let (authority, provider) = (m.authorityName, m.providerName)
        return Layout.page(title: "Individual Placement Agreement", context: context) {
            UI.backLink(context.actor?.isProvider == true ? .invitations : .referrals)
            UI.h1("Individual Placement Agreement", caption: "\(reference) under the \(p.contractName)")
            UI.summaryList([
                ("Placing authority", text(authority)),
                ("Provider", text(provider)),
                ("Establishment", text("\(p.establishment.name), \(p.establishment.postcode)")),
                ("Child", text(childDetails.isEmpty ? "Reference \(reference)" : childDetails)),
                ("Start date", text(DisplayDate.date(p.startDate))),
                ("Expected end", text(DisplayDate.date(p.expectedEndDate))),
                (
                    "Weekly fee",
                    text(formatPence(p.weeklyFeePence) + (children > 1 ? " for \(children) children" : ""))
                ),
                (
                    "Core costs a week",
                    text(
                        core.isEmpty && p.direct
                            ? "Not broken down: a weekly fee agreed directly"
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
                ("Reviews", text(reviews.map { DisplayDate.date($0) }.joined(separator: ", "))),
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
            UI.p("Print this page for your records.")
        }
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension ReferralList {
    static func view(_ model: Model, context: PageContext) -> Markup {
        let options = Referrals.listOptions
        return Layout.page(title: "Referrals", context: context) {
            UI.errorSummary(model.filterErrors)
            UI.h1("Referrals", caption: model.organisation)
            if model.officer {
                el("div", .class("govuk-button-group")) {
                    el("a", .class("govuk-button"), .href(SiteURL.newReferral)) { "Create a referral" }
                    el("a", .class("govuk-button govuk-button--secondary"), .href(SiteURL.directReferral)) {
                        "Record a direct placement"
                    }
                }
            }
            UI.listFilter(
                .referrals, filter: model.filter, options: options, searchLabel: "Reference or child's area",
                errors: model.filterErrors)
            if model.referrals.rows.isEmpty {
                UI.emptyList(
                    model.officer
                        ? "No referrals yet. Create a referral when a child needs a placement."
                        : "No referrals yet.", narrowed: model.filter.narrows, clear: SiteURL.referrals.path)
            } else {
                UI.table(
                    headers: ["Reference", "Category", "Child's area", "Deadline", "Invited", "Bids", "Status"],
                    rows: model.referrals.rows.map { r in
                        [
                            UI.link(r.reference, .referral(r.id)), text(r.categoryName),
                            text(r.homeDistrict.isEmpty ? "—" : r.homeDistrict),
                            text(r.kind == "direct" ? "Direct placement" : DisplayDate.dateTime(r.deadline)),
                            text(String(r.invited)), text(String(r.bids)), ReferralPages.stateTag(r.state),
                        ]
                    })
            }
            UI.pagination(model.referrals, base: .referrals, query: model.filter.query(options))
            UI.h2("Placements")
            UI.table(
                headers: ["Reference", "Establishment", "Start", "Weekly fee", "Route"],
                rows: model.placements.map { p in
                    [
                        text(p.reference ?? ""), UI.link(p.establishment.name, .placement(p.id!)),
                        text(DisplayDate.date(p.startDate)), text(formatPence(p.weeklyFeePence)),
                        p.direct ? UI.tag("Off-competition (direct)", colour: "red") : UI.tag("Competition"),
                    ]
                })
            if model.morePlacements {
                UI.p("The \(model.placements.count) most recent placements are shown.")
            }
        }
    }
}

import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension ReferralList {
    static func view(_ model: Model, context: PageContext) -> Markup {
        return Layout.page(title: "Referrals", context: context) {
            UI.h1("Referrals", caption: model.organisation)
            if model.officer {
                el("div", .class("govuk-button-group")) {
                    el("a", .class("govuk-button"), .href(SiteURL.newReferral)) { "Create a referral" }
                    el("a", .class("govuk-button govuk-button--secondary"), .href(SiteURL.directReferral)) {
                        "Record a direct placement"
                    }
                }
            }
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
            UI.pagination(model.referrals, base: .referrals)
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

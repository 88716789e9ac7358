import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// What every page needs from the request: who is signed in, the CSRF token, a one-off message.
struct PageContext {
    var actor: Actor?
    var csrf: String
    var flash: String?
    var path: String

    init(request: Request) {
        actor = request.actor
        // Only signed-in pages carry the sign-out form; anonymous views create no session row (the few
        // anonymous forms ask for the token themselves).
        csrf = request.actor != nil ? request.csrfToken : ""
        flash = request.takeFlash()
        path = request.url.path
    }
}

enum Layout {
    static let serviceName = "Children's Placements DPS"

    static func navigation(for actor: Actor?) -> [(String, SiteURL)] {
        guard let actor else {
            return [
                ("Procurement documents", .documents), ("Sign in", .signIn), ("Register a provider", .register),
            ]
        }
        var items: [(String, SiteURL)] = [("Dashboard", .dashboard)]
        switch actor.role {
        case .dpsAdmin:
            items += [
                ("DPS set-up", .dpsOverview), ("Applications", .assessmentQueue), ("Memberships", .memberships),
                ("Placements", .placements), ("URN claims", .urnClaims), ("Cost sharing", .costSharing),
                ("E-mail", .mailProblems),
            ]
        case .evaluator, .panelMember:
            items += [("Applications", .assessmentQueue), ("Deadline report", .assessmentReport)]
        case .contractManager:
            items += [
                ("Memberships", .memberships), ("Placements", .placements), ("Figures", .figures),
                ("Publication", .publication),
                ("Register watch", .registerWatch), ("Coordinated reviews", .reviews),
                ("Compliance checks", .complianceChecks), ("Fee reviews", .feeReviews), ("Cost sharing", .costSharing),
                ("Applications", .assessmentQueue), ("URN claims", .urnClaims), ("Audit trail", .audit),
            ]
        case .auditor:
            items += [
                ("Audit trail", .audit), ("Referrals", .referrals), ("Placements", .placements),
                ("Memberships", .memberships),
                ("Applications", .assessmentQueue),
            ]
        case .placementOfficer, .partnerViewer, .councilAdmin:
            items += [
                ("Referrals", .referrals), ("Placements", .placements), ("Figures", .figures),
                ("Memberships", .memberships), ("Coordinated reviews", .reviews),
            ]
            if actor.role != .placementOfficer { items.append(("Cost sharing", .costSharing)) }
        case .providerAdmin, .bidWriter:
            items += [
                ("Invitations", .invitations), ("Placements", .placements), ("Our standing", .standing),
                ("Organisation", .organisation),
                ("Establishments", .establishments), ("Applications", .applications),
            ]
        }
        if [.dpsAdmin, .providerAdmin, .councilAdmin].contains(actor.role) { items.append(("People", .people)) }
        items += [("Messages", .messages), ("Procurement documents", .documents)]
        return items
    }

    static func page(title: String, context: PageContext, @MarkupBuilder content: () -> Markup) -> Markup {
        let body = content()
        // GOV.UK: a page that shows errors says so first in its title, which screen readers read on arrival.
        let shownTitle = body.includes("class=\"govuk-error-summary\"") ? "Error: \(title)" : title
        // A parent's page (the private link) is for the parent alone: no sign-in, registration or API links.
        let forParent = context.actor == nil && context.path.hasPrefix("/choice/")
        return Markup(
            unsafeRaw: "<!DOCTYPE html>\n"
                + el("html", Attr("lang", "en")) {
                    el("head") {
                        void("meta", [Attr("charset", "utf-8")])
                        void(
                            "meta", [Attr("name", "viewport"), Attr("content", "width=device-width, initial-scale=1")])
                        el("title") { "\(shownTitle) – \(serviceName)" }
                        void("link", [Attr("rel", "stylesheet"), .href(SiteURL.stylesheet)])
                    }
                    el("body") {
                        el("a", .class("govuk-skip-link"), .href("#main-content")) { "Skip to main content" }
                        el("header", .class("govuk-header"), Attr("role", "banner")) {
                            el("div", .class("govuk-header__container")) {
                                el("a", .class("govuk-header__service"), .href(SiteURL.home)) { serviceName }
                                if let actor = context.actor {
                                    el("span", .class("govuk-header__who")) {
                                        "Signed in as \(actor.name), \(actor.role.label), \(actor.organisationName)"
                                    }
                                }
                            }
                        }
                        el("nav", .class("dps-nav"), Attr("aria-label", "Main")) {
                            el("ul") {
                                for (label, url) in forParent ? [] : navigation(for: context.actor) {
                                    el("li") {
                                        el(
                                            "a", .class("govuk-link"), .href(url),
                                            Attr("aria-current", context.path == url.path ? "page" : nil)
                                        ) { label }
                                    }
                                }
                                if context.actor != nil {
                                    el("li") {
                                        UI.form(action: .signOut, csrf: context.csrf) {
                                            el("button", .type("submit")) { "Sign out" }
                                        }
                                    }
                                }
                            }
                        }
                        el("div", .class("govuk-width-container")) {
                            el("div", .class("govuk-phase-banner")) {
                                UI.tag("Beta", colour: "blue")
                                " Open-source software for councils. Demo data comes from public registers."
                            }
                            el("main", .class("govuk-main-wrapper"), .id("main-content"), Attr("role", "main")) {
                                if let flash = context.flash { UI.banner(flash) }
                                body
                            }
                        }
                        el("footer", .class("govuk-footer"), Attr("role", "contentinfo")) {
                            el("div", .class("govuk-width-container")) {
                                if !forParent {
                                    el("p") {
                                        UI.link("Procurement documents", .documents)
                                        " · "
                                        UI.link("Published contracts", .published)
                                        " · "
                                        UI.link("Demand", .demand)
                                        " · "
                                        UI.link("API (OpenAPI)", .openAPI)
                                        " · "
                                        UI.link("Data sources", .aboutData)
                                    }
                                }
                                el("p", .class("govuk-body-s")) { Attribution.text }
                            }
                        }
                    }
                }.html)
    }
}

/// The attribution that ../shared/data/SOURCES.md requires wherever its data is shown.
enum Attribution {
    static let text =
        "Contains public sector information licensed under the Open Government Licence v3.0 "
        + "(Department for Education; Ofsted; Ministry of Housing, Communities and Local Government; "
        + "Office for National Statistics). Contains OS data © Crown copyright and database right 2025. "
        + "Contains Royal Mail data © Royal Mail copyright and database right 2025. "
        + "Contains GeoPlace data © Local Government Information House Limited copyright and database right 2025. "
        + "Local-authority relationships from mySociety, \"UK Local Authority Names and Codes\" (CC BY 4.0)."
}

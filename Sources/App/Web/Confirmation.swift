import DPSUseCases
import Vapor

/// The step before a decision that cannot be undone (publish a referral, award, admit or refuse an application):
/// a page that says what will happen, with the facts it rests on, and posts the same form again with
/// `confirm=yes`. "Cancel" goes back without changing anything. The API does not ask: its callers decide.
enum Confirmation {
    /// Whether the posted form carries the confirmation.
    static func given(_ req: Request) -> Bool {
        (try? req.content.get(String.self, at: "confirm")) == "yes"
    }

    static func page(
        _ req: Request, title: String, caption: String? = nil, facts: [(String, String)], consequence: String,
        action: SiteURL, button: String, back: SiteURL, warning: Bool = false
    ) -> Response {
        // Every field of the first post travels with the confirmation (the CSRF token is the page's own).
        let carried = Forms.values(req).filter { $0.key != "_csrf" && $0.key != "confirm" }.sorted { $0.key < $1.key }
        return HTMLResponse.make(
            Layout.page(title: title, context: PageContext(request: req)) {
                UI.backLink(back, "Cancel")
                UI.h1(title, caption: caption)
                if !facts.isEmpty { UI.summaryList(facts.map { ($0.0, text($0.1)) }) }
                UI.warning(consequence)
                UI.form(action: action, csrf: req.csrfToken) {
                    for (name, value) in carried { void("input", [.type("hidden"), .name(name), .value(value)]) }
                    void("input", [.type("hidden"), .name("confirm"), .value("yes")])
                    el("div", .class("govuk-button-group")) {
                        UI.button(button, kind: warning ? "warning" : "")
                        UI.link("Cancel", back)
                    }
                }
            })
    }
}

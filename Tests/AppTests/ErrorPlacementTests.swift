import DPSDomain
import DPSPersistence
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7: errors where people can see them. Every link in the error summary reaches exactly one field on the
/// page, that field is never inside a collapsed section, and a form that was not posted shows no errors.
@Suite("Errors where people can see them", .serialized)
struct ErrorPlacementTests {
    /// The ids the error summary links to.
    static func summaryTargets(_ html: String) -> [String] {
        guard let start = html.range(of: "govuk-error-summary__list"),
            let end = html.range(of: "</ul>", range: start.upperBound..<html.endIndex)
        else { return [] }
        return html[start.upperBound..<end.lowerBound].components(separatedBy: "href=\"#").dropFirst().map {
            String($0.prefix { $0 != "\"" })
        }
    }

    /// Checks the page: at least one error, each summary link reaches one element, none inside a closed details.
    static func expectVisible(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let targets = summaryTargets(html)
        #expect(!targets.isEmpty, sourceLocation: sourceLocation)
        for id in targets {
            let parts = html.components(separatedBy: "id=\"\(id)\"")
            #expect(parts.count == 2, "\(id) appears \(parts.count - 1) times", sourceLocation: sourceLocation)
            guard parts.count == 2 else { continue }
            // The innermost details around the field, if any, must be open.
            let before = parts[0]
            if let opened = before.range(of: "<details", options: .backwards),
                before.range(of: "</details>", options: .backwards).map({ $0.lowerBound < opened.lowerBound }) ?? true
            {
                let tag = before[opened.lowerBound...].prefix { $0 != ">" }
                #expect(tag.contains(" open"), "\(id) is inside a closed section", sourceLocation: sourceLocation)
            }
        }
    }

    static func openSections(_ html: String) -> Int {
        html.components(separatedBy: "<details class=\"dps-card\" open").count - 1
    }

    @Test("The set-up page: the closed-window form's errors open its section, and only its section")
    func setUpPage() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            _ = try await admin.get("/admin/dps")
            let res = try await admin.post(
                "/admin/dps/\(w.dps.id!)/windows",
                ["start-day": "31", "start-month": "2", "start-year": "2027", "reason": ""])
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            Self.expectVisible(html)
            #expect(Self.openSections(html) == 1)
            // The validity form's reason is not flagged, and the settings keep the stored values.
            #expect(html.components(separatedBy: "govuk-error-message").count - 1 == Self.summaryTargets(html).count)
            #expect(html.contains("value=\"\(w.dps.title)\""))

            let category = try await admin.post(
                "/admin/dps/\(w.dps.id!)/categories", ["name": "", "contractName": "", "inspected": "yes"])
            #expect(category.status == .unprocessableEntity)
            Self.expectVisible(category.body.string)
            #expect(Self.summaryTargets(category.body.string).contains("f-categoryName"))
        }
    }

    @Test("The category page: a cost line without a name flags the cost line form, not the settings' name")
    func categoryPage() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            _ = try await admin.get("/admin/categories/\(rw.category.id!)")
            let res = try await admin.post(
                "/admin/categories/\(rw.category.id!)/items", ["kind": "costLine", "name": ""])
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            Self.expectVisible(html)
            #expect(Self.summaryTargets(html) == ["f-costLineName"])
            #expect(Self.openSections(html) == 1)
            #expect(html.components(separatedBy: "govuk-error-message").count - 1 == 1)
        }
    }
}

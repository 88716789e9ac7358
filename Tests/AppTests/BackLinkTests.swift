import DPSPersistence
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7: pages below the top level have a back link to the page above them (not the browser's history).
@Suite("Back links", .serialized)
struct BackLinkTests {
    func backLink(_ html: String) -> String? {
        guard let range = html.range(of: #"class="govuk-back-link" href="[^"]*""#, options: .regularExpression)
        else { return nil }
        return String(html[range].split(separator: "\"")[3])
    }

    @Test("A referral, a new referral, an application, an assessment, an establishment form link back to their lists")
    func belowTheTopLevel() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            let record = try await rw.w.application(
                app, codes: ["sen-inmss"],
                establishment: try await ProviderUseCases.addEstablishment(
                    World.establishmentInput(name: "Acorn Annex", judgement: "Good"), actor: rw.w.provider,
                    db: app.db, now: testNow))
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            #expect(backLink(try await officer.get("/referrals/\(r.id!)").body.string) == "/referrals")
            #expect(backLink(try await officer.get("/referrals/new").body.string) == "/referrals")
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            #expect(
                backLink(try await provider.get("/provider/applications/\(record.id!)").body.string)
                    == "/provider/applications")
            #expect(
                backLink(try await provider.get("/provider/establishments/new").body.string)
                    == "/provider/establishments")
            let evaluator = HTTPTests.Browser(app)
            try await evaluator.signIn("eval@ws.test")
            #expect(backLink(try await evaluator.get("/assessment/\(record.id!)").body.string) == "/assessment")
            // A category's procurement document, the forms to change a person or an establishment.
            let visitor = HTTPTests.Browser(app)
            #expect(
                backLink(try await visitor.get("/documents/\(rw.category.id!)").body.string) == "/documents")
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            #expect(
                backLink(try await admin.get("/account/people/\(rw.w.evaluator.userID)/edit").body.string)
                    == "/account/people")
            #expect(
                backLink(try await provider.get("/provider/establishments/\(rw.w.establishment.id!)/edit").body.string)
                    == "/provider/establishments")
            // Top-level lists have none.
            #expect(backLink(try await officer.get("/referrals").body.string) == nil)
        }
    }
}

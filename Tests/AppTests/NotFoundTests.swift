import Foundation
import Testing
import Vapor

@testable import App

/// Issue 7: a 404 page that fits who is reading it; the public and parents have no dashboard.
@Suite("Not found, by audience", .serialized)
struct NotFoundTests {
    @Test("The public is sent home, a parent's dead link to the officer, a signed-in person to their dashboard")
    func byAudience() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let visitor = HTTPTests.Browser(app)
            let lost = try await visitor.get("/no-such-page")
            #expect(lost.status == .notFound)
            #expect(lost.body.string.contains("Go to the home page"))
            #expect(!lost.body.string.contains("dashboard"))
            let parent = try await visitor.get("/choice/\(String(repeating: "x", count: 40))")
            #expect(parent.status == .notFound)
            #expect(parent.body.string.contains("placement officer at the council for a new one"))
            #expect(!parent.body.string.contains("dashboard"))
            // The parent's pages carry no sign-in, registration or API links.
            #expect(!parent.body.string.contains("/sign-in"))
            #expect(!parent.body.string.contains("/register"))
            #expect(!parent.body.string.contains("openapi"))
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            #expect(try await officer.get("/no-such-page").body.string.contains("Go to your dashboard"))
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// The public pages are rendered once per change of the data, and never shown stale.
@Suite("Public pages", .serialized)
struct PublicPageCacheTests {
    @Test("Home and the procurement documents show an audited change at once; signed-in visitors get their own page")
    func staleNever() async throws {
        try await withApp { app in
            // setup: the DPS, its documents read once by a visitor (stored)
            let w = try await World.make(app)
            let visitor = HTTPTests.Browser(app)
            let before = try await visitor.get("/documents").body.string
            let homeBefore = try await visitor.get("/").body.string
            #expect(!before.contains("Kent County Council"))

            // MUT: a new partner (audited), then the same pages again
            try await DPSAdmin.upsertPartner(
                w.dps.id!,
                .init(
                    gssCode: "E10000016", name: "Kent County Council", categories: [w.categories["fostering"]!.id!],
                    isJoiner: false),
                actor: w.admin, db: app.db, now: testNow)
            let after = try await visitor.get("/documents").body.string
            let again = try await visitor.get("/documents").body.string
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            let signedIn = try await officer.get("/").body.string

            // validate
            #expect(after.contains("Kent County Council") && again == after)
            #expect(signedIn.contains("Sign out") && signedIn.contains(#"name="_csrf""#))
            #expect(!homeBefore.contains("Sign out") && !homeBefore.contains(#"name="_csrf""#))
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// The real registers in ../shared/data, imported and looked up by URN.
/// ../shared/data beside the repository (CI and developers have it there).
let registerDataDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data").path

@Suite(
    "Registers", .serialized,
    .enabled(if: FileManager.default.fileExists(atPath: registerDataDir + "/postcode_district_centroids.csv")))
struct RegisterTests {

    @Test("Importing the registers fills an establishment form from its URN, and places withheld homes approximately")
    func importAndLookUp() async throws {
        try await withApp { app in
            // setup
            let loaded = try Registers.load(from: URL(fileURLWithPath: registerDataDir))
            let w = try await World.make(app)
            try await PostcodeCentroidRecord.query(on: app.db).delete()

            // MUT
            let counts = try await Registers.importAll(loaded, on: app.db)

            // validate
            #expect(counts.postcodes == 2_997 + 12_018)
            #expect(counts.entries > 9_000)
            let school = try #require(
                loaded.schools.first { $0.derivedCategory == "independent_special" && $0.postcode != nil })
            let entry = try #require(try await Registers.entry(urn: school.urn, on: app.db))
            #expect(entry.name == school.name && entry.postcode == school.postcode)
            #expect(try await Registers.postcode("rh121xh", on: app.db)?.laGSSCode == "E10000032")

            let home = try #require(
                loaded.providers.first {
                    $0.category == "childrens_home" && $0.isRedacted && $0.laGSSCode == "E10000032"
                })
            let browser = HTTPTests.Browser(app)
            try await browser.signIn(w.provider.email)
            let page = try await browser.get("/provider/establishments/new?urn=\(home.urn)").body.string
            #expect(page.contains("withholds this home"))
            let postcode = try #require(page.firstMatch(of: /name="postcode" type="text" value="([A-Z0-9 ]+)"/)?.1)
            // a sector of West Sussex
            #expect(try await Registers.postcode(String(postcode), on: app.db)?.laGSSCode == "E10000032")
            #expect(page.contains("name=\"locationApproximate\" value=\"yes\""))
            let schoolPage = try await browser.get("/provider/establishments/new?urn=\(school.urn)").body.string
            #expect(schoolPage.contains(escape(school.name)))
            let unknown = try await browser.get("/provider/establishments/new?urn=99999999").body.string
            #expect(unknown.contains("could not find URN 99999999"))
        }
    }
}

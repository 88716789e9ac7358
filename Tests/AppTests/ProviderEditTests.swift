import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7: a provider administrator edits the organisation and its establishments; nobody else does.
@Suite("A provider edits its organisation and establishments", .serialized)
struct ProviderEditTests {
    @Test("The organisation's details: saved and audited; refused by field when wrong; a bid writer cannot")
    func organisation() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            try await User(
                organisationID: w.provider.organisationID, email: "writer@acorn.test", name: "Wren Writer",
                role: Role.bidWriter.rawValue, passwordHash: try app.password.hash(World.password)
            ).create(on: app.db)
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@acorn.test")
            #expect(try await admin.get("/provider/organisation").body.string.contains("Change the organisation"))
            var form = [
                "organisationName": "Acorn Care", "legalName": "Acorn Care Limited", "companyNumber": "01234567",
                "charityNumber": "", "address": "2 Oak Road", "postcode": "RH12 1XH", "contactName": "Ada Acorn",
                "contactEmail": "Contracts@Acorn.example", "contactPhone": "01234 567890",
            ]

            let saved = try await admin.post("/provider/organisation", form)
            form["companyNumber"] = "12"
            form["contactPhone"] = "call me <b>"
            let refused = try await admin.post("/provider/organisation", form)

            #expect(saved.status == .seeOther)
            let org = try #require(try await Organisation.find(w.provider.organisationID, on: app.db))
            #expect(org.contactEmail == "contracts@acorn.example" && org.contactPhone == "01234 567890")
            #expect(org.companyNumber == "01234567" && org.address == "2 Oak Road")
            #expect(refused.status == .unprocessableEntity)
            let page = refused.body.string
            #expect(page.contains(##"href="#f-companyNumber""##) && page.contains(##"href="#f-contactPhone""##))
            // The errors are in an open section, with what was typed.
            #expect(page.contains("<details class=\"dps-card\" open") && page.contains("value=\"12\""))
            #expect(try await Organisation.find(w.provider.organisationID, on: app.db)?.companyNumber == "01234567")
            let events = try await AuditEventRecord.query(on: app.db).filter(\.$action == "organisation.updated").all()
            #expect(events.count == 1 && events.first?.beforeJSON.contains("01234 567890") == false)

            let writer = HTTPTests.Browser(app)
            try await writer.signIn("writer@acorn.test")
            #expect(!(try await writer.get("/provider/organisation").body.string.contains("Change the organisation")))
            #expect(try await writer.post("/provider/organisation", form).status == .forbidden)
        }
    }

    @Test("An establishment's details: saved, moved with its postcode, its URN kept; another provider's is not found")
    func establishment() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let id = w.establishment.id!
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@acorn.test")
            #expect(
                try await admin.get("/provider/establishments").body.string.contains(
                    "/provider/establishments/\(id)/edit"))
            let page = try await admin.get("/provider/establishments/\(id)/edit")
            #expect(page.status == .ok && page.body.string.contains("value=\"Acorn House\""))
            let form = [
                "name": "Acorn House", "type": "school", "address": "1 High Street", "town": "Brighton",
                "postcode": "BN1 1AA", "ageLow": "8", "ageHigh": "18", "genders": "mixed", "capacity": "45",
                "inspectorate": "ofstedEducation", "judgement": "Outstanding", "judgementDate-day": "3",
                "judgementDate-month": "March", "judgementDate-year": "2026", "urn": "999999",
            ]

            let saved = try await admin.post("/provider/establishments/\(id)/edit", form)
            let other = try await admin.post("/provider/establishments/\(w.otherEstablishment.id!)/edit", form)

            #expect(saved.status == .seeOther)
            let e = try #require(try await EstablishmentRecord.find(id, on: app.db))
            #expect(e.capacity == 45 && e.ageLow == 8 && e.judgement == "Outstanding")
            #expect(e.judgementDate == "2026-03-03" && e.postcodeDistrict == "BN1" && e.laGSSCode == "E06000043")
            #expect(e.urn == w.establishment.urn, "a URN moves only by a claim")
            #expect(other.status == .notFound)
            #expect(try await EstablishmentRecord.find(w.otherEstablishment.id!, on: app.db)?.capacity == 40)
            #expect(
                try await AuditEventRecord.query(on: app.db).filter(\.$action == "establishment.updated").count() == 1)
        }
    }
}

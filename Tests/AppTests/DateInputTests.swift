import DPSDomain
import DPSPersistence
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7: dates are asked for as the GOV.UK date input (day, month, year), accept what people type, and are
/// never cleared by an error.
@Suite("Date input", .serialized)
struct DateInputTests {
    /// The new-referral form with its dates in the date input's boxes.
    func referralForm(_ rw: ReferralWorld, start: (String, String, String), deadline: [String]) -> [String: String] {
        let i = rw.input()
        var form: [String: String] = [
            "category": i.category!, "kind": "spot", "pattern": i.pattern!, "durationWeeks": i.durationWeeks!,
            "children": "1", "childAge": "12", "childGender": "girl", "homePostcode": "RH12 1XH", "needs": i.needs!,
            "mustHaves": i.mustHaves!, "outcomes": i.outcomes!, "radiusMiles": "30", "parentChoice": "no",
            "startDate-day": start.0, "startDate-month": start.1, "startDate-year": start.2,
        ]
        for (box, value) in zip(["day", "month", "year", "time"], deadline) { form["deadline-\(box)"] = value }
        for c in ReferralCriterion.allCases { form["weights[\(c.rawValue)]"] = String(c.defaultPoints) }
        return form
    }

    @Test("A referral's start date and deadline typed into the boxes, by number, by name or whole, are saved")
    func boxesSaved() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            let page = try await officer.get("/referrals/new").body.string
            #expect(page.contains(#"id="f-startDate" name="startDate-day""#))
            #expect(page.contains(#"name="deadline-time""#))
            let res = try await officer.post(
                "/referrals",
                referralForm(rw, start: ("1", "December", "2026"), deadline: ["12/11/2026", "", "", "5pm"]))
            #expect(res.status == .seeOther)
            let r = try #require(try await ReferralRecord.query(on: app.db).first())
            #expect(r.startDate == "2026-12-01")
            #expect(DisplayDate.isoMinute(r.deadline) == "2026-11-12 17:00")
        }
    }

    @Test("A date that is not real, or lacks a part, is refused by name and what was typed stays in the boxes")
    func notRealKept() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            _ = try await officer.get("/referrals/new")
            let res = try await officer.post(
                "/referrals", referralForm(rw, start: ("31", "2", "2027"), deadline: ["12", "", "2026", "17:00"]))
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            #expect(html.contains("<title>Error: "))
            #expect(html.contains(##"href="#f-startDate""##) && html.contains(##"href="#f-deadline""##))
            #expect(html.contains(#"name="startDate-day" type="text" value="31""#))
            #expect(html.contains(#"name="startDate-month" type="text" value="2""#))
            #expect(html.contains(#"name="startDate-year" type="text" value="2027""#))
            #expect(html.contains(#"name="deadline-year" type="text" value="2026""#))
            #expect(html.contains(#"name="deadline-time" type="text" value="17:00""#))
            #expect(try await ReferralRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("An inspection date typed whole into the day box is stored as that date; an unreal one is refused")
    func establishmentDate() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            _ = try await provider.get("/provider/establishments/new")
            var form = [
                "name": "Birch House", "type": "school", "address": "1 High Street", "town": "Horsham",
                "postcode": "RH12 1XH", "ageLow": "7", "ageHigh": "18", "genders": "mixed", "capacity": "10",
                "inspectorate": "ofstedEducation", "judgement": "Good", "judgementDate-day": "30/02/2025",
            ]
            let refused = try await provider.post("/provider/establishments", form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Enter the inspection date as a date"))
            #expect(refused.body.string.contains(#"value="30/02/2025""#))
            form["judgementDate-day"] = "12/03/2025"
            #expect(try await provider.post("/provider/establishments", form).status == .seeOther)
            let stored = try await EstablishmentRecord.query(on: app.db).all().filter { $0.name == "Birch House" }
            #expect(stored.map(\.judgementDate) == ["2025-03-12"])
        }
    }

    @Test(
        "Times as people type them",
        arguments: [
            ("17:00", "17:00"), ("9:30", "09:30"), ("17.00", "17:00"), ("1700", "17:00"), ("5pm", "17:00"),
            ("5:30 pm", "17:30"), ("12am", "00:00"), ("12pm", "12:00"), ("17:00:30", "17:00:30"),
        ])
    func times(_ typed: String, _ expected: String) {
        #expect(DateParts.time(typed) == expected)
    }

    @Test("Not times", arguments: ["24:00", "13pm", "0am", "17:60", "17:5", "noon", "1:2:3:4", "17:00:61", "١٧:٠٠"])
    func notTimes(_ typed: String) {
        #expect(DateParts.time(typed) == nil)
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 7: decisions that cannot be undone (submit an application, publish a referral, admit or refuse) show
/// what will happen and ask to confirm; the first post changes nothing.
@Suite("Confirmations before decisions that cannot be undone", .serialized)
struct ConfirmationTests {
    @Test("Submitting an application shows the answers to check first; only the confirmation submits")
    func submitApplication() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss"], submit: false)
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")

            // MUT
            var form = w.completeForm(["sen-inmss"])
            form["action"] = "submit"
            let check = try await provider.post("/provider/applications/\(record.id!)", form)
            let stateAfterCheck = try await ApplicationRecord.find(record.id!, on: app.db)!.state
            let submitted = try await provider.post(
                "/provider/applications/\(record.id!)", ["action": "submit", "confirm": "yes"])

            // validate
            #expect(check.status == .ok)
            #expect(check.body.string.contains("Check your answers before submitting"))
            #expect(check.body.string.contains("Our approach to"))  // the saved answers, shown back
            #expect(stateAfterCheck == ApplicationState.draft.rawValue)
            #expect(submitted.status == .seeOther)
            #expect(try await ApplicationRecord.find(record.id!, on: app.db)!.state == "submitted")
            // The confirmed post carried no answers and lost none.
            let part = try await w.parts(app, record)["sen-inmss"]!
            #expect(try ProviderUseCases.Answers(part).statements.values.allSatisfy { $0.hasPrefix("Our approach") })
        }
    }

    @Test("An incomplete application goes back to its form with the missing answers named, not to the check")
    func incompleteApplication() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss"], submit: false, form: [:])
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            let res = try await provider.post("/provider/applications/\(record.id!)", ["action": "submit"])
            #expect(res.status == .unprocessableEntity)
            #expect(!res.body.string.contains("Check your answers before submitting"))
            #expect(res.body.string.contains("<title>Error: "))
        }
    }

    @Test("Publishing a referral and admitting a category each ask to confirm first and change nothing until then")
    func publishAndAdmit() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            // A second establishment of Acorn's applies (Acorn House is already a member in the referral world).
            let annex = try await ProviderUseCases.addEstablishment(
                World.establishmentInput(name: "Acorn Annex", judgement: "Good"), actor: rw.w.provider, db: app.db,
                now: testNow)
            let record = try await rw.w.application(app, codes: ["sen-inmss"], establishment: annex)
            try await rw.w.scoreAll(app, record)
            let again = try await rw.w.application(app, codes: ["sen-inmss"])
            try await rw.w.scoreAll(app, again)
            let againPart = try await rw.w.parts(app, again)["sen-inmss"]!
            let part = try await rw.w.parts(app, record)["sen-inmss"]!
            let evaluator = HTTPTests.Browser(app)
            try await evaluator.signIn("eval@ws.test")
            let decide = "/assessment/\(record.id!)/decide/\(part.id!)"

            // MUT
            let askPublish = try await officer.post("/referrals/\(r.id!)/publish", [:])
            let draftAfterAsk = try await ReferralRecord.find(r.id!, on: app.db)!.state
            let published = try await officer.post("/referrals/\(r.id!)/publish", ["confirm": "yes"])
            let askAdmit = try await evaluator.post(decide, ["decision": "admit"])
            let pendingAfterAsk = try await ApplicationCategoryRecord.find(part.id!, on: app.db)!.decision
            let admitted = try await evaluator.post(decide, ["decision": "admit", "confirm": "yes"])

            // validate
            #expect(askPublish.status == .ok)
            #expect(askPublish.body.string.contains("Check the referral before publishing"))
            #expect(askPublish.body.string.contains("Waking night staff"))
            #expect(draftAfterAsk == ReferralState.draft.rawValue)
            #expect(published.status == .seeOther)
            #expect(try await ReferralRecord.find(r.id!, on: app.db)!.state == ReferralState.published.rawValue)
            #expect(askAdmit.status == .ok)
            #expect(askAdmit.body.string.contains("This cannot be undone"))
            #expect(pendingAfterAsk == CategoryDecisionState.pending.rawValue)
            #expect(admitted.status == .seeOther)
            #expect(try await ApplicationCategoryRecord.find(part.id!, on: app.db)!.decision == "admitted")
            // Acorn House is already a member: a second admission is refused by name, not a 500, and nothing changes.
            let twice = try await evaluator.post(
                "/assessment/\(again.id!)/decide/\(againPart.id!)", ["decision": "admit", "confirm": "yes"])
            #expect(twice.status == .conflict)
            #expect(twice.body.string.contains("already a member"))
            #expect(try await ApplicationCategoryRecord.find(againPart.id!, on: app.db)!.decision == "pending")
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, the inspection watch: a newer register snapshot suspends a member whose judgement falls below the
/// threshold, for every partner, and tells everyone; an improvement after such a suspension, an establishment
/// leaving the register and one newly registered in the area go to the contract managers to review; a snapshot
/// checked twice, or twice at once, acts once.
@Suite("Inspection watch", .serialized)
struct RegisterWatchTests {
    let suspension = SuspensionTests()

    /// Gives the world's three member establishments URNs and a known inspection.
    func withURNs(_ app: Application) async throws -> ReferralWorld {
        let rw = try await ReferralWorld.make(app)
        for (name, urn) in [("Acorn House", "SC100001"), ("Birch School", "SC100002"), ("Cedar School", "SC100003")] {
            try await EstablishmentRecord.query(on: app.db).filter(\.$name == name).set(\.$urn, to: urn)
                .set(\.$judgement, to: "Good").set(\.$judgementDate, to: "2024-05-01").update()
        }
        return rw
    }

    func entry(
        _ urn: String, judgement: String? = "Good", date: String? = "2024-05-01", status: String = "Active",
        area: String = "E06000043"
    ) -> RegisterEntry {
        RegisterEntry(
            urn: urn, source: .ofsted, name: nil, type: "Children's home", category: "childrens_home",
            latestJudgement: judgement, judgementDate: date, laGSSCode: area, registrationStatus: status)
    }

    func findings(_ app: Application) async throws -> [(kind: String, urn: String, reviewed: Bool)] {
        try await (app.db as! any SQLDatabase).raw(
            "SELECT kind, urn, reviewed_at FROM register_findings ORDER BY kind, urn"
        ).all().map {
            (
                try $0.decode(column: "kind", as: String.self), try $0.decode(column: "urn", as: String.self),
                try $0.decode(column: "reviewed_at", as: Date?.self) != nil
            )
        }
    }

    @Test(
        "An inadequate judgement suspends for every partner and tells everyone; checking again, even at once, acts once"
    )
    func belowThresholdSuspendsOnce() async throws {
        try await withApp { app in
            // setup: Acorn's new inspection is inadequate; Birch's is unchanged; Cedar has left the register
            let rw = try await withURNs(app)
            let manager = try await suspension.contractManager(app, rw.w)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            let snapshot = [
                entry("SC100001", judgement: "Inadequate", date: "2025-02-03"), entry("SC100002"),
            ]
            let messagesBefore = try await OutboxMessageRecord.query(on: app.db).count()

            // MUT: the same findings checked by two runs at once (two snapshots, so both get past the job's claim)
            let reports = try await withThrowingTaskGroup(of: RegisterWatch.Report.self) { group in
                for key in ["snapshot-a", "snapshot-b"] {
                    group.addTask {
                        try await RegisterWatch.run(
                            entries: snapshot, previous: [], snapshot: key, db: app.db, now: testNow)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let again = try await RegisterWatch.run(
                entries: snapshot, previous: [], snapshot: "snapshot-a", db: app.db, now: testNow)

            // validate: one suspension, one log entry of each kind, one set of messages
            #expect(reports.map(\.membershipsSuspended).sorted() == [0, 1])
            #expect(again.alreadyChecked)
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.state == "suspended")
            let birch = try await suspension.membership(app, rw, rw.w.otherEstablishment)
            #expect(try await MembershipRecord.find(birch.id!, on: app.db)?.state == "active")
            let history = try await ContractManagement.timeline(acorn.id!, actor: manager, db: app.db)
            #expect(history.events.map(\.kindCode).sorted() == ["inspected", "suspended"])
            #expect(history.events.first { $0.kind == .suspended }?.reason == .inspectionBelowThreshold)
            #expect(history.events.allSatisfy { $0.actorLabel == RegisterWatch.performer })
            let acornHouse = try await EstablishmentRecord.find(rw.w.establishment.id!, on: app.db)
            #expect(acornHouse?.judgement == "Inadequate" && acornHouse?.judgementDate == "2025-02-03")
            let messages = try await OutboxMessageRecord.query(on: app.db).sort(\.$createdAt).all()
                .dropFirst(messagesBefore)
            #expect(
                messages.filter { $0.organisationID == rw.w.provider.organisationID }.map(\.subject).sorted()
                    == ["Coordinated review opened: Acorn House", "Membership suspended: Acorn House"])
            #expect(
                messages.first { $0.subject == "Membership suspended: Acorn House" }?.body.contains(
                    "a later inspection") == true)
            #expect(messages.filter { $0.organisationID == rw.w.officer.organisationID }.count == 1)
            #expect(
                messages.filter {
                    $0.organisationID == rw.w.admin.organisationID && $0.recipient == "Contract managers"
                }
                .map(\.subject).sorted() == [
                    "Coordinated review opened: Acorn House", "Register watch: Acorn House",
                    "Register watch: Cedar School",
                ])
            #expect(
                try await findings(app).map { "\($0.kind) \($0.urn) \($0.reviewed)" }
                    == ["below_threshold SC100001 false", "leaving SC100003 false"])
            // The master log gives the reason, though the inspection was logged at the same moment.
            let listed = try await Queries.memberships(actor: manager, db: app.db).rows.first { $0.id == acorn.id! }
            #expect(listed?.stateReason == "inspection")
            // A coordinated review is open to hold the action plan, once.
            let reviews = try await Concerns.reviews(actor: manager, db: app.db).rows
            #expect(
                reviews.map(\.establishment) == ["Acorn House"] && reviews.first?.openedBy == RegisterWatch.performer)
            // The audit trail names the watch as the one who suspended.
            let audit = try await AuditEventRecord.query(on: app.db).filter(\.$action == "membership.suspended").all()
            #expect(audit.count == 1 && audit.first?.actorLabel == RegisterWatch.performer)
        }
    }

    @Test("An improvement after a suspension for inspection goes to review and lifts nothing by itself")
    func improvementGoesToReview() async throws {
        try await withApp { app in
            let rw = try await withURNs(app)
            let acorn = try await suspension.membership(app, rw, rw.w.establishment)
            _ = try await RegisterWatch.run(
                entries: [
                    entry("SC100001", judgement: "Inadequate", date: "2025-02-03"), entry("SC100002"),
                    entry("SC100003"),
                ], previous: [], snapshot: "one", db: app.db, now: testNow)

            // MUT: the next snapshot shows a good re-inspection, and a newly registered home in the partner's area
            let report = try await RegisterWatch.run(
                entries: [
                    entry("SC100001", judgement: "Good", date: "2025-09-10"), entry("SC100002"), entry("SC100003"),
                    entry("SC200001"), entry("SC200002", area: "E09000001"),
                ], previous: ["SC100001", "SC100002", "SC100003"], snapshot: "two", db: app.db, now: testNow)

            #expect(report.findingsToReview == 1 && report.newlyRegistered == 1 && report.membershipsSuspended == 0)
            #expect(try await MembershipRecord.find(acorn.id!, on: app.db)?.state == "suspended")
            #expect(
                try await findings(app).map { "\($0.kind) \($0.urn)" }
                    == ["below_threshold SC100001", "improved SC100001", "new_registration SC200001"])
        }
    }

    @Test("The contract manager reviews a finding once; partners, providers and another lead cannot see them")
    func reviewAndAccess() async throws {
        try await withApp { app in
            let rw = try await withURNs(app)
            _ = try await suspension.contractManager(app, rw.w)
            _ = try await RegisterWatch.run(
                entries: [entry("SC100001"), entry("SC100002")], previous: [], snapshot: "one", db: app.db,
                now: testNow)
            let finding = try #require(
                try await (app.db as! any SQLDatabase).raw("SELECT id FROM register_findings").first()?
                    .decode(column: "id", as: UUID.self))
            let browser = HTTPTests.Browser(app)
            try await browser.signIn("contracts@ws.test")
            let list = try await browser.get("/register-watch").body.string
            #expect(list.contains("Cedar School (URN SC100003)") && list.contains("Leaving the register"))
            _ = try await browser.get("/register-watch/\(finding)")

            // MUT: a note too short is refused by name; then reviewed; a second review is refused
            let refused = try await browser.post("/register-watch/\(finding)", ["note": "x"])
            let done = try await browser.post("/register-watch/\(finding)", ["note": "The provider closed it."])
            let twice = try await browser.post("/register-watch/\(finding)", ["note": "Again, by mistake."])

            #expect(refused.status == .unprocessableEntity && refused.body.string.contains(##"href="#f-note""##))
            #expect(done.status == .seeOther)
            #expect(twice.status == .conflict)
            #expect(try await findings(app).map(\.reviewed) == [true])
            #expect(
                try await browser.get("/register-watch?list=reviewed").body.string.contains("The provider closed it."))
            let officer = HTTPTests.Browser(app)
            try await officer.signIn("officer@bh.test")
            #expect(try await officer.get("/register-watch").status == .forbidden)
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            #expect(try await provider.get("/register-watch/\(finding)").status == .forbidden)
            let other = Actor(
                userID: UUID(), name: "Hants", email: "contracts@hants.test", role: .contractManager,
                organisationID: UUID(), organisationKind: .leadAuthority, organisationName: "Hampshire")
            #expect(try await RegisterWatch.findings(reviewed: true, actor: other, db: app.db).rows.isEmpty)
            await #expect(throws: UseCaseError.self) {
                _ = try await RegisterWatch.finding(finding, actor: other, db: app.db)
            }
        }
    }
}

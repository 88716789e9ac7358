import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

@Suite("Audit trail", .serialized)
struct AuditTests {
    @Test("The database refuses updates and deletes of audit events")
    func appendOnly() async throws {
        try await withApp { app in
            // setup
            _ = try await World.make(app)
            let sql = app.db as! any SQLDatabase
            let count = try await auditCount(app)
            #expect(count > 0)

            // MUT + validate
            await #expect(throws: (any Error).self) {
                try await sql.raw("UPDATE audit_events SET action = 'forged'").run()
            }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_events").run() }
            await #expect(throws: (any Error).self) { try await AuditEventRecord.query(on: app.db).delete() }
            #expect(try await auditCount(app) == count)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "forged").count() == 0)
        }
    }

    @Test(
        """
        Events at any instant verify: the chain used to break when a time fell near half a millisecond \
        (found in the deadline rush)
        """
    )
    func subMillisecondTimes() async throws {
        try await withApp { app in
            // setup: instants on and a hair either side of half a millisecond, where rounding can go either way
            // once the time has been through the database (a real clock gives such times now and then)
            let start = ISO8601DateFormatter().date(from: "2026-12-02T16:00:00Z")!.timeIntervalSinceReferenceDate
            var instants: [Date] = []
            for k in 0..<100 {
                let half = start + (Double(k) + 0.5) / 1000
                instants += [half, half.nextUp, half.nextDown, half.nextUp.nextUp].map {
                    Date(timeIntervalSinceReferenceDate: $0)
                }
            }

            // MUT
            for (i, at) in instants.enumerated() {
                try await app.db.writeTransaction { db in
                    try await Audit.record(
                        on: db, actor: nil, dps: nil, action: "test.instant", entityType: "test", entityID: nil,
                        before: String?.none, after: ["i": i], at: at)
                }
            }

            // validate
            let verification = try await Audit.verify(on: app.db)
            #expect(verification.valid, "broken at \(verification.firstBrokenSeq ?? 0): \(verification.problem ?? "")")
            #expect(verification.events == 400)
        }
    }

    @Test("The hash chain verifies, and a forged event breaks it")
    func chain() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            try await w.application(app, codes: ["fostering"])
            let good = try await Audit.verify(on: app.db)
            let count = try await auditCount(app)
            #expect(good.valid && good.events == count)

            let last = try await AuditEventRecord.query(on: app.db).sort(\.$seq, .descending).first()!
            let forged = AuditEventRecord()
            forged.seq = last.seq + 1
            forged.occurredAt = testNow
            forged.actorLabel = "intruder"
            forged.action = "membership.created"
            forged.entityType = "membership"
            forged.entityID = ""
            forged.beforeJSON = "null"
            forged.afterJSON = "null"
            forged.prevHash = last.hash
            forged.hash = String(repeating: "a", count: 64)
            try await forged.create(on: app.db)
            let broken = try await Audit.verify(on: app.db)
            #expect(!broken.valid && broken.firstBrokenSeq == forged.seq)
        }
    }

    @Test("Every state change writes an event with who, what and before/after")
    func eventsCarryBeforeAndAfter() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let submitted = try #require(
                try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.submitted").first())
            #expect(submitted.actorUserID == w.provider.userID && submitted.entityID == record.id!.uuidString)
            #expect(submitted.beforeJSON.contains("draft") && submitted.afterJSON.contains("2026-11-24"))
            let drafts = try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.draft.saved")
                .count()
            let evidence = try await AuditEventRecord.query(on: app.db).filter(\.$action == "evidence.uploaded").count()
            #expect(drafts == 1 && evidence == 3)  // accounts, insurance and safeguarding evidence
        }
    }

    @Test("A keyed chain: an edited and re-hashed chain fails, and a checkpoint catches truncation")
    func keyedChainAndCheckpoint() async throws {
        try await withApp { app in
            Audit.key = SymmetricKey(data: Data("a test key of at least thirty-two characters".utf8))
            let w = try await World.make(app)
            try await w.application(app, codes: ["fostering"])
            let good = try await Audit.verify(on: app.db)
            #expect(good.valid)
            let checkpoint = Audit.Checkpoint(seq: good.events, hash: try #require(good.headHash))
            #expect(checkpoint.hash.hasPrefix(Audit.keyedPrefix))
            #expect(try await Audit.verify(on: app.db, checkpoint: checkpoint).valid)

            // An attacker with database access removes the triggers, cuts off the last two events: only the
            // checkpoint notices.
            let sql = try #require(app.db as? any SQLDatabase)
            if sql.dialect.name == "sqlite" {
                for t in ["audit_events_no_update", "audit_events_no_delete", "audit_events_append_next"] {
                    try await sql.raw("DROP TRIGGER \(unsafeRaw: t)").run()
                }
            } else {
                try await sql.raw("ALTER TABLE audit_events DISABLE TRIGGER USER").run()
            }
            try await sql.raw("DELETE FROM audit_events WHERE seq > \(bind: checkpoint.seq - 2)").run()
            #expect(try await Audit.verify(on: app.db).valid)
            let cut = try await Audit.verify(on: app.db, checkpoint: checkpoint)
            #expect(!cut.valid && cut.problem?.contains("missing") == true)

            // Editing an event and re-hashing everything after it without the key is detected.
            let events = try await AuditEventRecord.query(on: app.db).sort(\.$seq).all()
            let target = events[events.count / 2]
            var previous = events[events.count / 2 - 1].hash
            for e in events where e.seq >= target.seq {
                if e.seq == target.seq { e.afterJSON = "{\"forged\":true}" }
                e.prevHash = previous
                e.hash = Audit.hash(e, key: nil)
                try await e.update(on: app.db)
                previous = e.hash
            }
            let rehashed = try await Audit.verify(on: app.db)
            #expect(!rehashed.valid && rehashed.firstBrokenSeq == target.seq)
        }
    }

    @Test("Events read in words, narrow by kind and person, link to what they concern, and export as CSV")
    func readableFilteredExported() async throws {
        #expect(Audit.readable("referral.deadline.extended") == "Referral deadline extended")
        #expect(Audit.readable("urn_claim.upheld") == "URN claim upheld")
        #expect(Audit.readable("dps.validity.extended") == "DPS validity extended")
        #expect(Audit.readable("application.passfail.reviewed") == "Application pass/fail answer reviewed")
        #expect(
            CSV.line(["=HYPERLINK(\"x\")", "a,b", "plain", "-1", "@me"])
                == "\"'=HYPERLINK(\"\"x\"\")\",\"a,b\",plain,'-1,'@me\r\n")
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let admin = HTTPTests.Browser(app)
            try await admin.signIn("admin@ws.test")
            let all = try await admin.get("/audit").body.string
            #expect(all.contains("Application submitted") && !all.contains("application.submitted"))
            // The application links to its assessment; the DPS administrator opens the DPS.
            #expect(all.contains(#"href="/assessment/\#(record.id!.uuidString)""#))
            let dps = try await admin.get("/audit?type=dps").body.string
            #expect(dps.contains("DPS created") && !dps.contains("Application submitted"))
            #expect(dps.contains(#"href="/admin/dps""#))
            let nobody = try await admin.get("/audit?who=%25nobody_").body.string
            #expect(nobody.contains("No events match"))
            #expect(try await admin.get("/audit?type=everything").status == .unprocessableEntity)
            #expect(
                try await admin.get("/audit?who=" + String(repeating: "a", count: 101)).status == .unprocessableEntity)

            let csv = try await admin.get("/audit.csv?type=application")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.headers.first(name: .contentDisposition)?.contains("audit-application-") == true)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.first == "Sequence,Time (UTC),Who,Event,Action code,Concerning,Identifier,Hash")
            let expected = try await AuditEventRecord.query(on: app.db).filter(\.$entityType == "application").count()
            #expect(lines.count == expected + 1)
            #expect(lines.dropFirst().allSatisfy { $0.contains(",application,") })
            let provider = HTTPTests.Browser(app)
            try await provider.signIn("admin@acorn.test")
            #expect(try await provider.get("/audit.csv").status == .forbidden)
        }
    }
}

@testable import App
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

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
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE audit_events SET action = 'forged'").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_events").run() }
            await #expect(throws: (any Error).self) { try await AuditEventRecord.query(on: app.db).delete() }
            #expect(try await auditCount(app) == count)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "forged").count() == 0)
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
            forged.seq = last.seq + 1; forged.occurredAt = testNow; forged.actorLabel = "intruder"; forged.action = "membership.created"
            forged.entityType = "membership"; forged.entityID = ""; forged.beforeJSON = "null"; forged.afterJSON = "null"
            forged.prevHash = last.hash; forged.hash = String(repeating: "a", count: 64)
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
            let submitted = try #require(try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.submitted").first())
            #expect(submitted.actorUserID == w.provider.userID && submitted.entityID == record.id!.uuidString)
            #expect(submitted.beforeJSON.contains("draft") && submitted.afterJSON.contains("2026-11-24"))
            let drafts = try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.draft.saved").count()
            let evidence = try await AuditEventRecord.query(on: app.db).filter(\.$action == "evidence.uploaded").count()
            #expect(drafts == 1 && evidence == 3) // accounts, insurance and safeguarding evidence
        }
    }
}

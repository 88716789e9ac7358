import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Issue 9, cost sharing and joining: a year's statement shares the costs among the founding partners in pence that
/// add up exactly, less the joining fees of councils that joined that year; each partner reads its own line; no
/// supplier fee under PCR 2015.
@Suite("Cost sharing", .serialized)
struct CostSharingTests {
    @Test("Founders share the costs less this year's joining fees, exactly; partners read their own line")
    func statement() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            try await DPSAdmin.upsertPartner(
                rw.w.dps.id!,
                .init(gssCode: "E10000016", name: "Kent County Council", categories: [rw.category.id!], isJoiner: true),
                actor: rw.w.admin, db: app.db, now: testNow)
            let admin = try await HTTPTests.Browser(app).signedIn("admin@ws.test")
            _ = try await admin.get("/cost-sharing")

            // MUT: an unreadable amount is refused by name; then 2026-27 recorded, shared equally
            let refused = try await admin.post(
                "/cost-sharing",
                [
                    "dps": rw.w.dps.id!.uuidString, "year": "2026", "procurement": "lots", "central": "87000",
                    "joiningFee": "10000", "basis": "equal",
                ])
            let saved = try await admin.post(
                "/cost-sharing",
                [
                    "dps": rw.w.dps.id!.uuidString, "year": "2026", "procurement": "150,000", "central": "87,000.01",
                    "joiningFee": "10,000", "basis": "equal",
                ])

            #expect(refused.status == .unprocessableEntity && refused.body.string.contains(##"href="#f-procurement""##))
            #expect(saved.status == .seeOther)
            let full = try #require(
                try await CostSharingStatements.statement(dps: rw.w.dps.id!, year: 2026, actor: rw.w.admin, db: app.db))
            let founders = full.lines.filter(\.founder)
            #expect(founders.map(\.name) == ["West Sussex", "Brighton and Hove"])
            // £237,000.01 less the £10,000 Kent paid to join: £227,000.01, the odd penny to the first.
            #expect(founders.map(\.sharePence) == [11_350_001, 11_350_000])
            #expect(founders.map(\.sharePence).reduce(0, +) + full.joiningFeesPence == 23_700_001)
            #expect(full.lines.filter { !$0.founder }.map(\.sharePence) == [1_000_000])
            // Brighton and Hove reads its own line only; another lead authority reads nothing.
            let own = try #require(
                try await CostSharingStatements.statement(
                    dps: rw.w.dps.id!, year: 2026, actor: rw.w.officer, db: app.db))
            #expect(own.lines.map(\.name) == ["Brighton and Hove"])
            let other = Actor(
                userID: UUID(), name: "Hants", email: "admin@hants.test", role: .dpsAdmin, organisationID: UUID(),
                organisationKind: .leadAuthority, organisationName: "Hampshire")
            await #expect(throws: UseCaseError.self) {
                _ = try await CostSharingStatements.statement(dps: rw.w.dps.id!, year: 2026, actor: other, db: app.db)
            }
            // PCR 2015: no fee may be charged to suppliers.
            await expectInputError("supplierFee") {
                try await CostSharingStatements.setSupplierFee(
                    dps: rw.w.dps.id!, basisPoints: 100, actor: rw.w.admin, db: app.db, now: testNow)
            }
        }
    }
}

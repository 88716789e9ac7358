import ConsoleKit
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App

/// `dps generate` at its smallest size (1,000 referrals), on each engine: what it makes, and that the summaries it
/// writes in bulk are the ones the close and the award would have written, row for row.
@Suite("dps generate", .serialized)
struct GenerateTests {
    @Test("1,000 referrals: their invitations, bids, awards, ranks and placements, and summaries equal to a recount")
    func smallSet() async throws {
        try await withApp { app in
            // setup
            let sql = app.db as! any SQLDatabase
            var input = CommandInput(arguments: ["dps", "--referrals", "1000"])
            let signature = try GenerateCommand.Signature(from: &input)
            var context = CommandContext(console: Terminal(), input: input)
            context.application = app

            // MUT
            try await GenerateCommand().run(using: context, signature: signature)

            // validate: the referrals, 3 in 10 awarded, each award's placement on its rank-1 bid
            func count(_ query: String) async throws -> Int {
                try await sql.raw(SQLQueryString(query)).first()!.decode(column: "n", as: Int.self)
            }
            #expect(try await count("SELECT COUNT(*) AS n FROM referrals WHERE reference LIKE 'GEN-%'") == 1_000)
            let awarded = try await count(
                "SELECT COUNT(*) AS n FROM referrals WHERE reference LIKE 'GEN-%' AND state = 'awarded'")
            #expect(awarded == 300)
            #expect(
                try await count(
                    """
                    SELECT COUNT(*) AS n FROM placements p JOIN bids b ON b.id = p.bid_id
                    WHERE p.reference LIKE 'GEN-%' AND b.award_rank = 1
                    """) == awarded)
            #expect(
                try await count(
                    """
                    SELECT COUNT(*) AS n FROM bids b JOIN referrals r ON r.id = b.referral_id
                    WHERE r.reference LIKE 'GEN-%' AND r.state = 'awarded' AND b.award_rank IS NULL
                    """) == 0)
            #expect(try await count("SELECT COUNT(*) AS n FROM bids") > 10_000)

            // ... and every summary as the close, the award and the migrations would count it from the rows
            let summaries: [(String, String)] = [
                (MarketSummaries.prices, "category_id, quarter, weekly_cost_pence, bids"),
                (MarketSummaries.bidders, "category_id, quarter, organisation_id, bids, awarded_bids, wins"),
                (MarketSummaries.declines, "dps_id, authority_id, category_id, quarter, reason, declines"),
                (MarketSummaries.providerCounts, "organisation_id, category_id, quarter, kind, value, n"),
                (
                    MarketSummaries.responses,
                    "dps_id, authority_id, category_id, quarter, referrals, invited, bids, declined"
                ),
            ]
            func rows() async throws -> [[String]] {
                var all: [[String]] = []
                for (table, columns) in summaries {
                    // Each row as one text, the same way on both engines (SQLite keeps UUIDs as blobs: `quote`).
                    let postgres = sql.dialect.name == "postgresql"
                    let text = columns.split(separator: ",").map { postgres ? "CAST(\($0) AS TEXT)" : "quote(\($0))" }
                        .joined(separator: " || '|' || ")
                    all.append(
                        try await sql.raw(
                            SQLQueryString("SELECT \(text) AS line FROM \(table) ORDER BY \(columns)")
                        ).all().map { try $0.decode(column: "line", as: String.self) })
                }
                return all
            }
            let written = try await rows()
            #expect(written.allSatisfy { !$0.isEmpty })
            for (table, _) in summaries { try await sql.delete(from: table).run() }
            try await MarketSummaries.addClosedReferrals("r.closed_at IS NOT NULL", sql: sql)
            try await MarketSummaries.addAwardedReferrals("r.state = 'awarded'", sql: sql)
            #expect(try await rows() == written)
        }
    }
}

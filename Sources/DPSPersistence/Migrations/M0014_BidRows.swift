import FluentKit
import Foundation
import SQLKit

/// A bid's priced lines (`bid_lines`) and the referral items it meets (`bid_items_met`) as rows instead of
/// JSON text, so cost benchmarks and reports can query them. Every existing bid is carried across; a bid
/// whose JSON cannot be read stops the migration with the bid named.
public struct M0014_BidRows: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(BidLineRecord.schema)
            .id()
            .field("bid_id", .uuid, .required, .references(BidRecord.schema, .id))
            .field("referral_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("position", .int, .required)
            .field("line_key", .string)
            .field("description", .string)
            .field("weekly_pence", .int, .required)
            .unique(on: "bid_id", "kind", "position")
            .create()
        try await db.schema(BidItemMetRecord.schema)
            .id()
            .field("bid_id", .uuid, .required, .references(BidRecord.schema, .id))
            .field("referral_id", .uuid, .required)
            .field("item_id", .string, .required)
            .unique(on: "bid_id", "item_id")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "bid_lines_referral").on(BidLineRecord.schema).column("referral_id").run()
        try await sql.create(index: "bid_items_met_referral").on(BidItemMetRecord.schema).column("referral_id").run()
        try await Self.carryAcross(db)
    }

    struct Item: Decodable {
        var description: String
        var pence: Int
    }
    struct Row: Decodable {
        var id: UUID
        var referral_id: UUID
        var core_json: String
        var variable_json: String
        var needs_met_json: String
        var must_haves_met_json: String
        var desirables_met_json: String
    }

    /// Rows for every bid that has none yet, from its JSON columns.
    public static func carryAcross(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let rows = try await sql.select().column("id").column("referral_id").column("core_json").column("variable_json")
            .column("needs_met_json").column("must_haves_met_json").column("desirables_met_json").from("bids").all(
                decoding: Row.self)
        let done = Set(try await BidLineRecord.query(on: db).all(\.$bidID))
        let decoder = JSONDecoder()
        for row in rows where !done.contains(row.id) {
            func decode<T: Decodable>(_ text: String, _ what: String) throws -> T {
                do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                    throw MigrationDataError(
                        detail: "bid \(row.id): its \(what) could not be read (\(error)); fix the row and migrate again"
                    )
                }
            }
            let core: [String: Int] = try decode(row.core_json, "core costs")
            let variable: [Item] = try decode(row.variable_json, "variable costs")
            let met: [String] =
                try decode(row.needs_met_json, "needs met") + decode(row.must_haves_met_json, "must-haves met")
                + decode(row.desirables_met_json, "desirables met")
            var lines = core.sorted { $0.key < $1.key }.enumerated().map {
                BidLineRecord(
                    bidID: row.id, referralID: row.referral_id, kind: "core", position: $0.offset,
                    lineKey: $0.element.key,
                    description: nil, weeklyPence: $0.element.value)
            }
            lines += variable.enumerated().map {
                BidLineRecord(
                    bidID: row.id, referralID: row.referral_id, kind: "variable", position: $0.offset, lineKey: nil,
                    description: $0.element.description, weeklyPence: $0.element.pence)
            }
            if !lines.isEmpty { try await lines.create(on: db) }
            let items = Set(met).sorted().map {
                BidItemMetRecord(bidID: row.id, referralID: row.referral_id, itemID: $0)
            }
            if !items.isEmpty { try await items.create(on: db) }
        }
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(BidItemMetRecord.schema).delete()
        try await db.schema(BidLineRecord.schema).delete()
    }
}

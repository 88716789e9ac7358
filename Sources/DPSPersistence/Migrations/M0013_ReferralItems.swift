import FluentKit
import Foundation
import SQLKit

/// A referral's needs, must-haves, desirables and outcomes as rows (`referral_items`) instead of JSON text,
/// so reports and publication can count them by area of need. Every existing referral's JSON is carried
/// across; text that does not decode stops the migration with the referral named, rather than losing it.
public struct M0013_ReferralItems: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(ReferralItemRecord.schema)
            .id()
            .field("referral_id", .uuid, .required, .references(ReferralRecord.schema, .id))
            .field("kind", .string, .required)
            .field("item_id", .string, .required)
            .field("position", .int, .required)
            .field("code", .string)
            .field("text", .string, .required)
            .field("marks", .int)
            .unique(on: "referral_id", "kind", "item_id")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "referral_items_kind_code").on(ReferralItemRecord.schema).column("kind").column(
            "code"
        ).run()
        try await Self.carryAcross(db)
    }

    struct Marked: Decodable {
        var id: String
        var text: String
        var marks: Int?
        var code: String?
    }
    struct Row: Decodable {
        var id: UUID
        var needs_json: String
        var must_haves_json: String
        var desirables_json: String
        var outcomes_json: String
    }

    /// Rows for every referral that has none yet, from its JSON columns.
    public static func carryAcross(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let rows = try await sql.select().column("id").column("needs_json").column("must_haves_json").column(
            "desirables_json"
        )
        .column("outcomes_json").from("referrals").all(decoding: Row.self)
        let done = Set(
            try await sql.select().distinct().column("referral_id").from(ReferralItemRecord.schema)
                .all(decoding: [String: UUID].self).compactMap { $0["referral_id"] })
        let decoder = JSONDecoder()
        for row in rows where !done.contains(row.id) {
            func decode<T: Decodable>(_ text: String, _ what: String) throws -> T {
                do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                    throw MigrationDataError(
                        detail:
                            "referral \(row.id): its \(what) could not be read (\(error)); "
                            + "fix the row and migrate again"
                    )
                }
            }
            var items: [ReferralItemRecord] = []
            let needs: [Marked] = try decode(row.needs_json, "needs")
            let desirables: [Marked] = try decode(row.desirables_json, "desirables")
            let mustHaves: [String] = try decode(row.must_haves_json, "must-haves")
            let outcomes: [String] = try decode(row.outcomes_json, "outcomes")
            for (i, n) in needs.enumerated() {
                items.append(
                    .init(
                        referralID: row.id, kind: "need", itemID: n.id, position: i, code: n.code, text: n.text,
                        marks: n.marks ?? 1))
            }
            for (i, m) in mustHaves.enumerated() {
                items.append(
                    .init(
                        referralID: row.id, kind: "must_have", itemID: "m\(i + 1)", position: i, code: nil, text: m,
                        marks: nil))
            }
            for (i, d) in desirables.enumerated() {
                items.append(
                    .init(
                        referralID: row.id, kind: "desirable", itemID: d.id, position: i, code: d.code, text: d.text,
                        marks: d.marks ?? 1))
            }
            for (i, o) in outcomes.enumerated() {
                items.append(
                    .init(
                        referralID: row.id, kind: "outcome", itemID: "o\(i + 1)", position: i, code: nil, text: o,
                        marks: nil))
            }
            for item in items { try await item.create(on: db) }
        }
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(ReferralItemRecord.schema).delete()
    }
}

/// Stored data a migration cannot carry across: it stops, naming the row, instead of dropping it.
public struct MigrationDataError: Error, CustomStringConvertible {
    public var detail: String
    public var description: String { detail }
}

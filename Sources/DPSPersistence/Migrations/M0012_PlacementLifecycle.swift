import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Placements as records of their own, with a life after award (additive, carrying existing data across):
/// - new columns: the placement's own `reference`, `dps_id`, `category_id`, `created_by` and `child_details`;
///   `expected_end_date`, `actual_end_date`, `status` (`active` or `ended`), and how it ended (`ending_kind`,
///   `ending_reason`, `ended_at`, `ended_by`), with indexes for the registers and reports that will ask;
/// - `referral_id` may be empty, so a direct placement (made without competition) no longer needs a made-up
///   referral: the old ones (referrals of kind `direct` with a deadline of "now" and no home) are folded into
///   their placements and removed. PostgreSQL drops the NOT NULL; SQLite cannot, so the table is rebuilt
///   from its own definition with only that constraint taken out.
public struct M0012_PlacementLifecycle: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        // One column a statement: SQLite adds one column per ALTER TABLE.
        let columns: [(String, DatabaseSchema.DataType)] = [
            ("reference", .string), ("dps_id", .uuid), ("category_id", .uuid), ("created_by", .uuid),
            ("child_details", .string),
            ("expected_end_date", .string), ("actual_end_date", .string), ("ending_kind", .string),
            ("ending_reason", .string),
            ("ended_at", .datetime), ("ended_by", .string),
        ]
        for (name, type) in columns {
            try await db.schema(PlacementRecord.schema).field(
                .definition(name: .key(FieldKey(stringLiteral: name)), dataType: type, constraints: [])
            ).update()
        }
        try await db.schema(PlacementRecord.schema).field("status", .string, .required, .sql(.default("active")))
            .update()
        if sql.dialect.name == "sqlite" {
            try await rebuildWithOptionalReferral(sql)
        } else {
            try await sql.raw("ALTER TABLE placements ALTER COLUMN referral_id DROP NOT NULL").run()
        }
        try await Self.carryAcross(sql)
        try await sql.create(index: "placements_authority_status").on("placements").column("authority_id").column(
            "status"
        ).run()
        try await sql.create(index: "placements_provider_status").on("placements").column("provider_id").column(
            "status"
        ).run()
        try await sql.create(index: "placements_category").on("placements").column("category_id").run()
    }

    /// Carries each referral's facts onto its placement, and folds made-up direct referrals into their
    /// placements (then removes them). Only placements not yet carried across (no reference) are touched.
    public static func carryAcross(_ sql: any SQLDatabase) async throws {
        struct Row: Decodable {
            var placement: UUID
            var referral: UUID
            var reference: String
            var dps_id: UUID
            var category_id: UUID
            var created_by: UUID
            var child_details: String
            var kind: String
            var start_date: String
            var duration_weeks: Int
        }
        let rows = try await sql.select()
            .column(SQLColumn("id", table: "p"), as: "placement").column(SQLColumn("id", table: "r"), as: "referral")
            .column(SQLColumn("reference", table: "r")).column(SQLColumn("dps_id", table: "r")).column(
                SQLColumn("category_id", table: "r")
            )
            .column(SQLColumn("created_by", table: "r")).column(SQLColumn("child_details", table: "r")).column(
                SQLColumn("kind", table: "r")
            )
            .column(SQLColumn("start_date", table: "p")).column(SQLColumn("duration_weeks", table: "r"))
            .from(SQLAlias(SQLIdentifier("placements"), as: SQLIdentifier("p")))
            .join(
                SQLAlias(SQLIdentifier("referrals"), as: SQLIdentifier("r")), on: SQLColumn("referral_id", table: "p"),
                .equal, SQLColumn("id", table: "r")
            )
            .where(SQLColumn("reference", table: "p"), .is, SQLLiteral.null)
            .all(decoding: Row.self)
        for row in rows {
            let direct = row.kind == "direct"
            let end = Self.endDate(start: row.start_date, weeks: row.duration_weeks)
            var update = sql.update("placements")
                .set("reference", to: row.reference).set("dps_id", to: row.dps_id).set(
                    "category_id", to: row.category_id
                )
                .set("created_by", to: row.created_by).set("expected_end_date", to: end)
            if direct {
                update = update.set("child_details", to: row.child_details).set("referral_id", to: SQLLiteral.null)
            }
            try await update.where("id", .equal, row.placement).run()
            if direct { try await sql.delete(from: "referrals").where("id", .equal, row.referral).run() }
        }
    }

    /// The ISO date `weeks` weeks after `start` (UTC calendar arithmetic on a date, no time of day).
    static func endDate(start: String, weeks: Int) -> String? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        guard let date = f.date(from: start), weeks > 0, weeks <= 10_000 else { return nil }
        return f.string(from: date.addingTimeInterval(Double(weeks) * 7 * 86_400))
    }

    /// SQLite keeps a table's definition as text: the same definition without `NOT NULL` on `referral_id`
    /// makes the new table; rows are copied column for column, then it takes the old one's name.
    private func rebuildWithOptionalReferral(_ sql: any SQLDatabase) async throws {
        struct Definition: Decodable { var sql: String }
        guard
            let old = try await sql.select().column("sql").from("sqlite_master")
                .where("type", .equal, "table").where("name", .equal, "placements").first(decoding: Definition.self)
        else { return }
        let required = #""referral_id" UUID NOT NULL"#
        guard old.sql.contains(required) else { return }
        let definition = old.sql.replacingOccurrences(of: required, with: #""referral_id" UUID"#)
            .replacingOccurrences(of: #"CREATE TABLE "placements""#, with: #"CREATE TABLE "placements_rebuilt""#)
        try await sql.raw(SQLQueryString(definition)).run()
        try await sql.raw("INSERT INTO placements_rebuilt SELECT * FROM placements").run()
        try await sql.raw("DROP TABLE placements").run()
        try await sql.raw("ALTER TABLE placements_rebuilt RENAME TO placements").run()
    }

    public func revert(on db: any Database) async throws {}
}

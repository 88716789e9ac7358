import FluentKit
import Foundation
import SQLKit

/// Publication in the Open Contracting Data Standard (DOMAIN §10): `ocds_releases`, each release made once (its id,
/// from the fact it reports, is the key), with its contracting process (`ocid`), its DPS, its date, when it was
/// published (the order of the public list and its `updatedFrom`/`updatedTo`) and its JSON; `publication_notices`,
/// the notices due by regime, one per fact (a unique key such as `UK7:<placement>` or a DPS's quarter), each due on a
/// date and marked sent with the central platform's notice id; `dps.ocid_prefix`, the publisher's registered prefix.
public struct M0030_Publication: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(PublicationTables.releases)
            .field("release_id", .string, .identifier(auto: false))
            .field("ocid", .string, .required)
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("stage", .string, .required)
            .field("entity_id", .uuid, .required)
            .field("release_date", .string, .required)
            .field("published_at", .datetime, .required)
            .field("notice_key", .string)
            .field("json", .string, .required)
            .create()
        try await db.schema(PublicationTables.notices)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("notice_key", .string, .required)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("event_date", .string, .required)
            .field("due_date", .string, .required)
            .field("value_pence", .int)
            .field("sent_at", .datetime)
            .field("sent_by", .string)
            .field("notice_ref", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "notice_key")
            .create()
        try await db.schema(DPSRecord.schema).field("ocid_prefix", .string, .required, .sql(.default("ocds-dpsdev")))
            .update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "ocds_releases_published").on(PublicationTables.releases).column("published_at")
            .column("release_id").run()
        try await sql.create(index: "ocds_releases_ocid").on(PublicationTables.releases).column("ocid").run()
        try await sql.create(index: "ocds_releases_fact").on(PublicationTables.releases).column("entity_id")
            .column("stage").run()
        try await sql.create(index: "publication_notices_due").on(PublicationTables.notices).column("dps_id")
            .column("due_date").run()
    }

    public func revert(on db: any Database) async throws {
        for table in [PublicationTables.notices, PublicationTables.releases] { try await db.schema(table).delete() }
    }
}

/// The publication tables (read and written with SQL by the publication use cases).
public enum PublicationTables {
    public static let releases = "ocds_releases"
    public static let notices = "publication_notices"
}

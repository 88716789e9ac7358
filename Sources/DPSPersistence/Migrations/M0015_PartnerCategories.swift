import FluentKit
import Foundation
import SQLKit

/// The categories each partner uses as rows (`partner_categories`) instead of a JSON list on the partner, so
/// a council that is a partner of several DPSs uses all of theirs and reports can ask who buys what. Every
/// partner's list is carried across; one that cannot be read stops the migration with the partner named.
public struct M0015_PartnerCategories: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(PartnerCategoryRecord.schema)
            .id()
            .field("partner_id", .uuid, .required, .references(PartnerRecord.schema, .id))
            .field("dps_id", .uuid, .required)
            .field("organisation_id", .uuid, .required)
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, .id))
            .unique(on: "partner_id", "category_id")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "partner_categories_organisation").on(PartnerCategoryRecord.schema).column(
            "organisation_id"
        ).run()
        try await Self.carryAcross(db)
    }

    /// Rows for every partner that has none yet, from its JSON list.
    public static func carryAcross(_ db: any Database) async throws {
        let done = Set(try await PartnerCategoryRecord.query(on: db).all(\.$partnerID))
        let known = Set(try await CategoryRecord.query(on: db).all(\.$id).compactMap { $0 })
        for partner in try await PartnerRecord.query(on: db).all() where !done.contains(try partner.requireID()) {
            let ids: [String]
            do { ids = try JSONDecoder().decode([String].self, from: Data(partner.categoryIDsJSON.utf8)) } catch {
                throw MigrationDataError(
                    detail:
                        "partner \(partner.id!): its categories could not be read (\(error)); "
                        + "fix the row and migrate again"
                )
            }
            let rows = Set(ids.compactMap(UUID.init(uuidString:))).intersection(known).sorted {
                $0.uuidString < $1.uuidString
            }.map {
                PartnerCategoryRecord(
                    partnerID: partner.id!, dpsID: partner.$dps.id, organisationID: partner.$organisation.id,
                    categoryID: $0)
            }
            if !rows.isEmpty { try await rows.create(on: db) }
        }
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(PartnerCategoryRecord.schema).delete()
    }
}

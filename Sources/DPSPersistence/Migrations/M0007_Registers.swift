import FluentKit

struct M0007_Registers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(RegisterEntryRecord.schema)
            .field("urn", .string, .identifier(auto: false))
            .field("source", .string, .required)
            .field("name", .string, .required)
            .field("entry_json", .string, .required)
            .create()
        try await db.schema(PostcodeCentroidRecord.schema)
            .field("code", .string, .identifier(auto: false))
            .field("precision", .string, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("la_gss_code", .string)
            .field("la_name", .string)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(PostcodeCentroidRecord.schema).delete()
        try await db.schema(RegisterEntryRecord.schema).delete()
    }
}

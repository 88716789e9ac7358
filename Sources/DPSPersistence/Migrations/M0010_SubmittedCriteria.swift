import FluentKit

struct M0010_SubmittedCriteria: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ApplicationCategoryRecord.schema).field("criteria_json", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(ApplicationCategoryRecord.schema).deleteField("criteria_json").update()
    }
}

import FluentKit
import Foundation
import SQLKit

/// `dps.rescore_months`: how often the contract managers re-score each membership (6 or 12 months; 12 for the
/// DPSs that existed before).
public struct M0024_RescoreInterval: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(DPSRecord.schema)
            .field("rescore_months", .int, .required, .sql(.default(12)))
            .update()
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(DPSRecord.schema).deleteField("rescore_months").update()
    }
}

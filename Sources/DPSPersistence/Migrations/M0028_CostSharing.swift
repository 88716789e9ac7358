import FluentKit
import Foundation
import SQLKit

/// Sharing the central function's costs (DOMAIN §9): `cost_years`, for each DPS and financial year (April to March,
/// named by the year it starts), the one-off procurement cost counted that year, the central function's annual
/// cost, the basis it is shared on among the founding partners, and the fee a council joining that year pays; and
/// `dps.supplier_fee_basis_points`, a fee on awarded contracts that only a Procurement Act 2023 market may charge.
public struct M0028_CostSharing: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(CostYears.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("year", .int, .required)
            .field("procurement_pence", .int, .required)
            .field("central_pence", .int, .required)
            .field("joining_fee_pence", .int, .required)
            .field("basis", .string, .required)
            .unique(on: "dps_id", "year")
            .create()
        try await db.schema(DPSRecord.schema).field("supplier_fee_basis_points", .int).update()
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(DPSRecord.schema).deleteField("supplier_fee_basis_points").update()
        try await db.schema(CostYears.schema).delete()
    }
}

/// The cost years table (read and written with SQL by the cost-sharing use case).
public enum CostYears {
    public static let schema = "cost_years"
}

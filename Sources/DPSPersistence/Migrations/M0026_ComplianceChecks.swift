import FluentKit
import Foundation
import SQLKit

/// Annual compliance checks (DOMAIN §5, PCR 34(26) with 59): `compliance_checks`, one a check the contract manager
/// opens for a category or the whole DPS, with its answer-by and suspend-on dates; `compliance_answers`, one row per
/// membership it asks, unique, with its state; and `dps.compliance_grace_days`, the working days after the answer-by
/// date before a membership that has not answered is suspended.
public struct M0026_ComplianceChecks: AsyncMigration {
    public init() {}

    public func prepare(on db: any Database) async throws {
        try await db.schema(DPSRecord.schema)
            .field("compliance_grace_days", .int, .required, .sql(.default(5)))
            .update()
        try await db.schema(ComplianceTables.checks)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, "id"))
            .field("category_id", .uuid, .references(CategoryRecord.schema, "id"))
            .field("scope_label", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("opened_by", .string, .required)
            .field("answer_by", .string, .required)
            .field("suspends_on", .string, .required)
            .create()
        try await db.schema(ComplianceTables.answers)
            .id()
            .field("check_id", .uuid, .required, .references(ComplianceTables.checks, "id"))
            .field("membership_id", .uuid, .required, .references(MembershipRecord.schema, "id"))
            .field("state", .string, .required)
            .field("statement", .string)
            .field("answered_at", .datetime)
            .field("answered_by", .string)
            .field("reminded_at", .datetime)
            .unique(on: "check_id", "membership_id")
            .create()
    }

    public func revert(on db: any Database) async throws {
        try await db.schema(ComplianceTables.answers).delete()
        try await db.schema(ComplianceTables.checks).delete()
        try await db.schema(DPSRecord.schema).deleteField("compliance_grace_days").update()
    }
}

/// The compliance check tables (read and written with SQL by the contract-management use cases).
public enum ComplianceTables {
    public static let checks = "compliance_checks"
    public static let answers = "compliance_answers"
}

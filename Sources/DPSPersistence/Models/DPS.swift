import FluentKit
import Foundation

/// A Dynamic Purchasing System run by a lead authority for its partners (DOMAIN §3).
public final class DPSRecord: Model, @unchecked Sendable {
    public static let schema = "dps"

    @ID(key: .id) public var id: UUID?
    @Field(key: "title") public var title: String
    @Parent(key: "lead_organisation_id") public var lead: Organisation
    /// `pcr2015` (PCR 2015 DPS under the Light Touch Regime) or `pa2023` (Procurement Act 2023 dynamic market).
    @Field(key: "regime") public var regime: String
    /// ISO dates (YYYY-MM-DD): calendar dates, not instants.
    @Field(key: "validity_start") public var validityStart: String
    @Field(key: "validity_end") public var validityEnd: String
    @Field(key: "short_deadlines_agreed") public var shortDeadlinesAgreed: Bool
    @Field(key: "description") public var description: String
    @Field(key: "terms") public var terms: String
    /// Parent-choice band in points (DOMAIN §7: "5% = 5 points" is a setting).
    @Field(key: "parent_choice_band_points") public var parentChoiceBandPoints: Int
    /// How often each membership is re-scored: 6 or 12 months.
    @Field(key: "rescore_months") public var rescoreMonths: Int
    /// How often each placement's outcomes are reviewed, in months from its start (6 by default).
    @Field(key: "review_months") public var reviewMonths: Int
    /// The prefix the lead authority registered with the Open Contracting Data Standard for its ocids
    /// (`ocds-` and six characters); `ocds-dpsdev` until it registers one.
    @Field(key: "ocid_prefix") public var ocidPrefix: String
    /// The concern threshold that opens a coordinated review (DOMAIN §5): any safeguarding concern (when set), or
    /// `concernCount` concerns from `concernPartners` partners within `concernMonths` months.
    @Field(key: "concern_count") public var concernCount: Int
    @Field(key: "concern_partners") public var concernPartners: Int
    @Field(key: "concern_months") public var concernMonths: Int
    @Field(key: "concern_any_safeguarding") public var concernAnySafeguarding: Bool
    /// Working days after a compliance check's answer-by date before a membership that has not answered is
    /// suspended.
    @Field(key: "compliance_grace_days") public var complianceGraceDays: Int
    /// A fee on awarded contracts charged to suppliers, in basis points of the contract value: only under the
    /// Procurement Act 2023 (PCR 2015 allows no fee to suppliers); nil: none.
    @OptionalField(key: "supplier_fee_basis_points") public var supplierFeeBasisPoints: Int?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// Each change of the validity period, with its reason (DOMAIN §3, BC 5.6). Append-only history.
public final class ValidityChangeRecord: Model, @unchecked Sendable {
    public static let schema = "dps_validity_changes"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Field(key: "kind") public var kind: String
    @Field(key: "old_end") public var oldEnd: String
    @Field(key: "new_end") public var newEnd: String
    @Field(key: "reason") public var reason: String
    @Field(key: "changed_by") public var changedBy: UUID
    @Field(key: "changed_at") public var changedAt: Date

    public init() {}
}

/// A period during which entry to the DPS is closed to new applications (DOMAIN §3).
public final class ClosedWindowRecord: Model, @unchecked Sendable {
    public static let schema = "dps_closed_windows"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Field(key: "starts_at") public var startsAt: Date
    @Field(key: "ends_at") public var endsAt: Date
    @Field(key: "reason") public var reason: String

    public init() {}
}

/// A category (lot) of the DPS. Its questions, statements, cost lines, discount tiers and weight bounds are
/// content (JSON text, portable across SQLite and PostgreSQL) that generates forms and validation.
public final class CategoryRecord: Model, @unchecked Sendable {
    public static let schema = "categories"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Field(key: "name") public var name: String
    @Field(key: "code") public var code: String
    @Field(key: "description") public var description: String
    /// The national contract that awards under this category use (e.g. National Fostering Contract).
    @Field(key: "contract_name") public var contractName: String
    @OptionalField(key: "affordability_cap_pence") public var affordabilityCapPence: Int?
    @Field(key: "minimum_invitees") public var minimumInvitees: Int
    /// JSON of `CategoryContent` (App): pass/fail questions, statements, cost lines, tiers, weight bounds.
    @Field(key: "content_json") public var contentJSON: String
    @Field(key: "position") public var position: Int

    public init() {}
}

/// A partner authority of a DPS and the categories it uses.
public final class PartnerRecord: Model, @unchecked Sendable {
    public static let schema = "dps_partners"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "dps_id") public var dps: DPSRecord
    @Parent(key: "organisation_id") public var organisation: Organisation
    /// The category ids the partner used, as JSON, for partners saved before M0015; `partner_categories`
    /// holds them since (this column stays "[]").
    @Field(key: "category_ids_json") public var categoryIDsJSON: String
    /// Joined later for a joining fee: no access to central contract management (DOMAIN §3).
    @Field(key: "is_joiner") public var isJoiner: Bool
    @Field(key: "joined_on") public var joinedOn: String

    public init() {}
}

/// A category a partner authority uses (DOMAIN §3), as a row: which councils buy what, by DPS.
public final class PartnerCategoryRecord: Model, @unchecked Sendable {
    public static let schema = "partner_categories"

    @ID(key: .id) public var id: UUID?
    @Field(key: "partner_id") public var partnerID: UUID
    @Field(key: "dps_id") public var dpsID: UUID
    @Field(key: "organisation_id") public var organisationID: UUID
    @Field(key: "category_id") public var categoryID: UUID

    public init() {}

    public init(partnerID: UUID, dpsID: UUID, organisationID: UUID, categoryID: UUID) {
        self.partnerID = partnerID
        self.dpsID = dpsID
        self.organisationID = organisationID
        self.categoryID = categoryID
    }
}

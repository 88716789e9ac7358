import FluentKit
import Foundation

/// A school, children's home, fostering branch or alternative provision setting of a provider (DOMAIN §4).
public final class EstablishmentRecord: Model, @unchecked Sendable {
    public static let schema = "establishments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "organisation_id") public var organisation: Organisation
    @Field(key: "name") public var name: String
    /// `school`, `childrens_home`, `fostering_agency` or `alternative_provision`.
    @Field(key: "type") public var type: String
    @OptionalField(key: "urn") public var urn: String?
    @Field(key: "address") public var address: String
    @Field(key: "town") public var town: String
    @Field(key: "postcode") public var postcode: String
    @Field(key: "postcode_district") public var postcodeDistrict: String
    @OptionalField(key: "latitude") public var latitude: Double?
    @OptionalField(key: "longitude") public var longitude: Double?
    /// True when the register withholds the address and the location is a postcode sector of the LA.
    @Field(key: "location_approximate") public var locationApproximate: Bool
    @Field(key: "age_low") public var ageLow: Int
    @Field(key: "age_high") public var ageHigh: Int
    /// `mixed`, `boys` or `girls`.
    @Field(key: "genders") public var genders: String
    @Field(key: "capacity") public var capacity: Int
    @Field(key: "inspectorate") public var inspectorate: String
    @OptionalField(key: "framework") public var framework: String?
    @Field(key: "judgement") public var judgement: String
    @OptionalField(key: "judgement_date") public var judgementDate: String?
    @OptionalField(key: "la_gss_code") public var laGSSCode: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// An uploaded evidence document (insurance certificate, policy…) with its expiry date. Stored in the
/// database so a backup of the database is a backup of everything.
public final class EvidenceRecord: Model, @unchecked Sendable {
    public static let schema = "evidence_documents"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "organisation_id") public var organisation: Organisation
    @Field(key: "application_category_id") public var applicationCategoryID: UUID
    @Field(key: "question_key") public var questionKey: String
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size_bytes") public var sizeBytes: Int
    @Field(key: "sha256") public var sha256: String
    @OptionalField(key: "expires_on") public var expiresOn: String?
    @Field(key: "data") public var data: Data
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A provider's claim on a URN registered to another provider (after a change of owner, say). The lead authority
/// of the DPS it is made to upholds it (the establishment moves to the claimant, the former provider's
/// memberships of it end) or rejects it, with reasons.
public final class URNClaimRecord: Model, @unchecked Sendable {
    public static let schema = "urn_claims"

    @ID(key: .id) public var id: UUID?
    @Field(key: "urn") public var urn: String
    @Parent(key: "establishment_id") public var establishment: EstablishmentRecord
    @Field(key: "holder_organisation_id") public var holderOrganisationID: UUID
    @Field(key: "claimant_organisation_id") public var claimantOrganisationID: UUID
    @Field(key: "claimant_user_id") public var claimantUserID: UUID
    @Field(key: "dps_id") public var dpsID: UUID
    @Field(key: "statement") public var statement: String
    /// `open`, `upheld` or `rejected`.
    @Field(key: "state") public var state: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "decided_by") public var decidedBy: UUID?
    @OptionalField(key: "decision_reason") public var decisionReason: String?

    public init() {}
}

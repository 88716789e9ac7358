import FluentKit
import Foundation

/// A council (lead or partner authority) or a provider organisation. Every tenant-owned row points at one.
public final class Organisation: Model, @unchecked Sendable {
    public static let schema = "organisations"

    @ID(key: .id) public var id: UUID?
    /// `lead_authority`, `partner_authority` or `provider` (see `OrganisationKind` in the app).
    @Field(key: "kind") public var kind: String
    @Field(key: "name") public var name: String
    @OptionalField(key: "legal_name") public var legalName: String?
    @OptionalField(key: "company_number") public var companyNumber: String?
    @OptionalField(key: "charity_number") public var charityNumber: String?
    /// GSS code of a council (e.g. E10000032 for West Sussex); empty for providers.
    @OptionalField(key: "gss_code") public var gssCode: String?
    @OptionalField(key: "address") public var address: String?
    @OptionalField(key: "postcode") public var postcode: String?
    @OptionalField(key: "contact_name") public var contactName: String?
    @OptionalField(key: "contact_email") public var contactEmail: String?
    @OptionalField(key: "contact_phone") public var contactPhone: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(id: UUID? = nil, kind: String, name: String) {
        self.id = id
        self.kind = kind
        self.name = name
    }
}

/// A person who signs in. Belongs to exactly one organisation and holds one role.
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "organisation_id") public var organisation: Organisation
    @Field(key: "email") public var email: String
    @Field(key: "name") public var name: String
    @Field(key: "role") public var role: String
    @Field(key: "password_hash") public var passwordHash: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Set when an administrator deactivates the account (M0019): it cannot sign in or use its tokens.
    @OptionalField(key: "deactivated_at") public var deactivatedAt: Date?

    public init() {}

    public init(id: UUID? = nil, organisationID: UUID, email: String, name: String, role: String, passwordHash: String)
    {
        self.id = id
        self.$organisation.id = organisationID
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
    }
}

/// Signed-in sessions: Fluent's session table (Vapor's `SessionRecord`, created by the application), to which the
/// application adds the signed-in user (`user_id`) so that a session and its user are one read.
public enum SessionTable {
    public static let schema = "_fluent_sessions"
}

/// A bearer token for API clients. Only the SHA-256 of the token is stored.
public final class APIToken: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "label") public var label: String
    @Field(key: "expires_at") public var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public init(userID: UUID, tokenHash: String, label: String, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.label = label
        self.expiresAt = expiresAt
    }
}

/// A single-use, expiring link for an invitation or a password reset. Only the SHA-256 of the token is stored.
public final class AccountTokenRecord: Model, @unchecked Sendable {
    public static let schema = "account_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    /// `invitation` or `password_reset`.
    @Field(key: "purpose") public var purpose: String
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "used_at") public var usedAt: Date?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

import Foundation

/// The kinds of organisation (DOMAIN §2).
public enum OrganisationKind: String, Codable, CaseIterable, Sendable {
    case leadAuthority = "lead_authority"
    case partnerAuthority = "partner_authority"
    case provider
}

/// The roles of DOMAIN §2. A user holds exactly one.
public enum Role: String, Codable, CaseIterable, Sendable {
    case dpsAdmin = "dps_admin"
    case evaluator
    case contractManager = "contract_manager"
    case panelMember = "young_peoples_panel"
    case auditor
    case placementOfficer = "placement_officer"
    case partnerViewer = "partner_viewer"
    /// A partner council's administrator: manages its officers and viewers, and reads its referrals.
    case councilAdmin = "council_admin"
    case providerAdmin = "provider_admin"
    case bidWriter = "bid_writer"

    public var label: String {
        switch self {
        case .dpsAdmin: "DPS administrator"
        case .evaluator: "Evaluator"
        case .contractManager: "Contract manager"
        case .panelMember: "Young people's panel member"
        case .auditor: "Auditor"
        case .placementOfficer: "Placement officer"
        case .partnerViewer: "Partner viewer"
        case .councilAdmin: "Council administrator"
        case .providerAdmin: "Provider administrator"
        case .bidWriter: "Bid writer"
        }
    }

    /// The kind of organisation a role belongs to; a user's role must match their organisation.
    public var organisationKind: OrganisationKind {
        switch self {
        case .dpsAdmin, .evaluator, .contractManager, .panelMember, .auditor: .leadAuthority
        case .placementOfficer, .partnerViewer, .councilAdmin: .partnerAuthority
        case .providerAdmin, .bidWriter: .provider
        }
    }

    /// Roles that assess applications (the panel member only scores their own question).
    public static let assessors: Set<Role> = [.evaluator, .panelMember, .dpsAdmin]
}

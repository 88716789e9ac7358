import Foundation
import Vapor

/// The kinds of organisation (DOMAIN §2).
enum OrganisationKind: String, Codable, CaseIterable, Sendable {
    case leadAuthority = "lead_authority"
    case partnerAuthority = "partner_authority"
    case provider
}

/// The roles of DOMAIN §2. A user holds exactly one.
enum Role: String, Codable, CaseIterable, Sendable {
    case dpsAdmin = "dps_admin"
    case evaluator
    case contractManager = "contract_manager"
    case panelMember = "young_peoples_panel"
    case auditor
    case placementOfficer = "placement_officer"
    case partnerViewer = "partner_viewer"
    case providerAdmin = "provider_admin"
    case bidWriter = "bid_writer"

    var label: String {
        switch self {
        case .dpsAdmin: "DPS administrator"
        case .evaluator: "Evaluator"
        case .contractManager: "Contract manager"
        case .panelMember: "Young people's panel member"
        case .auditor: "Auditor"
        case .placementOfficer: "Placement officer"
        case .partnerViewer: "Partner viewer"
        case .providerAdmin: "Provider administrator"
        case .bidWriter: "Bid writer"
        }
    }

    /// The kind of organisation a role belongs to; a user's role must match their organisation.
    var organisationKind: OrganisationKind {
        switch self {
        case .dpsAdmin, .evaluator, .contractManager, .panelMember, .auditor: .leadAuthority
        case .placementOfficer, .partnerViewer: .partnerAuthority
        case .providerAdmin, .bidWriter: .provider
        }
    }

    /// Roles that assess applications (the panel member only scores their own question).
    static let assessors: Set<Role> = [.evaluator, .panelMember, .dpsAdmin]
}

/// Who is asking: resolved once per request from the session or a bearer token and passed explicitly to
/// every use case, which filters tenant-owned data by it.
struct Actor: Sendable {
    let userID: UUID
    let name: String
    let email: String
    let role: Role
    let organisationID: UUID
    let organisationKind: OrganisationKind
    let organisationName: String

    var label: String { "\(name) (\(role.label), \(organisationName))" }

    /// Refuses with 403 unless the actor holds one of the roles.
    func require(_ roles: Role...) throws {
        guard roles.contains(role) else {
            throw Abort(.forbidden, reason: "Your role (\(role.label)) cannot do this.")
        }
    }

    var isLeadAuthority: Bool { organisationKind == .leadAuthority }
    var isProvider: Bool { organisationKind == .provider }
}

struct ActorKey: StorageKey { typealias Value = Actor }

extension Request {
    /// The signed-in actor, if any.
    var actor: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    /// The signed-in actor, or 401 (the page layer turns that into a redirect to sign in).
    func requireActor() throws -> Actor {
        guard let actor else { throw Abort(.unauthorized, reason: "Sign in to continue.") }
        return actor
    }
}

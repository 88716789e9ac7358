import DPSDomain
import Foundation

/// Who is asking: resolved once per request from the session or a bearer token and passed explicitly to
/// every use case, which filters tenant-owned data by it.
package struct Actor: Sendable {
    package let userID: UUID
    package let name: String
    package let email: String
    package let role: Role
    package let organisationID: UUID
    package let organisationKind: OrganisationKind
    package let organisationName: String

    package init(
        userID: UUID, name: String, email: String, role: Role, organisationID: UUID, organisationKind: OrganisationKind,
        organisationName: String
    ) {
        self.userID = userID
        self.name = name
        self.email = email
        self.role = role
        self.organisationID = organisationID
        self.organisationKind = organisationKind
        self.organisationName = organisationName
    }

    package var label: String { "\(name) (\(role.label), \(organisationName))" }

    /// Refuses with 403 unless the actor holds one of the roles.
    package func require(_ roles: Role...) throws {
        guard roles.contains(role) else {
            throw UseCaseError(.forbidden, "Your role (\(role.label)) cannot do this.")
        }
    }

    package var isLeadAuthority: Bool { organisationKind == .leadAuthority }
    package var isProvider: Bool { organisationKind == .provider }
}

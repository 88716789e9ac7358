import DPSUseCases
import Vapor

// Read models of the use cases that the API returns as they are.
extension Audit.Verification: Content {}
extension Queries.MembershipRow: Content {}

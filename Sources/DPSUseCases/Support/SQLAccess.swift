import FluentKit
import SQLKit

extension Database {
    /// The same database as SQLKit sees it, for the statements models cannot express (conditional claims,
    /// counters, the hot path's plain rows). Both supported engines speak SQL; anything else is a failure.
    package func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            throw UseCaseError(.internalFailure, "The database does not speak SQL.")
        }
        return sql
    }
}

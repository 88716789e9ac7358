import FluentKit
import SQLKit

/// Failed sign-ins, registrations that named a known address and reset requests, kept in the database so that every
/// `dps serve` instance behind a load balancer counts the same tries (issue 11: the application is stateless; the
/// counts were in each instance's memory, so two instances gave an attacker twice the tries). A row is one failure
/// under one throttle key, stored as the key's SHA-256 (the key names an e-mail address and a client address, which
/// need not be kept readable); rows older than the throttle's window are deleted as new ones come.
struct M0034_SignInFailures: AsyncMigration {
    static let schema = "sign_in_failures"

    func prepare(on db: any Database) async throws {
        try await db.schema(Self.schema)
            .field("key_hash", .string, .required)
            .field("failed_at", .datetime, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "sign_in_failures_key").on(Self.schema).column("key_hash").column("failed_at")
            .run()
        try await sql.create(index: "sign_in_failures_time").on(Self.schema).column("failed_at").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(Self.schema).delete()
    }
}

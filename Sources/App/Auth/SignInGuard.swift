import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import SQLKit
import Vapor

/// Slows password guessing and account probing, for page sign-in and API tokens alike:
/// - after `maxFailures` wrong passwords for one account from one client address, `maxFailuresPerAccount` for
///   it from anywhere, or `maxFailuresPerAddress` from one client address, within `window`, further attempts
///   are refused with 429 and Retry-After until the window passes. The failures are counted in the database
///   (`sign_in_failures`, M0034), so every instance of the server counts the same tries;
/// - an unknown e-mail address costs the same bcrypt work and gets the same words as a wrong password;
/// - at most `maxConcurrentHashes` bcrypt computations run at once and at most `maxWaiting` wait, so
///   unauthenticated requests cannot take every core; beyond that the answer is 429. This bound is each
///   instance's own: it guards that instance's cores.
actor SignInGuard {
    /// A bcrypt hash of a random secret at the configured cost: verifying against it costs what a real
    /// account costs.
    let decoyHash: String
    init(decoyHash: String) { self.decoyHash = decoyHash }

    /// Wrong passwords for one account from one client address.
    static let maxFailures = 5
    /// Wrong passwords for one account from anywhere: higher, so that someone elsewhere guessing at an account
    /// does not lock its owner out with five tries, yet a spread-out guess is still stopped.
    static let maxFailuresPerAccount = 100
    static let maxFailuresPerAddress = 30
    static let window: TimeInterval = 15 * 60
    static let maxConcurrentHashes = max(1, System.coreCount)
    static let maxWaiting = 64
    static let table = "sign_in_failures"

    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Seconds until `keys` may try again, or nil when they may try now: for each key at or over its limit within
    /// the window, until its oldest failure in the window leaves it.
    nonisolated func retryAfter(_ keys: [String], limits: [Int], now: Date, db: any Database) async throws -> Int? {
        let limit = Dictionary(zip(keys.map(Tokens.hash), limits), uniquingKeysWith: min)
        let rows = try await db.sql().raw(
            """
            SELECT key_hash, COUNT(*) AS n, MIN(failed_at) AS oldest FROM \(unsafeRaw: Self.table)
            WHERE key_hash IN (\(binds: Array(limit.keys))) AND failed_at > \(bind: now - Self.window)
            GROUP BY key_hash
            """
        ).all()
        var wait: TimeInterval = 0
        for row in rows {
            let key = try row.decode(column: "key_hash", as: String.self)
            guard let max = limit[key], try row.decode(column: "n", as: Int.self) >= max else { continue }
            let oldest = try row.decode(column: "oldest", as: Date.self)
            wait = Swift.max(wait, Self.window - now.timeIntervalSince(oldest))
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    /// Counts one failure under each of `keys`, and forgets failures older than the window.
    nonisolated func recordFailure(_ keys: [String], now: Date, db: any Database) async throws {
        let sql = try db.sql()
        try await sql.raw("DELETE FROM \(unsafeRaw: Self.table) WHERE failed_at <= \(bind: now - Self.window)").run()
        var insert = sql.insert(into: Self.table).columns("key_hash", "failed_at")
        for key in keys { insert = insert.values([SQLBind(Tokens.hash(key)), SQLBind(now)]) }
        try await insert.run()
    }

    /// Forgets the failures under `keys` (a right password).
    nonisolated func recordSuccess(_ keys: [String], db: any Database) async throws {
        try await db.sql().raw(
            "DELETE FROM \(unsafeRaw: Self.table) WHERE key_hash IN (\(binds: keys.map(Tokens.hash)))"
        ).run()
    }

    /// The throttle keys of one sign-in attempt and their limits: the account from this address, the account
    /// from anywhere, and this address for any account.
    static func keys(email: String, address: String) -> (keys: [String], limits: [Int]) {
        (
            ["account:\(email)|address:\(address)", "account:\(email)", "address:\(address)"],
            [maxFailures, maxFailuresPerAccount, maxFailuresPerAddress]
        )
    }

    /// Runs a bcrypt computation within the concurrency bound; nil when too many are already waiting.
    func hashing<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T? {
        if running >= Self.maxConcurrentHashes {
            guard waiting.count < Self.maxWaiting else { return nil }
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer { if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() } }
        return try await body()
    }
}

extension Request {
    /// Checks `email` and `password` with the throttles above. Returns the user when right; throws 429 when
    /// throttled or busy; nil when wrong (the caller shows one message for unknown and wrong alike).
    func verifiedUser(email: String, password: String) async throws -> User? {
        let guardian = application.signInGuard
        let address = remoteAddress?.ipAddress ?? "unknown"
        let (keys, limits) = SignInGuard.keys(email: email, address: address)
        if let wait = try await guardian.retryAfter(keys, limits: limits, now: now, db: db) {
            throw TooManyAttempts(retryAfter: wait)
        }
        // A deactivated account is treated as unknown (the same work, the same answer).
        let user = try await User.query(on: db).filter(\.$email == email).filter(\.$deactivatedAt == nil)
            .with(\.$organisation).first()
        let hasher = self.password
        // The same bcrypt work for an unknown address as for a real one.
        let hash = user?.passwordHash ?? guardian.decoyHash
        guard let ok = try await guardian.hashing({ try await hasher.async.verify(password, created: hash) }) else {
            throw TooManyAttempts(retryAfter: 5)
        }
        guard ok, let user else {
            try await guardian.recordFailure(keys, now: now, db: db)
            return nil
        }
        try await guardian.recordSuccess(Array(keys.prefix(2)), db: db)
        return user
    }
}

extension Application {
    private struct SignInGuardKey: StorageKey { typealias Value = SignInGuard }
    /// One guard per running application (each test's app has its own).
    var signInGuard: SignInGuard {
        get { storage[SignInGuardKey.self]! }
        set { storage[SignInGuardKey.self] = newValue }
    }
}

/// 429 with Retry-After (seconds).
struct TooManyAttempts: AbortError {
    let retryAfter: Int
    var status: HTTPResponseStatus { .tooManyRequests }
    var reason: String {
        "Too many attempts. Try again in \(max(1, (retryAfter + 59) / 60)) minute\(retryAfter > 60 ? "s" : "")."
    }
    var headers: HTTPHeaders { ["Retry-After": String(retryAfter)] }
}

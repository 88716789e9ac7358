import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// Slows password guessing and account probing, for page sign-in and API tokens alike:
/// - after `maxFailures` wrong passwords for one account from one client address, `maxFailuresPerAccount` for
///   it from anywhere, or `maxFailuresPerAddress` from one client address, within `window`, further attempts
///   are refused with 429 and Retry-After until the window passes;
/// - an unknown e-mail address costs the same bcrypt work and gets the same words as a wrong password;
/// - at most `maxConcurrentHashes` bcrypt computations run at once and at most `maxWaiting` wait, so
///   unauthenticated requests cannot take every core; beyond that the answer is 429.
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

    private var failures: [String: [Date]] = [:]
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Seconds until `keys` may try again, or nil when they may try now.
    func retryAfter(_ keys: [String], limits: [Int], now: Date) -> Int? {
        var wait: TimeInterval = 0
        for (key, limit) in zip(keys, limits) {
            let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
            failures[key] = recent.isEmpty ? nil : recent
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, Self.window - now.timeIntervalSince(oldest))
            }
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    func recordFailure(_ keys: [String], now: Date) {
        for key in keys { failures[key, default: []].append(now) }
        if failures.count > 100_000 { failures.removeAll() }  // bounded memory under a flood of addresses
    }

    func recordSuccess(_ keys: [String]) { for key in keys { failures[key] = nil } }

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
        if let wait = await guardian.retryAfter(keys, limits: limits, now: now) {
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
            await guardian.recordFailure(keys, now: now)
            return nil
        }
        await guardian.recordSuccess(Array(keys.prefix(2)))
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

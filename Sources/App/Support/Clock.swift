import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// The application's source of "now". Tests and the demo fix it; production uses the system clock.
struct AppClock: Sendable {
    let now: @Sendable () -> Date
    static let system = AppClock { Date() }
    static func fixed(_ date: Date) -> AppClock { AppClock { date } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }
    var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.clock.now() }
}

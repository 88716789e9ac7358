import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation
import Vapor

/// `dps close-referrals`: closes every referral whose deadline has passed. Idempotent, so cron and the
/// in-process loop can both run it.
struct CloseReferralsCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Closes every referral whose deadline has passed (also runs every minute inside `serve`)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let closed = try await Referrals.closeDue(db: context.application.db, now: context.application.clock.now())
        context.console.print("Closed \(closed) referral\(closed == 1 ? "" : "s").")
    }
}

/// While serving, closes due referrals every minute (DPS_JOBS=0 turns it off, for instances that leave
/// jobs to cron).
struct JobLoop: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: Task<Void, Never>? }
    let box = Box()

    func didBootAsync(_ app: Application) async throws {
        guard CommandLine.arguments.contains("serve"), ProcessInfo.processInfo.environment["DPS_JOBS"] != "0" else {
            return
        }
        box.task = Task {
            while !Task.isCancelled {
                do {
                    let closed = try await Referrals.closeDue(db: app.db, now: app.clock.now())
                    if closed > 0 { app.logger.notice("Closed \(closed) referral(s) at their deadline.") }
                } catch {
                    app.logger.report(error: error)
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        box.task?.cancel()
    }
}

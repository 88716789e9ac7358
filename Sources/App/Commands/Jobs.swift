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

/// `dps daily-checks`: today's evidence reminders and lapses and the compliance check deadlines, once a day (cron
/// may run it beside the loop inside `serve`: the day is claimed, and each notice and answer too).
struct DailyChecksCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String {
        "Reminds providers of evidence about to expire and suspends (or reports) what has lapsed; reminds and "
            + "suspends on compliance check deadlines; opens outcome reviews as they come due and reports overdue "
            + "ones. Once a day; also inside `serve`."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let now = context.application.clock.now()
        let report = try await EvidenceWatch.run(db: context.application.db, now: now)
        context.console.print(report.summary)
        if let deadlines = try await ComplianceChecks.runDaily(db: context.application.db, now: now) {
            context.console.print(
                "Compliance checks: \(deadlines.reminded) reminded, \(deadlines.suspended) suspended for not answering."
            )
        } else {
            context.console.print("Today's compliance deadlines have already been handled.")
        }
        context.console.print(try await Placements.runDailyReviews(db: context.application.db, now: now).summary)
    }
}

/// `dps publish`: publishes every fact not yet published as OCDS releases, with the notices they are due in. Each is
/// published once, whoever runs it (also inside `serve`, every DPS_PUBLISH_INTERVAL seconds).
struct PublishCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Publishes new awards, agreements, changes and endings as OCDS releases; also inside `serve`." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let report = try await Publication.sweep(db: context.application.db, now: context.application.clock.now())
        context.console.print(report.summary)
    }
}

/// `dps deliver-mail`: sends the outbox messages that are due by SMTP, once (cron may run it beside the loop inside
/// `serve`: a message is claimed before it is sent, so it goes once).
struct DeliverMailCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Sends the messages that are due by e-mail (DPS_SMTP_URL); also runs inside `serve`." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let transport = try MailDelivery.transport(app) else {
            throw Abort(.serviceUnavailable, reason: "E-mail is not configured: set DPS_SMTP_URL (and DPS_MAIL_FROM).")
        }
        let report = try await MailDelivery.run(app, transport: transport)
        context.console.print("Sent \(report.sent), to retry \(report.retrying), given up \(report.failed).")
    }
}

/// The outbox's delivery by SMTP, as `serve` and `dps deliver-mail` run it.
enum MailDelivery {
    static func transport(_ app: Application) throws -> SMTPTransport? {
        guard let mail = try app.config.mail() else { return nil }
        return SMTPTransport(
            settings: mail.settings, group: app.eventLoopGroup,
            heloName: URL(string: app.config.publicBaseURL)?.host ?? "localhost")
    }

    static func run(_ app: Application, transport: any MailTransport) async throws -> MailQueue.Report {
        let from = try app.config.mail()?.from ?? "no-reply@localhost"
        let clock = app.clock
        return try await MailQueue.deliverDue(
            transport: transport, from: from, baseURL: app.config.publicBaseURL, db: app.db, now: { clock.now() })
    }
}

/// While serving, closes due referrals every minute (the first pass of each day also runs the day's evidence check),
/// imports newer register snapshots from DPS_REGISTER_WATCH_DIR and, when e-mail is configured, delivers the outbox
/// every 15 seconds (DPS_MAIL_INTERVAL). DPS_JOBS=0 turns them all off, for instances that leave jobs to cron. Says
/// at start whether e-mail is on.
struct JobLoop: LifecycleHandler {
    final class Box: @unchecked Sendable { var tasks: [Task<Void, Never>] = [] }
    let box = Box()

    func didBootAsync(_ app: Application) async throws {
        guard CommandLine.arguments.contains("serve") else { return }
        let transport = try MailDelivery.transport(app)
        if let transport {
            app.logger.notice(
                "E-mail: delivering messages by SMTP through \(transport.settings.host):\(transport.settings.port).")
        } else {
            let off =
                "E-mail: off (DPS_SMTP_URL is not set). Messages are shown in the product, on each "
                + "organisation's Messages page."
            app.logger.notice("\(off)")
        }
        guard ProcessInfo.processInfo.environment["DPS_JOBS"] != "0" else { return }
        // DPS_JOB_INTERVAL: seconds between passes of the closing job and the daily checks (1 to 3600; 60 by default).
        let jobInterval =
            Int(ProcessInfo.processInfo.environment["DPS_JOB_INTERVAL"] ?? "").flatMap {
                (1...3600).contains($0) ? $0 : nil
            } ?? 60
        box.tasks.append(
            Task {
                while !Task.isCancelled {
                    do {
                        let closed = try await Referrals.closeDue(db: app.db, now: app.clock.now())
                        if closed > 0 { app.logger.notice("Closed \(closed) referral(s) at their deadline.") }
                        // Once a day: the first pass of each day claims it; the others find it done.
                        let evidence = try await EvidenceWatch.run(db: app.db, now: app.clock.now())
                        if !evidence.alreadyRun { app.logger.notice("Evidence check: \(evidence.summary)") }
                        if let d = try await ComplianceChecks.runDaily(db: app.db, now: app.clock.now()) {
                            app.logger.notice("Compliance checks: \(d.reminded) reminded, \(d.suspended) suspended.")
                        }
                        let reviews = try await Placements.runDailyReviews(db: app.db, now: app.clock.now())
                        if !reviews.alreadyRun { app.logger.notice("\(reviews.summary)") }
                    } catch {
                        app.logger.report(error: error)
                    }
                    try? await Task.sleep(for: .seconds(jobInterval))
                }
            })
        box.tasks.append(publishing(app))
        if let folder = ProcessInfo.processInfo.environment["DPS_REGISTER_WATCH_DIR"], !folder.isEmpty {
            box.tasks.append(registerWatch(app, folder: URL(fileURLWithPath: folder)))
        }
        guard let transport else { return }
        // DPS_MAIL_INTERVAL: seconds between deliveries (1 to 3600; 15 by default).
        let interval =
            Int(ProcessInfo.processInfo.environment["DPS_MAIL_INTERVAL"] ?? "").flatMap {
                (1...3600).contains($0) ? $0 : nil
            } ?? 15
        box.tasks.append(
            Task {
                while !Task.isCancelled {
                    do {
                        let report = try await MailDelivery.run(app, transport: transport)
                        if report != MailQueue.Report() {
                            app.logger.notice(
                                "E-mail: sent \(report.sent), to retry \(report.retrying), given up \(report.failed).")
                        }
                    } catch {
                        app.logger.report(error: error)
                    }
                    try? await Task.sleep(for: .seconds(interval))
                }
            })
    }

    /// DPS_PUBLISH_INTERVAL: seconds between publication sweeps (10 to 86,400; 300 by default).
    private func publishing(_ app: Application) -> Task<Void, Never> {
        let interval =
            Int(ProcessInfo.processInfo.environment["DPS_PUBLISH_INTERVAL"] ?? "").flatMap {
                (10...86_400).contains($0) ? $0 : nil
            } ?? 300
        return Task {
            while !Task.isCancelled {
                do {
                    let report = try await Publication.sweep(db: app.db, now: app.clock.now())
                    if report.releases + report.notices > 0 { app.logger.notice("\(report.summary)") }
                } catch {
                    app.logger.report(error: error)
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    /// DPS_REGISTER_WATCH_DIR: a folder where newer register snapshots are dropped (the files of `../shared/data`);
    /// every DPS_REGISTER_WATCH_INTERVAL seconds (60 to 86,400; an hour by default) a snapshot not yet imported is
    /// imported and checked by the inspection watch, once across instances.
    private func registerWatch(_ app: Application, folder: URL) -> Task<Void, Never> {
        let interval =
            Int(ProcessInfo.processInfo.environment["DPS_REGISTER_WATCH_INTERVAL"] ?? "").flatMap {
                (60...86_400).contains($0) ? $0 : nil
            } ?? 3_600
        app.logger.notice("Register watch: checking \(folder.path) every \(interval) s for a newer snapshot.")
        return Task {
            while !Task.isCancelled {
                do {
                    let report = try await Registers.importAndWatch(
                        from: folder, db: app.db, now: app.clock.now(),
                        progress: { app.logger.info("Register watch: \($0)") })
                    if !report.alreadyImported {
                        app.logger.notice("Register watch: imported a new snapshot. \(report.watch.summary)")
                    }
                } catch {
                    app.logger.report(error: error)
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        for task in box.tasks { task.cancel() }
    }
}

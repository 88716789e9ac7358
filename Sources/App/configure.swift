import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Configuration read once from the environment (see README and .env.example).
struct AppConfig: Sendable {
    /// PostgreSQL when set (production); otherwise the embedded SQLite file at `sqlitePath`.
    var databaseURL: String?
    var sqlitePath: String
    /// Migrate automatically on start (default for SQLite; production runs `dps migrate`).
    var autoMigrate: Bool
    /// Load the demo into an empty database when serving (default for SQLite).
    var demoOnServe: Bool
    var bcryptCost: Int
    var secureCookies: Bool
    /// The address people reach the service at, for links sent outside it (the parent's private link).
    /// Never taken from the request's Host header, which the sender controls.
    var publicBaseURL: String = "http://127.0.0.1:8080"
    /// `DPS_AUDIT_KEY`: the secret that keys the audit chain (at least 32 characters); unset, plain SHA-256.
    var auditKey: String? = nil
    /// `DPS_SMTP_URL` as given (checked at start by `mail()`); unset, messages stay in the product.
    var smtpURL: String? = nil
    /// `DPS_MAIL_FROM`: the sender of every e-mail; by default no-reply at the public address's host.
    var mailFrom: String? = nil
    /// `DATABASE_READ_URL`: a PostgreSQL streaming replica the figures, dashboards and CSV exports read from (with
    /// `DATABASE_URL` only); everything else, and every write, goes to the primary.
    var databaseReadURL: String? = nil

    /// The mail settings, or nil when e-mail is off; a malformed URL or sender stops the start with its reason.
    func mail() throws -> (settings: SMTPSettings, from: String)? {
        guard let smtpURL else { return nil }
        let settings = try SMTPSettings.parse(smtpURL)
        let from = mailFrom ?? "no-reply@\(URL(string: publicBaseURL)?.host ?? "localhost")"
        guard MailQueue.isAddress(from) || from.hasSuffix("@localhost") || from.hasSuffix("@127.0.0.1") else {
            throw SMTPSettings.Problem.invalid("DPS_MAIL_FROM must be one plain address, like dps@council.gov.uk")
        }
        return (settings, from)
    }

    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> AppConfig {
        let url = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        func flag(_ key: String, default value: Bool) -> Bool {
            guard let raw = env[key]?.lowercased() else { return value }
            return ["1", "true", "yes", "on"].contains(raw)
        }
        let publicBaseURL = publicURL(env["DPS_PUBLIC_URL"])
        return AppConfig(
            databaseURL: url,
            sqlitePath: env["SQLITE_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "dps.sqlite",
            autoMigrate: flag("DPS_AUTO_MIGRATE", default: url == nil),
            demoOnServe: flag("DPS_DEMO", default: url == nil),
            bcryptCost: Int(env["DPS_BCRYPT_COST"] ?? "") ?? 12,
            // Served over HTTPS (the public address says so), the session cookie is sent over HTTPS only.
            secureCookies: flag("DPS_SECURE_COOKIES", default: publicBaseURL.hasPrefix("https://")),
            publicBaseURL: publicBaseURL,
            auditKey: env["DPS_AUDIT_KEY"].flatMap { $0.count >= 32 ? $0 : nil },
            smtpURL: env["DPS_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 },
            mailFrom: env["DPS_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 },
            databaseReadURL: url == nil ? nil : env["DATABASE_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// `DPS_PUBLIC_URL` without a trailing slash, only http(s); the local default otherwise.
    static func publicURL(_ raw: String?) -> String {
        guard let raw, let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
            !raw.unicodeScalars.contains(where: { $0.value < 0x21 })
        else { return "http://127.0.0.1:8080" }
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }
}

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }
    var config: AppConfig {
        get { storage[ConfigKey.self] ?? .fromEnvironment() }
        set { storage[ConfigKey.self] = newValue }
    }
}

/// Sets up the whole application: database, sessions, middleware, routes and commands.
public func configure(_ app: Application) async throws {
    try await configure(app, config: .fromEnvironment())
}

func configure(_ app: Application, config: AppConfig, postgresSchema: String? = nil) async throws {
    app.config = config
    _ = try config.mail()  // a malformed DPS_SMTP_URL or DPS_MAIL_FROM stops the start, saying why
    // Read once; never unset (events written keyed stay verifiable in this process).
    if let key = config.auditKey { Audit.key = SymmetricKey(data: Data(key.utf8)) }
    if let url = config.databaseURL {
        var pg = try SQLPostgresConfiguration(url: url)
        // Tests isolate each case in its own schema.
        pg.searchPath = postgresSchema.map { [$0] }
        // No JIT compilation: it spent 15-40 ms compiling each figures query, more than most of them take to run.
        pg.coreConfiguration.options.additionalStartupParameters = [("jit", "off")]
        app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: 4), as: .psql)
        if let read = config.databaseReadURL {
            var replica = try SQLPostgresConfiguration(url: read)
            replica.searchPath = postgresSchema.map { [$0] }
            replica.coreConfiguration.options.additionalStartupParameters = [("jit", "off")]
            app.databases.use(
                .postgres(configuration: replica, maxConnectionsPerEventLoop: 2), as: .replica, isDefault: false)
        }
    } else {
        app.databases.use(.sqlite(.file(config.sqlitePath)), as: .sqlite)
    }
    app.migrations.add(DPSMigrations.all)
    app.migrations.add(SessionRecord.migration)
    app.migrations.add(SessionUserColumn())  // the session names its user, read with it in one statement

    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.signInGuard = SignInGuard(decoyHash: try app.password.hash(Tokens.random()))
    app.storedViews = ViewCache()
    app.sessions.use { _ in StoredSessions() }  // Fluent's table, written only when the session changes
    app.sessions.configuration.cookieName = "dps-session"
    // Max-Age alone (every browser in use honours it): an Expires date cost a DateFormatter per response, a fifth
    // of a small page's CPU.
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(
            string: id.string, expires: nil, maxAge: 8 * 3600, path: "/", isSecure: config.secureCookies,
            isHTTPOnly: true, sameSite: .lax)
    }
    app.routes.defaultMaxBodySize = "12mb"

    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(ActorMiddleware())
    app.middleware.use(RouteAccessMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)

    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(ImportRegistersCommand(), as: "import-registers")
    app.asyncCommands.use(DailyChecksCommand(), as: "daily-checks")
    app.asyncCommands.use(PublishCommand(), as: "publish")
    app.asyncCommands.use(AuditVerifyCommand(), as: "audit-verify")
    app.asyncCommands.use(AuditCheckpointCommand(), as: "audit-checkpoint")
    app.asyncCommands.use(UserCommand(), as: "create-user")
    app.asyncCommands.use(EvaluateCommand(), as: "evaluate")
    app.asyncCommands.use(BenchCommand(), as: "bench")
    app.asyncCommands.use(LoadSeedCommand(), as: "load-seed")
    app.asyncCommands.use(GenerateCommand(), as: "generate")

    app.asyncCommands.use(CloseReferralsCommand(), as: "close-referrals")
    app.asyncCommands.use(DeliverMailCommand(), as: "deliver-mail")
    app.lifecycle.use(SQLiteTuning())
    app.lifecycle.use(PrepareOnServe())
    app.lifecycle.use(JobLoop())
}

/// The embedded database, set up for a web server: write-ahead logging lets readers go on while one writer
/// commits (the setting lives in the file, so every connection and command gets it); writers queue in
/// `writeTransaction`.
struct SQLiteTuning: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        // SQLite answers with the mode now in force; if it could not switch (another connection holding the
        // file), serving on in rollback mode would turn concurrent bidders away, so refuse to start.
        let mode = try await sql.raw("PRAGMA journal_mode = WAL").first()?.decode(
            column: "journal_mode", as: String.self)
        guard mode?.lowercased() == "wal" else {
            throw Abort(
                .internalServerError, reason: "SQLite refused write-ahead logging (journal mode \(mode ?? "unknown"))")
        }
        // A larger page cache per connection (SQLite's default is 2 MiB): list pages touch thousands of index and
        // table pages, and re-reading them from the file cost a quarter of their CPU. The driver keeps exactly one
        // connection per event loop, so setting it on each loop's database sets it on every connection.
        for loop in app.eventLoopGroup.makeIterator() {
            guard let db = app.databases.database(logger: app.logger, on: loop) as? any SQLDatabase else { continue }
            try await db.raw("PRAGMA cache_size = \(unsafeRaw: String(-Self.cacheKiB))").run()
        }
    }

    /// Page cache per connection, in KiB (SQLite's negative `cache_size`).
    static let cacheKiB = 16_384
}

/// On `serve`: migrates when configured to (the SQLite default), and on the embedded default loads the
/// demo into an empty database and prints the sign-ins. Other commands leave the database alone.
struct PrepareOnServe: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard CommandLine.arguments.contains("serve") else { return }
        if app.config.autoMigrate { try await app.autoMigrate() }
        guard app.config.demoOnServe else { return }
        if try await Demo.isLoaded(on: app.db) == false {
            // The demo needs the public registers; without them the product still starts, empty.
            guard (try? Registers.dataDirectory()) != nil else {
                app.logger.warning(
                    """
                    No demo: the register data was not found \
                    (set DPS_DATA_DIR to the folder with postcode_district_centroids.csv). \
                    Create a first administrator with `dps create-user`.
                    """
                )
                return
            }
            app.logger.notice("Loading the demo (first start on this database)…")
            try await Demo.load(app: app)
        }
        print(Demo.signInSummary)
    }
}

extension DatabaseID {
    /// The streaming replica of `DATABASE_READ_URL`, when one is configured.
    static let replica = DatabaseID(string: "replica")
}

extension Request {
    /// Where reads that may lag a moment behind go (figures, dashboards, exports): the replica when configured,
    /// otherwise the one database.
    var readDB: any Database {
        application.config.databaseReadURL == nil ? db : db(.replica)
    }
}

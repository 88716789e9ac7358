import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import SQLKit
import Vapor

/// `dps load-seed --scale N`: fills a scratch database for `scripts/load-bench`, which then serves it and measures
/// the CPU each request costs. On top of the demo (loaded first if the database holds no DPS) it adds the
/// benchmark's national shape (`BenchCommand.seed`: a second lead authority with 10,000 establishments of 1,000
/// providers, all SEN members, and Birmingham as its partner), then, through the real use cases:
///
/// - a *template* referral of Birmingham's: published to its nearest 30 members, 20 of them bid, closed and
///   scored (the "20 bids of a closed referral" the benchmark reads);
/// - an *open* referral whose invited providers each have a bid writer, for the bid submissions;
///
/// and finally `1,000 × N − 1` copies of the template (with its items, invitations, bids, bid rows and scores),
/// made in SQL, so the authority's referral list, each provider's invitations and the bids tables grow with N.
/// Copies have no audit events or messages of their own: nothing reads them per referral.
///
/// Prints (and writes to `--manifest FILE`) a JSON description of the accounts and ids the benchmark needs.
/// Writes for good, so it refuses a database that holds a DPS other than the demo's.
struct LoadSeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "scale", help: "Referrals in the authority: 1,000 × scale (1 to 100, default 1)")
        var scale: Int?
        @Option(name: "manifest", help: "Also write the JSON manifest to this file")
        var manifest: String?
    }

    var help: String {
        "Seeds a scratch database for scripts/load-bench: the demo, 10,000 establishments and 1,000 × scale "
            + "closed referrals with 20 scored bids each. Use an empty database."
    }

    /// Every account the seed makes signs in with this password.
    static let password = Demo.password

    struct Manifest: Codable {
        var password: String
        var officer: String
        var admin: String
        var auditor: String
        var provider: String
        var referrals: Int
        var closedReferral: UUID
        var openReferral: UUID
        /// One bid writer and its invitation to the open referral per entry.
        var bidders: [Bidder]
        struct Bidder: Codable {
            var email: String
            var invitation: UUID
        }
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let scale = signature.scale ?? 1
        guard (1...100).contains(scale) else {
            throw BenchCommand.Refusal(description: "--scale must be a whole number from 1 to 100.")
        }
        let app = context.application
        let console = context.console
        let clock = ContinuousClock()
        let started = clock.now
        try await app.autoMigrate()
        let dpsCount = try await DPSRecord.query(on: app.db).count()
        guard dpsCount <= 1 else {
            throw BenchCommand.Refusal(
                description: "dps load-seed writes for good and runs only on a scratch database (this one holds "
                    + "\(dpsCount) DPSs).")
        }
        try await Demo.load(app: app)
        console.print("Demo loaded (\(Self.seconds(clock.now - started)) s).")

        let (sites, _) = BenchCommand.Fixtures.sites(count: 10_000, seed: 0xE11_2026)
        let world = try await BenchCommand.seed(app, sites: sites, now: Date())
        console.print(
            "National shape seeded: \(world.establishments) establishments of \(world.providers) providers "
                + "(\(Self.seconds(clock.now - started)) s).")

        let db = app.db
        let hash = try app.password.hash(Self.password)
        let now = Date()
        var manifest = try await Self.accounts(world: world, hash: hash, db: db)
        manifest.referrals = 1_000 * scale

        // The template: published ten days ago to the nearest 30, 20 bids, closed a week ago, scored.
        let published = now.addingTimeInterval(-10 * 86_400)
        let template = try await Self.referral(
            world, reach: 30, deadline: published.addingTimeInterval(3 * 86_400), at: published, db: db)
        let templateInvitations = try await InvitationRecord.query(on: db).filter(\.$referral.$id == template)
            .sort(\.$distanceMiles).all()
        var bidders: [UUID: Actor] = [:]
        for invitation in templateInvitations.prefix(20) {
            let actor = try await Self.bidder(for: invitation.organisationID, hash: hash, db: db, into: &bidders)
            try await Self.bid(invitation, actor: actor, db: db, at: published.addingTimeInterval(86_400))
        }
        _ = try await Referrals.closeDue(db: db, now: published.addingTimeInterval(3 * 86_400 + 60))
        let bids = try await BidRecord.query(on: db).filter(\.$referral.$id == template).all()
        for (i, bid) in bids.enumerated() {
            for criterion in Referrals.panelScored {
                let score = 1 + (i + criterion.rawValue.count) % 5
                try await Referrals.scoreBid(
                    template, bidID: bid.requireID(),
                    .init(criterion: criterion, score: score, comment: Demo.scoreComment(score), consensus: true),
                    actor: world.officer, db: db, now: published.addingTimeInterval(4 * 86_400))
            }
        }
        manifest.closedReferral = template

        // The open referral: published an hour ago, open for a fortnight; each invited provider gets a bid writer.
        let open = try await Self.referral(
            world, reach: 30, deadline: now.addingTimeInterval(14 * 86_400), at: now.addingTimeInterval(-3_600),
            db: db)
        manifest.openReferral = open
        let openInvitations = try await InvitationRecord.query(on: db).filter(\.$referral.$id == open)
            .sort(\.$distanceMiles).all()
        for invitation in openInvitations.prefix(16) {
            let actor = try await Self.bidder(for: invitation.organisationID, hash: hash, db: db, into: &bidders)
            try await Self.bid(invitation, actor: actor, db: db, at: now.addingTimeInterval(-1_800))
            manifest.bidders.append(.init(email: actor.email, invitation: try invitation.requireID()))
        }
        manifest.provider = manifest.bidders.first?.email ?? ""
        console.print(
            "Template referral with \(bids.count) scored bids and an open referral with \(openInvitations.count) "
                + "invitations made through the use cases (\(Self.seconds(clock.now - started)) s).")

        let copies = 1_000 * scale - 1
        try await ReferralCopier(db: db, template: template).copy(copies) { done in
            console.print("Copied \(done) of \(copies) referrals (\(Self.seconds(clock.now - started)) s).")
        }
        try await analyze(db)
        let json = String(decoding: try JSONEncoder().encode(manifest), as: UTF8.self)
        if let path = signature.manifest {
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        }
        console.print("Seeded in \(Self.seconds(clock.now - started)) s.")
        console.print(json)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// Known passwords for the benchmark's officer and administrator, and an auditor of its lead authority.
    static func accounts(world: BenchCommand.World, hash: String, db: any Database) async throws -> Manifest {
        for email in [world.officer.email, "admin@bench.invalid"] {
            try await User.query(on: db).filter(\.$email == email).set(\.$passwordHash, to: hash).update()
        }
        guard let admin = try await User.query(on: db).filter(\.$email == "admin@bench.invalid").first() else {
            throw BenchCommand.Refusal(description: "The benchmark's administrator is missing.")
        }
        try await User(
            organisationID: admin.$organisation.id, email: "auditor@bench.invalid", name: "Bench Auditor",
            role: Role.auditor.rawValue, passwordHash: hash
        ).create(on: db)
        return Manifest(
            password: password, officer: world.officer.email, admin: admin.email, auditor: "auditor@bench.invalid",
            provider: "", referrals: 0, closedReferral: UUID(), openReferral: UUID(), bidders: [])
    }

    /// A bid writer for the provider (one per provider, made the first time).
    static func bidder(for organisation: UUID, hash: String, db: any Database, into known: inout [UUID: Actor])
        async throws -> Actor
    {
        if let actor = known[organisation] { return actor }
        guard let org = try await Organisation.find(organisation, on: db) else {
            throw BenchCommand.Refusal(description: "An invited provider is missing.")
        }
        let user = User(
            organisationID: organisation, email: "bids\(known.count + 1)@bench.invalid", name: "Bench Bid Writer",
            role: Role.bidWriter.rawValue, passwordHash: hash)
        try await user.create(on: db)
        let actor = Actor(
            userID: try user.requireID(), name: user.name, email: user.email, role: .bidWriter,
            organisationID: organisation, organisationKind: .provider, organisationName: org.name)
        known[organisation] = actor
        return actor
    }

    /// A published referral of the benchmark's officer whose radius reaches its `reach` nearest members.
    static func referral(_ world: BenchCommand.World, reach: Int, deadline: Date, at time: Date, db: any Database)
        async throws -> UUID
    {
        let probe = try await Referrals.create(
            BenchCommand.referralInput(world, radius: "20"), actor: world.officer, db: db, now: time)
        let nearest = try await Referrals.candidates(
            Referrals.own(probe.requireID(), actor: world.officer, db: db), db: db)
        guard nearest.count >= reach else {
            throw BenchCommand.Refusal(description: "Only \(nearest.count) members; the seed needs \(reach).")
        }
        var input = BenchCommand.referralInput(world, radius: String(format: "%.3f", nearest[reach - 1].miles + 0.001))
        input.deadline = DisplayDate.isoMinute(deadline)
        let referral = try await Referrals.create(input, actor: world.officer, db: db, now: time)
        let id = try referral.requireID()
        _ = try await Referrals.publish(id, actor: world.officer, db: db, now: time)
        return id
    }

    /// A compliant bid at the approved rates, meeting the need and the must-have.
    static func bid(_ invitation: InvitationRecord, actor: Actor, db: any Database, at time: Date) async throws {
        let (core, _) = try await Referrals.approved(invitation, db: db)
        var form: [String: String] = [
            "outcomesStatement": "A key worker agrees a routine with her in the first week; we report weekly.",
            "discount": "0", "need.n1": "yes", "must.m1": "yes",
        ]
        for (line, pence) in core { form["core.\(line)"] = Money.poundsInput(pence - pence % 1_000) }
        try await Referrals.bid(invitation.requireID(), form: form, actor: actor, db: db, now: time)
    }
}

/// Copies one referral and everything hanging off it, in SQL: a mapping table gives every copied row a new id per
/// copy, and one `INSERT … SELECT` per table rewrites the ids that point inside the copy. Only for seeding.
struct ReferralCopier {
    var db: any Database
    var template: UUID

    /// Tables in the order their references need, each with its columns holding ids of copied rows and how its
    /// template rows are found.
    typealias Table = (name: String, mapped: [String], rows: @Sendable (UUID) -> SQLQueryString)
    static let tables: [Table] = [
        ("referrals", ["id"], { "t.id = \(bind: $0)" }),
        ("referral_items", ["id", "referral_id"], { "t.referral_id = \(bind: $0)" }),
        ("invitations", ["id", "referral_id"], { "t.referral_id = \(bind: $0)" }),
        ("bids", ["id", "referral_id", "invitation_id"], { "t.referral_id = \(bind: $0)" }),
        ("bid_lines", ["id", "bid_id", "referral_id"], { "t.referral_id = \(bind: $0)" }),
        ("bid_items_met", ["id", "bid_id", "referral_id"], { "t.referral_id = \(bind: $0)" }),
        (
            "bid_scores", ["id", "bid_id"],
            { "t.bid_id IN (SELECT b.id FROM bids b WHERE b.referral_id = \(bind: $0))" }
        ),
    ]

    func copy(_ copies: Int, progress: (Int) -> Void) async throws {
        let sql = try db.sql()
        try await sql.drop(table: "load_copy_map").ifExists().run()
        try await sql.create(table: "load_copy_map")
            .column("copy", type: .int).column("old_id", type: .custom(SQLRaw("UUID")))
            .column("new_id", type: .custom(SQLRaw("UUID"))).run()
        try await sql.create(index: "load_copy_map_old").on("load_copy_map").column("old_id").column("copy").run()
        // Every row of the template, whatever its table.
        var templateIDs: [UUID] = []
        var columns: [String: [String]] = [:]
        for table in Self.tables {
            let rows = try await sql.raw("SELECT * FROM \(ident: table.name) t WHERE \(table.rows(template))").all()
            columns[table.name] = rows.first?.allColumns ?? []
            templateIDs += try rows.map { try $0.decode(column: "id", as: UUID.self) }
        }
        let batch = max(1, 20_000 / max(1, templateIDs.count))
        let postgres = sql.dialect.name == "postgresql"
        let statements = Self.tables.map { statement($0, columns: columns[$0.name] ?? [], postgres: postgres) }
        let ids = templateIDs
        var done = 0
        while done < copies {
            let count = min(batch, copies - done)
            let first = done
            try await db.transaction { db in
                let sql = try db.sql()
                try await sql.delete(from: "load_copy_map").run()
                var rows: [[any SQLExpression]] = []
                for copy in first..<(first + count) {
                    for id in ids { rows.append([SQLBind(copy + 1), SQLBind(id), SQLBind(UUID())]) }
                }
                for chunk in rows.chunked(5_000) {
                    var insert = sql.insert(into: "load_copy_map").columns("copy", "old_id", "new_id")
                    for row in chunk { insert = insert.values(row) }
                    try await insert.run()
                }
                for statement in statements { try await sql.raw(statement).run() }
            }
            done += count
            if done % 10_000 < count || done == copies { progress(done) }
        }
        try await sql.drop(table: "load_copy_map").run()
    }

    /// `INSERT INTO t (…) SELECT m0.new_id, …, t.other, … FROM t JOIN load_copy_map m0 … WHERE <template rows>`;
    /// a referral's reference gets the copy's number so it stays unique.
    private func statement(_ table: Table, columns: [String], postgres: Bool) -> SQLQueryString {
        func quoted(_ name: String) -> String { "\"\(name)\"" }
        var selected: [String] = []
        var joins: [String] = []
        for column in columns {
            if let index = table.mapped.firstIndex(of: column) {
                selected.append("m\(index).new_id")
                joins.append(
                    "JOIN load_copy_map m\(index) ON m\(index).old_id = t.\(quoted(column))"
                        + (index == 0 ? "" : " AND m\(index).copy = m0.copy"))
            } else if table.name == "referrals" && column == "reference" {
                selected.append("t.reference || '-' || CAST(m0.copy AS TEXT)")
            } else if (table.name, column) == ("referrals", "created_at")
                || (table.name, column) == ("invitations", "invited_at")
            {
                // Each copy a minute older than the one before, as a real authority's history would be.
                selected.append(
                    postgres
                        ? "t.\(quoted(column)) - m0.copy * INTERVAL '1 minute'" : "t.\(quoted(column)) - m0.copy * 60")
            } else {
                selected.append("t.\(quoted(column))")
            }
        }
        // Every name here is the schema's own (the tables above, their columns as the database lists them).
        let name = quoted(table.name)
        let list = columns.map(quoted).joined(separator: ", ")
        let values = selected.joined(separator: ", ")
        var query: SQLQueryString = "INSERT INTO \(unsafeRaw: name) (\(unsafeRaw: list)) SELECT \(unsafeRaw: values) "
        query.appendInterpolation(unsafeRaw: "FROM \(name) t \(joins.joined(separator: " ")) WHERE ")
        query.appendInterpolation(table.rows(template))
        return query
    }
}

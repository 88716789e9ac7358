import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import SQLKit
import Vapor

/// `dps generate --referrals N`: a national data set for the figures at scale (issue 11), on PostgreSQL. On top of
/// the demo (its DPS, categories and one awarded referral are the templates), it adds:
///
/// - every children's services authority of England (`england_childrens_services_authorities.csv`) as a council,
///   grouped by region into one DPS per region, led by the region's first authority, every council a partner in
///   its region's DPS for every category;
/// - every establishment of the public registers with a location and an authority (GIAS special and independent
///   schools, Ofsted children's homes and fostering agencies), five to a provider, each a member of its region's DPS
///   in the category its register kind names;
/// - `N` referrals spread evenly over the ten years to today across the partners and categories, each inviting up
///   to 25 members of its category (20 bid, 3 decline), 3 in 10 awarded to the first invited, the rest closed;
/// - a placement for each award, ended (4 in 5 as planned) when its expected end has passed, with an outcome review
///   every six months to today (completed, except those of the last month, which are open).
///
/// Rows are made by the database (`INSERT … SELECT` over a table of numbers) in batches of 50,000 referrals with
/// progress printed, so memory stays bounded whatever N. It writes for good: it refuses a database holding more
/// than the demo's DPS. Generated rows have no audit events or messages. The same statements run on PostgreSQL (the
/// national set) and SQLite (a regional tenth), through `Dialect`'s few engine-specific expressions.
struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "referrals", help: "How many referrals over ten years (1,000 to 2,000,000; 1,000,000 default)")
        var referrals: Int?
    }

    var help: String {
        "Generates a national data set on PostgreSQL (councils, DPSs by region, the registers' establishments, "
            + "referrals over ten years with invitations, bids, placements and reviews) for the figures at scale."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let total = signature.referrals ?? 1_000_000
        guard (1_000...2_000_000).contains(total) else {
            throw BenchCommand.Refusal(description: "--referrals must be a whole number from 1,000 to 2,000,000.")
        }
        let app = context.application
        let console = context.console
        guard let sql = app.db as? any SQLDatabase else { return }
        let d = Dialect(postgres: sql.dialect.name == "postgresql")
        let clock = ContinuousClock()
        let started = clock.now
        func say(_ s: String) {
            let seconds = Double((clock.now - started).components.seconds)
            console.print("[\(Int(seconds)) s] \(s)")
        }
        try await app.autoMigrate()
        guard try await DPSRecord.query(on: app.db).count() <= 1 else {
            throw BenchCommand.Refusal(description: "dps generate writes for good; use an empty database.")
        }
        try await Demo.load(app: app)
        say("Demo loaded (the templates).")
        let dir = try Registers.dataDirectory()
        let loaded = try Registers.load(from: dir)
        let now = app.clock.now()
        let today = LocalDate.from(now)

        // Templates: the demo's DPS, an awarded referral with its winning bid and placement, a member's costs.
        guard
            let template = try await sql.raw(
                """
                SELECT r.id AS referral, p.id AS placement, p.bid_id AS bid, r.dps_id AS dps
                FROM referrals r JOIN placements p ON p.referral_id = r.id WHERE r.state = 'awarded' LIMIT 1
                """
            ).first()
        else { throw BenchCommand.Refusal(description: "The demo has no awarded referral to copy.") }
        let templateReferral = try template.decode(column: "referral", as: UUID.self)
        let templatePlacement = try template.decode(column: "placement", as: UUID.self)
        let templateBid = try template.decode(column: "bid", as: UUID.self)
        let templateDPS = try template.decode(column: "dps", as: UUID.self)

        for table in Self.scratch { try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run() }
        try await sql.raw("CREATE TABLE generator_numbers (n INTEGER PRIMARY KEY)").run()
        try await sql.raw(
            d.postgres
                ? "INSERT INTO generator_numbers SELECT generate_series(0, \(unsafeRaw: String(Self.batch - 1)))"
                : """
                WITH RECURSIVE s(n) AS (
                    SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < \(unsafeRaw: String(Self.batch - 1)))
                INSERT INTO generator_numbers SELECT n FROM s
                """
        ).run()

        // Councils, by region; the first of each region leads its DPS.
        let authorities = loaded.authorities.filter { $0.regionName != nil }
        for a in authorities {
            try await sql.raw(
                """
                INSERT INTO organisations (id, kind, name, gss_code, created_at)
                SELECT \(d.uuid), 'partner_authority', \(bind: a.name), \(bind: a.gssCode), \(d.now)
                WHERE NOT EXISTS (SELECT 1 FROM organisations WHERE gss_code = \(bind: a.gssCode))
                """
            ).run()
        }
        let regions = Dictionary(grouping: authorities, by: { $0.regionName! }).sorted { $0.key < $1.key }
        try await sql.raw(
            "CREATE TABLE generator_dps (i INT, dps_id UUID, region TEXT, partners INT)"
        ).run()
        try await sql.raw("CREATE TABLE generator_partners (dps_id UUID, n INT, organisation_id UUID)").run()
        for (i, (region, members)) in regions.enumerated() {
            let codes = members.map(\.gssCode).sorted()
            try await sql.raw(
                """
                UPDATE organisations SET kind = 'lead_authority' WHERE gss_code = \(bind: codes[0])
                    AND kind = 'partner_authority'
                """
            ).run()
            let dps = UUID()
            try await sql.raw(
                """
                INSERT INTO dps (id, title, lead_organisation_id, regime, validity_start, validity_end,
                    short_deadlines_agreed, description, terms, parent_choice_band_points, created_at)
                SELECT \(bind: dps), \(bind: "Children's Placements DPS: " + region),
                    (SELECT id FROM organisations WHERE gss_code = \(bind: codes[0])), regime, '2016-04-01',
                    '2030-03-31', short_deadlines_agreed, description, terms, parent_choice_band_points, \(d.now)
                FROM dps WHERE id = \(bind: templateDPS)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO categories (id, dps_id, name, code, description, contract_name, affordability_cap_pence,
                    minimum_invitees, content_json, position)
                SELECT \(d.uuid), \(bind: dps), name, code, description, contract_name,
                    affordability_cap_pence, minimum_invitees, content_json, position
                FROM categories WHERE dps_id = \(bind: templateDPS)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO dps_partners (id, dps_id, organisation_id, category_ids_json, is_joiner, joined_on)
                SELECT \(d.uuid), \(bind: dps), o.id, '[]', false, '2016-04-01'
                FROM organisations o WHERE o.gss_code IN (\(binds: codes))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO partner_categories (id, partner_id, dps_id, organisation_id, category_id)
                SELECT \(d.uuid), p.id, p.dps_id, p.organisation_id, c.id
                FROM dps_partners p JOIN categories c ON c.dps_id = p.dps_id WHERE p.dps_id = \(bind: dps)
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO generator_partners (dps_id, n, organisation_id)
                SELECT dps_id, CAST(row_number() OVER (ORDER BY organisation_id) - 1 AS INTEGER), organisation_id
                FROM dps_partners WHERE dps_id = \(bind: dps)
                """
            ).run()
            try await sql.raw(
                "INSERT INTO generator_dps VALUES (\(bind: i), \(bind: dps), \(bind: region), \(bind: codes.count))"
            ).run()
        }
        say("\(authorities.count) councils in \(regions.count) DPSs, one per region.")

        // Establishments of the registers, five to a provider, each a member of its region's DPS.
        let regionOf = Dictionary(
            authorities.map { ($0.gssCode, $0.regionName!) }, uniquingKeysWith: { a, _ in a })
        let known = Set(
            try await sql.raw("SELECT urn FROM establishments WHERE urn IS NOT NULL").all().map {
                try $0.decode(column: "urn", as: String.self)
            })
        let code: [String: String] = ["childrens_home": "residential", "independent_fostering_agency": "fostering"]
        let entries = loaded.entries.filter {
            $0.latitude != nil && $0.longitude != nil && regionOf[$0.laGSSCode ?? ""] != nil
                && !known.contains($0.urn.uppercased())
                && ($0.source == .gias || code[$0.category] != nil)
        }
        try await sql.raw("DROP TABLE IF EXISTS generator_new").run()
        try await sql.raw("CREATE TABLE generator_new (establishment UUID, organisation UUID, region TEXT, code TEXT)")
            .run()
        var provider = UUID()
        var rows: [[any SQLExpression]] = []
        var memberRows: [[any SQLExpression]] = []
        func flush() async throws {
            guard !rows.isEmpty else { return }
            try await sql.insert(into: "establishments").columns(
                "id", "organisation_id", "name", "type", "urn", "address", "town", "postcode", "postcode_district",
                "latitude", "longitude", "location_approximate", "age_low", "age_high", "genders", "capacity",
                "inspectorate", "judgement", "judgement_date", "la_gss_code", "created_at"
            ).rows(rows).run()
            try await sql.insert(into: "generator_new").columns("establishment", "organisation", "region", "code")
                .rows(memberRows).run()
            rows = []
            memberRows = []
        }
        for (i, e) in entries.enumerated() {
            if i % 5 == 0 {
                provider = UUID()
                try await sql.raw(
                    """
                    INSERT INTO organisations (id, kind, name, created_at)
                    VALUES (\(bind: provider), 'provider', \(bind: e.operatorName ?? "Provider \(i / 5 + 1)"), \(d.now))
                    """
                ).run()
            }
            let id = UUID()
            let postcode = e.postcode ?? "ZZ99 9ZZ"
            rows.append([
                SQLBind(id), SQLBind(provider), SQLBind(e.name ?? "Establishment \(i + 1)"), SQLBind(e.type),
                SQLBind(e.urn.uppercased()), SQLBind(e.addressLines.first ?? "Address withheld"),
                SQLBind(e.town ?? ""), SQLBind(postcode),
                SQLBind(String(postcode.split(separator: " ").first ?? "")), SQLBind(e.latitude),
                SQLBind(e.longitude), SQLBind(e.locationApproximate), SQLBind(e.ageLow ?? 5),
                SQLBind(e.ageHigh ?? 18), SQLBind(e.genders ?? "mixed"), SQLBind(e.capacity ?? 0),
                SQLBind(e.inspectorate ?? "ofsted"), SQLBind(e.latestJudgement ?? "Not yet inspected"),
                SQLBind(e.judgementDate), SQLBind(e.laGSSCode), SQLBind(now),
            ])
            memberRows.append([
                SQLBind(id), SQLBind(provider), SQLBind(regionOf[e.laGSSCode ?? ""]!),
                SQLBind(e.source == .gias ? "sen-inmss" : code[e.category]!),
            ])
            if rows.count == 500 { try await flush() }
        }
        try await flush()
        try await sql.raw(
            """
            INSERT INTO memberships (id, dps_id, category_id, establishment_id, organisation_id, state,
                qualification_score, core_costs_json, discounts_json, admitted_at)
            SELECT \(d.uuid), g.dps_id, c.id, x.establishment, x.organisation, 'active', 5000 + \(d.random(4000)),
                COALESCE((SELECT m.core_costs_json FROM memberships m JOIN categories t ON t.id = m.category_id
                    WHERE t.dps_id = \(bind: templateDPS) AND t.code = x.code LIMIT 1), '{}'), '{}', \(d.now)
            FROM generator_new x JOIN generator_dps g ON g.region = x.region
                JOIN categories c ON c.dps_id = g.dps_id AND c.code = x.code
            """
        ).run()
        try await sql.raw(
            """
            CREATE TABLE generator_members AS
            SELECT m.id AS membership_id, m.establishment_id, m.organisation_id, m.dps_id, m.category_id,
                CAST(row_number() OVER (PARTITION BY m.dps_id, m.category_id ORDER BY m.id) - 1 AS INTEGER) AS n
            FROM memberships m JOIN generator_dps d ON d.dps_id = m.dps_id
            """
        ).run()
        try await sql.raw("CREATE INDEX generator_members_n ON generator_members (dps_id, category_id, n)").run()
        try await sql.raw(
            """
            CREATE TABLE generator_pools AS
            SELECT dps_id, category_id, size,
                CAST(row_number() OVER (PARTITION BY dps_id ORDER BY category_id) - 1 AS INTEGER) AS k,
                CAST(COUNT(*) OVER (PARTITION BY dps_id) AS INTEGER) AS pools
            FROM (SELECT dps_id, category_id, CAST(COUNT(*) AS INTEGER) AS size FROM generator_members
                GROUP BY dps_id, category_id HAVING COUNT(*) >= 5) x
            """
        ).run()
        // Statistics for the planner, so it reads the small scratch tables by their keys.
        for table in Self.scratch { try await sql.raw("ANALYZE \(unsafeRaw: table)").run() }
        say("\(entries.count) establishments of \((entries.count + 4) / 5) providers, each a member.")
        try await generateReferrals(
            sql, d, total: total, today: today, templateReferral: templateReferral, templateBid: templateBid,
            templatePlacement: templatePlacement, say: say)
        for table in Self.scratch { try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run() }
        // As autovacuum would in time: planner statistics, and (PostgreSQL) the visibility map that lets counts read
        // indexes only.
        try await sql.raw(d.postgres ? "VACUUM ANALYZE" : "ANALYZE").run()
        say("Done.")
    }

    /// The generator's scratch tables, dropped before and after.
    static let scratch = [
        "generator_numbers", "generator_dps", "generator_partners", "generator_members", "generator_pools",
        "generator_new",
    ]
    static let batch = 50_000

    /// The few expressions the engines spell differently. Times are PostgreSQL timestamps or SQLite's seconds since
    /// 1970 (as Fluent stores a `Date`); dates are ISO text on both.
    struct Dialect {
        let postgres: Bool

        /// A new id, as each engine stores one (SQLite: upper-case text).
        var uuid: SQLQueryString {
            postgres
                ? "gen_random_uuid()"
                : """
                upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' \
                || substr('89AB', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' \
                || hex(randomblob(6)))
                """
        }
        var now: SQLQueryString { postgres ? "now()" : "CAST(strftime('%s', 'now') AS REAL)" }
        /// A whole number from 0 to n − 1, at random.
        func random(_ n: Int) -> SQLQueryString {
            postgres
                ? "CAST(floor(random() * \(unsafeRaw: String(n))) AS INTEGER)"
                : "(abs(random()) % \(unsafeRaw: String(n)))"
        }
        /// A time `seconds` after 1970.
        func time(_ seconds: SQLQueryString) -> SQLQueryString {
            postgres ? "to_timestamp(\(seconds))" : "(\(seconds))"
        }
        /// A time plus whole days.
        func plusDays(_ time: SQLQueryString, _ days: Int) -> SQLQueryString {
            plusDays(time, "\(unsafeRaw: String(days))")
        }
        /// A time plus a number of days (an SQL expression).
        func plusDays(_ time: SQLQueryString, _ days: SQLQueryString) -> SQLQueryString {
            postgres ? "(\(time) + (\(days)) * interval '1 day')" : "(\(time) + (\(days)) * 86400)"
        }
        /// The ISO date of a time.
        func isoDate(ofTime time: SQLQueryString) -> SQLQueryString {
            postgres ? "to_char(\(time), 'YYYY-MM-DD')" : "date(\(time), 'unixepoch')"
        }
        /// An ISO date plus a number of days or months (an SQL expression), as an ISO date.
        func isoDate(_ date: SQLQueryString, plus amount: SQLQueryString, _ unit: String) -> SQLQueryString {
            postgres
                ? """
                to_char(CAST(\(date) AS DATE) + CAST(\(amount) AS INTEGER) * interval '1 \(unsafeRaw: unit)', \
                'YYYY-MM-DD')
                """
                : "date(\(date), '+' || (\(amount)) || ' \(unsafeRaw: unit)s')"
        }
        /// The start of an ISO date, as a time.
        func time(ofDate date: SQLQueryString) -> SQLQueryString {
            postgres ? "CAST(CAST(\(date) AS DATE) AS TIMESTAMPTZ)" : "CAST(strftime('%s', \(date)) AS REAL)"
        }
        var least: SQLQueryString { postgres ? "LEAST" : "min" }
    }

    /// Referrals in batches, each batch with its invitations, bids, placements and reviews.
    func generateReferrals(
        _ sql: any SQLDatabase, _ d: Dialect, total: Int, today: LocalDate, templateReferral: UUID, templateBid: UUID,
        templatePlacement: UUID, say: (String) -> Void
    ) async throws {
        let end = today.startOfDay().timeIntervalSince1970 - 40 * 86_400
        let span = 10 * 365.25 * 86_400
        var first = 1
        while first <= total {
            let last = min(total, first + Self.batch - 1)
            // The batch's referral numbers g, and each one's publication.
            let numbers: SQLQueryString = """
                (SELECT \(bind: first) + n AS g FROM generator_numbers WHERE n <= \(bind: last - first))
                """
            let pub = d.time("\(bind: end - span) + CAST(x.g AS REAL) / \(bind: total) * \(bind: span)")
            // Referrals: partner, category and publication spread evenly; 3 in 10 awarded; a start wanted 3 to 8
            // weeks after publication.
            try await sql.raw(
                """
                INSERT INTO referrals (id, dps_id, category_id, organisation_id, created_by, kind, round, state,
                    reference, pattern, weeks_per_year, start_date, duration_weeks, children, places, void_terms,
                    child_age, child_gender, home_postcode, child_details, home_district, home_latitude,
                    home_longitude, needs_json, must_haves_json, desirables_json, outcomes_json, weights_json,
                    radius_miles, deadline, parent_choice, published_at, closed_at, created_at)
                SELECT \(d.uuid), dp.dps_id, pl.category_id, p.organisation_id, t.created_by, t.kind, 1,
                    CASE WHEN (x.g / 10) % 10 < 3 THEN 'awarded' ELSE 'closed' END, 'GEN-' || x.g, t.pattern,
                    t.weeks_per_year, \(d.isoDate(ofTime: d.plusDays(pub, "21 + (x.g * 7) % 36"))),
                    52 + (x.g % 3) * 26, 1, 1,
                    t.void_terms, t.child_age, t.child_gender, t.home_postcode, t.child_details, t.home_district,
                    t.home_latitude, t.home_longitude, t.needs_json, t.must_haves_json, t.desirables_json,
                    t.outcomes_json, t.weights_json, t.radius_miles, \(d.plusDays(pub, 3)), t.parent_choice, \(pub),
                    \(d.plusDays(pub, 3)), \(pub)
                FROM \(numbers) x
                JOIN generator_dps dp ON dp.i = x.g % (SELECT COUNT(*) FROM generator_dps)
                JOIN generator_partners p ON p.dps_id = dp.dps_id AND p.n = (x.g / 9) % dp.partners
                JOIN generator_pools pl ON pl.dps_id = dp.dps_id AND pl.k = (x.g / 7) % pl.pools
                CROSS JOIN (SELECT * FROM referrals WHERE id = \(bind: templateReferral)) t
                """
            ).run()
            // Invitations: 25 members in a row of the pool, from a point set by the referral's number; 3 decline.
            let range: SQLQueryString = "r.reference IN (SELECT 'GEN-' || g FROM \(numbers) x)"
            let number: SQLQueryString = "CAST(substr(r.reference, 5) AS BIGINT)"
            try await sql.raw(
                """
                INSERT INTO invitations (id, referral_id, membership_id, establishment_id, organisation_id,
                    distance_miles, qualification_score, invited_at, declined_reason, declined_note, declined_at)
                SELECT \(d.uuid), r.id, m.membership_id, m.establishment_id, m.organisation_id,
                    1 + ((\(number) * 31 + s.n * 17) % 600) / 10.0, 6000, r.published_at,
                    CASE s.n WHEN 20 THEN 'cannot_meet_needs' WHEN 21 THEN 'no_vacancy' WHEN 22 THEN 'no_vacancy' END,
                    CASE WHEN s.n BETWEEN 20 AND 22 THEN '' END,
                    CASE WHEN s.n BETWEEN 20 AND 22 THEN \(d.plusDays("r.published_at", 1)) END
                FROM referrals r
                JOIN generator_pools pl ON pl.dps_id = r.dps_id AND pl.category_id = r.category_id
                JOIN generator_numbers s ON s.n < 25 AND s.n < pl.size
                JOIN generator_members m ON m.dps_id = r.dps_id AND m.category_id = r.category_id
                    AND m.n = (\(number) * 7919 + s.n) % pl.size
                WHERE \(range)
                """
            ).run()
            // Bids: from most of those who did not decline, priced around the category's usual weekly fee. A bid on a
            // referral to be awarded gets its rank in the award's evaluation as it is made: the bid of the member first
            // invited wins, the others follow by price (then invitation). Ranking them here, rather than updating the
            // batch's bids afterwards, saves a second write of every awarded bid (a seventh of a batch's time on
            // PostgreSQL). The ranking reads narrow rows; the template's wide columns join after it.
            try await sql.raw(
                """
                INSERT INTO bids (id, referral_id, invitation_id, establishment_id, organisation_id, state, core_json,
                    variable_json, discount_bp, needs_met_json, must_haves_met_json, desirables_met_json,
                    outcomes_statement, incentive, distance_miles, weekly_cost_pence, submitted_at, award_rank)
                SELECT y.id, y.referral_id, y.invitation_id, y.establishment_id, y.organisation_id, 'submitted',
                    t.core_json, t.variable_json, 0, t.needs_met_json, t.must_haves_met_json, t.desirables_met_json,
                    t.outcomes_statement, t.incentive, y.distance_miles, y.weekly_cost_pence, y.submitted_at,
                    y.award_rank
                FROM (
                    SELECT x.*, CASE WHEN x.awarded = 1 THEN ROW_NUMBER() OVER (PARTITION BY x.referral_id
                        ORDER BY CASE WHEN x.invited_order = 1 THEN 0 ELSE 1 END, x.weekly_cost_pence, x.invitation_id)
                        END AS award_rank
                    FROM (
                        SELECT \(d.uuid) AS id, r.id AS referral_id, i.id AS invitation_id, i.establishment_id,
                            i.organisation_id, i.distance_miles,
                            (CASE c.code WHEN 'fostering' THEN 95000 WHEN 'residential' THEN 550000 ELSE 420000 END)
                                * (80 + \(d.random(45))) / 100 AS weekly_cost_pence,
                            \(d.plusDays("r.published_at", 2)) AS submitted_at,
                            CASE WHEN r.state = 'awarded' THEN 1 ELSE 0 END AS awarded,
                            ROW_NUMBER() OVER (PARTITION BY r.id ORDER BY i.invited_at, i.id) AS invited_order
                        FROM referrals r JOIN invitations i ON i.referral_id = r.id
                        JOIN categories c ON c.id = r.category_id
                        WHERE \(range) AND i.declined_at IS NULL
                            AND (CAST(i.distance_miles * 10 AS INTEGER) * 7 + \(number)) % 25 < 22
                    ) x
                ) y
                CROSS JOIN (SELECT * FROM bids WHERE id = \(bind: templateBid)) t
                """
            ).run()
            // Planner statistics once the tables hold real numbers, before anything reads them per referral: with the
            // demo's tiny ones SQLite scanned every bid for each award, and PostgreSQL, when its autovacuum had not
            // analysed the new rows yet, counted each referral's invitations by reading all of them (the first batch's
            // counts ran for over ten minutes before they were stopped).
            if first == 1 { try await sql.raw("ANALYZE").run() }
            // Each referral's counts, as its close keeps them (M0032).
            try await sql.raw(
                """
                UPDATE referrals SET \(unsafeRaw: MarketSummaries.closedCounts)
                WHERE reference IN (SELECT 'GEN-' || g FROM \(numbers) x)
                """
            ).run()
            // Awards, 1 to 6 days after the close: the bid of the member first invited wins; the placement starts on
            // the referral's start date and ends at its expected end if that has passed (one in five unplanned).
            let endDay = d.isoDate("r.start_date", plus: "r.duration_weeks * 7", "day")
            let unplanned: SQLQueryString = "(\(number) / 100) % 5 = 0"
            try await sql.raw(
                """
                INSERT INTO placements (id, referral_id, bid_id, establishment_id, provider_id, authority_id,
                    contract_name, start_date, weekly_fee_pence, core_json, variable_json, discount_bp, outcomes_json,
                    review_dates_json, direct, created_at, reference, dps_id, category_id, created_by,
                    child_details, expected_end_date, actual_end_date, ending_kind, ending_reason, ended_at, status)
                SELECT \(d.uuid), r.id, b.id, b.establishment_id, b.organisation_id, r.organisation_id,
                    t.contract_name, r.start_date, b.weekly_cost_pence, b.core_json, b.variable_json, 0,
                    r.outcomes_json, '[]', false, \(d.plusDays("r.closed_at", "1 + \(number) % 6")), r.reference,
                    r.dps_id, r.category_id, r.created_by, t.child_details, \(endDay),
                    CASE WHEN \(endDay) < \(bind: today.iso) THEN \(endDay) END,
                    CASE WHEN \(endDay) < \(bind: today.iso) THEN
                        CASE WHEN \(unplanned) THEN 'unplanned' ELSE 'planned' END END,
                    CASE WHEN \(endDay) < \(bind: today.iso) THEN
                        CASE WHEN \(unplanned) THEN 'broke_down' ELSE 'moved_on_as_planned' END END,
                    CASE WHEN \(endDay) < \(bind: today.iso) THEN \(d.time(ofDate: endDay)) END,
                    CASE WHEN \(endDay) < \(bind: today.iso) THEN 'ended' ELSE 'active' END
                FROM referrals r JOIN bids b ON b.referral_id = r.id AND b.award_rank = 1
                CROSS JOIN (SELECT * FROM placements WHERE id = \(bind: templatePlacement)) t
                WHERE \(range) AND r.state = 'awarded'
                """
            ).run()
            // The competition's facts on each placement, as the award keeps them (M0033).
            try await PlacementFacts.fill(
                "referral_id IN (SELECT r.id FROM referrals r WHERE \(range) AND r.state = 'awarded')", sql: sql)
            // Statistics again on the first batch, now that there are awards and placements: the earlier ones said
            // none, and PostgreSQL then planned the provider's ranks as a handful of rows (stopped after seven minutes
            // on the first batch).
            if first == 1 { try await sql.raw("ANALYZE").run() }
            // The market's and each provider's counts, as the close and the award add them (M0032, M0035, M0036).
            try await MarketSummaries.addClosedReferrals(range, sql: sql)
            try await MarketSummaries.addAwardedReferrals("\(range) AND r.state = 'awarded'", sql: sql)
            // Reviews every six months from the start to the ending or today; the last month's still open.
            let due = d.isoDate("p.start_date", plus: "s.n * 6", "month")
            let monthAgo = today.adding(days: -30).iso
            try await sql.raw(
                """
                INSERT INTO placement_reviews (id, placement_id, sequence, due_date, state, created_at, dps_id,
                    authority_id, category_id)
                SELECT \(d.uuid), p.id, s.n, \(due),
                    CASE WHEN \(due) < \(bind: monthAgo) THEN 'completed' ELSE 'due' END, \(d.now), p.dps_id,
                    p.authority_id, p.category_id
                FROM placements p JOIN referrals r ON r.id = p.referral_id
                JOIN generator_numbers s ON s.n BETWEEN 1 AND 20
                WHERE \(range)
                    AND \(due) <= \(d.least)(COALESCE(p.actual_end_date, p.expected_end_date), \(bind: today.iso))
                """
            ).run()
            say("Referrals \(last) of \(total), with their invitations, bids, placements and reviews.")
            first = last + 1
        }
    }
}

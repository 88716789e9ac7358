import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Publication in the Open Contracting Data Standard (DOMAIN §10, issue 10): every fact the product holds that the
/// law or the standard asks to be public becomes one release, made once, in its own transaction with the notice it
/// is due in; the public API and pages read the stored releases.
///
/// The rule on children's data: a release carries organisations, categories, dates, values and the DPS's own
/// published texts, and nothing typed about a child or a placement: no name, date of birth, age, gender, needs,
/// postcode, case reference, referral or placement reference, justification, reason or note. Addresses are left
/// out altogether (a children's home's is confidential), and a call-off's area is the placing council's alone.
package enum Publication {
    // MARK: Making releases

    /// What one sweep published.
    package struct Report: Sendable, Equatable {
        package var releases = 0
        package var notices = 0
        package var summary: String { "Publication: \(releases) new releases, \(notices) new notices." }
    }

    /// Publishes every fact not yet published, in every DPS: idempotent (each release is keyed by its fact), so
    /// cron, the loop inside `serve` and two instances may run it at once and each fact is published once.
    package static func sweep(db: any Database, now: Date) async throws -> Report {
        var report = Report()
        let today = LocalDate.from(now)
        for dps in try await DPSRecord.query(on: db).with(\.$lead).all() {
            let context = try Context(dps: dps, lead: dps.lead)
            for fact in try await facts(context, db: db, today: today) {
                let (release, notice) = fact
                let made = try await db.writeTransaction { db in
                    try await store(release, notice: notice, context: context, db: db, now: now)
                }
                if made.release { report.releases += 1 }
                if made.notice { report.notices += 1 }
            }
        }
        // A quarter's grouped award notice is final once the quarter has ended: its run is claimed by period.
        let ended = Quarter(containing: today).previous
        if try await JobRun.claim("award-publication", period: ended.key, db: db, now: now) {
            let awards =
                try await db.sql().raw(
                    """
                    SELECT COUNT(*) AS n FROM ocds_releases
                    WHERE stage = 'award' AND release_date >= \(bind: ended.start.iso)
                        AND release_date < \(bind: ended.next.start.iso)
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            try await JobRun.finish(
                "award-publication", period: ended.key, summary: "\(awards) awards in \(ended.label).", db: db,
                now: now)
        }
        return report
    }

    /// One DPS's publishing settings and its lead authority as a party.
    struct Context {
        var dpsID: UUID
        var title: String
        var description: String
        var regime: Regime
        var prefix: String
        var lead: OCDS.Party
        var validityStart: LocalDate
        var validityEnd: LocalDate
        var ocid: String { "\(prefix)-dps-\(dpsID.uuidString.lowercased())" }

        init(dps: DPSRecord, lead: Organisation) throws {
            dpsID = try dps.requireID()
            title = dps.title
            description = dps.description
            guard let regime = Regime(rawValue: dps.regime), let start = LocalDate(iso: dps.validityStart),
                let end = LocalDate(iso: dps.validityEnd)
            else { throw UseCaseError(.internalFailure, "A stored DPS's regime or period does not read.") }
            self.regime = regime
            prefix = OCDS.isValidPrefix(dps.ocidPrefix) ? dps.ocidPrefix : "ocds-dpsdev"
            validityStart = start
            validityEnd = end
            self.lead = Publication.party(lead, prefix: prefix, roles: ["procuringEntity", "buyer"])
        }
    }

    /// A notice a release is due in: its kind, the date of what it reports, and the value it carries.
    struct Notice {
        var kind: NoticeKind
        var key: String
        var title: String
        var event: LocalDate
        var valuePence: Int?
    }

    typealias Fact = (release: Stored, notice: Notice?)

    struct Stored {
        var release: OCDS.Release
        var stage: OCDS.Stage
        var entityID: UUID
        /// The release's date as a London day, for the quarter it falls in.
        var day: LocalDate
    }

    private static func store(
        _ fact: Stored, notice: Notice?, context: Context, db: any Database, now: Date
    ) async throws -> (release: Bool, notice: Bool) {
        let sql = try db.sql()
        // Whole milliseconds: the list's cursor carries the time to the millisecond.
        let at = Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let inserted =
            try await sql.insert(into: PublicationTables.releases)
            .columns(
                "release_id", "ocid", "dps_id", "stage", "entity_id", "release_date", "published_at", "notice_key",
                "json"
            )
            .values(
                SQLBind(fact.release.id), SQLBind(fact.release.ocid), SQLBind(context.dpsID),
                SQLBind(fact.stage.rawValue), SQLBind(fact.entityID), SQLBind(fact.day.iso), SQLBind(at),
                SQLBind(notice?.key), SQLBind(try encode(fact.release))
            )
            .ignoringConflicts().returning("release_id").first() != nil
        guard inserted, let notice else { return (inserted, false) }
        let noticeMade =
            try await sql.insert(into: PublicationTables.notices)
            .columns(
                "id", "dps_id", "notice_key", "kind", "title", "event_date", "due_date", "value_pence", "created_at"
            )
            .values(
                SQLBind(UUID()), SQLBind(context.dpsID), SQLBind(notice.key), SQLBind(notice.kind.rawValue),
                SQLBind(notice.title), SQLBind(notice.event.iso),
                SQLBind(NoticeCalendar.due(notice.kind, event: notice.event).iso), SQLBind(notice.valuePence),
                SQLBind(now)
            )
            .ignoringConflicts().returning("id").first() != nil
        return (true, noticeMade)
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: The facts

    /// Every fact of one DPS not yet published, oldest first within each kind.
    private static func facts(_ c: Context, db: any Database, today: LocalDate) async throws -> [Fact] {
        var out: [Fact] = []
        let sql = try db.sql()
        func unpublished(_ stage: OCDS.Stage, _ alias: String) -> SQLQueryString {
            """
            NOT EXISTS (SELECT 1 FROM ocds_releases o WHERE o.entity_id = \(unsafeRaw: alias).id
                AND o.stage = \(bind: stage.rawValue))
            """
        }
        // The market itself: established, each change of its period, and its end.
        if try await sql.raw(
            "SELECT 1 AS one FROM dps d WHERE d.id = \(bind: c.dpsID) AND \(unpublished(.marketEstablished, "d"))"
        ).first() != nil {
            let lots = try await CategoryRecord.query(on: db).filter(\.$dps.$id == c.dpsID).sort(\.$position).all()
            out.append(market(c, lots: lots))
        }
        let changes = try await ValidityChangeRecord.query(on: db).filter(\.$dps.$id == c.dpsID)
            .sort(\.$changedAt).all()
        let changed = Set(
            try await sql.raw(
                """
                SELECT entity_id FROM ocds_releases WHERE dps_id = \(bind: c.dpsID)
                    AND stage = \(bind: OCDS.Stage.marketModified.rawValue)
                """
            ).all().map { try $0.decode(column: "entity_id", as: UUID.self) })
        for change in changes where !changed.contains(try change.requireID()) {
            out.append(try marketChange(c, change))
        }
        if today > c.validityEnd,
            try await sql.raw(
                "SELECT 1 AS one FROM dps d WHERE d.id = \(bind: c.dpsID) AND \(unpublished(.marketCeased, "d"))"
            ).first() != nil
        {
            out.append(marketCeased(c))
        }
        // Admissions: awards of the DPS's own process, to the provider, for the category.
        let admissions = try await sql.raw(
            """
            SELECT m.id, m.category_id, m.admitted_at, o.id AS org_id, o.name, o.legal_name, o.company_number,
                o.charity_number, o.gss_code, c.name AS category
            FROM memberships m JOIN organisations o ON o.id = m.organisation_id
                JOIN categories c ON c.id = m.category_id
            WHERE m.dps_id = \(bind: c.dpsID) AND \(unpublished(.admission, "m"))
            ORDER BY m.admitted_at, m.id
            """
        ).all()
        for row in admissions { out.append(try admission(c, row)) }
        // Call-offs: each published referral, and how it ended without an award.
        let referrals = try await sql.raw(
            """
            SELECT r.id, r.published_at, r.deadline, r.state, c.name AS category, c.code, a.id AS org_id, a.name,
                a.legal_name, a.company_number, a.charity_number, a.gss_code
            FROM referrals r JOIN categories c ON c.id = r.category_id JOIN organisations a ON a.id = r.organisation_id
            WHERE r.dps_id = \(bind: c.dpsID) AND r.published_at IS NOT NULL AND \(unpublished(.callOff, "r"))
            ORDER BY r.published_at, r.id
            """
        ).all()
        for row in referrals { out.append(try callOff(c, row)) }
        let unsuccessful = try await sql.raw(
            """
            SELECT r.id, r.state, a.id AS org_id, a.name, a.legal_name, a.company_number, a.charity_number, a.gss_code
            FROM referrals r JOIN organisations a ON a.id = r.organisation_id
            WHERE r.dps_id = \(bind: c.dpsID) AND r.state IN ('cancelled', 'reissued')
                AND \(unpublished(.callOffCancelled, "r"))
            """
        ).all()
        if !unsuccessful.isEmpty {
            let ids = try unsuccessful.map { try $0.decode(column: "id", as: UUID.self).uuidString }
            let ended = try await sql.raw(
                """
                SELECT entity_id, MIN(occurred_at) AS at FROM audit_events
                WHERE action IN ('referral.cancelled', 'referral.reissued') AND entity_id IN (\(binds: ids))
                GROUP BY entity_id
                """
            ).all()
            var when: [String: Date] = [:]
            for e in ended {
                when[try e.decode(column: "entity_id", as: String.self)] = try e.decode(column: "at", as: Date.self)
            }
            for row in unsuccessful {
                let id = try row.decode(column: "id", as: UUID.self)
                guard let at = when[id.uuidString] else { continue }
                out.append(try callOffEnded(c, row, at: at))
            }
        }
        // Placements: the award, the agreement both sides accepted, each accepted change, the end.
        let placements = try await sql.raw(
            """
            SELECT p.id, p.referral_id, p.direct, p.start_date, p.expected_end_date, p.actual_end_date, p.status,
                p.ending_kind, p.weekly_fee_pence, p.created_at, p.authority_accepted_at, p.provider_accepted_at,
                COALESCE(p.pattern, r.pattern) AS pattern, c.id AS category_id, c.name AS category, c.code,
                a.id AS org_id, a.name, a.legal_name, a.company_number, a.charity_number, a.gss_code,
                s.id AS s_id, s.name AS s_name, s.legal_name AS s_legal_name, s.company_number AS s_company_number,
                s.charity_number AS s_charity_number,
                (SELECT COUNT(*) FROM bids b WHERE b.referral_id = p.referral_id AND b.state = 'submitted')
                    AS tenderers,
                CASE WHEN \(unpublished(.award, "p")) THEN 1 ELSE 0 END AS need_award,
                CASE WHEN \(unpublished(.contract, "p")) THEN 1 ELSE 0 END AS need_contract,
                CASE WHEN \(unpublished(.termination, "p")) THEN 1 ELSE 0 END AS need_end
            FROM placements p JOIN categories c ON c.id = p.category_id
                JOIN organisations a ON a.id = p.authority_id JOIN organisations s ON s.id = p.provider_id
                LEFT JOIN referrals r ON r.id = p.referral_id
            WHERE p.dps_id = \(bind: c.dpsID) AND (\(unpublished(.award, "p")) OR \(unpublished(.contract, "p"))
                OR \(unpublished(.termination, "p")))
            ORDER BY p.created_at, p.id
            """
        ).all()
        for row in placements { out += try placementFacts(c, row) }
        let changeRows = try await sql.raw(
            """
            SELECT ch.id, ch.placement_id, ch.kind, ch.after_json, ch.effective_date, ch.decided_at, p.referral_id,
                p.direct, a.id AS org_id, a.name, a.legal_name, a.company_number, a.charity_number, a.gss_code
            FROM placement_changes ch JOIN placements p ON p.id = ch.placement_id
                JOIN organisations a ON a.id = p.authority_id
            WHERE p.dps_id = \(bind: c.dpsID) AND ch.state = 'accepted' AND \(unpublished(.change, "ch"))
            ORDER BY ch.decided_at, ch.id
            """
        ).all()
        for row in changeRows { out.append(try change(c, row)) }
        return out
    }

    // MARK: Parties

    /// An organisation as a party: identified by its Companies House number (`GB-COH`), its charity number
    /// (`GB-CHC`), or for a council its ONS GSS code (`GB-GSS`, named so here: the org-id register has no list of
    /// GSS codes); otherwise by an id under the publisher's prefix. No address.
    static func party(_ o: Organisation, prefix: String, roles: [String]) -> OCDS.Party {
        party(
            id: o.id ?? UUID(), name: o.name, legalName: o.legalName, company: o.companyNumber,
            charity: o.charityNumber,
            gss: o.gssCode, prefix: prefix, roles: roles)
    }

    static func party(
        id: UUID, name: String, legalName: String?, company: String?, charity: String?, gss: String?, prefix: String,
        roles: [String]
    ) -> OCDS.Party {
        func clean(_ s: String?) -> String? {
            s.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let identifier: OCDS.Identifier? =
            if let n = clean(company) {
                OCDS.Identifier(scheme: "GB-COH", id: n, legalName: clean(legalName) ?? name)
            } else if let n = clean(charity) {
                OCDS.Identifier(scheme: "GB-CHC", id: n, legalName: clean(legalName) ?? name)
            } else if let n = clean(gss) {
                OCDS.Identifier(scheme: "GB-GSS", id: n, legalName: clean(legalName) ?? name)
            } else {
                nil
            }
        let partyID = identifier.map { "\($0.scheme)-\($0.id)" } ?? "\(prefix)-org-\(id.uuidString.lowercased())"
        return OCDS.Party(id: partyID, name: name, identifier: identifier, roles: roles)
    }

    /// The party in `row` (columns `org_id`, `name`, `legal_name`, `company_number`, `charity_number`, `gss_code`,
    /// each after `column prefix`).
    private static func party(_ row: any SQLRow, _ c: Context, roles: [String], columns p: String = "") throws
        -> OCDS.Party
    {
        party(
            id: try row.decode(column: p.isEmpty ? "org_id" : "\(p)id", as: UUID.self),
            name: try row.decode(column: "\(p)name", as: String.self),
            legalName: try row.decode(column: "\(p)legal_name", as: String?.self),
            company: try row.decode(column: "\(p)company_number", as: String?.self),
            charity: try row.decode(column: "\(p)charity_number", as: String?.self),
            gss: p.isEmpty ? try row.decode(column: "gss_code", as: String?.self) : nil, prefix: c.prefix,
            roles: roles)
    }

    private static func reference(_ p: OCDS.Party) -> OCDS.OrganizationReference {
        OCDS.OrganizationReference(id: p.id, name: p.name)
    }

    // MARK: The releases

    package static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())  // a value, not a formatter made on every call
    }

    /// The start of a London day, as the standard's date-time.
    package static func timestamp(_ day: LocalDate) -> String { timestamp(day.startOfDay()) }

    /// A category's classification: special education for schools, children's welfare otherwise (CPV 2008).
    static func classification(code: String) -> OCDS.Classification {
        code.lowercased().contains("sen") || code.lowercased().contains("school")
            ? OCDS.Classification(scheme: "CPV", id: "80340000", description: "Special education services")
            : OCDS.Classification(
                scheme: "CPV", id: "85311300", description: "Welfare services for children and young people")
    }

    private static func releaseID(_ ocid: String, _ stage: OCDS.Stage, _ entity: UUID) -> String {
        "\(ocid)-\(stage.rawValue)-\(entity.uuidString.lowercased())"
    }

    private static func market(_ c: Context, lots: [CategoryRecord]) -> Fact {
        var tender = OCDS.Tender(id: c.dpsID.uuidString.lowercased())
        tender.title = c.title
        tender.description = c.description.isEmpty ? nil : c.description
        tender.status = "active"
        tender.procurementMethod = "selective"
        tender.procurementMethodDetails =
            c.regime == .pa2023
            ? "Dynamic market (Procurement Act 2023, sections 34 to 40)"
            : "Dynamic purchasing system under the light touch regime (PCR 2015, regulation 34)"
        tender.mainProcurementCategory = "services"
        tender.techniques = OCDS.Techniques(hasDynamicPurchasingSystem: true)
        tender.lots = lots.compactMap { lot in
            lot.id.map {
                OCDS.Lot(
                    id: $0.uuidString.lowercased(), title: lot.name, description: lot.description, status: "active")
            }
        }
        tender.items = lots.compactMap { lot in
            lot.id.map {
                OCDS.Item(
                    id: $0.uuidString.lowercased(), description: lot.name,
                    classification: classification(code: lot.code), relatedLot: $0.uuidString.lowercased())
            }
        }
        tender.tenderPeriod = OCDS.Period(
            startDate: timestamp(c.validityStart), endDate: timestamp(c.validityEnd.adding(days: 1)))
        let notice =
            c.regime == .pa2023
            ? Notice(kind: .marketEstablished, key: "UK13:\(c.dpsID)", title: c.title, event: c.validityStart)
            : nil
        if let notice { tender.documents = [.notice(notice.kind, id: notice.key)] }
        let release = OCDS.Release(
            ocid: c.ocid, id: releaseID(c.ocid, .marketEstablished, c.dpsID), date: timestamp(c.validityStart),
            tag: OCDS.Stage.marketEstablished.tags, parties: [c.lead], buyer: reference(c.lead), tender: tender)
        return (Stored(release: release, stage: .marketEstablished, entityID: c.dpsID, day: c.validityStart), notice)
    }

    private static func marketChange(_ c: Context, _ change: ValidityChangeRecord) throws -> Fact {
        let id = try change.requireID()
        let day = LocalDate.from(change.changedAt)
        var tender = OCDS.Tender(id: c.dpsID.uuidString.lowercased())
        tender.tenderPeriod = LocalDate(iso: change.newEnd).map {
            OCDS.Period(startDate: timestamp(c.validityStart), endDate: timestamp($0.adding(days: 1)))
        }
        tender.amendments = [
            OCDS.Amendment(
                id: id.uuidString.lowercased(), date: timestamp(change.changedAt),
                rationale: "The period of validity was \(change.kind == "extend" ? "extended" : "changed")",
                description: "The period now ends on \(DisplayDate.date(change.newEnd)) "
                    + "(it ended on \(DisplayDate.date(change.oldEnd))).")
        ]
        let notice =
            c.regime == .pa2023
            ? Notice(kind: .marketModified, key: "UK14:\(id)", title: c.title, event: day) : nil
        if let notice { tender.documents = [.notice(notice.kind, id: notice.key)] }
        let release = OCDS.Release(
            ocid: c.ocid, id: releaseID(c.ocid, .marketModified, id), date: timestamp(change.changedAt),
            tag: OCDS.Stage.marketModified.tags, parties: [c.lead], buyer: reference(c.lead), tender: tender)
        return (Stored(release: release, stage: .marketModified, entityID: id, day: day), notice)
    }

    private static func marketCeased(_ c: Context) -> Fact {
        let day = c.validityEnd.adding(days: 1)
        var tender = OCDS.Tender(id: c.dpsID.uuidString.lowercased())
        tender.status = "complete"
        let notice =
            c.regime == .pa2023
            ? Notice(kind: .marketCeased, key: "UK15:\(c.dpsID)", title: c.title, event: day) : nil
        if let notice { tender.documents = [.notice(notice.kind, id: notice.key)] }
        let release = OCDS.Release(
            ocid: c.ocid, id: releaseID(c.ocid, .marketCeased, c.dpsID), date: timestamp(day),
            tag: OCDS.Stage.marketCeased.tags, parties: [c.lead], buyer: reference(c.lead), tender: tender)
        return (Stored(release: release, stage: .marketCeased, entityID: c.dpsID, day: day), notice)
    }

    private static func admission(_ c: Context, _ row: any SQLRow) throws -> Fact {
        let id = try row.decode(column: "id", as: UUID.self)
        let at = try row.decode(column: "admitted_at", as: Date.self)
        let supplier = try party(row, c, roles: ["supplier"])
        let category = try row.decode(column: "category", as: String.self)
        let award = OCDS.Award(
            id: id.uuidString.lowercased(), title: "Admission to \(category)", status: "active", date: timestamp(at),
            value: nil, suppliers: [reference(supplier)],
            relatedLots: [try row.decode(column: "category_id", as: UUID.self).uuidString.lowercased()])
        let release = OCDS.Release(
            ocid: c.ocid, id: releaseID(c.ocid, .admission, id), date: timestamp(at), tag: OCDS.Stage.admission.tags,
            parties: [c.lead, supplier], buyer: reference(c.lead), awards: [award])
        return (Stored(release: release, stage: .admission, entityID: id, day: LocalDate.from(at)), nil)
    }

    private static func callOffOCID(_ c: Context, referral: UUID?, placement: UUID) -> String {
        referral.map { "\(c.prefix)-ref-\($0.uuidString.lowercased())" }
            ?? "\(c.prefix)-dir-\(placement.uuidString.lowercased())"
    }

    /// The link from a call-off to the DPS it was made under.
    private static func framework(_ c: Context) -> [OCDS.RelatedProcess] {
        [OCDS.RelatedProcess(id: "1", relationship: ["framework"], title: c.title, scheme: "ocid", identifier: c.ocid)]
    }

    private static func callOff(_ c: Context, _ row: any SQLRow) throws -> Fact {
        let id = try row.decode(column: "id", as: UUID.self)
        let ocid = "\(c.prefix)-ref-\(id.uuidString.lowercased())"
        let published = try row.decode(column: "published_at", as: Date.self)
        let buyer = try party(row, c, roles: ["buyer"])
        let category = try row.decode(column: "category", as: String.self)
        var tender = OCDS.Tender(id: id.uuidString.lowercased())
        tender.title = "Placement: \(category)"
        tender.status = "active"
        tender.procurementMethod = "selective"
        tender.procurementMethodDetails = "Call-off competition among the providers admitted to \(c.title)"
        tender.mainProcurementCategory = "services"
        tender.items = [
            OCDS.Item(
                id: "1", description: category,
                classification: classification(code: try row.decode(column: "code", as: String.self)), relatedLot: nil)
        ]
        tender.tenderPeriod = OCDS.Period(
            startDate: timestamp(published), endDate: timestamp(try row.decode(column: "deadline", as: Date.self)))
        let release = OCDS.Release(
            ocid: ocid, id: releaseID(ocid, .callOff, id), date: timestamp(published), tag: OCDS.Stage.callOff.tags,
            parties: [buyer], buyer: reference(buyer), tender: tender, relatedProcesses: framework(c))
        return (Stored(release: release, stage: .callOff, entityID: id, day: LocalDate.from(published)), nil)
    }

    private static func callOffEnded(_ c: Context, _ row: any SQLRow, at: Date) throws -> Fact {
        let id = try row.decode(column: "id", as: UUID.self)
        let ocid = "\(c.prefix)-ref-\(id.uuidString.lowercased())"
        let buyer = try party(row, c, roles: ["buyer"])
        var tender = OCDS.Tender(id: id.uuidString.lowercased())
        tender.status = try row.decode(column: "state", as: String.self) == "cancelled" ? "cancelled" : "unsuccessful"
        let release = OCDS.Release(
            ocid: ocid, id: releaseID(ocid, .callOffCancelled, id), date: timestamp(at),
            tag: OCDS.Stage.callOffCancelled.tags, parties: [buyer], buyer: reference(buyer), tender: tender,
            relatedProcesses: framework(c))
        return (Stored(release: release, stage: .callOffCancelled, entityID: id, day: LocalDate.from(at)), nil)
    }

    /// A placement's award, agreement and end, each when it has happened and is not yet published.
    private static func placementFacts(_ c: Context, _ row: any SQLRow) throws -> [Fact] {
        let id = try row.decode(column: "id", as: UUID.self)
        let referral = try row.decode(column: "referral_id", as: UUID?.self)
        let ocid = callOffOCID(c, referral: referral, placement: id)
        let buyer = try party(row, c, roles: ["buyer"])
        let supplier = try party(row, c, roles: ["supplier"], columns: "s_")
        let category = try row.decode(column: "category", as: String.self)
        guard let start = LocalDate(iso: try row.decode(column: "start_date", as: String.self)) else {
            throw UseCaseError(.internalFailure, "A stored placement's start does not read.")
        }
        let expectedEnd = try row.decode(column: "expected_end_date", as: String?.self).flatMap { LocalDate(iso: $0) }
        let weeks = expectedEnd.flatMap { PlacementEnding.weeks(from: start, to: $0) }
        let pattern = try row.decode(column: "pattern", as: String?.self).flatMap { PlacementPattern(rawValue: $0) }
        let value = PlacementEnding.value(
            weeklyPence: try row.decode(column: "weekly_fee_pence", as: Int.self),
            weeksPerYear: pattern?.weeksPerYear ?? 52, durationWeeks: weeks)
        let worth = value.total ?? value.annual
        let period = OCDS.Period(startDate: timestamp(start), endDate: expectedEnd.map { timestamp($0) })
        let title = "Placement: \(category)"
        let parties = [buyer, supplier]
        let related = referral == nil ? nil : framework(c)
        let direct = try row.decode(column: "direct", as: Bool.self)
        var out: [Fact] = []
        if try row.decode(column: "need_award", as: Int.self) == 1 {
            let created = try row.decode(column: "created_at", as: Date.self)
            let day = LocalDate.from(created)
            var tender = OCDS.Tender(id: (referral ?? id).uuidString.lowercased())
            tender.status = "complete"
            if direct {
                tender.title = title
                tender.procurementMethod = "limited"
                tender.procurementMethodDetails = "Direct placement without competition, in exceptional circumstances"
                tender.mainProcurementCategory = "services"
            } else {
                tender.numberOfTenderers = try row.decode(column: "tenderers", as: Int.self)
            }
            let notice: Notice? =
                c.regime == .pcr2015
                ? Notice(
                    kind: .quarterlyAwards, key: "award-publication:\(c.dpsID):\(Quarter(containing: day).key)",
                    title: "\(c.title): awards \(Quarter(containing: day).label)", event: day, valuePence: nil)
                : nil
            var award = OCDS.Award(
                id: id.uuidString.lowercased(), title: title, status: "active", date: timestamp(created),
                value: OCDS.Value(pence: worth), suppliers: [reference(supplier)], contractPeriod: period)
            if let notice { award.documents = [.notice(notice.kind, id: notice.key)] }
            let release = OCDS.Release(
                ocid: ocid, id: releaseID(ocid, .award, id), date: timestamp(created), tag: OCDS.Stage.award.tags,
                parties: parties, buyer: reference(buyer), tender: tender, awards: [award], relatedProcesses: related)
            out.append((Stored(release: release, stage: .award, entityID: id, day: day), notice))
        }
        let signed = [
            try row.decode(column: "authority_accepted_at", as: Date?.self),
            try row.decode(column: "provider_accepted_at", as: Date?.self),
        ]
        if try row.decode(column: "need_contract", as: Int.self) == 1, signed.allSatisfy({ $0 != nil }),
            let date = signed.compactMap({ $0 }).max()
        {
            let day = LocalDate.from(date)
            let notice: Notice? =
                c.regime == .pa2023
                ? Notice(kind: .contractDetails, key: "UK7:\(id)", title: title, event: day, valuePence: worth)
                : (worth > NoticeCalendar.contractsFinderThresholdPence
                    ? Notice(kind: .contractsFinder, key: "CF:\(id)", title: title, event: day, valuePence: worth)
                    : nil)
            let contract = OCDS.Contract(
                id: id.uuidString.lowercased(), awardID: id.uuidString.lowercased(), title: title, status: "active",
                period: period, value: OCDS.Value(pence: worth), dateSigned: timestamp(date),
                documents: notice.map { [.notice($0.kind, id: $0.key)] })
            let release = OCDS.Release(
                ocid: ocid, id: releaseID(ocid, .contract, id), date: timestamp(date), tag: OCDS.Stage.contract.tags,
                parties: parties, buyer: reference(buyer), contracts: [contract], relatedProcesses: related)
            out.append((Stored(release: release, stage: .contract, entityID: id, day: day), notice))
        }
        if try row.decode(column: "need_end", as: Int.self) == 1,
            try row.decode(column: "status", as: String.self) == PlacementStatus.ended.rawValue,
            let end = try row.decode(column: "actual_end_date", as: String?.self).flatMap({ LocalDate(iso: $0) })
        {
            let kind = try row.decode(column: "ending_kind", as: String?.self) == "unplanned" ? "unplanned" : "planned"
            let notice: Notice? =
                c.regime == .pa2023
                ? Notice(kind: .contractTermination, key: "UK11:\(id)", title: title, event: end) : nil
            let contract = OCDS.Contract(
                id: id.uuidString.lowercased(), awardID: id.uuidString.lowercased(), title: title,
                description: "The placement ended (\(kind)).", status: "terminated",
                period: OCDS.Period(startDate: timestamp(start), endDate: timestamp(end)), value: nil,
                documents: notice.map { [.notice($0.kind, id: $0.key)] })
            let release = OCDS.Release(
                ocid: ocid, id: releaseID(ocid, .termination, id), date: timestamp(end),
                tag: OCDS.Stage.termination.tags, parties: parties, buyer: reference(buyer), contracts: [contract],
                relatedProcesses: related)
            out.append((Stored(release: release, stage: .termination, entityID: id, day: end), notice))
        }
        return out
    }

    private static func change(_ c: Context, _ row: any SQLRow) throws -> Fact {
        let id = try row.decode(column: "id", as: UUID.self)
        let placement = try row.decode(column: "placement_id", as: UUID.self)
        let ocid = callOffOCID(c, referral: try row.decode(column: "referral_id", as: UUID?.self), placement: placement)
        let buyer = try party(row, c, roles: ["buyer"])
        let kind = try Placements.stored(
            PlacementChangeKind.self, row.decode(column: "kind", as: String.self), "change")
        guard
            let after = try Referrals.decode(
                row.decode(column: "after_json", as: String.self), as: Placements.ChangeTerms.self),
            let effective = LocalDate(iso: try row.decode(column: "effective_date", as: String.self))
        else { throw UseCaseError(.internalFailure, "A stored placement change does not read.") }
        let decided = try row.decode(column: "decided_at", as: Date?.self) ?? effective.startOfDay()
        // What changed, in numbers only: the reason the parties wrote stays with them.
        let description =
            switch kind {
            case .fee: after.weeklyPence.map { "The weekly fee is \(formatPence($0)) from \(effective.longForm)." }
            case .duration: after.expectedEnd.map { "The expected end is now \(DisplayDate.date($0))." }
            case .pattern:
                after.pattern.flatMap(PlacementPattern.init(rawValue:)).map { "The pattern is now: \($0.label)." }
            }
        let notice: Notice? =
            c.regime == .pa2023
            ? Notice(kind: .contractChange, key: "UK10:\(id)", title: kind.label, event: effective) : nil
        let contract = OCDS.Contract(
            id: placement.uuidString.lowercased(), awardID: placement.uuidString.lowercased(), title: nil,
            status: "active", period: nil, value: nil,
            amendments: [
                OCDS.Amendment(
                    id: id.uuidString.lowercased(), date: timestamp(decided), rationale: kind.label,
                    description: description)
            ], documents: notice.map { [.notice($0.kind, id: $0.key)] })
        let release = OCDS.Release(
            ocid: ocid, id: releaseID(ocid, .change, id), date: timestamp(decided), tag: OCDS.Stage.change.tags,
            parties: [buyer], buyer: reference(buyer), contracts: [contract],
            relatedProcesses: try row.decode(column: "referral_id", as: UUID?.self) == nil ? nil : framework(c))
        return (Stored(release: release, stage: .change, entityID: id, day: LocalDate.from(decided)), notice)
    }
}

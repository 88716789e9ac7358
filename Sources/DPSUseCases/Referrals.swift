import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Buying a placement (DOMAIN §6-§8): from the child's needs to an Individual Placement Agreement.
/// Each use case runs in one transaction with its audit events and outbox messages.
package enum Referrals {
    package static let officerRoles: [Role] = [.placementOfficer, .dpsAdmin]

    // MARK: Decoding stored JSON

    /// A stored JSON column: nil when the column is empty (NULL); text that does not decode is an error,
    /// never an empty value to carry on with.
    package static func decode<T: Decodable>(_ json: String?, as: T.Type = T.self) throws -> T? {
        guard let json else { return nil }
        do { return try JSONDecoder().decode(T.self, from: Data(json.utf8)) } catch {
            throw UseCaseError.undecodable(String(describing: T.self), error)
        }
    }

    /// The kinds of line a referral asks for, as stored in `referral_items.kind`.
    package enum ItemKind: String, Sendable {
        case need
        case mustHave = "must_have"
        case desirable
        case outcome
    }

    /// Writes a referral's lines as rows, inside the caller's transaction.
    package static func writeItems(
        _ referralID: UUID, needs: [ReferralNeed], mustHaves: [String], desirables: [ReferralNeed],
        outcomes: [String], db: any Database
    ) async throws {
        func marked(_ kind: ItemKind, _ lines: [ReferralNeed]) -> [ReferralItemRecord] {
            lines.enumerated().map {
                .init(
                    referralID: referralID, kind: kind.rawValue, itemID: $0.element.id, position: $0.offset,
                    code: $0.element.code?.rawValue, text: $0.element.text, marks: $0.element.marks)
            }
        }
        func plain(_ kind: ItemKind, prefix: String, _ lines: [String]) -> [ReferralItemRecord] {
            lines.enumerated().map {
                .init(
                    referralID: referralID, kind: kind.rawValue, itemID: "\(prefix)\($0.offset + 1)",
                    position: $0.offset,
                    code: nil, text: $0.element, marks: nil)
            }
        }
        let items =
            marked(.need, needs) + plain(.mustHave, prefix: "m", mustHaves) + marked(.desirable, desirables)
            + plain(.outcome, prefix: "o", outcomes)
        guard !items.isEmpty else { return }
        try await items.create(on: db)
    }

    /// What a referral asks for and how its bids are weighted. The lines come from `referral_items`; the
    /// JSON columns of the same names hold them only for referrals written before M0013 (carried across).
    package struct Content {
        package var needs: [ReferralNeed]
        package var mustHaves: [String]
        package var desirables: [ReferralNeed]
        package var outcomes: [String]
        package var weights: [String: Int]

        /// What a referral asks for, from its lines and its weights.
        init(lines: Lines, weightsJSON: String) throws {
            needs = lines.needs
            desirables = lines.desirables
            mustHaves = lines.mustHaves
            outcomes = lines.outcomes
            weights = try decode(weightsJSON) ?? [:]
        }

        /// A referral's lines as `referral_items` holds them, in order.
        struct Lines: Sendable {
            var needs: [ReferralNeed] = []
            var mustHaves: [String] = []
            var desirables: [ReferralNeed] = []
            var outcomes: [String] = []
        }

        /// One referral's content (its lines: at most one query).
        package static func load(_ r: ReferralRecord, db: any Database) async throws -> Content {
            try await load(r.requireID(), weightsJSON: r.weightsJSON, db: db)
        }

        /// One referral's content by its id and stored weights (its lines: at most one query).
        static func load(_ id: UUID, weightsJSON: String, db: any Database) async throws -> Content {
            try Content(lines: try await lines([id], db: db)[id] ?? Lines(), weightsJSON: weightsJSON)
        }

        /// Several referrals' content in one query, by referral id.
        package static func load(_ referrals: [ReferralRecord], db: any Database) async throws -> [UUID: Content] {
            try await load(weights: Dictionary(referrals.map { (try $0.requireID(), $0.weightsJSON) }) { a, _ in a },
                db: db)
        }

        /// Several referrals' content by id and stored weights, in one query.
        package static func load(weights: [UUID: String], db: any Database) async throws -> [UUID: Content] {
            let lines = try await lines(Array(weights.keys), db: db)
            var out: [UUID: Content] = [:]
            for (id, json) in weights { out[id] = try Content(lines: lines[id] ?? Lines(), weightsJSON: json) }
            return out
        }

        /// The referrals' lines, by referral id: those read before from memory, the rest in one query. A
        /// referral's lines never change once written (`create` writes them in its transaction and nothing edits
        /// or deletes them), so lines once read are kept for the process's life, up to `KeptLines.capacity`
        /// referrals. A referral with no lines is never kept.
        static func lines(_ ids: [UUID], db: any Database) async throws -> [UUID: Lines] {
            var out = KeptLines.shared.lines(ids)
            let missing = ids.filter { out[$0] == nil }
            guard !missing.isEmpty else { return out }
            // Plain rows, not models: this runs on every bid and every referral page.
            let rows = try await db.sql().select()
                .columns("referral_id", "kind", "item_id", "position", "code", "text", "marks")
                .from(ReferralItemRecord.schema).where("referral_id", .in, missing).all()
            var read: [UUID: Lines] = [:]
            let ordered = try rows.map { row in
                (row, try row.decode(column: "kind", as: String.self), try row.decode(column: "position", as: Int.self))
            }.sorted { ($0.1, $0.2) < ($1.1, $1.2) }
            for (row, kind, _) in ordered {
                let referral = try row.decode(column: "referral_id", as: UUID.self)
                let text = try row.decode(column: "text", as: String.self)
                func marked() throws -> ReferralNeed {
                    ReferralNeed(
                        id: try row.decode(column: "item_id", as: String.self), text: text,
                        marks: try row.decode(column: "marks", as: Int?.self) ?? 1,
                        code: try row.decode(column: "code", as: String?.self).flatMap(NeedArea.init(rawValue:)))
                }
                switch ItemKind(rawValue: kind) {
                case .need: read[referral, default: Lines()].needs.append(try marked())
                case .desirable: read[referral, default: Lines()].desirables.append(try marked())
                case .mustHave: read[referral, default: Lines()].mustHaves.append(text)
                case .outcome: read[referral, default: Lines()].outcomes.append(text)
                case nil:
                    throw UseCaseError(.internalFailure, "A referral's stored line is of an unknown kind.")
                }
            }
            KeptLines.shared.keep(read)
            out.merge(read) { a, _ in a }
            return out
        }

        package var evaluationWeights: EvaluationWeights {
            EvaluationWeights(
                price: weights["price"] ?? 0, coreCompetency: weights["coreCompetency"] ?? 0,
                outcomes: weights["outcomes"] ?? 0,
                needs: weights["needs"] ?? 0, location: weights["location"] ?? 0,
                desirables: weights["desirables"] ?? 0,
                incentives: weights["incentives"] ?? 0)
        }
    }

    /// Referrals' lines read before (`Content.lines`), shared by the process's requests.
    final class KeptLines: @unchecked Sendable {
        static let shared = KeptLines()
        /// Referrals kept at most (a referral's lines are about a kilobyte); beyond it the store starts again.
        static let capacity = 4_096
        private let lock = NSLock()
        private var kept: [UUID: Content.Lines] = [:]

        func lines(_ ids: [UUID]) -> [UUID: Content.Lines] {
            lock.withLock {
                var out: [UUID: Content.Lines] = [:]
                for id in ids { if let lines = kept[id] { out[id] = lines } }
                return out
            }
        }

        func keep(_ lines: [UUID: Content.Lines]) {
            lock.withLock {
                if kept.count + lines.count > Self.capacity { kept.removeAll(keepingCapacity: true) }
                kept.merge(lines) { _, new in new }
            }
        }
    }

    // MARK: Who may see what

    /// Categories the actor's authority uses: a partner's chosen categories; the lead authority uses all.
    package static func categories(for actor: Actor, db: any Database) async throws -> [CategoryRecord] {
        switch actor.organisationKind {
        case .leadAuthority:
            let ids = try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).all(\.$id)
            return try await CategoryRecord.query(on: db).filter(\.$dps.$id ~~ ids).with(\.$dps, { $0.with(\.$lead) })
                .sort(\.$position)
                .all().filter { try $0.readinessProblems.isEmpty }
        case .partnerAuthority:
            // Every DPS the council is a partner of, not only the first.
            let ids = Set(
                try await PartnerCategoryRecord.query(on: db).filter(\.$organisationID == actor.organisationID).all(
                    \.$categoryID))
            return try await CategoryRecord.query(on: db).filter(\.$id ~~ ids).with(\.$dps, { $0.with(\.$lead) })
                .sort(\.$position).all()
        case .provider:
            return []
        }
    }

    /// A category's name as an officer chooses it: with its DPS and lead authority when the officer's authority
    /// buys through more than one DPS, so that a referral never goes to another DPS by a look-alike name.
    package static func choiceLabels(_ categories: [CategoryRecord]) -> [UUID: String] {
        let several = Set(categories.map(\.$dps.id)).count > 1
        return Dictionary(
            categories.compactMap { c in
                c.id.map { ($0, several ? "\(c.name) (\(c.dps.title), run by \(c.dps.lead.name))" : c.name) }
            }, uniquingKeysWith: { first, _ in first })
    }

    /// A referral of the actor's own authority (officers and viewers), or any referral of the DPS for the
    /// lead authority's auditor, who reads everything and changes nothing; anything else is "not found".
    package static func own(_ id: UUID, actor: Actor, db: any Database) async throws -> ReferralRecord {
        guard !actor.isProvider else { throw UseCaseError(.notFound, "No such referral.") }
        // One statement: the referral joined to its category and DPS (read on every view of a referral).
        guard
            let r = try await ReferralRecord.query(on: db).filter(\.$id == id)
                .join(CategoryRecord.self, on: \ReferralRecord.$category.$id == \CategoryRecord.$id)
                .join(DPSRecord.self, on: \ReferralRecord.$dps.$id == \DPSRecord.$id).first()
        else { throw UseCaseError(.notFound, "No such referral.") }
        r.$category.value = try r.joined(CategoryRecord.self)
        r.$dps.value = try r.joined(DPSRecord.self)
        guard r.$organisation.id == actor.organisationID || isAuditor(actor, of: r.dps) else {
            throw UseCaseError(.notFound, "No such referral.")
        }
        return r
    }

    package static func isAuditor(_ actor: Actor, of dps: DPSRecord) -> Bool {
        actor.role == .auditor && dps.$lead.id == actor.organisationID
    }

    package static func requireOfficer(_ actor: Actor) throws {
        guard officerRoles.contains(actor.role), !actor.isProvider else {
            throw UseCaseError(.forbidden, "Only placement officers create and manage referrals.")
        }
    }

    // MARK: Claiming a state change inside its transaction

    /// Claims the referral for a change, inside the caller's transaction: one UPDATE that matches only while
    /// the referral is still in one of `states` (and, with `openAt`, before its deadline). It takes the row's
    /// write lock, so two people acting at once act one after the other and the second sees the first's
    /// change; a copy read before the transaction is never trusted. `set` are the columns to change (none
    /// just locks the row). Throws a conflict naming `field` when the referral has moved on.
    package static func claim(
        _ id: UUID, in states: [ReferralState], openAt now: Date? = nil, set: [(String, any SQLExpression)] = [],
        before later: Date? = nil, field: String = "state", message: String, db: any Database
    ) async throws {
        let sql = try db.sql()
        var update = sql.update(ReferralRecord.schema)
        if set.isEmpty { update = update.set(SQLIdentifier("state"), to: SQLColumn("state")) }
        for (column, value) in set { update = update.set(SQLIdentifier(column), to: value) }
        update = update.where(SQLIdentifier("id"), .equal, SQLBind(id))
            .where(SQLIdentifier("state"), .in, SQLGroupExpression(states.map { SQLBind($0.rawValue) }))
        if let now { update = update.where(SQLIdentifier("deadline"), .greaterThan, SQLBind(now)) }
        if let later { update = update.where(SQLIdentifier("deadline"), .lessThan, SQLBind(later)) }
        guard try await update.returning("id").first() != nil else {
            throw UseCaseError(field: field, message, status: .conflict)
        }
    }

    /// The states from which `event` is allowed (DOMAIN's state machine).
    package static func states(allowing event: ReferralState.Event) -> [ReferralState] {
        ReferralState.allCases.filter { ReferralState.transitions[$0]?[event] != nil }
    }

    /// The next reference of a kind ("REF", "DIR"), from a counter claimed by one conditional UPDATE, so two
    /// referrals created at once never share one (a unique index backs it up).
    package static func nextReference(_ prefix: String, db: any Database) async throws -> String {
        let sql = try db.sql()
        let row = try await sql.update("reference_counters")
            .set(SQLIdentifier("value"), to: SQLBinaryExpression(SQLColumn("value"), .add, SQLLiteral.numeric("1")))
            .where(SQLIdentifier("name"), .equal, SQLBind(prefix)).returning("value").first()
        guard let value = try row?.decode(column: "value", as: Int.self) else {
            throw DecodingError.valueNotFound(
                Int.self, .init(codingPath: [], debugDescription: "reference counter \(prefix) is missing"))
        }
        return String(format: "%@-%05d", prefix, value)
    }

    // MARK: Creating

    /// A new referral as typed values: the category, spot or block, the domain's draft (needs, weights,
    /// radius, deadline...), and the child's home postcode and details (never shown to providers). The page's
    /// form and the API's JSON each build one.
    package struct NewReferral: Sendable {
        package var categoryID: UUID?
        package var block: Bool
        package var draft: ReferralDraft
        package var homePostcode: String
        package var childDetails: String
        /// Fields the sender's format could not turn into values (reported with the rule errors).
        package var unreadable: [FieldError] = []

        package init(
            categoryID: UUID?, block: Bool, draft: ReferralDraft, homePostcode: String, childDetails: String,
            unreadable: [FieldError] = []
        ) {
            self.unreadable = unreadable
            self.categoryID = categoryID
            self.block = block
            self.draft = draft
            self.homePostcode = homePostcode
            self.childDetails = childDetails
        }
    }

    /// "Text | marks" per line; marks default to 1.
    /// "Text | marks | area" per line: marks default to 1, and the area (a `NeedArea` code or label) is optional.
    package static func markedLines(_ raw: String?, prefix: String) -> [ReferralNeed] {
        lines(raw).enumerated().map { index, line in
            let parts = line.split(separator: "|", maxSplits: 2).map { String($0).trimmed }
            let marks = parts.count >= 2 ? Bounded.int(parts[1], in: 0...1_000) ?? 0 : 1
            let area = parts.count == 3 ? NeedArea(typed: parts[2]) : nil
            return ReferralNeed(id: "\(prefix)\(index + 1)", text: parts[0], marks: marks, code: area)
        }
    }

    /// The lines of a "Text | marks | area" field whose area is not one of `NeedArea`'s, as field errors.
    package static func unknownAreas(_ raw: String?, field: String) -> [FieldError] {
        lines(raw).enumerated().compactMap { index, line in
            let parts = line.split(separator: "|", maxSplits: 2).map { String($0).trimmed }
            guard parts.count == 3, NeedArea(typed: parts[2]) == nil else { return nil }
            return FieldError(
                field: field,
                message: "Line \(index + 1): \"\(parts[2].prefix(40))\" is not an area of need; use one of "
                    + NeedArea.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    package static func lines(_ raw: String?) -> [String] {
        (raw ?? "").split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    /// "2026-11-25 17:00" or "2026-11-25T17:00" in London time.
    package static func parseDeadline(_ raw: String?) -> Date? {
        let text = (raw ?? "").trimmed.replacingOccurrences(of: "T", with: " ")
        return ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"].lazy.compactMap { DisplayDate.london($0).date(from: text) }
            .first
    }

    /// Creates a draft referral. Everything is validated now, so publishing checks only what time changes.
    package static func create(_ input: NewReferral, actor: Actor, db: any Database, now: Date) async throws
        -> ReferralRecord
    {
        try requireOfficer(actor)
        try await AccessPolicy.requireBuyer(actor, db: db)
        let categories = try await categories(for: actor, db: db)
        var errors = input.unreadable
        let category = categories.first { $0.id != nil && $0.id == input.categoryID }
        if category == nil {
            errors.append(FieldError(field: "category", message: "Choose a category your authority uses"))
        }
        let block = input.block
        let d = input.draft
        let dps = try await category.asyncMap { try await DPSRecord.find($0.$dps.id, on: db) } ?? nil
        // Until a category (and so a DPS) is chosen, only the deadline checks every DPS shares apply.
        let blank = [
            ("needs", d.needs.map(\.text)), ("mustHaves", d.mustHaves), ("desirables", d.desirables.map(\.text)),
            ("outcomes", d.outcomes),
        ].filter { $0.1.contains { $0.trimmed.isEmpty } }
        errors += blank.map { FieldError(field: $0.0, message: "Every line must say something; remove the empty one") }
        errors += ReferralRules.validate(
            d, bounds: try category?.spec.weightBounds ?? [:], regime: dps?.regime ?? "pcr2015",
            shortDeadlinesAgreed: dps?.shortDeadlinesAgreed ?? true, now: now, block: block)
        for (field, value) in [("childDetails", input.childDetails), ("voidTerms", d.voidTerms)]
        where value.count > Bounded.longText {
            errors.append(FieldError(field: field, message: "This must be at most \(Bounded.longText) characters"))
        }
        let home = try await Registers.postcode(String(input.homePostcode.prefix(Bounded.shortText)), on: db)
        if home == nil {
            errors.append(
                FieldError(
                    field: "homePostcode",
                    message: "Enter the child's home postcode, like RH12 1XH (it is never shown to providers)"))
        }
        guard errors.isEmpty, let category, let dps, let home, let pattern = d.pattern, let start = d.startDate,
            let deadline = d.deadline
        else { throw UseCaseError(errors) }
        let postcode = PostcodeDirectory.normalise(input.homePostcode) ?? home.code
        return try await db.writeTransaction { db in
            let r = ReferralRecord()
            r.$dps.id = try dps.requireID()
            r.$category.id = try category.requireID()
            r.$organisation.id = actor.organisationID
            r.createdBy = actor.userID
            r.kind = block ? "block" : "spot"
            r.round = 1
            r.state = ReferralState.draft.rawValue
            r.reference = try await nextReference("REF", db: db)
            r.pattern = pattern.rawValue
            r.weeksPerYear = pattern.weeksPerYear
            r.startDate = start.iso
            r.durationWeeks = d.durationWeeks ?? 0
            // A block of N places is priced like a cohort of N: the per-place cost times N, less the tier's discount.
            r.children = block ? d.places : d.children
            r.places = block ? d.places : 1
            r.voidTerms = d.voidTerms
            r.childAge = block ? nil : d.childAge
            r.childGender = block ? "" : d.childGender
            r.homePostcode = postcode
            r.childDetails = input.childDetails.trimmed
            r.homeDistrict = PostcodeDirectory.district(of: postcode) ?? home.code
            r.homeLatitude = home.latitude
            r.homeLongitude = home.longitude
            // The lines live in referral_items (M0013); the old JSON columns stay empty.
            r.needsJSON = "[]"
            r.mustHavesJSON = "[]"
            r.desirablesJSON = "[]"
            r.outcomesJSON = "[]"
            r.weightsJSON = Audit.encode(
                Dictionary(uniqueKeysWithValues: d.weights.map { ($0.key.rawValue, $0.value) }))
            r.radiusMiles = d.radiusMiles ?? 0
            r.deadline = deadline
            r.parentChoice = d.parentChoice
            try await r.create(on: db)
            try await writeItems(
                r.requireID(), needs: d.needs, mustHaves: d.mustHaves, desirables: d.desirables, outcomes: d.outcomes,
                db: db)
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.created", entityType: "referral",
                entityID: r.id,
                before: String?.none,
                after: [
                    "reference": r.reference, "category": category.code, "radiusMiles": String(r.radiusMiles),
                    "kind": r.kind,
                ], at: now)
            return r
        }
    }

    // MARK: Eligibility and publication

    package struct Candidate {
        package var membershipID: UUID
        package var establishmentID: UUID
        package var organisationID: UUID
        package var score: Int
        package var miles: Double

        package init(membershipID: UUID, establishmentID: UUID, organisationID: UUID, score: Int, miles: Double) {
            self.membershipID = membershipID
            self.establishmentID = establishmentID
            self.organisationID = organisationID
            self.score = score
            self.miles = miles
        }
    }

    /// Active memberships of the category with their distance from the child's home, nearest first; with
    /// `within`, only those inside that radius. Read as plain rows (no models), and narrowed in SQL to a
    /// latitude/longitude box around the radius before the great-circle check, so a referral among
    /// thousands of establishments reads only the few near the child.
    package static func candidates(_ r: ReferralRecord, within radius: Double? = nil, db: any Database) async throws
        -> [Candidate]
    {
        guard let sql = db as? any SQLDatabase else { return [] }
        // From establishments (narrowed by the location index) to their memberships in the category.
        var query = sql.select().column(SQLColumn("id", table: "m")).column(SQLColumn("establishment_id", table: "m"))
            .column(SQLColumn("organisation_id", table: "m"))
            .column(SQLColumn("qualification_score", table: "m")).column(SQLColumn("latitude", table: "e")).column(
                SQLColumn("longitude", table: "e")
            )
            .from(SQLAlias(SQLIdentifier(EstablishmentRecord.schema), as: SQLIdentifier("e")))
            .join(
                SQLAlias(SQLIdentifier(MembershipRecord.schema), as: SQLIdentifier("m")),
                on: SQLColumn("establishment_id", table: "m"), .equal, SQLColumn("id", table: "e")
            )
            .where(SQLColumn("category_id", table: "m"), .equal, SQLBind(r.$category.id))
            .where(SQLColumn("state", table: "m"), .equal, SQLBind(MembershipState.active.rawValue))
        if let radius {
            // The exact box around a spherical cap of this radius (angular radius δ): latitude ± δ, longitude
            // ± asin(sin δ / cos φ), with a small margin, so it never drops anyone inside the circle.
            let delta = radius / 3958.7613
            let phi = r.homeLatitude * .pi / 180
            let dLat = delta * 180 / .pi + 0.01
            let ratio = sin(delta) / max(cos(phi), 1e-6)
            let dLon = ratio >= 1 ? 180 : asin(ratio) * 180 / .pi + 0.01
            query = query.where(SQLColumn("latitude", table: "e"), .greaterThanOrEqual, SQLBind(r.homeLatitude - dLat))
                .where(SQLColumn("latitude", table: "e"), .lessThanOrEqual, SQLBind(r.homeLatitude + dLat))
                .where(SQLColumn("longitude", table: "e"), .greaterThanOrEqual, SQLBind(r.homeLongitude - dLon))
                .where(SQLColumn("longitude", table: "e"), .lessThanOrEqual, SQLBind(r.homeLongitude + dLon))
        }
        let home = GeoPoint(latitude: r.homeLatitude, longitude: r.homeLongitude)
        // Columns are read by position and type: a Decodable row struct costs several times more per row.
        return try await query.all().compactMap { row -> Candidate? in
            guard let lat = try? row.decode(column: "latitude", as: Double?.self),
                let lon = try? row.decode(column: "longitude", as: Double?.self)
            else { return nil }
            let miles = home.miles(to: GeoPoint(latitude: lat, longitude: lon))
            if let radius, miles > radius { return nil }
            return Candidate(
                membershipID: try row.decode(column: "id", as: UUID.self),
                establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
                organisationID: try row.decode(column: "organisation_id", as: UUID.self),
                score: try row.decode(column: "qualification_score", as: Int.self),
                miles: miles)
        }.sorted { $0.miles < $1.miles }
    }

    package struct Preview {
        package var eligible: Int
        package var minimum: Int
        package var proposedRadius: Double?

        package init(eligible: Int, minimum: Int, proposedRadius: Double? = nil) {
            self.eligible = eligible
            self.minimum = minimum
            self.proposedRadius = proposedRadius
        }
    }

    package static func preview(_ r: ReferralRecord, db: any Database) async throws -> Preview {
        let minimum = r.category.minimumInvitees
        let eligible = try await candidates(r, within: r.radiusMiles, db: db).count
        guard eligible < minimum else { return Preview(eligible: eligible, minimum: minimum, proposedRadius: nil) }
        // Only when too few are in reach: every distance, to propose the radius that reaches the minimum.
        let all = try await candidates(r, db: db)
        return Preview(
            eligible: eligible, minimum: minimum,
            proposedRadius: RadiusProposal.propose(
                distancesMiles: all.map(\.miles), minimum: minimum, current: r.radiusMiles))
    }

    /// Changes a draft's radius (for example to the proposed one).
    package static func setRadius(_ id: UUID, miles: Double?, actor: Actor, db: any Database, now: Date) async throws {
        try requireOfficer(actor)
        let r = try await own(id, actor: actor, db: db)
        guard r.state == ReferralState.draft.rawValue else {
            throw UseCaseError(.conflict, "Only a draft's radius can change; re-issue a closed referral instead.")
        }
        guard let radius = miles, radius >= 1, radius <= 500 else {
            throw UseCaseError(field: "radiusMiles", "Enter a radius from 1 to 500 miles")
        }
        try await db.writeTransaction { db in
            let before = r.radiusMiles
            try await claim(
                r.requireID(), in: [.draft], set: [("radius_miles", SQLBind(radius))], field: "radiusMiles",
                message: "Only a draft's radius can change; it has been published meanwhile", db: db)
            r.radiusMiles = radius
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.radius.changed", entityType: "referral",
                entityID: r.id,
                before: ["radiusMiles": before], after: ["radiusMiles": radius], at: now)
        }
    }

    /// Invites every active membership in the category within the radius, all at once, with the same
    /// deadline. The list is frozen (with each invitee's distance and qualification score) and audited; the
    /// officer cannot remove anyone. Below the category's minimum it refuses and proposes a radius.
    package static func publish(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws -> Int {
        try requireOfficer(actor)
        let r = try await own(id, actor: actor, db: db)
        let next: ReferralState
        do { next = try (ReferralState(rawValue: r.state) ?? .draft).applying(.publish) } catch {
            throw UseCaseError(error.errors, status: .conflict)
        }
        if let problem = ReferralDeadlineRule.check(
            regime: r.dps.regime, publishedAt: now, deadline: r.deadline,
            shortDeadlinesAgreed: r.dps.shortDeadlinesAgreed)
        {
            throw UseCaseError(field: "deadline", problem.message)
        }
        let invited = try await candidates(r, within: r.radiusMiles, db: db)
        let minimum = r.category.minimumInvitees
        if invited.count < minimum {
            let proposal = try await preview(r, db: db).proposedRadius
            throw UseCaseError(
                field: "radiusMiles",
                "Only \(invited.count) establishment\(invited.count == 1 ? " is" : "s are") within "
                    + "\(Int(r.radiusMiles)) miles; this category needs at least \(minimum). "
                    + (proposal.map { "Widen the radius to \(Int($0)) miles to reach \(minimum)." }
                        ?? "There are not enough members in this category at any distance."))
        }
        do {
            try await db.writeTransaction { db in
                guard let sql = db as? any SQLDatabase,
                    try await sql.update(ReferralRecord.schema).set("state", to: next.rawValue).set(
                        "published_at", to: now
                    )
                    .where("id", .equal, r.requireID()).where("state", .equal, ReferralState.draft.rawValue)
                    .returning("id").first() != nil
                else {
                    throw UseCaseError(field: "state", "This referral has already been published", status: .conflict)
                }
                r.state = next.rawValue
                r.publishedAt = now
                for batch in invited.chunked(500) {
                    var insert = sql.insert(into: InvitationRecord.schema).columns(
                        "id", "referral_id", "membership_id", "establishment_id", "organisation_id",
                        "distance_miles", "qualification_score", "invited_at")
                    for c in batch {
                        insert = insert.values(
                            [
                                SQLBind(UUID()), SQLBind(r.id!), SQLBind(c.membershipID), SQLBind(c.establishmentID),
                                SQLBind(c.organisationID),
                                SQLBind(c.miles), SQLBind(c.score), SQLBind(now),
                            ] as [any SQLExpression])
                    }
                    try await insert.run()
                }
                // One message per organisation, all written in this transaction, so everyone learns at the same moment.
                var outbox: [[any SQLExpression]] = []
                for organisation in Set(invited.map(\.organisationID)) {
                    outbox.append([
                        SQLBind(UUID()), SQLBind(organisation), SQLBind("Bid writers"),
                        SQLBind("New referral \(r.reference): \(r.category.name)"),
                        SQLBind(
                            "A \(PlacementPattern(rawValue: r.pattern)?.label.lowercased() ?? r.pattern) referral "
                                + "near \(r.homeDistrict) is open for bids until \(DisplayDate.dateTime(r.deadline))."
                        ),
                        SQLBind(SiteURL.invitations.path), SQLBind(now),
                    ])
                }
                for batch in outbox.chunked(500) {
                    var insert = sql.insert(into: OutboxMessageRecord.schema).columns(
                        "id", "organisation_id", "recipient", "subject", "body", "link", "created_at")
                    for row in batch { insert = insert.values(row) }
                    try await insert.run()
                }
                try await Audit.record(
                    on: db, actor: actor, dps: r.$dps.id, action: "referral.published", entityType: "referral",
                    entityID: r.id,
                    before: ["state": "draft"],
                    after: [
                        "state": next.rawValue,
                        "invited": invited.map(\.establishmentID.uuidString).joined(separator: ","),
                        "radiusMiles": String(r.radiusMiles),
                        "deadline": ISO8601DateFormatter().string(from: r.deadline),
                    ], at: now)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw UseCaseError(field: "state", "This referral has already been published", status: .conflict)
        }
        return invited.count
    }

    /// Extends the deadline for everyone, before it passes.
    package static func extend(_ id: UUID, deadline given: Date?, actor: Actor, db: any Database, now: Date)
        async throws
    {
        try requireOfficer(actor)
        let r = try await own(id, actor: actor, db: db)
        guard r.state == ReferralState.published.rawValue, now < r.deadline else {
            throw UseCaseError(
                field: "deadline",
                "The deadline can be extended only while the referral is open, before the deadline passes",
                status: .conflict)
        }
        guard let deadline = given, deadline > r.deadline else {
            throw UseCaseError(
                field: "deadline", "Enter a new deadline later than the current one, for example 27 11 2026 at 17:00")
        }
        // The same ceiling as at publication: an extension cannot seal the bids for ever.
        if let problem = ReferralDeadlineRule.check(
            regime: r.dps.regime, publishedAt: r.publishedAt ?? now, deadline: deadline,
            shortDeadlinesAgreed: r.dps.shortDeadlinesAgreed)
        {
            throw UseCaseError(field: "deadline", problem.message)
        }
        try await db.writeTransaction { db in
            let before = r.deadline
            // Only ever later: of two extensions at once, the later deadline stands.
            try await claim(
                r.requireID(), in: [.published], openAt: now, set: [("deadline", SQLBind(deadline))], before: deadline,
                field: "deadline",
                message:
                    "The deadline can be extended only while the referral is open, before the deadline passes, "
                    + "and only to a later one than it has now",
                db: db)
            r.deadline = deadline
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.deadline.extended", entityType: "referral",
                entityID: r.id,
                before: ["deadline": before], after: ["deadline": deadline], at: now)
            try await notifyInvitees(
                r, subject: "Deadline extended: \(r.reference)",
                body: "The deadline for bids is now \(DisplayDate.dateTime(deadline)), for every invited provider.",
                db: db, now: now)
        }
    }

    package static func notifyInvitees(_ r: ReferralRecord, subject: String, body: String, db: any Database, now: Date)
        async throws
    {
        let orgs = Set(
            try await InvitationRecord.query(on: db).filter(\.$referral.$id == r.requireID()).all(\.$organisationID))
        for org in orgs {
            try await Outbox.send(
                on: db, organisationID: org, recipient: "Bid writers", subject: subject, body: body,
                link: SiteURL.invitations.path, at: now)
        }
    }

    /// Cancels a referral with a reason; invited providers are told.
    package static func cancel(_ id: UUID, reason: String?, actor: Actor, db: any Database, now: Date) async throws {
        try requireOfficer(actor)
        let r = try await own(id, actor: actor, db: db)
        let text = (reason ?? "").trimmed
        guard !text.isEmpty else { throw UseCaseError(field: "reason", "Give the reason for cancelling") }
        let next: ReferralState
        do { next = try (ReferralState(rawValue: r.state) ?? .draft).applying(.cancel) } catch {
            throw UseCaseError(error.errors, status: .conflict)
        }
        try await db.writeTransaction { db in
            let before = r.state
            try await claim(
                r.requireID(), in: states(allowing: .cancel),
                set: [("state", SQLBind(next.rawValue)), ("cancel_reason", SQLBind(text))],
                message: "This referral can no longer be cancelled: it has been awarded or cancelled meanwhile", db: db)
            r.state = next.rawValue
            r.cancelReason = text
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.cancelled", entityType: "referral",
                entityID: r.id,
                before: ["state": before], after: ["state": next.rawValue, "reason": text], at: now)
            try await notifyInvitees(
                r, subject: "Referral cancelled: \(r.reference)",
                body: "The referral has been cancelled. Reason: \(text)", db: db, now: now)
        }
    }

    // MARK: Providers: invitations and bids

    /// An invitation of the actor's organisation; anything else is "not found".
    package static func invitation(_ id: UUID, actor: Actor, db: any Database) async throws -> InvitationRecord {
        guard actor.isProvider,
            let inv = try await InvitationRecord.query(on: db).filter(\.$id == id).filter(
                \.$organisationID == actor.organisationID
            )
            .with(\.$referral, { $0.with(\.$category) }).with(\.$establishment).first()
        else { throw UseCaseError(.notFound, "No such invitation.") }
        return inv
    }

    package static func requireOpen(_ r: ReferralRecord, now: Date) throws {
        try requireOpen(state: r.state, deadline: r.deadline, now: now)
    }

    static func requireOpen(state: String, deadline: Date, now: Date) throws {
        guard state == ReferralState.published.rawValue, now < deadline else {
            throw UseCaseError(
                field: "deadline", "The deadline for this referral has passed; bids and changes are no longer accepted",
                status: .conflict)
        }
    }

    package static let declineReasons: [(String, String)] = [
        ("cannot_meet_needs", "We cannot meet the child's needs"), ("no_vacancy", "We have no vacancy"),
        ("other", "Another reason"),
    ]

    package static func decline(_ id: UUID, reason: String?, note: String?, actor: Actor, db: any Database, now: Date)
        async throws
    {
        try actor.require(.providerAdmin, .bidWriter)
        let inv = try await invitation(id, actor: actor, db: db)
        try requireOpen(inv.referral, now: now)
        guard let reason, declineReasons.contains(where: { $0.0 == reason }) else {
            throw UseCaseError(field: "reason", "Choose why you are declining")
        }
        if reason == "other" && (note ?? "").trimmed.isEmpty {
            throw UseCaseError(field: "note", "Say why you are declining")
        }
        try await db.writeTransaction { db in
            try await claim(
                inv.referral.requireID(), in: [.published], openAt: now, field: "deadline",
                message: "The deadline for this referral has passed; bids and changes are no longer accepted", db: db)
            if try await BidRecord.query(on: db).filter(\.$invitation.$id == id).filter(\.$state == "submitted").count()
                > 0
            {
                throw UseCaseError(field: "reason", "Withdraw your bid before declining", status: .conflict)
            }
            inv.declinedReason = reason
            inv.declinedNote = (note ?? "").trimmed
            inv.declinedAt = now
            try await inv.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: inv.referral.$dps.id, action: "invitation.declined",
                entityType: "invitation", entityID: inv.id,
                before: String?.none, after: ["reason": reason, "note": inv.declinedNote ?? ""], at: now)
        }
    }

    /// The approved core cost schedule and published discounts of the invited membership.
    package static func approved(_ inv: InvitationRecord, db: any Database) async throws -> (
        core: [String: Int], tiers: [Int: Int]
    ) {
        guard let m = try await MembershipRecord.find(inv.membershipID, on: db) else {
            throw UseCaseError(.internalFailure, "The invited membership is missing.")
        }
        let (current, tiers) = try schedule(coreJSON: m.coreCostsJSON, discountsJSON: m.discountsJSON)
        // The fees in force when the referral was published (its invitations were sent then).
        return (
            try await FeeReviews.schedule(membership: inv.membershipID, current: current, at: inv.invitedAt, db: db),
            tiers
        )
    }

    /// A membership's stored cost schedule: weekly pence by core line key, discount basis points by children.
    static func schedule(coreJSON: String, discountsJSON: String) throws -> (core: [String: Int], tiers: [Int: Int]) {
        let core: [String: Int] = try decode(coreJSON) ?? [:]
        let tiers: [String: Int] = try decode(discountsJSON) ?? [:]
        return (core, Dictionary(uniqueKeysWithValues: tiers.compactMap { k, v in Int(k).map { ($0, v) } }))
    }

    /// A bid or its revision, as typed values: the weekly price of each approved core line by its key, in
    /// pence; variable items; a discount in basis points; the needs, must-haves and desirables it meets by
    /// their ids. Pages and the API build it from their own formats and pass in `unreadable` the fields
    /// their format could not turn into values, so every problem is reported at once.
    package struct BidCommand: Sendable {
        package var corePence: [String: Int]
        package var variable: [BidItem]
        package var discountBasisPoints: Int
        package var outcomesStatement: String
        package var incentive: String
        /// The postcode district of the proposed carer (fostering only).
        package var carerDistrict: String?
        package var needsMet: [String]
        package var mustHavesMet: [String]
        package var desirablesMet: [String]
        package var unreadable: [FieldError]
        /// The bidder has been told that the bid misses a must-have (so it will not be ranked) and saves it
        /// anyway. The bid page asks; the API, which reports the bid's state, does not.
        package var confirmedNonCompliant: Bool

        package init(
            corePence: [String: Int], variable: [BidItem] = [], discountBasisPoints: Int = 0, outcomesStatement: String,
            incentive: String = "", carerDistrict: String? = nil, needsMet: [String] = [], mustHavesMet: [String] = [],
            desirablesMet: [String] = [], unreadable: [FieldError] = [], confirmedNonCompliant: Bool = true
        ) {
            self.confirmedNonCompliant = confirmedNonCompliant
            self.corePence = corePence
            self.variable = variable
            self.discountBasisPoints = discountBasisPoints
            self.outcomesStatement = outcomesStatement
            self.incentive = incentive
            self.carerDistrict = carerDistrict
            self.needsMet = needsMet
            self.mustHavesMet = mustHavesMet
            self.desirablesMet = desirablesMet
            self.unreadable = unreadable
        }
    }

    /// What a bid offers, from its rows (`bid_lines`, `bid_items_met`): the JSON columns of the same names
    /// hold it only for bids written before M0014 (carried across).
    package struct BidContent: Sendable {
        package var core: [String: Int] = [:]
        package var variable: [BidItem] = []
        package var met: Set<String> = []
        package func met(prefix: String) -> [String] { met.filter { $0.hasPrefix(prefix) }.sorted() }
    }

    /// Several bids' content in two queries, by bid id.
    package static func bidContent(_ bids: [BidRecord], db: any Database) async throws -> [UUID: BidContent] {
        try await bidContent(ids: bids.compactMap(\.id), db: db)
    }

    /// The same by bid ids: plain rows (on every evaluation; models would cost more than the query).
    package static func bidContent(ids: [UUID], db: any Database) async throws -> [UUID: BidContent] {
        guard !ids.isEmpty else { return [:] }
        let sql = try db.sql()
        var out = Dictionary(uniqueKeysWithValues: ids.map { ($0, BidContent()) })
        let lines = try await sql.select().columns("bid_id", "kind", "line_key", "description", "weekly_pence")
            .from(BidLineRecord.schema).where("bid_id", .in, SQLBind.group(ids)).orderBy("position").all()
        for line in lines {
            let bid = try line.decode(column: "bid_id", as: UUID.self)
            let pence = try line.decode(column: "weekly_pence", as: Int.self)
            if try line.decode(column: "kind", as: String.self) == "core",
                let key = try line.decode(column: "line_key", as: String?.self)
            {
                out[bid]?.core[key] = pence
            } else {
                let description = try line.decode(column: "description", as: String?.self) ?? ""
                out[bid]?.variable.append(BidItem(description: description, pence: pence))
            }
        }
        let met = try await sql.select().columns("bid_id", "item_id").from(BidItemMetRecord.schema)
            .where("bid_id", .in, SQLBind.group(ids)).all()
        for item in met {
            out[try item.decode(column: "bid_id", as: UUID.self)]?.met.insert(
                try item.decode(column: "item_id", as: String.self))
        }
        return out
    }

    /// Replaces a bid's rows, inside the caller's transaction.
    /// On the hot path of a deadline rush, so plain SQL: one statement per table, no models (FluentKit's
    /// per-model reflection cost about 4 ms of CPU per bid here).
    static func writeBidRows(
        _ id: UUID, referralID referral: UUID, replacing: Bool, core: [String: Int], variable: [BidItem],
        met: [String], sql: any SQLDatabase
    ) async throws {
        if replacing {
            try await sql.delete(from: BidLineRecord.schema).where("bid_id", .equal, SQLBind(id)).run()
            try await sql.delete(from: BidItemMetRecord.schema).where("bid_id", .equal, SQLBind(id)).run()
        }
        var rows: [[any SQLExpression]] = core.sorted { $0.key < $1.key }.enumerated().map {
            [
                SQLBind(UUID()), SQLBind(id), SQLBind(referral), SQLBind("core"), SQLBind($0.offset),
                SQLBind($0.element.key),
                SQLLiteral.null, SQLBind($0.element.value),
            ]
        }
        rows += variable.enumerated().map {
            [
                SQLBind(UUID()), SQLBind(id), SQLBind(referral), SQLBind("variable"), SQLBind($0.offset),
                SQLLiteral.null,
                SQLBind($0.element.description), SQLBind($0.element.pence),
            ]
        }
        if !rows.isEmpty {
            try await sql.insert(into: BidLineRecord.schema)
                .columns("id", "bid_id", "referral_id", "kind", "position", "line_key", "description", "weekly_pence")
                .rows(rows).run()
        }
        let items: [[any SQLExpression]] = Set(met).sorted().map {
            [SQLBind(UUID()), SQLBind(id), SQLBind(referral), SQLBind($0)]
        }
        if !items.isEmpty {
            try await sql.insert(into: BidItemMetRecord.schema).columns("id", "bid_id", "referral_id", "item_id").rows(
                items
            ).run()
        }
    }

    /// What a bid is checked against, read in one statement: the actor's own invitation, its referral's
    /// state and terms, the category's cost lines and the membership's approved schedule. A bid is the hot
    /// path of a deadline rush, so these are plain rows, not models with their eager loads.
    struct BidTarget {
        var invitationID: UUID
        var referralID: UUID
        var dpsID: UUID
        var establishmentID: UUID
        var distanceMiles: Double
        var declined: Bool
        var state: String
        var deadline: Date
        var children: Int
        var fostering: Bool
        var home: GeoPoint
        var weightsJSON: String
        var lineNames: [String: String]
        var approvedCore: [String: Int]
        var tiers: [Int: Int]

        /// The invitation of the actor's organisation; anything else is "not found".
        static func load(_ id: UUID, actor: Actor, sql: any SQLDatabase) async throws -> BidTarget {
            func c(_ table: String, _ column: String) -> SQLColumn { SQLColumn(column, table: table) }
            guard actor.isProvider,
                let row = try await sql.select()
                    .column(c("i", "id"), as: "invitation_id").column(c("i", "referral_id"))
                    .column(c("i", "establishment_id")).column(c("i", "distance_miles"))
                    .column(c("i", "declined_at")).column(c("i", "membership_id")).column(c("i", "invited_at"))
                    .column(c("r", "dps_id")).column(c("r", "state"))
                    // Whether the membership's fees ever changed, so the usual bid reads no fee history.
                    .column(
                        SQLRaw("(SELECT COUNT(*) FROM fee_changes fc WHERE fc.membership_id = i.membership_id)"),
                        as: "fee_changes"
                    )
                    .column(c("r", "deadline")).column(c("r", "children")).column(c("r", "pattern"))
                    .column(c("r", "home_latitude")).column(c("r", "home_longitude")).column(c("r", "weights_json"))
                    .column(c("k", "code")).column(c("k", "content_json")).column(c("m", "core_costs_json"))
                    .column(c("m", "discounts_json"))
                    .from(SQLAlias(SQLIdentifier(InvitationRecord.schema), as: SQLIdentifier("i")))
                    .join(
                        SQLAlias(SQLIdentifier(ReferralRecord.schema), as: SQLIdentifier("r")),
                        on: c("r", "id"), .equal, c("i", "referral_id")
                    )
                    .join(
                        SQLAlias(SQLIdentifier(CategoryRecord.schema), as: SQLIdentifier("k")),
                        on: c("k", "id"), .equal, c("r", "category_id")
                    )
                    .join(
                        SQLAlias(SQLIdentifier(MembershipRecord.schema), as: SQLIdentifier("m")),
                        method: SQLJoinMethod.left, on: c("m", "id"), .equal, c("i", "membership_id")
                    )
                    .where(c("i", "id"), .equal, SQLBind(id))
                    .where(c("i", "organisation_id"), .equal, SQLBind(actor.organisationID))
                    .first()
            else { throw UseCaseError(.notFound, "No such invitation.") }
            let content = try CategoryContent.decode(try row.decode(column: "content_json", as: String.self))
            // Left-joined: an invitation whose membership is gone is stored data gone wrong, not "not found".
            guard let coreJSON = try row.decode(column: "core_costs_json", as: String?.self),
                let discountsJSON = try row.decode(column: "discounts_json", as: String?.self)
            else { throw UseCaseError(.internalFailure, "The invited membership is missing.") }
            let (current, tiers) = try Referrals.schedule(coreJSON: coreJSON, discountsJSON: discountsJSON)
            // The fees in force when the referral was published (its invitations were sent then).
            let core =
                try row.decode(column: "fee_changes", as: Int.self) == 0
                ? current
                : try await FeeReviews.schedule(
                    membership: try row.decode(column: "membership_id", as: UUID.self), current: current,
                    at: try row.decode(column: "invited_at", as: Date.self), sql: sql)
            return BidTarget(
                invitationID: try row.decode(column: "invitation_id", as: UUID.self),
                referralID: try row.decode(column: "referral_id", as: UUID.self),
                dpsID: try row.decode(column: "dps_id", as: UUID.self),
                establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
                distanceMiles: try row.decode(column: "distance_miles", as: Double.self),
                declined: try row.decode(column: "declined_at", as: Date?.self) != nil,
                state: try row.decode(column: "state", as: String.self),
                deadline: try row.decode(column: "deadline", as: Date.self),
                children: try row.decode(column: "children", as: Int.self),
                fostering: try row.decode(column: "code", as: String.self) == "fostering"
                    || row.decode(column: "pattern", as: String.self) == PlacementPattern.fostering.rawValue,
                home: GeoPoint(
                    latitude: try row.decode(column: "home_latitude", as: Double.self),
                    longitude: try row.decode(column: "home_longitude", as: Double.self)),
                weightsJSON: try row.decode(column: "weights_json", as: String.self),
                lineNames: Dictionary(uniqueKeysWithValues: content.costLines.map { ($0.key, $0.name) }),
                approvedCore: core, tiers: tiers)
        }
    }

    /// Submits or revises the establishment's bid until the deadline. Sealed: only the bidder can read it.
    package static func bid(_ id: UUID, _ command: BidCommand, actor: Actor, db: any Database, now: Date) async throws {
        try actor.require(.providerAdmin, .bidWriter)
        let sql = try db.sql()
        let target = try await BidTarget.load(id, actor: actor, sql: sql)
        try requireOpen(state: target.state, deadline: target.deadline, now: now)
        let content = try await Content.load(target.referralID, weightsJSON: target.weightsJSON, db: db)
        let (approvedCore, tiers, lineNames) = (target.approvedCore, target.tiers, target.lineNames)
        var errors = command.unreadable
        let unreadable = Set(command.unreadable.map(\.field))
        let core = command.corePence
        let variable = command.variable.map { BidItem(description: $0.description.trimmed, pence: $0.pence) }
        let discount = command.discountBasisPoints
        // Bounds where the values arrive (the API takes any integer): amounts within the engine's ceiling, the
        // discount a percentage, descriptions and lists of a sane size.
        let ceiling = Money.maximumLinePence
        for (line, pence) in core where pence > ceiling {
            errors.append(
                FieldError(
                    field: "core.\(line)",
                    message: "\(lineNames[line] ?? line) must be at most \(formatPence(ceiling)) a week"))
        }
        for (i, item) in variable.enumerated() {
            if item.pence > ceiling {
                errors.append(
                    FieldError(
                        field: "variable.\(i).amount",
                        message: "Variable cost \(i + 1) must be at most \(formatPence(ceiling)) a week"))
            }
            if item.description.count > ReferralRules.maximumItemLength {
                errors.append(
                    FieldError(
                        field: "variable.\(i).description",
                        message:
                            "Describe variable cost \(i + 1) in at most \(ReferralRules.maximumItemLength) characters"))
            }
        }
        if !(0...9_999).contains(discount) {
            errors.append(FieldError(field: "discount", message: "Enter the discount as a percentage from 0 to 99.99"))
        }
        for (field, ids) in [
            ("needsMet", command.needsMet), ("mustHavesMet", command.mustHavesMet),
            ("desirablesMet", command.desirablesMet),
        ]
        where ids.count > ReferralRules.maximumListItems {
            errors.append(FieldError(field: field, message: "List at most \(ReferralRules.maximumListItems) items"))
        }
        let offer = BidOffer(core: core, variable: variable, discountBasisPoints: discount)
        let bounded = errors.isEmpty
        errors +=
            !bounded
            ? []
            : BidRules.validate(
                offer, approved: approvedCore, lineNames: lineNames, tiers: tiers, children: target.children
            )
            .filter { !unreadable.contains($0.field) }
            .map { e in
                guard e.field.hasPrefix("variable[") else { return e }
                // The rules name the item; the form and the API name its amount or its description.
                let i = e.field.dropFirst(9).prefix { $0 != "]" }
                return FieldError(
                    field: "variable.\(i).\(e.message.contains("negative") ? "amount" : "description")",
                    message: e.message)
            }
        let statement = command.outcomesStatement.trimmed
        if statement.isEmpty {
            errors.append(
                FieldError(
                    field: "outcomesStatement",
                    message: "Write your outcomes statement: how you will achieve the child's outcomes"))
        }
        if statement.count > Bounded.longText {
            errors.append(
                FieldError(
                    field: "outcomesStatement",
                    message:
                        "The outcomes statement must be at most \(Bounded.longText) characters; "
                        + "it has \(statement.count)"
                ))
        }
        let incentive = command.incentive.trimmed
        if incentive.count > Bounded.longText {
            errors.append(
                FieldError(field: "incentive", message: "The incentive must be at most \(Bounded.longText) characters"))
        }
        // Only ids the referral asked about can be met; anything else is a mistake worth naming.
        let known: [(String, [String], [String])] = [
            ("needsMet", command.needsMet, content.needs.map(\.id)),
            ("mustHavesMet", command.mustHavesMet, content.mustHaves.indices.map { "m\($0 + 1)" }),
            ("desirablesMet", command.desirablesMet, content.desirables.map(\.id)),
        ]
        for (field, given, ids) in known {
            let unknown = given.filter { !ids.contains($0) }
            if !unknown.isEmpty {
                errors.append(
                    FieldError(
                        field: field,
                        message:
                            "\(unknown.prefix(5).joined(separator: ", ")) "
                            + "\(unknown.count == 1 ? "is" : "are") not among this referral's ids "
                            + "(\(ids.joined(separator: ", ")))"
                    ))
            }
        }
        // A bid without every must-have is not ranked: the bid page says so, with what the bid does meet, and
        // saves it only when the bidder confirms (once nothing else is wrong).
        let missing = content.mustHaves.indices.filter { !command.mustHavesMet.contains("m\($0 + 1)") }
        if errors.isEmpty && !missing.isEmpty && !command.confirmedNonCompliant {
            let needs = content.needs.filter { command.needsMet.contains($0.id) }.map(\.text)
            let musts = content.mustHaves.indices.filter { command.mustHavesMet.contains("m\($0 + 1)") }
                .map { content.mustHaves[$0] }
            errors.append(
                FieldError(
                    field: "confirm",
                    message:
                        "This bid does not offer every must-have (missing: "
                        + missing.map { content.mustHaves[$0] }.joined(separator: "; ")
                        + "), so it will not be ranked. It meets these needs: "
                        + (needs.isEmpty ? "none" : needs.joined(separator: "; ")) + "; and these must-haves: "
                        + (musts.isEmpty ? "none" : musts.joined(separator: "; "))
                        + ". Tick the must-haves you provide, or confirm to save it anyway"))
        }
        var distance = target.distanceMiles
        var carer: String?
        if target.fostering {
            let raw = String((command.carerDistrict ?? "").trimmed.uppercased().prefix(Bounded.shortText))
            if let centroid = try await Registers.postcode(raw, on: db), PostcodeDirectory.district(of: raw) != nil {
                carer = PostcodeDirectory.district(of: raw)
                distance = target.home.miles(to: GeoPoint(latitude: centroid.latitude, longitude: centroid.longitude))
            } else {
                errors.append(
                    FieldError(
                        field: "carerDistrict", message: "Enter the postcode district of the proposed carer, like BN3"))
            }
        }
        let weeklyCost = BidRules.weeklyCostPence(offer, children: target.children)
        if errors.isEmpty && weeklyCost == nil {
            errors.append(FieldError(field: "variable", message: "The weekly cost is too large to be a real price"))
        }
        guard errors.isEmpty, let weeklyCost else { throw UseCaseError(errors) }
        let needsMet = Array(Set(command.needsMet)).sorted()
        let mustHavesMet = Array(Set(command.mustHavesMet)).sorted()
        let desirablesMet = Array(Set(command.desirablesMet)).sorted()
        let (coreOffered, variableOffered, carerDistrict, miles) = (core, variable, carer, distance)
        try await db.writeTransaction { db in
            let sql = try db.sql()
            // Locks the referral while it is open: a bid cannot land after closing, and two first bids for one
            // establishment at once become a bid and its revision.
            try await claim(
                target.referralID, in: [.published], openAt: now, field: "deadline",
                message: "The deadline for this referral has passed; bids and changes are no longer accepted", db: db)
            let existing = try await sql.select().columns("id", "state", "weekly_cost_pence").from(BidRecord.schema)
                .where("invitation_id", .equal, SQLBind(target.invitationID)).first()
            let bidID = try existing?.decode(column: "id", as: UUID.self) ?? UUID()
            let before = try existing.map {
                [
                    "weeklyCostPence": String(try $0.decode(column: "weekly_cost_pence", as: Int.self)),
                    "state": try $0.decode(column: "state", as: String.self),
                ]
            }
            // The lines and items met live in bid_lines and bid_items_met (M0014); the old JSON columns stay empty.
            let values: [(String, any SQLExpression)] = [
                ("state", SQLBind("submitted")), ("core_json", SQLBind("{}")), ("variable_json", SQLBind("[]")),
                ("discount_bp", SQLBind(discount)), ("needs_met_json", SQLBind("[]")),
                ("must_haves_met_json", SQLBind("[]")), ("desirables_met_json", SQLBind("[]")),
                ("outcomes_statement", SQLBind(statement)), ("incentive", SQLBind(incentive)),
                ("carer_district", SQLBind(carerDistrict)), ("distance_miles", SQLBind(miles)),
                ("weekly_cost_pence", SQLBind(weeklyCost)), ("submitted_at", SQLBind(now)),
            ]
            if existing != nil {
                var update = sql.update(BidRecord.schema)
                for (column, value) in values { update = update.set(SQLIdentifier(column), to: value) }
                try await update.where("id", .equal, SQLBind(bidID)).run()
            } else {
                let keys: [(String, any SQLExpression)] = [
                    ("id", SQLBind(bidID)), ("referral_id", SQLBind(target.referralID)),
                    ("invitation_id", SQLBind(target.invitationID)),
                    ("establishment_id", SQLBind(target.establishmentID)),
                    ("organisation_id", SQLBind(actor.organisationID)),
                ]
                try await sql.insert(into: BidRecord.schema).columns((keys + values).map(\.0))
                    .values((keys + values).map(\.1)).run()
            }
            try await writeBidRows(
                bidID, referralID: target.referralID, replacing: existing != nil, core: coreOffered,
                variable: variableOffered, met: needsMet + mustHavesMet + desirablesMet, sql: sql)
            if target.declined {
                try await sql.update(InvitationRecord.schema).set(SQLIdentifier("declined_at"), to: SQLLiteral.null)
                    .set(SQLIdentifier("declined_reason"), to: SQLLiteral.null)
                    .set(SQLIdentifier("declined_note"), to: SQLLiteral.null)
                    .where("id", .equal, SQLBind(target.invitationID)).run()
            }
            try await Audit.record(
                on: db, actor: actor, dps: target.dpsID, action: existing == nil ? "bid.submitted" : "bid.revised",
                entityType: "bid", entityID: bidID,
                before: before, after: ["weeklyCostPence": String(weeklyCost), "state": "submitted"], at: now)
        }
    }

    package static func withdraw(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws {
        try actor.require(.providerAdmin, .bidWriter)
        let inv = try await invitation(id, actor: actor, db: db)
        try requireOpen(inv.referral, now: now)
        guard
            let b = try await BidRecord.query(on: db).filter(\.$invitation.$id == inv.requireID()).filter(
                \.$state == "submitted"
            ).first()
        else {
            throw UseCaseError(.notFound, "There is no bid to withdraw.")
        }
        try await db.writeTransaction { db in
            try await claim(
                inv.referral.requireID(), in: [.published], openAt: now, field: "deadline",
                message: "The deadline for this referral has passed; bids and changes are no longer accepted", db: db)
            b.state = "withdrawn"
            try await b.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: inv.referral.$dps.id, action: "bid.withdrawn", entityType: "bid",
                entityID: b.id,
                before: ["state": "submitted"], after: ["state": "withdrawn"], at: now)
        }
    }

    // MARK: Closing, scoring, evaluating

    /// Closes a referral whose deadline has passed (the job, or an officer on demand).
    package static func close(_ r: ReferralRecord, actor: Actor?, db: any Database, now: Date) async throws {
        guard r.state == ReferralState.published.rawValue else {
            throw UseCaseError(field: "state", "Only an open referral can be closed", status: .conflict)
        }
        guard now >= r.deadline else {
            throw UseCaseError(
                field: "deadline",
                "The referral closes at its deadline, \(DisplayDate.dateTime(r.deadline)); bids stay sealed until then",
                status: .conflict)
        }
        try await db.writeTransaction { db in
            // Claim the change in one statement, so the job and an officer closing at the same moment close it
            // once: whoever's UPDATE matches no row (already closed) stops here.
            let sql = try db.sql()
            guard
                try await sql.update(ReferralRecord.schema).set("state", to: ReferralState.closed.rawValue).set(
                    "closed_at", to: now
                )
                .where("id", .equal, r.requireID()).where("state", .equal, ReferralState.published.rawValue)
                .returning("id").first() != nil
            else {
                throw UseCaseError(field: "state", "This referral has already been closed", status: .conflict)
            }
            r.state = ReferralState.closed.rawValue
            r.closedAt = now
            // Then its counts, which cannot change after the deadline, for the market figures (M0032). A separate
            // statement, so it reads after the claim: a bid that held the referral's row when the claim began (bids
            // claim it too) is committed and counted, which PostgreSQL's claim statement could not see.
            guard
                let counted = try await sql.raw(
                    """
                    UPDATE referrals SET \(unsafeRaw: MarketSummaries.closedCounts) WHERE id = \(bind: r.requireID())
                    RETURNING bid_count
                    """
                ).first()
            else {
                throw UseCaseError(.internalFailure, "The referral closed but could not be counted.")
            }
            let bids = try counted.decode(column: "bid_count", as: Int.self)
            try await MarketSummaries.addClosedReferrals("r.id = \(bind: r.requireID())", sql: sql)
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.closed", entityType: "referral", entityID: r.id,
                before: ["state": "published"], after: ["state": "closed", "bids": String(bids)], at: now)
            try await Outbox.send(
                on: db, organisationID: r.$organisation.id, recipient: "Placement officers",
                subject: "Referral \(r.reference) closed with \(bids) bid\(bids == 1 ? "" : "s")",
                body: bids == 0
                    ? "No bids arrived. Re-issue it with a wider radius."
                    : "Score the outcomes statements, then award.", link: SiteURL.referral(r.id!).path, at: now)
        }
    }

    package static func closeOnDemand(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws {
        try requireOfficer(actor)
        try await close(try await own(id, actor: actor, db: db), actor: actor, db: db, now: now)
    }

    /// The job: closes every referral whose deadline has passed. Idempotent.
    package static func closeDue(db: any Database, now: Date) async throws -> Int {
        if try db.sql().dialect.name == "postgresql" { return try await closeDueShared(db: db, now: now) }
        let due = try await ReferralRecord.query(on: db).filter(\.$state == ReferralState.published.rawValue).filter(
            \.$deadline <= now
        ).all()
        var closed = 0
        for r in due {
            do {
                try await close(r, actor: nil, db: db, now: now)
                closed += 1
            } catch let error as UseCaseError where error.kind == .conflict {
                continue  // closed by someone else meanwhile
            }
        }
        return closed
    }

    /// The closing job on PostgreSQL, where several application servers run it at once: each takes a batch of due
    /// referrals that no other server holds (`FOR UPDATE SKIP LOCKED`) and closes them in that transaction, so the
    /// servers share the work and each referral closes once, with one audit event and one message.
    static func closeDueShared(db: any Database, now: Date, batch: Int = 50) async throws -> Int {
        var closed = 0
        while true {
            let taken = try await db.transaction { tx in
                let ids = try await tx.sql().raw(
                    """
                    SELECT id FROM referrals WHERE state = \(bind: ReferralState.published.rawValue)
                        AND deadline <= \(bind: now)
                    ORDER BY deadline LIMIT \(bind: batch) FOR UPDATE SKIP LOCKED
                    """
                ).all().map { try $0.decode(column: "id", as: UUID.self) }
                for r in try await ReferralRecord.query(on: tx).filter(\.$id ~~ ids).all() {
                    try await close(r, actor: nil, db: tx, now: now)
                }
                return ids.count
            }
            closed += taken
            if taken < batch { return closed }
        }
    }

    /// Bids become readable by the authority when the referral closes at its deadline, and never if it
    /// was cancelled before then.
    package static func isOpened(_ r: ReferralRecord) -> Bool { r.closedAt != nil }

    /// Whether the parent's preference decided the award: the award goes to the preferred bid when it is ranked
    /// (DOMAIN §7), whichever its rank.
    package static func parentDecided(_ r: ReferralRecord, _ result: EvaluationResult) -> Bool {
        guard let preference = r.parentPreference?.uuidString else { return false }
        return result.ranking.contains { $0.id == preference }
    }

    /// How an award was decided, in the words the officer and every bidder read.
    package static func awardBasis(parentDecided: Bool, shortlist: Int, bandPoints: Int) -> String {
        parentDecided
            ? "The parent or carer chose the setting from the \(shortlist) bids within \(bandPoints) points of the "
                + "top score, as the published evaluation method allows."
            : "The award went to the compliant bid with the highest score."
    }

    /// A submitted bid as the evaluation and the pages that show it read it: its own columns, its establishment's
    /// name and the qualification score its invitation carried.
    package struct OpenedBid: Sendable {
        package var id: UUID
        package var invitationID: UUID
        package var establishmentID: UUID
        package var establishmentName: String
        package var organisationID: UUID
        package var weeklyCostPence: Int
        package var discountBasisPoints: Int
        package var distanceMiles: Double
        package var outcomesStatement: String
        package var incentive: String
        package var carerDistrict: String?
        package var submittedAt: Date
        package var qualificationScore: Int
    }

    /// The submitted bids of a referral whose deadline has passed, in the order they came: one joined statement
    /// of plain rows (read on every view of the bids).
    package static func openedBids(_ r: ReferralRecord, db: any Database) async throws -> [OpenedBid] {
        guard isOpened(r) else { return [] }
        let sql = try db.sql()
        let rows = try await sql.raw(
            """
            SELECT b.id, b.invitation_id, b.establishment_id, e.name AS establishment_name, b.organisation_id,
            b.weekly_cost_pence, b.discount_bp, b.distance_miles, b.outcomes_statement, b.incentive,
            b.carer_district, b.submitted_at, i.qualification_score
            FROM bids b JOIN establishments e ON e.id = b.establishment_id JOIN invitations i ON i.id = b.invitation_id
            WHERE b.referral_id = \(bind: r.requireID()) AND b.state = 'submitted'
            ORDER BY b.submitted_at, b.id
            """
        ).all()
        return try rows.map { row in
            OpenedBid(
                id: try row.decode(column: "id", as: UUID.self),
                invitationID: try row.decode(column: "invitation_id", as: UUID.self),
                establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
                establishmentName: try row.decode(column: "establishment_name", as: String.self),
                organisationID: try row.decode(column: "organisation_id", as: UUID.self),
                weeklyCostPence: try row.decode(column: "weekly_cost_pence", as: Int.self),
                discountBasisPoints: try row.decode(column: "discount_bp", as: Int.self),
                distanceMiles: try row.decode(column: "distance_miles", as: Double.self),
                outcomesStatement: try row.decode(column: "outcomes_statement", as: String.self),
                incentive: try row.decode(column: "incentive", as: String.self),
                carerDistrict: try row.decode(column: "carer_district", as: String?.self),
                submittedAt: try row.decode(column: "submitted_at", as: Date.self),
                qualificationScore: try row.decode(column: "qualification_score", as: Int.self))
        }
    }

    /// One panel score of one bid's outcomes statement or incentive: `criterion` and `score` are nil when the
    /// request named none (or something that is not one); `consensus` marks the panel's agreed score, the one
    /// the evaluation uses.
    package struct BidScoreCommand: Sendable {
        package var criterion: EvaluationCriterion?
        package var score: Int?
        package var comment: String
        package var consensus: Bool

        package init(criterion: EvaluationCriterion?, score: Int?, comment: String, consensus: Bool) {
            self.criterion = criterion
            self.score = score
            self.comment = comment
            self.consensus = consensus
        }
    }

    /// The criteria a panel scores; the others are computed from the bid.
    package static let panelScored: [EvaluationCriterion] = [.outcomes, .incentives]

    package static func scoreBid(
        _ id: UUID, bidID: UUID, _ input: BidScoreCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        let consensus = input.consensus
        try actor.require(.placementOfficer, .partnerViewer, .dpsAdmin)
        let r = try await own(id, actor: actor, db: db)
        guard r.state == ReferralState.closed.rawValue else {
            throw UseCaseError(.conflict, "Bids are scored after the referral closes and before it is awarded.")
        }
        guard
            let bid = try await BidRecord.query(on: db).filter(\.$id == bidID).filter(\.$referral.$id == r.requireID())
                .first()
        else { throw UseCaseError(.notFound, "Not found.") }
        guard let criterion = input.criterion, panelScored.contains(criterion) else {
            throw UseCaseError(field: "criterion", "Score the outcomes or the incentives: the panel scores only those")
        }
        let kind = criterion.rawValue
        guard let score = input.score, (0...5).contains(score) else {
            throw UseCaseError(field: "score.\(bidID)", "Choose a score from 0 to 5")
        }
        let text = input.comment.trimmed
        guard !text.isEmpty else {
            throw UseCaseError(field: "comment.\(bidID)", "Give a comment that explains the score")
        }
        guard text.count <= Bounded.longText else {
            throw UseCaseError(field: "comment.\(bidID)", "The comment must be at most \(Bounded.longText) characters")
        }
        if consensus { try actor.require(.placementOfficer, .dpsAdmin) }
        try await db.writeTransaction { db in
            try await claim(
                r.requireID(), in: [.closed],
                message: "Bids are scored after the referral closes and before it is awarded.", db: db)
            let existing = try await BidScoreRecord.query(on: db).filter(\.$bid.$id == bidID).filter(
                \.$criterion == kind
            )
            .filter(\.$scorerID == actor.userID).filter(\.$isConsensus == consensus).first()
            let s = existing ?? BidScoreRecord()
            s.$bid.id = bidID
            s.criterion = kind
            s.scorerID = actor.userID
            s.isConsensus = consensus
            s.score = score
            s.comment = text
            if consensus {
                try await BidScoreRecord.query(on: db).filter(\.$bid.$id == bidID).filter(\.$criterion == kind).filter(
                    \.$isConsensus == true
                )
                .filter(\.$scorerID != actor.userID).delete()
            }
            try await s.save(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: consensus ? "bid.consensus.recorded" : "bid.scored",
                entityType: "bid",
                entityID: bid.id,
                before: existing.map { ["score": String($0.score)] },
                after: ["criterion": kind, "score": String(score), "comment": text], at: now)
        }
    }

    package struct Evaluation {
        package var result: EvaluationResult
        package var bids: [UUID: OpenedBid]
        /// Bids still waiting for an outcomes consensus; nothing can be awarded until there are none.
        package var unscored: [OpenedBid]
        /// The panel's consensus scores, by bid and criterion.
        package var consensus: [UUID: [String: ConsensusScore]]
        /// What the referral asks for, as the evaluation read it.
        package var content: Content?

        package init(
            result: EvaluationResult, bids: [UUID: OpenedBid], unscored: [OpenedBid],
            consensus: [UUID: [String: ConsensusScore]] = [:], content: Content? = nil
        ) {
            self.result = result
            self.bids = bids
            self.unscored = unscored
            self.consensus = consensus
            self.content = content
        }
    }

    package struct ConsensusScore: Sendable {
        package var score: Int
        package var comment: String
    }

    /// The consensus scores of these bids, by bid and criterion (plain rows).
    static func consensusScores(_ ids: [UUID], db: any Database) async throws -> [UUID: [String: ConsensusScore]] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: [String: ConsensusScore]] = [:]
        let rows = try await db.sql().select().columns("bid_id", "criterion", "score", "comment")
            .from(BidScoreRecord.schema).where("bid_id", .in, SQLBind.group(ids))
            .where("is_consensus", .equal, SQLBind(true)).all()
        for row in rows {
            out[try row.decode(column: "bid_id", as: UUID.self), default: [:]][
                try row.decode(column: "criterion", as: String.self)] = ConsensusScore(
                    score: try row.decode(column: "score", as: Int.self),
                    comment: try row.decode(column: "comment", as: String.self))
        }
        return out
    }

    package static func evaluate(_ r: ReferralRecord, db: any Database) async throws -> Evaluation {
        let opened = try await openedBids(r, db: db)
        // A bid whose membership was suspended when bids closed is set aside (DOMAIN §5, `SuspensionEffect`).
        let suspended = try await ContractManagement.notActive(
            at: r.deadline, establishments: Array(Set(opened.map(\.establishmentID))), category: r.$category.id, db: db)
        let bids = opened.filter { !suspended.contains($0.establishmentID) }
        let setAside = opened.filter { suspended.contains($0.establishmentID) }.map {
            NonCompliantBid(id: $0.id.uuidString, reasons: [.membershipSuspended])
        }
        let ids = bids.map(\.id)
        let scores = try await consensusScores(ids, db: db)
        let content = try await Content.load(r, db: db)
        let offered = try await bidContent(ids: ids, db: db)
        var unscored: [OpenedBid] = []
        var input: [EvaluationBid] = []
        for b in bids {
            let outcomes = scores[b.id]?["outcomes"]
            if outcomes == nil { unscored.append(b) }
            let incentives = scores[b.id]?["incentives"]
            input.append(
                EvaluationBid(
                    id: b.id.uuidString, weeklyCostPence: b.weeklyCostPence,
                    qualificationScore: Score(Points(hundredths: b.qualificationScore)),
                    outcomesScore: Score(whole: outcomes?.score ?? 0), needsMet: offered[b.id]?.met(prefix: "n") ?? [],
                    mustHavesMet: offered[b.id]?.met(prefix: "m") ?? [],
                    desirablesMet: offered[b.id]?.met(prefix: "d") ?? [], distanceMiles: b.distanceMiles,
                    incentivesScore: Score(whole: incentives?.score ?? 0),
                    submittedAt: b.submittedAt))
        }
        let band = r.dps.parentChoiceBandPoints
        let evaluationInput = EvaluationInput(
            weeksPerYear: r.weeksPerYear, weights: content.evaluationWeights,
            needs: content.needs.map { EvaluationMarkedItem(id: $0.id, marks: $0.marks) },
            mustHaves: content.mustHaves.indices.map { "m\($0 + 1)" },
            desirables: content.desirables.map { EvaluationMarkedItem(id: $0.id, marks: $0.marks) },
            parentChoice: EvaluationParentChoice(
                enabled: r.parentChoice, bandPoints: Points(whole: band), maxShortlist: 3),
            bids: input)
        // A stored bid that cannot be scored (saved before today's rules, say) is set aside, never a 500.
        var result =
            input.isEmpty
            ? EvaluationResult(ranking: [], nonCompliant: [], shortlist: [])
            : try EvaluationEngine.evaluateSettingAsideUnscorable(evaluationInput)
        result.nonCompliant += setAside
        return Evaluation(
            result: result, bids: Dictionary(uniqueKeysWithValues: opened.map { ($0.id, $0) }), unscored: unscored,
            consensus: scores, content: content)
    }

    // MARK: Parent choice

    /// Sends the parent or carer a private link (no account) to the shortlist, with a reply deadline.
    /// Returns the link's token, shown once to the officer to pass on.
    /// The longest a parent may be given to choose: the award waits for the answer until then.
    package static let parentReplyMaximumSeconds: TimeInterval = 30 * 86_400

    /// Creates the parent's private link; with `parentEmail`, also sends it to the parent by e-mail (through the
    /// outbox, to no organisation: only the parent receives it).
    package static func askParent(
        _ id: UUID, replyBy given: Date?, parentEmail rawEmail: String? = nil, actor: Actor, db: any Database,
        now: Date
    ) async throws -> String {
        try requireOfficer(actor)
        let parentEmail = (rawEmail ?? "").trimmed.lowercased()
        if !parentEmail.isEmpty && !MailQueue.isAddress(parentEmail) {
            throw UseCaseError(
                field: "parentEmail", "Enter the parent's email address like name@example.org, or leave it empty")
        }
        let r = try await own(id, actor: actor, db: db)
        guard r.parentChoice else {
            throw UseCaseError(field: "parent", "Parent choice does not apply to this referral", status: .conflict)
        }
        let evaluation = try await evaluate(r, db: db)
        guard evaluation.unscored.isEmpty else {
            throw UseCaseError(field: "parent", "Score every outcomes statement first", status: .conflict)
        }
        guard evaluation.result.shortlist.count >= 2 else {
            throw UseCaseError(
                field: "parent",
                "No shortlist: no other bid is within \(r.dps.parentChoiceBandPoints) points of the top bid, "
                    + "so award to the top bid",
                status: .conflict)
        }
        guard let replyBy = given, replyBy > now else {
            throw UseCaseError(
                field: "replyBy", "Enter the date and time the parent should reply by, for example 20 11 2026 at 17:00")
        }
        // The award waits for the parent until then: never longer than a month.
        guard replyBy.timeIntervalSince(now) <= parentReplyMaximumSeconds else {
            throw UseCaseError(
                field: "replyBy",
                "The parent's reply date must be within \(Int(parentReplyMaximumSeconds / 86_400)) days")
        }
        let next: ReferralState
        do { next = try (ReferralState(rawValue: r.state) ?? .draft).applying(.askParent) } catch {
            throw UseCaseError(error.errors, status: .conflict)
        }
        let token = Tokens.random()
        try await db.writeTransaction { db in
            try await claim(
                r.requireID(), in: [.closed], set: [("state", SQLBind(next.rawValue))], field: "parent",
                message: "This referral is no longer waiting to be evaluated", db: db)
            r.state = next.rawValue
            r.parentTokenHash = Tokens.hash(token)
            r.parentDeadline = replyBy
            r.parentShortlistJSON = Audit.encode(evaluation.result.shortlist)
            try await r.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.parent.invited", entityType: "referral",
                entityID: r.id,
                before: ["state": "closed"],
                after: [
                    "state": next.rawValue, "shortlist": evaluation.result.shortlist.joined(separator: ","),
                    "replyBy": ISO8601DateFormatter().string(from: replyBy),
                    "emailed": parentEmail.isEmpty ? "no" : "yes",
                ], at: now)
            if !parentEmail.isEmpty {
                try await Outbox.send(
                    on: db, organisationID: nil, recipient: parentEmail,
                    subject: "Choose a setting for your child by \(DisplayDate.dateTime(replyBy))",
                    body:
                        "\(actor.organisationName) has offers from \(evaluation.result.shortlist.count) settings "
                        + "that are close in quality and cost. The link below shows them and lets you say which you "
                        + "prefer, by \(DisplayDate.dateTime(replyBy)). It is private to you: please do not share it. "
                        + "Questions, or to arrange a visit: reply to your child's placement officer.",
                    link: SiteURL.choice(token: token).path, at: now)
            }
        }
        return token
    }

    /// The referral a parent's link opens, if the link is right and not expired.
    package static func forParent(token: String, db: any Database, now: Date) async throws -> ReferralRecord {
        guard token.count > 20,
            let r = try await ReferralRecord.query(on: db).filter(\.$parentTokenHash == Tokens.hash(token)).with(
                \.$category
            ).with(\.$dps).first(),
            r.state == ReferralState.awaitingParent.rawValue
        else { throw UseCaseError(.notFound, "This link is not valid. Ask the council officer for a new one.") }
        guard let deadline = r.parentDeadline, now < deadline else {
            throw UseCaseError(.gone, "The time to choose has passed. The council will contact you.")
        }
        return r
    }

    package static func recordPreference(token: String, bidID: String?, reason: String?, db: any Database, now: Date)
        async throws
    {
        let r = try await forParent(token: token, db: db, now: now)
        let shortlist: [String] = try decode(r.parentShortlistJSON) ?? []
        guard let bidID, shortlist.contains(bidID), let id = UUID(uuidString: bidID) else {
            throw UseCaseError(field: "choice", "Choose the setting you prefer")
        }
        try await db.writeTransaction { db in
            r.parentPreference = id
            r.parentReason = (reason ?? "").trimmed
            try await r.update(on: db)
            try await Audit.record(
                on: db, actor: nil, actorLabel: "Parent or carer (private link)", dps: r.$dps.id,
                action: "referral.parent.preference",
                entityType: "referral",
                entityID: r.id, before: String?.none, after: ["bid": bidID, "reason": r.parentReason ?? ""], at: now)
            try await Outbox.send(
                on: db, organisationID: r.$organisation.id, recipient: "Placement officers",
                subject: "Parent's preference received: \(r.reference)",
                body: "The parent or carer has stated a preference. You can now award.",
                link: SiteURL.referral(r.id!).path,
                at: now)
        }
    }

    // MARK: Award

    /// Awards to the parent's preference, or to the top bid when none came (or parent choice did not
    /// apply). Creates the Individual Placement Agreement; a unique key on the referral makes two officers
    /// awarding at once produce exactly one award. Every bidder hears its own breakdown, rank and the
    /// winning score.
    package static func award(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws -> PlacementRecord {
        try requireOfficer(actor)
        let r = try await own(id, actor: actor, db: db)
        let next: ReferralState
        do { next = try (ReferralState(rawValue: r.state) ?? .draft).applying(.award) } catch {
            throw UseCaseError(error.errors, status: .conflict)
        }
        let evaluation = try await evaluate(r, db: db)
        guard evaluation.unscored.isEmpty else {
            throw UseCaseError(
                field: "award", "Record a consensus outcomes score for every bid before awarding", status: .conflict)
        }
        guard let top = evaluation.result.ranking.first else {
            throw UseCaseError(
                field: "award", "There is no compliant bid to award; re-issue the referral", status: .conflict)
        }
        if r.state == ReferralState.awaitingParent.rawValue, r.parentPreference == nil, let deadline = r.parentDeadline,
            now < deadline
        {
            throw UseCaseError(
                field: "award",
                "Wait for the parent's preference until \(DisplayDate.dateTime(deadline)), or until then award nothing",
                status: .conflict)
        }
        let winnerID =
            r.parentPreference.map(\.uuidString).flatMap { id in evaluation.result.ranking.first { $0.id == id }?.id }
            ?? top.id
        guard let winner = evaluation.bids[UUID(uuidString: winnerID)!],
            let winnerRank = evaluation.result.ranking.first(where: { $0.id == winnerID })
        else {
            throw UseCaseError(.conflict, "The chosen bid is no longer available.")
        }
        let content = try await Content.load(r, db: db)
        let start = LocalDate(iso: r.startDate)
        let expectedEnd = start.flatMap { PlacementEnding.expectedEnd(start: $0, weeks: r.durationWeeks) }
        let reviews = start.map { PlacementEnding.reviewDates(start: $0, end: expectedEnd).map(\.iso) } ?? []
        let placement = PlacementRecord()
        placement.referralID = try r.requireID()
        placement.reference = r.reference
        placement.dpsID = r.$dps.id
        placement.categoryID = r.$category.id
        placement.createdBy = actor.userID
        placement.expectedEndDate = start.flatMap {
            PlacementEnding.expectedEnd(start: $0, weeks: r.durationWeeks)?.iso
        }
        placement.status = PlacementStatus.active.rawValue
        placement.bidID = winner.id
        placement.$establishment.id = winner.establishmentID
        placement.providerID = winner.organisationID
        placement.authorityID = r.$organisation.id
        placement.contractName = r.category.contractName
        placement.startDate = r.startDate
        placement.weeklyFeePence = winner.weeklyCostPence
        let offer = try await bidContent(ids: [winner.id], db: db)[winner.id] ?? BidContent()
        placement.coreJSON = Audit.encode(offer.core)
        placement.variableJSON = Audit.encode(offer.variable)
        placement.discountBasisPoints = winner.discountBasisPoints
        placement.outcomesJSON = Audit.encode(content.outcomes)
        placement.reviewDatesJSON = Audit.encode(reviews)
        placement.direct = false
        placement.createdAt = now
        do {
            try await db.writeTransaction { db in
                let before = r.state
                try await claim(
                    r.requireID(), in: [ReferralState(rawValue: before) ?? .closed],
                    set: [("state", SQLBind(next.rawValue))], field: "award",
                    message: "This referral has changed meanwhile (awarded or cancelled); reload it", db: db)
                try await placement.create(on: db)  // unique(referral_id): a second award fails here
                let sql = try db.sql()
                try await PlacementFacts.fill("id = \(bind: placement.requireID())", sql: sql)
                try await MarketSummaries.setRanks(evaluation.result, referral: r.requireID(), sql: sql)
                try await MarketSummaries.addAwardedReferrals("r.id = \(bind: r.requireID())", sql: sql)
                r.state = next.rawValue
                r.evaluationJSON = Audit.encode(evaluation.result)
                try await r.update(on: db)
                try await Audit.record(
                    on: db, actor: actor, dps: r.$dps.id, action: "referral.awarded", entityType: "referral",
                    entityID: r.id,
                    before: ["state": before],
                    after: [
                        "state": "awarded", "bid": winnerID, "total": winnerRank.total.description,
                        "parentPreference": r.parentPreference?.uuidString ?? "",
                    ], at: now)
                let basis = awardBasis(
                    parentDecided: parentDecided(r, evaluation.result), shortlist: evaluation.result.shortlist.count,
                    bandPoints: r.dps.parentChoiceBandPoints)
                for ranked in evaluation.result.ranking {
                    guard let b = evaluation.bids[UUID(uuidString: ranked.id)!] else { continue }
                    let won = ranked.id == winnerID
                    let p = ranked.points
                    let breakdown =
                        "price \(p.price), core competency \(p.coreCompetency), outcomes \(p.outcomes), "
                        + "needs \(p.needs), location \(p.location), desirables \(p.desirables), "
                        + "incentives \(p.incentives): total \(ranked.total) of 100, "
                        + "rank \(ranked.rank) of \(evaluation.result.ranking.count)."
                    try await Outbox.send(
                        on: db, organisationID: b.organisationID, recipient: "Bid writers",
                        subject: won ? "You have been awarded \(r.reference)" : "Result of \(r.reference): not awarded",
                        body: (won
                            ? "Your bid for \(b.establishmentName) won. \(basis) "
                                + "The placement agreement is ready to accept. "
                            : "Your bid for \(b.establishmentName) was not successful. \(basis) "
                                + "The winning bid scored \(winnerRank.total). ")
                            + "Your score: " + breakdown,
                        link: won ? SiteURL.placement(placement.id!).path : SiteURL.invitation(b.invitationID).path,
                        at: now)
                }
                for nc in evaluation.result.nonCompliant {
                    guard let b = evaluation.bids[UUID(uuidString: nc.id)!] else { continue }
                    try await Outbox.send(
                        on: db, organisationID: b.organisationID, recipient: "Bid writers",
                        subject: "Result of \(r.reference): bid not compliant",
                        body:
                            "Your bid was not ranked: \(nc.reasons.map { "\($0)" }.joined(separator: "; ")). "
                            + "The winning bid scored \(winnerRank.total).",
                        link: SiteURL.invitation(b.invitationID).path, at: now)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw UseCaseError(field: "award", "This referral has already been awarded", status: .conflict)
        }
        return placement
    }

    /// Re-issues a closed referral (no bids, or too few) as a new round with a wider radius and a new
    /// deadline, linked to the first.
    package static func reissue(
        _ id: UUID, radius given: Double?, deadline givenDeadline: Date?, actor: Actor, db: any Database, now: Date
    ) async throws -> ReferralRecord {
        try requireOfficer(actor)
        let r = try await own(id, actor: actor, db: db)
        guard let radius = given, radius > r.radiusMiles, radius <= 500 else {
            throw UseCaseError(field: "radiusMiles", "Enter a wider radius than \(Int(r.radiusMiles)) miles, up to 500")
        }
        guard let deadline = givenDeadline,
            ReferralDeadlineRule.check(
                regime: r.dps.regime, publishedAt: now, deadline: deadline,
                shortDeadlinesAgreed: r.dps.shortDeadlinesAgreed) == nil
        else {
            throw UseCaseError(
                field: "deadline",
                "Enter a new deadline the DPS's rules allow, for example "
                    + DisplayDate.dayMonthYearTime(now.addingTimeInterval(3 * 86400))
            )
        }
        let next: ReferralState
        do { next = try (ReferralState(rawValue: r.state) ?? .draft).applying(.reissue) } catch {
            throw UseCaseError(error.errors, status: .conflict)
        }
        return try await db.writeTransaction { db in
            try await claim(
                r.requireID(), in: states(allowing: .reissue), set: [("state", SQLBind(next.rawValue))],
                message: "This referral has already been re-issued, awarded or cancelled", db: db)
            let copy = ReferralRecord()
            copy.$dps.id = r.$dps.id
            copy.$category.id = r.$category.id
            copy.$organisation.id = r.$organisation.id
            copy.createdBy = actor.userID
            copy.kind = r.kind
            copy.round = r.round + 1
            copy.previousID = r.id
            copy.state = ReferralState.draft.rawValue
            copy.reference = r.reference.components(separatedBy: "/").first! + "/\(r.round + 1)"
            copy.pattern = r.pattern
            copy.weeksPerYear = r.weeksPerYear
            copy.startDate = r.startDate
            copy.durationWeeks = r.durationWeeks
            copy.children = r.children
            copy.places = r.places
            copy.voidTerms = r.voidTerms
            copy.childAge = r.childAge
            copy.childGender = r.childGender
            copy.homePostcode = r.homePostcode
            copy.childDetails = r.childDetails
            copy.homeDistrict = r.homeDistrict
            copy.homeLatitude = r.homeLatitude
            copy.homeLongitude = r.homeLongitude
            copy.needsJSON = r.needsJSON
            copy.mustHavesJSON = r.mustHavesJSON
            copy.desirablesJSON = r.desirablesJSON
            copy.outcomesJSON = r.outcomesJSON
            copy.weightsJSON = r.weightsJSON
            copy.radiusMiles = radius
            copy.deadline = deadline
            copy.parentChoice = r.parentChoice
            try await copy.create(on: db)
            let lines = try await ReferralItemRecord.query(on: db).filter(\.$referralID == r.requireID()).all()
            try await lines.map {
                ReferralItemRecord(
                    referralID: copy.id!, kind: $0.kind, itemID: $0.itemID, position: $0.position,
                    code: $0.code, text: $0.text, marks: $0.marks)
            }.create(on: db)
            r.state = next.rawValue
            try await r.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: r.$dps.id, action: "referral.reissued", entityType: "referral",
                entityID: r.id,
                before: ["state": "closed"],
                after: ["state": next.rawValue, "newRound": copy.id!.uuidString, "radiusMiles": String(radius)], at: now
            )
            return copy
        }
    }

    // MARK: Direct placements and agreements

    /// A placement made without competition, as typed values; nil where the form held nothing, and
    /// `unreadable` for what it held but could not read, refused by field.
    package struct DirectPlacement: Sendable {
        package var categoryID: UUID?
        package var establishmentID: UUID?
        package var startDate: LocalDate?
        package var weeklyFeePence: Int?
        package var durationWeeks: Int?
        package var justification: String
        package var childDetails: String
        package var outcomes: [String]
        package var unreadable: [FieldError]

        package init(
            categoryID: UUID?, establishmentID: UUID?, startDate: LocalDate?, weeklyFeePence: Int?,
            durationWeeks: Int? = 52, justification: String, childDetails: String = "", outcomes: [String] = [],
            unreadable: [FieldError] = []
        ) {
            self.categoryID = categoryID
            self.establishmentID = establishmentID
            self.startDate = startDate
            self.weeklyFeePence = weeklyFeePence
            self.durationWeeks = durationWeeks
            self.justification = justification
            self.childDetails = childDetails
            self.outcomes = outcomes
            self.unreadable = unreadable
        }
    }

    /// What the direct-placement form offers an officer: the categories its authority uses and the active
    /// memberships in them.
    package static func directPlacementChoices(actor: Actor, db: any Database) async throws
        -> (categories: [CategoryRecord], memberships: [MembershipRecord])
    {
        try requireOfficer(actor)
        try await AccessPolicy.requireBuyer(actor, db: db)
        let categories = try await categories(for: actor, db: db)
        let memberships = try await MembershipRecord.query(on: db).filter(
            \.$category.$id ~~ categories.compactMap(\.id)
        )
        .filter(\.$state == MembershipState.active.rawValue).with(\.$establishment).with(\.$category).all()
        return (categories, memberships)
    }

    /// Records an exceptional placement made without competition, with its mandatory justification;
    /// reported as off-competition.
    package static func direct(_ input: DirectPlacement, actor: Actor, db: any Database, now: Date) async throws
        -> PlacementRecord
    {
        try requireOfficer(actor)
        try await AccessPolicy.requireBuyer(actor, db: db)
        var errors = input.unreadable
        let named = Set(errors.map(\.field))
        let categories = try await categories(for: actor, db: db)
        let category = categories.first { $0.id != nil && $0.id == input.categoryID }
        if category == nil && !named.contains("category") {
            errors.append(FieldError(field: "category", message: "Choose a category your authority uses"))
        }
        let membership =
            try await input.establishmentID.asyncMap { id in
                try await MembershipRecord.query(on: db).filter(\.$establishment.$id == id).filter(
                    \.$category.$id == (category?.id ?? UUID())
                ).filter(\.$state == MembershipState.active.rawValue).with(\.$establishment).first()
            } ?? nil
        if membership == nil && !named.contains("establishment") {
            errors.append(
                FieldError(field: "establishment", message: "Choose an establishment admitted to that category"))
        }
        if input.startDate == nil && !named.contains("startDate") {
            errors.append(FieldError(field: "startDate", message: "Enter the start date, for example 1 12 2026"))
        } else if let start = input.startDate,
            start < LocalDate.from(now).adding(months: -120) || start > LocalDate.from(now).adding(days: 731)
        {
            // A placement already running is recorded from its real start; none began over ten years ago.
            errors.append(
                FieldError(
                    field: "startDate",
                    message: "The start date must be within the last ten years or the next two"))
        }
        let fee = input.weeklyFeePence.flatMap { (1...Money.maximumLinePence).contains($0) ? $0 : nil }
        if fee == nil && !named.contains("weeklyFee") {
            errors.append(FieldError(field: "weeklyFee", message: "Enter the agreed weekly fee in pounds"))
        }
        let justification = input.justification.trimmed
        if justification.count < 20 {
            errors.append(
                FieldError(
                    field: "justification",
                    message:
                        "Explain the exceptional circumstances that justify a placement without competition "
                        + "(at least 20 characters)"
                ))
        } else if justification.count > Bounded.longText {
            errors.append(
                FieldError(field: "justification", message: "Write at most \(Bounded.longText) characters"))
        }
        guard errors.isEmpty, let category, let membership, let start = input.startDate, let fee else {
            throw UseCaseError(errors)
        }
        guard let weeks = input.durationWeeks, (1...520).contains(weeks) else {
            throw UseCaseError(field: "durationWeeks", "Enter the expected duration in weeks, from 1 to 520")
        }
        let outcomes = input.outcomes.map(\.trimmed).filter { !$0.isEmpty }
        let childDetails = input.childDetails.trimmed
        if childDetails.count > Bounded.longText || outcomes.count > ReferralRules.maximumListItems
            || outcomes.contains(where: { $0.count > ReferralRules.maximumItemLength })
        {
            throw UseCaseError(
                field: childDetails.count > Bounded.longText ? "childDetails" : "outcomes", "This is too long")
        }
        return try await db.writeTransaction { db in
            // A record of its own: no referral, no competition; its own reference from the DIR counter.
            let p = PlacementRecord()
            p.referralID = nil
            p.reference = try await nextReference("DIR", db: db)
            p.dpsID = category.$dps.id
            p.categoryID = try category.requireID()
            p.createdBy = actor.userID
            p.childDetails = childDetails
            p.bidID = nil
            p.$establishment.id = membership.$establishment.id
            p.providerID = membership.$organisation.id
            p.authorityID = actor.organisationID
            p.contractName = category.contractName
            p.startDate = start.iso
            p.weeklyFeePence = fee
            p.expectedEndDate = PlacementEnding.expectedEnd(start: start, weeks: weeks)?.iso
            p.status = PlacementStatus.active.rawValue
            p.coreJSON = "{}"  // a fee agreed directly: no breakdown that would not add up to it
            p.variableJSON = "[]"
            p.discountBasisPoints = 0
            p.outcomesJSON = Audit.encode(outcomes)
            p.reviewDatesJSON = Audit.encode(
                PlacementEnding.reviewDates(start: start, end: PlacementEnding.expectedEnd(start: start, weeks: weeks))
                    .map(\.iso))
            p.direct = true
            p.justification = justification
            p.createdAt = now
            try await p.create(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID, action: "placement.direct", entityType: "placement", entityID: p.id,
                before: String?.none,
                after: [
                    "establishment": membership.establishment.name, "weeklyFeePence": String(fee),
                    "justification": justification,
                ], at: now)
            try await Outbox.send(
                on: db, organisationID: membership.$organisation.id, recipient: "Provider",
                subject: "Direct placement agreed: \(p.reference ?? "")",
                body: "A placement at \(membership.establishment.name) has been agreed without competition.",
                link: SiteURL.placement(p.id!).path, at: now)
            return p
        }
    }

    /// A placement the actor may see (`AccessPolicy.placementScope`): its placing authority or its provider, or the
    /// lead authority's contract managers, administrators and auditor for the DPSs it runs.
    package static func placement(_ id: UUID, actor: Actor, db: any Database) async throws -> PlacementRecord {
        guard let p = try await PlacementRecord.query(on: db).filter(\.$id == id).with(\.$establishment).first() else {
            throw UseCaseError(.notFound, "No such placement.")
        }
        if p.authorityID == actor.organisationID || p.providerID == actor.organisationID { return p }
        if case .dps(let ids) = try await AccessPolicy.placementScope(of: actor, db: db), let dpsID = p.dpsID,
            ids.contains(dpsID)
        {
            return p
        }
        throw UseCaseError(.notFound, "No such placement.")
    }

    /// Each side accepts the agreement electronically (name and time recorded).
    package static func accept(_ id: UUID, actor: Actor, db: any Database, now: Date) async throws {
        let p = try await placement(id, actor: actor, db: db)
        let isProvider = p.providerID == actor.organisationID
        if isProvider { try actor.require(.providerAdmin) } else { try requireOfficer(actor) }
        if (isProvider ? p.providerAcceptedAt : p.authorityAcceptedAt) != nil {
            throw UseCaseError(field: "accept", "You have already accepted this agreement", status: .conflict)
        }
        try await db.writeTransaction { db in
            // Claimed by one conditional UPDATE: two clicks at once accept once.
            let sql = try db.sql()
            let (at, by) =
                isProvider
                ? ("provider_accepted_at", "provider_accepted_by") : ("authority_accepted_at", "authority_accepted_by")
            guard
                try await sql.update(PlacementRecord.schema).set(SQLIdentifier(at), to: SQLBind(now)).set(
                    SQLIdentifier(by), to: SQLBind(actor.label)
                )
                .where(SQLIdentifier("id"), .equal, SQLBind(p.requireID())).where(
                    SQLIdentifier(at), .is, SQLLiteral.null
                ).returning("id").first() != nil
            else {
                throw UseCaseError(field: "accept", "You have already accepted this agreement", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID, action: "placement.accepted", entityType: "placement",
                entityID: p.id,
                before: String?.none,
                after: ["side": isProvider ? "provider" : "authority"], at: now)
        }
    }
}

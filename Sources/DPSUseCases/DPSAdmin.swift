import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// A snapshot of a DPS's settings for audit before/after.
extension DPSRecord {
    /// The DPS's concern threshold, as its four settings.
    package var concernThreshold: ConcernThreshold {
        get {
            ConcernThreshold(
                concerns: concernCount, partners: concernPartners, months: concernMonths,
                anySafeguarding: concernAnySafeguarding)
        }
        set {
            concernCount = newValue.concerns
            concernPartners = newValue.partners
            concernMonths = newValue.months
            concernAnySafeguarding = newValue.anySafeguarding
        }
    }
}

package struct DPSSnapshot: Codable {
    package var title: String
    package var regime: String
    package var validityStart: String
    package var validityEnd: String
    package var shortDeadlinesAgreed: Bool
    package var parentChoiceBandPoints: Int
    package var rescoreMonths: Int
    package var reviewMonths: Int
    package var ocidPrefix: String
    package var concernThreshold: ConcernThreshold
    package var complianceGraceDays: Int

    package init(_ d: DPSRecord) {
        title = d.title
        regime = d.regime
        validityStart = d.validityStart
        validityEnd = d.validityEnd
        shortDeadlinesAgreed = d.shortDeadlinesAgreed
        parentChoiceBandPoints = d.parentChoiceBandPoints
        rescoreMonths = d.rescoreMonths
        reviewMonths = d.reviewMonths
        ocidPrefix = d.ocidPrefix
        concernThreshold = d.concernThreshold
        complianceGraceDays = d.complianceGraceDays
    }
}

/// The DPS administrator's use cases (DOMAIN §3). Each runs in one transaction with its audit event.
package enum DPSAdmin {
    /// A DPS's settings as typed values. The admin page's form maps to it; a value its format could not
    /// read is nil (the rule's message names it) or, where blank and unreadable differ, in `unreadable`.
    package struct DPSCommand: Sendable {
        package var title: String
        package var regime: Regime?
        package var validityStart: LocalDate?
        package var validityEnd: LocalDate?
        package var shortDeadlinesAgreed: Bool
        /// Nil: the default (5) on creation, unchanged on update.
        package var parentChoiceBandPoints: Int?
        /// 6 or 12; nil: 12 on creation, unchanged on update.
        package var rescoreMonths: Int?
        /// 3, 6 or 12: how often placements' outcomes are reviewed; nil: 6 on creation, unchanged on update.
        package var reviewMonths: Int?
        /// The publisher's registered ocid prefix (`ocds-` and six lowercase letters or digits); nil: `ocds-dpsdev`
        /// on creation, unchanged on update.
        package var ocidPrefix: String?
        /// The concern threshold; nil: the default (`ConcernThreshold()`) on creation, unchanged on update.
        package var concernThreshold: ConcernThreshold?
        /// 0-20 working days; nil: 5 on creation, unchanged on update.
        package var complianceGraceDays: Int?
        package var description: String
        package var terms: String
        package var unreadable: [FieldError]

        package init(
            title: String, regime: Regime?, validityStart: LocalDate?, validityEnd: LocalDate?,
            shortDeadlinesAgreed: Bool, parentChoiceBandPoints: Int? = nil, rescoreMonths: Int? = nil,
            reviewMonths: Int? = nil, ocidPrefix: String? = nil, concernThreshold: ConcernThreshold? = nil,
            complianceGraceDays: Int? = nil,
            description: String = "",
            terms: String = "",
            unreadable: [FieldError] = []
        ) {
            self.rescoreMonths = rescoreMonths
            self.reviewMonths = reviewMonths
            self.ocidPrefix = ocidPrefix
            self.concernThreshold = concernThreshold
            self.complianceGraceDays = complianceGraceDays
            self.title = title
            self.regime = regime
            self.validityStart = validityStart
            self.validityEnd = validityEnd
            self.shortDeadlinesAgreed = shortDeadlinesAgreed
            self.parentChoiceBandPoints = parentChoiceBandPoints
            self.description = description
            self.terms = terms
            self.unreadable = unreadable
        }
    }

    package static let parentChoiceBand = 1...20

    package static func validate(_ input: DPSCommand, creating: Bool) -> ([FieldError], ValidityPeriod?) {
        var errors = input.unreadable
        if input.title.trimmed.isEmpty {
            errors.append(FieldError(field: "title", message: "Enter a title for the DPS"))
        }
        if input.title.trimmed.count > Bounded.shortText {
            errors.append(
                FieldError(field: "title", message: "The title must be at most \(Bounded.shortText) characters"))
        }
        for (field, text) in [("description", input.description), ("terms", input.terms)]
        where text.trimmed.count > Bounded.longText {
            errors.append(FieldError(field: field, message: "Write at most \(Bounded.longText) characters"))
        }
        if input.regime == nil {
            errors.append(FieldError(field: "regime", message: "Choose the legal regime the DPS runs under"))
        }
        let (start, end) = (input.validityStart, input.validityEnd)
        if start == nil {
            errors.append(
                FieldError(
                    field: "validityStart",
                    message: "Enter the start of the period of validity as a date, for example 1 4 2027"))
        }
        if creating && end == nil {
            errors.append(
                FieldError(
                    field: "validityEnd",
                    message: "Enter the end of the period of validity as a date, for example 31 3 2031"))
        }
        if let band = input.parentChoiceBandPoints, !parentChoiceBand.contains(band) {
            errors.append(
                FieldError(
                    field: "parentChoiceBandPoints",
                    message: "Parent choice band must be a whole number of points from 1 to 20"))
        }
        if let months = input.rescoreMonths, ![6, 12].contains(months) {
            errors.append(
                FieldError(
                    field: "rescoreMonths", message: "Choose whether memberships are re-scored every 6 or 12 months"))
        }
        if let months = input.reviewMonths, ![3, 6, 12].contains(months) {
            errors.append(
                FieldError(
                    field: "reviewMonths", message: "Choose whether outcomes are reviewed every 3, 6 or 12 months"))
        }
        if let prefix = input.ocidPrefix, !OCDS.isValidPrefix(prefix) {
            errors.append(
                FieldError(
                    field: "ocidPrefix",
                    message: "Enter the ocid prefix you registered: ocds- and six lowercase letters or digits"))
        }
        if let t = input.concernThreshold {
            if !(1...20).contains(t.concerns) {
                errors.append(
                    FieldError(field: "concernCount", message: "The number of concerns must be from 1 to 20"))
            }
            if !(1...10).contains(t.partners) || t.partners > max(1, t.concerns) {
                errors.append(
                    FieldError(
                        field: "concernPartners",
                        message: "The number of partners must be from 1 to 10, and no more than the concerns"))
            }
            if !(1...36).contains(t.months) {
                errors.append(FieldError(field: "concernMonths", message: "The window must be from 1 to 36 months"))
            }
        }
        if let grace = input.complianceGraceDays, !(0...20).contains(grace) {
            errors.append(
                FieldError(field: "complianceGraceDays", message: "The grace period must be from 0 to 20 working days"))
        }
        guard let start, let end else { return (errors, nil) }
        let period = ValidityPeriod(start: start, end: end)
        errors += period.validate().map { FieldError(field: "validityEnd", message: $0.message) }
        return (errors, period)
    }

    package static func create(_ input: DPSCommand, actor: Actor, db: any Database, now: Date) async throws
        -> DPSRecord
    {
        try actor.require(.dpsAdmin)
        let (errors, period) = validate(input, creating: true)
        guard errors.isEmpty, let period, let regime = input.regime else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            let dps = DPSRecord()
            dps.title = input.title.trimmed
            dps.$lead.id = actor.organisationID
            dps.regime = regime.rawValue
            dps.validityStart = period.start.iso
            dps.validityEnd = period.end.iso
            dps.shortDeadlinesAgreed = input.shortDeadlinesAgreed
            dps.parentChoiceBandPoints = input.parentChoiceBandPoints ?? 5
            dps.rescoreMonths = input.rescoreMonths ?? 12
            dps.reviewMonths = input.reviewMonths ?? 6
            dps.ocidPrefix = input.ocidPrefix ?? "ocds-dpsdev"
            dps.concernThreshold = input.concernThreshold ?? ConcernThreshold()
            dps.complianceGraceDays = input.complianceGraceDays ?? 5
            dps.description = input.description.trimmed
            dps.terms = input.terms.trimmed
            try await dps.create(on: db)
            for (index, definition) in DefaultCategories.all.enumerated() {
                try await addCategory(definition, position: index, dps: dps, db: db)
            }
            try await Audit.record(
                on: db, actor: actor, dps: dps.id, action: "dps.created", entityType: "dps", entityID: dps.id,
                before: DPSSnapshot?.none, after: DPSSnapshot(dps), at: now)
            return dps
        }
    }

    package static func addCategory(
        _ definition: DefaultCategories.Definition, position: Int, dps: DPSRecord, db: any Database
    ) async throws {
        let category = CategoryRecord()
        category.$dps.id = try dps.requireID()
        category.name = definition.name
        category.code = definition.code
        category.description = definition.description
        category.contractName = definition.contract
        category.affordabilityCapPence = definition.capPence
        category.minimumInvitees = 3
        category.setContent(definition.content)
        category.position = position
        try await category.create(on: db)
    }

    /// What the administrator's set-up page shows of the DPS its authority runs: nil when it runs none yet.
    package struct Setup: Sendable {
        package var dps: DPSRecord
        package var categories: [CategoryRecord]
        /// Each category's reasons it is not yet open for applications (none when open), by category id.
        package var problems: [UUID: [FieldError]]
        package var partners: [PartnerRecord]
        /// The categories each partner uses, by partner id.
        package var categoriesUsed: [UUID: Set<UUID>]
        package var closedWindows: [ClosedWindowRecord]
    }

    package static func setup(actor: Actor, db: any Database) async throws -> Setup? {
        try actor.require(.dpsAdmin)
        guard let dps = try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).first() else {
            return nil
        }
        let id = try dps.requireID()
        let categories = try await CategoryRecord.query(on: db).filter(\.$dps.$id == id).sort(\.$position).all()
        let used = Dictionary(
            grouping: try await PartnerCategoryRecord.query(on: db).filter(\.$dpsID == id).all(), by: \.partnerID
        ).mapValues { Set($0.map(\.categoryID)) }
        return Setup(
            dps: dps, categories: categories,
            problems: try Dictionary(
                uniqueKeysWithValues: categories.map { (try $0.requireID(), try $0.readinessProblems) }),
            partners: try await PartnerRecord.query(on: db).filter(\.$dps.$id == id).with(\.$organisation).all(),
            categoriesUsed: used,
            closedWindows: try await ClosedWindowRecord.query(on: db).filter(\.$dps.$id == id).sort(\.$startsAt).all())
    }

    package static func ownDPS(_ id: UUID, actor: Actor, db: any Database) async throws -> DPSRecord {
        try actor.require(.dpsAdmin)
        guard let dps = try await DPSRecord.find(id, on: db), dps.$lead.id == actor.organisationID else {
            throw UseCaseError(.notFound, "No such DPS.")
        }
        return dps
    }

    package static func update(_ id: UUID, _ submitted: DPSCommand, actor: Actor, db: any Database, now: Date)
        async throws
    {
        var edited = submitted
        let dps = try await ownDPS(id, actor: actor, db: db)
        // The end changes only through a recorded validity change.
        guard let storedEnd = LocalDate(iso: dps.validityEnd) else {
            throw UseCaseError(.internalFailure, "The DPS's stored validity period is not valid.")
        }
        edited.validityEnd = storedEnd
        let input = edited
        let (errors, period) = validate(input, creating: false)
        guard errors.isEmpty, let period, let regime = input.regime else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let before = DPSSnapshot(dps)
            dps.title = input.title.trimmed
            dps.regime = regime.rawValue
            dps.validityStart = period.start.iso
            dps.shortDeadlinesAgreed = input.shortDeadlinesAgreed
            dps.parentChoiceBandPoints = input.parentChoiceBandPoints ?? dps.parentChoiceBandPoints
            dps.rescoreMonths = input.rescoreMonths ?? dps.rescoreMonths
            dps.reviewMonths = input.reviewMonths ?? dps.reviewMonths
            dps.ocidPrefix = input.ocidPrefix ?? dps.ocidPrefix
            if let threshold = input.concernThreshold { dps.concernThreshold = threshold }
            dps.complianceGraceDays = input.complianceGraceDays ?? dps.complianceGraceDays
            dps.description = input.description.trimmed
            dps.terms = input.terms.trimmed
            try await dps.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: dps.id, action: "dps.updated", entityType: "dps", entityID: dps.id,
                before: before, after: DPSSnapshot(dps), at: now)
        }
    }

    /// A change to the period of validity. `newEnd` nil when terminating means today; a date the form could
    /// not read is in `unreadable`.
    package struct ValidityCommand: Sendable {
        package var kind: ValidityChange.Kind?
        package var newEnd: LocalDate?
        package var reason: String
        package var unreadable: [FieldError]

        package init(
            kind: ValidityChange.Kind?, newEnd: LocalDate?, reason: String = "", unreadable: [FieldError] = []
        ) {
            self.kind = kind
            self.newEnd = newEnd
            self.reason = reason
            self.unreadable = unreadable
        }
    }

    /// Extends, shortens or terminates the period of validity, recording the reason and notifying partners.
    package static func changeValidity(
        _ id: UUID, _ input: ValidityCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        _ = try await ownDPS(id, actor: actor, db: db)
        guard let kind = input.kind else {
            throw UseCaseError(field: "kind", "Choose whether to extend, shorten or terminate the DPS")
        }
        guard input.unreadable.isEmpty else { throw UseCaseError(input.unreadable) }
        if input.reason.trimmed.count > Bounded.longText {
            throw UseCaseError(field: "reason", "Write the reason in at most \(Bounded.longText) characters")
        }
        let today = LocalDate.from(now)
        let newEnd: LocalDate
        if let given = input.newEnd {
            newEnd = given
        } else if kind == .terminate {
            newEnd = today
        } else {
            throw UseCaseError(field: "newEnd", "Enter the new end date as a date, for example 31 3 2031")
        }
        let change = ValidityChange(kind: kind, newEnd: newEnd, reason: input.reason)
        try await db.writeTransaction { db in
            // The period is judged against the DPS as it stands under the claim, not a copy read before it:
            // two changes at once apply one after the other.
            try await db.sql().update(DPSRecord.schema)
                .set(SQLIdentifier("validity_end"), to: SQLColumn("validity_end"))
                .where(SQLIdentifier("id"), .equal, SQLBind(id)).run()
            guard let dps = try await DPSRecord.find(id, on: db) else { throw UseCaseError(.notFound, "No such DPS.") }
            guard let start = LocalDate(iso: dps.validityStart), let end = LocalDate(iso: dps.validityEnd) else {
                throw UseCaseError(.conflict, "The DPS's stored validity period is not valid.")
            }
            let period: ValidityPeriod
            do {
                period = try ValidityPeriod(start: start, end: end).applying(change, today: today)
            } catch let failure as ValidationFailure {
                throw UseCaseError(failure.errors)
            }
            let record = ValidityChangeRecord()
            record.$dps.id = id
            record.kind = kind.rawValue
            record.oldEnd = dps.validityEnd
            record.newEnd = period.end.iso
            record.reason = change.reason.trimmed
            record.changedBy = actor.userID
            record.changedAt = now
            try await record.create(on: db)
            let before = DPSSnapshot(dps)
            dps.validityEnd = period.end.iso
            try await dps.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: id, action: "dps.validity.\(kind.rawValue)", entityType: "dps",
                entityID: id, before: before, after: DPSSnapshot(dps), at: now)
            for partner in try await PartnerRecord.query(on: db).filter(\.$dps.$id == id).with(\.$organisation)
                .all()
            {
                try await Outbox.send(
                    on: db, organisationID: partner.organisation.id,
                    recipient: partner.organisation.contactEmail ?? partner.organisation.name,
                    subject:
                        "\(dps.title): period of validity \(kind == .terminate ? "terminated" : "changed")",
                    body: "The DPS now ends on \(period.end.longForm). Reason: \(change.reason.trimmed)",
                    link: SiteURL.documents.path, at: now)
            }
        }
    }

    /// A period when entry to new applicants is closed, from `start` until `end` (London midnights).
    package struct ClosedWindowCommand: Sendable {
        package var start: LocalDate?
        package var end: LocalDate?
        package var reason: String

        package init(start: LocalDate?, end: LocalDate?, reason: String = "") {
            self.start = start
            self.end = end
            self.reason = reason
        }
    }

    /// Closes entry to new applicants between two dates (London midnight to midnight).
    package static func addClosedWindow(
        _ id: UUID, _ input: ClosedWindowCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        let dps = try await ownDPS(id, actor: actor, db: db)
        var errors: [FieldError] = []
        let (start, end) = (input.start, input.end)
        if input.reason.trimmed.count > Bounded.shortText {
            errors.append(
                FieldError(field: "reason", message: "Write the reason in at most \(Bounded.shortText) characters"))
        }
        if start == nil {
            errors.append(FieldError(field: "start", message: "Enter the date entry closes, for example 1 2 2027"))
        }
        if end == nil {
            errors.append(FieldError(field: "end", message: "Enter the date entry reopens, for example 1 4 2027"))
        }
        guard let start, let end else { throw UseCaseError(errors) }
        let window = ClosedWindow(start: start.startOfDay(), end: end.startOfDay(), reason: input.reason)
        errors += window.validate()
        guard errors.isEmpty else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let record = ClosedWindowRecord()
            record.$dps.id = try dps.requireID()
            record.startsAt = window.start
            record.endsAt = window.end
            record.reason = window.reason.trimmed
            try await record.create(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: dps.id, action: "dps.window.closed", entityType: "dps", entityID: dps.id,
                before: String?.none, after: ["start": start.iso, "end": end.iso, "reason": window.reason.trimmed],
                at: now)
        }
    }

    /// A partner authority and the categories (by id) it uses.
    package struct PartnerCommand: Sendable {
        package var gssCode: String
        package var name: String
        package var categories: [UUID]
        package var isJoiner: Bool
        package var unreadable: [FieldError]

        package init(
            gssCode: String = "", name: String, categories: [UUID], isJoiner: Bool = false,
            unreadable: [FieldError] = []
        ) {
            self.gssCode = gssCode
            self.name = name
            self.categories = categories
            self.isJoiner = isJoiner
            self.unreadable = unreadable
        }
    }

    /// Adds a partner authority (creating its organisation from the English authorities list) with the
    /// categories it uses, or changes the categories of an existing partner.
    package static func upsertPartner(_ id: UUID, _ input: PartnerCommand, actor: Actor, db: any Database, now: Date)
        async throws
    {
        let dps = try await ownDPS(id, actor: actor, db: db)
        let name = input.name.trimmed
        let gss = input.gssCode.trimmed.uppercased()
        var errors = input.unreadable
        if name.isEmpty { errors.append(FieldError(field: "name", message: "Enter the partner authority's name")) }
        if name.count > Bounded.shortText || gss.count > 9 {
            errors.append(FieldError(field: "name", message: "Enter the authority's name and its 9-character GSS code"))
        }
        let categories = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).all()
        let chosen = Set(input.categories)
        let valid = Set(categories.compactMap(\.id))
        if chosen.isEmpty && input.unreadable.isEmpty {
            errors.append(FieldError(field: "categories", message: "Choose at least one category the partner uses"))
        }
        if !chosen.isSubset(of: valid) {
            errors.append(FieldError(field: "categories", message: "Choose categories of this DPS only"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            // A council is found by its GSS code when one is given (names are not unique across England's
            // councils' spellings), else by its name.
            func councils() -> QueryBuilder<Organisation> {
                Organisation.query(on: db).filter(\.$kind == OrganisationKind.partnerAuthority.rawValue)
            }
            var found = gss.isEmpty ? nil : try await councils().filter(\.$gssCode == gss).first()
            if found == nil, let named = try await councils().filter(\.$name == name).first(),
                gss.isEmpty || named.gssCode == nil
            {
                // A council recorded by name only takes the code it is now given.
                if !gss.isEmpty {
                    named.gssCode = gss
                    try await named.update(on: db)
                }
                found = named
            }
            let org: Organisation
            if let found {
                org = found
            } else {
                org = Organisation(kind: OrganisationKind.partnerAuthority.rawValue, name: name)
                org.gssCode = gss.isEmpty ? nil : gss
                try await org.create(on: db)
            }
            let partner =
                try await PartnerRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).filter(
                    \.$organisation.$id == org.requireID()
                ).first()
                ?? {
                    let p = PartnerRecord()
                    p.$dps.id = try dps.requireID()
                    p.$organisation.id = try org.requireID()
                    p.joinedOn = LocalDate.from(now).iso
                    p.isJoiner = input.isJoiner
                    return p
                }()
            let before =
                partner.id == nil
                ? nil
                : Audit.encode(
                    try await PartnerCategoryRecord.query(on: db).filter(\.$partnerID == partner.requireID()).all(
                        \.$categoryID
                    )
                    .map(\.uuidString).sorted())
            partner.categoryIDsJSON = "[]"  // the categories are rows of partner_categories (M0015)
            let joining = partner.id == nil
            try await partner.save(on: db)
            let partnerID = try partner.requireID()
            try await PartnerCategoryRecord.query(on: db).filter(\.$partnerID == partnerID).delete()
            let rows = chosen.sorted { $0.uuidString < $1.uuidString }.map {
                PartnerCategoryRecord(
                    partnerID: partnerID, dpsID: partner.$dps.id, organisationID: partner.$organisation.id,
                    categoryID: $0)
            }
            if !rows.isEmpty { try await rows.create(on: db) }
            try await Audit.record(
                on: db, actor: actor, dps: partner.$dps.id, action: "dps.partner.saved", entityType: "partner",
                entityID: partner.id,
                before: before,
                after: ["organisation": org.name, "categories": Audit.encode(chosen.map(\.uuidString).sorted())],
                at: now)
            // The council is told at once: from now on its officers can refer through this DPS, whose lead
            // authority then reads those referrals. A council that has not agreed says so to the lead.
            // Saved again with the same categories: nothing to tell.
            guard joining || before != Audit.encode(chosen.map(\.uuidString).sorted()) else { return }
            let names = categories.filter { chosen.contains($0.id ?? UUID()) }.map(\.name).sorted()
            try await Outbox.send(
                on: db, organisationID: org.id, recipient: org.contactEmail ?? org.name,
                subject: joining
                    ? "\(actor.organisationName) made your authority a partner of \(dps.title)"
                    : "\(actor.organisationName) changed the categories you use in \(dps.title)",
                body:
                    "\(dps.title), run by \(actor.organisationName), lists your authority as a partner using: "
                    + "\(names.joined(separator: "; ")). Your officers see these categories, named with this DPS, "
                    + "when they make a referral, and its lead authority reads the referrals made through it. If "
                    + "your authority has not agreed to this, tell \(actor.organisationName).",
                link: SiteURL.newReferral.path, at: now)
        }
    }

    /// A new category's name, description, national contract, and whether its providers are inspected.
    package struct NewCategoryCommand: Sendable {
        package var name: String
        package var description: String
        package var contractName: String
        package var inspected: Bool

        package init(name: String, description: String = "", contractName: String, inspected: Bool = true) {
            self.name = name
            self.description = description
            self.contractName = contractName
            self.inspected = inspected
        }
    }

    /// Adds a category with no questions yet; it opens for applications once its content is complete.
    package static func newCategory(
        _ id: UUID, _ input: NewCategoryCommand, actor: Actor, db: any Database, now: Date
    ) async throws -> CategoryRecord {
        let dps = try await ownDPS(id, actor: actor, db: db)
        let name = input.name.trimmed
        var errors: [FieldError] = []
        if name.isEmpty { errors.append(FieldError(field: "categoryName", message: "Enter the category's name")) }
        if name.count > Bounded.shortText || input.contractName.trimmed.count > Bounded.shortText {
            errors.append(
                FieldError(
                    field: "categoryName",
                    message: "The name and the contract's name must be at most \(Bounded.shortText) characters"))
        }
        if input.contractName.trimmed.isEmpty {
            errors.append(
                FieldError(
                    field: "contractName", message: "Enter the national contract that awards in this category use"))
        }
        let code = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).split(separator: "-").joined(
            separator: "-")
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let dpsID = try dps.requireID()
        return try await db.writeTransaction { db in
            // The DPS's row is claimed first, so two categories of one name added at once are checked one after
            // the other (the second used to fail on the unique key instead).
            let sql = try db.sql()
            try await sql.update(DPSRecord.schema).set(SQLIdentifier("title"), to: SQLColumn("title"))
                .where(SQLIdentifier("id"), .equal, SQLBind(dpsID)).run()
            let existing = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dpsID).all()
            if existing.contains(where: { $0.code == code || $0.name.lowercased() == name.lowercased() }) {
                throw UseCaseError(
                    field: "categoryName", "There is already a category called \(name)", status: .conflict)
            }
            let category = CategoryRecord()
            category.$dps.id = try dps.requireID()
            category.name = name
            category.code = code
            category.description = String(input.description.trimmed.prefix(Bounded.longText))
            category.contractName = input.contractName.trimmed
            category.affordabilityCapPence = nil
            category.minimumInvitees = 3
            var content = CategoryContent.empty
            content.requiresInspection = input.inspected
            category.setContent(content)
            category.position = (existing.map(\.position).max() ?? -1) + 1
            try await category.create(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: category.$dps.id, action: "category.created", entityType: "category",
                entityID: category.id,
                before: String?.none, after: category.contentJSON, at: now)
            return category
        }
    }

    /// A category's settings as typed values: the affordability cap in pence (nil: no cap), the minimum number
    /// of invitees, and each criterion's weight bounds in points (nil where the form held no whole number).
    package struct CategorySettingsCommand: Sendable {
        package struct Points: Sendable {
            package var min: Int?
            package var max: Int?

            package init(min: Int?, max: Int?) {
                self.min = min
                self.max = max
            }
        }

        package var name: String
        package var description: String
        package var contractName: String
        package var affordabilityCapPence: Int?
        package var minimumInvitees: Int?
        package var weightBounds: [ReferralCriterion: Points]
        package var unreadable: [FieldError]

        package init(
            name: String, description: String = "", contractName: String, affordabilityCapPence: Int? = nil,
            minimumInvitees: Int?, weightBounds: [ReferralCriterion: Points], unreadable: [FieldError] = []
        ) {
            self.name = name
            self.description = description
            self.contractName = contractName
            self.affordabilityCapPence = affordabilityCapPence
            self.minimumInvitees = minimumInvitees
            self.weightBounds = weightBounds
            self.unreadable = unreadable
        }
    }

    package static let capMessage =
        "Enter the affordability cap in pounds, for example 4500, or leave it empty for no cap"

    package static func ownCategory(_ id: UUID, actor: Actor, db: any Database) async throws -> CategoryRecord {
        try actor.require(.dpsAdmin)
        guard let category = try await CategoryRecord.query(on: db).filter(\.$id == id).with(\.$dps).first(),
            category.dps.$lead.id == actor.organisationID
        else { throw UseCaseError(.notFound, "No such category.") }
        return category
    }

    /// Saves a category's settings; the content must stay internally consistent (bounds within §7).
    package static func updateCategorySettings(
        _ id: UUID, _ input: CategorySettingsCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        var errors = input.unreadable
        let name = input.name.trimmed
        if name.isEmpty { errors.append(FieldError(field: "name", message: "Enter the category's name")) }
        if name.count > Bounded.shortText || input.contractName.trimmed.count > Bounded.shortText {
            errors.append(
                FieldError(
                    field: "name",
                    message: "The name and the contract's name must be at most \(Bounded.shortText) characters"))
        }
        let cap = input.affordabilityCapPence
        if let cap, !(1...Money.maximumLinePence).contains(cap) {
            errors.append(FieldError(field: "affordabilityCap", message: capMessage))
        }
        let minimum = input.minimumInvitees.flatMap { (1...1_000).contains($0) ? $0 : nil }
        if minimum == nil {
            errors.append(
                FieldError(
                    field: "minimumInvitees",
                    message:
                        "Enter the minimum number of providers a referral must reach, from 1 to 1000, for example 3"))
        }
        var bounds: [String: CategoryContent.Bound] = [:]
        for criterion in ReferralCriterion.allCases {
            let given = input.weightBounds[criterion]
            guard let lo = given?.min, let hi = given?.max, Bounded.points.contains(lo), Bounded.points.contains(hi)
            else {
                errors.append(
                    FieldError(
                        field: "bounds.\(criterion.rawValue).min",
                        message:
                            "Enter minimum and maximum points for \(criterion.label) as whole numbers from 0 to 100"))
                continue
            }
            bounds[criterion.rawValue] = .init(min: lo, max: hi)
        }
        guard errors.isEmpty, let minimum else { throw UseCaseError(errors) }
        let (description, contract, weightBounds) = (
            String(input.description.trimmed.prefix(Bounded.longText)), input.contractName.trimmed, bounds
        )
        try await changeCategory(id, action: "category.settings.updated", actor: actor, db: db, now: now) { category in
            var content = try category.content
            content.weightBounds.merge(weightBounds) { $1 }
            category.name = name
            category.description = description
            category.contractName = contract
            category.affordabilityCapPence = cap
            category.minimumInvitees = minimum
            category.setContent(content)
            let boundErrors = CategoryRules.validate(try category.spec).filter {
                $0.field.hasPrefix("weightBounds") || $0.field == "minimumInvitees"
                    || $0.field == "affordabilityCapPence"
            }
            guard boundErrors.isEmpty else {
                throw UseCaseError(
                    boundErrors.map { error in
                        let field =
                            error.field.hasPrefix("weightBounds.")
                            ? "bounds.\(error.field.dropFirst("weightBounds.".count)).min" : error.field
                        return FieldError(field: field, message: error.message)
                    })
            }
        }
    }

    /// Changes a category in one transaction: its row is claimed (a write lock) and read again first, so two
    /// administrators editing it at once both keep their change; `change` may refuse with field errors.
    static func changeCategory(
        _ id: UUID, action: String, actor: Actor, db: any Database, now: Date,
        _ change: @escaping @Sendable (CategoryRecord) throws -> Void
    ) async throws {
        _ = try await ownCategory(id, actor: actor, db: db)
        try await db.writeTransaction { db in
            let sql = try db.sql()
            try await sql.update(CategoryRecord.schema)
                .set(SQLIdentifier("content_json"), to: SQLColumn("content_json"))
                .where(SQLIdentifier("id"), .equal, SQLBind(id)).run()
            guard let category = try await CategoryRecord.find(id, on: db) else {
                throw UseCaseError(.notFound, "No such category.")
            }
            let before = Audit.encode(try category.content)
            try change(category)
            try await category.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: category.$dps.id, action: action, entityType: "category",
                entityID: category.id, before: before, after: category.contentJSON, at: now)
        }
    }

    /// The kinds of item a category's content holds.
    package enum ContentItemKind: String, Sendable, CaseIterable {
        case passFail, statement, costLine, tier
    }

    /// One item to add to a category's content, as typed values (nil where the form held no number).
    package enum ContentItemCommand: Sendable {
        case passFail(
            text: String, hint: String, requiresEvidence: Bool, evidenceExpires: Bool,
            onLapse: CategoryContent.LapseAction = .suspend)
        case statement(title: String, guidance: String, weight: Int?, youngPeoplesPanel: Bool)
        case costLine(name: String)
        case tier(children: Int?, basisPoints: Int?)
    }

    /// Adds one pass/fail question, method statement, cost line or discount tier to a category.
    package static func addContentItem(
        _ id: UUID, _ input: ContentItemCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        try await changeCategory(id, action: "category.content.added", actor: actor, db: db, now: now) { category in
            var content = try category.content
            try add(input, to: &content)
            category.setContent(content)
        }
    }

    /// Adds the item to the content, with a key made from its name (unique among its kind).
    static func add(_ input: ContentItemCommand, to content: inout CategoryContent) throws {
        func key(_ s: String) -> String {
            let base = s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
            let trimmedKey = String(base.prefix(30)).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
            return trimmedKey.isEmpty ? "item" : trimmedKey
        }
        func unique(_ k: String, in existing: [String]) -> String {
            var candidate = k
            var n = 2
            while existing.contains(candidate) {
                candidate = "\(k)_\(n)"
                n += 1
            }
            return candidate
        }
        func tooLong(_ texts: [String]) -> Bool { texts.contains { $0.trimmed.count > Bounded.longText } }
        switch input {
        case .passFail(let text, let hint, let requiresEvidence, let evidenceExpires, let onLapse):
            let text = text.trimmed
            guard !text.isEmpty else { throw UseCaseError(field: "text", "Enter the pass/fail question") }
            guard !tooLong([text, hint]) else {
                throw UseCaseError(field: "text", "Write at most \(Bounded.longText) characters")
            }
            content.passFail.append(
                .init(
                    key: unique(key(text), in: content.passFail.map(\.key)), text: text, hint: hint.trimmed,
                    requiresEvidence: requiresEvidence, evidenceExpires: evidenceExpires,
                    onLapse: evidenceExpires ? onLapse : nil))
        case .statement(let title, let guidance, let weight, let youngPeoplesPanel):
            let title = title.trimmed
            var errors: [FieldError] = []
            if title.isEmpty {
                errors.append(FieldError(field: "title", message: "Enter the method statement's title"))
            }
            if tooLong([title, guidance]) {
                errors.append(FieldError(field: "title", message: "Write at most \(Bounded.longText) characters"))
            }
            let weight = weight.flatMap { (1...100).contains($0) ? $0 : nil }
            if weight == nil {
                errors.append(
                    FieldError(field: "weight", message: "Enter the statement's weight as a whole number from 1 to 100")
                )
            }
            guard errors.isEmpty, let weight else { throw UseCaseError(errors) }
            if youngPeoplesPanel, content.statements.contains(where: \.youngPeoplesPanel) {
                throw UseCaseError(
                    field: "youngPeoplesPanel", "Only one method statement can be scored by the young people's panel")
            }
            content.statements.append(
                .init(
                    key: unique(key(title), in: content.statements.map(\.key)), title: title,
                    guidance: guidance.trimmed, weight: weight, youngPeoplesPanel: youngPeoplesPanel))
        case .costLine(let name):
            let name = name.trimmed
            guard !name.isEmpty else { throw UseCaseError(field: "name", "Enter the cost line's name") }
            guard name.count <= Bounded.shortText else {
                throw UseCaseError(field: "name", "Name the cost line in at most \(Bounded.shortText) characters")
            }
            content.costLines.append(.init(key: unique(key(name), in: content.costLines.map(\.key)), name: name))
        case .tier(let children, let basisPoints):
            var errors: [FieldError] = []
            let children = children.flatMap { (2...200).contains($0) ? $0 : nil }
            let basisPoints = basisPoints.flatMap { (1...10_000).contains($0) ? $0 : nil }
            if children == nil {
                errors.append(
                    FieldError(
                        field: "children", message: "Enter the number of children placed together, from 2 to 200"))
            }
            if basisPoints == nil {
                errors.append(
                    FieldError(
                        field: "percent",
                        message: "Enter the discount as a percentage above 0 and up to 100, for example 5"))
            }
            guard errors.isEmpty, let children, let basisPoints else { throw UseCaseError(errors) }
            guard !content.discountTiers.contains(where: { $0.children == children }) else {
                throw UseCaseError(field: "children", "There is already a discount tier for \(children) children")
            }
            content.discountTiers.append(DiscountTier(children: children, basisPoints: basisPoints))
            content.discountTiers.sort { $0.children < $1.children }
        }
    }

    /// Removes one item by kind and key (children count for tiers).
    package static func removeContentItem(
        _ id: UUID, kind: ContentItemKind, key: String, actor: Actor, db: any Database, now: Date
    ) async throws {
        try await changeCategory(id, action: "category.content.removed", actor: actor, db: db, now: now) { category in
            var content = try category.content
            switch kind {
            case .passFail: content.passFail.removeAll { $0.key == key }
            case .statement: content.statements.removeAll { $0.key == key }
            case .costLine: content.costLines.removeAll { $0.key == key }
            case .tier: content.discountTiers.removeAll { String($0.children) == key }
            }
            category.setContent(content)
        }
    }
}

extension String {
    /// Text typed by a person, cleaned where it is decoded: control characters other than tab and line
    /// breaks are dropped (SQLite ends text at a NUL, so "\u{0}hidden" would be stored empty after passing the
    /// "required" check), and blanks and zero-width characters are trimmed from both ends.
    package var trimmed: String {
        let kept = unicodeScalars.filter {
            $0.properties.generalCategory != .control || $0 == "\t" || $0 == "\n" || $0 == "\r"
        }
        return String(String.UnicodeScalarView(kept)).trimmingCharacters(in: Self.blankEdges)
    }

    private static let blankEdges = CharacterSet.whitespacesAndNewlines.union(
        CharacterSet(charactersIn: "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}"))
}

/// Parsing of amounts typed by people: pounds with optional £, commas and pence.
package enum Money {
    /// The largest amount a person may enter for one line, in pence (under £100,000,000): far above any real
    /// weekly price, far below anything that could overflow a sum.
    package static let maximumLinePence = 100_000_000 * 100 - 1

    package static func parsePounds(_ raw: String) -> Int? {
        var s = raw.trimmed.replacingOccurrences(of: ",", with: "")
        if s.hasPrefix("£") { s.removeFirst() }
        guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." }), s.filter({ $0 == "." }).count <= 1 else {
            return nil
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard let pounds = Int(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        var pence = 0
        if parts.count == 2 {
            let frac = String(parts[1])
            guard frac.count <= 2, let value = Int(frac.isEmpty ? "0" : frac) else { return nil }
            pence = frac.count == 1 ? value * 10 : value
        }
        guard pounds < 100_000_000 else { return nil }
        return pounds * 100 + pence
    }

    /// "7.5" → 750 basis points; at most 2 decimal places.
    package static func parsePercentBasisPoints(_ raw: String) -> Int? {
        var s = raw.trimmed
        if s.hasSuffix("%") { s.removeLast() }
        return parsePounds(s)
    }

    package static func poundsInput(_ pence: Int?) -> String {
        guard let pence else { return "" }
        return pence % 100 == 0 ? String(pence / 100) : String(format: "%d.%02d", pence / 100, pence % 100)
    }

    package static func percent(_ basisPoints: Int) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100)%" : String(format: "%.2f%%", Double(basisPoints) / 100)
    }
}

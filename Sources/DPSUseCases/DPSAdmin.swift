import DPSDomain
import DPSPersistence
import FluentKit
import Foundation

/// A snapshot of a DPS's settings for audit before/after.
package struct DPSSnapshot: Codable {
    package var title: String
    package var regime: String
    package var validityStart: String
    package var validityEnd: String
    package var shortDeadlinesAgreed: Bool
    package var parentChoiceBandPoints: Int

    package init(_ d: DPSRecord) {
        title = d.title
        regime = d.regime
        validityStart = d.validityStart
        validityEnd = d.validityEnd
        shortDeadlinesAgreed = d.shortDeadlinesAgreed
        parentChoiceBandPoints = d.parentChoiceBandPoints
    }
}

package enum Regime: String, CaseIterable {
    case pcr2015, pa2023
    package var label: String {
        switch self {
        case .pcr2015: "PCR 2015 dynamic purchasing system (regulation 34), Light Touch Regime"
        case .pa2023: "Procurement Act 2023 dynamic market (sections 34 to 40)"
        }
    }
}

/// The DPS administrator's use cases (DOMAIN §3). Each runs in one transaction with its audit event.
package enum DPSAdmin {
    package struct DPSInput: Codable, Sendable {
        package var title: String?
        package var regime: String?
        package var validityStart: String?
        package var validityEnd: String?
        package var shortDeadlinesAgreed: String?
        package var parentChoiceBandPoints: String?
        package var description: String?
        package var terms: String?

        package init(
            title: String? = nil, regime: String? = nil, validityStart: String? = nil, validityEnd: String? = nil,
            shortDeadlinesAgreed: String? = nil, parentChoiceBandPoints: String? = nil, description: String? = nil,
            terms: String? = nil
        ) {
            self.title = title
            self.regime = regime
            self.validityStart = validityStart
            self.validityEnd = validityEnd
            self.shortDeadlinesAgreed = shortDeadlinesAgreed
            self.parentChoiceBandPoints = parentChoiceBandPoints
            self.description = description
            self.terms = terms
        }
    }

    package static func validate(_ input: DPSInput, creating: Bool) -> ([FieldError], ValidityPeriod?) {
        var errors: [FieldError] = []
        if (input.title ?? "").trimmed.isEmpty {
            errors.append(FieldError(field: "title", message: "Enter a title for the DPS"))
        }
        if Regime(rawValue: input.regime ?? "") == nil {
            errors.append(FieldError(field: "regime", message: "Choose the legal regime the DPS runs under"))
        }
        let start = LocalDate(iso: (input.validityStart ?? "").trimmed)
        let end = LocalDate(iso: (input.validityEnd ?? "").trimmed)
        if start == nil {
            errors.append(
                FieldError(
                    field: "validityStart",
                    message: "Enter the start of the period of validity as a date, for example 2027-04-01"))
        }
        if creating && end == nil {
            errors.append(
                FieldError(
                    field: "validityEnd",
                    message: "Enter the end of the period of validity as a date, for example 2031-03-31"))
        }
        if let band = input.parentChoiceBandPoints, !band.isEmpty, Int(band).map({ $0 < 1 || $0 > 20 }) ?? true {
            errors.append(
                FieldError(
                    field: "parentChoiceBandPoints",
                    message: "Parent choice band must be a whole number of points from 1 to 20"))
        }
        guard let start, let end else { return (errors, nil) }
        let period = ValidityPeriod(start: start, end: end)
        errors += period.validate().map { FieldError(field: "validityEnd", message: $0.message) }
        return (errors, period)
    }

    package static func create(_ input: DPSInput, actor: Actor, db: any Database, now: Date) async throws -> DPSRecord {
        try actor.require(.dpsAdmin)
        let (errors, period) = validate(input, creating: true)
        guard errors.isEmpty, let period else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            let dps = DPSRecord()
            dps.title = input.title!.trimmed
            dps.$lead.id = actor.organisationID
            dps.regime = input.regime!
            dps.validityStart = period.start.iso
            dps.validityEnd = period.end.iso
            dps.shortDeadlinesAgreed = input.shortDeadlinesAgreed == "yes"
            dps.parentChoiceBandPoints = Int(input.parentChoiceBandPoints ?? "") ?? 5
            dps.description = (input.description ?? "").trimmed
            dps.terms = (input.terms ?? "").trimmed
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

    /// The DPS the actor's lead authority runs (or, for a partner, takes part in).
    package static func dps(for actor: Actor, db: any Database) async throws -> DPSRecord? {
        switch actor.organisationKind {
        case .leadAuthority:
            return try await DPSRecord.query(on: db).filter(\.$lead.$id == actor.organisationID).first()
        case .partnerAuthority:
            guard
                let partner = try await PartnerRecord.query(on: db).filter(\.$organisation.$id == actor.organisationID)
                    .first()
            else { return nil }
            return try await DPSRecord.find(partner.$dps.id, on: db)
        case .provider:
            return try await DPSRecord.query(on: db).first()
        }
    }

    package static func ownDPS(_ id: UUID, actor: Actor, db: any Database) async throws -> DPSRecord {
        try actor.require(.dpsAdmin)
        guard let dps = try await DPSRecord.find(id, on: db), dps.$lead.id == actor.organisationID else {
            throw UseCaseError(.notFound, "No such DPS.")
        }
        return dps
    }

    package static func update(_ id: UUID, _ submitted: DPSInput, actor: Actor, db: any Database, now: Date)
        async throws
    {
        var edited = submitted
        let dps = try await ownDPS(id, actor: actor, db: db)
        edited.validityEnd = dps.validityEnd  // the end changes only through a recorded validity change
        let input = edited
        let (errors, _) = validate(input, creating: false)
        guard errors.isEmpty else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let before = DPSSnapshot(dps)
            dps.title = input.title!.trimmed
            dps.regime = input.regime!
            dps.validityStart = input.validityStart!.trimmed
            dps.shortDeadlinesAgreed = input.shortDeadlinesAgreed == "yes"
            dps.parentChoiceBandPoints = Int(input.parentChoiceBandPoints ?? "") ?? dps.parentChoiceBandPoints
            dps.description = (input.description ?? "").trimmed
            dps.terms = (input.terms ?? "").trimmed
            try await dps.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: dps.id, action: "dps.updated", entityType: "dps", entityID: dps.id,
                before: before, after: DPSSnapshot(dps), at: now)
        }
    }

    package struct ValidityInput: Codable, Sendable {
        package var kind: String?
        package var newEnd: String?
        package var reason: String?

        package init(kind: String? = nil, newEnd: String? = nil, reason: String? = nil) {
            self.kind = kind
            self.newEnd = newEnd
            self.reason = reason
        }
    }

    /// Extends, shortens or terminates the period of validity, recording the reason and notifying partners.
    package static func changeValidity(_ id: UUID, _ input: ValidityInput, actor: Actor, db: any Database, now: Date)
        async throws
    {
        let dps = try await ownDPS(id, actor: actor, db: db)
        guard let kind = ValidityChange.Kind(rawValue: input.kind ?? "") else {
            throw UseCaseError(field: "kind", "Choose whether to extend, shorten or terminate the DPS")
        }
        let today = LocalDate.from(now)
        let newEnd: LocalDate
        if kind == .terminate, (input.newEnd ?? "").trimmed.isEmpty {
            newEnd = today
        } else if let parsed = LocalDate(iso: (input.newEnd ?? "").trimmed) {
            newEnd = parsed
        } else {
            throw UseCaseError(field: "newEnd", "Enter the new end date as a date, for example 2031-03-31")
        }
        guard let start = LocalDate(iso: dps.validityStart), let end = LocalDate(iso: dps.validityEnd) else {
            throw UseCaseError(.conflict, "The DPS's stored validity period is not valid.")
        }
        let change = ValidityChange(kind: kind, newEnd: newEnd, reason: input.reason ?? "")
        let period: ValidityPeriod
        do { period = try ValidityPeriod(start: start, end: end).applying(change, today: today) } catch {
            throw UseCaseError(error.errors)
        }
        try await db.writeTransaction { db in
            let record = ValidityChangeRecord()
            record.$dps.id = try dps.requireID()
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
                on: db, actor: actor, dps: dps.id, action: "dps.validity.\(kind.rawValue)", entityType: "dps",
                entityID: dps.id,
                before: before, after: DPSSnapshot(dps), at: now)
            for partner in try await PartnerRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).with(
                \.$organisation
            ).all() {
                try await Outbox.send(
                    on: db, organisationID: partner.organisation.id,
                    recipient: partner.organisation.contactEmail ?? partner.organisation.name,
                    subject:
                        "\(dps.title): period of validity \(kind.rawValue == "terminate" ? "terminated" : "changed")",
                    body: "The DPS now ends on \(period.end.longForm). Reason: \(change.reason.trimmed)",
                    link: "/documents", at: now)
            }
        }
    }

    package struct WindowInput: Codable, Sendable {
        package var start: String?
        package var end: String?
        package var reason: String?

        package init(start: String? = nil, end: String? = nil, reason: String? = nil) {
            self.start = start
            self.end = end
            self.reason = reason
        }
    }

    /// Closes entry to new applicants between two dates (London midnight to midnight).
    package static func addClosedWindow(_ id: UUID, _ input: WindowInput, actor: Actor, db: any Database, now: Date)
        async throws
    {
        let dps = try await ownDPS(id, actor: actor, db: db)
        var errors: [FieldError] = []
        let start = LocalDate(iso: (input.start ?? "").trimmed)
        let end = LocalDate(iso: (input.end ?? "").trimmed)
        if start == nil {
            errors.append(FieldError(field: "start", message: "Enter the date entry closes, for example 2027-02-01"))
        }
        if end == nil {
            errors.append(FieldError(field: "end", message: "Enter the date entry reopens, for example 2027-04-01"))
        }
        guard let start, let end else { throw UseCaseError(errors) }
        let window = ClosedWindow(start: start.startOfDay(), end: end.startOfDay(), reason: input.reason ?? "")
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

    package struct PartnerInput: Codable, Sendable {
        package var gssCode: String?
        package var name: String?
        package var categories: [String]?
        package var isJoiner: String?

        package init(gssCode: String? = nil, name: String? = nil, categories: [String]? = nil, isJoiner: String? = nil)
        {
            self.gssCode = gssCode
            self.name = name
            self.categories = categories
            self.isJoiner = isJoiner
        }
    }

    /// Adds a partner authority (creating its organisation from the English authorities list) with the
    /// categories it uses, or changes the categories of an existing partner.
    package static func upsertPartner(_ id: UUID, _ input: PartnerInput, actor: Actor, db: any Database, now: Date)
        async throws
    {
        let dps = try await ownDPS(id, actor: actor, db: db)
        let name = (input.name ?? "").trimmed
        let gss = (input.gssCode ?? "").trimmed.uppercased()
        var errors: [FieldError] = []
        if name.isEmpty { errors.append(FieldError(field: "name", message: "Enter the partner authority's name")) }
        let categories = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).all()
        let chosen = Set(input.categories ?? [])
        let valid = Set(categories.compactMap { $0.id?.uuidString })
        if chosen.isEmpty {
            errors.append(FieldError(field: "categories", message: "Choose at least one category the partner uses"))
        }
        if !chosen.isSubset(of: valid) {
            errors.append(FieldError(field: "categories", message: "Choose categories of this DPS only"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let org: Organisation
            if let existing = try await Organisation.query(on: db).filter(\.$name == name).filter(
                \.$kind == OrganisationKind.partnerAuthority.rawValue
            ).first() {
                org = existing
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
                    p.isJoiner = input.isJoiner == "yes"
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
            try await partner.save(on: db)
            let partnerID = try partner.requireID()
            try await PartnerCategoryRecord.query(on: db).filter(\.$partnerID == partnerID).delete()
            let rows = Set(chosen).compactMap(UUID.init(uuidString:)).sorted { $0.uuidString < $1.uuidString }.map {
                PartnerCategoryRecord(
                    partnerID: partnerID, dpsID: partner.$dps.id, organisationID: partner.$organisation.id,
                    categoryID: $0)
            }
            if !rows.isEmpty { try await rows.create(on: db) }
            try await Audit.record(
                on: db, actor: actor, dps: partner.$dps.id, action: "dps.partner.saved", entityType: "partner",
                entityID: partner.id,
                before: before, after: ["organisation": name, "categories": Audit.encode(chosen.sorted())], at: now)
        }
    }

    package struct NewCategoryInput: Codable, Sendable {
        package var name: String?
        package var description: String?
        package var contractName: String?
        package var inspected: String?

        package init(
            name: String? = nil, description: String? = nil, contractName: String? = nil, inspected: String? = nil
        ) {
            self.name = name
            self.description = description
            self.contractName = contractName
            self.inspected = inspected
        }
    }

    /// Adds a category with no questions yet; it opens for applications once its content is complete.
    package static func newCategory(_ id: UUID, _ input: NewCategoryInput, actor: Actor, db: any Database, now: Date)
        async throws -> CategoryRecord
    {
        let dps = try await ownDPS(id, actor: actor, db: db)
        let name = (input.name ?? "").trimmed
        var errors: [FieldError] = []
        if name.isEmpty { errors.append(FieldError(field: "categoryName", message: "Enter the category's name")) }
        if (input.contractName ?? "").trimmed.isEmpty {
            errors.append(
                FieldError(
                    field: "contractName", message: "Enter the national contract that awards in this category use"))
        }
        let code = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).split(separator: "-").joined(
            separator: "-")
        let existing = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).all()
        if existing.contains(where: { $0.code == code || $0.name.lowercased() == name.lowercased() }) {
            errors.append(FieldError(field: "categoryName", message: "There is already a category called \(name)"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        return try await db.writeTransaction { db in
            let category = CategoryRecord()
            category.$dps.id = try dps.requireID()
            category.name = name
            category.code = code
            category.description = (input.description ?? "").trimmed
            category.contractName = input.contractName!.trimmed
            category.affordabilityCapPence = nil
            category.minimumInvitees = 3
            var content = CategoryContent.empty
            content.requiresInspection = input.inspected != "no"
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

    package struct CategorySettingsInput: Codable, Sendable {
        package var name: String?
        package var description: String?
        package var contractName: String?
        package var affordabilityCap: String?
        package var minimumInvitees: String?

        package init(
            name: String? = nil, description: String? = nil, contractName: String? = nil,
            affordabilityCap: String? = nil, minimumInvitees: String? = nil
        ) {
            self.name = name
            self.description = description
            self.contractName = contractName
            self.affordabilityCap = affordabilityCap
            self.minimumInvitees = minimumInvitees
        }
    }

    package static func ownCategory(_ id: UUID, actor: Actor, db: any Database) async throws -> CategoryRecord {
        try actor.require(.dpsAdmin)
        guard let category = try await CategoryRecord.query(on: db).filter(\.$id == id).with(\.$dps).first(),
            category.dps.$lead.id == actor.organisationID
        else { throw UseCaseError(.notFound, "No such category.") }
        return category
    }

    /// Saves a category's settings; the content must stay internally consistent (bounds within §7).
    package static func updateCategorySettings(
        _ id: UUID, _ input: CategorySettingsInput, bounds: [String: String], actor: Actor, db: any Database, now: Date
    ) async throws {
        let category = try await ownCategory(id, actor: actor, db: db)
        var errors: [FieldError] = []
        let name = (input.name ?? "").trimmed
        if name.isEmpty { errors.append(FieldError(field: "name", message: "Enter the category's name")) }
        var cap: Int?
        if let raw = input.affordabilityCap?.trimmed, !raw.isEmpty {
            if let pence = Money.parsePounds(raw), pence > 0 {
                cap = pence
            } else {
                errors.append(
                    FieldError(
                        field: "affordabilityCap",
                        message: "Enter the affordability cap in pounds, for example 4500, or leave it empty for no cap"
                    ))
            }
        }
        let minimum = Bounded.int(input.minimumInvitees, in: 1...1_000)
        if minimum == nil {
            errors.append(
                FieldError(
                    field: "minimumInvitees",
                    message:
                        "Enter the minimum number of providers a referral must reach, from 1 to 1000, for example 3"))
        }
        var content = try category.content
        for criterion in ReferralCriterion.allCases {
            let minRaw = bounds["bounds.\(criterion.rawValue).min"] ?? ""
            let maxRaw = bounds["bounds.\(criterion.rawValue).max"] ?? ""
            guard let lo = Bounded.int(minRaw, in: Bounded.points), let hi = Bounded.int(maxRaw, in: Bounded.points)
            else {
                errors.append(
                    FieldError(
                        field: "bounds.\(criterion.rawValue).min",
                        message:
                            "Enter minimum and maximum points for \(criterion.label) as whole numbers from 0 to 100"))
                continue
            }
            content.weightBounds[criterion.rawValue] = .init(min: lo, max: hi)
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let before = Audit.encode(try category.content)
        category.name = name
        category.description = (input.description ?? "").trimmed
        category.contractName = (input.contractName ?? "").trimmed
        category.affordabilityCapPence = cap
        category.minimumInvitees = minimum!
        category.setContent(content)
        let boundErrors = CategoryRules.validate(try category.spec).filter {
            $0.field.hasPrefix("weightBounds") || $0.field == "minimumInvitees" || $0.field == "affordabilityCapPence"
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
        try await saveCategory(
            category, before: before, action: "category.settings.updated", actor: actor, db: db, now: now)
    }

    package static func saveCategory(
        _ category: CategoryRecord, before: String, action: String, actor: Actor, db: any Database, now: Date
    ) async throws {
        try await db.writeTransaction { db in
            try await category.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: category.$dps.id, action: action, entityType: "category",
                entityID: category.id,
                before: before, after: category.contentJSON, at: now)
        }
    }

    package struct ContentItemInput: Codable, Sendable {
        package var kind: String?
        package var text: String?
        package var hint: String?
        package var requiresEvidence: String?
        package var evidenceExpires: String?
        package var title: String?
        package var weight: String?
        package var youngPeoplesPanel: String?
        package var name: String?
        package var children: String?
        package var percent: String?

        package init(
            kind: String? = nil, text: String? = nil, hint: String? = nil, requiresEvidence: String? = nil,
            evidenceExpires: String? = nil, title: String? = nil, weight: String? = nil,
            youngPeoplesPanel: String? = nil, name: String? = nil, children: String? = nil, percent: String? = nil
        ) {
            self.kind = kind
            self.text = text
            self.hint = hint
            self.requiresEvidence = requiresEvidence
            self.evidenceExpires = evidenceExpires
            self.title = title
            self.weight = weight
            self.youngPeoplesPanel = youngPeoplesPanel
            self.name = name
            self.children = children
            self.percent = percent
        }
    }

    /// Adds one pass/fail question, method statement, cost line or discount tier to a category.
    package static func addContentItem(_ id: UUID, _ input: ContentItemInput, actor: Actor, db: any Database, now: Date)
        async throws
    {
        let category = try await ownCategory(id, actor: actor, db: db)
        var content = try category.content
        let before = Audit.encode(content)
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
        switch input.kind {
        case "passFail":
            let text = (input.text ?? "").trimmed
            guard !text.isEmpty else { throw UseCaseError(field: "text", "Enter the pass/fail question") }
            content.passFail.append(
                .init(
                    key: unique(key(text), in: content.passFail.map(\.key)), text: text,
                    hint: (input.hint ?? "").trimmed,
                    requiresEvidence: input.requiresEvidence == "yes", evidenceExpires: input.evidenceExpires == "yes"))
        case "statement":
            let title = (input.title ?? "").trimmed
            var errors: [FieldError] = []
            if title.isEmpty {
                errors.append(FieldError(field: "title", message: "Enter the method statement's title"))
            }
            let weight = Bounded.int(input.weight, in: 1...100)
            if weight.map({ $0 < 1 || $0 > 100 }) ?? true {
                errors.append(
                    FieldError(field: "weight", message: "Enter the statement's weight as a whole number from 1 to 100")
                )
            }
            guard errors.isEmpty, let weight else { throw UseCaseError(errors) }
            if input.youngPeoplesPanel == "yes", content.statements.contains(where: \.youngPeoplesPanel) {
                throw UseCaseError(
                    field: "youngPeoplesPanel", "Only one method statement can be scored by the young people's panel")
            }
            content.statements.append(
                .init(
                    key: unique(key(title), in: content.statements.map(\.key)), title: title,
                    guidance: (input.hint ?? "").trimmed,
                    weight: weight, youngPeoplesPanel: input.youngPeoplesPanel == "yes"))
        case "costLine":
            let name = (input.name ?? "").trimmed
            guard !name.isEmpty else { throw UseCaseError(field: "name", "Enter the cost line's name") }
            content.costLines.append(.init(key: unique(key(name), in: content.costLines.map(\.key)), name: name))
        case "tier":
            var errors: [FieldError] = []
            let children = Bounded.int(input.children, in: 2...200)
            let basisPoints = Money.parsePercentBasisPoints(input.percent ?? "")
            if children == nil {
                errors.append(
                    FieldError(
                        field: "children", message: "Enter the number of children placed together, from 2 to 200"))
            }
            if basisPoints.map({ $0 <= 0 || $0 > 10_000 }) ?? true {
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
        default:
            throw UseCaseError(field: "kind", "Choose what to add")
        }
        category.setContent(content)
        try await saveCategory(
            category, before: before, action: "category.content.added", actor: actor, db: db, now: now)
    }

    /// Removes one item by kind and key (children count for tiers).
    package static func removeContentItem(
        _ id: UUID, kind: String, key: String, actor: Actor, db: any Database, now: Date
    ) async throws {
        let category = try await ownCategory(id, actor: actor, db: db)
        var content = try category.content
        let before = Audit.encode(content)
        switch kind {
        case "passFail": content.passFail.removeAll { $0.key == key }
        case "statement": content.statements.removeAll { $0.key == key }
        case "costLine": content.costLines.removeAll { $0.key == key }
        case "tier": content.discountTiers.removeAll { String($0.children) == key }
        default: throw UseCaseError(.invalid, "Unknown item kind.")
        }
        category.setContent(content)
        try await saveCategory(
            category, before: before, action: "category.content.removed", actor: actor, db: db, now: now)
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

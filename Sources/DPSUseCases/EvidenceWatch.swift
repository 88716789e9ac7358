import Crypto
import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// The daily evidence check (issue 9, DOMAIN §5): every document a membership's pass/fail answers rest on that has
/// an expiry date is watched. Providers are reminded 30 and 7 days before it expires (on working days); on lapse the
/// memberships it supports are suspended for every partner, or the contract managers are told, as the category's
/// question says. Providers renew a document from the membership's page. Each notice is a row unique by its
/// membership, question, expiry date and kind, inserted before it is acted on, so the check acts once however
/// often it runs.
package enum EvidenceWatch {
    package static let job = "evidence-check"
    package static let performer = "Evidence check (expiry dates)"

    package struct Report: Sendable, Equatable {
        package var alreadyRun = false
        package var reminders = 0
        package var suspended = 0
        package var flagged = 0

        package init() {}

        package var summary: String {
            alreadyRun
                ? "Today's evidence check has already run."
                : "Sent \(reminders) reminder\(reminders == 1 ? "" : "s"); \(suspended) membership"
                    + "\(suspended == 1 ? "" : "s") suspended and \(flagged) lapse\(flagged == 1 ? "" : "s") "
                    + "reported to the contract managers."
        }
    }

    /// A membership's document for one question: the latest expiry among the documents uploaded for it.
    package struct Item: Sendable {
        package var membership: UUID
        package var dps: UUID
        package var provider: UUID
        package var state: MembershipState?
        package var establishment: String
        package var category: String
        package var categoryID: UUID
        package var question: String
        package var expires: LocalDate
    }

    /// The expiring documents of the memberships (all, or `membership` only) that are active or suspended.
    private static func items(membership: UUID? = nil, provider: UUID? = nil, db: any Database) async throws
        -> [Item]
    {
        let only: SQLQueryString =
            membership.map { "AND m.id = \(bind: $0)" } ?? provider.map { "AND m.organisation_id = \(bind: $0)" } ?? ""
        return try await db.sql().raw(
            """
            SELECT m.id, m.dps_id, m.organisation_id, m.state, m.category_id, e.name AS establishment,
                c.name AS category, d.question_key, MAX(d.expires_on) AS expires_on
            FROM memberships m JOIN evidence_documents d ON d.application_category_id = m.application_category_id
                JOIN establishments e ON e.id = m.establishment_id JOIN categories c ON c.id = m.category_id
            WHERE m.state IN ('active', 'suspended') AND d.expires_on IS NOT NULL \(only)
            GROUP BY m.id, m.dps_id, m.organisation_id, m.state, m.category_id, e.name, c.name, d.question_key
            ORDER BY e.name, c.name, d.question_key
            """
        ).all().compactMap { row in
            guard let expires = LocalDate(iso: try row.decode(column: "expires_on", as: String.self)) else {
                throw UseCaseError(.internalFailure, "A stored evidence expiry date cannot be read.")
            }
            return Item(
                membership: try row.decode(column: "id", as: UUID.self),
                dps: try row.decode(column: "dps_id", as: UUID.self),
                provider: try row.decode(column: "organisation_id", as: UUID.self),
                state: MembershipState(rawValue: try row.decode(column: "state", as: String.self)),
                establishment: try row.decode(column: "establishment", as: String.self),
                category: try row.decode(column: "category", as: String.self),
                categoryID: try row.decode(column: "category_id", as: UUID.self),
                question: try row.decode(column: "question_key", as: String.self), expires: expires)
        }
    }

    /// Runs the check for the day `now` falls on, once per day across instances.
    package static func run(db: any Database, now: Date, calendar: WorkingDayCalendar = WorkingDayCalendar())
        async throws -> Report
    {
        var report = Report()
        let today = LocalDate.from(now)
        guard try await JobRun.claim(job, period: today.iso, db: db, now: now) else {
            report.alreadyRun = true
            return report
        }
        let all = try await items(db: db)
        var questions: [UUID: [String: CategoryContent.PassFail]] = [:]
        for id in Set(all.map(\.categoryID)) {
            guard let category = try await CategoryRecord.find(id, on: db) else { continue }
            questions[id] = Dictionary(
                try category.content.passFail.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        }
        for item in all {
            guard let notice = ComplianceDates.notice(expiring: item.expires, today: today, calendar: calendar) else {
                continue
            }
            let question = questions[item.categoryID]?[item.question]
            let outcome = try await db.writeTransaction { db -> Outcome in
                guard try await claimNotice(item, notice, db: db, now: now) else { return .none }
                switch notice {
                case .reminder(let days):
                    try await remind(item, question: question, days: days, db: db, now: now)
                    return .reminded
                case .lapsed:
                    return try await lapse(item, question: question, db: db, now: now) ? .suspended : .flagged
                }
            }
            switch outcome {
            case .none: break
            case .reminded: report.reminders += 1
            case .suspended: report.suspended += 1
            case .flagged: report.flagged += 1
            }
        }
        try await JobRun.finish(job, period: today.iso, summary: report.summary, db: db, now: now)
        return report
    }

    private enum Outcome: Sendable { case none, reminded, suspended, flagged }

    private static func claimNotice(_ item: Item, _ notice: ComplianceDates.Notice, db: any Database, now: Date)
        async throws -> Bool
    {
        try await db.sql().insert(into: EvidenceNotices.schema)
            .columns("membership_id", "question_key", "expires_on", "kind", "sent_at")
            .values(
                SQLBind(item.membership), SQLBind(item.question), SQLBind(item.expires.iso), SQLBind(notice.code),
                SQLBind(now)
            )
            .ignoringConflicts()
            .returning("kind").first() != nil
    }

    private static func remind(
        _ item: Item, question: CategoryContent.PassFail?, days: Int, db: any Database, now: Date
    ) async throws {
        let what = question?.text ?? item.question
        let then =
            question?.lapseAction == .flag
            ? "the contract managers will be told and may suspend it"
            : "the membership will be suspended for every partner until a current document is sent"
        try await Outbox.send(
            on: db, organisationID: item.provider, recipient: "Provider",
            subject: "Evidence expires on \(item.expires.longForm): \(item.establishment)",
            body: "The document for \"\(what)\" (\(item.establishment), \(item.category)) expires on "
                + "\(item.expires.longForm), in \(days) days or less. Upload the renewed document on the "
                + "membership's page before then; if it lapses, \(then).",
            link: SiteURL.membership(item.membership).path, at: now)
    }

    /// The document has lapsed: suspends the membership if the question says so and it is active (true), else logs
    /// the lapse and tells the contract managers (false).
    private static func lapse(_ item: Item, question: CategoryContent.PassFail?, db: any Database, now: Date)
        async throws -> Bool
    {
        let what = question?.text ?? item.question
        let detail = "The document for \"\(what)\" expired on \(item.expires.longForm) and was not renewed."
        let dps = try await DPSRecord.find(item.dps, on: db)
        let lead = try await Organisation.find(dps?.$lead.id, on: db)
        var suspended = false
        if question?.lapseAction != .flag && item.state == .active {
            let targets = try await ContractManagement.targets(
                .membership(item.membership), states: [.active], in: [item.dps], db: db)
            let reason: SuspensionReason =
                what.lowercased().contains("insurance") ? .insuranceLapsed : .evidenceExpired
            suspended =
                !(try await ContractManagement.apply(
                    targets, reason: reason, detail: detail, exclusion: nil,
                    by: .init(system: performer, for: lead?.name ?? "The lead authority"), db: db, now: now
                )
                .isEmpty)
        }
        if !suspended {
            try await ContractManagement.log(
                .lapsed, membership: item.membership, dps: item.dps, detail: detail, actorLabel: performer, at: now,
                db: db)
            try await Outbox.send(
                on: db, organisationID: item.provider, recipient: "Provider",
                subject: "Evidence expired: \(item.establishment)",
                body: detail + " Upload the renewed document on the membership's page.",
                link: SiteURL.membership(item.membership).path, at: now)
        }
        try await Outbox.send(
            on: db, organisationID: lead?.id, recipient: "Contract managers",
            subject: "Evidence expired: \(item.establishment) (\(item.category))",
            body: detail
                + (suspended
                    ? " The membership is suspended for every partner until a current document is sent."
                    : " Decide whether to suspend the membership."),
            link: SiteURL.membership(item.membership).path, at: now)
        return suspended
    }

    // MARK: What the membership's page shows, and renewal

    /// The expiring documents of a membership, for those who read its evidence (the provider, and the lead's
    /// contract managers, administrators and auditor); empty for anyone else.
    package static func documents(_ timeline: ContractManagement.Timeline, actor: Actor, db: any Database)
        async throws -> [(item: Item, question: String)]
    {
        guard try await ContractManagement.readsResponses(timeline, actor: actor, db: db) else { return [] }
        return try await withQuestions(try await items(membership: timeline.id, db: db), db: db)
    }

    /// The items with the text of their question, each category's content read once.
    private static func withQuestions(_ items: [Item], db: any Database) async throws
        -> [(item: Item, question: String)]
    {
        var texts: [UUID: [String: String]] = [:]
        for id in Set(items.map(\.categoryID)) {
            texts[id] = Dictionary(
                try await CategoryRecord.find(id, on: db)?.content.passFail.map { ($0.key, $0.text) } ?? [],
                uniquingKeysWith: { first, _ in first })
        }
        return items.map { ($0, texts[$0.categoryID]?[$0.question] ?? $0.question) }
    }

    /// The provider uploads a renewed document for one of the membership's expiring questions, with its new expiry
    /// date (after today). The reminders start afresh from the new date; a membership already suspended stays so
    /// until a contract manager reinstates it, and they are told.
    package static func renew(
        _ membership: UUID, question key: String?, expiresOn raw: String?, file: ProviderUseCases.UploadedFile?,
        actor: Actor, db: any Database, now: Date
    ) async throws {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "Only the provider renews its evidence.") }
        try actor.require(.providerAdmin)
        let timeline = try await ContractManagement.timeline(membership, actor: actor, db: db)
        guard
            let record = try await MembershipRecord.find(membership, on: db), let part = record.applicationCategoryID,
            let category = try await CategoryRecord.find(record.$category.id, on: db)
        else { throw UseCaseError(.notFound, "This membership has no application on record to renew evidence for.") }
        var errors: [FieldError] = []
        let question = try category.content.passFail.first { $0.key == key && $0.evidenceExpires }
        if question == nil {
            errors.append(FieldError(field: "question", message: "Choose the document you are renewing"))
        }
        let expires = LocalDate(typed: (raw ?? "").trimmed)
        if expires == nil {
            errors.append(
                FieldError(field: "expiresOn", message: "Enter the new expiry date, for example 31 3 2028"))
        } else if let expires, expires <= LocalDate.from(now) {
            errors.append(FieldError(field: "expiresOn", message: "The new expiry date must be after today"))
        }
        if file == nil || file?.data.isEmpty == true {
            errors.append(FieldError(field: "document", message: "Choose the renewed document"))
        } else if let file, file.data.count > ProviderUseCases.maxEvidenceBytes {
            errors.append(FieldError(field: "document", message: "The file must be smaller than 10 MB"))
        }
        guard errors.isEmpty, let question, let expires, let file else {
            throw UseCaseError(
                errors, status: errors.contains { $0.message.contains("10 MB") } ? .tooLarge : .invalid)
        }
        try await db.writeTransaction { db in
            let doc = EvidenceRecord()
            doc.$organisation.id = actor.organisationID
            doc.applicationCategoryID = part
            doc.questionKey = question.key
            doc.filename = SafeHeaders.filename(String(file.filename.suffix(150)))
            doc.contentType = file.contentType ?? "application/octet-stream"
            doc.sizeBytes = file.data.count
            doc.sha256 = SHA256.hash(data: file.data).map { String(format: "%02x", $0) }.joined()
            doc.expiresOn = expires.iso
            doc.data = file.data
            try await doc.create(on: db)
            let detail = "Renewed \"\(question.text)\": \(doc.filename), expiring on \(expires.longForm)."
            try await ContractManagement.log(
                .renewed, membership: membership, dps: timeline.dps, detail: detail, actorLabel: actor.name, at: now,
                db: db)
            try await Audit.record(
                on: db, actor: actor, dps: timeline.dps, action: "evidence.renewed", entityType: "membership",
                entityID: membership, before: String?.none,
                after: ["question": question.key, "sha256": doc.sha256, "expiresOn": expires.iso], at: now)
            let lead = try await DPSRecord.find(timeline.dps, on: db)
            try await Outbox.send(
                on: db, organisationID: lead?.$lead.id, recipient: "Contract managers",
                subject: "Evidence renewed: \(timeline.establishment)",
                body: "\(actor.organisationName) has renewed evidence for \(timeline.establishment) "
                    + "(\(timeline.category)). \(detail)"
                    + (timeline.state == .suspended ? " The membership is suspended: review it and reinstate." : ""),
                link: SiteURL.membership(membership).path, at: now)
        }
    }
}

extension EvidenceWatch {
    /// The provider's documents that have expired or expire within `days`, soonest first, with their questions.
    package static func expiring(within days: Int, actor: Actor, db: any Database, now: Date) async throws
        -> [(item: Item, question: String)]
    {
        guard actor.isProvider else { return [] }
        let horizon = LocalDate.from(now).adding(days: days)
        let due = try await items(provider: actor.organisationID, db: db).filter { $0.expires <= horizon }
            .sorted { $0.expires < $1.expires }
        return try await withQuestions(due, db: db)
    }
}

extension EvidenceWatch {
    /// The questions of a membership whose latest document expired before `today`.
    package static func documentsExpired(membership: UUID, before today: LocalDate, db: any Database) async throws
        -> [String]
    {
        let lapsed = try await items(membership: membership, db: db).filter { $0.expires < today }
        return try await withQuestions(lapsed, db: db).map(\.question)
    }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Placements after award (DOMAIN §8): the register each partner keeps, outcome reviews every few months, changes
/// to the agreement (fee variations, a new expected end or pattern) that both sides accept, and endings, planned or
/// unplanned. Who reads what is `AccessPolicy.placementScope`; the child's details stay with the two parties.
package enum Placements {
    // MARK: Reading

    /// One row of a placement register.
    package struct Row: Sendable, Equatable {
        package var id: UUID
        package var reference: String
        package var establishment: String
        package var category: String
        package var authority: String
        package var provider: String
        package var start: LocalDate?
        package var expectedEnd: LocalDate?
        package var actualEnd: LocalDate?
        package var status: PlacementStatus
        package var ending: PlacementEnding?
        package var weeklyFeePence: Int
        package var direct: Bool
        /// The next outcome review owed (nil once it has ended or none is scheduled).
        package var nextReview: LocalDate?
        package var reviewOverdue: Bool
    }

    /// How the register is narrowed: status, planned or unplanned ending, category, a search over reference and
    /// establishment, and only those with an overdue review.
    package struct Filter: Sendable, Equatable {
        package var status: PlacementStatus?
        package var ending: PlacementEnding.Kind?
        package var category: UUID?
        package var search: String?
        package var overdueOnly: Bool

        package init(
            status: PlacementStatus? = nil, ending: PlacementEnding.Kind? = nil, category: UUID? = nil,
            search: String? = nil, overdueOnly: Bool = false
        ) {
            self.status = status
            self.ending = ending
            self.category = category
            self.search = search.map(\.trimmed).flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
            self.overdueOnly = overdueOnly
        }
    }

    /// A page of the placements the actor reads, newest start first, with the next review each owes.
    package static func register(
        actor: Actor, filter: Filter = Filter(), page: ListPage = .first, db: any Database, now: Date
    ) async throws -> PageOf<Row> {
        let scope = try await AccessPolicy.placementScope(of: actor, db: db)
        let today = LocalDate.from(now)
        var condition = scope.condition("p")
        if let status = filter.status { condition = "\(condition) AND p.status = \(bind: status.rawValue)" }
        if let kind = filter.ending {
            let reasons = PlacementEnding.allCases.filter { $0.kind == kind }.map(\.rawValue)
            condition = "\(condition) AND p.ending_reason IN (\(binds: reasons))"
        }
        if let category = filter.category { condition = "\(condition) AND p.category_id = \(bind: category)" }
        if let search = filter.search {
            let pattern = SQLText.containsPattern(search)
            condition = """
                \(condition) AND (LOWER(p.reference) LIKE \(bind: pattern) ESCAPE '\\'
                    OR LOWER(e.name) LIKE \(bind: pattern) ESCAPE '\\'
                    OR LOWER(pv.name) LIKE \(bind: pattern) ESCAPE '\\')
                """
        }
        if filter.overdueOnly {
            condition = """
                \(condition) AND EXISTS (SELECT 1 FROM placement_reviews o WHERE o.placement_id = p.id
                    AND o.state <> 'completed' AND o.due_date < \(bind: today.iso))
                """
        }
        let rows = try await db.sql().raw(
            """
            SELECT p.id, p.reference, p.start_date, p.expected_end_date, p.actual_end_date, p.status, p.ending_reason,
                p.weekly_fee_pence, p.direct, e.name AS establishment, COALESCE(c.name, '') AS category,
                a.name AS authority, pv.name AS provider, COALESCE(d.review_months, 6) AS review_months,
                (SELECT COUNT(*) FROM placement_reviews r WHERE r.placement_id = p.id AND r.state = 'completed')
                    AS completed,
                (SELECT MIN(r.due_date) FROM placement_reviews r WHERE r.placement_id = p.id
                    AND r.state <> 'completed') AS open_due
            FROM placements p JOIN establishments e ON e.id = p.establishment_id
                JOIN organisations a ON a.id = p.authority_id JOIN organisations pv ON pv.id = p.provider_id
                LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN dps d ON d.id = p.dps_id
            WHERE \(condition)
            ORDER BY p.start_date DESC, p.id DESC
            LIMIT \(unsafeRaw: String(page.size + 1)) OFFSET \(unsafeRaw: String(page.offset))
            """
        ).all()
        return PageOf(try rows.map { try row($0, today: today) }, page)
    }

    private static func row(_ r: any SQLRow, today: LocalDate) throws -> Row {
        let status = try stored(PlacementStatus.self, r.decode(column: "status", as: String.self), "status")
        let start = LocalDate(iso: try r.decode(column: "start_date", as: String.self))
        let expectedEnd = try r.decode(column: "expected_end_date", as: String?.self).flatMap { LocalDate(iso: $0) }
        let actualEnd = try r.decode(column: "actual_end_date", as: String?.self).flatMap { LocalDate(iso: $0) }
        let ending = try r.decode(column: "ending_reason", as: String?.self).map {
            try stored(PlacementEnding.self, $0, "ending")
        }
        let openDue = try r.decode(column: "open_due", as: String?.self).flatMap { LocalDate(iso: $0) }
        let months = try r.decode(column: "review_months", as: Int.self)
        let completed = try r.decode(column: "completed", as: Int.self)
        let next: LocalDate? =
            status == .ended
            ? openDue
            : openDue
                ?? start.flatMap {
                    OutcomeReviewSchedule.next(start: $0, end: expectedEnd, months: months, completed: completed)
                }
        return Row(
            id: try r.decode(column: "id", as: UUID.self),
            reference: try r.decode(column: "reference", as: String?.self) ?? "",
            establishment: try r.decode(column: "establishment", as: String.self),
            category: try r.decode(column: "category", as: String.self),
            authority: try r.decode(column: "authority", as: String.self),
            provider: try r.decode(column: "provider", as: String.self), start: start, expectedEnd: expectedEnd,
            actualEnd: actualEnd, status: status, ending: ending,
            weeklyFeePence: try r.decode(column: "weekly_fee_pence", as: Int.self),
            direct: try r.decode(column: "direct", as: Bool.self), nextReview: next,
            reviewOverdue: openDue.map { $0 < today } ?? false)
    }

    /// A stored code that does not read is an error, never a default.
    static func stored<T: RawRepresentable>(_ type: T.Type, _ raw: String, _ what: String) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: raw) else {
            throw UseCaseError(.internalFailure, "A stored placement \(what) does not read: \(raw.prefix(40)).")
        }
        return value
    }

    /// The categories the actor's register can be narrowed to: those of the DPSs in its scope.
    package static func categories(actor: Actor, db: any Database) async throws -> [(id: UUID, name: String)] {
        let dpsIDs: [UUID]
        switch try await AccessPolicy.placementScope(of: actor, db: db) {
        case .provider(let org):
            dpsIDs = try await MembershipRecord.query(on: db).filter(\.$organisation.$id == org).all(\.$dps.$id)
        case .authority, .dps: dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        }
        guard !dpsIDs.isEmpty else { return [] }
        return try await CategoryRecord.query(on: db).filter(\.$dps.$id ~~ Array(Set(dpsIDs))).sort(\.$position)
            .all().map { (try $0.requireID(), $0.name) }
    }

    /// One outcome review with its ratings, as the parties and the lead's staff read it.
    package struct Review: Sendable, Equatable {
        package var id: UUID
        package var sequence: Int
        package var due: LocalDate
        package var state: OutcomeReviewState
        package var recordedBy: String?
        package var recordedAt: Date?
        package var respondedBy: String?
        package var respondedAt: Date?
        package var authorityAgreed: Bool?
        package var authorityView: String?
        package var ratings: [Rating]
    }

    package struct Rating: Sendable, Equatable {
        package var outcomeIndex: Int
        package var outcome: String
        package var rating: OutcomeProgress
        package var comment: String
        package var filename: String?
        package var authorityRating: OutcomeProgress?
    }

    /// A recorded change to the agreement, with before and after as the page shows them.
    package struct Change: Sendable, Equatable {
        package var id: UUID
        package var kind: PlacementChangeKind
        package var state: PlacementChangeState
        package var before: ChangeTerms
        package var after: ChangeTerms
        package var reason: String
        package var effective: LocalDate
        package var proposedByOrganisation: UUID
        package var proposedBy: String
        package var proposedAt: Date
        package var decidedBy: String?
        package var decisionNote: String?
    }

    /// What a change changes: the fee's lines and weekly total, the expected end, or the pattern.
    package struct ChangeTerms: Codable, Sendable, Equatable {
        package var lines: [FeeLine]?
        package var weeklyPence: Int?
        package var expectedEnd: String?
        package var pattern: String?

        package init(
            lines: [FeeLine]? = nil, weeklyPence: Int? = nil, expectedEnd: String? = nil, pattern: String? = nil
        ) {
            self.lines = lines
            self.weeklyPence = weeklyPence
            self.expectedEnd = expectedEnd
            self.pattern = pattern
        }
    }

    /// A placement's life after award: its reviews (oldest first) and changes (newest first). Read for `reader`, a
    /// review's content (ratings, comments, files, the authority's view) is the two parties' only: it is about the
    /// child (DOMAIN §9 leaves individual placement monitoring to each partner), so the lead's overseers see each
    /// review's date and state alone. Without a reader (jobs), everything.
    package static func life(_ placement: PlacementRecord, reader: Actor? = nil, db: any Database) async throws -> (
        reviews: [Review], changes: [Change]
    ) {
        let id = try placement.requireID()
        let sql = try db.sql()
        let reviewRows = try await sql.raw(
            """
            SELECT id, sequence, due_date, state, recorded_by, recorded_at, responded_by, responded_at,
                authority_agreed, authority_view
            FROM placement_reviews WHERE placement_id = \(bind: id) ORDER BY sequence
            """
        ).all()
        let ratingRows = try await sql.raw(
            """
            SELECT t.review_id, t.outcome_index, t.outcome, t.rating, t.comment, t.filename, t.authority_rating
            FROM placement_review_ratings t JOIN placement_reviews r ON r.id = t.review_id
            WHERE r.placement_id = \(bind: id) ORDER BY t.outcome_index
            """
        ).all()
        let content = reader.map { AccessPolicy.readsChildDetails(placement, actor: $0) } ?? true
        var ratings: [UUID: [Rating]] = [:]
        for t in ratingRows where content {
            ratings[try t.decode(column: "review_id", as: UUID.self), default: []].append(
                Rating(
                    outcomeIndex: try t.decode(column: "outcome_index", as: Int.self),
                    outcome: try t.decode(column: "outcome", as: String.self),
                    rating: try stored(OutcomeProgress.self, t.decode(column: "rating", as: String.self), "rating"),
                    comment: try t.decode(column: "comment", as: String.self),
                    filename: try t.decode(column: "filename", as: String?.self),
                    authorityRating: try t.decode(column: "authority_rating", as: String?.self).map {
                        try stored(OutcomeProgress.self, $0, "rating")
                    }))
        }
        let reviews = try reviewRows.map { r in
            let reviewID = try r.decode(column: "id", as: UUID.self)
            let dueText = try r.decode(column: "due_date", as: String.self)
            guard let due = LocalDate(iso: dueText) else {
                throw UseCaseError(.internalFailure, "A stored review date does not read: \(dueText.prefix(20)).")
            }
            return Review(
                id: reviewID, sequence: try r.decode(column: "sequence", as: Int.self), due: due,
                state: try stored(OutcomeReviewState.self, r.decode(column: "state", as: String.self), "review state"),
                recordedBy: try r.decode(column: "recorded_by", as: String?.self),
                recordedAt: try r.decode(column: "recorded_at", as: Date?.self),
                respondedBy: try r.decode(column: "responded_by", as: String?.self),
                respondedAt: try r.decode(column: "responded_at", as: Date?.self),
                authorityAgreed: try r.decode(column: "authority_agreed", as: Bool?.self),
                authorityView: content ? try r.decode(column: "authority_view", as: String?.self) : nil,
                ratings: ratings[reviewID] ?? [])
        }
        return (reviews, try await changes(id, db: db))
    }

    /// A placement's recorded changes, newest first.
    static func changes(_ id: UUID, db: any Database) async throws -> [Change] {
        let changeRows = try await db.sql().raw(
            """
            SELECT id, kind, state, before_json, after_json, reason, effective_date, proposed_by_org, proposed_by,
                proposed_at, decided_by, decision_note
            FROM placement_changes WHERE placement_id = \(bind: id) ORDER BY proposed_at DESC, id DESC
            """
        ).all()
        return try changeRows.map { c in
            let effectiveText = try c.decode(column: "effective_date", as: String.self)
            guard let effective = LocalDate(iso: effectiveText),
                let before = try Referrals.decode(
                    c.decode(column: "before_json", as: String.self), as: ChangeTerms.self),
                let after = try Referrals.decode(c.decode(column: "after_json", as: String.self), as: ChangeTerms.self)
            else { throw UseCaseError(.internalFailure, "A stored placement change does not read.") }
            return Change(
                id: try c.decode(column: "id", as: UUID.self),
                kind: try stored(PlacementChangeKind.self, c.decode(column: "kind", as: String.self), "change kind"),
                state: try stored(
                    PlacementChangeState.self, c.decode(column: "state", as: String.self), "change state"),
                before: before, after: after, reason: try c.decode(column: "reason", as: String.self),
                effective: effective, proposedByOrganisation: try c.decode(column: "proposed_by_org", as: UUID.self),
                proposedBy: try c.decode(column: "proposed_by", as: String.self),
                proposedAt: try c.decode(column: "proposed_at", as: Date.self),
                decidedBy: try c.decode(column: "decided_by", as: String?.self),
                decisionNote: try c.decode(column: "decision_note", as: String?.self))
        }
    }

    /// The agreement's current fee as lines: its core lines (named from the category), its variable costs, or for a
    /// fee agreed directly (no breakdown) the one agreed line.
    package static func feeLines(_ p: PlacementRecord, lineNames: [String: String]) throws -> [FeeLine] {
        let core: [String: Int] = try Referrals.decode(p.coreJSON) ?? [:]
        let variable: [BidItem] = try Referrals.decode(p.variableJSON) ?? []
        let lines =
            core.sorted { $0.key < $1.key }.map {
                FeeLine(key: $0.key, name: lineNames[$0.key] ?? $0.key, pence: $0.value)
            }
            + variable.map { FeeLine(key: nil, name: $0.description, pence: $0.pence) }
        return lines.isEmpty ? [FeeLine(key: nil, name: "Agreed weekly fee", pence: p.weeklyFeePence)] : lines
    }

    /// The children the agreement is for (a sibling group's referral says), and its pattern.
    static func terms(_ p: PlacementRecord, db: any Database) async throws -> (
        children: Int, pattern: PlacementPattern?, lineNames: [String: String]
    ) {
        let referral = try await p.referralID.asyncMap { try await ReferralRecord.find($0, on: db) } ?? nil
        let category = try await p.categoryID.asyncMap { try await CategoryRecord.find($0, on: db) } ?? nil
        let names = Dictionary(
            (try category?.content.costLines ?? []).map { ($0.key, $0.name) }, uniquingKeysWith: { a, _ in a })
        let pattern = (p.pattern ?? referral?.pattern).flatMap { PlacementPattern(rawValue: $0) }
        return (referral?.children ?? 1, pattern, names)
    }

    // MARK: Outcome reviews

    /// Who records reviews and proposes or accepts changes for a provider: its administrator.
    static func requireParty(_ p: PlacementRecord, actor: Actor) throws -> Side {
        if p.providerID == actor.organisationID {
            try actor.require(.providerAdmin)
            return .provider
        }
        if p.authorityID == actor.organisationID {
            try Referrals.requireOfficer(actor)
            return .authority
        }
        throw UseCaseError(.forbidden, "Only the placing authority and the provider act on this placement.")
    }

    package enum Side: Sendable { case authority, provider }

    /// The provider's rating of one agreed outcome, as typed.
    package struct RatingInput: Sendable {
        package var outcomeIndex: Int
        package var rating: OutcomeProgress?
        package var comment: String
        package var file: ProviderUseCases.UploadedFile?

        package init(outcomeIndex: Int, rating: OutcomeProgress?, comment: String, file: ProviderUseCases.UploadedFile?)
        {
            self.outcomeIndex = outcomeIndex
            self.rating = rating
            self.comment = comment
            self.file = file
        }
    }

    /// The provider records progress against every agreed outcome (a rating on the published scale, a comment and
    /// an optional evidence file each). It may record again until the placing authority has answered; the review is
    /// claimed by its state inside the transaction.
    package static func recordReview(
        _ placementID: UUID, review reviewID: UUID, ratings input: [RatingInput], actor: Actor, db: any Database,
        now: Date
    ) async throws {
        let p = try await Referrals.placement(placementID, actor: actor, db: db)
        guard try requireParty(p, actor: actor) == .provider else {
            throw UseCaseError(.forbidden, "The provider records the review; the placing authority then answers it.")
        }
        let outcomes: [String] = try Referrals.decode(p.outcomesJSON) ?? []
        guard !outcomes.isEmpty else {
            throw UseCaseError(field: "ratings", "This placement has no agreed outcomes to review", status: .conflict)
        }
        var errors: [FieldError] = []
        var ratings: [(Int, String, OutcomeProgress, String, ProviderUseCases.UploadedFile?)] = []
        for (index, outcome) in outcomes.enumerated() {
            let given = input.first { $0.outcomeIndex == index }
            let comment = given?.comment.trimmed ?? ""
            guard let rating = given?.rating else {
                errors.append(
                    FieldError(field: "rating\(index)", message: "Choose the progress on outcome \(index + 1)"))
                continue
            }
            if comment.isEmpty {
                errors.append(
                    FieldError(field: "comment\(index)", message: "Say what shows the progress on outcome \(index + 1)")
                )
            } else if comment.count > Bounded.longText {
                errors.append(
                    FieldError(field: "comment\(index)", message: "Write at most \(Bounded.longText) characters"))
            }
            let file = given?.file.flatMap { $0.data.isEmpty ? nil : $0 }
            if let file, file.data.count > ProviderUseCases.maxEvidenceBytes {
                errors.append(FieldError(field: "evidence\(index)", message: "The file must be smaller than 10 MB"))
            }
            ratings.append((index, outcome, rating, comment, file))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let rated = ratings
        try await db.writeTransaction { db in
            let sql = try db.sql()
            guard
                try await sql.raw(
                    """
                    UPDATE placement_reviews SET state = 'recorded', recorded_at = \(bind: now),
                        recorded_by = \(bind: actor.label)
                    WHERE id = \(bind: reviewID) AND placement_id = \(bind: placementID)
                        AND state IN ('due', 'recorded')
                    RETURNING id
                    """
                ).first() != nil
            else {
                throw UseCaseError(
                    .conflict, "This review has been answered by the placing authority, or is not this placement's.")
            }
            try await sql.delete(from: PlacementTables.ratings).where("review_id", .equal, reviewID).run()
            for (index, outcome, rating, comment, file) in rated {
                try await sql.insert(into: PlacementTables.ratings)
                    .columns("id", "review_id", "outcome_index", "outcome", "rating", "comment", "filename", "data")
                    .values(
                        SQLBind(UUID()), SQLBind(reviewID), SQLBind(index), SQLBind(outcome), SQLBind(rating.rawValue),
                        SQLBind(comment), SQLBind(file.map { SafeHeaders.filename(String($0.filename.suffix(150))) }),
                        SQLBind(file?.data)
                    )
                    .run()
            }
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID, action: "placement.review_recorded", entityType: "placement",
                entityID: p.id, before: String?.none,
                after: Dictionary(uniqueKeysWithValues: rated.map { ("outcome\($0.0 + 1)", $0.2.rawValue) }),
                at: now)
            try await Outbox.send(
                on: db, organisationID: p.authorityID, recipient: "Placement officers",
                subject: "Outcome review recorded: \(p.reference ?? "")",
                body: "The provider has recorded progress on the agreed outcomes. Agree it or add your view.",
                link: SiteURL.placement(placementID).path, at: now)
        }
    }

    /// The placing authority answers a recorded review: it agrees, or adds its own view (required then) and,
    /// where it sees an outcome differently, its own rating. Claimed by the review's state: answered once.
    package static func respondReview(
        _ placementID: UUID, review reviewID: UUID, agree: Bool, view raw: String,
        authorityRatings: [Int: OutcomeProgress], actor: Actor, db: any Database, now: Date
    ) async throws {
        let p = try await Referrals.placement(placementID, actor: actor, db: db)
        guard try requireParty(p, actor: actor) == .authority else {
            throw UseCaseError(.forbidden, "The placing authority answers the provider's review.")
        }
        let view = raw.trimmed
        if !agree && view.isEmpty {
            throw UseCaseError(field: "view", "Say how your view differs from the provider's")
        }
        if view.count > Bounded.longText {
            throw UseCaseError(field: "view", "Write at most \(Bounded.longText) characters")
        }
        try await db.writeTransaction { db in
            let sql = try db.sql()
            guard
                try await sql.raw(
                    """
                    UPDATE placement_reviews SET state = 'completed', responded_at = \(bind: now),
                        responded_by = \(bind: actor.label), authority_agreed = \(bind: agree),
                        authority_view = \(bind: view.isEmpty ? nil : view)
                    WHERE id = \(bind: reviewID) AND placement_id = \(bind: placementID) AND state = 'recorded'
                    RETURNING id
                    """
                ).first() != nil
            else {
                throw UseCaseError(
                    .conflict,
                    "This review is not waiting for your answer: the provider has not recorded it, or it has been "
                        + "answered.")
            }
            if !agree {
                for (index, rating) in authorityRatings.sorted(by: { $0.key < $1.key }) {
                    try await sql.update(PlacementTables.ratings)
                        .set(SQLIdentifier("authority_rating"), to: SQLBind(rating.rawValue))
                        .where(SQLIdentifier("review_id"), .equal, SQLBind(reviewID))
                        .where(SQLIdentifier("outcome_index"), .equal, SQLBind(index)).run()
                }
            }
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID,
                action: agree ? "placement.review_agreed" : "placement.review_viewed",
                entityType: "placement", entityID: p.id, before: ["state": "recorded"],
                after: ["state": "completed", "agreed": agree ? "yes" : "no"], at: now)
            try await Outbox.send(
                on: db, organisationID: p.providerID, recipient: "Provider",
                subject: "Outcome review answered: \(p.reference ?? "")",
                body: agree
                    ? "The placing authority agreed with the progress you recorded."
                    : "The placing authority added its own view to the review.",
                link: SiteURL.placement(placementID).path, at: now)
        }
    }

    /// A review's evidence file for one outcome, for the two parties (it may name the child).
    package static func reviewFile(
        _ placementID: UUID, review reviewID: UUID, outcome: Int, actor: Actor, db: any Database
    ) async throws -> (filename: String, data: Data) {
        let p = try await Referrals.placement(placementID, actor: actor, db: db)
        guard AccessPolicy.readsChildDetails(p, actor: actor) else {
            throw UseCaseError(.notFound, "There is no such file.")
        }
        guard
            let row = try await db.sql().raw(
                """
                SELECT t.filename, t.data FROM placement_review_ratings t
                    JOIN placement_reviews r ON r.id = t.review_id
                WHERE r.placement_id = \(bind: placementID) AND t.review_id = \(bind: reviewID)
                    AND t.outcome_index = \(bind: outcome) AND t.filename IS NOT NULL
                """
            ).first()
        else { throw UseCaseError(.notFound, "There is no such file.") }
        return (try row.decode(column: "filename", as: String.self), try row.decode(column: "data", as: Data.self))
    }

    /// What the daily review job did.
    package struct ReviewReport: Sendable, Equatable {
        package var opened = 0
        package var overdue = 0
        package var alreadyRun = false
        package var summary: String {
            alreadyRun
                ? "Today's outcome reviews have already been opened."
                : "Outcome reviews: \(opened) opened with a reminder, \(overdue) newly overdue."
        }
    }

    /// Once a day: opens each running placement's reviews as they come within `OutcomeReviewSchedule.noticeDays`
    /// of their date (reminding the provider), and tells both parties, once, of each review that has become
    /// overdue. The day is claimed (`JobRun`); each review is unique by placement and number and each overdue
    /// notice claimed by a conditional update, so two runs at once act once.
    package static func runDailyReviews(db: any Database, now: Date) async throws -> ReviewReport {
        let today = LocalDate.from(now)
        guard try await JobRun.claim("outcome-reviews", period: today.iso, db: db, now: now) else {
            return ReviewReport(alreadyRun: true)
        }
        var report = ReviewReport()
        let sql = try db.sql()
        // Running placements whose first review is within the notice window, a page at a time in id order.
        var after = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        while true {
            let batch = try await sql.raw(
                """
                SELECT p.id, p.start_date, p.expected_end_date, p.provider_id, p.reference, p.dps_id,
                    p.authority_id, p.category_id, COALESCE(d.review_months, 6) AS months
                FROM placements p LEFT JOIN dps d ON d.id = p.dps_id
                WHERE p.status = 'active' AND p.id > \(bind: after)
                ORDER BY p.id LIMIT 500
                """
            ).all()
            guard let last = batch.last else { break }
            after = try last.decode(column: "id", as: UUID.self)
            for row in batch {
                let id = try row.decode(column: "id", as: UUID.self)
                let startText = try row.decode(column: "start_date", as: String.self)
                guard let start = LocalDate(iso: startText) else {
                    throw UseCaseError(
                        .internalFailure, "A stored placement's start does not read: \(startText.prefix(20)).")
                }
                let end = try row.decode(column: "expected_end_date", as: String?.self).flatMap { LocalDate(iso: $0) }
                let due = OutcomeReviewSchedule.open(
                    start: start, end: end, months: try row.decode(column: "months", as: Int.self), today: today)
                for review in due {
                    let opened = try await db.writeTransaction { db in
                        let inserted =
                            try await db.sql().insert(into: PlacementTables.reviews)
                            .columns(
                                "id", "placement_id", "sequence", "due_date", "state", "overdue_notified", "created_at",
                                "dps_id", "authority_id", "category_id"  // the placement's, for the figures (M0035)
                            )
                            .values(
                                SQLBind(UUID()), SQLBind(id), SQLBind(review.sequence), SQLBind(review.due.iso),
                                SQLBind(OutcomeReviewState.due.rawValue), SQLBind(false), SQLBind(now),
                                SQLBind(try row.decode(column: "dps_id", as: UUID?.self)),
                                SQLBind(try row.decode(column: "authority_id", as: UUID.self)),
                                SQLBind(try row.decode(column: "category_id", as: UUID?.self))
                            )
                            .ignoringConflicts().returning("id").first() != nil
                        guard inserted else { return false }
                        try await Outbox.send(
                            on: db, organisationID: try row.decode(column: "provider_id", as: UUID.self),
                            recipient: "Provider",
                            subject: "Outcome review due \(review.due.longForm): "
                                + (try row.decode(column: "reference", as: String?.self) ?? ""),
                            body: "Record the progress on each agreed outcome by \(review.due.longForm).",
                            link: SiteURL.placement(id).path, at: now)
                        return true
                    }
                    if opened { report.opened += 1 }
                }
            }
        }
        // Overdue: past their date and not completed; each told once.
        let overdue = try await sql.raw(
            """
            SELECT r.id, r.due_date, p.id AS placement_id, p.provider_id, p.authority_id, p.reference
            FROM placement_reviews r JOIN placements p ON p.id = r.placement_id
            WHERE r.state <> 'completed' AND r.due_date < \(bind: today.iso) AND r.overdue_notified = \(bind: false)
            """
        ).all()
        for row in overdue {
            let reviewID = try row.decode(column: "id", as: UUID.self)
            let placementID = try row.decode(column: "placement_id", as: UUID.self)
            let reference = try row.decode(column: "reference", as: String?.self) ?? ""
            let due = try row.decode(column: "due_date", as: String.self)
            let told = try await db.writeTransaction { db in
                guard
                    try await db.sql().raw(
                        """
                        UPDATE placement_reviews SET overdue_notified = \(bind: true)
                        WHERE id = \(bind: reviewID) AND overdue_notified = \(bind: false) RETURNING id
                        """
                    ).first() != nil
                else { return false }
                for (org, recipient) in [
                    (try row.decode(column: "provider_id", as: UUID.self), "Provider"),
                    (try row.decode(column: "authority_id", as: UUID.self), "Placement officers"),
                ] {
                    try await Outbox.send(
                        on: db, organisationID: org, recipient: recipient,
                        subject: "Outcome review overdue: \(reference)",
                        body: "The outcome review due \(DisplayDate.date(due)) has not been completed.",
                        link: SiteURL.placement(placementID).path, at: now)
                }
                return true
            }
            if told { report.overdue += 1 }
        }
        try await JobRun.finish("outcome-reviews", period: today.iso, summary: report.summary, db: db, now: now)
        return report
    }

    // MARK: Changes

    /// A change as typed: what kind, the new fee lines, end or pattern, why and from when.
    package struct ChangeCommand: Sendable {
        package var kind: PlacementChangeKind?
        package var lines: [FeeLine]
        /// Each line's place on the form, for naming a line's errors (by default its place in `lines`).
        package var linePositions: [Int]?
        package var expectedEnd: LocalDate?
        package var pattern: PlacementPattern?
        package var reason: String
        package var effective: LocalDate?
        package var unreadable: [FieldError]

        package init(
            kind: PlacementChangeKind?, lines: [FeeLine] = [], linePositions: [Int]? = nil,
            expectedEnd: LocalDate? = nil, pattern: PlacementPattern? = nil, reason: String, effective: LocalDate?,
            unreadable: [FieldError] = []
        ) {
            self.kind = kind
            self.lines = lines
            self.linePositions = linePositions
            self.expectedEnd = expectedEnd
            self.pattern = pattern
            self.reason = reason
            self.effective = effective
            self.unreadable = unreadable
        }
    }

    /// Either party proposes a change to a running placement, with a reason and the date it takes effect; the other
    /// side accepts or rejects it. One proposal waits at a time (a partial unique index).
    @discardableResult
    package static func proposeChange(
        _ placementID: UUID, _ command: ChangeCommand, actor: Actor, db: any Database, now: Date
    ) async throws -> UUID {
        let p = try await Referrals.placement(placementID, actor: actor, db: db)
        _ = try requireParty(p, actor: actor)
        guard p.status == PlacementStatus.active.rawValue else {
            throw UseCaseError(
                field: "kind", "This placement has ended; its agreement can no longer change",
                status: .conflict)
        }
        let (children, pattern, names) = try await terms(p, db: db)
        var errors = command.unreadable
        let named = Set(errors.map(\.field))
        let reason = command.reason.trimmed
        if reason.count < 10 {
            errors.append(
                FieldError(field: "changeReason", message: "Give the reason for the change (at least 10 characters)"))
        } else if reason.count > Bounded.longText {
            errors.append(FieldError(field: "changeReason", message: "Write at most \(Bounded.longText) characters"))
        }
        let start = LocalDate(iso: p.startDate)
        let end = p.expectedEndDate.flatMap { LocalDate(iso: $0) }
        if let effective = command.effective, let start {
            if let problem = FeeVariation.effectiveDateProblem(effective, start: start, end: end) {
                errors.append(FieldError(field: "effective", message: problem))
            }
        } else if !named.contains("effective") {
            errors.append(FieldError(field: "effective", message: "Enter the date the change takes effect"))
        }
        var before = ChangeTerms()
        var after = ChangeTerms()
        switch command.kind {
        case .fee where named.contains { $0.hasPrefix("linePounds") }:
            break  // a line whose amount did not read: its total would be wrong, so the error stands alone
        case .fee:
            let current = try feeLines(p, lineNames: names)
            switch FeeVariation.effect(
                before: current, after: command.lines, children: children, discountBasisPoints: p.discountBasisPoints,
                weeksPerYear: pattern?.weeksPerYear ?? 52, positions: command.linePositions)
            {
            case .success(let effect):
                before = ChangeTerms(lines: current, weeklyPence: effect.weeklyBefore)
                after = ChangeTerms(lines: command.lines, weeklyPence: effect.weeklyAfter)
            case .failure(let problems): errors += problems.errors
            }
        case .duration:
            if let newEnd = command.expectedEnd, let start {
                if newEnd < max(start.adding(days: 7), LocalDate.from(now)) || newEnd > start.adding(days: 520 * 7) {
                    errors.append(
                        FieldError(
                            field: "expectedEnd",
                            message: "The new end must be from today, at least a week after the start and within "
                                + "10 years of it"))
                } else if newEnd == end {
                    errors.append(FieldError(field: "expectedEnd", message: "This is already the expected end"))
                }
                before = ChangeTerms(expectedEnd: p.expectedEndDate ?? "")
                after = ChangeTerms(expectedEnd: newEnd.iso)
            } else if !named.contains("expectedEnd") {
                errors.append(FieldError(field: "expectedEnd", message: "Enter the new expected end"))
            }
        case .pattern:
            if let new = command.pattern {
                if new == pattern {
                    errors.append(FieldError(field: "pattern", message: "This is already the placement's pattern"))
                }
                before = ChangeTerms(pattern: pattern?.rawValue ?? "")
                after = ChangeTerms(pattern: new.rawValue)
            } else if !named.contains("pattern") {
                errors.append(FieldError(field: "pattern", message: "Choose the new placement pattern"))
            }
        case nil:
            errors.append(FieldError(field: "kind", message: "Choose what the change is"))
        }
        guard errors.isEmpty, let kind = command.kind, let effective = command.effective else {
            throw UseCaseError(errors)
        }
        let changeID = UUID()
        let (was, becomes) = (before, after)
        try await db.writeTransaction { db in
            let sql = try db.sql()
            let inserted =
                try await sql.insert(into: PlacementTables.changes)
                .columns(
                    "id", "placement_id", "kind", "state", "before_json", "after_json", "reason", "effective_date",
                    "proposed_by_org", "proposed_by", "proposed_at"
                )
                .values(
                    SQLBind(changeID), SQLBind(placementID), SQLBind(kind.rawValue),
                    SQLBind(PlacementChangeState.proposed.rawValue), SQLBind(Audit.encode(was)),
                    SQLBind(Audit.encode(becomes)), SQLBind(reason), SQLBind(effective.iso),
                    SQLBind(actor.organisationID),
                    SQLBind(actor.label), SQLBind(now)
                )
                .ignoringConflicts().returning("id").first() != nil
            guard inserted else {
                throw UseCaseError(
                    field: "kind", "A change to this placement is already waiting for an answer", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID, action: "placement.change_proposed", entityType: "placement",
                entityID: p.id, before: was, after: becomes, at: now)
            let other = p.providerID == actor.organisationID ? p.authorityID : p.providerID
            try await Outbox.send(
                on: db, organisationID: other,
                recipient: other == p.providerID ? "Provider" : "Placement officers",
                subject: "\(kind.label) proposed: \(p.reference ?? "")",
                body: "A change to the placement agreement from \(effective.longForm) waits for your answer.",
                link: SiteURL.placement(placementID).path, at: now)
        }
        return changeID
    }

    /// The other party accepts or rejects a proposed change. Accepted, the agreement takes it at once, on the
    /// condition that its terms are still those the change was proposed against (a change in between refuses it).
    package static func decideChange(
        _ placementID: UUID, change changeID: UUID, accept: Bool, note raw: String, actor: Actor, db: any Database,
        now: Date
    ) async throws {
        let p = try await Referrals.placement(placementID, actor: actor, db: db)
        _ = try requireParty(p, actor: actor)
        let note = raw.trimmed
        if note.count > Bounded.longText {
            throw UseCaseError(field: "decisionNote", "Write at most \(Bounded.longText) characters")
        }
        if !accept && note.isEmpty { throw UseCaseError(field: "decisionNote", "Say why you reject the change") }
        let change = try await changes(placementID, db: db).first { $0.id == changeID }
        guard let change, change.state == .proposed else {
            throw UseCaseError(field: "decision", "This change is not waiting for an answer", status: .conflict)
        }
        guard change.proposedByOrganisation != actor.organisationID else {
            throw UseCaseError(.forbidden, "The other party answers a change you proposed.")
        }
        try await db.writeTransaction { db in
            let sql = try db.sql()
            let state = accept ? PlacementChangeState.accepted : .rejected
            guard
                try await sql.raw(
                    """
                    UPDATE placement_changes SET state = \(bind: state.rawValue), decided_by = \(bind: actor.label),
                        decided_at = \(bind: now), decision_note = \(bind: note.isEmpty ? nil : note)
                    WHERE id = \(bind: changeID) AND placement_id = \(bind: placementID) AND state = 'proposed'
                    RETURNING id
                    """
                ).first() != nil
            else {
                throw UseCaseError(field: "decision", "This change has already been answered", status: .conflict)
            }
            if accept { try await apply(change, to: p, sql: sql) }
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID,
                action: accept ? "placement.change_accepted" : "placement.change_rejected", entityType: "placement",
                entityID: p.id, before: change.before, after: accept ? change.after : change.before, at: now)
            try await Outbox.send(
                on: db, organisationID: change.proposedByOrganisation,
                recipient: change.proposedByOrganisation == p.providerID ? "Provider" : "Placement officers",
                subject: "\(change.kind.label) \(accept ? "accepted" : "rejected"): \(p.reference ?? "")",
                body: accept ? "The agreement now shows the change." : "The change was rejected: \(note)",
                link: SiteURL.placement(placementID).path, at: now)
        }
    }

    /// Writes an accepted change onto the agreement, on the condition that the placement still runs on the terms
    /// the change was proposed against.
    private static func apply(_ change: Change, to p: PlacementRecord, sql: any SQLDatabase) async throws {
        let id = try p.requireID()
        let applied: Bool
        switch change.kind {
        case .fee:
            guard let lines = change.after.lines, let weekly = change.after.weeklyPence,
                let was = change.before.weeklyPence
            else { throw UseCaseError(.internalFailure, "A stored fee variation has no lines.") }
            let core = Dictionary(
                lines.compactMap { line in line.key.map { ($0, line.pence) } }, uniquingKeysWith: { a, _ in a })
            let variable = lines.filter { $0.key == nil }.map { BidItem(description: $0.name, pence: $0.pence) }
            applied =
                try await sql.raw(
                    """
                    UPDATE placements SET weekly_fee_pence = \(bind: weekly), core_json = \(bind: Audit.encode(core)),
                        variable_json = \(bind: Audit.encode(variable))
                    WHERE id = \(bind: id) AND status = 'active' AND weekly_fee_pence = \(bind: was) RETURNING id
                    """
                ).first() != nil
        case .duration:
            guard let end = change.after.expectedEnd, let was = change.before.expectedEnd else {
                throw UseCaseError(.internalFailure, "A stored change of end has no date.")
            }
            applied =
                try await sql.raw(
                    """
                    UPDATE placements SET expected_end_date = \(bind: end)
                    WHERE id = \(bind: id) AND status = 'active' AND COALESCE(expected_end_date, '') = \(bind: was)
                    RETURNING id
                    """
                ).first() != nil
        case .pattern:
            guard let pattern = change.after.pattern else {
                throw UseCaseError(.internalFailure, "A stored change of pattern has no pattern.")
            }
            applied =
                try await sql.raw(
                    """
                    UPDATE placements SET pattern = \(bind: pattern) WHERE id = \(bind: id) AND status = 'active'
                    RETURNING id
                    """
                ).first() != nil
        }
        guard applied else {
            throw UseCaseError(
                field: "decision",
                "The agreement has changed since this was proposed, or the placement has ended; "
                    + "propose the change again", status: .conflict)
        }
    }

    // MARK: Endings

    /// A placement ends, planned or unplanned, with the reason, the date and who ended it: either party records it.
    /// An unplanned ending is reported to the lead authority's contract managers. Changes waiting for an answer are
    /// withdrawn, and reviews not yet due by the end are no longer owed. Claimed by the status: ended once.
    package static func end(
        _ placementID: UUID, reason: PlacementEnding?, on date: LocalDate?, note raw: String, actor: Actor,
        db: any Database, now: Date
    ) async throws {
        let p = try await Referrals.placement(placementID, actor: actor, db: db)
        _ = try requireParty(p, actor: actor)
        var errors: [FieldError] = []
        let note = raw.trimmed
        let today = LocalDate.from(now)
        if reason == nil { errors.append(FieldError(field: "endReason", message: "Choose how the placement ended")) }
        if let date {
            if let start = LocalDate(iso: p.startDate), date < start {
                errors.append(FieldError(field: "endedOn", message: "The end cannot be before the placement started"))
            } else if date > today {
                errors.append(
                    FieldError(
                        field: "endedOn",
                        message: "The end date cannot be in the future: record the ending on the day it happens"))
            }
        } else {
            errors.append(FieldError(field: "endedOn", message: "Enter the date the placement ended"))
        }
        if reason?.kind == .unplanned && note.count < 10 {
            errors.append(
                FieldError(
                    field: "endNote",
                    message: "Say what happened: an unplanned ending needs at least 10 characters"))
        }
        if note.count > Bounded.longText {
            errors.append(FieldError(field: "endNote", message: "Write at most \(Bounded.longText) characters"))
        }
        guard errors.isEmpty, let reason, let date else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            let sql = try db.sql()
            guard
                try await sql.raw(
                    """
                    UPDATE placements SET status = 'ended', actual_end_date = \(bind: date.iso),
                        ending_kind = \(bind: reason.kind.rawValue), ending_reason = \(bind: reason.rawValue),
                        ending_note = \(bind: note), ended_at = \(bind: now), ended_by = \(bind: actor.label)
                    WHERE id = \(bind: placementID) AND status = 'active' RETURNING id
                    """
                ).first() != nil
            else { throw UseCaseError(field: "endReason", "This placement has already ended", status: .conflict) }
            try await sql.raw(
                """
                UPDATE placement_changes SET state = 'withdrawn', decided_at = \(bind: now),
                    decision_note = 'The placement ended.'
                WHERE placement_id = \(bind: placementID) AND state = 'proposed'
                """
            ).run()
            try await sql.raw(
                """
                DELETE FROM placement_reviews WHERE placement_id = \(bind: placementID) AND state = 'due'
                    AND due_date > \(bind: date.iso)
                """
            ).run()
            try await Audit.record(
                on: db, actor: actor, dps: p.dpsID, action: "placement.ended", entityType: "placement",
                entityID: p.id, before: ["status": "active"],
                after: [
                    "status": "ended", "endedOn": date.iso, "reason": reason.rawValue, "kind": reason.kind.rawValue,
                ],
                at: now)
            let other = p.providerID == actor.organisationID ? p.authorityID : p.providerID
            try await Outbox.send(
                on: db, organisationID: other, recipient: other == p.providerID ? "Provider" : "Placement officers",
                subject: "Placement ended: \(p.reference ?? "")",
                body: "\(reason.label) on \(date.longForm).", link: SiteURL.placement(placementID).path, at: now)
            if reason.kind == .unplanned, let dpsID = p.dpsID, let dps = try await DPSRecord.find(dpsID, on: db) {
                try await Outbox.send(
                    on: db, organisationID: dps.$lead.id, recipient: "Contract managers",
                    subject: "Unplanned ending: \(p.reference ?? "")",
                    body: "\(reason.label) on \(date.longForm). See the placements register's unplanned endings.",
                    link: SiteURL.placement(placementID).path, at: now)
            }
        }
    }
}

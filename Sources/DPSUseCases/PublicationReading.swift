import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Reading what has been published: public, no sign-in. Every list is paged and read from the stored releases.
extension Publication {
    /// Who publishes, as the packages name it: the service and its public address.
    package struct Publisher: Sendable {
        package var name: String
        package var baseURL: String
        package init(name: String, baseURL: String) {
            self.name = name
            self.baseURL = baseURL
        }
    }

    /// Where a page of the release list starts: after the release published at `publishedAt` with id `releaseID`
    /// (newest first). Written into addresses as base64url text; what does not read is refused by name.
    package struct Cursor: Sendable, Equatable {
        package var publishedAt: Date
        package var releaseID: String

        package init(publishedAt: Date, releaseID: String) {
            self.publishedAt = publishedAt
            self.releaseID = releaseID
        }

        package var text: String {
            let millis = Int64((publishedAt.timeIntervalSince1970 * 1000).rounded())
            return Data("\(millis)_\(releaseID)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        package init(text: String) throws {
            let refused = UseCaseError(
                field: "cursor", "Give the cursor exactly as the previous page's next link has it")
            guard !text.isEmpty, text.count <= 400,
                text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            else { throw refused }
            var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while b64.count % 4 != 0 { b64 += "=" }
            guard let data = Data(base64Encoded: b64), let decoded = String(data: data, encoding: .utf8),
                let split = decoded.firstIndex(of: "_"), let millis = Int64(decoded[..<split]),
                (0...253_402_300_799_000).contains(millis)
            else { throw refused }
            let id = String(decoded[decoded.index(after: split)...])
            guard !id.isEmpty, id.count <= 200 else { throw refused }
            publishedAt = Date(timeIntervalSince1970: Double(millis) / 1000)
            releaseID = id
        }
    }

    /// A page of releases, newest published first, optionally only those published within `from`...`to`
    /// (inclusive), at most `limit`; with the cursor of the next page when there is one.
    package static func releases(
        after cursor: Cursor?, from: Date?, to: Date?, limit: Int, db: any Database
    ) async throws -> (releases: [OCDS.Release], next: Cursor?, newest: Date?) {
        guard (1...100).contains(limit) else {
            throw UseCaseError(field: "limit", "Give a page size from 1 to 100")
        }
        if let from, let to, from > to {
            throw UseCaseError(field: "updatedFrom", "updatedFrom must not be after updatedTo")
        }
        var condition: SQLQueryString = "1 = 1"
        if let from { condition = "\(condition) AND published_at >= \(bind: from)" }
        if let to { condition = "\(condition) AND published_at <= \(bind: to)" }
        if let cursor {
            condition = """
                \(condition) AND (published_at < \(bind: cursor.publishedAt)
                    OR (published_at = \(bind: cursor.publishedAt) AND release_id < \(bind: cursor.releaseID)))
                """
        }
        let rows = try await db.sql().raw(
            """
            SELECT release_id, published_at, json FROM ocds_releases WHERE \(condition)
            ORDER BY published_at DESC, release_id DESC LIMIT \(unsafeRaw: String(limit + 1))
            """
        ).all()
        let page = Array(rows.prefix(limit))
        let releases = try page.map { try decodeRelease($0.decode(column: "json", as: String.self)) }
        var next: Cursor?
        if rows.count > limit, let last = page.last {
            next = Cursor(
                publishedAt: try last.decode(column: "published_at", as: Date.self),
                releaseID: try last.decode(column: "release_id", as: String.self))
        }
        return (releases, next, try page.first?.decode(column: "published_at", as: Date.self))
    }

    static func decodeRelease(_ json: String) throws -> OCDS.Release {
        guard let release = try Referrals.decode(json, as: OCDS.Release.self) else {
            throw UseCaseError(.internalFailure, "A stored release is empty.")
        }
        return release
    }

    /// The most releases a record is compiled from; a process with more is refused rather than compiled from a part.
    static let recordLimit = 20_000

    /// A contracting process's record: its releases oldest first and the compiled release. Not found when nothing
    /// has been published under the ocid.
    package static func record(_ ocid: String, db: any Database) async throws -> OCDS.Record {
        guard ocid.count <= 150, ocid.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        else { throw UseCaseError(.notFound, "Nothing has been published under that ocid.") }
        let rows = try await db.sql().raw(
            """
            SELECT json FROM ocds_releases WHERE ocid = \(bind: ocid) ORDER BY release_date, published_at, release_id
            LIMIT \(unsafeRaw: String(recordLimit + 1))
            """
        ).all()
        guard rows.count <= recordLimit else {
            throw UseCaseError(
                .tooLarge, "This process has more than \(recordLimit) releases: read them from the release list.")
        }
        let releases = try rows.map { try decodeRelease($0.decode(column: "json", as: String.self)) }
            .sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        guard let compiled = OCDS.compile(releases) else {
            throw UseCaseError(.notFound, "Nothing has been published under that ocid.")
        }
        return OCDS.Record(ocid: ocid, releases: releases, compiledRelease: compiled)
    }

    /// Every release, oldest published first, `batch` at a time as their stored JSON text: the bulk download streams
    /// them without holding them all.
    package static func everyRelease(
        batch: Int = 500, db: any Database, each: ([String]) async throws -> Void
    ) async throws {
        var after: (Date, String)?
        while true {
            let condition: SQLQueryString =
                after.map {
                    "published_at > \(bind: $0.0) OR (published_at = \(bind: $0.0) AND release_id > \(bind: $0.1))"
                }
                ?? "1 = 1"
            let rows = try await db.sql().raw(
                """
                SELECT release_id, published_at, json FROM ocds_releases WHERE \(condition)
                ORDER BY published_at, release_id LIMIT \(unsafeRaw: String(batch))
                """
            ).all()
            guard let last = rows.last else { return }
            try await each(try rows.map { try $0.decode(column: "json", as: String.self) })
            after = (
                try last.decode(column: "published_at", as: Date.self),
                try last.decode(column: "release_id", as: String.self)
            )
            if rows.count < batch { return }
        }
    }

    /// The award releases of one quarter (by the award's London date), oldest first, a page at a time: the
    /// quarter's grouped award notice, and the public page.
    package static func quarterAwards(
        _ quarter: Quarter, dps: UUID? = nil, page: ListPage, db: any Database
    ) async throws -> PageOf<OCDS.Release> {
        let only: SQLQueryString = dps.map { "AND dps_id = \(bind: $0)" } ?? ""
        let rows = try await db.sql().raw(
            """
            SELECT json FROM ocds_releases
            WHERE stage = 'award' AND release_date >= \(bind: quarter.start.iso)
                AND release_date < \(bind: quarter.next.start.iso) \(only)
            ORDER BY release_date, release_id
            LIMIT \(unsafeRaw: String(page.size + 1)) OFFSET \(unsafeRaw: String(page.offset))
            """
        ).all()
        return PageOf(try rows.map { try decodeRelease($0.decode(column: "json", as: String.self)) }, page)
    }

    /// The quarters with published awards, newest first, with how many each has (counted in SQL by month).
    package static func awardQuarters(db: any Database) async throws -> [(quarter: Quarter, awards: Int)] {
        let rows = try await db.sql().raw(
            """
            SELECT SUBSTR(release_date, 1, 7) AS month, COUNT(*) AS n FROM ocds_releases WHERE stage = 'award'
            GROUP BY SUBSTR(release_date, 1, 7)
            """
        ).all()
        var counts: [Quarter: Int] = [:]
        for row in rows {
            guard let day = LocalDate(iso: try row.decode(column: "month", as: String.self) + "-01") else { continue }
            counts[Quarter(containing: day), default: 0] += try row.decode(column: "n", as: Int.self)
        }
        return counts.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
    }

    /// The DPSs published here, for the public page: title, ocid and regime.
    package static func markets(db: any Database) async throws -> [(title: String, ocid: String, regime: Regime)] {
        try await DPSRecord.query(on: db).with(\.$lead).sort(\.$title).all().map {
            let c = try Context(dps: $0, lead: $0.lead)
            return (c.title, c.ocid, c.regime)
        }
    }

    // MARK: The publication calendar

    /// One notice on the calendar.
    package struct CalendarNotice: Sendable, Equatable {
        package var id: UUID
        package var key: String
        package var kind: NoticeKind
        package var title: String
        package var event: LocalDate
        package var due: LocalDate
        package var valuePence: Int?
        package var sentAt: Date?
        package var sentBy: String?
        package var reference: String?
        package var overdue: Bool
        /// The record (or, for a quarter's grouped notice, the quarter) the notice's data is in.
        package var ocid: String?
        package var quarter: Quarter?
    }

    package enum CalendarState: String, Sendable, CaseIterable {
        case due, overdue, sent
    }

    /// The lead authority's calendar: its DPSs' notices, due first (soonest due date first), a page at a time.
    package static func calendar(
        actor: Actor, state: CalendarState?, page: ListPage, db: any Database, now: Date
    ) async throws -> PageOf<CalendarNotice> {
        guard actor.isLeadAuthority, AccessPolicy.placementOverseers.contains(actor.role) else {
            throw UseCaseError(.forbidden, "The lead authority's contract managers keep the publication calendar.")
        }
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard !dpsIDs.isEmpty else { return PageOf([], page) }
        let today = LocalDate.from(now)
        let narrowing: SQLQueryString =
            switch state {
            case nil: "1 = 1"
            case .due: "n.sent_at IS NULL AND n.due_date >= \(bind: today.iso)"
            case .overdue: "n.sent_at IS NULL AND n.due_date < \(bind: today.iso)"
            case .sent: "n.sent_at IS NOT NULL"
            }
        let rows = try await db.sql().raw(
            """
            SELECT n.id, n.notice_key, n.kind, n.title, n.event_date, n.due_date, n.value_pence, n.sent_at, n.sent_by,
                n.notice_ref, (SELECT MIN(o.ocid) FROM ocds_releases o WHERE o.notice_key = n.notice_key) AS ocid
            FROM publication_notices n
            WHERE n.dps_id IN (\(binds: dpsIDs)) AND \(narrowing)
            ORDER BY CASE WHEN n.sent_at IS NULL THEN 0 ELSE 1 END, n.due_date, n.id
            LIMIT \(unsafeRaw: String(page.size + 1)) OFFSET \(unsafeRaw: String(page.offset))
            """
        ).all()
        return PageOf(
            try rows.map { row in
                let kind = try Placements.stored(NoticeKind.self, row.decode(column: "kind", as: String.self), "notice")
                let dates = try ["event_date", "due_date"].map { column in
                    let text = try row.decode(column: column, as: String.self)
                    guard let day = LocalDate(iso: text) else {
                        throw UseCaseError(.internalFailure, "A stored notice date does not read: \(text.prefix(20)).")
                    }
                    return day
                }
                let sent = try row.decode(column: "sent_at", as: Date?.self)
                return CalendarNotice(
                    id: try row.decode(column: "id", as: UUID.self),
                    key: try row.decode(column: "notice_key", as: String.self), kind: kind,
                    title: try row.decode(column: "title", as: String.self), event: dates[0], due: dates[1],
                    valuePence: try row.decode(column: "value_pence", as: Int?.self), sentAt: sent,
                    sentBy: try row.decode(column: "sent_by", as: String?.self),
                    reference: try row.decode(column: "notice_ref", as: String?.self),
                    overdue: NoticeCalendar.isOverdue(due: dates[1], sent: sent != nil, today: today),
                    ocid: kind == .quarterlyAwards ? nil : try row.decode(column: "ocid", as: String?.self),
                    quarter: kind == .quarterlyAwards ? Quarter(containing: dates[0]) : nil)
            }, page)
    }

    /// The contract manager marks a notice as sent to the central platform, with the notice id it was given there.
    /// Claimed by its state: marked once.
    package static func markSent(_ id: UUID, reference raw: String, actor: Actor, db: any Database, now: Date)
        async throws
    {
        guard actor.isLeadAuthority, actor.role == .contractManager else {
            throw UseCaseError(.forbidden, "The lead authority's contract managers mark notices as sent.")
        }
        let reference = raw.trimmed
        guard !reference.isEmpty, reference.count <= 100,
            !reference.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else {
            throw UseCaseError(
                field: "reference",
                "Enter the notice id the central platform gave, on one line, at most 100 characters")
        }
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard !dpsIDs.isEmpty,
            try await db.sql().raw(
                "SELECT 1 AS one FROM publication_notices WHERE id = \(bind: id) AND dps_id IN (\(binds: dpsIDs))"
            ).first() != nil
        else { throw UseCaseError(.notFound, "There is no such notice.") }
        try await db.writeTransaction { db in
            guard
                let row = try await db.sql().raw(
                    """
                    UPDATE publication_notices SET sent_at = \(bind: now), sent_by = \(bind: actor.label),
                        notice_ref = \(bind: reference)
                    WHERE id = \(bind: id) AND dps_id IN (\(binds: dpsIDs)) AND sent_at IS NULL
                    RETURNING dps_id, notice_key
                    """
                ).first()
            else {
                throw UseCaseError(field: "reference", "This notice has already been marked as sent", status: .conflict)
            }
            try await Audit.record(
                on: db, actor: actor, dps: try row.decode(column: "dps_id", as: UUID.self), action: "notice.sent",
                entityType: "notice", entityID: id, before: ["sent": "no"],
                after: [
                    "sent": "yes", "notice": try row.decode(column: "notice_key", as: String.self),
                    "reference": reference,
                ], at: now)
        }
    }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Read models that several pages and the API share. Each filters by the actor.
package enum Queries {
    package struct MembershipRow: Codable, Sendable {
        package var id: UUID
        package var establishmentID: UUID
        package var establishment: String
        package var provider: String
        package var providerID: UUID
        package var category: String
        package var categoryCode: String
        package var score: Int
        package var coreTotalPence: Int
        package var state: String
        package var postcodeDistrict: String
        /// The establishment's URN, when it has one.
        package var urn: String?
        /// The reason code of the membership's latest suspension or removal (`SuspensionReason`), while it is
        /// suspended or removed; nil when active.
        package var stateReason: String?

        package init(
            id: UUID, establishmentID: UUID, establishment: String, provider: String, providerID: UUID,
            category: String, categoryCode: String, score: Int, coreTotalPence: Int, state: String,
            postcodeDistrict: String, urn: String? = nil, stateReason: String? = nil
        ) {
            self.id = id
            self.establishmentID = establishmentID
            self.establishment = establishment
            self.provider = provider
            self.providerID = providerID
            self.category = category
            self.categoryCode = categoryCode
            self.score = score
            self.coreTotalPence = coreTotalPence
            self.state = state
            self.postcodeDistrict = postcodeDistrict
            self.urn = urn
            self.stateReason = stateReason
        }
    }

    /// A page of memberships, newest admitted first (in index order, so a page costs the same however many there
    /// are): the lead authority and partners see every
    /// membership of the DPSs they run or belong to (every admitted provider is visible to every partner,
    /// DOMAIN §3); a provider sees only its own. One statement, joined, never the whole table.
    /// The membership list's states, search (establishment, provider, category) and orders.
    package static let membershipOptions = ListFilter.Options(
        states: MembershipState.allCases.map { ListFilter.Choice($0.rawValue, $0.rawValue.capitalized) },
        sorts: [
            ListFilter.Choice("newest", "Newest first"), ListFilter.Choice("establishment", "Establishment"),
            ListFilter.Choice("provider", "Provider"), ListFilter.Choice("score", "Qualification score, highest first"),
        ])

    /// The categories a membership list can be narrowed to: those of the DPSs the reader runs or belongs to, or, for
    /// a provider, those it holds memberships of; named with their DPS when there are several.
    package static func membershipCategories(actor: Actor, db: any Database) async throws -> [ListFilter.Choice] {
        let condition: SQLQueryString
        if actor.isProvider {
            condition = """
                c.id IN (SELECT category_id FROM memberships WHERE organisation_id = \(bind: actor.organisationID))
                """
        } else {
            let ids = try await AccessPolicy.dpsIDs(of: actor, db: db)
            guard !ids.isEmpty else { return [] }
            condition = "c.dps_id IN (\(binds: ids))"
        }
        let rows = try await db.sql().raw(
            """
            SELECT c.id, c.name, d.title FROM categories c JOIN dps d ON d.id = c.dps_id
            WHERE \(condition) ORDER BY d.title, c.position
            """
        ).all()
        let several = Set(try rows.map { try $0.decode(column: "title", as: String.self) }).count > 1
        return try rows.map { row in
            let name = try row.decode(column: "name", as: String.self)
            return ListFilter.Choice(
                try row.decode(column: "id", as: UUID.self).uuidString,
                several ? "\(name) (\(try row.decode(column: "title", as: String.self)))" : name)
        }
    }

    /// The partner areas a council's membership list can be narrowed to: each council of the DPSs it runs or
    /// belongs to that has a GSS code, by name (none for a provider, which sees only its own).
    package static func membershipAreas(actor: Actor, db: any Database) async throws -> [ListFilter.Choice] {
        guard !actor.isProvider else { return [] }
        let dpsIDs = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard !dpsIDs.isEmpty else { return [] }
        let rows = try await db.sql().raw(
            """
            SELECT DISTINCT o.gss_code, o.name FROM organisations o
            WHERE o.gss_code IS NOT NULL
                AND (o.id IN (SELECT organisation_id FROM dps_partners WHERE dps_id IN (\(binds: dpsIDs)))
                    OR o.id IN (SELECT lead_organisation_id FROM dps WHERE id IN (\(binds: dpsIDs))))
            ORDER BY o.name
            """
        ).all()
        return try rows.map {
            ListFilter.Choice(
                try $0.decode(column: "gss_code", as: String.self), try $0.decode(column: "name", as: String.self))
        }
    }

    /// A page of memberships (see above), narrowed by `filter` and, for a council, to the establishments in one
    /// partner's area (`area`, a GSS code from `membershipAreas`).
    package static func memberships(
        actor: Actor, filter: ListFilter? = nil, area: String? = nil, category: UUID? = nil, page: ListPage = .first,
        db: any Database
    ) async throws -> PageOf<MembershipRow> {
        let narrowing = filter ?? .none(membershipOptions)
        let inArea: SQLQueryString = area.map { "e.la_gss_code = \(bind: $0)" } ?? "1 = 1"
        let inCategory: SQLQueryString = category.map { "m.category_id = \(bind: $0)" } ?? "1 = 1"
        let order =
            switch narrowing.sort {
            case "establishment": "e.name, m.id"
            case "provider": "o.name, e.name, m.id"
            case "score": "m.qualification_score DESC, m.id"
            default: "m.admitted_at DESC, m.id DESC"
            }
        let filter: SQLQueryString
        if actor.isProvider {
            filter = "m.organisation_id = \(bind: actor.organisationID)"
        } else {
            let ids = try await AccessPolicy.dpsIDs(of: actor, db: db)
            guard !ids.isEmpty else { return PageOf([], page) }
            filter = "m.dps_id IN (\(binds: ids))"
        }
        let query: SQLQueryString = """
            SELECT m.id, m.establishment_id, e.name AS establishment, o.name AS provider,
                m.organisation_id AS provider_id, c.name AS category, c.code AS category_code,
                m.qualification_score, m.core_costs_json, m.state, e.postcode_district, e.urn,
                CASE WHEN m.state = 'active' THEN NULL ELSE (SELECT ev.reason_code FROM membership_events ev
                    WHERE ev.membership_id = m.id AND ev.kind IN ('suspended', 'removed', 'withdrawn')
                    ORDER BY ev.occurred_at DESC LIMIT 1) END AS state_reason
            FROM memberships m
                JOIN establishments e ON e.id = m.establishment_id
                JOIN organisations o ON o.id = m.organisation_id
                JOIN categories c ON c.id = m.category_id
            WHERE \(filter) AND \(narrowing.stateIs("m.state")) AND \(narrowing.matches(["e.name", "o.name", "c.name"]))
                AND \(inArea) AND \(inCategory)
            ORDER BY \(unsafeRaw: order)
            LIMIT \(literal: page.size + 1) OFFSET \(literal: page.offset)
            """
        let rows = try await db.sql().raw(query).all().map { row in
            let costs = try Referrals.decode(
                row.decode(column: "core_costs_json", as: String.self), as: [String: Int].self)
            guard let total = SafeArithmetic.sum(costs?.values.map { $0 } ?? []) else {
                throw UseCaseError(.internalFailure, "A membership's stored core costs do not add up.")
            }
            return MembershipRow(
                id: try row.decode(column: "id", as: UUID.self),
                establishmentID: try row.decode(column: "establishment_id", as: UUID.self),
                establishment: try row.decode(column: "establishment", as: String.self),
                provider: try row.decode(column: "provider", as: String.self),
                providerID: try row.decode(column: "provider_id", as: UUID.self),
                category: try row.decode(column: "category", as: String.self),
                categoryCode: try row.decode(column: "category_code", as: String.self),
                score: try row.decode(column: "qualification_score", as: Int.self),
                coreTotalPence: total,
                state: try row.decode(column: "state", as: String.self),
                postcodeDistrict: try row.decode(column: "postcode_district", as: String.self),
                urn: try row.decode(column: "urn", as: String?.self),
                stateReason: try row.decode(column: "state_reason", as: String?.self))
        }
        return PageOf(rows, page)
    }

    /// One invitation on the provider's list, with what the provider may know of where it stands: plain columns
    /// of the invitation, its referral, category and establishment, and the provider's own bid.
    package struct InvitationRow: Sendable {
        package var id: UUID
        package var referralID: UUID
        package var reference: String
        package var referralState: String
        package var pattern: String
        package var startDate: String
        package var children: Int
        package var childAge: Int?
        package var homeDistrict: String
        package var deadline: Date
        package var weightsJSON: String
        package var categoryCode: String
        package var categoryName: String
        package var establishmentName: String
        package var distanceMiles: Double
        package var declined: Bool
        package var bidState: String?
        package var bidWeeklyCostPence: Int?
        package var awardedToUs: Bool
    }

    /// A page of the provider's invitations, newest first, each with its own bid's state; and the provider's
    /// newest placements (at most 100, and whether there are more).
    package static func invitations(
        actor: Actor, filter: ListFilter? = nil, page: ListPage = .first, db: any Database
    ) async throws -> (invitations: PageOf<InvitationRow>, placements: [PlacementRecord], morePlacements: Bool) {
        let rows = try await invitationRows(actor: actor, filter: filter, page: page, db: db)
        let placements = try await PlacementRecord.query(on: db).filter(\.$providerID == actor.organisationID)
            .with(\.$establishment).sort(\.$createdAt, .descending).limit(101).all()
        return (rows, Array(placements.prefix(100)), placements.count > 100)
    }

    /// A page of the provider's invitations, newest first: one statement of plain rows (its bid by the indexed
    /// invitation id; "awarded to us" from the referral's one placement).
    /// The invitation list's states (the referral's), search (reference, establishment, category) and orders.
    package static let invitationOptions = ListFilter.Options(
        states: [ReferralState.published, .closed, .awaitingParent, .awarded, .cancelled].map {
            ListFilter.Choice($0.rawValue, $0.label)
        },
        sorts: [ListFilter.Choice("newest", "Newest first"), ListFilter.Choice("deadline", "Deadline, latest first")])

    package static func invitationRows(actor: Actor, filter: ListFilter? = nil, page: ListPage, db: any Database)
        async throws -> PageOf<InvitationRow>
    {
        guard actor.isProvider else { throw UseCaseError(.forbidden, "Invitations are for providers.") }
        let narrowing = filter ?? .none(invitationOptions)
        let order = narrowing.sort == "deadline" ? "r.deadline DESC, i.id DESC" : "i.invited_at DESC, i.id DESC"
        let rows = try await db.sql().raw(
            """
            SELECT i.id, i.referral_id, i.distance_miles, CASE WHEN i.declined_at IS NULL THEN 0 ELSE 1 END AS declined,
            r.reference, r.state, r.pattern, r.start_date, r.children, r.child_age, r.home_district, r.deadline,
            r.weights_json, c.code AS category_code, c.name AS category_name, e.name AS establishment_name,
            b.state AS bid_state, b.weekly_cost_pence AS bid_cost,
            CASE WHEN EXISTS (SELECT 1 FROM placements p WHERE p.referral_id = i.referral_id
              AND p.establishment_id = i.establishment_id AND p.provider_id = i.organisation_id) THEN 1 ELSE 0 END
              AS awarded
            FROM invitations i JOIN referrals r ON r.id = i.referral_id JOIN categories c ON c.id = r.category_id
            JOIN establishments e ON e.id = i.establishment_id LEFT JOIN bids b ON b.invitation_id = i.id
            WHERE i.organisation_id = \(bind: actor.organisationID) AND \(narrowing.stateIs("r.state"))
              AND \(narrowing.matches(["r.reference", "e.name", "c.name"]))
            ORDER BY \(unsafeRaw: order) LIMIT \(bind: page.size + 1) OFFSET \(bind: page.offset)
            """
        ).all()
        return PageOf(
            try rows.map { row in
                InvitationRow(
                    id: try row.decode(column: "id", as: UUID.self),
                    referralID: try row.decode(column: "referral_id", as: UUID.self),
                    reference: try row.decode(column: "reference", as: String.self),
                    referralState: try row.decode(column: "state", as: String.self),
                    pattern: try row.decode(column: "pattern", as: String.self),
                    startDate: try row.decode(column: "start_date", as: String.self),
                    children: try row.decode(column: "children", as: Int.self),
                    childAge: try row.decode(column: "child_age", as: Int?.self),
                    homeDistrict: try row.decode(column: "home_district", as: String.self),
                    deadline: try row.decode(column: "deadline", as: Date.self),
                    weightsJSON: try row.decode(column: "weights_json", as: String.self),
                    categoryCode: try row.decode(column: "category_code", as: String.self),
                    categoryName: try row.decode(column: "category_name", as: String.self),
                    establishmentName: try row.decode(column: "establishment_name", as: String.self),
                    distanceMiles: try row.decode(column: "distance_miles", as: Double.self),
                    declined: try row.decode(column: "declined", as: Int.self) != 0,
                    bidState: try row.decode(column: "bid_state", as: String?.self),
                    bidWeeklyCostPence: try row.decode(column: "bid_cost", as: Int?.self),
                    awardedToUs: try row.decode(column: "awarded", as: Int.self) != 0)
            }, page)
    }

    /// One event of the audit trail as the page and the CSV export list it.
    package struct AuditRow: Sendable {
        package var seq: Int
        package var occurredAt: Date
        package var actorLabel: String
        package var action: String
        package var entityType: String
        package var entityID: String
        /// The organisation of the person who did it.
        package var organisationID: UUID?
        package var hash: String

        /// The event in words ("Referral published"), from `Audit.readable`.
        package var label: String { Audit.readable(action) }
    }

    /// What the audit trail is narrowed to: one kind of thing, and who did it (part of a name or e-mail address).
    package struct AuditFilter: Sendable, Equatable {
        package var type: String?
        package var who: String?

        /// The kinds of thing events concern, with the words the page shows for them.
        package static let types: [(value: String, label: String)] = [
            ("referral", "Referrals"), ("invitation", "Invitations"), ("bid", "Bids"), ("placement", "Placements"),
            ("application", "Applications"), ("application_category", "Application categories"),
            ("evidence", "Evidence"), ("clarification", "Clarifications"), ("membership", "Memberships"),
            ("establishment", "Establishments"), ("urn_claim", "URN claims"), ("organisation", "Organisations"),
            ("user", "People"), ("api_token", "API tokens"), ("dps", "The DPS"), ("category", "Categories"),
            ("partner", "Partner authorities"),
        ]

        /// Checks the filter as given in a query string: a known kind, and at most 100 characters of name.
        package init(type: String?, who: String?) throws {
            let type = type?.trimmed ?? ""
            let who = who?.trimmed ?? ""
            guard type.isEmpty || Self.types.contains(where: { $0.value == type }) else {
                throw UseCaseError(field: "type", "Choose a kind of event from the list")
            }
            guard who.count <= 100 else { throw UseCaseError(field: "who", "Who must be 100 characters or fewer") }
            self.type = type.isEmpty ? nil : type
            self.who = who.isEmpty ? nil : who
        }

        /// No narrowing: every event the reader may see.
        package static let none = AuditFilter()
        private init() {}

        package var isEmpty: Bool { type == nil && who == nil }

        /// The SQL condition of the filter (`TRUE` when empty); the name is matched as text, not as a pattern.
        var condition: SQLQueryString {
            var parts: [SQLQueryString] = []
            if let type { parts.append("entity_type = \(bind: type)") }
            if let who {
                parts.append("LOWER(actor_label) LIKE \(bind: SQLText.containsPattern(who)) ESCAPE '\\'")
            }
            guard var condition = parts.first else { return "1 = 1" }
            for part in parts.dropFirst() { condition = "\(condition) AND \(part)" }
            return condition
        }
    }

    /// The events the actor may read (`AccessPolicy.auditScope`: its DPSs' events and its own organisation's).
    private static func auditScope(actor: Actor, db: any Database) async throws -> SQLQueryString {
        try actor.require(.auditor, .contractManager, .dpsAdmin)
        let scope = try await AccessPolicy.auditScope(of: actor, db: db)
        let own: SQLQueryString = "(dps_id IS NULL AND organisation_id = \(bind: scope.organisationID))"
        return scope.dpsIDs.isEmpty ? own : "(dps_id IN (\(binds: scope.dpsIDs)) OR \(own))"
    }

    private static func auditRow(_ row: any SQLRow) throws -> AuditRow {
        AuditRow(
            seq: try row.decode(column: "seq", as: Int.self),
            occurredAt: try row.decode(column: "occurred_at", as: Date.self),
            actorLabel: try row.decode(column: "actor_label", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            entityType: try row.decode(column: "entity_type", as: String.self),
            entityID: try row.decode(column: "entity_id", as: String.self),
            organisationID: try row.decode(column: "organisation_id", as: UUID?.self),
            hash: try row.decode(column: "hash", as: String.self))
    }

    private static let auditColumns: SQLQueryString =
        "seq, occurred_at, actor_label, action, entity_type, entity_id, organisation_id, hash"

    /// A page of the audit trail the actor may read, narrowed by `filter`, newest first: plain rows of the columns
    /// the list shows.
    package static func auditTrail(
        actor: Actor, filter: AuditFilter = .none, page: ListPage, db: any Database
    ) async throws -> PageOf<AuditRow> {
        let scope = try await auditScope(actor: actor, db: db)
        let rows = try await db.sql().raw(
            """
            SELECT \(auditColumns) FROM audit_events WHERE \(scope) AND \(filter.condition)
            ORDER BY seq DESC LIMIT \(literal: page.size + 1) OFFSET \(literal: page.offset)
            """
        ).all()
        return PageOf(try rows.map(auditRow), page)
    }

    /// The next events after `seq` (oldest first, at most `limit`), for an export read in pieces of bounded size.
    package static func auditEvents(
        actor: Actor, filter: AuditFilter, after seq: Int, limit: Int, db: any Database
    ) async throws -> [AuditRow] {
        let scope = try await auditScope(actor: actor, db: db)
        return try await db.sql().raw(
            """
            SELECT \(auditColumns) FROM audit_events WHERE \(scope) AND \(filter.condition) AND seq > \(bind: seq)
            ORDER BY seq LIMIT \(literal: max(1, min(limit, 5_000)))
            """
        ).all().map(auditRow)
    }
}

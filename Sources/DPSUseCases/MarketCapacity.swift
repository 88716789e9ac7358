import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Market capacity (issue 11): the active memberships of the DPSs a council belongs to, by category and by the local
/// authority each establishment stands in (with that authority's centroid, for the map), and suspensions and
/// concerns by quarter. The lead's staff read their DPSs; a partner's staff the DPSs it is a partner of; providers
/// nothing. Counted in SQL.
package enum MarketCapacity {
    package struct AreaRow: Sendable, Equatable {
        package var code: String
        package var name: String
        /// The mean of the authority's postcode district centroids (where its people live, not an address).
        package var latitude: Double
        package var longitude: Double
        package var memberships: Int
        package var places: Int
    }

    package struct QuarterRow: Sendable, Equatable {
        package var quarter: Quarter
        package var suspensions: Int
        package var concerns: Int
    }

    package struct Report: Sendable, Equatable {
        package var byCategory: [MarketFigures.CountRow]
        /// Every local authority with its centroid; `memberships` 0 where none stands.
        package var areas: [AreaRow]
        /// Members whose establishment has no known local authority.
        package var unplaced: Int
        package var quarters: [QuarterRow]
    }

    package static func report(actor: Actor, filter: MarketFigures.Filter, db: any Database) async throws -> Report {
        guard actor.organisationKind != .provider else {
            throw UseCaseError(.forbidden, "The market figures are the councils'.")
        }
        let ids = try await AccessPolicy.dpsIDs(of: actor, db: db)
        var scope: SQLQueryString = ids.isEmpty ? "1 = 0" : "m.dps_id IN (\(binds: ids))"
        if let category = filter.category { scope = "\(scope) AND m.category_id = \(bind: category)" }
        let sql = try db.sql()
        let byCategory = try await sql.raw(
            """
            SELECT c.name AS category, c.position, COUNT(*) AS n
            FROM memberships m JOIN categories c ON c.id = m.category_id
            WHERE \(scope) AND m.state = 'active'
            GROUP BY c.name, c.position ORDER BY c.position, c.name
            """
        ).all().map {
            MarketFigures.CountRow(
                label: try $0.decode(column: "category", as: String.self),
                count: try $0.decode(column: "n", as: Int.self))
        }
        let members = try await sql.raw(
            """
            SELECT e.la_gss_code AS code, COUNT(*) AS n, CAST(SUM(e.capacity) AS BIGINT) AS places
            FROM memberships m JOIN establishments e ON e.id = m.establishment_id
            WHERE \(scope) AND m.state = 'active'
            GROUP BY e.la_gss_code
            """
        ).all()
        var counts: [String: (Int, Int)] = [:]
        var unplaced = 0
        for row in members {
            let n = try row.decode(column: "n", as: Int.self)
            guard let code = try row.decode(column: "code", as: String?.self) else {
                unplaced += n
                continue
            }
            counts[code] = (n, try row.decode(column: "places", as: Int.self))
        }
        var areas = try await sql.raw(
            """
            SELECT la_gss_code AS code, MIN(la_name) AS name, AVG(latitude) AS lat, AVG(longitude) AS lon
            FROM postcode_centroids WHERE precision = 'district' AND la_gss_code IS NOT NULL
            GROUP BY la_gss_code ORDER BY MIN(la_name)
            """
        ).all().map { row in
            let code = try row.decode(column: "code", as: String.self)
            return AreaRow(
                code: code, name: try row.decode(column: "name", as: String?.self) ?? code,
                latitude: try row.decode(column: "lat", as: Double.self),
                longitude: try row.decode(column: "lon", as: Double.self), memberships: counts[code]?.0 ?? 0,
                places: counts[code]?.1 ?? 0)
        }
        // Members in an authority the postcode directory does not know are counted, not dropped.
        let known = Set(areas.map(\.code))
        unplaced += counts.filter { !known.contains($0.key) }.reduce(0) { $0 + $1.value.0 }
        areas.sort { ($0.name, $0.code) < ($1.name, $1.code) }

        let (from, until) = (filter.from.start.startOfDay(), filter.to.next.start.startOfDay())
        let events: SQLQueryString = ids.isEmpty ? "1 = 0" : "ev.dps_id IN (\(binds: ids))"
        // Counted by day in SQL (at most one row a day), then gathered into quarters.
        let eventDay = MarketSummaries.dayNumber("ev.occurred_at", isDate: false, sql)
        let suspended = try await sql.raw(
            """
            SELECT \(eventDay) AS day, COUNT(*) AS n
            FROM membership_events ev JOIN memberships m ON m.id = ev.membership_id
            WHERE \(events) AND \(scope) AND ev.kind = 'suspended' AND ev.occurred_at >= \(bind: from)
                AND ev.occurred_at < \(bind: until)
            GROUP BY \(eventDay)
            """
        ).all()
        let concernScope: SQLQueryString = ids.isEmpty ? "1 = 0" : "k.dps_id IN (\(binds: ids))"
        let concernDay = MarketSummaries.dayNumber("k.raised_at", isDate: false, sql)
        let concerns = try await sql.raw(
            """
            SELECT \(concernDay) AS day, COUNT(*) AS n FROM concerns k
            WHERE \(concernScope) AND k.raised_at >= \(bind: from) AND k.raised_at < \(bind: until)
            GROUP BY \(concernDay)
            """
        ).all()
        var quarters: [Quarter: QuarterRow] = [:]
        var q = filter.from
        while q <= filter.to {
            quarters[q] = QuarterRow(quarter: q, suspensions: 0, concerns: 0)
            q = q.next
        }
        func quarter(_ row: any SQLRow) throws -> Quarter {
            let day = try row.decode(column: "day", as: Int.self)
            return Quarter(containing: LocalDate.from(Date(timeIntervalSince1970: Double(day) * 86400 + 43200)))
        }
        for row in suspended { quarters[try quarter(row)]?.suspensions += try row.decode(column: "n", as: Int.self) }
        for row in concerns { quarters[try quarter(row)]?.concerns += try row.decode(column: "n", as: Int.self) }
        return Report(
            byCategory: byCategory, areas: areas, unplaced: unplaced,
            quarters: quarters.values.sorted { $0.quarter < $1.quarter })
    }
}

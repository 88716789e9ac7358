import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// Cost sharing and joining (issue 9, DOMAIN §9, BC 12): for each financial year the lead records the central
/// function's annual cost and the one-off procurement cost counted that year, and chooses how the founding partners
/// (the lead and the partners that were not joiners) share them: equally, or by use (placements started that year,
/// or their annual value). A council that joins later pays that year's joining fee, which reduces the founders'
/// shares; joiners pay no share. Shares are whole pence that add up exactly (`CostSharing`).
package enum CostSharingStatements {
    package struct Year: Sendable {
        package var year: Int
        package var procurementPence: Int
        package var centralPence: Int
        package var joiningFeePence: Int
        package var basis: CostSharing.Basis

        package init(
            year: Int, procurementPence: Int, centralPence: Int, joiningFeePence: Int, basis: CostSharing.Basis
        ) {
            self.year = year
            self.procurementPence = procurementPence
            self.centralPence = centralPence
            self.joiningFeePence = joiningFeePence
            self.basis = basis
        }
    }

    package struct Line: Sendable {
        package var organisation: UUID
        package var name: String
        package var founder: Bool
        /// Placements started in the year, or their annual value in pence, as the basis counts.
        package var use: Int
        package var sharePence: Int
    }

    package struct Statement: Sendable {
        package var year: Year
        package var joiningFeesPence: Int
        package var lines: [Line]
    }

    /// The financial year (April to March) a day falls in, named by the year it starts.
    package static func financialYear(of day: LocalDate) -> Int { day.month >= 4 ? day.year : day.year - 1 }

    private static func lead(_ dps: UUID, actor: Actor, db: any Database) async throws -> DPSRecord {
        guard let record = try await DPSRecord.find(dps, on: db) else {
            throw UseCaseError(.notFound, "There is no such DPS.")
        }
        return record
    }

    /// Records (or replaces) a year's costs and basis: the lead's DPS administrator or contract manager.
    package static func setYear(
        dps: UUID, _ year: Year?, unreadable: [FieldError] = [], actor: Actor, db: any Database, now: Date
    ) async throws {
        guard actor.isLeadAuthority, [.dpsAdmin, .contractManager].contains(actor.role) else {
            throw UseCaseError(.forbidden, "The lead authority records the central costs.")
        }
        let record = try await lead(dps, actor: actor, db: db)
        guard record.$lead.id == actor.organisationID else { throw UseCaseError(.notFound, "There is no such DPS.") }
        var errors = unreadable
        if let year {
            if !(2000...2100).contains(year.year) {
                errors.append(FieldError(field: "year", message: "Enter the year the financial year starts, like 2026"))
            }
            for (field, value) in [
                ("procurement", year.procurementPence), ("central", year.centralPence),
                ("joiningFee", year.joiningFeePence),
            ] where !(0...Money.maximumLinePence).contains(value) {
                errors.append(FieldError(field: field, message: "Enter an amount from £0 to £99,999,999.99"))
            }
        }
        guard errors.isEmpty, let year else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            try await db.sql().delete(from: CostYears.schema)
                .where(SQLIdentifier("dps_id"), .equal, SQLBind(dps))
                .where(SQLIdentifier("year"), .equal, SQLBind(year.year)).run()
            try await db.sql().insert(into: CostYears.schema)
                .columns("id", "dps_id", "year", "procurement_pence", "central_pence", "joining_fee_pence", "basis")
                .values(
                    SQLBind(UUID()), SQLBind(dps), SQLBind(year.year), SQLBind(year.procurementPence),
                    SQLBind(year.centralPence), SQLBind(year.joiningFeePence), SQLBind(year.basis.rawValue)
                ).run()
            try await Audit.record(
                on: db, actor: actor, dps: dps, action: "cost_year.saved", entityType: "dps", entityID: dps,
                before: String?.none,
                after: [
                    "year": String(year.year), "procurement": String(year.procurementPence),
                    "central": String(year.centralPence), "joiningFee": String(year.joiningFeePence),
                    "basis": year.basis.rawValue,
                ], at: now)
        }
    }

    /// Sets the fee on awarded contracts charged to suppliers (nil: none): only in a Procurement Act 2023 market.
    package static func setSupplierFee(
        dps: UUID, basisPoints: Int?, unreadable: Bool = false, actor: Actor, db: any Database, now: Date
    ) async throws {
        guard actor.isLeadAuthority else { throw UseCaseError(.forbidden, "The lead authority sets the fee.") }
        try actor.require(.dpsAdmin)
        let record = try await lead(dps, actor: actor, db: db)
        guard record.$lead.id == actor.organisationID else { throw UseCaseError(.notFound, "There is no such DPS.") }
        if unreadable || !(basisPoints.map { (1...1_000).contains($0) } ?? true) {
            throw UseCaseError(field: "supplierFee", "Enter a percentage from 0.01% to 10%, or leave it empty for none")
        }
        if basisPoints != nil && Regime(rawValue: record.regime) != .pa2023 {
            throw UseCaseError(
                field: "supplierFee", "Under the Public Contracts Regulations 2015 no fee may be charged to suppliers")
        }
        try await db.writeTransaction { db in
            let before = record.supplierFeeBasisPoints
            record.supplierFeeBasisPoints = basisPoints
            try await record.update(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: dps, action: "dps.supplier_fee.set", entityType: "dps", entityID: dps,
                before: ["basisPoints": before.map(String.init) ?? ""],
                after: ["basisPoints": basisPoints.map(String.init) ?? ""], at: now)
        }
    }

    /// The DPSs whose statements the actor reads: those its authority leads or is a partner of.
    package static func dpss(actor: Actor, db: any Database) async throws -> [DPSRecord] {
        let ids = try await AccessPolicy.dpsIDs(of: actor, db: db)
        guard !ids.isEmpty else { return [] }
        return try await DPSRecord.query(on: db).filter(\.$id ~~ ids).sort(\.$title).all()
    }

    /// The years recorded for the DPS, newest first.
    package static func years(dps: UUID, db: any Database) async throws -> [Year] {
        try await db.sql().raw(
            """
            SELECT year, procurement_pence, central_pence, joining_fee_pence, basis FROM cost_years
            WHERE dps_id = \(bind: dps) ORDER BY year DESC
            """
        ).all().map { row in
            guard let basis = CostSharing.Basis(rawValue: try row.decode(column: "basis", as: String.self)) else {
                throw UseCaseError(.internalFailure, "A stored cost-sharing basis cannot be read.")
            }
            return Year(
                year: try row.decode(column: "year", as: Int.self),
                procurementPence: try row.decode(column: "procurement_pence", as: Int.self),
                centralPence: try row.decode(column: "central_pence", as: Int.self),
                joiningFeePence: try row.decode(column: "joining_fee_pence", as: Int.self), basis: basis)
        }
    }

    /// A year's statement for the DPS. The lead's staff read every line; a partner reads its own line only (a
    /// joiner, its joining fee); anyone else is told there is no such statement.
    package static func statement(dps: UUID, year: Int, actor: Actor, db: any Database) async throws -> Statement? {
        let record = try await lead(dps, actor: actor, db: db)
        let isLead =
            actor.isLeadAuthority && actor.organisationID == record.$lead.id
            && [.dpsAdmin, .contractManager, .auditor].contains(actor.role)
        let partners = try await PartnerRecord.query(on: db).filter(\.$dps.$id == dps).all()
        let isPartner = partners.contains { $0.$organisation.id == actor.organisationID }
        guard isLead || isPartner else { throw UseCaseError(.notFound, "There is no such statement.") }
        guard let costs = try await years(dps: dps, db: db).first(where: { $0.year == year }) else { return nil }
        let start = LocalDate(year: year, month: 4, day: 1)
        let end = LocalDate(year: year + 1, month: 3, day: 31)
        let founders = [record.$lead.id] + partners.filter { !$0.isJoiner }.map(\.$organisation.id)
        let joiners = partners.filter { $0.isJoiner }
        let joinedThisYear = joiners.filter { LocalDate(iso: $0.joinedOn).map { $0 >= start && $0 <= end } ?? false }
        let (fees, overflow) = costs.joiningFeePence.multipliedReportingOverflow(by: joinedThisYear.count)
        guard !overflow else { throw UseCaseError(.internalFailure, "The joining fees are too large to add up.") }
        // Use: placements that started in the year, by placing authority, and their value a year (52 weeks).
        let use = try await db.sql().raw(
            """
            SELECT authority_id, COUNT(*) AS n, SUM(weekly_fee_pence) AS weekly FROM placements
            WHERE dps_id = \(bind: dps) AND start_date >= \(bind: start.iso) AND start_date <= \(bind: end.iso)
            GROUP BY authority_id
            """
        ).all().reduce(into: [UUID: (count: Int, weekly: Int)]()) { result, row in
            result[try row.decode(column: "authority_id", as: UUID.self)] = (
                try row.decode(column: "n", as: Int.self), try row.decode(column: "weekly", as: Int?.self) ?? 0
            )
        }
        var weights: [Int] = []
        for org in founders {
            switch costs.basis {
            case .equal: weights.append(1)
            case .placements: weights.append(use[org]?.count ?? 0)
            case .spend:
                let (value, overflow) = (use[org]?.weekly ?? 0).multipliedReportingOverflow(by: 52)
                guard !overflow else { throw UseCaseError(.internalFailure, "The placements' value is too large.") }
                weights.append(value)
            }
        }
        guard
            let shares = CostSharing.foundersShares(
                procurementPence: costs.procurementPence, centralPence: costs.centralPence, joiningFeesPence: fees,
                weights: weights)
        else {
            throw UseCaseError(
                field: "joiningFee", "The joining fees received exceed the year's costs; lower the joining fee")
        }
        let names = Dictionary(
            try await Organisation.query(on: db).filter(\.$id ~~ (founders + joiners.map(\.$organisation.id))).all()
                .map { ($0.id!, $0.name) }, uniquingKeysWith: { first, _ in first })
        var lines = zip(founders, zip(weights, shares)).map { org, pair in
            Line(organisation: org, name: names[org] ?? "", founder: true, use: pair.0, sharePence: pair.1)
        }
        lines += joinedThisYear.map {
            Line(
                organisation: $0.$organisation.id, name: names[$0.$organisation.id] ?? "", founder: false, use: 0,
                sharePence: costs.joiningFeePence)
        }
        if !isLead { lines = lines.filter { $0.organisation == actor.organisationID } }
        return Statement(year: costs, joiningFeesPence: fees, lines: lines)
    }
}

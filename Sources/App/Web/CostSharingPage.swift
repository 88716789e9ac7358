import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation
import Vapor

/// Cost sharing: each DPS's statement for a financial year (the lead reads every partner's line, a partner its
/// own), the lead's form to record a year's costs and basis, and, in a Procurement Act 2023 market, the supplier fee.
struct CostSharingPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.costSharing, use: show)
        routes.post(.costSharing, use: saveYear)
        routes.post(.supplierFee, use: supplierFee)
    }

    func show(req: Request) async throws -> Response {
        HTMLResponse.make(try await view(req, errors: [], values: [:]))
    }

    private func view(_ req: Request, errors: [FieldError], values: [String: String]) async throws -> Markup {
        let actor = try req.requireActor()
        let dpss = try await CostSharingStatements.dpss(actor: actor, db: req.db)
        let current = CostSharingStatements.financialYear(of: LocalDate.from(req.now))
        let asked = req.query[String.self, at: "year"].flatMap { Int($0) }.flatMap {
            (2000...2100).contains($0) ? $0 : nil
        }
        let year = asked ?? current
        var statements: [(DPSRecord, CostSharingStatements.Statement?, [CostSharingStatements.Year])] = []
        for dps in dpss {
            let id = try dps.requireID()
            statements.append(
                (
                    dps, try await CostSharingStatements.statement(dps: id, year: year, actor: actor, db: req.db),
                    try await CostSharingStatements.years(dps: id, db: req.db)
                ))
        }
        let recorder = actor.isLeadAuthority && [.dpsAdmin, .contractManager].contains(actor.role)
        return Layout.page(title: "Cost sharing", context: PageContext(request: req)) {
            UI.errorSummary(errors)
            UI.h1("Cost sharing", caption: "Financial year \(year) to \(year + 1)")
            UI.p(
                "The founding partners share the central contract-management function's annual cost and the one-off "
                    + "procurement cost, equally or by use. A council joining later pays a joining fee, which lowers "
                    + "the founders' shares. Shares are in whole pence and add up to the costs exactly.")
            for (dps, statement, years) in statements {
                UI.h2(dps.title)
                if let statement {
                    UI.summaryList([
                        ("Procurement cost counted this year", text(formatPence(statement.year.procurementPence))),
                        ("Central function's annual cost", text(formatPence(statement.year.centralPence))),
                        ("Joining fees received", text(formatPence(statement.joiningFeesPence))),
                        ("Shared", text(label(statement.year.basis))),
                    ])
                    UI.table(
                        caption: "Statement", headers: ["Council", "Role", "Use this year", "To pay"],
                        rows: statement.lines.map { line in
                            [
                                text(line.name), text(line.founder ? "Founding partner" : "Joined this year"),
                                text(
                                    !line.founder
                                        ? "" : statement.year.basis == .spend ? formatPence(line.use) : String(line.use)
                                ),
                                text(formatPence(line.sharePence)),
                            ]
                        })
                } else {
                    UI.p("No costs are recorded for this year yet.")
                }
                if !years.isEmpty {
                    el("p") {
                        "Other years: "
                        for y in years where y.year != year {
                            UI.link(
                                "\(y.year) to \(y.year + 1) ",
                                href: SiteURL.costSharing.path(query: [("year", String(y.year))]))
                        }
                    }
                }
                if let fee = dps.supplierFeeBasisPoints {
                    UI.p("Supplier fee on awarded contracts: \(Money.percent(fee)) of the contract value.")
                } else if Regime(rawValue: dps.regime) == .pcr2015 {
                    UI.p("No fee is charged to suppliers (Public Contracts Regulations 2015).")
                }
                if recorder {
                    UI.details("Record the costs of a year", errors: errors) {
                        UI.form(action: .costSharing, csrf: req.csrfToken) {
                            void("input", [.type("hidden"), .name("dps"), .value(dps.id!.uuidString)])
                            UI.textInput(
                                "year", label: "Financial year starting in", value: values["year"] ?? String(year),
                                errors: errors, width: "4")
                            UI.textInput(
                                "procurement", label: "Procurement cost counted this year, pounds",
                                value: values["procurement"], errors: errors, width: "10")
                            UI.textInput(
                                "central", label: "Central function's annual cost, pounds", value: values["central"],
                                errors: errors, width: "10")
                            UI.textInput(
                                "joiningFee", label: "Joining fee for a council joining this year, pounds",
                                value: values["joiningFee"], errors: errors, width: "10")
                            UI.radios(
                                "basis", legend: "Shared among the founding partners",
                                options: CostSharing.Basis.allCases.map { .init(value: $0.rawValue, label: label($0)) },
                                selected: values["basis"] ?? "equal", errors: errors)
                            UI.button("Save the year", kind: "secondary")
                        }
                    }
                }
                if actor.isLeadAuthority && actor.role == .dpsAdmin && Regime(rawValue: dps.regime) == .pa2023 {
                    UI.details("Supplier fee (Procurement Act 2023)", errors: errors) {
                        UI.form(action: .supplierFee, csrf: req.csrfToken) {
                            void("input", [.type("hidden"), .name("dps"), .value(dps.id!.uuidString)])
                            UI.textInput(
                                "supplierFee", label: "Fee on awarded contracts, per cent of the contract value",
                                value: values["supplierFee"] ?? dps.supplierFeeBasisPoints.map(Money.percent),
                                hint: "Leave empty for none.", errors: errors, width: "5")
                            UI.button("Save the fee", kind: "secondary")
                        }
                    }
                }
            }
        }
    }

    private func label(_ basis: CostSharing.Basis) -> String {
        switch basis {
        case .equal: "Equally"
        case .placements: "By placements started in the year"
        case .spend: "By the yearly value of placements started in the year"
        }
    }

    struct YearForm: Content {
        var dps: String?
        var year: String?
        var procurement: String?
        var central: String?
        var joiningFee: String?
        var basis: String?
    }

    func saveYear(req: Request) async throws -> Response {
        let form = try req.content.decode(YearForm.self)
        return try await Forms.handle(
            req, success: "Costs saved.",
            redirect: { SiteURL.costSharing },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            var unreadable: [FieldError] = []
            func pounds(_ raw: String?, _ field: String) -> Int {
                guard let pence = Money.parsePounds(raw ?? "") else {
                    unreadable.append(
                        FieldError(field: field, message: "Enter an amount in pounds, for example 87,000"))
                    return 0
                }
                return pence
            }
            let year = CostSharingStatements.Year(
                year: Int((form.year ?? "").trimmed) ?? 0, procurementPence: pounds(form.procurement, "procurement"),
                centralPence: pounds(form.central, "central"), joiningFeePence: pounds(form.joiningFee, "joiningFee"),
                basis: CostSharing.Basis(rawValue: form.basis ?? "") ?? .equal)
            guard let dps = form.dps.flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            try await CostSharingStatements.setYear(
                dps: dps, year, unreadable: unreadable, actor: try req.requireActor(), db: req.db, now: req.now)
        }
    }

    struct FeeForm: Content {
        var dps: String?
        var supplierFee: String?
    }

    func supplierFee(req: Request) async throws -> Response {
        let form = try req.content.decode(FeeForm.self)
        return try await Forms.handle(
            req, success: "Supplier fee saved.", redirect: { SiteURL.costSharing },
            render: { errors, values in try await view(req, errors: errors, values: values) }
        ) {
            guard let dps = form.dps.flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let raw = (form.supplierFee ?? "").trimmed
            let bp = raw.isEmpty ? nil : Money.parsePercentBasisPoints(raw)
            try await CostSharingStatements.setSupplierFee(
                dps: dps, basisPoints: bp, unreadable: !raw.isEmpty && bp == nil, actor: try req.requireActor(),
                db: req.db, now: req.now)
        }
    }
}

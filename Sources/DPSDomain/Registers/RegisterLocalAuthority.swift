import Foundation

/// One of England's 153 children's services authorities (the councils that buy
/// placements), with its centre and DfE looked-after-children volumes.
///
/// Councils are the DPS's buyers. Their GSS and DfE codes join every other register; the
/// centroid anchors "distance from home" checks; and the child population, children looked
/// after and new placements per year size demand for demos and capacity planning.
/// DfE suppression markers (`c`, `z`, `x`, `k`, `[x]`, `[note 4]`) become `nil`, never 0.
public struct RegisterLocalAuthority: Sendable, Equatable, Hashable, Identifiable {
    /// GSS code of the upper-tier authority, e.g. `"E10000032"`.
    public var gssCode: String
    /// DfE three-digit LA code, e.g. `"938"`.
    public var dfeCode: String
    /// DfE spelling of the name, e.g. `"West Sussex"`.
    public var name: String
    /// e.g. County council, Unitary authority, London borough.
    public var type: String?
    public var regionCode: String?
    public var regionName: String?
    /// Postcode-weighted centroid (a proxy for where people live).
    public var latitude: Double?
    public var longitude: Double?
    /// Children aged 0–17 (DfE, year ending 31 March 2025).
    public var population0to17: Int?
    /// Children looked after on 31 March 2025.
    public var claAt31March: Int?
    /// New placements started during the year.
    public var newPlacementsInYear: Int?

    public var id: String { gssCode }

    public init(
        gssCode: String, dfeCode: String, name: String, type: String? = nil,
        regionCode: String? = nil, regionName: String? = nil, latitude: Double? = nil,
        longitude: Double? = nil, population0to17: Int? = nil, claAt31March: Int? = nil,
        newPlacementsInYear: Int? = nil
    ) {
        self.gssCode = gssCode
        self.dfeCode = dfeCode
        self.name = name
        self.type = type
        self.regionCode = regionCode
        self.regionName = regionName
        self.latitude = latitude
        self.longitude = longitude
        self.population0to17 = population0to17
        self.claAt31March = claAt31March
        self.newPlacementsInYear = newPlacementsInYear
    }

    /// Reads `england_childrens_services_authorities.csv`; rows without a GSS code are skipped.
    public static func parseAll(_ table: CSVTable) -> [RegisterLocalAuthority] {
        let r = CSVColumnReader(table: table)
        let gss = r.index("utla_gss_code")
        let dfe = r.index("dfe_la_code")
        let name = r.index("la_name")
        let type = r.index("la_type")
        let regionCode = r.index("region_code")
        let regionName = r.index("region_name")
        let lat = r.index("latitude")
        let lon = r.index("longitude")
        let population = r.index("population_0_17")
        let cla = r.index("cla_at_31_march")
        let placements = r.index("new_placements_in_year")
        return table.rows.compactMap { row in
            guard let code = r.text(row, gss) else { return nil }
            return RegisterLocalAuthority(
                gssCode: code,
                dfeCode: r.text(row, dfe) ?? "",
                name: r.text(row, name) ?? "",
                type: r.text(row, type),
                regionCode: r.text(row, regionCode),
                regionName: r.text(row, regionName),
                latitude: RegisterValue.decimal(r.raw(row, lat)),
                longitude: RegisterValue.decimal(r.raw(row, lon)),
                population0to17: RegisterValue.integer(r.raw(row, population)),
                claAt31March: RegisterValue.integer(r.raw(row, cla)),
                newPlacementsInYear: RegisterValue.integer(r.raw(row, placements))
            )
        }
    }
}

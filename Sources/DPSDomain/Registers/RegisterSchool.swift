import Foundation

/// One open special or independent school from DfE's *Get Information about Schools*
/// (GIAS) register.
///
/// Councils buy education placements (independent special schools, non-maintained special
/// schools, post-16 institutions) through the DPS. Reading the official register lets a
/// provider's establishment form be filled from its URN rather than retyped, and lets the
/// council check that what a provider claims (type, ages, capacity, SEN provision,
/// inspectorate) matches the public record.
public struct RegisterSchool: Sendable, Equatable, Hashable, Identifiable {
    /// Unique Reference Number, GIAS's permanent identifier for the establishment.
    public var urn: String
    public var name: String
    /// GIAS `TypeOfEstablishment (code)`, e.g. `"10"` for other independent special school.
    public var typeCode: String
    public var typeName: String
    /// The DPS category derived during data preparation (`derived_dps_category`), e.g.
    /// `independent_special`, `state_special`, `other_independent`.
    public var derivedCategory: String
    /// `EstablishmentStatus (name)`: Open, Open but proposed to close, Proposed to open.
    public var status: String
    /// DfE three-digit local authority code of the maintaining/home LA.
    public var laCode: String
    public var laName: String
    /// GSS code of the children's services authority (`derived_la_gss_code`).
    public var laGSSCode: String?
    public var phase: String?
    /// Date the school opened, ISO `YYYY-MM-DD`.
    public var openDate: String?
    public var lowAge: Int?
    public var highAge: Int?
    /// As published: `"Mixed"`, `"Boys"`, `"Girls"` (occasionally `"Not applicable"`);
    /// `nil` when blank.
    public var gender: String?
    /// `Boarders (name)` as published, e.g. `"No boarders"`, `"Boarding school"`.
    public var boarding: String?
    public var capacity: Int?
    public var pupils: Int?
    /// Types of SEN provided (non-empty `SEN1 (name)` ... `SEN13 (name)`), in column order.
    public var senProvision: [String]
    public var street: String?
    public var locality: String?
    public var address3: String?
    public var town: String?
    public var county: String?
    public var postcode: String?
    public var postcodeDistrict: String?
    public var postcodeSector: String?
    public var website: String?
    /// `InspectorateName (name)`: `"Ofsted"`, `"ISI"`, `"Not applicable"`, or `nil` when
    /// blank (GIAS leaves it blank for most state-funded special schools).
    public var inspectorateName: String?
    /// `PropsName`: the independent school's proprietor.
    public var proprietor: String?
    /// Academy trust(s), for state-funded special academies.
    public var trusts: String?
    /// `GOR (name)`, the English region.
    public var region: String?
    public var latitude: Double?
    public var longitude: Double?

    public var id: String { urn }

    public init(
        urn: String, name: String, typeCode: String, typeName: String, derivedCategory: String,
        status: String, laCode: String, laName: String, laGSSCode: String? = nil,
        phase: String? = nil, openDate: String? = nil, lowAge: Int? = nil, highAge: Int? = nil,
        gender: String? = nil, boarding: String? = nil, capacity: Int? = nil, pupils: Int? = nil,
        senProvision: [String] = [], street: String? = nil, locality: String? = nil,
        address3: String? = nil, town: String? = nil, county: String? = nil,
        postcode: String? = nil, postcodeDistrict: String? = nil, postcodeSector: String? = nil,
        website: String? = nil, inspectorateName: String? = nil, proprietor: String? = nil,
        trusts: String? = nil, region: String? = nil, latitude: Double? = nil,
        longitude: Double? = nil
    ) {
        self.urn = urn
        self.name = name
        self.typeCode = typeCode
        self.typeName = typeName
        self.derivedCategory = derivedCategory
        self.status = status
        self.laCode = laCode
        self.laName = laName
        self.laGSSCode = laGSSCode
        self.phase = phase
        self.openDate = openDate
        self.lowAge = lowAge
        self.highAge = highAge
        self.gender = gender
        self.boarding = boarding
        self.capacity = capacity
        self.pupils = pupils
        self.senProvision = senProvision
        self.street = street
        self.locality = locality
        self.address3 = address3
        self.town = town
        self.county = county
        self.postcode = postcode
        self.postcodeDistrict = postcodeDistrict
        self.postcodeSector = postcodeSector
        self.website = website
        self.inspectorateName = inspectorateName
        self.proprietor = proprietor
        self.trusts = trusts
        self.region = region
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Address lines in postal order, blanks removed (street, locality, address 3).
    public var addressLines: [String] {
        [street, locality, address3].compactMap { $0 }
    }

    /// Builds a school from every GIAS row that has a URN, in file order.
    ///
    /// Rows without a URN cannot be referenced by a placement, so they are skipped rather
    /// than failing the import. Columns missing from the table simply yield `nil` fields.
    public static func parseAll(_ table: CSVTable) -> [RegisterSchool] {
        let r = CSVColumnReader(table: table)
        let urn = r.index("URN")
        let name = r.index("EstablishmentName")
        let typeCode = r.index("TypeOfEstablishment (code)")
        let typeName = r.index("TypeOfEstablishment (name)")
        let category = r.index("derived_dps_category")
        let status = r.index("EstablishmentStatus (name)")
        let laCode = r.index("LA (code)")
        let laName = r.index("LA (name)")
        let gss = r.index("derived_la_gss_code")
        let phase = r.index("PhaseOfEducation (name)")
        let open = r.index("OpenDate")
        let low = r.index("StatutoryLowAge")
        let high = r.index("StatutoryHighAge")
        let gender = r.index("Gender (name)")
        let boarding = r.index("Boarders (name)")
        let capacity = r.index("SchoolCapacity")
        let pupils = r.index("NumberOfPupils")
        let sen = (1...13).map { r.index("SEN\($0) (name)") }
        let street = r.index("Street")
        let locality = r.index("Locality")
        let address3 = r.index("Address3")
        let town = r.index("Town")
        let county = r.index("County (name)")
        let postcode = r.index("Postcode")
        let district = r.index("derived_postcode_district")
        let sector = r.index("derived_postcode_sector")
        let website = r.index("SchoolWebsite")
        let inspectorate = r.index("InspectorateName (name)")
        let props = r.index("PropsName")
        let trusts = r.index("Trusts (name)")
        let region = r.index("GOR (name)")
        let lat = r.index("derived_latitude")
        let lon = r.index("derived_longitude")

        var schools: [RegisterSchool] = []
        schools.reserveCapacity(table.rows.count)
        for row in table.rows {
            guard let urnValue = r.text(row, urn) else { continue }
            let rawPostcode = r.text(row, postcode)
            schools.append(
                RegisterSchool(
                    urn: urnValue,
                    name: r.text(row, name) ?? "",
                    typeCode: r.text(row, typeCode) ?? "",
                    typeName: r.text(row, typeName) ?? "",
                    derivedCategory: r.text(row, category) ?? "",
                    status: r.text(row, status) ?? "",
                    laCode: r.text(row, laCode) ?? "",
                    laName: r.text(row, laName) ?? "",
                    laGSSCode: r.text(row, gss),
                    phase: r.text(row, phase),
                    openDate: RegisterValue.isoDate(r.raw(row, open)),
                    lowAge: RegisterValue.integer(r.raw(row, low)),
                    highAge: RegisterValue.integer(r.raw(row, high)),
                    gender: r.text(row, gender),
                    boarding: r.text(row, boarding),
                    capacity: RegisterValue.integer(r.raw(row, capacity)),
                    pupils: RegisterValue.integer(r.raw(row, pupils)),
                    senProvision: sen.compactMap { r.text(row, $0) },
                    street: r.text(row, street),
                    locality: r.text(row, locality),
                    address3: r.text(row, address3),
                    town: r.text(row, town),
                    county: r.text(row, county),
                    postcode: rawPostcode.map { PostcodeDirectory.normalise($0) ?? $0 },
                    postcodeDistrict: r.text(row, district) ?? rawPostcode.flatMap(PostcodeDirectory.district(of:)),
                    postcodeSector: r.text(row, sector) ?? rawPostcode.flatMap(PostcodeDirectory.sector(of:)),
                    website: r.text(row, website),
                    inspectorateName: r.text(row, inspectorate),
                    proprietor: r.text(row, props),
                    trusts: r.text(row, trusts),
                    region: r.text(row, region),
                    latitude: RegisterValue.decimal(r.raw(row, lat)),
                    longitude: RegisterValue.decimal(r.raw(row, lon))
                ))
        }
        return schools
    }
}

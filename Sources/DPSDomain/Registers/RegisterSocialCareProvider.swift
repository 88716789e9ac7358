import Foundation

/// One provider on Ofsted's register of children's social care providers (as at
/// 31 March 2025): children's homes, fostering agencies, residential special schools,
/// supported accommodation and so on.
///
/// These are the suppliers a council buys care placements from. The register gives each
/// provider's registration, size (places), owner and latest inspection judgements, which
/// the DPS uses to pre-fill applications and to check that a provider is registered and
/// not judged inadequate. For safeguarding, Ofsted publishes the name and address of
/// children's homes, secure homes and supported accommodation as `REDACTED`; such rows
/// keep `name == "REDACTED"`, have `isRedacted == true`, and have no postcode or address.
public struct RegisterSocialCareProvider: Sendable, Equatable, Hashable, Identifiable {
    /// Ofsted URN, e.g. `"SC490122"` or `"2775403"`.
    public var urn: String
    /// GIAS URN of the school this residential provision belongs to, when there is one.
    public var linkedEducationURN: String?
    /// As published, including its inconsistent capitalisation (e.g. both
    /// `"Children's home"` and `"Children's Home"` occur).
    public var provisionType: String
    /// ISO `YYYY-MM-DD`.
    public var registrationDate: String?
    public var registrationStatus: String
    /// As published; `"REDACTED"` when withheld (see ``isRedacted``).
    public var name: String
    /// Address fields are `nil` when blank or withheld.
    public var address1: String?
    public var address2: String?
    public var town: String?
    public var county: String?
    /// Normalised postcode; `nil` when blank or `REDACTED`.
    public var postcode: String?
    /// Whether Ofsted withheld the provider's name or address for safeguarding.
    public var isRedacted: Bool
    /// `Government Office Region`, the English region (same naming as GIAS `GOR`).
    public var region: String?
    /// `Ofsted Region`, Ofsted's own regional grouping.
    public var ofstedRegion: String?
    /// Local authority name as Ofsted spells it.
    public var localAuthority: String
    /// GSS code of the children's services authority (`derived_la_gss_code`).
    public var laGSSCode: String?
    /// DfE three-digit LA code (`derived_dfe_la_code`).
    public var dfeLACode: String?
    /// Private, Local Authority, Voluntary or Health Authority.
    public var sector: String?
    /// Registered places; `nil` for agencies (fostering, adoption), which have none.
    public var places: Int?
    /// `Organisation which owns the provider`.
    public var owner: String?
    public var latestInspectionType: String?
    /// ISO `YYYY-MM-DD`.
    public var latestInspectionDate: String?
    /// "Overall experiences and progress of children and young people" — the overall
    /// effectiveness judgement (Outstanding / Good / Requires improvement to be good /
    /// Inadequate); `nil` when not yet inspected.
    public var overallJudgement: String?
    /// "How well children and young people are helped and protected".
    public var helpAndProtection: String?
    /// "The effectiveness of leaders and managers".
    public var leadersAndManagers: String?
    /// `derived_provider_category`: childrens_home, secure_childrens_home,
    /// residential_special_school, independent_fostering_agency, supported_accommodation
    /// or other.
    public var category: String
    public var postcodeDistrict: String?
    public var latitude: Double?
    public var longitude: Double?
    /// How the coordinates were found: `"postcode"` (the provider's own postcode) or
    /// `"local_authority_centroid"` (withheld address: the LA's centre, NOT the home).
    public var geoPrecision: String?

    public var id: String { urn }

    public init(
        urn: String, linkedEducationURN: String? = nil, provisionType: String,
        registrationDate: String? = nil, registrationStatus: String, name: String,
        address1: String? = nil, address2: String? = nil, town: String? = nil,
        county: String? = nil, postcode: String? = nil, isRedacted: Bool = false,
        region: String? = nil, ofstedRegion: String? = nil, localAuthority: String,
        laGSSCode: String? = nil, dfeLACode: String? = nil, sector: String? = nil,
        places: Int? = nil, owner: String? = nil, latestInspectionType: String? = nil,
        latestInspectionDate: String? = nil, overallJudgement: String? = nil,
        helpAndProtection: String? = nil, leadersAndManagers: String? = nil,
        category: String, postcodeDistrict: String? = nil, latitude: Double? = nil,
        longitude: Double? = nil, geoPrecision: String? = nil
    ) {
        self.urn = urn
        self.linkedEducationURN = linkedEducationURN
        self.provisionType = provisionType
        self.registrationDate = registrationDate
        self.registrationStatus = registrationStatus
        self.name = name
        self.address1 = address1
        self.address2 = address2
        self.town = town
        self.county = county
        self.postcode = postcode
        self.isRedacted = isRedacted
        self.region = region
        self.ofstedRegion = ofstedRegion
        self.localAuthority = localAuthority
        self.laGSSCode = laGSSCode
        self.dfeLACode = dfeLACode
        self.sector = sector
        self.places = places
        self.owner = owner
        self.latestInspectionType = latestInspectionType
        self.latestInspectionDate = latestInspectionDate
        self.overallJudgement = overallJudgement
        self.helpAndProtection = helpAndProtection
        self.leadersAndManagers = leadersAndManagers
        self.category = category
        self.postcodeDistrict = postcodeDistrict
        self.latitude = latitude
        self.longitude = longitude
        self.geoPrecision = geoPrecision
    }

    /// Whether the coordinates are the provider's own postcode (rather than an LA centre).
    public var hasExactLocation: Bool {
        geoPrecision == "postcode" && latitude != nil && longitude != nil
    }

    /// Address lines in postal order, blanks and withheld values removed.
    public var addressLines: [String] {
        [address1, address2].compactMap { $0 }
    }

    /// Builds a provider from every row that has a URN, in file order.
    public static func parseAll(_ table: CSVTable) -> [RegisterSocialCareProvider] {
        let r = CSVColumnReader(table: table)
        let urn = r.index("URN")
        let linked = r.index("Linked Education URN")
        let type = r.index("Provision type")
        let regDate = r.index("Registration date")
        let regStatus = r.index("Registration status")
        let name = r.index("Name")
        let a1 = r.index("Address 1")
        let a2 = r.index("Address 2")
        let town = r.index("Town")
        let county = r.index("County")
        let postcode = r.index("Postcode")
        let gor = r.index("Government Office Region")
        let ofstedRegion = r.index("Ofsted Region")
        let la = r.index("Local authority")
        let gss = r.index("derived_la_gss_code")
        let dfe = r.index("derived_dfe_la_code")
        let sector = r.index("Sector")
        let places = r.index("Places")
        let owner = r.index("Organisation which owns the provider")
        let inspType = r.index("Latest Full inspection event type") ?? r.index("Latest full inspection event type")
        let inspDate = r.index("Latest full inspection date")
        let overall = r.index("Overall experiences and progress of children and young people")
        let protect = r.index("How well children and young people are helped and protected")
        let leaders = r.index("The effectiveness of leaders and managers")
        let category = r.index("derived_provider_category")
        let district = r.index("derived_postcode_district")
        let lat = r.index("derived_latitude")
        let lon = r.index("derived_longitude")
        let precision = r.index("derived_geo_precision")

        func isRedactedValue(_ value: String?) -> Bool {
            value?.uppercased() == RegisterValue.redacted
        }

        var providers: [RegisterSocialCareProvider] = []
        providers.reserveCapacity(table.rows.count)
        for row in table.rows {
            guard let urnValue = r.text(row, urn) else { continue }
            let nameValue = r.text(row, name) ?? ""
            let rawPostcode = r.text(row, postcode)
            let redacted =
                isRedactedValue(nameValue) || isRedactedValue(rawPostcode)
                || isRedactedValue(r.text(row, a1))
            let cleanPostcode = RegisterValue.unredacted(rawPostcode).map { PostcodeDirectory.normalise($0) ?? $0 }
            providers.append(
                RegisterSocialCareProvider(
                    urn: urnValue,
                    linkedEducationURN: r.text(row, linked),
                    provisionType: r.text(row, type) ?? "",
                    registrationDate: RegisterValue.isoDate(r.raw(row, regDate)),
                    registrationStatus: r.text(row, regStatus) ?? "",
                    name: nameValue,
                    address1: RegisterValue.unredacted(r.raw(row, a1)),
                    address2: RegisterValue.unredacted(r.raw(row, a2)),
                    town: RegisterValue.unredacted(r.raw(row, town)),
                    county: RegisterValue.unredacted(r.raw(row, county)),
                    postcode: cleanPostcode,
                    isRedacted: redacted,
                    region: r.text(row, gor),
                    ofstedRegion: r.text(row, ofstedRegion),
                    localAuthority: r.text(row, la) ?? "",
                    laGSSCode: r.text(row, gss),
                    dfeLACode: r.text(row, dfe),
                    sector: r.text(row, sector),
                    places: RegisterValue.integer(r.raw(row, places)),
                    owner: r.text(row, owner),
                    latestInspectionType: r.text(row, inspType),
                    latestInspectionDate: RegisterValue.isoDate(r.raw(row, inspDate)),
                    overallJudgement: r.text(row, overall),
                    helpAndProtection: r.text(row, protect),
                    leadersAndManagers: r.text(row, leaders),
                    category: r.text(row, category) ?? "",
                    postcodeDistrict: r.text(row, district) ?? cleanPostcode.flatMap(PostcodeDirectory.district(of:)),
                    latitude: RegisterValue.decimal(r.raw(row, lat)),
                    longitude: RegisterValue.decimal(r.raw(row, lon)),
                    geoPrecision: r.text(row, precision)
                ))
        }
        return providers
    }
}

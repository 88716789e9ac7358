import Foundation

/// What an establishment form needs to know about a URN, whichever register it came from.
///
/// Providers applying to the DPS list their establishments by URN. GIAS (schools) and
/// Ofsted (social care) describe them with different columns; this flattens both into the
/// fields a form pre-fills, with withheld details left empty rather than shown as
/// `REDACTED`, and with a flag when the location is only approximate.
public struct RegisterEntry: Sendable, Equatable, Hashable, Identifiable, Codable {
    /// Which public register the entry came from.
    public enum Source: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
        /// DfE Get Information about Schools.
        case gias
        /// Ofsted register of children's social care providers.
        case ofsted
    }

    public var urn: String
    public var source: Source
    /// `nil` when Ofsted withholds the name (children's homes, supported accommodation).
    public var name: String?
    /// GIAS establishment type name, or Ofsted provision type as published.
    public var type: String
    /// The derived DPS category (`derived_dps_category` / `derived_provider_category`).
    public var category: String
    public var addressLines: [String]
    public var town: String?
    public var county: String?
    /// `nil` when withheld or blank.
    public var postcode: String?
    public var ageLow: Int?
    public var ageHigh: Int?
    /// Gender intake as GIAS publishes it (`"Mixed"`, `"Boys"`, `"Girls"`); `nil` when the
    /// register does not say (Ofsted does not publish it).
    public var genders: String?
    /// School capacity (GIAS) or registered places (Ofsted).
    public var capacity: Int?
    /// The inspectorate: `"Ofsted"`, `"ISI"` or GIAS's InspectorateName.
    public var inspectorate: String?
    /// Latest Ofsted overall judgement. For a school, that of its linked Ofsted residential
    /// (social care) registration, if any; GIAS itself carries no judgements.
    public var latestJudgement: String?
    /// ISO `YYYY-MM-DD` of the inspection that gave ``latestJudgement``.
    public var judgementDate: String?
    public var laGSSCode: String?
    /// Owner (Ofsted) or proprietor / trust (GIAS).
    public var operatorName: String?
    /// The URN of the matching record in the other register (GIAS ↔ Ofsted), if any.
    public var linkedURN: String?
    public var latitude: Double?
    public var longitude: Double?
    /// True when the coordinates are not the establishment's own postcode (withheld address
    /// placed at an LA centroid or a stand-in sector): fine for distance bands, not a map pin.
    public var locationApproximate: Bool
    /// True when Ofsted withheld the name/address for safeguarding.
    public var detailsWithheld: Bool
    /// The register's status as published: GIAS "Open", "Proposed to open", "Open, but proposed to close";
    /// Ofsted "Active", "Suspended". `nil` in entries stored before it was kept.
    public var registrationStatus: String?

    public var id: String { urn }

    public init(
        urn: String, source: Source, name: String?, type: String, category: String,
        addressLines: [String] = [], town: String? = nil, county: String? = nil,
        postcode: String? = nil, ageLow: Int? = nil, ageHigh: Int? = nil,
        genders: String? = nil, capacity: Int? = nil, inspectorate: String? = nil,
        latestJudgement: String? = nil, judgementDate: String? = nil, laGSSCode: String? = nil,
        operatorName: String? = nil, linkedURN: String? = nil, latitude: Double? = nil,
        longitude: Double? = nil, locationApproximate: Bool = false, detailsWithheld: Bool = false,
        registrationStatus: String? = nil
    ) {
        self.urn = urn
        self.source = source
        self.name = name
        self.type = type
        self.category = category
        self.addressLines = addressLines
        self.town = town
        self.county = county
        self.postcode = postcode
        self.ageLow = ageLow
        self.ageHigh = ageHigh
        self.genders = genders
        self.capacity = capacity
        self.inspectorate = inspectorate
        self.latestJudgement = latestJudgement
        self.judgementDate = judgementDate
        self.laGSSCode = laGSSCode
        self.operatorName = operatorName
        self.linkedURN = linkedURN
        self.latitude = latitude
        self.longitude = longitude
        self.locationApproximate = locationApproximate
        self.detailsWithheld = detailsWithheld
        self.registrationStatus = registrationStatus
    }
}

/// URN look-up across the GIAS school register and the Ofsted social care register.
///
/// Lets an establishment form fill itself from a URN typed by the provider, and lets the
/// council see the public record beside what the provider declared. Build it once from the
/// parsed registers; it is an immutable value, safe to share across tasks.
public struct RegisterLookup: Sendable {
    /// Schools by GIAS URN.
    public let schoolsByURN: [String: RegisterSchool]
    /// Social care providers by Ofsted URN.
    public let providersByURN: [String: RegisterSocialCareProvider]
    /// Ofsted residential registrations by the GIAS URN they are linked to.
    public let providersByLinkedEducationURN: [String: [RegisterSocialCareProvider]]
    /// When present, withheld providers are placed at a stable sector of their LA instead
    /// of the LA centroid, so several homes in one LA do not share one point.
    public let directory: PostcodeDirectory?

    public init(
        schools: [RegisterSchool], providers: [RegisterSocialCareProvider],
        directory: PostcodeDirectory? = nil
    ) {
        var schoolMap: [String: RegisterSchool] = [:]
        schoolMap.reserveCapacity(schools.count)
        for school in schools where schoolMap[Self.key(school.urn)] == nil {
            schoolMap[Self.key(school.urn)] = school
        }
        var providerMap: [String: RegisterSocialCareProvider] = [:]
        providerMap.reserveCapacity(providers.count)
        var linked: [String: [RegisterSocialCareProvider]] = [:]
        for provider in providers where providerMap[Self.key(provider.urn)] == nil {
            providerMap[Self.key(provider.urn)] = provider
            if let educationURN = provider.linkedEducationURN {
                linked[Self.key(educationURN), default: []].append(provider)
            }
        }
        self.schoolsByURN = schoolMap
        self.providersByURN = providerMap
        self.providersByLinkedEducationURN = linked
        self.directory = directory
    }

    /// URNs are compared trimmed and uppercased (Ofsted's start with `SC`).
    static func key(_ urn: String) -> String {
        urn.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    public func school(urn: String) -> RegisterSchool? { schoolsByURN[Self.key(urn)] }

    public func provider(urn: String) -> RegisterSocialCareProvider? { providersByURN[Self.key(urn)] }

    /// The establishment with this URN from either register (GIAS first; the two registers'
    /// URNs do not overlap), or `nil` if neither knows it.
    public func find(urn: String) -> RegisterEntry? {
        if let school = school(urn: urn) { return entry(for: school) }
        if let provider = provider(urn: urn) { return entry(for: provider) }
        return nil
    }

    /// Flattens a school, attaching the most recently inspected linked Ofsted registration's
    /// overall judgement (residential special and boarding schools have one).
    public func entry(for school: RegisterSchool) -> RegisterEntry {
        let linked = (providersByLinkedEducationURN[Self.key(school.urn)] ?? [])
            .filter { $0.overallJudgement != nil }
            .max { ($0.latestInspectionDate ?? "") < ($1.latestInspectionDate ?? "") }
        return RegisterEntry(
            urn: school.urn, source: .gias, name: school.name, type: school.typeName,
            category: school.derivedCategory, addressLines: school.addressLines,
            town: school.town, county: school.county, postcode: school.postcode,
            ageLow: school.lowAge, ageHigh: school.highAge, genders: school.gender,
            capacity: school.capacity, inspectorate: Self.inspectorate(of: school),
            latestJudgement: linked?.overallJudgement, judgementDate: linked?.latestInspectionDate,
            laGSSCode: school.laGSSCode, operatorName: school.proprietor ?? school.trusts,
            linkedURN: linked?.urn ?? providersByLinkedEducationURN[Self.key(school.urn)]?.first?.urn,
            latitude: school.latitude, longitude: school.longitude,
            locationApproximate: school.latitude == nil || school.longitude == nil,
            detailsWithheld: false, registrationStatus: school.status
        )
    }

    /// Flattens an Ofsted provider; withheld names and addresses stay empty.
    public func entry(for provider: RegisterSocialCareProvider) -> RegisterEntry {
        var latitude = provider.latitude
        var longitude = provider.longitude
        if !provider.hasExactLocation, let directory, let gss = provider.laGSSCode,
            let stand = directory.placeWithheld(urn: provider.urn, laGSSCode: gss)
        {
            latitude = stand.latitude
            longitude = stand.longitude
        }
        return RegisterEntry(
            urn: provider.urn, source: .ofsted,
            name: RegisterValue.unredacted(provider.name),
            type: provider.provisionType, category: provider.category,
            addressLines: provider.addressLines, town: provider.town, county: provider.county,
            postcode: provider.postcode, ageLow: nil, ageHigh: nil, genders: nil,
            capacity: provider.places, inspectorate: "Ofsted",
            latestJudgement: provider.overallJudgement,
            judgementDate: provider.latestInspectionDate, laGSSCode: provider.laGSSCode,
            operatorName: provider.owner, linkedURN: provider.linkedEducationURN,
            latitude: latitude, longitude: longitude,
            locationApproximate: !provider.hasExactLocation,
            detailsWithheld: provider.isRedacted, registrationStatus: provider.registrationStatus
        )
    }

    /// GIAS's InspectorateName, or `"Ofsted"` for state-funded, non-maintained special and
    /// special post-16 institutions, which Ofsted inspects though GIAS leaves it blank.
    static func inspectorate(of school: RegisterSchool) -> String? {
        if let name = school.inspectorateName, name != "Not applicable" { return name }
        switch school.derivedCategory {
        case "state_special", "non_maintained_special", "special_post16_institution": return "Ofsted"
        default: return nil
        }
    }
}

import Foundation

/// The centre of a postcode district (`RH12`) or sector (`RH12 1`), from the ONS Postcode
/// Directory, with the children's services authority it mostly falls in.
///
/// The DPS measures distances between a child's home authority and a placement, and places
/// providers on a map. Full-postcode coordinates are too large to ship, and for withheld
/// children's-home addresses must not be used anyway; a sector centroid (a few thousand
/// addresses) is precise enough for distance bands while revealing nothing about a home.
public struct PostcodeCentroid: Sendable, Equatable, Hashable, Codable {
    /// How fine-grained a centroid is.
    public enum Precision: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
        /// Outward code plus first inward digit, e.g. `RH12 1`.
        case sector
        /// Outward code only, e.g. `RH12`.
        case district
    }

    /// Normalised code: `"RH12"` or `"RH12 1"`.
    public var code: String
    public var precision: Precision
    public var latitude: Double
    public var longitude: Double
    /// England, Wales or Scotland.
    public var country: String?
    /// GSS code of the upper-tier (children's services) authority; `nil` outside England.
    public var laGSSCode: String?
    public var laName: String?
    public var dfeLACode: String?
    /// GSS code of the lower-tier district most of its postcodes are in.
    public var mainDistrictGSSCode: String?
    /// How many postcodes the centroid averages.
    public var postcodeCount: Int?

    public init(
        code: String, precision: Precision, latitude: Double, longitude: Double,
        country: String? = nil, laGSSCode: String? = nil, laName: String? = nil,
        dfeLACode: String? = nil, mainDistrictGSSCode: String? = nil, postcodeCount: Int? = nil
    ) {
        self.code = code
        self.precision = precision
        self.latitude = latitude
        self.longitude = longitude
        self.country = country
        self.laGSSCode = laGSSCode
        self.laName = laName
        self.dfeLACode = dfeLACode
        self.mainDistrictGSSCode = mainDistrictGSSCode
        self.postcodeCount = postcodeCount
    }

    /// Reads `postcode_district_centroids.csv` (precision `.district`) or
    /// `postcode_sector_centroids.csv` (precision `.sector`). Rows without a code or
    /// coordinates are skipped, since a centroid without a position is useless.
    public static func parseAll(_ table: CSVTable, precision: Precision) -> [PostcodeCentroid] {
        let r = CSVColumnReader(table: table)
        let code =
            precision == .sector
            ? (r.index("postcode_sector") ?? r.index("code"))
            : (r.index("postcode_district") ?? r.index("code"))
        let country = r.index("country")
        let lat = r.index("latitude")
        let lon = r.index("longitude")
        let gss = r.index("utla_gss_code")
        let name = r.index("utla_name")
        let dfe = r.index("dfe_la_code")
        let lad = r.index("main_lad_gss_code")
        let count = r.index("postcode_count")
        var result: [PostcodeCentroid] = []
        result.reserveCapacity(table.rows.count)
        for row in table.rows {
            guard let rawCode = r.text(row, code),
                let latitude = RegisterValue.decimal(r.raw(row, lat)),
                let longitude = RegisterValue.decimal(r.raw(row, lon))
            else { continue }
            // Keep codes that do not fit today's shape (terminated ones such as "NPT 1").
            let normalised = PostcodeDirectory.normalise(rawCode) ?? rawCode.uppercased()
            result.append(
                PostcodeCentroid(
                    code: normalised, precision: precision, latitude: latitude, longitude: longitude,
                    country: r.text(row, country), laGSSCode: r.text(row, gss),
                    laName: r.text(row, name), dfeLACode: r.text(row, dfe),
                    mainDistrictGSSCode: r.text(row, lad),
                    postcodeCount: RegisterValue.integer(r.raw(row, count))
                ))
        }
        return result
    }
}

/// Postcode parsing and centroid look-up over ONS district and sector centroids.
///
/// Forms accept postcodes as people type them (`"rh121aa"`, `" RH12 1AA "`, just `"RH12"`);
/// this normalises them, and finds the best-known centre: the sector if we have it, else
/// the district. It also places children's homes whose addresses Ofsted withholds at a
/// deterministic sector of their local authority, so maps and distance bands are stable
/// between runs without ever implying a real address.
public struct PostcodeDirectory: Sendable, Equatable {
    public let districtsByCode: [String: PostcodeCentroid]
    public let sectorsByCode: [String: PostcodeCentroid]
    /// Sectors of each children's services authority, sorted by code for determinism.
    public let sectorsByLAGSSCode: [String: [PostcodeCentroid]]

    public init(districts: [PostcodeCentroid], sectors: [PostcodeCentroid]) {
        var districtMap: [String: PostcodeCentroid] = [:]
        districtMap.reserveCapacity(districts.count)
        for centroid in districts where districtMap[centroid.code] == nil {
            districtMap[centroid.code] = centroid
        }
        var sectorMap: [String: PostcodeCentroid] = [:]
        sectorMap.reserveCapacity(sectors.count)
        for centroid in sectors where sectorMap[centroid.code] == nil {
            sectorMap[centroid.code] = centroid
        }
        var byLA: [String: [PostcodeCentroid]] = [:]
        for centroid in sectorMap.values {
            guard let gss = centroid.laGSSCode else { continue }
            byLA[gss, default: []].append(centroid)
        }
        for key in byLA.keys { byLA[key]?.sort { $0.code < $1.code } }
        self.districtsByCode = districtMap
        self.sectorsByCode = sectorMap
        self.sectorsByLAGSSCode = byLA
    }

    /// Builds the directory straight from the two parsed ONS centroid tables.
    public init(districts: CSVTable, sectors: CSVTable) {
        self.init(
            districts: PostcodeCentroid.parseAll(districts, precision: .district),
            sectors: PostcodeCentroid.parseAll(sectors, precision: .sector))
    }

    // MARK: Postcode shape

    /// Uppercases, removes stray spaces and validates the UK postcode shape, returning a
    /// full postcode (`"RH12 1AA"`), a sector (`"RH12 1"`) or an outward code (`"RH12"`).
    ///
    /// Outward codes are `A9`, `A99`, `AA9`, `AA99`, `A9A` or `AA9A`; the inward code is
    /// `9AA`. Without a space, a trailing `9AA` is read as the inward code, then the whole
    /// text as an outward code, then a trailing digit as a sector (so `"RH12"` is the
    /// district, and `"RH121"` the sector `RH12 1`). Returns `nil` for anything else.
    public static func normalise(_ raw: String) -> String? {
        let parts = raw.uppercased().split(whereSeparator: { $0.isWhitespace })
        guard !parts.isEmpty, parts.count <= 2 else { return nil }
        if parts.count == 2 {
            let outward = Array(parts[0].utf8)
            let inward = Array(parts[1].utf8)
            guard isOutward(outward[...]) else { return nil }
            guard isFullInward(inward[...]) || (inward.count == 1 && isDigit(inward[0])) else { return nil }
            return String(parts[0]) + " " + String(parts[1])
        }
        let text = String(parts[0])
        let bytes = Array(text.utf8)
        let n = bytes.count
        guard n >= 2, n <= 7 else { return nil }
        if n >= 5, isFullInward(bytes[(n - 3)...]), isOutward(bytes[..<(n - 3)]) {
            return String(decoding: bytes[..<(n - 3)], as: UTF8.self) + " "
                + String(decoding: bytes[(n - 3)...], as: UTF8.self)
        }
        if isOutward(bytes[...]) { return text }
        if n >= 3, isDigit(bytes[n - 1]), isOutward(bytes[..<(n - 1)]) {
            return String(decoding: bytes[..<(n - 1)], as: UTF8.self) + " "
                + String(decoding: bytes[(n - 1)...], as: UTF8.self)
        }
        return nil
    }

    /// The outward code (district) of a postcode, sector or outward code: `"RH12"`.
    public static func district(of raw: String) -> String? {
        guard let normalised = normalise(raw) else { return nil }
        return normalised.split(separator: " ").first.map(String.init)
    }

    /// The sector (`"RH12 1"`) of a full postcode or sector; `nil` for an outward code alone.
    public static func sector(of raw: String) -> String? {
        guard let normalised = normalise(raw) else { return nil }
        let parts = normalised.split(separator: " ")
        guard parts.count == 2, let digit = parts[1].first else { return nil }
        return String(parts[0]) + " " + String(digit)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isLetter(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }

    private static func isFullInward(_ s: ArraySlice<UInt8>) -> Bool {
        guard s.count == 3 else { return false }
        let i = s.startIndex
        return isDigit(s[i]) && isLetter(s[i + 1]) && isLetter(s[i + 2])
    }

    private static func isOutward(_ s: ArraySlice<UInt8>) -> Bool {
        let c = Array(s)
        switch c.count {
        case 2: return isLetter(c[0]) && isDigit(c[1])  // A9
        case 3:
            return isLetter(c[0]) && isDigit(c[1]) && (isDigit(c[2]) || isLetter(c[2]))  // A99, A9A
                || isLetter(c[0]) && isLetter(c[1]) && isDigit(c[2])  // AA9
        case 4:
            return isLetter(c[0]) && isLetter(c[1]) && isDigit(c[2])
                && (isDigit(c[3]) || isLetter(c[3]))  // AA99, AA9A
        default: return false
        }
    }

    // MARK: Look-ups

    /// The district centroid for a postcode, sector or outward code.
    public func districtCentroid(of raw: String) -> PostcodeCentroid? {
        Self.district(of: raw).flatMap { districtsByCode[$0] }
    }

    /// The sector centroid for a full postcode or sector.
    public func sectorCentroid(of raw: String) -> PostcodeCentroid? {
        Self.sector(of: raw).flatMap { sectorsByCode[$0] }
    }

    /// The most precise known centre for `raw`: its sector if known, else its district.
    /// The result's ``PostcodeCentroid/precision`` says which.
    public func lookup(_ raw: String) -> PostcodeCentroid? {
        sectorCentroid(of: raw) ?? districtCentroid(of: raw)
    }

    /// All sectors mostly inside the children's services authority `gss`, sorted by code.
    public func sectors(inLAGSSCode gss: String) -> [PostcodeCentroid] {
        sectorsByLAGSSCode[gss] ?? []
    }

    /// A stand-in location for a provider whose address is withheld: one of its local
    /// authority's postcode sectors, chosen by a stable FNV-1a hash of the URN.
    ///
    /// The same URN always lands on the same sector (across runs, processes and machines,
    /// unlike Swift's per-process randomised `hashValue`), while different homes in one
    /// authority spread across it instead of piling onto the LA centroid. Returns `nil`
    /// when the authority has no known sectors.
    public func placeWithheld(urn: String, laGSSCode: String) -> PostcodeCentroid? {
        let candidates = sectors(inLAGSSCode: laGSSCode)
        guard !candidates.isEmpty else { return nil }
        let index = Int(Self.stableHash(urn) % UInt64(candidates.count))
        return candidates[index]
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: a simple hash that never changes between runs.
    public static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

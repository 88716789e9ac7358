import Foundation

/// A point on the Earth (degrees), e.g. a postcode centroid.
///
/// Location scoring and eligibility use great-circle distance between centroids, not road
/// distance, so the figure is reproducible from public postcode data alone.
public struct GeoPoint: Sendable, Hashable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Mean Earth radius in statute miles, the figure fixed for all distance calculations.
    public static let earthRadiusMiles = 3958.7613

    /// Great-circle distance in miles by the haversine formula (stable for short distances).
    public func miles(to other: GeoPoint) -> Double {
        GeoPoint.earthRadiusMiles * centralAngle(to: other)
    }

    /// Central angle in radians between the two points.
    func centralAngle(to other: GeoPoint) -> Double {
        let phi1 = latitude * .pi / 180
        let phi2 = other.latitude * .pi / 180
        let dPhi = phi2 - phi1
        let dLambda = (other.longitude - longitude) * .pi / 180
        let s1 = sin(dPhi / 2)
        let s2 = sin(dLambda / 2)
        let h = Swift.min(1, Swift.max(0, s1 * s1 + cos(phi1) * cos(phi2) * s2 * s2))
        return 2 * asin(h.squareRoot())
    }
}

/// Location bands of 10 miles: band 0 is under 10 miles, band 1 is 10 to under 20, and so on.
///
/// Location points are `w × max(0, 5 − band) / 5`, so the band is the one place the distance is
/// discretised; edges belong to the farther band (exactly 10 miles is band 1).
public enum LocationBand {
    /// `floor(miles / 10)`; negative or NaN distances count as band 0, absurdly large ones are capped.
    public static func band(miles: Double) -> Int {
        guard miles.isFinite else { return miles.isNaN ? 0 : (miles > 0 ? cap : 0) }
        let value = (miles / 10).rounded(.down)
        if value <= 0 { return 0 }
        return value >= Double(cap) ? cap : Int(value)
    }

    /// Upper bound for the band so conversion to Int never traps.
    private static let cap = 1_000_000_000
}

/// Proposes how far to widen a referral's geographic limit when too few providers are eligible
/// (§6: the officer widens and re-issues; the system proposes the radius).
public enum RadiusProposal {
    /// The smallest radius that is a multiple of `step`, at least `current`, and includes (distance
    /// ≤ radius) at least `minimum` of the given establishment distances; nil when there are fewer
    /// than `minimum` usable distances or `step` is not positive.
    ///
    /// Non-finite or negative distances are ignored (an establishment without a location cannot be
    /// counted as in range). O(n log n).
    public static func propose(distancesMiles: [Double], minimum: Int, current: Double, step: Double = 5) -> Double? {
        guard step > 0, step.isFinite, current.isFinite else { return nil }
        let floor = Swift.max(0, current)
        var needed = floor
        if minimum > 0 {
            let usable = distancesMiles.filter { $0.isFinite && $0 >= 0 }.sorted()
            guard usable.count >= minimum else { return nil }
            needed = Swift.max(floor, usable[minimum - 1])
        }
        var multiple = (needed / step).rounded(.up)
        // Guard against the quotient rounding below the true value.
        while multiple * step < needed { multiple += 1 }
        return multiple * step
    }
}

/// An in-memory index of establishment locations answering "who is within r miles of here?".
///
/// Eligibility is recomputed whenever a referral is drafted or widened, across thousands of
/// establishments; entries are kept sorted by latitude so a query binary-searches the latitude
/// band, prefilters by longitude, and only then computes exact haversine distances.
public struct EligibilityIndex: Sendable {
    /// One indexed location.
    public struct Entry: Sendable, Hashable {
        public var id: String
        public var point: GeoPoint
        public init(id: String, point: GeoPoint) {
            self.id = id
            self.point = point
        }
    }

    /// An entry found by a query, with its exact distance.
    public struct Match: Sendable, Hashable {
        public var id: String
        public var miles: Double
        public init(id: String, miles: Double) {
            self.id = id
            self.miles = miles
        }
    }

    /// Entries sorted by latitude (then id for determinism); points with non-finite coordinates are dropped.
    private let entries: [Entry]
    private let latitudes: [Double]

    /// Builds the index; O(n log n).
    public init(_ entries: [Entry]) {
        let sorted =
            entries
            .filter { $0.point.latitude.isFinite && $0.point.longitude.isFinite }
            .sorted { ($0.point.latitude, $0.id) < ($1.point.latitude, $1.id) }
        self.entries = sorted
        self.latitudes = sorted.map(\.point.latitude)
    }

    /// Builds the index from (id, point) pairs.
    public init(points: [(id: String, point: GeoPoint)]) {
        self.init(points.map { Entry(id: $0.id, point: $0.point) })
    }

    /// Number of indexed locations.
    public var count: Int { entries.count }

    /// Ids within `radiusMiles` (inclusive) of `center`, nearest first (ties by id).
    public func ids(within radiusMiles: Double, of center: GeoPoint) -> [String] {
        matches(within: radiusMiles, of: center).map(\.id)
    }

    /// Entries within `radiusMiles` (inclusive) of `center` with their distances, nearest first.
    public func matches(within radiusMiles: Double, of center: GeoPoint) -> [Match] {
        guard radiusMiles >= 0, !radiusMiles.isNaN, center.latitude.isFinite, center.longitude.isFinite else {
            return []
        }
        // Angular radius with a small margin so the prefilter can never drop a point on the edge.
        let angle = Swift.min(.pi, radiusMiles / GeoPoint.earthRadiusMiles) * (1 + 1e-9) + 1e-12
        let angleDegrees = angle * 180 / .pi
        let lowIndex = firstIndex(latitudeAtLeast: center.latitude - angleDegrees)
        let highLatitude = center.latitude + angleDegrees

        // Longitude half-width of the spherical cap; unbounded when the cap reaches a pole.
        let phi = center.latitude * .pi / 180
        let lonHalfWidth: Double? =
            abs(phi) + angle < .pi / 2
            ? asin(Swift.min(1, sin(angle) / cos(phi))) * 180 / .pi * (1 + 1e-9) + 1e-9
            : nil

        var found: [Match] = []
        var index = lowIndex
        while index < entries.count, latitudes[index] <= highLatitude {
            let entry = entries[index]
            index += 1
            if let lonHalfWidth {
                var delta = abs(entry.point.longitude - center.longitude).truncatingRemainder(dividingBy: 360)
                if delta > 180 { delta = 360 - delta }
                if delta > lonHalfWidth { continue }
            }
            let miles = center.miles(to: entry.point)
            if miles <= radiusMiles { found.append(Match(id: entry.id, miles: miles)) }
        }
        found.sort { ($0.miles, $0.id) < ($1.miles, $1.id) }
        return found
    }

    /// Distances from `center` to every indexed location, for `RadiusProposal`.
    public func allDistances(from center: GeoPoint) -> [Double] {
        entries.map { center.miles(to: $0.point) }
    }

    /// Binary search: first position whose latitude is ≥ `value`.
    private func firstIndex(latitudeAtLeast value: Double) -> Int {
        var low = 0
        var high = latitudes.count
        while low < high {
            let mid = (low + high) / 2
            if latitudes[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

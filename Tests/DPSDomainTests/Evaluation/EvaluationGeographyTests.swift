import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: geography and eligibility")
struct EvaluationGeographyTests {
    @Test("Haversine: one degree of latitude is R × π / 180 miles; London–Manchester ≈ 163 miles")
    func haversine() {
        // setup
        let a = GeoPoint(latitude: 52, longitude: -1)
        let b = GeoPoint(latitude: 53, longitude: -1)
        let london = GeoPoint(latitude: 51.5074, longitude: -0.1278)
        let manchester = GeoPoint(latitude: 53.4808, longitude: -2.2426)

        // MUT
        let degree = a.miles(to: b)
        let cities = london.miles(to: manchester)

        // validate
        #expect(abs(degree - 3958.7613 * .pi / 180) < 1e-9)
        #expect(abs(cities - 162.6) < 0.5)
        #expect(abs(cities - manchester.miles(to: london)) < 1e-9)
        #expect(london.miles(to: london) == 0)
    }

    @Test("Radius proposal: smallest multiple of the step, at least the current limit, reaching the minimum")
    func radiusProposal() {
        // setup
        let distances = [3.0, 12, 18, 27, 41]

        // MUT / validate
        #expect(RadiusProposal.propose(distancesMiles: distances, minimum: 3, current: 10) == 20)
        #expect(RadiusProposal.propose(distancesMiles: distances, minimum: 3, current: 25) == 25)
        #expect(RadiusProposal.propose(distancesMiles: distances, minimum: 1, current: 12) == 15)
        #expect(RadiusProposal.propose(distancesMiles: [20, 1, 2], minimum: 3, current: 10) == 20)
        #expect(RadiusProposal.propose(distancesMiles: distances, minimum: 4, current: 10, step: 10) == 30)
        #expect(RadiusProposal.propose(distancesMiles: distances, minimum: 6, current: 10) == nil)
        #expect(RadiusProposal.propose(distancesMiles: [1, .nan, -4], minimum: 2, current: 0) == nil)
        #expect(RadiusProposal.propose(distancesMiles: distances, minimum: 1, current: 10, step: 0) == nil)
    }

    /// Deterministic pseudo-random points over England and Wales.
    static func points(count: Int) -> [EligibilityIndex.Entry] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { i in
            EligibilityIndex.Entry(
                id: "e\(i)", point: GeoPoint(latitude: 50 + next() * 5.5, longitude: -5.5 + next() * 7.3))
        }
    }

    @Test("The index returns exactly the brute-force set within the radius, nearest first")
    func indexMatchesBruteForce() {
        // setup
        let entries = Self.points(count: 3000)
        let index = EligibilityIndex(entries)
        let centres = [
            GeoPoint(latitude: 51.06, longitude: -0.33), GeoPoint(latitude: 54.9, longitude: -1.6),
            GeoPoint(latitude: 52.5, longitude: -5.4),
        ]

        for centre in centres {
            for radius in [0.0, 5, 20, 60, 400] {
                // MUT
                let matches = index.matches(within: radius, of: centre)

                // validate
                let expected = Set(entries.filter { centre.miles(to: $0.point) <= radius }.map(\.id))
                #expect(Set(matches.map(\.id)) == expected)
                #expect(matches.count == expected.count)
                #expect(zip(matches, matches.dropFirst()).allSatisfy { $0.miles <= $1.miles })
            }
        }
        #expect(index.count == 3000)
    }

    @Test("The index handles the antimeridian and the poles, and includes points exactly on the radius")
    func indexEdges() {
        // setup
        let east = GeoPoint(latitude: 0, longitude: 179.9)
        let west = GeoPoint(latitude: 0, longitude: -179.9)
        let pole = GeoPoint(latitude: 89.99, longitude: 0)
        let farSide = GeoPoint(latitude: 89.99, longitude: 180)
        let index = EligibilityIndex(points: [
            (id: "east", point: east), (id: "west", point: west), (id: "pole", point: pole),
            (id: "far", point: farSide),
        ])

        // MUT
        let acrossMeridian = index.ids(within: 20, of: east)
        let overPole = index.ids(within: 2, of: pole)
        let onRadius = index.ids(within: east.miles(to: west), of: east)

        // validate
        #expect(acrossMeridian == ["east", "west"])
        #expect(overPole == ["pole", "far"])
        #expect(onRadius.contains("west"))
        #expect(index.ids(within: -1, of: east).isEmpty)
    }

    @Test("Index distances feed the radius proposal")
    func indexFeedsProposal() throws {
        // setup
        let centre = GeoPoint(latitude: 51.5, longitude: -0.1)
        let index = EligibilityIndex(Self.points(count: 200))

        // MUT
        let radius = RadiusProposal.propose(distancesMiles: index.allDistances(from: centre), minimum: 3, current: 5)

        // validate
        let proposed = try #require(radius)
        #expect(proposed.truncatingRemainder(dividingBy: 5) == 0)
        #expect(index.ids(within: proposed, of: centre).count >= 3)
        // The next smaller multiple is either below the current limit or reaches too few.
        #expect(proposed - 5 < 5 || index.ids(within: proposed - 5, of: centre).count < 3)
    }
}

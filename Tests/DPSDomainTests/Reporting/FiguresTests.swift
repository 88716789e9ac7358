import Foundation
import Testing

@testable import DPSDomain

/// DOMAIN §11, issue 11: quartiles by the stated method, rates, small counts held back, and the chart's words.
@Suite("Market figure rules")
struct FiguresTests {
    @Test("Quartiles interpolate between the sorted values at p × (n − 1), rounded half up to the penny")
    func quartiles() throws {
        // [300, 320, 400, 500] pounds: positions 0.75, 1.5 and 2.25.
        let q = try #require(Figures.quartiles([500_000, 300_000, 400_000, 320_000]))
        #expect(q.lower == 315_000 && q.median == 360_000 && q.upper == 425_000)
        // Odd count: the median is the middle value.
        let odd = try #require(Figures.quartiles([1, 2, 3, 4, 5]))
        #expect(odd.lower == 2 && odd.median == 3 && odd.upper == 4)
        // Half a penny rounds up: [1, 2] has its median at 1.5.
        #expect(Figures.quartiles([1, 2])?.median == 2)
        #expect(Figures.quartiles([7])?.lower == 7 && Figures.quartiles([]) == nil)
    }

    @Test("Rates are whole per cent rounded half up; nothing of nothing is no rate")
    func rates() {
        #expect(Figures.percent(1, of: 3) == 33 && Figures.percent(2, of: 3) == 67 && Figures.percent(1, of: 8) == 13)
        #expect(Figures.percent(0, of: 0) == nil && Figures.percent(3, of: 3) == 100)
    }

    @Test("Public counts under 5 are shown as fewer than 5; none stays none")
    func suppression() {
        #expect(Figures.publicCount(0) == .count(0) && Figures.publicCount(4) == .fewerThan(5))
        #expect(Figures.publicCount(5) == .count(5) && Figures.publicCount(1).description == "fewer than 5")
    }

    @Test("A chart has a title and description to read, every value written, and its text escaped")
    func chart() {
        let svg = BarChart.svg(
            id: "c1", title: "Bids <per> referral", description: "Average & more",
            bars: [
                .init(label: "Fostering \"IFA\"", value: 30, shown: "3.0"), .init(label: "None", value: 0, shown: "0"),
            ])
        #expect(svg.contains(#"role="img" aria-labelledby="c1-title c1-desc""#))
        #expect(svg.contains("<title id=\"c1-title\">Bids &lt;per&gt; referral</title>"))
        #expect(svg.contains("<desc id=\"c1-desc\">Average &amp; more</desc>"))
        #expect(svg.contains("Fostering &quot;IFA&quot;") && svg.contains(">3.0</text>") && svg.contains(">0</text>"))
        #expect(svg.contains(#"width="300""#) && svg.contains(#"width="0""#))
    }

    @Test("Quartiles from a histogram equal the quartiles of the rows it counts")
    func histogram() throws {
        // [300, 300, 320, 400, 500, 500, 500]: positions 1.5, 3 and 4.5.
        let q = try #require(Figures.quartiles(counts: [(500, 3), (300, 2), (400, 1), (320, 1), (999, 0)]))
        #expect(q.lower == 310 && q.median == 400 && q.upper == 500)
        let rows = try #require(Figures.quartiles([300, 300, 320, 400, 500, 500, 500]))
        #expect(rows.lower == q.lower && rows.median == q.median && rows.upper == q.upper)
        #expect(Figures.quartiles(counts: [(1, 0)]) == nil)
    }

    @Test("A value's place against the quartiles, and the distance bands by the evaluation's edges")
    func bands() {
        let q = (lower: 100, median: 200, upper: 300)
        #expect(Figures.position(of: 99, in: q) == "below the lower quartile")
        #expect(Figures.position(of: 200, in: q) == "between the lower quartile and the median")
        #expect(Figures.position(of: 201, in: q) == "between the median and the upper quartile")
        #expect(Figures.position(of: 301, in: q) == "above the upper quartile")
        #expect([0, 4.99, 5, 19.99, 20, 49.9, 50, 400].map(Figures.distanceBand) == [0, 0, 1, 2, 3, 3, 4, 4])
    }

    @Test("The map puts London east of Bristol and Newcastle north of both; places outside England are left off")
    func map() throws {
        let london = try #require(DotMap.point(latitude: 51.5, longitude: -0.12))
        let bristol = try #require(DotMap.point(latitude: 51.45, longitude: -2.59))
        let newcastle = try #require(DotMap.point(latitude: 54.97, longitude: -1.61))
        #expect(london.x > bristol.x && newcastle.y < london.y && newcastle.y < bristol.y)
        #expect(
            DotMap.point(latitude: 40.4, longitude: -3.7) == nil && DotMap.point(latitude: .nan, longitude: 0) == nil)
        let svg = DotMap.svg(
            id: "m", title: "Members <by> area", description: "Where",
            places: [
                .init(label: "Kent & Medway", latitude: 51.2, longitude: 0.7, value: 4),
                .init(label: "Madrid", latitude: 40.4, longitude: -3.7, value: 9),
            ])
        #expect(
            svg.contains("<title id=\"m-title\">Members &lt;by&gt; area</title>")
                && svg.contains("Kent &amp; Medway: 4"))
        #expect(!svg.contains("Madrid") && svg.contains(#"r="18""#))
    }

    @Test("The map's labels for crowded places (the South East) never cover each other or another named circle")
    func mapLabels() throws {
        // The demo's case: Kent's label, written west of its circle, fell on Surrey's; East Sussex's under West
        // Sussex's.
        let places: [DotMap.Place] = [
            .init(label: "Kent", latitude: 51.19, longitude: 0.72, value: 25),
            .init(label: "East Sussex", latitude: 50.91, longitude: 0.25, value: 11),
            .init(label: "Surrey", latitude: 51.27, longitude: -0.42, value: 6),
            .init(label: "West Sussex", latitude: 50.93, longitude: -0.46, value: 4),
            .init(label: "Brighton and Hove", latitude: 50.84, longitude: -0.14, value: 3),
            .init(label: "Buckinghamshire", latitude: 51.78, longitude: -0.81, value: 1),
        ]
        let svg = DotMap.svg(id: "m", title: "Members", description: "Where", places: places)
        // Each label as drawn: its text, x, y and anchor, read back from the SVG.
        let pattern = /<text x="(-?\d+)" y="(-?\d+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]+)<\/text>/
        let drawn = svg.matches(of: pattern).map {
            (
                text: String($0.output.4),
                box: DotMap.labelBox(
                    String($0.output.4), x: Int($0.output.1)!, y: Int($0.output.2)!, anchor: String($0.output.3))
            )
        }
        #expect(drawn.count == 5)  // the five largest named
        func overlap(_ a: DotMap.Box, _ b: DotMap.Box) -> Bool {
            a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
        }
        for (i, a) in drawn.enumerated() {
            #expect(a.box.left >= 0 && a.box.top >= 0)
            for b in drawn[(i + 1)...] { #expect(!overlap(a.box, b.box), "\(a.text) over \(b.text)") }
            // ... nor over another named place's circle (radius 18 for the largest, by the square root below it).
            for place in places.prefix(5) where !a.text.hasPrefix(place.label + " (") {
                let p = try #require(DotMap.point(latitude: place.latitude, longitude: place.longitude))
                let r = max(3, (18 * (Double(place.value) / 25).squareRoot()).rounded())
                let circle = DotMap.Box(
                    left: Double(p.x) - r, top: Double(p.y) - r, right: Double(p.x) + r, bottom: Double(p.y) + r)
                #expect(!overlap(a.box, circle), "\(a.text) over \(place.label)'s circle")
            }
        }
    }

    @Test("A bar's long label is cut to the chart's width with an ellipsis; a short one is whole")
    func barLabels() {
        let long = "Independent and non-maintained special schools for autism and complex needs"  // 76 characters
        let svg = BarChart.svg(
            id: "c", title: "T", description: "D",
            bars: [.init(label: long, value: 3, shown: "3"), .init(label: "Fostering", value: 1, shown: "1")])
        let texts = svg.matches(of: /<text x="0"[^>]*>([^<]+)<\/text>/).map { String($0.output.1) }
        #expect(texts.count == 2 && texts[1] == "Fostering")
        #expect(texts[0].hasSuffix("…") && texts[0].count == BarChart.labelFits)
        #expect(long.hasPrefix(texts[0].dropLast()))
        // 15-unit text at 0.56 of its size a character fits the 420-unit chart.
        #expect(Double(texts[0].count) * 15 * 0.56 <= 420)
    }
}

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
}

import Foundation

/// The arithmetic of the market figures (DOMAIN §11): benchmarks as quartiles, rates, and small counts held back
/// from public figures so that no figure can point at a child.
public enum Figures {
    /// Lower quartile, median and upper quartile of `values`, by linear interpolation between the sorted values
    /// at positions `p × (n − 1)` (the "inclusive" method spreadsheets call QUARTILE.INC), rounded half up to a
    /// whole unit (a penny). Nil for no values.
    public static func quartiles(_ values: [Int]) -> (lower: Int, median: Int, upper: Int)? {
        var counts: [Int: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return quartiles(counts: counts.map { (value: $0.key, count: $0.value) })
    }

    /// The same quartiles from a histogram (each distinct value with how many times it occurs), as SQL's
    /// `GROUP BY value` returns it: memory bounded by the distinct values, not the rows. Counts of 0 or less are
    /// ignored.
    public static func quartiles(counts: [(value: Int, count: Int)]) -> (lower: Int, median: Int, upper: Int)? {
        let sorted = counts.filter { $0.count > 0 }.sorted { $0.value < $1.value }
        let total = sorted.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        // The value at 0-based position `k` of the expanded sorted list.
        func value(at k: Int) -> Int {
            var seen = 0
            for entry in sorted {
                seen += entry.count
                if k < seen { return entry.value }
            }
            return sorted[sorted.count - 1].value
        }
        func at(_ numerator: Int) -> Int {
            // Position numerator/4 × (n − 1), exactly: whole index and remainder in quarters.
            let scaled = numerator * (total - 1)
            let index = scaled / 4
            let remainder = scaled % 4
            let a = value(at: index)
            guard remainder > 0, index + 1 < total else { return a }
            // a + (b − a) × r/4, rounded half up, in Int without overflow for money-sized values.
            let step = (value(at: index + 1) - a) * remainder
            return a + (step >= 0 ? (step + 2) / 4 : -((-step + 1) / 4))
        }
        return (at(1), at(2), at(3))
    }

    /// Where `value` sits against quartiles, in words a reader can act on.
    public static func position(of value: Int, in q: (lower: Int, median: Int, upper: Int)) -> String {
        if value < q.lower { return "below the lower quartile" }
        if value <= q.median { return "between the lower quartile and the median" }
        if value <= q.upper { return "between the median and the upper quartile" }
        return "above the upper quartile"
    }

    /// The distance bands the figures count placements in, in miles from the child's home (the evaluation's own
    /// bands, DOMAIN §7, with 20 miles the business case's measure).
    public static let distanceBands: [(label: String, below: Double?)] = [
        ("Under 5 miles", 5), ("5 to 10 miles", 10), ("10 to 20 miles", 20), ("20 to 50 miles", 50),
        ("50 miles or more", nil),
    ]

    /// The band index of a distance.
    public static func distanceBand(_ miles: Double) -> Int {
        distanceBands.firstIndex { band in band.below.map { miles < $0 } ?? true } ?? distanceBands.count - 1
    }

    /// `part` of `whole` in whole per cent, rounded half up; nil when there is no whole.
    public static func percent(_ part: Int, of whole: Int) -> Int? {
        guard whole > 0, part >= 0 else { return nil }
        return (part * 200 + whole) / (whole * 2)
    }

    /// A count as public figures show it: counts under `threshold` (5) are "fewer than 5" (and a count of none stays
    /// none: it points at nobody).
    public enum PublicCount: Equatable, Sendable, CustomStringConvertible {
        case count(Int)
        case fewerThan(Int)

        public var description: String {
            switch self {
            case .count(let n): String(n)
            case .fewerThan(let n): "fewer than \(n)"
            }
        }
    }

    public static let suppressionThreshold = 5

    public static func publicCount(_ n: Int, threshold: Int = suppressionThreshold) -> PublicCount {
        n > 0 && n < threshold ? .fewerThan(threshold) : .count(n)
    }
}

/// A bar chart drawn as accessible SVG (DOMAIN §11, issue 11): a title and a description the screen reader reads,
/// one bar a row with its label and value written beside it (so the numbers never depend on colour or hover), a
/// colour that passes contrast on white (#1d70b8, 5.2:1), and a view box that scales to the page's width.
public enum BarChart {
    public struct Bar: Equatable, Sendable {
        public var label: String
        public var value: Int
        /// The value as the chart writes it (money, a count, a percentage).
        public var shown: String
        public init(label: String, value: Int, shown: String) {
            self.label = label
            self.value = value
            self.shown = shown
        }
    }

    /// The characters of a bar's label that fit the chart's 420 units at font size 15.
    public static let labelFits = 48

    /// The chart's SVG, escaped; `id` makes its title and description referable. Each label sits above its bar, so
    /// the chart is narrow (420 units) and its text stays readable when a phone scales it to the screen.
    public static func svg(id: String, title: String, description: String, bars: [Bar]) -> String {
        let rowHeight = 46
        let barSpace = 300
        let width = barSpace + 120
        let height = max(1, bars.count) * rowHeight + 6
        let largest = max(1, bars.map(\.value).max() ?? 1)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dps-chart\" viewBox=\"0 0 \(width) \(height)\" "
            + "role=\"img\" aria-labelledby=\"\(escape(id))-title \(escape(id))-desc\">"
            + "<title id=\"\(escape(id))-title\">\(escape(title))</title>"
            + "<desc id=\"\(escape(id))-desc\">\(escape(description))</desc>"
        for (i, bar) in bars.enumerated() {
            let y = i * rowHeight
            let length = bar.value <= 0 ? 0 : max(2, Int((Double(bar.value) / Double(largest)) * Double(barSpace)))
            // Cut to what fits the chart's width at about 0.56 of the font size a character (wider than most
            // sans-serif text), with an ellipsis; the table beside the chart holds the whole name.
            let label = bar.label.count > labelFits ? String(bar.label.prefix(labelFits - 1)) + "…" : bar.label
            out +=
                "<text x=\"0\" y=\"\(y + 16)\" font-size=\"15\" fill=\"#0b0c0c\">\(escape(label))</text>"
                + "<rect x=\"0\" y=\"\(y + 22)\" width=\"\(length)\" height=\"18\" fill=\"#1d70b8\"/>"
                + "<text x=\"\(length + 6)\" y=\"\(y + 36)\" font-size=\"15\" fill=\"#0b0c0c\">"
                + "\(escape(bar.shown))</text>"
        }
        return out + "</svg>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// A map of England drawn as accessible SVG (issue 11): every local authority a grey dot at its centroid (together
/// they draw the country's shape), and a blue circle over each authority with a value, its area in proportion to the
/// value. A title and description are read by screen readers; each circle carries its own title; the table beside
/// the map holds the numbers. Longitude is scaled by the cosine of England's middle latitude so the shape is true.
public enum DotMap {
    public struct Place: Equatable, Sendable {
        public var label: String
        public var latitude: Double
        public var longitude: Double
        public var value: Int
        public init(label: String, latitude: Double, longitude: Double, value: Int) {
            self.label = label
            self.latitude = latitude
            self.longitude = longitude
            self.value = value
        }
    }

    /// England's extent, with a margin: south 49.8°, north 55.9°, west −6.4°, east 1.9°.
    static let (south, north, west, east) = (49.8, 55.9, -6.4, 1.9)
    static let scale = 80.0  // view-box units per degree of latitude

    /// The point a latitude and longitude fall on, in view-box units; nil outside England's extent.
    public static func point(latitude: Double, longitude: Double) -> (x: Int, y: Int)? {
        guard latitude.isFinite, longitude.isFinite, (south...north).contains(latitude),
            (west...east).contains(longitude)
        else { return nil }
        let squeeze = cos((south + north) / 2 * .pi / 180)
        return (Int(((longitude - west) * squeeze * scale).rounded()), Int(((north - latitude) * scale).rounded()))
    }

    public static func svg(id: String, title: String, description: String, places all: [Place]) -> String {
        let squeeze = cos((south + north) / 2 * .pi / 180)
        let width = Int(((east - west) * squeeze * scale).rounded())
        let height = Int(((north - south) * scale).rounded())
        let places = all.filter { point(latitude: $0.latitude, longitude: $0.longitude) != nil }
        let largest = max(1, places.map(\.value).max() ?? 1)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dps-map\" viewBox=\"0 0 \(width) \(height)\" "
            + "role=\"img\" aria-labelledby=\"\(BarChart.escape(id))-title \(BarChart.escape(id))-desc\">"
            + "<title id=\"\(BarChart.escape(id))-title\">\(BarChart.escape(title))</title>"
            + "<desc id=\"\(BarChart.escape(id))-desc\">\(BarChart.escape(description))</desc>"
        for place in places {
            guard let p = point(latitude: place.latitude, longitude: place.longitude) else { continue }
            out += "<circle cx=\"\(p.x)\" cy=\"\(p.y)\" r=\"2\" fill=\"#6f777b\"/>"
        }
        // Largest first, so small circles stay visible on top; the five largest named beside their circles.
        let ranked = places.filter({ $0.value > 0 }).sorted(by: { ($0.value, $1.label) > ($1.value, $0.label) })
        var circles: [(x: Int, y: Int, r: Int)] = []
        for place in ranked {
            guard let p = point(latitude: place.latitude, longitude: place.longitude) else { continue }
            let radius = max(3, Int((18 * (Double(place.value) / Double(largest)).squareRoot()).rounded()))
            circles.append((p.x, p.y, radius))
            out +=
                "<circle cx=\"\(p.x)\" cy=\"\(p.y)\" r=\"\(radius)\" fill=\"#1d70b8\" fill-opacity=\"0.75\" "
                + "stroke=\"#0b0c0c\" stroke-width=\"1\"><title>\(BarChart.escape(place.label)): \(place.value)"
                + "</title></circle>"
        }
        var labels = ""
        var taken: [Box] = []
        for (place, circle) in zip(ranked.prefix(5), circles) {
            let text = "\(place.label) (\(place.value))"
            guard
                let spot = labelSpot(
                    text, circle: circle, width: width, height: height, taken: taken, circles: circles)
            else { continue }  // no free room: the circle's own title and the table beside the map name it
            taken.append(spot.box)
            labels +=
                "<text x=\"\(spot.x)\" y=\"\(spot.y)\" font-size=\"14\" fill=\"#0b0c0c\" "
                + "text-anchor=\"\(spot.anchor)\" "
                + "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(BarChart.escape(text))</text>"
        }
        return out + labels + "</svg>"
    }

    /// The room a label takes, in view-box units.
    public struct Box: Equatable, Sendable {
        public var left, top, right, bottom: Double
        public init(left: Double, top: Double, right: Double, bottom: Double) {
            (self.left, self.top, self.right, self.bottom) = (left, top, right, bottom)
        }
        func overlaps(_ o: Box) -> Bool { left < o.right && o.left < right && top < o.bottom && o.top < bottom }
    }

    /// The room a 14-unit label of `text` takes with its baseline at `y`, anchored at `x` (start, middle or end):
    /// about 0.56 of the font size a character, which is wider than most sans-serif text.
    public static func labelBox(_ text: String, x: Int, y: Int, anchor: String) -> Box {
        let w = Double(text.count) * 7.8
        let left: Double
        switch anchor {
        case "end": left = Double(x) - w
        case "middle": left = Double(x) - w / 2
        default: left = Double(x)
        }
        return Box(left: left, top: Double(y) - 13, right: left + w, bottom: Double(y) + 4)
    }

    /// Where a place's label goes: beside its circle on the side with more room, else on the other side, else above
    /// or below it, else moved up or down a line or two; never over another label or another named circle, nor
    /// outside the map. Nil when nowhere is free.
    static func labelSpot(
        _ text: String, circle c: (x: Int, y: Int, r: Int), width: Int, height: Int, taken: [Box],
        circles: [(x: Int, y: Int, r: Int)]
    ) -> (x: Int, y: Int, anchor: String, box: Box)? {
        let westFirst = c.x > width * 2 / 3
        let west = (x: c.x - c.r - 4, anchor: "end")
        let east = (x: c.x + c.r + 4, anchor: "start")
        var candidates: [(x: Int, y: Int, anchor: String)] = []
        for shift in [0, -18, 18, -36, 36] {
            for side in westFirst ? [west, east] : [east, west] {
                candidates.append((side.x, c.y + 5 + shift, side.anchor))
            }
            if shift == 0 {
                candidates.append((c.x, c.y - c.r - 6, "middle"))
                candidates.append((c.x, c.y + c.r + 17, "middle"))
            }
        }
        let named = circles.prefix(5).filter { $0 != c }.map {
            Box(
                left: Double($0.x - $0.r), top: Double($0.y - $0.r), right: Double($0.x + $0.r),
                bottom: Double($0.y + $0.r))
        }
        for spot in candidates {
            let box = labelBox(text, x: spot.x, y: spot.y, anchor: spot.anchor)
            guard box.left >= 0, box.top >= 0, box.right <= Double(width), box.bottom <= Double(height) else {
                continue
            }
            if taken.contains(where: box.overlaps) || named.contains(where: box.overlaps) { continue }
            return (spot.x, spot.y, spot.anchor, box)
        }
        return nil
    }
}

/// The arithmetic of the market figures (DOMAIN §11): benchmarks as quartiles, rates, and small counts held back
/// from public figures so that no figure can point at a child.
public enum Figures {
    /// Lower quartile, median and upper quartile of `values`, by linear interpolation between the sorted values
    /// at positions `p × (n − 1)` (the "inclusive" method spreadsheets call QUARTILE.INC), rounded half up to a
    /// whole unit (a penny). Nil for no values.
    public static func quartiles(_ values: [Int]) -> (lower: Int, median: Int, upper: Int)? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func at(_ numerator: Int) -> Int {
            // Position numerator/4 × (n − 1), exactly: whole index and remainder in quarters.
            let scaled = numerator * (sorted.count - 1)
            let index = scaled / 4
            let remainder = scaled % 4
            guard remainder > 0, index + 1 < sorted.count else { return sorted[index] }
            // a + (b − a) × r/4, rounded half up, in Int without overflow for money-sized values.
            let a = sorted[index]
            let b = sorted[index + 1]
            let step = (b - a) * remainder
            return a + (step >= 0 ? (step + 2) / 4 : -((-step + 1) / 4))
        }
        return (at(1), at(2), at(3))
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

    /// The chart's SVG, escaped; `id` makes its title and description referable.
    public static func svg(id: String, title: String, description: String, bars: [Bar]) -> String {
        let rowHeight = 28
        let labelWidth = 260
        let barSpace = 300
        let width = labelWidth + barSpace + 140
        let height = max(1, bars.count) * rowHeight + 10
        let largest = max(1, bars.map(\.value).max() ?? 1)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dps-chart\" viewBox=\"0 0 \(width) \(height)\" "
            + "role=\"img\" aria-labelledby=\"\(escape(id))-title \(escape(id))-desc\">"
            + "<title id=\"\(escape(id))-title\">\(escape(title))</title>"
            + "<desc id=\"\(escape(id))-desc\">\(escape(description))</desc>"
        for (i, bar) in bars.enumerated() {
            let y = i * rowHeight + 5
            let length = bar.value <= 0 ? 0 : max(2, Int((Double(bar.value) / Double(largest)) * Double(barSpace)))
            let label = bar.label.count > 34 ? String(bar.label.prefix(33)) + "…" : bar.label
            out +=
                "<text x=\"0\" y=\"\(y + 17)\" font-size=\"14\" fill=\"#0b0c0c\">\(escape(label))</text>"
                + "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"20\" fill=\"#1d70b8\"/>"
                + "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 17)\" font-size=\"14\" fill=\"#0b0c0c\">"
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

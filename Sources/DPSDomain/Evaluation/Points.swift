import Foundation

/// A score in hundredths of a point: the unit every evaluation criterion is rounded to.
///
/// Points are held as an integer count of hundredths so that rounding is exact and the total is
/// precisely the sum of the rounded criteria a provider sees. In JSON a value is a plain number
/// (`88` / `45.37`); decoding rounds to the nearest hundredth, half away from zero, once.
public struct Points: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in hundredths of a point (8800 is 88.00 points).
    public var hundredths: Int

    /// Creates a value from an exact count of hundredths.
    public init(hundredths: Int) {
        self.hundredths = hundredths
    }

    /// Creates a value from whole points, for weights and thresholds that are set in whole points.
    public init(whole: Int) {
        self.hundredths = whole * 100
    }

    /// Zero points, the identity for summing a breakdown.
    public static let zero = Points(hundredths: 0)

    /// The largest magnitude accepted from outside, far beyond any real score, so that
    /// conversions and later integer arithmetic can never overflow.
    static let maximumMagnitudeHundredths = 1_000_000_000_000

    /// Rounds a decimal value to hundredths, half away from zero; nil when the value is out of range.
    ///
    /// Decimal keeps the digits as written in JSON, so 74.555 becomes 74.56 rather than whatever its
    /// nearest binary double happens to round to.
    public init?(rounding value: Decimal) {
        guard !value.isNaN else { return nil }
        var scaled = value * 100
        var rounded = Decimal()
        // `.plain` rounds halves away from zero for both signs.
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded.magnitude <= Decimal(Self.maximumMagnitudeHundredths) else { return nil }
        self.hundredths = NSDecimalNumber(decimal: rounded).intValue
    }

    /// Rounds a double to hundredths, half away from zero; nil when it is not finite or out of range.
    ///
    /// Suitable for values that have at most two decimals (then the result is exact); prefer the
    /// Decimal initialiser when the digits come from text.
    public init?(rounding value: Double) {
        guard value.isFinite else { return nil }
        let scaled = (value * 100).rounded(.toNearestOrAwayFromZero)
        guard scaled.magnitude <= Double(Self.maximumMagnitudeHundredths) else { return nil }
        self.hundredths = Int(scaled)
    }

    /// The nearest double to the exact value, as emitted in JSON.
    public var doubleValue: Double { Double(hundredths) / 100 }

    /// Two-decimal text such as `88.00` or `-0.05`, the form shown to officers and providers.
    public var description: String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public static func < (lhs: Points, rhs: Points) -> Bool { lhs.hundredths < rhs.hundredths }
}

extension Points: AdditiveArithmetic {
    public static func + (lhs: Points, rhs: Points) -> Points { Points(hundredths: lhs.hundredths + rhs.hundredths) }
    public static func - (lhs: Points, rhs: Points) -> Points { Points(hundredths: lhs.hundredths - rhs.hundredths) }
}

extension Points: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// Whole points from a literal, so tests and fixtures read like the published tables.
    public init(integerLiteral value: Int) {
        self.init(whole: value)
    }

    /// Points from a literal with at most two decimals (e.g. `74.5`); traps on NaN or absurd values.
    public init(floatLiteral value: Double) {
        guard let points = Points(rounding: value) else { preconditionFailure("invalid points literal \(value)") }
        self = points
    }
}

extension Points: Codable {
    /// Decodes a JSON number, keeping the written digits where the decoder can (Decimal) and
    /// rounding once to hundredths, half away from zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let decoded: Points?
        if let decimal = try? container.decode(Decimal.self) {
            decoded = Points(rounding: decimal)
        } else {
            decoded = Points(rounding: try container.decode(Double.self))
        }
        guard let decoded else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "number out of range")
        }
        self = decoded
    }

    /// Encodes as a JSON number whose value is exactly the hundredths (the nearest double to it).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(doubleValue)
    }
}

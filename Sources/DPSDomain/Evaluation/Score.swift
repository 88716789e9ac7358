import Foundation

/// A score given to a bid (qualification 0-100, outcomes and incentives 0-5), held exactly to six decimal
/// places so that a consensus such as 3.3333 reaches the criterion's formula unrounded: DOMAIN §7 rounds
/// once, at each criterion's points. In JSON it is a plain number; digits beyond the sixth decimal place are
/// rounded half away from zero when read.
public struct Score: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral
{
    /// Millionths of a point.
    public let millionths: Int

    public static let scale = 1_000_000
    /// Far above any valid score, so products in the formulas stay inside Int64.
    static let maximumMagnitude = 1_000_000 * scale

    public init(millionths: Int) { self.millionths = millionths }
    public init(whole: Int) { millionths = whole * Self.scale }
    /// An exact conversion from hundredths.
    public init(_ points: Points) { millionths = points.hundredths * (Self.scale / 100) }
    public init(integerLiteral value: Int) { self.init(whole: value) }
    public init(floatLiteral value: Double) {
        guard let score = Score(rounding: Decimal(string: String(value)) ?? Decimal(value)) else {
            preconditionFailure("invalid score literal \(value)")
        }
        self = score
    }

    /// Rounds to millionths, half away from zero; nil beyond the range.
    public init?(rounding value: Decimal) {
        // Bounded before scaling: a huge value (1e308) overflowed the multiplication into NaN, passed the check
        // below and was read as 0.
        guard !value.isNaN, value.magnitude <= Decimal(Self.maximumMagnitude / Self.scale) else { return nil }
        var scaled = value * Decimal(Self.scale)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard !rounded.isNaN, rounded.magnitude <= Decimal(Self.maximumMagnitude) else { return nil }
        millionths = NSDecimalNumber(decimal: rounded).intValue
    }

    public static let zero = Score(millionths: 0)
    public static func < (a: Score, b: Score) -> Bool { a.millionths < b.millionths }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let decimal: Decimal
        if let value = try? container.decode(Decimal.self) {
            decimal = value
        } else {
            let double = try container.decode(Double.self)
            guard double.isFinite else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "a score must be a finite number")
            }
            decimal = Decimal(double)
        }
        guard let score = Score(rounding: decimal) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "score \(decimal) is out of range")
        }
        self = score
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Decimal(millionths) / Decimal(Self.scale))
    }

    /// `3.3333`, `4`: no trailing zeros.
    public var description: String { "\(Decimal(millionths) / Decimal(Self.scale))" }
}

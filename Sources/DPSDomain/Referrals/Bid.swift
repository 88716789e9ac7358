import Foundation

/// What a provider offers for a referral, as plain values.
public struct BidOffer: Sendable, Equatable {
    /// Core cost lines (pence a week per child), each at most the approved schedule's.
    public var core: [String: Int]
    /// Itemised variable costs for this child's needs (pence a week per child).
    public var variable: [BidItem]
    /// Cohort/sibling discount offered, in basis points.
    public var discountBasisPoints: Int

    public init(core: [String: Int], variable: [BidItem], discountBasisPoints: Int) {
        self.core = core; self.variable = variable; self.discountBasisPoints = discountBasisPoints
    }
}

public struct BidItem: Codable, Sendable, Equatable, Hashable {
    public var description: String
    public var pence: Int
    public init(description: String, pence: Int) { self.description = description; self.pence = pence }
}

public enum BidRules {
    /// The published discount that applies to `children` placed together: the highest tier reached.
    public static func publishedDiscount(tiers: [Int: Int], children: Int) -> Int {
        tiers.filter { $0.key <= children }.max { $0.key < $1.key }?.value ?? 0
    }

    /// Every problem with an offer: a core line raised above the approved schedule or missing, a variable
    /// item without a description or with a negative amount, a discount below the published tier.
    public static func validate(_ offer: BidOffer, approved: [String: Int], lineNames: [String: String], tiers: [Int: Int], children: Int) -> [FieldError] {
        var errors: [FieldError] = []
        for (line, cap) in approved.sorted(by: { $0.key < $1.key }) {
            let name = lineNames[line] ?? line
            guard let offered = offer.core[line] else {
                errors.append(FieldError(field: "core.\(line)", message: "Enter the weekly cost for \(name)"))
                continue
            }
            if offered < 0 { errors.append(FieldError(field: "core.\(line)", message: "\(name) cannot be negative")) }
            if offered > cap {
                errors.append(FieldError(field: "core.\(line)", message: "\(name) can be lowered but not raised above the approved \(formatPence(cap))"))
            }
        }
        for line in offer.core.keys where approved[line] == nil {
            errors.append(FieldError(field: "core.\(line)", message: "\(line) is not a line of the approved core cost schedule"))
        }
        for (i, item) in offer.variable.enumerated() {
            if item.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                errors.append(FieldError(field: "variable[\(i)]", message: "Describe variable cost \(i + 1)"))
            }
            if item.pence < 0 { errors.append(FieldError(field: "variable[\(i)]", message: "Variable cost \(i + 1) cannot be negative")) }
        }
        let floor = publishedDiscount(tiers: tiers, children: children)
        if offer.discountBasisPoints < floor {
            errors.append(FieldError(field: "discount", message: "The discount for \(children) children placed together cannot be below your published \(Double(floor) / 100)%"))
        }
        if offer.discountBasisPoints > 10_000 { errors.append(FieldError(field: "discount", message: "The discount cannot exceed 100%")) }
        return errors
    }

    /// Weekly cost of the whole placement: (core + variable) per child × children, less the discount,
    /// rounded half up to the penny.
    public static func weeklyCostPence(_ offer: BidOffer, children: Int) -> Int {
        let perChild = offer.core.values.reduce(0, +) + offer.variable.reduce(0) { $0 + $1.pence }
        let gross = perChild * max(1, children)
        let discount = (gross * offer.discountBasisPoints + 5_000) / 10_000
        return gross - discount
    }
}

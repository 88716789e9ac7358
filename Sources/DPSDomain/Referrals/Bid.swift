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
        self.core = core
        self.variable = variable
        self.discountBasisPoints = discountBasisPoints
    }
}

public struct BidItem: Codable, Sendable, Equatable, Hashable {
    public var description: String
    public var pence: Int
    public init(description: String, pence: Int) {
        self.description = description
        self.pence = pence
    }
}

public enum BidRules {
    /// The published discount that applies to `children` placed together: the highest tier reached.
    public static func publishedDiscount(tiers: [Int: Int], children: Int) -> Int {
        tiers.filter { $0.key <= children }.max { $0.key < $1.key }?.value ?? 0
    }

    /// Every problem with an offer: a core line raised above the approved schedule or missing, a variable
    /// item without a description or with a negative amount, a discount below the published tier.
    public static func validate(
        _ offer: BidOffer, approved: [String: Int], lineNames: [String: String], tiers: [Int: Int], children: Int
    ) -> [FieldError] {
        var errors: [FieldError] = []
        for (line, cap) in approved.sorted(by: { $0.key < $1.key }) {
            let name = lineNames[line] ?? line
            guard let offered = offer.core[line] else {
                errors.append(FieldError(field: "core.\(line)", message: "Enter the weekly cost for \(name)"))
                continue
            }
            if offered < 0 { errors.append(FieldError(field: "core.\(line)", message: "\(name) cannot be negative")) }
            if offered > cap {
                errors.append(
                    FieldError(
                        field: "core.\(line)",
                        message: "\(name) can be lowered but not raised above the approved \(formatPence(cap))"))
            }
        }
        for line in offer.core.keys where approved[line] == nil {
            errors.append(
                FieldError(field: "core.\(line)", message: "\(line) is not a line of the approved core cost schedule"))
        }
        for (i, item) in offer.variable.enumerated() {
            if item.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                errors.append(FieldError(field: "variable[\(i)]", message: "Describe variable cost \(i + 1)"))
            }
            if item.pence < 0 {
                errors.append(FieldError(field: "variable[\(i)]", message: "Variable cost \(i + 1) cannot be negative"))
            }
        }
        if offer.variable.count > maximumVariableItems {
            errors.append(FieldError(field: "variable", message: "List at most \(maximumVariableItems) variable costs"))
        }
        let floor = publishedDiscount(tiers: tiers, children: children)
        let covered = tiers.keys.contains { $0 <= children }
        if offer.discountBasisPoints < floor {
            errors.append(
                FieldError(
                    field: "discount",
                    message:
                        "The discount for \(children) children placed together cannot be below your published "
                        + "\(Double(floor) / 100)%"
                ))
        } else if offer.discountBasisPoints > 0 && !covered {
            errors.append(
                FieldError(
                    field: "discount",
                    message:
                        "A discount applies only to children placed together as your discount tiers cover; "
                        + "enter 0 for \(children) child\(children == 1 ? "" : "ren")"
                ))
        } else if offer.discountBasisPoints >= 10_000 {
            errors.append(FieldError(field: "discount", message: "The discount must be below 100%"))
        }
        if errors.isEmpty {
            switch weeklyCostPence(offer, children: children) {
            case nil:
                errors.append(FieldError(field: "variable", message: "The weekly cost is too large to be a real price"))
            case let cost? where cost <= 0:
                errors.append(FieldError(field: "core", message: "The weekly cost of the bid must be more than £0.00"))
            default: break
            }
        }
        return errors
    }

    /// The most variable cost items a bid may list.
    public static let maximumVariableItems = 5

    /// Weekly cost of the whole placement: (core + variable) per child × children, less the discount,
    /// rounded half up to the penny.
    /// Nil when the amounts are too large to add up (validation refuses such an offer).
    public static func weeklyCostPence(_ offer: BidOffer, children: Int) -> Int? {
        guard let perChild = SafeArithmetic.sum(Array(offer.core.values) + offer.variable.map(\.pence)),
            let gross = SafeArithmetic.product(perChild, max(1, children)),
            let scaled = SafeArithmetic.product(gross, offer.discountBasisPoints),
            let rounded = SafeArithmetic.sum([scaled, 5_000])
        else { return nil }
        return gross - rounded / 10_000
    }
}

/// Sharing the central function's costs among the partners (DOMAIN §9, BC 12): equally, or by use (placements or
/// spend). Shares are whole pence and always add up to the cost exactly: each partner gets the floor of its exact
/// share, and the pence left over go one each to the largest remainders (ties by the order given), so no penny
/// is lost or invented.
public enum CostSharing {
    public enum Basis: String, CaseIterable, Codable, Sendable { case equal, placements, spend }

    /// `cost` pence shared by `weights` (one per partner, in order; all equal for an equal share). A partner with
    /// weight 0 pays nothing; when every weight is 0 the cost is shared equally. Nil when the cost or a weight is
    /// negative, or the arithmetic would overflow.
    public static func shares(of cost: Int, weights: [Int]) -> [Int]? {
        guard cost >= 0, !weights.isEmpty, weights.allSatisfy({ $0 >= 0 }) else { return nil }
        let used = weights.allSatisfy { $0 == 0 } ? weights.map { _ in 1 } : weights
        var total = 0
        for w in used {
            let (sum, overflow) = total.addingReportingOverflow(w)
            guard !overflow else { return nil }
            total = sum
        }
        var shares: [Int] = []
        var remainders: [(index: Int, remainder: Int)] = []
        for (index, w) in used.enumerated() {
            guard let exact = dividing(cost, times: w, by: total) else { return nil }
            shares.append(exact.quotient)
            remainders.append((index, exact.remainder))
        }
        // The floors fall short by fewer pence than there are partners with a remainder.
        var left = cost - shares.reduce(0, +)
        let order = remainders.sorted {
            $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index
        }
        for r in order where left > 0 && r.remainder > 0 {
            shares[r.index] += 1
            left -= 1
        }
        return shares
    }

    /// `a × b ÷ c` as quotient and remainder, without overflow for non-negative values whose quotient fits.
    static func dividing(_ a: Int, times b: Int, by c: Int) -> (quotient: Int, remainder: Int)? {
        guard c > 0 else { return nil }
        let product = a.multipliedFullWidth(by: b)
        guard product.high < c else { return nil }
        let (q, r) = c.dividingFullWidth(product)
        return (q, r)
    }

    /// A founders' statement for a year: the one-off procurement cost and the central function's annual cost,
    /// less the joining fees received that year, shared among the founding partners on `basis`. Joiners pay their
    /// fee and no share. Nil when the fees exceed the costs or the figures are negative.
    public static func foundersShares(
        procurementPence: Int, centralPence: Int, joiningFeesPence: Int, weights: [Int]
    ) -> [Int]? {
        let (costs, overflow) = procurementPence.addingReportingOverflow(centralPence)
        guard !overflow, procurementPence >= 0, centralPence >= 0, joiningFeesPence >= 0, joiningFeesPence <= costs
        else { return nil }
        return shares(of: costs - joiningFeesPence, weights: weights)
    }
}

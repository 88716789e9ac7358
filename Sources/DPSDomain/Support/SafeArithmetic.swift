import Foundation

/// Integer arithmetic on values that came from outside and may still be huge: it reports overflow as
/// nil instead of trapping, so no input can end the process.
public enum SafeArithmetic {
    /// The sum, or nil when it does not fit in an Int.
    public static func sum(_ values: some Sequence<Int>) -> Int? {
        var total = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return nil }
            total = next
        }
        return total
    }

    /// The product, or nil when it does not fit in an Int.
    public static func product(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : value
    }
}

import Foundation

extension KeyedDecodingContainer {
    /// Decodes a whole number, reporting fractions and out-of-range numbers against this key.
    ///
    /// Foundation's JSONDecoder reports `52.5` for an `Int` as "not valid JSON" with no path; the
    /// contract promises the path of the bad field, so the failure is re-diagnosed here.
    func decodeEvaluationWholeNumber(forKey key: Key) throws -> Int {
        if let value = try? decode(Int.self, forKey: key) { return value }
        if let decimal = try? decode(Decimal.self, forKey: key) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected a whole number within range, got \(decimal)")
        }
        return try decode(Int.self, forKey: key)
    }

    /// `decodeEvaluationWholeNumber` for an optional key: nil when absent or null.
    func decodeEvaluationWholeNumberIfPresent(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeEvaluationWholeNumber(forKey: key)
    }
}

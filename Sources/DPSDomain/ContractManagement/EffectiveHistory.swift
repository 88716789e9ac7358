import Foundation

/// A value that changes over time, each change taking effect from a moment: a membership's qualification score
/// after re-scoring (DOMAIN §5), or a category's core fee schedule after the annual review. A referral uses the
/// value in force when it was published, so a change never reaches a referral already published.
public struct EffectiveHistory<Value: Sendable & Equatable>: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var from: Date
        public var value: Value
        public init(from: Date, value: Value) {
            self.from = from
            self.value = value
        }
    }

    public let original: Value
    public private(set) var changes: [Change]

    /// `original` applies before the first change; changes may be given in any order.
    public init(original: Value, changes: [Change] = []) {
        self.original = original
        self.changes = changes.sorted { $0.from < $1.from }
    }

    /// The value in force at `moment`: the latest change that took effect at or before it.
    public func value(at moment: Date) -> Value {
        changes.last { $0.from <= moment }?.value ?? original
    }

    /// Adds a change; a second change from the same moment replaces the first.
    public mutating func record(_ value: Value, from moment: Date) {
        changes.removeAll { $0.from == moment }
        changes.append(Change(from: moment, value: value))
        changes.sort { $0.from < $1.from }
    }
}

import Foundation

/// The period of validity of the DPS [BC 5.6]: both dates inclusive, so "1 April 2017 to 31 March
/// 2021" reads as officers write it. Changes (extend, shorten, terminate) go through `applying`.
public struct ValidityPeriod: Equatable, Hashable, Codable, Sendable {
    /// The first day the DPS is valid.
    public var start: LocalDate
    /// The last day the DPS is valid.
    public var end: LocalDate

    public init(start: LocalDate, end: LocalDate) {
        self.start = start
        self.end = end
    }

    /// A new period must end after it starts (fields `validity.end`).
    public func validate() -> [FieldError] {
        end > start
            ? []
            : [
                FieldError(
                    field: "validity.end",
                    message: "The end of the period of validity must be after its start, \(start.longForm)")
            ]
    }

    /// True when `date` is within the period, ends included.
    public func contains(_ date: LocalDate) -> Bool {
        start <= date && date <= end
    }

    /// The period after a recorded change, or every reason the change is refused.
    ///
    /// - extend: the new end must be later than the current end, and the DPS must not already have
    ///   ended (a lapsed DPS cannot be revived by extension).
    /// - shorten: the new end must be earlier than the current end, not before the start, and not
    ///   before today (a change cannot take effect in the past).
    /// - terminate: the DPS ends on the new end, which may be today (ending at close of today) but not
    ///   earlier, not after the current end, and not before the start.
    /// Every change needs a reason, because it is recorded and notified.
    public func applying(_ change: ValidityChange, today: LocalDate) throws(ValidationFailure) -> ValidityPeriod {
        var errors: [FieldError] = []
        if QualificationText.isBlank(change.reason) {
            errors.append(
                FieldError(field: "reason", message: "Enter a reason for the change to the period of validity"))
        }
        let newEnd = change.newEnd
        switch change.kind {
        case .extend:
            if newEnd <= end {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message: "To extend the DPS, the new end date must be after the current end, \(end.longForm)"))
            }
            if end < today {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message: "The DPS ended on \(end.longForm) and cannot be extended after it has ended"))
            }
        case .shorten:
            if newEnd >= end {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message: "To shorten the DPS, the new end date must be before the current end, \(end.longForm)")
                )
            }
            if newEnd < start {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message: "The new end date cannot be before the start of the DPS, \(start.longForm)"))
            }
            if newEnd < today {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message: "The new end date cannot be in the past; to end the DPS now, terminate it"))
            }
        case .terminate:
            if newEnd < today {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message:
                            "A termination cannot take effect in the past; "
                            + "the earliest end date is today, \(today.longForm)"
                    ))
            }
            if newEnd > end {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message:
                            "A termination cannot end the DPS after its current end, \(end.longForm); extend it instead"
                    ))
            }
            if newEnd < start {
                errors.append(
                    FieldError(
                        field: "newEnd",
                        message: "The new end date cannot be before the start of the DPS, \(start.longForm)"))
            }
        }
        if !errors.isEmpty { throw ValidationFailure(errors: errors) }
        return ValidityPeriod(start: start, end: newEnd)
    }
}

/// A recorded change to the period of validity.
public struct ValidityChange: Equatable, Hashable, Codable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case extend, shorten, terminate
    }

    public var kind: Kind
    /// The last valid day after the change.
    public var newEnd: LocalDate
    public var reason: String

    public init(kind: Kind, newEnd: LocalDate, reason: String) {
        self.kind = kind
        self.newEnd = newEnd
        self.reason = reason
    }
}

/// A period during which the DPS takes no new applications, such as on-boarding [BC 7.20]. Entry is
/// closed from `start` (included) to `end` (excluded), so a window ending at midnight on 1 April
/// reopens on 1 April.
public struct ClosedWindow: Equatable, Hashable, Codable, Sendable {
    public var start: Date
    public var end: Date
    /// Shown to applicants, e.g. "on-boarding".
    public var reason: String

    public init(start: Date, end: Date, reason: String) {
        self.start = start
        self.end = end
        self.reason = reason
    }

    /// True when `instant` is in [start, end).
    public func contains(_ instant: Date) -> Bool {
        start <= instant && instant < end
    }

    /// A window must end after it starts and say why it is closed.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if end <= start {
            errors.append(FieldError(field: "end", message: "A closed window must end after it starts"))
        }
        if QualificationText.isBlank(reason) {
            errors.append(
                FieldError(field: "reason", message: "Enter a reason for closing the DPS to new applications"))
        }
        return errors
    }
}

/// Whether the DPS takes new applications at an instant: it is open at all times within its period of
/// validity except in closed windows (§3).
public enum AdmissionWindows {
    public static func isOpen(at instant: Date, closed: [ClosedWindow], validity: ValidityPeriod) -> Bool {
        check(at: instant, closed: closed, validity: validity) == nil
    }

    /// Why a submission at `instant` is refused (field `submission`), or nil when entry is open.
    /// Dates in messages are London dates; a window's end is shown as the day it reopens.
    public static func check(at instant: Date, closed: [ClosedWindow], validity: ValidityPeriod) -> FieldError? {
        let today = LocalDate.from(instant, in: .london)
        if today < validity.start {
            return FieldError(
                field: "submission",
                message: "The DPS opens to applications on \(validity.start.longForm); apply from then")
        }
        if today > validity.end {
            return FieldError(
                field: "submission",
                message: "The DPS closed on \(validity.end.longForm) and no longer takes applications")
        }
        if let window = closed.filter({ $0.contains(instant) }).max(by: { $0.end < $1.end }) {
            let from = LocalDate.from(window.start, in: .london).longForm
            let to = LocalDate.from(window.end, in: .london).longForm
            let reason = QualificationText.reason(window.reason).map { " (\($0))" } ?? ""
            return FieldError(
                field: "submission",
                message: "The DPS is closed to new applications from \(from) to \(to)\(reason); apply after it reopens")
        }
        return nil
    }
}

import Foundation

/// How a placement runs through the year; fixes the weeks used to turn weekly costs into annual ones.
public enum PlacementPattern: String, Codable, Sendable, CaseIterable {
    case day38, weekly38, residential42, residential52, fostering

    public var weeksPerYear: Int {
        switch self {
        case .day38, .weekly38: 38
        case .residential42: 42
        case .residential52, .fostering: 52
        }
    }

    public var label: String {
        switch self {
        case .day38: "38-week day placement"
        case .weekly38: "38-week weekly boarding"
        case .residential42: "42-week residential"
        case .residential52: "52-week residential"
        case .fostering: "Fostering (52 weeks)"
        }
    }
}

/// One need from the EHC plan or care plan, with the marks it carries in scoring (default 1).
public struct ReferralNeed: Codable, Sendable, Equatable, Hashable {
    public var id: String
    public var text: String
    public var marks: Int
    /// The area of need it is coded with, when the officer gave one.
    public var code: NeedArea?
    public init(id: String, text: String, marks: Int = 1, code: NeedArea? = nil) {
        self.id = id
        self.text = text
        self.marks = marks
        self.code = code
    }
}

/// A referral's lifecycle (DOMAIN §6-§8). Bids are sealed while `published`.
public enum ReferralState: String, Codable, Sendable, CaseIterable {
    case draft, published, closed, awaitingParent, awarded, cancelled, reissued

    public var label: String {
        switch self {
        case .draft: "Draft"
        case .published: "Open for bids"
        case .closed: "Closed: evaluating"
        case .awaitingParent: "Waiting for the parent's preference"
        case .awarded: "Awarded"
        case .cancelled: "Cancelled"
        case .reissued: "Re-issued"
        }
    }

    public enum Event: String, Sendable, CaseIterable { case publish, extend, close, askParent, award, cancel, reissue }

    public static let transitions: [ReferralState: [Event: ReferralState]] = [
        .draft: [.publish: .published, .cancel: .cancelled],
        .published: [.extend: .published, .close: .closed, .cancel: .cancelled],
        .closed: [.askParent: .awaitingParent, .award: .awarded, .cancel: .cancelled, .reissue: .reissued],
        .awaitingParent: [.award: .awarded, .cancel: .cancelled],
    ]

    public func applying(_ event: Event) throws(ValidationFailure) -> ReferralState {
        guard let next = Self.transitions[self]?[event] else {
            throw ValidationFailure(
                field: "state", message: "A referral that is \(label.lowercased()) cannot be \(event.pastTense)")
        }
        return next
    }
}

extension ReferralState.Event {
    var pastTense: String {
        switch self {
        case .publish: "published"
        case .extend: "extended"
        case .close: "closed"
        case .askParent: "sent to the parent"
        case .award: "awarded"
        case .cancel: "cancelled"
        case .reissue: "re-issued"
        }
    }
}

/// What an officer enters for a referral, as plain values.
public struct ReferralDraft: Sendable, Equatable {
    public var pattern: PlacementPattern?
    public var startDate: LocalDate?
    public var durationWeeks: Int?
    public var children: Int
    public var childAge: Int?
    public var childGender: String
    public var needs: [ReferralNeed]
    public var mustHaves: [String]
    public var desirables: [ReferralNeed]
    public var outcomes: [String]
    public var weights: [ReferralCriterion: Int]
    public var radiusMiles: Double?
    public var deadline: Date?
    public var parentChoice: Bool
    /// Block bookings: places bought for the period, and the void terms.
    public var places: Int
    public var voidTerms: String

    public init(
        pattern: PlacementPattern?, startDate: LocalDate?, durationWeeks: Int?, children: Int, childAge: Int?,
        childGender: String,
        needs: [ReferralNeed], mustHaves: [String], desirables: [ReferralNeed], outcomes: [String],
        weights: [ReferralCriterion: Int],
        radiusMiles: Double?, deadline: Date?, parentChoice: Bool, places: Int = 1, voidTerms: String = ""
    ) {
        self.pattern = pattern
        self.startDate = startDate
        self.durationWeeks = durationWeeks
        self.children = children
        self.childAge = childAge
        self.childGender = childGender
        self.needs = needs
        self.mustHaves = mustHaves
        self.desirables = desirables
        self.outcomes = outcomes
        self.weights = weights
        self.radiusMiles = radiusMiles
        self.deadline = deadline
        self.parentChoice = parentChoice
        self.places = places
        self.voidTerms = voidTerms
    }
}

/// The rules a referral must meet before it is published (DOMAIN §6-§7, §10).
public enum ReferralRules {
    /// Every problem with a draft, named by field. `bounds` are the category's weight bounds.
    public static func validate(
        _ d: ReferralDraft, bounds: [ReferralCriterion: WeightBound], regime: String, shortDeadlinesAgreed: Bool,
        now: Date, block: Bool = false
    ) -> [FieldError] {
        var errors: [FieldError] = []
        if d.pattern == nil { errors.append(FieldError(field: "pattern", message: "Choose the placement pattern")) }
        if let start = d.startDate {
            if start < LocalDate.from(now) {
                errors.append(FieldError(field: "startDate", message: "The start date must be today or later"))
            } else if start > LocalDate.from(now).adding(days: 731) {
                errors.append(
                    FieldError(field: "startDate", message: "The start date must be within two years from today"))
            }
        } else {
            errors.append(
                FieldError(field: "startDate", message: "Enter the start date as a date, for example 4 1 2027"))
        }
        if (d.durationWeeks ?? 0) < 1 || (d.durationWeeks ?? 0) > 520 {
            errors.append(
                FieldError(field: "durationWeeks", message: "Enter the expected duration in weeks, from 1 to 520"))
        }
        if !(1...10).contains(d.children) {
            errors.append(
                FieldError(field: "children", message: "Enter the number of children placed together, from 1 to 10"))
        }
        if !block {
            if !(0...25).contains(d.childAge ?? -1) {
                errors.append(FieldError(field: "childAge", message: "Enter the child's age in years, from 0 to 25"))
            }
            if !["boy", "girl", "other"].contains(d.childGender) {
                errors.append(FieldError(field: "childGender", message: "Choose the child's gender"))
            }
        } else if !(1...200).contains(d.places) {
            errors.append(FieldError(field: "places", message: "Enter the number of places to book, from 1 to 200"))
        }
        if d.needs.isEmpty {
            errors.append(FieldError(field: "needs", message: "Enter at least one need from the EHC plan or care plan"))
        }
        for (i, need) in d.needs.enumerated() where !(1...10).contains(need.marks) {
            errors.append(FieldError(field: "needs", message: "Need \(i + 1) must carry from 1 to 10 marks"))
        }
        for (i, desirable) in d.desirables.enumerated() where !(1...10).contains(desirable.marks) {
            errors.append(
                FieldError(field: "desirables", message: "Desirable feature \(i + 1) must carry from 1 to 10 marks"))
        }
        if d.outcomes.isEmpty {
            errors.append(FieldError(field: "outcomes", message: "Enter at least one desired outcome"))
        }
        let lists: [(String, String, [String])] = [
            ("needs", "needs", d.needs.map(\.text)), ("mustHaves", "must-have features", d.mustHaves),
            ("desirables", "desirable features", d.desirables.map(\.text)), ("outcomes", "outcomes", d.outcomes),
        ]
        for (field, noun, items) in lists {
            if items.count > maximumListItems {
                errors.append(
                    FieldError(
                        field: field, message: "List at most \(maximumListItems) \(noun); there are \(items.count)"))
            }
            if let long = items.firstIndex(where: { $0.count > maximumItemLength }) {
                errors.append(
                    FieldError(
                        field: field,
                        message: "Line \(long + 1) of the \(noun) is longer than \(maximumItemLength) characters"))
            }
        }
        errors += weightErrors(d.weights, bounds: bounds)
        if (d.weights[.desirables] ?? 0) > 0 && d.desirables.isEmpty {
            errors.append(
                FieldError(field: "weights.desirables", message: "List the desirable features, or give them 0 points"))
        }
        // Bids must be in, evaluated and awarded before the child moves in.
        if let deadline = d.deadline, let start = d.startDate, LocalDate.from(deadline) >= start {
            errors.append(
                FieldError(
                    field: "deadline", message: "The deadline must be before the placement starts (\(start.iso))"))
        }
        if let r = d.radiusMiles {
            if !(r >= 1 && r <= 500) {
                errors.append(FieldError(field: "radiusMiles", message: "Enter a radius from 1 to 500 miles"))
            }
        } else {
            errors.append(FieldError(field: "radiusMiles", message: "Enter the radius in miles from the child's home"))
        }
        if let deadline = d.deadline {
            if let problem = ReferralDeadlineRule.check(
                regime: regime, publishedAt: now, deadline: deadline, shortDeadlinesAgreed: shortDeadlinesAgreed)
            {
                errors.append(FieldError(field: "deadline", message: problem.message))
            }
        } else {
            errors.append(
                FieldError(field: "deadline", message: "Enter the response deadline, for example 25 11 2026 at 17:00"))
        }
        return errors
    }

    /// The most lines a referral's needs, must-haves, desirables or outcomes may have, and the longest line.
    public static let maximumListItems = 50
    public static let maximumItemLength = 1_000

    /// Points add to 100; each within §7's hard bounds and the category's bounds.
    public static func weightErrors(_ weights: [ReferralCriterion: Int], bounds: [ReferralCriterion: WeightBound])
        -> [FieldError]
    {
        var errors: [FieldError] = []
        for criterion in ReferralCriterion.allCases {
            let w = weights[criterion] ?? 0
            let hard = criterion.hardBounds
            let lo = max(hard.lowerBound, bounds[criterion]?.min ?? hard.lowerBound)
            let hi = min(hard.upperBound, bounds[criterion]?.max ?? hard.upperBound)
            if w < lo || w > hi {
                errors.append(
                    FieldError(
                        field: "weights.\(criterion.rawValue)",
                        message:
                            "\(criterion.rawValue.prefix(1).uppercased() + criterion.rawValue.dropFirst()) "
                            + "must be from \(lo) to \(hi) points in this category"
                    ))
            }
        }
        // Values beyond every bound were named above; the sum must not trap on them.
        if let total = SafeArithmetic.sum(ReferralCriterion.allCases.map { weights[$0] ?? 0 }) {
            if total != 100 {
                errors.append(
                    FieldError(field: "weights", message: "The points must add up to 100; they add up to \(total)"))
            }
        } else {
            errors.append(FieldError(field: "weights", message: "The points must add up to 100"))
        }
        return errors
    }
}

import Foundation

// The lifecycles of §4 and §5 as explicit tables, so the allowed moves can be read, documented and
// tested exhaustively, and every refused move says why in plain English.

/// Where an application to join the DPS is in its life.
public enum ApplicationState: String, Codable, Sendable, CaseIterable {
    case draft, submitted, clarificationRequested, decided, withdrawn

    /// Every allowed move. Anything not listed is refused.
    ///
    /// A provider may withdraw while a clarification question is open as well as before or after
    /// submission: it would be odd to force an answer just to be allowed to leave.
    public static let transitions: [ApplicationState: [ApplicationEvent: ApplicationState]] = [
        .draft: [.submit: .submitted, .withdraw: .withdrawn],
        .submitted: [.askClarification: .clarificationRequested, .decideAll: .decided, .withdraw: .withdrawn],
        .clarificationRequested: [.answerClarification: .submitted, .withdraw: .withdrawn],
        .decided: [:],
        .withdrawn: [:],
    ]

    /// The events allowed from this state.
    public var allowedEvents: Set<ApplicationEvent> { Set(Self.transitions[self, default: [:]].keys) }

    /// True once nothing more can happen.
    public var isFinal: Bool { allowedEvents.isEmpty }

    public func applying(_ event: ApplicationEvent) throws(ValidationFailure) -> ApplicationState {
        if let next = Self.transitions[self]?[event] { return next }
        throw ValidationFailure(field: "state", message: "An application that is \(label) cannot be \(event.pastTense)")
    }

    /// Plain-English state for messages.
    public var label: String {
        switch self {
        case .draft: return "a draft"
        case .submitted: return "submitted"
        case .clarificationRequested: return "waiting for a clarification answer"
        case .decided: return "decided"
        case .withdrawn: return "withdrawn"
        }
    }
}

/// Something that happens to an application.
public enum ApplicationEvent: String, Codable, Sendable, CaseIterable {
    case submit, askClarification, answerClarification, decideAll, withdraw

    var pastTense: String {
        switch self {
        case .submit: return "submitted"
        case .askClarification: return "sent a clarification question"
        case .answerClarification: return "given a clarification answer"
        case .decideAll: return "decided"
        case .withdraw: return "withdrawn"
        }
    }
}

/// The decision on one category of an application (§4: an establishment can be admitted to one
/// category and refused another).
public enum CategoryDecisionState: String, Codable, Sendable, CaseIterable {
    case pending, admitted, refused

    /// Only a pending category can be decided; decisions are final (a mistake is corrected by a new
    /// application or a membership action, leaving the record intact).
    public static let transitions: [CategoryDecisionState: [CategoryDecision.Kind: CategoryDecisionState]] = [
        .pending: [.admit: .admitted, .refuse: .refused],
        .admitted: [:],
        .refused: [:],
    ]

    public func applying(_ decision: CategoryDecision) throws(ValidationFailure) -> CategoryDecisionState {
        guard let next = Self.transitions[self]?[decision.kind] else {
            throw ValidationFailure(
                field: "decision", message: "This category has already been \(rawValue) and cannot be decided again")
        }
        if case .refuse = decision, decision.recordedReason == nil {
            throw ValidationFailure(
                field: "reason", message: "Enter the reasons for refusing this category; the applicant must be told why"
            )
        }
        return next
    }
}

/// An evaluator's review of one pass/fail answer (§4): a fail must give its reason.
public enum ReviewOutcome: String, Codable, Sendable, CaseIterable {
    case pass, fail

    /// What stops a category being admitted (§4: a provider qualifies only by passing every pass/fail
    /// question): each question, in order, that has no review yet or failed, as "text: not reviewed" or
    /// "text: failed". Empty when every question was reviewed and passed.
    public static func admissionBlockers(questions: [(key: String, text: String)], reviews: [String: ReviewOutcome])
        -> [String]
    {
        questions.compactMap { question in
            switch reviews[question.key] {
            case nil: "\(question.text): not reviewed"
            case .fail?: "\(question.text): failed"
            case .pass?: nil
            }
        }
    }
}

/// A decision on a category. A refusal must give reasons; an admission may, and any reason given is
/// recorded and sent to the applicant.
public enum CategoryDecision: Equatable, Hashable, Codable, Sendable {
    case admit(reason: String?)
    case refuse(reason: String)

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case admit, refuse
    }

    public var kind: Kind {
        switch self {
        case .admit: return .admit
        case .refuse: return .refuse
        }
    }

    /// The reason as it should be stored: trimmed, or nil when nothing was written.
    public var recordedReason: String? {
        switch self {
        case .admit(let reason): return QualificationText.reason(reason)
        case .refuse(let reason): return QualificationText.reason(reason)
        }
    }
}

/// One establishment's membership of one category (§5).
public enum MembershipState: String, Codable, Sendable, CaseIterable {
    case active, suspended, removed, withdrawn

    /// Every allowed move. Removed and withdrawn are final: coming back means a new application.
    public static let transitions: [MembershipState: [MembershipEvent.Kind: MembershipState]] = [
        .active: [.suspend: .suspended, .remove: .removed, .withdraw: .withdrawn],
        .suspended: [.reinstate: .active, .remove: .removed, .withdraw: .withdrawn],
        .removed: [:],
        .withdrawn: [:],
    ]

    public var allowedEvents: Set<MembershipEvent.Kind> { Set(Self.transitions[self, default: [:]].keys) }

    public var isFinal: Bool { allowedEvents.isEmpty }

    /// True when the establishment can be invited to referrals.
    public var canReceiveReferrals: Bool { self == .active }

    public func applying(_ event: MembershipEvent) throws(ValidationFailure) -> MembershipState {
        guard let next = Self.transitions[self]?[event.kind] else {
            throw ValidationFailure(
                field: "state", message: "A membership that is \(rawValue) cannot be \(event.kind.pastTense)")
        }
        if event.kind.requiresReason && event.recordedReason == nil {
            throw ValidationFailure(field: "reason", message: event.kind.missingReasonMessage)
        }
        return next
    }
}

/// Something that happens to a membership.
///
/// Suspension, reinstatement and removal need a reason: a suspension applies for all authorities and
/// reinstatement rests on evidence about that reason [BC 7.21], and removal must be justified to the
/// provider. Withdrawal is the provider's own choice, so its reason is optional.
public enum MembershipEvent: Equatable, Hashable, Codable, Sendable {
    case suspend(reason: String)
    case reinstate(reason: String)
    case remove(reason: String)
    case withdraw(reason: String?)

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case suspend, reinstate, remove, withdraw

        public var requiresReason: Bool { self != .withdraw }

        var pastTense: String {
            switch self {
            case .suspend: return "suspended"
            case .reinstate: return "reinstated"
            case .remove: return "removed"
            case .withdraw: return "withdrawn"
            }
        }

        var missingReasonMessage: String {
            switch self {
            case .suspend: return "Enter the reason for the suspension, such as the criterion no longer met"
            case .reinstate: return "Enter the evidence that the reason for the suspension has been resolved"
            case .remove: return "Enter the reason for removing the membership"
            case .withdraw: return "Enter the reason for the withdrawal"
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .suspend: return .suspend
        case .reinstate: return .reinstate
        case .remove: return .remove
        case .withdraw: return .withdraw
        }
    }

    /// The reason as it should be stored: trimmed, or nil when nothing was written.
    public var recordedReason: String? {
        switch self {
        case .suspend(let reason), .reinstate(let reason), .remove(let reason):
            return QualificationText.reason(reason)
        case .withdraw(let reason):
            return QualificationText.reason(reason)
        }
    }
}

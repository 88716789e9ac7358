import Foundation
import Testing

@testable import DPSDomain

@Suite("State machines")
struct QualificationStateMachineTests {
    // MARK: Application

    /// The allowed moves, written out independently of the production table.
    static let applicationAllowed: [ApplicationState: [ApplicationEvent: ApplicationState]] = [
        .draft: [.submit: .submitted, .withdraw: .withdrawn],
        .submitted: [.askClarification: .clarificationRequested, .decideAll: .decided, .withdraw: .withdrawn],
        .clarificationRequested: [.answerClarification: .submitted, .withdraw: .withdrawn],
    ]

    static let applicationPairs = ApplicationState.allCases.flatMap { state in
        ApplicationEvent.allCases.map { (state, $0) }
    }

    @Test("application: every state and event", arguments: applicationPairs)
    func application(state: ApplicationState, event: ApplicationEvent) throws {
        // MUT
        let result = Result { () throws(ValidationFailure) in try state.applying(event) }
        // validate
        if let expected = QualificationStateMachineTests.applicationAllowed[state]?[event] {
            #expect(try result.get() == expected)
        } else {
            guard case .failure(let error) = result else {
                Issue.record("\(state) + \(event) must be refused")
                return
            }
            #expect(error.fields == ["state"])
            #expect(error.errors[0].message.hasPrefix("An application that is"))
        }
    }

    @Test("application: decided and withdrawn are final; refusals read as English")
    func applicationFinal() {
        // validate
        #expect(ApplicationState.decided.isFinal && ApplicationState.withdrawn.isFinal)
        #expect(!ApplicationState.draft.isFinal)
        #expect(ApplicationState.draft.allowedEvents == [.submit, .withdraw])
        #expect(
            qualFailure { try ApplicationState.decided.applying(.withdraw) }?.errors[0].message
                == "An application that is decided cannot be withdrawn")
        #expect(
            qualFailure { try ApplicationState.draft.applying(.decideAll) }?.errors[0].message
                == "An application that is a draft cannot be decided")
    }

    // MARK: Category decision

    @Test("category decision: a pending category can be admitted with or without a reason")
    func admit() throws {
        // MUT / validate
        #expect(try CategoryDecisionState.pending.applying(.admit(reason: nil)) == .admitted)
        #expect(try CategoryDecisionState.pending.applying(.admit(reason: "Meets all criteria")) == .admitted)
        #expect(CategoryDecision.admit(reason: "  Meets all criteria ").recordedReason == "Meets all criteria")
        #expect(CategoryDecision.admit(reason: "   ").recordedReason == nil)
    }

    @Test("category decision: a refusal needs a reason")
    func refuse() throws {
        // MUT / validate
        #expect(
            try CategoryDecisionState.pending.applying(.refuse(reason: "Insurance below the required level"))
                == .refused)
        #expect(qualFailure { try CategoryDecisionState.pending.applying(.refuse(reason: " ")) }?.fields == ["reason"])
        #expect(qualFailure { try CategoryDecisionState.pending.applying(.refuse(reason: "")) }?.fields == ["reason"])
    }

    @Test(
        "category decision: a decided category cannot be decided again",
        arguments: [CategoryDecisionState.admitted, .refused],
        [CategoryDecision.admit(reason: nil), .admit(reason: "x"), .refuse(reason: "x"), .refuse(reason: "")])
    func decidedIsFinal(state: CategoryDecisionState, decision: CategoryDecision) {
        // MUT
        let result = qualFailure { try state.applying(decision) }
        // validate
        #expect(result?.fields == ["decision"])
    }

    // MARK: Membership

    static let membershipAllowed: [MembershipState: [MembershipEvent.Kind: MembershipState]] = [
        .active: [.suspend: .suspended, .remove: .removed, .withdraw: .withdrawn],
        .suspended: [.reinstate: .active, .remove: .removed, .withdraw: .withdrawn],
    ]

    static func event(_ kind: MembershipEvent.Kind, reason: String) -> MembershipEvent {
        switch kind {
        case .suspend: return .suspend(reason: reason)
        case .reinstate: return .reinstate(reason: reason)
        case .remove: return .remove(reason: reason)
        case .withdraw: return .withdraw(reason: reason)
        }
    }

    static let membershipPairs = MembershipState.allCases.flatMap { state in
        MembershipEvent.Kind.allCases.map { (state, $0) }
    }

    @Test("membership: every state and event, with a reason", arguments: membershipPairs)
    func membership(state: MembershipState, kind: MembershipEvent.Kind) throws {
        // MUT
        let result = Result { () throws(ValidationFailure) in
            try state.applying(Self.event(kind, reason: "Insurance lapsed on 1 March"))
        }
        // validate
        if let expected = Self.membershipAllowed[state]?[kind] {
            #expect(try result.get() == expected)
        } else {
            guard case .failure(let error) = result else {
                Issue.record("\(state) + \(kind) must be refused")
                return
            }
            #expect(error.fields == ["state"])
        }
    }

    @Test(
        "membership: suspension, reinstatement and removal need a reason",
        arguments: [
            (MembershipState.active, MembershipEvent.suspend(reason: " ")),
            (.suspended, .reinstate(reason: "")),
            (.active, .remove(reason: "\n")),
            (.suspended, .remove(reason: "")),
        ])
    func reasonRequired(state: MembershipState, event: MembershipEvent) {
        // MUT / validate
        #expect(qualFailure { try state.applying(event) }?.fields == ["reason"])
    }

    @Test("membership: a provider may withdraw without giving a reason")
    func withdrawWithoutReason() throws {
        // MUT / validate
        #expect(try MembershipState.active.applying(.withdraw(reason: nil)) == .withdrawn)
        #expect(try MembershipState.suspended.applying(.withdraw(reason: "")) == .withdrawn)
        #expect(MembershipEvent.withdraw(reason: "  Closing the home ").recordedReason == "Closing the home")
    }

    @Test("membership: removed and withdrawn are final, only active takes referrals")
    func membershipFinal() {
        // validate
        #expect(MembershipState.removed.isFinal && MembershipState.withdrawn.isFinal)
        #expect(MembershipState.allCases.filter(\.canReceiveReferrals) == [.active])
        #expect(
            qualFailure { try MembershipState.removed.applying(.reinstate(reason: "x")) }?.errors[0].message
                == "A membership that is removed cannot be reinstated")
    }

    @Test("admission: blocked by each pass/fail question not reviewed or failed, in order; clear when all passed")
    func admissionBlockers() {
        let questions = [(key: "a", text: "Insured?"), (key: "b", text: "Registered?"), (key: "c", text: "Policies?")]
        #expect(
            ReviewOutcome.admissionBlockers(questions: questions, reviews: ["b": .fail])
                == ["Insured?: not reviewed", "Registered?: failed", "Policies?: not reviewed"])
        #expect(
            ReviewOutcome.admissionBlockers(questions: questions, reviews: ["a": .pass, "b": .pass, "c": .pass]).isEmpty
        )
        // A review of a question the category does not ask is no pass for one it does.
        #expect(
            ReviewOutcome.admissionBlockers(questions: questions, reviews: ["a": .pass, "b": .pass, "z": .pass])
                == ["Policies?: not reviewed"])
    }
}

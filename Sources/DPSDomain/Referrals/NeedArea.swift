import Foundation

/// The short published taxonomy a referral's needs are coded with, so reports and demand signals can count
/// them (DOMAIN §6, §11): the four broad areas of need of an EHC plan (SEND Code of Practice 2015, 6.28) and
/// the needs care plans most often name. The officer's own words stay beside the code.
public enum NeedArea: String, Codable, Sendable, CaseIterable {
    // The four broad areas of an EHC plan
    case communicationInteraction = "communication_interaction"
    case cognitionLearning = "cognition_learning"
    case socialEmotionalMentalHealth = "semh"
    case sensoryPhysical = "sensory_physical"
    // Common care-plan needs
    case attachmentTrauma = "attachment_trauma"
    case behaviourThatChallenges = "behaviour_that_challenges"
    case selfHarm = "self_harm"
    case exploitationRisk = "exploitation_risk"
    case goingMissing = "going_missing"
    case substanceMisuse = "substance_misuse"
    case healthMedical = "health_medical"
    case disabilityPersonalCare = "disability_personal_care"
    case unaccompaniedAsylumSeeking = "unaccompanied_asylum_seeking"
    case other

    public var label: String {
        switch self {
        case .communicationInteraction: "Communication and interaction"
        case .cognitionLearning: "Cognition and learning"
        case .socialEmotionalMentalHealth: "Social, emotional and mental health"
        case .sensoryPhysical: "Sensory and/or physical"
        case .attachmentTrauma: "Attachment and trauma"
        case .behaviourThatChallenges: "Behaviour that challenges"
        case .selfHarm: "Self-harm"
        case .exploitationRisk: "Risk of exploitation"
        case .goingMissing: "Going missing"
        case .substanceMisuse: "Substance misuse"
        case .healthMedical: "Health and medical needs"
        case .disabilityPersonalCare: "Disability and personal care"
        case .unaccompaniedAsylumSeeking: "Unaccompanied asylum-seeking child"
        case .other: "Other"
        }
    }

    /// The area a person typed: its code or its label, in any case.
    public init?(typed: String) {
        let key = typed.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let area = Self.allCases.first(where: { $0.rawValue == key || $0.label.lowercased() == key }) else {
            return nil
        }
        self = area
    }
}

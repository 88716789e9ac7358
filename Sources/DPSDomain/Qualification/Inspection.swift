import Foundation

/// The body that inspected an establishment. Scales differ between inspectorates and change over
/// time, so the inspectorate decides how a judgement is read (§4).
public enum Inspectorate: String, Codable, Sendable, CaseIterable {
    /// Ofsted under a social care framework (children's homes, fostering agencies).
    case ofstedSocialCare
    /// Ofsted under an education framework (schools, including independent special schools).
    case ofstedEducation
    /// The Independent Schools Inspectorate.
    case isi
    /// The Welsh inspectorates, Care Inspectorate Wales and Estyn, grouped because both report
    /// on four-point scales without Ofsted's wording.
    case ciw
    /// Anything else; its judgements always go to an evaluator.
    case other

    /// Reads an inspectorate from free text as providers and imports write it: "Ofsted",
    /// "Ofsted (social care)", "Ofsted education", "ISI", "Independent Schools Inspectorate",
    /// "CIW", "Care Inspectorate Wales", "Estyn", "Estyn/CIW".
    ///
    /// A bare "Ofsted" is read as social care, because two of the three Ofsted-regulated default
    /// categories (fostering, residential care) are inspected under social care frameworks; the
    /// Ofsted threshold reads both Ofsted vocabularies, so the choice only matters for report cards.
    public static func from(name: String) -> Inspectorate {
        let text = InspectionThreshold.normalise(name)
        if text.isEmpty { return .other }
        if text.contains("ofsted") || text.contains("office for standards in education") {
            if text.contains("education") || text.contains("school") || text.contains("eif")
                || text.contains("report card")
            {
                return .ofstedEducation
            }
            return .ofstedSocialCare
        }
        let words = Set(text.split(whereSeparator: { !$0.isLetter }).map(String.init))
        if words.contains("isi") || text.contains("independent schools inspectorate") { return .isi }
        if words.contains("ciw") || words.contains("estyn") || text.contains("care inspectorate wales")
            || text.contains("arolygiaeth gofal cymru")
        {
            return .ciw
        }
        return .other
    }
}

/// One recorded inspection of an establishment.
public struct InspectionRating: Equatable, Hashable, Codable, Sendable {
    public var inspectorate: Inspectorate
    /// The framework as published, e.g. "SCCIF children's homes" or "Education inspection framework
    /// report card"; needed because the same inspectorate changes scale between frameworks.
    public var framework: String?
    /// The overall judgement as written in the report.
    public var judgement: String
    /// The date of the inspection (or of its report).
    public var date: LocalDate?

    public init(inspectorate: Inspectorate, framework: String? = nil, judgement: String, date: LocalDate? = nil) {
        self.inspectorate = inspectorate
        self.framework = framework
        self.judgement = judgement
        self.date = date
    }
}

/// How a judgement compares with the entry threshold.
public enum JudgementAssessment: Equatable, Hashable, Codable, Sendable {
    /// "Requires improvement" or better, or the equivalent.
    case meetsThreshold
    /// Worse than "requires improvement": the establishment cannot be admitted (and a member is
    /// suspended).
    case belowThreshold
    /// The system cannot map the judgement with confidence; an evaluator decides. The reason says why.
    case referToEvaluator(reason: String)
}

/// The inspection rule of §4: a judgement of "requires improvement" or better, or the equivalent for
/// other inspectorates, meets the threshold; anything the system cannot map is referred to a person
/// rather than guessed.
public enum InspectionThreshold {
    /// The day Ofsted's school report cards (no overall grade) began.
    public static let reportCardsStart = LocalDate(year: 2025, month: 11, day: 10)

    public static func assess(_ rating: InspectionRating) -> JudgementAssessment {
        let judgement = normalise(rating.judgement)
        let framework = normalise(rating.framework ?? "")
        switch rating.inspectorate {
        case .ofstedSocialCare, .ofstedEducation:
            if framework.contains("report card") {
                return .referToEvaluator(
                    reason:
                        "Ofsted report cards have no overall grade; "
                        + "an evaluator must read the report card against the threshold"
                )
            }
            if judgement.isEmpty {
                if rating.inspectorate == .ofstedEducation, let date = rating.date, date >= reportCardsStart {
                    return .referToEvaluator(
                        reason:
                            "Ofsted education inspections from 10 November 2025 produce report cards "
                            + "without an overall grade; an evaluator must read the report card"
                    )
                }
                return .referToEvaluator(reason: "No inspection judgement is recorded")
            }
            if let result = ofsted[judgement] { return result }
            if judgement.contains("special measures") || judgement.contains("serious weaknesses") {
                return .belowThreshold
            }
            if rating.inspectorate == .ofstedEducation, let date = rating.date, date >= reportCardsStart {
                return .referToEvaluator(
                    reason:
                        "Ofsted education inspections from 10 November 2025 produce report cards "
                        + "without an overall grade; '\(rating.judgement)' must be read by an evaluator"
                )
            }
            return .referToEvaluator(
                reason: "'\(trimmedOriginal(rating.judgement))' is not a recognised Ofsted judgement")
        case .isi:
            if judgement.isEmpty { return .referToEvaluator(reason: "No inspection judgement is recorded") }
            if let result = isi[judgement] { return result }
            return .referToEvaluator(reason: "'\(trimmedOriginal(rating.judgement))' is not a recognised ISI judgement")
        case .ciw:
            if judgement.isEmpty { return .referToEvaluator(reason: "No inspection judgement is recorded") }
            if let result = welsh[judgement] { return result }
            return .referToEvaluator(
                reason: "'\(trimmedOriginal(rating.judgement))' is not a recognised CIW or Estyn rating")
        case .other:
            return .referToEvaluator(
                reason:
                    "Judgements from other inspectorates are checked by an evaluator "
                    + "against the 'requires improvement' threshold"
            )
        }
    }

    /// Both Ofsted vocabularies: the social care scale and the graded education scale (plus
    /// "satisfactory", the pre-2012 name of the third grade).
    static let ofsted: [String: JudgementAssessment] = [
        "outstanding": .meetsThreshold,
        "good": .meetsThreshold,
        "requires improvement to be good": .meetsThreshold,
        "requires improvement": .meetsThreshold,
        "satisfactory": .meetsThreshold,
        "inadequate": .belowThreshold,
        "serious weaknesses": .belowThreshold,
        "special measures": .belowThreshold,
    ]

    /// ISI reports whether the independent school standards are met.
    static let isi: [String: JudgementAssessment] = [
        "met": .meetsThreshold,
        "standards met": .meetsThreshold,
        "all standards met": .meetsThreshold,
        "the standards are met": .meetsThreshold,
        "not met": .belowThreshold,
        "standards not met": .belowThreshold,
        "not all standards met": .belowThreshold,
        "standards not all met": .belowThreshold,
        "the standards are not met": .belowThreshold,
    ]

    /// CIW ratings (and Estyn's former summative judgements). "Adequate" is read as the equivalent of
    /// "requires improvement": it is the third of four points, like Ofsted's.
    static let welsh: [String: JudgementAssessment] = [
        "excellent": .meetsThreshold,
        "good": .meetsThreshold,
        "adequate": .meetsThreshold,
        "poor": .belowThreshold,
        "unsatisfactory": .belowThreshold,
    ]

    /// Lower case, curly quotes straightened, hyphens and underscores as spaces, runs of whitespace
    /// collapsed, trailing full stops dropped: "Requires  Improvement-to be good." → "requires
    /// improvement to be good".
    public static func normalise(_ text: String) -> String {
        var value = text.lowercased()
            .replacingOccurrences(of: "\u{2019}", with: "'")
            .replacingOccurrences(of: "-", with: " ")
            .replacingOccurrences(of: "_", with: " ")
        value = value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        while value.hasSuffix(".") || value.hasSuffix("!") { value.removeLast() }
        return QualificationText.trimmed(value)
    }

    private static func trimmedOriginal(_ text: String) -> String {
        QualificationText.trimmed(text)
    }
}

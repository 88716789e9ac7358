import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// The DPS administrator's forms as they arrive (text fields, decoded by Vapor's content decoding), each
/// turned into the typed command its use case takes. Text that is blank or cannot be read becomes nil, which
/// the use case reports by field; where blank and unreadable mean different things, the form reports it.
enum AdminForms {
    /// A date as typed (see `LocalDate(typed:)`); nil when blank or not a date.
    static func date(_ raw: String?) -> LocalDate? { LocalDate(typed: raw ?? "") }

    /// A whole number (nil when blank, not a number or beyond Int).
    static func int(_ raw: String?) -> Int? { Int((raw ?? "").trimmed) }

    static func yes(_ raw: String?) -> Bool { raw == "yes" }

    struct DPS: Content {
        var title: String?
        var regime: String?
        var validityStart: String?
        var validityEnd: String?
        var shortDeadlinesAgreed: String?
        var parentChoiceBandPoints: String?
        var rescoreMonths: String?
        var reviewMonths: String?
        var ocidPrefix: String?
        var concernCount: String?
        var concernPartners: String?
        var concernMonths: String?
        var concernAnySafeguarding: String?
        var complianceGraceDays: String?
        var description: String?
        var terms: String?

        var command: DPSAdmin.DPSCommand {
            var unreadable: [FieldError] = []
            let band = (parentChoiceBandPoints ?? "").trimmed
            if !band.isEmpty && int(band) == nil {
                unreadable.append(
                    FieldError(
                        field: "parentChoiceBandPoints",
                        message: "Parent choice band must be a whole number of points from 1 to 20"))
            }
            let months = (rescoreMonths ?? "").trimmed
            if !months.isEmpty && int(months) == nil {
                unreadable.append(
                    FieldError(
                        field: "rescoreMonths", message: "Choose whether memberships are re-scored every 6 or 12 months"
                    ))
            }
            let reviews = (reviewMonths ?? "").trimmed
            if !reviews.isEmpty && int(reviews) == nil {
                unreadable.append(
                    FieldError(
                        field: "reviewMonths", message: "Choose whether outcomes are reviewed every 3, 6 or 12 months"))
            }
            var threshold: ConcernThreshold?
            let counts = [
                ("concernCount", concernCount), ("concernPartners", concernPartners), ("concernMonths", concernMonths),
            ]
            if counts.contains(where: { !($0.1 ?? "").trimmed.isEmpty }) {
                let numbers = counts.map { int($0.1) }
                for (index, number) in numbers.enumerated() where number == nil {
                    unreadable.append(FieldError(field: counts[index].0, message: "Enter a whole number"))
                }
                if let c = numbers[0], let p = numbers[1], let m = numbers[2] {
                    threshold = ConcernThreshold(
                        concerns: c, partners: p, months: m, anySafeguarding: yes(concernAnySafeguarding))
                }
            }
            let grace = (complianceGraceDays ?? "").trimmed
            if !grace.isEmpty && int(grace) == nil {
                unreadable.append(
                    FieldError(
                        field: "complianceGraceDays", message: "The grace period must be from 0 to 20 working days"))
            }
            return DPSAdmin.DPSCommand(
                title: title ?? "", regime: Regime(rawValue: regime ?? ""), validityStart: date(validityStart),
                validityEnd: date(validityEnd), shortDeadlinesAgreed: yes(shortDeadlinesAgreed),
                parentChoiceBandPoints: int(band), rescoreMonths: int(months),
                reviewMonths: int(reviews),
                ocidPrefix: (ocidPrefix ?? "").trimmed.isEmpty ? nil : (ocidPrefix ?? "").trimmed.lowercased(),
                concernThreshold: threshold,
                complianceGraceDays: int(grace),
                description: description ?? "", terms: terms ?? "",
                unreadable: unreadable)
        }
    }

    struct Validity: Content {
        var kind: String?
        var newEnd: String?
        var reason: String?

        var command: DPSAdmin.ValidityCommand {
            let end = (newEnd ?? "").trimmed
            let unreadable =
                !end.isEmpty && date(end) == nil
                ? [FieldError(field: "newEnd", message: "Enter the new end date as a date, for example 31 3 2031")]
                : []
            return DPSAdmin.ValidityCommand(
                kind: ValidityChange.Kind(rawValue: kind ?? ""), newEnd: date(end), reason: reason ?? "",
                unreadable: unreadable)
        }
    }

    struct ClosedWindow: Content {
        var start: String?
        var end: String?
        var reason: String?

        var command: DPSAdmin.ClosedWindowCommand {
            DPSAdmin.ClosedWindowCommand(start: date(start), end: date(end), reason: reason ?? "")
        }
    }

    struct Partner: Content {
        var gssCode: String?
        var name: String?
        var categories: [String]?
        var isJoiner: String?

        var command: DPSAdmin.PartnerCommand {
            let ids = (categories ?? []).map { UUID(uuidString: $0.trimmed) }
            let unreadable =
                ids.contains(nil)
                ? [FieldError(field: "categories", message: "Choose categories of this DPS only")] : []
            return DPSAdmin.PartnerCommand(
                gssCode: gssCode ?? "", name: name ?? "", categories: ids.compactMap { $0 }, isJoiner: yes(isJoiner),
                unreadable: unreadable)
        }
    }

    struct NewCategory: Content {
        var name: String?
        var description: String?
        var contractName: String?
        var inspected: String?

        var command: DPSAdmin.NewCategoryCommand {
            DPSAdmin.NewCategoryCommand(
                name: name ?? "", description: description ?? "", contractName: contractName ?? "",
                inspected: inspected != "no")
        }
    }

    struct CategorySettings: Content {
        var name: String?
        var description: String?
        var contractName: String?
        var affordabilityCap: String?
        var minimumInvitees: String?

        /// `bounds` holds the form's `bounds.<criterion>.min` and `.max` fields.
        func command(bounds: [String: String]) -> DPSAdmin.CategorySettingsCommand {
            var unreadable: [FieldError] = []
            let capText = (affordabilityCap ?? "").trimmed
            var cap: Int?
            if !capText.isEmpty {
                cap = Money.parsePounds(capText)
                if cap == nil {
                    unreadable.append(FieldError(field: "affordabilityCap", message: DPSAdmin.capMessage))
                }
            }
            let points = Dictionary(
                uniqueKeysWithValues: ReferralCriterion.allCases.map {
                    (
                        $0,
                        DPSAdmin.CategorySettingsCommand.Points(
                            min: int(bounds["bounds.\($0.rawValue).min"]), max: int(bounds["bounds.\($0.rawValue).max"])
                        )
                    )
                })
            return DPSAdmin.CategorySettingsCommand(
                name: name ?? "", description: description ?? "", contractName: contractName ?? "",
                affordabilityCapPence: cap, minimumInvitees: int(minimumInvitees), weightBounds: points,
                unreadable: unreadable)
        }
    }

    struct ContentItem: Content {
        var kind: String?
        var text: String?
        var hint: String?
        var requiresEvidence: String?
        var evidenceExpires: String?
        var title: String?
        var weight: String?
        var youngPeoplesPanel: String?
        var name: String?
        var children: String?
        var percent: String?

        var command: DPSAdmin.ContentItemCommand {
            get throws {
                switch DPSAdmin.ContentItemKind(rawValue: kind ?? "") {
                case .passFail:
                    .passFail(
                        text: text ?? "", hint: hint ?? "", requiresEvidence: yes(requiresEvidence),
                        evidenceExpires: yes(evidenceExpires) || evidenceExpires == "flag",
                        onLapse: evidenceExpires == "flag" ? .flag : .suspend)
                case .statement:
                    .statement(
                        title: title ?? "", guidance: hint ?? "", weight: int(weight),
                        youngPeoplesPanel: yes(youngPeoplesPanel))
                case .costLine: .costLine(name: name ?? "")
                case .tier: .tier(children: int(children), basisPoints: Money.parsePercentBasisPoints(percent ?? ""))
                case nil: throw UseCaseError(field: "kind", "Choose what to add")
                }
            }
        }
    }

    struct RemoveItem: Content {
        var kind: String
        var key: String

        var itemKind: DPSAdmin.ContentItemKind {
            get throws {
                guard let kind = DPSAdmin.ContentItemKind(rawValue: kind) else {
                    throw UseCaseError(field: "kind", "Choose a pass/fail question, statement, cost line or tier")
                }
                return kind
            }
        }
    }
}

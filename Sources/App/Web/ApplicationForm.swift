import DPSDomain
import DPSUseCases
import Fluent
import Foundation

/// The application page's form (`answers.<category>.<question>` yes/no, `statements.<category>.<key>`,
/// `costs.<category>.<line>` in pounds, `discounts.<category>.<children>` in per cent) turned into the typed
/// `ProviderUseCases.DraftCommand`. What the form cannot read is passed on as `unreadable`, named by field.
enum ApplicationForm {
    static func command(_ form: [String: String]) -> ProviderUseCases.DraftCommand {
        var parts: [String: ProviderUseCases.DraftCommand.Part] = [:]
        var unreadable: [FieldError] = []
        for (field, raw) in form {
            // "<kind>.<category code>.<key>": codes and keys never hold a dot.
            let pieces = field.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard pieces.count == 3, !pieces[1].isEmpty, !pieces[2].isEmpty else { continue }
            let (kind, code, key) = (pieces[0], pieces[1], pieces[2])
            switch kind {
            case "answers":
                if raw == "yes" || raw == "no" { parts[code, default: .init()].passFail[key] = raw == "yes" }
            case "statements":
                parts[code, default: .init()].statements[key] = raw
            case "costs":
                if raw.trimmed.isEmpty {
                    parts[code, default: .init()].costs[key] = .some(nil)
                } else if let pence = Money.parsePounds(raw) {
                    parts[code, default: .init()].costs[key] = pence
                } else {
                    unreadable.append(
                        FieldError(field: field, message: "Enter the weekly cost in pounds, like 1250 or 1250.50"))
                }
            case "discounts":
                guard let children = Int(key) else { continue }
                if raw.trimmed.isEmpty {
                    parts[code, default: .init()].discounts[children] = .some(nil)
                } else if let basisPoints = Money.parsePercentBasisPoints(raw) {
                    parts[code, default: .init()].discounts[children] = basisPoints
                } else {
                    unreadable.append(
                        FieldError(
                            field: field,
                            message: "The discount for \(children) or more children must be a percentage from 0 to 100")
                    )
                }
            default: continue
            }
        }
        return .init(parts: parts, unreadable: unreadable.sorted { $0.field < $1.field })
    }
}

extension ProviderUseCases {
    /// Saves the application page's form: mapped to the typed command, then the same use case as everyone.
    static func saveDraft(_ id: UUID, form: [String: String], actor: Actor, db: any Database, now: Date)
        async throws
    {
        try await saveDraft(id, ApplicationForm.command(form), actor: actor, db: db, now: now)
    }
}

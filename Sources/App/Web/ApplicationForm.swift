import DPSDomain
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// The application page's form (`answers.<category>.<question>` yes/no, `statements.<category>.<key>`,
/// `costs.<category>.<line>` in pounds, `discounts.<category>.<children>` in per cent) turned into the typed
/// `ProviderUseCases.DraftCommand`. What the form cannot read is passed on as `unreadable`, named by field.
enum ApplicationForm {
    /// "Start an application": an establishment, the categories (`categories[]`) and an optional earlier
    /// application to copy, as ids; a value that is not an id is refused by its field's name.
    struct Start: Content {
        var establishment: String?
        var categories: [String]?
        var copyFrom: String?

        var command: ProviderUseCases.NewApplication {
            var unreadable: [FieldError] = []
            func id(_ raw: String?, _ field: String, _ message: String) -> UUID? {
                guard let raw = raw?.trimmed, !raw.isEmpty else { return nil }
                guard let id = UUID(uuidString: raw) else {
                    unreadable.append(FieldError(field: field, message: message))
                    return nil
                }
                return id
            }
            let establishmentID = id(establishment, "establishment", "Choose one of your establishments")
            let categoryIDs = (categories ?? []).compactMap {
                id($0, "categories", "Choose categories from the list")
            }
            let copy = id(copyFrom, "copyFrom", "Choose one of your organisation's earlier applications to copy from")
            return ProviderUseCases.NewApplication(
                establishmentID: establishmentID, categoryIDs: categoryIDs, copyFrom: copy, unreadable: unreadable)
        }
    }

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

import DPSDomain
import DPSUseCases
import Fluent
import Foundation

/// The bid page's form (`core.<line>`, `variable.<i>.description`/`.amount` in pounds, `discount` in per cent,
/// ticked `need.<id>`, `must.<id>`, `desirable.<id>`) turned into the typed `Referrals.BidCommand`. Amounts
/// the form cannot read are passed on as `unreadable`, so the page shows them beside the rule errors.
enum BidForm {
    static func command(_ form: [String: String]) -> Referrals.BidCommand {
        var unreadable: [FieldError] = []
        var core: [String: Int] = [:]
        for (key, raw) in form where key.hasPrefix("core.") {
            let line = String(key.dropFirst(5))
            if let pence = Money.parsePounds(raw) {
                core[line] = pence
            } else {
                unreadable.append(FieldError(field: key, message: "Enter the weekly cost in pounds, like 1250"))
            }
        }
        var variable: [BidItem] = []
        for i in 0..<BidRules.maximumVariableItems {
            let description = (form["variable.\(i).description"] ?? "").trimmed
            let amount = (form["variable.\(i).amount"] ?? "").trimmed
            if description.isEmpty && amount.isEmpty { continue }
            guard let pence = Money.parsePounds(amount) else {
                unreadable.append(
                    FieldError(
                        field: "variable.\(i).amount", message: "Variable cost \(i + 1) must be an amount in pounds"))
                continue
            }
            variable.append(BidItem(description: description, pence: pence))
        }
        // The form has five variable rows; a sixth (a hand-made request) is refused, not ignored.
        let rows = Set(
            (0..<BidRules.maximumVariableItems).flatMap { ["variable.\($0).description", "variable.\($0).amount"] })
        if form.keys.contains(where: { $0.hasPrefix("variable.") && !rows.contains($0) }) {
            unreadable.append(
                FieldError(field: "variable", message: "List at most \(BidRules.maximumVariableItems) variable costs"))
        }
        let discount = Money.parsePercentBasisPoints(form["discount"] ?? "0")
        if discount == nil {
            unreadable.append(
                FieldError(field: "discount", message: "Enter the discount as a percentage from 0 to 99.99, like 5"))
        }
        func ticked(_ prefix: String) -> [String] {
            form.compactMap { key, value in
                key.hasPrefix(prefix + ".") && value == "yes" ? String(key.dropFirst(prefix.count + 1)) : nil
            }.sorted()
        }
        return Referrals.BidCommand(
            corePence: core, variable: variable, discountBasisPoints: discount ?? 0,
            outcomesStatement: form["outcomesStatement"] ?? "", incentive: form["incentive"] ?? "",
            carerDistrict: form["carerDistrict"], needsMet: ticked("need"), mustHavesMet: ticked("must"),
            desirablesMet: ticked("desirable"), unreadable: unreadable,
            confirmedNonCompliant: form["confirm"] == "yes")
    }
}

extension Referrals {
    /// Submits the bid page's form: the form mapped to the typed command, then the same use case the API calls.
    static func bid(_ id: UUID, form: [String: String], actor: Actor, db: any Database, now: Date) async throws {
        try await bid(id, BidForm.command(form), actor: actor, db: db, now: now)
    }
}

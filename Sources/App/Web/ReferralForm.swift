import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

extension Referrals {
    /// The referral page's form as posted: every field as typed text (needs and desirables as "text | marks"
    /// lines), turned into the typed `NewReferral` by `command(now:)`. Text that is not a number becomes
    /// "not given", so the domain's rules name the field.
    struct Input: Codable {
        var category: String?
        var kind: String?
        var pattern: String?
        var startDate: String?
        var durationWeeks: String?
        var children: String?
        var places: String?
        var voidTerms: String?
        var childAge: String?
        var childGender: String?
        var homePostcode: String?
        var childDetails: String?
        var needs: String?
        var mustHaves: String?
        var desirables: String?
        var outcomes: String?
        var radiusMiles: String?
        var deadline: String?
        var parentChoice: String?
        var weights: [String: String]?
    }

    /// Creates a draft referral from the page's form.
    static func create(_ input: Input, actor: Actor, db: any Database, now: Date) async throws -> ReferralRecord {
        try await create(input.command(now: now), actor: actor, db: db, now: now)
    }
}

extension Referrals.Input {
    func command(now: Date) -> Referrals.NewReferral {
        Referrals.NewReferral(
            categoryID: category.flatMap { UUID(uuidString: $0.trimmed) }, block: kind == "block",
            draft: Referrals.draft(self, now: now), homePostcode: homePostcode ?? "", childDetails: childDetails ?? "",
            unreadable: Referrals.unknownAreas(needs, field: "needs")
                + Referrals.unknownAreas(desirables, field: "desirables"))
    }
}

extension Referrals {
    static func draft(_ input: Input, now: Date) -> ReferralDraft {
        var weights: [ReferralCriterion: Int] = [:]
        // Each weight is points out of 100; anything else (including numbers too large to add) is refused by name.
        for c in ReferralCriterion.allCases {
            weights[c] =
                input.weights == nil
                ? c.defaultPoints : Bounded.int(input.weights?[c.rawValue], in: Bounded.points) ?? -1
        }
        return ReferralDraft(
            pattern: PlacementPattern(rawValue: input.pattern ?? ""),
            startDate: LocalDate(typed: input.startDate ?? ""),
            durationWeeks: Int((input.durationWeeks ?? "").trimmed),
            children: Int((input.children ?? "1").trimmed) ?? 0,
            childAge: Int((input.childAge ?? "").trimmed), childGender: input.childGender ?? "",
            needs: markedLines(input.needs, prefix: "n"), mustHaves: lines(input.mustHaves),
            desirables: markedLines(input.desirables, prefix: "d"), outcomes: lines(input.outcomes), weights: weights,
            radiusMiles: Double((input.radiusMiles ?? "").trimmed), deadline: parseDeadline(input.deadline),
            parentChoice: input.parentChoice == "yes", places: Int((input.places ?? "1").trimmed) ?? 0,
            voidTerms: (input.voidTerms ?? "").trimmed)
    }

}

extension Referrals {
    /// The direct-placement form as posted, turned into the typed `DirectPlacement`: ids, a date, pence and
    /// weeks; an empty field is "not given" (the use case asks for it), text that cannot be read is refused by
    /// its field's name.
    struct DirectForm: Vapor.Content {
        var category: String?
        var establishment: String?
        var startDate: String?
        var weeklyFee: String?
        var durationWeeks: String?
        var justification: String?
        var childDetails: String?
        var outcomes: String?

        var command: DirectPlacement {
            var unreadable: [FieldError] = []
            func read<T>(_ raw: String?, _ field: String, _ message: String, _ parse: (String) -> T?) -> T? {
                guard let raw = raw?.trimmed, !raw.isEmpty else { return nil }
                guard let value = parse(raw) else {
                    unreadable.append(FieldError(field: field, message: message))
                    return nil
                }
                return value
            }
            let categoryID = read(category, "category", "Choose a category your authority uses") {
                UUID(uuidString: $0)
            }
            let establishmentID = read(
                establishment, "establishment", "Choose an establishment admitted to that category"
            ) { UUID(uuidString: $0) }
            let start = read(startDate, "startDate", "Enter the start date, for example 1 12 2026") {
                LocalDate(typed: $0)
            }
            let fee = read(weeklyFee, "weeklyFee", "Enter the agreed weekly fee in pounds, like 4200 or 4200.50") {
                Money.parsePounds($0)
            }
            let weeks = read(durationWeeks, "durationWeeks", "Enter the expected duration in weeks, from 1 to 520") {
                Bounded.int($0, in: 1...520)
            }
            return DirectPlacement(
                categoryID: categoryID, establishmentID: establishmentID, startDate: start, weeklyFeePence: fee,
                durationWeeks: (durationWeeks ?? "").trimmed.isEmpty ? 52 : weeks,
                justification: justification ?? "", childDetails: childDetails ?? "", outcomes: lines(outcomes),
                unreadable: unreadable)
        }
    }
}

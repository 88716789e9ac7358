import Foundation
import Testing

@testable import DPSDomain

@Suite("Referral rules")
struct ReferralRulesTests {
    static let now = ISO8601DateFormatter().date(from: "2026-11-10T10:00:00Z")!
    static let defaults: [ReferralCriterion: Int] = [
        .price: 50, .coreCompetency: 20, .outcomes: 15, .needs: 10, .location: 5, .desirables: 0, .incentives: 0,
    ]

    func draft(weights: [ReferralCriterion: Int] = defaults, deadlineHours: Double = 48) -> ReferralDraft {
        ReferralDraft(
            pattern: .residential52, startDate: LocalDate(year: 2026, month: 12, day: 1), durationWeeks: 52,
            children: 1, childAge: 12,
            childGender: "girl", needs: [ReferralNeed(id: "n1", text: "Social, emotional and mental health", marks: 2)],
            mustHaves: ["Waking night staff"],
            desirables: [], outcomes: ["Attend school every day"], weights: weights, radiusMiles: 20,
            deadline: Self.now.addingTimeInterval(deadlineHours * 3600), parentChoice: true)
    }

    func errors(
        _ d: ReferralDraft, regime: String = "pcr2015", agreed: Bool = true,
        bounds: [ReferralCriterion: WeightBound] = [:]
    ) -> [String] {
        ReferralRules.validate(d, bounds: bounds, regime: regime, shortDeadlinesAgreed: agreed, now: Self.now).map(
            \.field)
    }

    @Test("A complete referral with the default weights is valid")
    func valid() { #expect(errors(draft()).isEmpty) }

    @Test(
        "Weights at their bounds are accepted",
        arguments: [
            [ReferralCriterion.price: 30, .coreCompetency: 20, .outcomes: 35, .needs: 10, .location: 5],
            [.price: 70, .coreCompetency: 0, .outcomes: 15, .needs: 15, .location: 0],
            [.price: 70, .coreCompetency: 20, .outcomes: 5, .needs: 0, .location: 5],
        ])
    func boundsAccepted(_ weights: [ReferralCriterion: Int]) { #expect(errors(draft(weights: weights)).isEmpty) }

    @Test(
        "Weights outside the bounds, or not adding to 100, are refused naming the criterion",
        arguments: [
            (
                [ReferralCriterion.price: 29, .coreCompetency: 20, .outcomes: 36, .needs: 10, .location: 5],
                "weights.price"
            ),
            ([.price: 71, .coreCompetency: 9, .outcomes: 15, .needs: 5, .location: 0], "weights.price"),
            ([.price: 50, .coreCompetency: 21, .outcomes: 14, .needs: 10, .location: 5], "weights.coreCompetency"),
            ([.price: 50, .coreCompetency: 20, .outcomes: 14, .needs: 10, .location: 6], "weights.location"),
            ([.price: 50, .coreCompetency: 20, .outcomes: 15, .needs: 10, .location: 4], "weights"),
            ([.price: 50, .coreCompetency: 20, .outcomes: 15, .needs: 10, .location: 5, .desirables: 1], "weights"),
        ])
    func boundsRefused(_ weights: [ReferralCriterion: Int], _ field: String) {
        #expect(errors(draft(weights: weights)).contains(field))
    }

    @Test("The deadline must be before the placement starts (the day it starts is too late)")
    func deadlineBeforeStart() {
        // setup: the placement starts on 1 December 2026; the draft's deadline is hours after `now`
        var late = draft()
        late.deadline = ISO8601DateFormatter().date(from: "2026-12-01T09:00:00Z")
        var onTime = draft()
        onTime.deadline = ISO8601DateFormatter().date(from: "2026-11-30T17:00:00Z")

        // MUT / validate
        #expect(errors(late).contains("deadline"))
        #expect(!errors(onTime).contains("deadline"))
    }

    @Test("Outcome reviews every six months never fall after the expected end")
    func reviewDates() {
        let start = LocalDate(year: 2026, month: 12, day: 1)
        let end = PlacementEnding.expectedEnd(start: start, weeks: 52)
        #expect(end?.iso == "2027-11-30")
        #expect(PlacementEnding.reviewDates(start: start, end: end).map(\.iso) == ["2027-06-01", "2027-11-30"])
        #expect(
            PlacementEnding.reviewDates(start: start, end: PlacementEnding.expectedEnd(start: start, weeks: 104)).count
                == 4)
        #expect(PlacementEnding.expectedEnd(start: start, weeks: 600) == nil)
    }

    @Test("The category's bounds narrow the published ones")
    func categoryBounds() {
        #expect(errors(draft(), bounds: [.price: WeightBound(min: 55, max: 60)]).contains("weights.price"))
        #expect(errors(draft(), bounds: [.price: WeightBound(min: 40, max: 60)]).isEmpty)
    }

    @Test("Under PCR 2015 the deadline is at least 10 days unless providers agreed shorter deadlines")
    func deadlines() {
        #expect(errors(draft(deadlineHours: 48), regime: "pcr2015", agreed: false).contains("deadline"))
        #expect(!errors(draft(deadlineHours: 240), regime: "pcr2015", agreed: false).contains("deadline"))
        #expect(!errors(draft(deadlineHours: 24), regime: "pcr2015", agreed: true).contains("deadline"))
        #expect(!errors(draft(deadlineHours: 24), regime: "pa2023", agreed: false).contains("deadline"))
        #expect(errors(draft(deadlineHours: -1)).contains("deadline"))
    }

    @Test("Desirable points need desirable features; every field is checked")
    func fields() {
        var d = draft(weights: [
            .price: 50, .coreCompetency: 20, .outcomes: 10, .needs: 10, .location: 5, .desirables: 5,
        ])
        #expect(errors(d).contains("weights.desirables"))
        d = draft()
        d.needs = []
        d.outcomes = []
        d.childAge = 30
        d.children = 0
        d.radiusMiles = 0
        d.startDate = LocalDate(year: 2026, month: 1, day: 1)
        #expect(
            Set(errors(d)).isSuperset(of: ["needs", "outcomes", "childAge", "children", "radiusMiles", "startDate"]))
    }

    @Test("State machine: bids open on publication, close once, award once")
    func states() throws {
        #expect(try ReferralState.draft.applying(.publish) == .published)
        #expect(try ReferralState.published.applying(.extend) == .published)
        #expect(try ReferralState.published.applying(.close) == .closed)
        #expect(try ReferralState.closed.applying(.askParent) == .awaitingParent)
        #expect(try ReferralState.awaitingParent.applying(.award) == .awarded)
        #expect(try ReferralState.closed.applying(.reissue) == .reissued)
        #expect(throws: ValidationFailure.self) { try ReferralState.awarded.applying(.award) }
        #expect(throws: ValidationFailure.self) { try ReferralState.published.applying(.award) }
        #expect(throws: ValidationFailure.self) { try ReferralState.closed.applying(.extend) }
        #expect(throws: ValidationFailure.self) { try ReferralState.cancelled.applying(.publish) }
    }

    @Test("Placement patterns fix the weeks a year")
    func patterns() {
        #expect(
            PlacementPattern.day38.weeksPerYear == 38 && PlacementPattern.residential42.weeksPerYear == 42
                && PlacementPattern.fostering.weeksPerYear == 52)
    }
}

@Suite("Bid rules")
struct BidRulesTests {
    let approved = ["premises": 100_000, "staffing": 300_000]
    let names = ["premises": "Premises", "staffing": "Core staffing"]
    let tiers = [2: 500, 3: 1000]

    @Test("Core costs may be lowered but never raised")
    func coreCosts() {
        let lowered = BidOffer(core: ["premises": 90_000, "staffing": 300_000], variable: [], discountBasisPoints: 0)
        #expect(BidRules.validate(lowered, approved: approved, lineNames: names, tiers: tiers, children: 1).isEmpty)
        let raised = BidOffer(core: ["premises": 100_001, "staffing": 300_000], variable: [], discountBasisPoints: 0)
        let errors = BidRules.validate(raised, approved: approved, lineNames: names, tiers: tiers, children: 1)
        #expect(errors.map(\.field) == ["core.premises"])
        #expect(errors.first?.message.contains("£1,000.00") == true)
        let missing = BidOffer(core: ["premises": 90_000], variable: [], discountBasisPoints: 0)
        #expect(
            BidRules.validate(missing, approved: approved, lineNames: names, tiers: tiers, children: 1).map(\.field)
                == ["core.staffing"])
    }

    @Test(
        "The sibling discount is never below the published tier",
        arguments: [(1, 0, true), (2, 499, false), (2, 500, true), (3, 999, false), (4, 1000, true)])
    func discounts(_ children: Int, _ offered: Int, _ ok: Bool) {
        let offer = BidOffer(core: approved, variable: [], discountBasisPoints: offered)
        #expect(
            BidRules.validate(offer, approved: approved, lineNames: names, tiers: tiers, children: children).isEmpty
                == ok)
    }

    @Test("Weekly cost: core and variable per child, times children, less the discount")
    func weeklyCost() {
        let offer = BidOffer(
            core: approved, variable: [BidItem(description: "Speech therapy", pence: 25_000)], discountBasisPoints: 500)
        #expect(BidRules.weeklyCostPence(offer, children: 1) == 403_750)  // 425,000 less 5%
        #expect(BidRules.weeklyCostPence(offer, children: 2) == 807_500)  // 850,000 less 5%
        let odd = BidOffer(core: ["a": 333], variable: [], discountBasisPoints: 150)  // 4.995p discount rounds to 5p
        #expect(BidRules.weeklyCostPence(odd, children: 1) == 328)
    }

    @Test("Variable costs need a description and cannot be negative")
    func variable() {
        let offer = BidOffer(core: approved, variable: [BidItem(description: " ", pence: -1)], discountBasisPoints: 0)
        #expect(
            BidRules.validate(offer, approved: approved, lineNames: names, tiers: tiers, children: 1).map(\.field) == [
                "variable[0]", "variable[0]",
            ])
    }

    @Test("A bid's weekly cost must be more than £0 (defect: an all-zero bid broke the referral)")
    func zeroCost() {
        let zero = BidOffer(core: ["premises": 0, "staffing": 0], variable: [], discountBasisPoints: 0)
        #expect(
            BidRules.validate(zero, approved: approved, lineNames: names, tiers: tiers, children: 1).map(\.field) == [
                "core"
            ])
        let onePenny = BidOffer(core: ["premises": 1, "staffing": 0], variable: [], discountBasisPoints: 0)
        #expect(BidRules.validate(onePenny, approved: approved, lineNames: names, tiers: tiers, children: 1).isEmpty)
    }

    @Test(
        "A discount only for the children the tiers cover, and always below 100%",
        arguments: [(1, 500, false), (1, 10_000, false), (2, 10_000, false), (2, 9_999, true), (3, 1_000, true)])
    func discountCoverage(_ children: Int, _ offered: Int, _ ok: Bool) {
        let offer = BidOffer(core: approved, variable: [], discountBasisPoints: offered)
        let errors = BidRules.validate(offer, approved: approved, lineNames: names, tiers: tiers, children: children)
        #expect(errors.isEmpty == ok)
        if !ok { #expect(errors.map(\.field) == ["discount"]) }
    }

    @Test("At most five variable costs")
    func variableCount() {
        let items = (1...6).map { BidItem(description: "Item \($0)", pence: 100) }
        let offer = BidOffer(core: approved, variable: items, discountBasisPoints: 0)
        #expect(
            BidRules.validate(offer, approved: approved, lineNames: names, tiers: tiers, children: 1).map(\.field) == [
                "variable"
            ])
    }

    @Test("Huge amounts never trap: the weekly cost is nil and the offer is refused")
    func hugeAmounts() {
        let offer = BidOffer(core: ["premises": Int.max, "staffing": Int.max], variable: [], discountBasisPoints: 0)
        #expect(BidRules.weeklyCostPence(offer, children: 10) == nil)
        #expect(
            !BidRules.validate(
                offer, approved: ["premises": Int.max, "staffing": Int.max], lineNames: names, tiers: tiers,
                children: 10
            ).isEmpty)
    }
}

@Suite("Outside numbers never trap")
struct OverflowTests {
    @Test("Referral weights at Int.max are refused, not summed into a crash")
    func referralWeights() {
        var weights = Dictionary(uniqueKeysWithValues: ReferralCriterion.allCases.map { ($0, $0.defaultPoints) })
        weights[.price] = Int.max
        weights[.outcomes] = Int.max
        let errors = ReferralRules.weightErrors(weights, bounds: [:])
        #expect(errors.map(\.field).contains("weights.price"))
        #expect(errors.map(\.field).contains("weights"))
    }

    @Test("Category weight bounds at Int.min and Int.max are refused")
    func categoryBounds() {
        let spec = CategoryDefinitionSpec(
            name: "SEN", passFail: [PassFailQuestionSpec(id: "q", text: "Q")],
            statements: [MethodStatementSpec(id: "s", title: "S", weight: 100)], costLineIds: ["a"],
            weightBounds: [
                .price: WeightBound(min: Int.min, max: Int.max), .outcomes: WeightBound(min: Int.max, max: Int.max),
            ])
        let fields = CategoryRules.validate(spec).map(\.field)
        #expect(fields.contains("weightBounds.price"))
        #expect(fields.contains("weightBounds.outcomes"))
    }

    @Test("A placement's value: a year at the pattern's weeks, and over its duration pro rata, never trapping")
    func placementValue() {
        // 52-week residential at £4,000 a week for 104 weeks: £208,000 a year, £416,000 in all.
        let residential = PlacementEnding.value(weeklyPence: 400_000, weeksPerYear: 52, durationWeeks: 104)
        #expect(residential.annual == 20_800_000 && residential.total == 41_600_000)
        // A 38-week day placement for one year (52 weeks) charges 38 weeks; for 26 weeks, 19.
        #expect(PlacementEnding.value(weeklyPence: 100_000, weeksPerYear: 38, durationWeeks: 52).total == 3_800_000)
        #expect(PlacementEnding.value(weeklyPence: 100_000, weeksPerYear: 38, durationWeeks: 26).total == 1_900_000)
        #expect(PlacementEnding.value(weeklyPence: 100_000, weeksPerYear: 52, durationWeeks: nil).total == nil)
        let huge = PlacementEnding.value(weeklyPence: .max, weeksPerYear: 52, durationWeeks: .max)
        #expect(huge.annual == .max && huge.total == .max)
    }
}

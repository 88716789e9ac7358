import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: referral deadline rule")
struct EvaluationDeadlineTests {
    static let published = EvaluationFixtures.baseTime
    static let day: TimeInterval = 24 * 60 * 60

    @Test("PCR 2015: exactly 10 days is accepted, one second less is refused")
    func pcrMinimum() {
        // setup
        let tenDays = Self.published.addingTimeInterval(10 * Self.day)
        let justShort = tenDays.addingTimeInterval(-1)

        // MUT
        let ok = ReferralDeadlineRule.check(
            regime: "pcr2015", publishedAt: Self.published, deadline: tenDays, shortDeadlinesAgreed: false)
        let short = ReferralDeadlineRule.check(
            regime: "pcr2015", publishedAt: Self.published, deadline: justShort, shortDeadlinesAgreed: false)

        // validate
        #expect(ok == nil)
        #expect(short?.rule == "deadline-minimum")
        #expect(short?.field == "deadline")
    }

    @Test("PCR 2015 with shorter deadlines agreed: 24 hours is accepted")
    func pcrAgreedShort() {
        // setup
        let deadline = Self.published.addingTimeInterval(Self.day)

        // MUT
        let result = ReferralDeadlineRule.check(
            regime: "pcr2015", publishedAt: Self.published, deadline: deadline, shortDeadlinesAgreed: true)

        // validate
        #expect(result == nil)
    }

    @Test("PA 2023 light touch: no minimum, one minute is accepted")
    func paNoMinimum() {
        // setup
        let deadline = Self.published.addingTimeInterval(60)

        // MUT
        let result = ReferralDeadlineRule.check(
            regime: "pa2023", publishedAt: Self.published, deadline: deadline, shortDeadlinesAgreed: false)

        // validate
        #expect(result == nil)
    }

    @Test("Any regime: a deadline at or before publication is refused", arguments: ["pcr2015", "pa2023"])
    func deadlineAfterPublication(_ regime: String) {
        // setup
        let same = Self.published

        // MUT
        let atPublication = ReferralDeadlineRule.check(
            regime: regime, publishedAt: Self.published, deadline: same, shortDeadlinesAgreed: true)
        let before = ReferralDeadlineRule.check(
            regime: regime, publishedAt: Self.published, deadline: same.addingTimeInterval(-1),
            shortDeadlinesAgreed: true)

        // validate
        #expect(atPublication?.rule == "deadline-after-publication")
        #expect(before?.rule == "deadline-after-publication")
    }

    @Test("An unknown regime is refused")
    func unknownRegime() {
        // setup
        let deadline = Self.published.addingTimeInterval(30 * Self.day)

        // MUT
        let result = ReferralDeadlineRule.check(
            regime: "ojeu", publishedAt: Self.published, deadline: deadline, shortDeadlinesAgreed: false)

        // validate
        #expect(result?.rule == "regime")
        #expect(result?.field == "regime")
    }
}

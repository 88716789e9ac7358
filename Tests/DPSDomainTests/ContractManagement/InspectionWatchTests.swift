import Testing

@testable import DPSDomain

/// Issue 9: what a newer register snapshot says about a member establishment.
@Suite("Inspection watch rules")
struct InspectionWatchTests {
    let known = InspectionWatch.Known(
        urn: "SC1", judgement: "Good", judgementDate: "2024-05-01", suspendedForInspection: false)

    func entry(_ judgement: String?, _ date: String?, status: String? = "Active") -> RegisterEntry {
        RegisterEntry(
            urn: "SC1", source: .ofsted, name: nil, type: "Children's home", category: "childrens_home",
            latestJudgement: judgement, judgementDate: date, laGSSCode: "E1", registrationStatus: status)
    }

    @Test("Only a later inspection, or a corrected one, is news")
    func newer() {
        #expect(InspectionWatch.compare(known, with: entry("Good", "2024-05-01")).isEmpty)
        #expect(InspectionWatch.compare(known, with: entry("Inadequate", "2023-01-01")).isEmpty)
        #expect(InspectionWatch.compare(known, with: entry(nil, nil)).isEmpty)
        #expect(InspectionWatch.compare(known, with: entry("Outstanding", "2025-01-02")).map(\.code) == ["recorded"])
        #expect(
            InspectionWatch.compare(known, with: entry("Inadequate", "2024-05-01")).map(\.code) == ["below_threshold"])
        var undated = known
        undated.judgementDate = nil
        #expect(InspectionWatch.compare(undated, with: entry("Good", nil)).isEmpty)
        #expect(InspectionWatch.compare(undated, with: entry("Good", "2020-01-01")).map(\.code) == ["recorded"])
    }

    @Test("Below the threshold suspends; an improvement after an inspection suspension is reviewed, not lifted")
    func thresholds() {
        let below = InspectionWatch.compare(known, with: entry("Inadequate", "2025-02-03"))
        #expect(below.map(\.code) == ["below_threshold"] && below.allSatisfy(\.suspends))
        #expect(below.first?.key == "2025-02-03/inadequate")
        #expect(
            InspectionWatch.compare(known, with: entry("Requires improvement to be good", "2025-02-03")).map(\.code)
                == ["recorded"])
        var suspended = known
        suspended.suspendedForInspection = true
        let improved = InspectionWatch.compare(suspended, with: entry("Good", "2025-09-10"))
        #expect(improved.map(\.code) == ["improved"] && improved.allSatisfy { !$0.suspends && $0.needsReview })
        #expect(InspectionWatch.compare(known, with: entry("Adequate-ish", "2025-09-10")).map(\.code) == ["unreadable"])
    }

    @Test("A suspended registration suspends; leaving the register is flagged")
    func registration() {
        #expect(
            InspectionWatch.compare(known, with: entry("Good", "2024-05-01", status: "Suspended")).map(\.code)
                == ["registration_suspended"])
        let closing = InspectionWatch.compare(
            known, with: entry("Good", "2024-05-01", status: "Open, but proposed to close"))
        #expect(closing.map(\.code) == ["leaving"] && !closing[0].suspends && closing[0].needsReview)
        #expect(InspectionWatch.compare(known, with: nil) == [.leaving(status: nil)])
        #expect(InspectionWatch.compare(known, with: entry("Good", "2024-05-01", status: "Proposed to open")).isEmpty)
    }

    @Test("Newly registered: not in the previous snapshot, in the areas and kinds, open; none on a first import")
    func newlyRegistered() {
        let entries = [
            entry("Good", nil),
            RegisterEntry(
                urn: "SC2", source: .ofsted, name: nil, type: "", category: "childrens_home",
                laGSSCode: "E1", registrationStatus: "Active"),
            RegisterEntry(
                urn: "SC3", source: .ofsted, name: nil, type: "", category: "childrens_home", laGSSCode: "E9"),
            RegisterEntry(urn: "SC4", source: .ofsted, name: nil, type: "", category: "fostering", laGSSCode: "E1"),
            RegisterEntry(
                urn: "sc5", source: .ofsted, name: nil, type: "", category: "childrens_home", laGSSCode: "E1",
                registrationStatus: "Suspended"),
        ]
        let found = InspectionWatch.newlyRegistered(
            entries, previous: ["SC1"], areas: ["E1"], categories: ["childrens_home"])
        #expect(found.map(\.urn) == ["SC2"])
        #expect(
            InspectionWatch.newlyRegistered(entries, previous: [], areas: ["E1"], categories: ["childrens_home"])
                .isEmpty)
    }
}

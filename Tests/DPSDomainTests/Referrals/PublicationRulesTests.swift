import Foundation
import Testing

@testable import DPSDomain

/// DOMAIN §10, issue 10: quarter boundaries, notice due dates by regime, the release tag of each stage, ocid
/// prefixes and the compiled release.
@Suite("Publication rules")
struct PublicationRulesTests {
    static func day(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    @Test("Quarters run January-March to October-December; their edges, keys and neighbours across a year")
    func quarters() {
        #expect(Quarter(containing: Self.day("2026-03-31")).key == "2026-Q1")
        #expect(Quarter(containing: Self.day("2026-04-01")).key == "2026-Q2")
        #expect(Quarter(containing: Self.day("2026-12-31")).key == "2026-Q4")
        let q3 = Quarter(key: "2026-Q3")!
        #expect(q3.start == Self.day("2026-07-01") && q3.end == Self.day("2026-09-30"))
        #expect(q3.label == "July to September 2026")
        #expect(Quarter(key: "2026-Q4")!.next.key == "2027-Q1" && Quarter(key: "2027-Q1")!.previous.key == "2026-Q4")
        #expect(Quarter(key: "2024-Q1")!.end == Self.day("2024-03-31"))
        for bad in ["2026-Q5", "2026-Q0", "2026Q1", "26-Q1", "2026-q1", "2026-Q1x", "", "9999-Q4", "1989-Q4"] {
            #expect(Quarter(key: bad) == nil)
        }
        #expect(Quarter(key: "2026-Q4")! > Quarter(key: "2026-Q3")!)
    }

    @Test("Notices fall due by regime: 30 days after the quarter, 120 days for UK7, before a change, 30 after an end")
    func dueDates() {
        // An award on 15 August 2026 is in Q3, which ends 30 September: due 30 October.
        #expect(NoticeCalendar.due(.quarterlyAwards, event: Self.day("2026-08-15")) == Self.day("2026-10-30"))
        // An award on 31 December: Q4 ends that day; due 30 January.
        #expect(NoticeCalendar.due(.quarterlyAwards, event: Self.day("2026-12-31")) == Self.day("2027-01-30"))
        #expect(NoticeCalendar.due(.contractsFinder, event: Self.day("2026-08-15")) == Self.day("2026-09-14"))
        #expect(NoticeCalendar.due(.contractDetails, event: Self.day("2026-11-10")) == Self.day("2027-03-10"))
        #expect(NoticeCalendar.due(.contractChange, event: Self.day("2026-12-01")) == Self.day("2026-12-01"))
        #expect(NoticeCalendar.due(.contractTermination, event: Self.day("2026-11-09")) == Self.day("2026-12-09"))
        #expect(NoticeCalendar.due(.marketEstablished, event: Self.day("2026-04-01")) == Self.day("2026-04-01"))
        #expect(NoticeCalendar.due(.marketCeased, event: Self.day("2030-04-01")) == Self.day("2030-05-01"))
        #expect(!NoticeCalendar.isOverdue(due: Self.day("2026-10-30"), sent: false, today: Self.day("2026-10-30")))
        #expect(NoticeCalendar.isOverdue(due: Self.day("2026-10-30"), sent: false, today: Self.day("2026-10-31")))
        #expect(!NoticeCalendar.isOverdue(due: Self.day("2026-10-30"), sent: true, today: Self.day("2027-10-31")))
        // Find a Tender notice types only under the Act.
        #expect(
            NoticeKind.allCases.filter { $0.noticeType != nil }.map(\.rawValue) == [
                "UK7", "UK10", "UK11", "UK13", "UK14", "UK15",
            ])
        #expect(NoticeKind.quarterlyAwards.regime == .pcr2015 && NoticeKind.contractsFinder.noticeType == nil)
        #expect(NoticeCalendar.contractsFinderThresholdPence == 3_000_000)
    }

    @Test("Each stage maps to its release tag")
    func tags() {
        let expected: [OCDS.Stage: [String]] = [
            .marketEstablished: ["tender"], .marketModified: ["tenderAmendment"], .marketCeased: ["tenderUpdate"],
            .admission: ["award"], .callOff: ["tender"], .callOffCancelled: ["tenderCancellation"],
            .award: ["award"], .contract: ["contract"], .change: ["contractAmendment"],
            .termination: ["contractTermination"],
        ]
        for stage in OCDS.Stage.allCases { #expect(stage.tags == expected[stage], "\(stage)") }
    }

    @Test("An ocid prefix is ocds- and six lowercase letters or digits")
    func prefixes() {
        #expect(OCDS.isValidPrefix("ocds-b5fd17") && OCDS.isValidPrefix("ocds-dpsdev"))
        for bad in ["ocds-B5FD17", "ocds-b5fd1", "ocds-b5fd178", "ocid-b5fd17", "ocds-b5fd1/", "ocds--b5fd1", ""] {
            #expect(!OCDS.isValidPrefix(bad), "\(bad)")
        }
    }

    @Test("The compiled release takes later values over earlier ones and merges awards and contracts by id")
    func compiled() throws {
        let buyer = OCDS.Party(id: "GB-GSS-E06000043", name: "Brighton and Hove", identifier: nil, roles: ["buyer"])
        var tender = OCDS.Tender(id: "t")
        tender.status = "active"
        let first = OCDS.Release(
            ocid: "ocds-abcdef-ref-1", id: "r1", date: "2026-11-01T00:00:00Z", tag: ["tender"], parties: [buyer],
            buyer: .init(id: buyer.id, name: buyer.name), tender: tender)
        var done = OCDS.Tender(id: "t")
        done.status = "complete"
        let award = OCDS.Award(
            id: "a", title: "Placement", status: "active", date: "2026-11-20T00:00:00Z", value: .init(pence: 1_234_567),
            suppliers: [])
        let second = OCDS.Release(
            ocid: first.ocid, id: "r2", date: "2026-11-20T00:00:00Z", tag: ["award"], parties: [buyer],
            buyer: first.buyer, tender: done, awards: [award])
        let ended = OCDS.Release(
            ocid: first.ocid, id: "r3", date: "2027-01-02T00:00:00Z", tag: ["contractTermination"], parties: [buyer],
            buyer: first.buyer,
            contracts: [.init(id: "a", awardID: "a", title: nil, status: "terminated", period: nil, value: nil)])
        let compiled = try #require(OCDS.compile([ended, first, second]))
        #expect(compiled.tender?.status == "complete" && compiled.awards?.count == 1)
        #expect(compiled.contracts?.first?.status == "terminated" && compiled.date == "2027-01-02T00:00:00Z")
        #expect(compiled.tag == ["compiled"] && compiled.parties.count == 1)
        #expect(award.value?.amount == Decimal(string: "12345.67"))
        #expect(OCDS.compile([]) == nil)
    }
}

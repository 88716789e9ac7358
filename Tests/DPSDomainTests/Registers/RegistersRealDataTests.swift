import Foundation
import Testing

@testable import DPSDomain

/// Each real register parsed once and shared by the tests below.
enum RegistersRealData {
    static func table(_ name: String) -> CSVTable? {
        guard let data = RegistersTestData.data(name) else { return nil }
        return try? CSVTable.parse(data: data)
    }

    static let schools: [RegisterSchool] = table(RegistersTestData.gias).map(RegisterSchool.parseAll) ?? []
    static let providers: [RegisterSocialCareProvider] =
        table(RegistersTestData.ofsted).map(RegisterSocialCareProvider.parseAll) ?? []
    static let directory: PostcodeDirectory? = {
        guard let districts = table(RegistersTestData.districts),
            let sectors = table(RegistersTestData.sectors)
        else { return nil }
        return PostcodeDirectory(districts: districts, sectors: sectors)
    }()
    static let authorities: [RegisterLocalAuthority] =
        table(RegistersTestData.authorities).map(RegisterLocalAuthority.parseAll) ?? []
}

@Suite("Real public registers", .enabled(if: RegistersTestData.isAvailable, "shared/data not present"))
struct RegistersRealDataTests {
    /// Parses the two largest-by-rows files and the GIAS file whole (speed is for `dps bench`, not tests).
    @Test func largeFilesParse() throws {
        // setup
        let names = [RegistersTestData.ofsted, RegistersTestData.sectors, RegistersTestData.gias]
        for name in names {
            let data = try #require(RegistersTestData.data(name))
            // MUT
            let table = try CSVTable.parse(data: data)
            // validate
            #expect(table.rows.count > 3_000)
            #expect(table.rows.allSatisfy { $0.count <= table.headers.count })
        }
    }

    @Test func textEntryPointMatchesDataEntryPoint() throws {
        // setup
        let data = try #require(RegistersTestData.data(RegistersTestData.ofsted))
        let text = String(decoding: data, as: UTF8.self)
        // MUT
        let fromText = try CSVTable.parse(text)
        let fromData = try CSVTable.parse(data: data)
        // validate
        #expect(fromText == fromData)
    }

    @Test func giasSchools() throws {
        // setup
        let schools = RegistersRealData.schools
        // MUT
        let byURN = Dictionary(schools.map { ($0.urn, $0) }, uniquingKeysWith: { first, _ in first })
        // validate
        #expect(schools.count == 3_767)
        #expect(schools.filter { $0.derivedCategory == "independent_special" }.count == 847)
        #expect(schools.allSatisfy { $0.latitude != nil && $0.longitude != nil })
        let clsg = try #require(byURN["100001"])
        #expect(clsg.name == "City of London School for Girls")
        #expect(clsg.gender == "Girls")
        #expect(clsg.lowAge == 7 && clsg.highAge == 18)
        #expect(clsg.capacity == 860 && clsg.pupils == 780)
        #expect(clsg.postcode == "EC2Y 8BB" && clsg.postcodeSector == "EC2Y 8")
        #expect(clsg.openDate == "1920-01-01")
        #expect(clsg.inspectorateName == "ISI")
        #expect(clsg.region == "London")
        // The invalid byte in this proprietor's name survives as a replacement character.
        let cathedral = try #require(byURN["100002"])
        #expect(cathedral.proprietor?.contains("\u{FFFD}") == true)
        #expect(schools.contains { !$0.senProvision.isEmpty })
    }

    @Test func ofstedProviders() {
        // setup
        let providers = RegistersRealData.providers
        // MUT
        let exactHomes = providers.filter { $0.provisionType == "Children's home" }.count
        let capitalHomes = providers.filter { $0.provisionType == "Children's Home" }.count
        // validate
        #expect(providers.count == 5_600)
        #expect(exactHomes == 3_938)
        #expect(capitalHomes == 8)
        #expect(providers.filter { $0.category == "childrens_home" }.count == 3_946)
        #expect(providers.filter { $0.isRedacted }.allSatisfy { $0.postcode == nil && $0.address1 == nil })
        #expect(providers.filter { $0.postcode != nil }.count == 687)
        #expect(providers.contains { $0.isRedacted && $0.name == "REDACTED" })
        #expect(providers.filter { $0.registrationDate != nil }.count == 5_600)
        #expect(
            providers.allSatisfy { $0.registrationDate.map { $0.count == 10 && $0.dropFirst(4).first == "-" } ?? true })
    }

    @Test func postcodeCentroidsAndWestSussex() throws {
        // setup
        let directory = try #require(RegistersRealData.directory)
        // MUT
        let district = directory.lookup("RH12")
        let full = directory.lookup("rh121aa")
        // validate
        #expect(directory.districtsByCode.count == 2_997)
        #expect(directory.sectorsByCode.count == 12_018)
        #expect(PostcodeDirectory.normalise("rh121aa") == "RH12 1AA")
        #expect(district?.precision == .district)
        #expect(district?.laGSSCode == "E10000032")
        #expect(full?.code == "RH12 1")
        #expect(full?.precision == .sector)
        #expect(full?.laGSSCode == "E10000032")
        #expect(full?.laName == "West Sussex")
        #expect(full?.dfeLACode == "938")
    }

    @Test func placeWithheldIsStableAndInsideTheAuthority() throws {
        // setup
        let directory = try #require(RegistersRealData.directory)
        let rebuilt = try #require(
            RegistersRealData.table(RegistersTestData.districts).flatMap { d in
                RegistersRealData.table(RegistersTestData.sectors).map { PostcodeDirectory(districts: d, sectors: $0) }
            })
        // MUT
        let first = directory.placeWithheld(urn: "2590934", laGSSCode: "E10000032")
        let second = directory.placeWithheld(urn: "2590934", laGSSCode: "E10000032")
        let third = rebuilt.placeWithheld(urn: "2590934", laGSSCode: "E10000032")
        let spread = Set(
            ["SC1", "SC2", "SC3", "SC4", "SC5", "SC6", "SC7", "SC8"].compactMap {
                directory.placeWithheld(urn: $0, laGSSCode: "E10000032")?.code
            })
        // validate
        #expect(first != nil)
        #expect(first == second && first == third)
        #expect(first?.laGSSCode == "E10000032")
        #expect(first?.precision == .sector)
        #expect(spread.count > 1)
        #expect(directory.sectors(inLAGSSCode: "E10000032").count > 50)
    }

    @Test func localAuthorities() throws {
        // setup
        let authorities = RegistersRealData.authorities
        // MUT
        let westSussex = try #require(authorities.first { $0.gssCode == "E10000032" })
        // validate
        #expect(authorities.count == 153)
        #expect(westSussex.dfeCode == "938")
        #expect(westSussex.name == "West Sussex")
        #expect(westSussex.population0to17 != nil)
        #expect(westSussex.latitude != nil)
        #expect(authorities.contains { $0.claAt31March == nil })  // a suppressed "c"/"z" cell
    }

    @Test func urnLookupFillsARealSchoolAndAFosteringAgency() throws {
        // setup
        let lookup = RegisterLookup(
            schools: RegistersRealData.schools, providers: RegistersRealData.providers,
            directory: RegistersRealData.directory)
        // MUT
        let school = try #require(lookup.find(urn: "135791"))
        let agency = try #require(lookup.find(urn: "2500324"))
        let home = try #require(lookup.find(urn: "2590934"))
        // validate
        #expect(school.source == .gias)
        #expect(school.name == "Wyre Forest School")
        #expect(school.postcode == "DY11 6FA")
        #expect(school.inspectorate == "Ofsted")
        #expect(school.linkedURN == "SC490122")
        #expect(school.latestJudgement == "Outstanding")
        #expect(school.judgementDate == "2024-02-26")
        #expect(school.ageLow != nil && school.capacity != nil && school.latitude != nil)

        #expect(agency.source == .ofsted)
        #expect(agency.name == "Young People At Heart")
        #expect(agency.type == "Independent Fostering Agency")
        #expect(agency.addressLines == ["Gresley House", "Ten Pound Walk"])
        #expect(agency.town == "DONCASTER")
        #expect(agency.postcode == "DN4 5HX")
        #expect(agency.laGSSCode == "E08000017")
        #expect(agency.latestJudgement == "Good")
        #expect(agency.judgementDate == "2023-11-20")
        #expect(agency.locationApproximate == false)
        #expect(agency.capacity == nil)

        #expect(home.detailsWithheld && home.name == nil && home.postcode == nil)
        #expect(home.locationApproximate)
        #expect(home.latitude != nil)
    }
}

import Foundation
import Testing

@testable import DPSDomain

@Suite("Register values and postcode shapes")
struct RegistersValueAndPostcodeTests {
    @Test func convertsPublishedDateFormatsToISO() {
        // setup, MUT, validate
        #expect(RegisterValue.isoDate("25/06/2020") == "2020-06-25")
        #expect(RegisterValue.isoDate("07-07-2025") == "2025-07-07")
        #expect(RegisterValue.isoDate("1/2/2024") == "2024-02-01")
        #expect(RegisterValue.isoDate("2024-02-29") == "2024-02-29")
        #expect(RegisterValue.isoDate("29/02/2023") == nil)
        #expect(RegisterValue.isoDate("31/04/2024") == nil)
        #expect(RegisterValue.isoDate("") == nil)
        #expect(RegisterValue.isoDate("soon") == nil)
    }

    @Test func suppressionMarkersBecomeNil() {
        // setup, MUT, validate
        for marker in ["c", "z", "x", "k", "[x]", "[note 4]", "", "  "] {
            #expect(RegisterValue.integer(marker) == nil)
        }
        #expect(RegisterValue.integer("1,234") == 1234)
        #expect(RegisterValue.integer("3045.0") == 3045)
        #expect(RegisterValue.integer(" 42 ") == 42)
        #expect(RegisterValue.decimal("-0.33378") == -0.33378)
        #expect(RegisterValue.unredacted("REDACTED") == nil)
        #expect(RegisterValue.unredacted("Horsham") == "Horsham")
    }

    @Test func normalisesPostcodesOutwardCodesAndSectors() {
        // setup, MUT, validate
        #expect(PostcodeDirectory.normalise("rh121aa") == "RH12 1AA")
        #expect(PostcodeDirectory.normalise("  rh12   1aa ") == "RH12 1AA")
        #expect(PostcodeDirectory.normalise("RH12") == "RH12")
        #expect(PostcodeDirectory.normalise("RH12 1") == "RH12 1")
        #expect(PostcodeDirectory.normalise("RH121") == "RH12 1")
        #expect(PostcodeDirectory.normalise("EC2Y 8BB") == "EC2Y 8BB")
        #expect(PostcodeDirectory.normalise("w1a0ax") == "W1A 0AX")
        #expect(PostcodeDirectory.normalise("M1 1AE") == "M1 1AE")
        #expect(PostcodeDirectory.normalise("B33 8TH") == "B33 8TH")
        #expect(PostcodeDirectory.normalise("REDACTED") == nil)
        #expect(PostcodeDirectory.normalise("") == nil)
        #expect(PostcodeDirectory.normalise("12 1AA") == nil)
        #expect(PostcodeDirectory.normalise("RH12 1A") == nil)
        #expect(PostcodeDirectory.normalise("RH12 1AA X") == nil)
    }

    @Test func derivesDistrictAndSector() {
        // setup, MUT, validate
        #expect(PostcodeDirectory.district(of: "rh12 1aa") == "RH12")
        #expect(PostcodeDirectory.sector(of: "rh12 1aa") == "RH12 1")
        #expect(PostcodeDirectory.district(of: "RH12") == "RH12")
        #expect(PostcodeDirectory.sector(of: "RH12") == nil)
        #expect(PostcodeDirectory.sector(of: "RH12 1") == "RH12 1")
        #expect(PostcodeDirectory.district(of: "nonsense") == nil)
    }

    @Test func stableHashIsFNV1a() {
        // setup: published FNV-1a 64-bit test vectors
        // MUT + validate
        #expect(PostcodeDirectory.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(PostcodeDirectory.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(PostcodeDirectory.stableHash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func lookupPrefersSectorThenDistrictAndPlacesWithheldDeterministically() throws {
        // setup
        let districts = try CSVTable.parse(
            """
            postcode_district,country,latitude,longitude,utla_gss_code,utla_name,dfe_la_code
            RH12,England,51.07,-0.32,E10000032,West Sussex,938
            BN1,England,50.83,-0.14,E06000043,Brighton and Hove,846
            """)
        let sectors = try CSVTable.parse(
            """
            postcode_sector,country,latitude,longitude,utla_gss_code,utla_name,dfe_la_code
            RH12 1,England,51.06292,-0.33378,E10000032,West Sussex,938
            RH12 2,England,51.07055,-0.32940,E10000032,West Sussex,938
            RH12 0,England,51.09989,-0.23810,E10000032,West Sussex,938
            """)
        // MUT
        let directory = PostcodeDirectory(districts: districts, sectors: sectors)
        // validate
        #expect(directory.lookup("rh121aa")?.code == "RH12 1")
        #expect(directory.lookup("rh121aa")?.precision == .sector)
        #expect(directory.lookup("RH12 7ZZ")?.code == "RH12")
        #expect(directory.lookup("RH12 7ZZ")?.precision == .district)
        #expect(directory.lookup("BN1 1AA")?.laGSSCode == "E06000043")
        #expect(directory.lookup("ZZ9 9ZZ") == nil)
        #expect(directory.sectors(inLAGSSCode: "E10000032").map(\.code) == ["RH12 0", "RH12 1", "RH12 2"])
        let placed = directory.placeWithheld(urn: "SC123456", laGSSCode: "E10000032")
        let expectedIndex = Int(PostcodeDirectory.stableHash("SC123456") % 3)
        #expect(placed?.code == ["RH12 0", "RH12 1", "RH12 2"][expectedIndex])
        #expect(directory.placeWithheld(urn: "SC123456", laGSSCode: "E06000043") == nil)
    }

    @Test func lookupFlattensSchoolsAndWithheldProviders() {
        // setup
        let school = RegisterSchool(
            urn: "100", name: "Test School", typeCode: "10", typeName: "Other independent special school",
            derivedCategory: "independent_special", status: "Open", laCode: "938", laName: "West Sussex",
            laGSSCode: "E10000032", lowAge: 7, highAge: 19, gender: "Mixed", capacity: 40,
            street: "1 High St", town: "Horsham", postcode: "RH12 1AA", inspectorateName: "Ofsted",
            latitude: 51.0, longitude: -0.3)
        let residential = RegisterSocialCareProvider(
            urn: "SC1", linkedEducationURN: "100", provisionType: "Residential Special School",
            registrationStatus: "Active", name: "Test School", localAuthority: "West Sussex",
            latestInspectionDate: "2024-02-26", overallJudgement: "Good", category: "residential_special_school",
            latitude: 51.0, longitude: -0.3, geoPrecision: "postcode")
        let home = RegisterSocialCareProvider(
            urn: "SC2", provisionType: "Children's home", registrationStatus: "Active", name: "REDACTED",
            isRedacted: true, localAuthority: "West Sussex", laGSSCode: "E10000032", places: 3,
            overallJudgement: "Outstanding", category: "childrens_home", latitude: 50.9, longitude: -0.4,
            geoPrecision: "local_authority_centroid")
        let lookup = RegisterLookup(schools: [school], providers: [residential, home])
        // MUT
        let schoolEntry = lookup.find(urn: " 100 ")
        let homeEntry = lookup.find(urn: "sc2")
        // validate
        #expect(schoolEntry?.source == .gias)
        #expect(schoolEntry?.latestJudgement == "Good")
        #expect(schoolEntry?.judgementDate == "2024-02-26")
        #expect(schoolEntry?.linkedURN == "SC1")
        #expect(schoolEntry?.locationApproximate == false)
        #expect(homeEntry?.name == nil)
        #expect(homeEntry?.detailsWithheld == true)
        #expect(homeEntry?.postcode == nil)
        #expect(homeEntry?.capacity == 3)
        #expect(homeEntry?.inspectorate == "Ofsted")
        #expect(homeEntry?.locationApproximate == true)
        #expect(lookup.find(urn: "nope") == nil)
    }
}

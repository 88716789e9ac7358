import Foundation
import Testing

@testable import DPSDomain

@Suite("Evaluation: Points")
struct EvaluationPointsTests {
    @Test("description is always two decimals")
    func description() {
        // setup
        let values = [
            Points(hundredths: 8800), Points(hundredths: 4537), Points(hundredths: 5), Points(hundredths: -50), .zero,
        ]

        // MUT
        let texts = values.map(\.description)

        // validate
        #expect(texts == ["88.00", "45.37", "0.05", "-0.50", "0.00"])
    }

    @Test("Decoding rounds the written digits once, half away from zero")
    func decodingRounds() throws {
        // setup
        let json = Data("[74.5, 74.555, 74.554, -0.005, 88, 0.285, 1e2]".utf8)

        // MUT
        let points = try JSONDecoder().decode([Points].self, from: json)

        // validate
        #expect(points.map(\.hundredths) == [7450, 7456, 7455, -1, 8800, 29, 10000])
    }

    @Test("Encoding emits the nearest double, so 45.37 prints as 45.37")
    func encodingIsNearestDouble() throws {
        // setup
        let values = [Points(hundredths: 4537), Points(hundredths: 8800), Points(hundredths: 1)]

        // MUT
        let text = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)

        // validate
        #expect(text == "[45.37,88,0.01]")
    }

    @Test("Non-numbers and absurd magnitudes are refused")
    func refusesBadNumbers() {
        // setup
        let bad = [Data(#"["12"]"#.utf8), Data("[1e40]".utf8)]

        // MUT / validate
        for data in bad {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode([Points].self, from: data) }
        }
        #expect(Points(rounding: Double.nan) == nil)
        #expect(Points(rounding: 1e300) == nil)
    }

    @Test("Arithmetic and ordering work on hundredths")
    func arithmetic() {
        // setup
        let a: Points = 88
        let b: Points = 4.99

        // MUT
        let difference = a - b

        // validate
        #expect(difference == Points(hundredths: 8301))
        #expect(b < a)
        #expect(a + .zero == a)
    }
}

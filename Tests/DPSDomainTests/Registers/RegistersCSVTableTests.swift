import Foundation
import Testing

@testable import DPSDomain

@Suite("CSVTable parsing")
struct RegistersCSVTableTests {
    @Test func parsesHeaderAndRowsByName() throws {
        // setup
        let text = "URN,Name,Places\n1,Alpha,3\n2,Beta,\n"
        // MUT
        let table = try CSVTable.parse(text)
        // validate
        #expect(table.headers == ["URN", "Name", "Places"])
        #expect(table.rows == [["1", "Alpha", "3"], ["2", "Beta", ""]])
        #expect(table[row: 1, column: "Name"] == "Beta")
        #expect(table[row: 5, column: "Name"] == nil)
        #expect(table[row: 0, column: "Missing"] == nil)
        #expect(table.value(table.rows[0], "Places") == "3")
        #expect(table.records.map { $0["Name"] } == ["Alpha", "Beta"])
    }

    @Test func handlesQuotesDoubledQuotesCommasAndNewlinesInsideQuotes() throws {
        // setup
        let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n"
        // MUT
        let table = try CSVTable.parse(text)
        // validate
        #expect(table.rows.count == 1)
        #expect(table.rows[0] == ["x, y", "say \"hi\"", "line1\nline2"])
    }

    @Test func handlesCRLFAndByteOrderMark() throws {
        // setup
        let text = "\u{FEFF}id,name\r\n1,\"a\r\nb\"\r\n2,c\r\n"
        // MUT
        let table = try CSVTable.parse(text)
        // validate
        #expect(table.headers == ["id", "name"])
        #expect(table.rows == [["1", "a\r\nb"], ["2", "c"]])
    }

    @Test func keepsEmptyTrailingFieldAndHandlesNoFinalNewline() throws {
        // setup
        let text = "a,b,c\n1,2,\n3,,"
        // MUT
        let table = try CSVTable.parse(text)
        // validate
        #expect(table.rows == [["1", "2", ""], ["3", "", ""]])
    }

    @Test func skipsBlankLinesAndToleratesShortRows() throws {
        // setup
        let text = "a,b\n\n1,2\n\n3\n"
        // MUT
        let table = try CSVTable.parse(text)
        // validate
        #expect(table.rows == [["1", "2"], ["3"]])
        #expect(table[row: 1, column: "b"] == nil)
    }

    @Test func unterminatedQuoteReportsTheLineItOpenedOn() {
        // setup
        let text = "a,b\n1,2\n3,\"never closed\n4,5\n"
        // MUT + validate
        #expect(throws: CSVError.unterminatedQuote(line: 3)) {
            _ = try CSVTable.parse(text)
        }
    }

    @Test func emptyInputHasNoHeader() {
        // setup, MUT, validate
        #expect(throws: CSVError.missingHeader) { _ = try CSVTable.parse("") }
        #expect(throws: CSVError.missingHeader) { _ = try CSVTable.parse("\n\n") }
    }

    @Test func invalidUTF8BytesAreReplacedNotFatal() throws {
        // setup: "Caf\xE9" is Latin-1, not UTF-8; BOM at the start
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes +=
            Array("name,owner\n".utf8) + Array("Caf".utf8) + [0xE9] + Array(",\"St Paul".utf8)
            + [0x92] + Array("s\"\n".utf8)
        // MUT
        let table = try CSVTable.parse(data: Data(bytes))
        // validate
        #expect(table.headers == ["name", "owner"])
        #expect(table.rows[0][0] == "Caf\u{FFFD}")
        #expect(table.rows[0][1] == "St Paul\u{FFFD}s")
    }

    @Test func duplicateHeadersResolveToFirstColumn() throws {
        // setup
        let text = "x,x\n1,2\n"
        // MUT
        let table = try CSVTable.parse(text)
        // validate
        #expect(table.value(table.rows[0], "x") == "1")
    }
}

import Foundation

/// Why a CSV text could not be read as a table.
///
/// The public registers we import are large, hand-exported files; when one is damaged we
/// want the importer to say *where*, so the error carries the 1-based line number.
public enum CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A quoted field was opened on `line` and never closed before the end of the text.
    case unterminatedQuote(line: Int)
    /// The text has no header row at all (empty, or only blank lines).
    case missingHeader

    public var description: String {
        switch self {
        case .unterminatedQuote(let line):
            return "CSV: quoted field opened on line \(line) is never closed"
        case .missingHeader:
            return "CSV: no header row"
        }
    }
}

/// A parsed RFC 4180 CSV table: a header row plus data rows of raw text fields.
///
/// Every register the DPS imports (GIAS, Ofsted, ONS postcode centroids, DfE local
/// authorities) is published as CSV. The domain layer must not do file I/O, so the caller
/// reads the bytes and hands them here; this type only turns text into fields. Fields are
/// kept exactly as published (no trimming, no type conversion) so each register's model
/// decides how to interpret them.
public struct CSVTable: Sendable, Equatable {
    /// Column names from the first row, in order.
    public let headers: [String]
    /// Data rows (header excluded). Rows may be ragged if the file is; use
    /// ``value(_:_:)`` which returns `nil` for a missing column or short row.
    public let rows: [[String]]
    /// Position of each header name (first occurrence wins), so column look-ups are O(1).
    public let columnIndex: [String: Int]

    /// Builds a table from already-split values (useful in tests and for generated data).
    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
        var index: [String: Int] = [:]
        index.reserveCapacity(headers.count)
        for (position, name) in headers.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.columnIndex = index
    }

    /// Number of data rows.
    public var count: Int { rows.count }

    /// Whether the table has a column called `column`.
    public func hasColumn(_ column: String) -> Bool { columnIndex[column] != nil }

    /// The field in data row `row` under header `column`, or `nil` if either is absent.
    public subscript(row row: Int, column column: String) -> String? {
        guard rows.indices.contains(row) else { return nil }
        return value(rows[row], column)
    }

    /// The field of `row` under header `column`, or `nil` if the column does not exist or
    /// the row is too short to have it.
    public func value(_ row: [String], _ column: String) -> String? {
        guard let position = columnIndex[column], position < row.count else { return nil }
        return row[position]
    }

    /// A lazy, random-access view of the rows as ``CSVRecord``s that can be read by
    /// column name without copying the rows.
    public var records: CSVRecords { CSVRecords(table: self) }

    // MARK: Parsing

    /// Parses CSV text. A leading UTF-8 byte order mark is ignored; CRLF, LF and lone CR
    /// line endings are all accepted; completely blank lines are skipped.
    ///
    /// - Throws: ``CSVError/unterminatedQuote(line:)`` naming the line where the quote
    ///   opened, or ``CSVError/missingHeader`` for empty input.
    public static func parse(_ text: String) throws -> CSVTable {
        var text = text
        return try text.withUTF8 { try parse(bytes: $0) }
    }

    /// Parses CSV bytes. Invalid UTF-8 sequences (the GIAS extract has a few) are replaced
    /// with U+FFFD rather than failing, because one bad byte in a proprietor's name must
    /// not stop a whole register import.
    public static func parse(data: Data) throws -> CSVTable {
        try data.withUnsafeBytes { raw in
            try parse(bytes: raw.bindMemory(to: UInt8.self))
        }
    }

    /// Core byte-level parser. Works on raw UTF-8 so large registers parse quickly even in
    /// debug builds; each field is decoded once, with replacement of invalid bytes.
    static func parse(bytes buffer: UnsafeBufferPointer<UInt8>) throws -> CSVTable {
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let lf = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r")
        let n = buffer.count
        var i = 0
        if n >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { i = 3 }

        var records: [[String]] = []
        var fields: [String] = []
        var expectedWidth = 0
        var scratch: [UInt8] = []
        var line = 1

        func endRecord() {
            // A line with nothing on it is a single empty field: skip it.
            if !(fields.count == 1 && fields[0].isEmpty) {
                if records.isEmpty { expectedWidth = fields.count }
                records.append(fields)
            }
            fields = []
            fields.reserveCapacity(expectedWidth)
        }

        while i < n {
            if buffer[i] == quote {
                let openedOnLine = line
                i += 1
                scratch.removeAll(keepingCapacity: true)
                var segmentStart = i
                var closed = false
                while i < n {
                    let byte = buffer[i]
                    if byte == quote {
                        if i + 1 < n, buffer[i + 1] == quote {
                            // Doubled quote: keep one.
                            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[segmentStart...i]))
                            i += 2
                            segmentStart = i
                            continue
                        }
                        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[segmentStart..<i]))
                        i += 1
                        closed = true
                        break
                    }
                    if byte == lf { line += 1 }
                    i += 1
                }
                if !closed { throw CSVError.unterminatedQuote(line: openedOnLine) }
                // Be lenient about stray text between the closing quote and the delimiter.
                let tailStart = i
                while i < n, buffer[i] != comma, buffer[i] != lf, buffer[i] != cr { i += 1 }
                if i > tailStart {
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[tailStart..<i]))
                }
                fields.append(String(decoding: scratch, as: UTF8.self))
            } else {
                let start = i
                while i < n, buffer[i] != comma, buffer[i] != lf, buffer[i] != cr { i += 1 }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<i]), as: UTF8.self))
            }

            if i >= n { break }
            if buffer[i] == comma {
                i += 1
                if i >= n { fields.append("") }  // "a,b," at end of text: empty last field
                continue
            }
            // Line ending: CRLF, LF or lone CR.
            if buffer[i] == cr, i + 1 < n, buffer[i + 1] == lf { i += 2 } else { i += 1 }
            line += 1
            endRecord()
        }
        if !fields.isEmpty { endRecord() }

        guard let header = records.first else { throw CSVError.missingHeader }
        return CSVTable(
            headers: header.map { $0.trimmingCharacters(in: .whitespaces) },
            rows: Array(records.dropFirst()))
    }
}

/// One data row of a ``CSVTable`` readable by column name.
///
/// Carries the table's header index (shared copy-on-write storage, so no per-row cost)
/// so callers can write `record["URN"]` instead of tracking column positions.
public struct CSVRecord: Sendable, Equatable {
    /// The raw fields of the row, in column order.
    public let fields: [String]
    let columnIndex: [String: Int]

    /// The field under header `column`, or `nil` if there is no such column.
    public subscript(_ column: String) -> String? {
        guard let position = columnIndex[column], position < fields.count else { return nil }
        return fields[position]
    }
}

/// Random-access view over a table's rows as ``CSVRecord``s, created on demand.
public struct CSVRecords: RandomAccessCollection, Sendable {
    let table: CSVTable
    public var startIndex: Int { 0 }
    public var endIndex: Int { table.rows.count }
    public subscript(position: Int) -> CSVRecord {
        CSVRecord(fields: table.rows[position], columnIndex: table.columnIndex)
    }
}

/// Resolves a set of column names to positions once, then reads typed values from rows.
///
/// Register models read dozens of columns from thousands of rows; looking each column up by
/// name per row would waste time, so each `parseAll` builds one of these first.
struct CSVColumnReader {
    let table: CSVTable

    func index(_ column: String) -> Int? { table.columnIndex[column] }

    /// Raw field (untrimmed), `nil` for absent column/short row.
    func raw(_ row: [String], _ position: Int?) -> String? {
        guard let position, position < row.count else { return nil }
        return row[position]
    }

    /// Trimmed text, `nil` when absent or blank.
    func text(_ row: [String], _ position: Int?) -> String? {
        RegisterValue.text(raw(row, position))
    }
}

import DPSDomain
import Foundation

/// Which page of a list to read: numbered from 1, at most `maximumSize` rows a page. A list is read a page at
/// a time (`LIMIT size + 1 OFFSET …`), never whole, so its first pages cost the same however long it grows; the
/// one extra row says whether a next page exists, and no total is counted.
package struct ListPage: Sendable, Equatable {
    package static let maximumSize = 100
    package static let defaultSize = 50
    /// Far beyond any list a person pages through; it bounds the offset a value from outside can ask for.
    package static let maximumNumber = 10_000

    package let number: Int
    package let size: Int

    private init(valid number: Int, size: Int) {
        self.number = number
        self.size = size
    }

    /// A page asked for from outside: `nil` takes the default; a value out of range is refused by its field
    /// (`page`, `limit`).
    package init(number: Int?, size: Int?) throws {
        var errors: [FieldError] = []
        let number = number ?? 1
        let size = size ?? Self.defaultSize
        if !(1...Self.maximumNumber).contains(number) {
            errors.append(FieldError(field: "page", message: "Give a page number from 1 to \(Self.maximumNumber)"))
        }
        if !(1...Self.maximumSize).contains(size) {
            errors.append(FieldError(field: "limit", message: "Give a page size from 1 to \(Self.maximumSize)"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        self.init(valid: number, size: size)
    }

    package static let first = ListPage(valid: 1, size: defaultSize)

    /// Rows to skip: at most 9,999 × 100.
    var offset: Int { (number - 1) * size }
}

/// One page of a list, and whether another follows.
package struct PageOf<Row: Sendable>: Sendable {
    package var rows: [Row]
    package var request: ListPage
    package var hasNext: Bool

    /// Keeps the page's rows of `fetched`, which a query read with one row more than the page to learn
    /// whether a next page exists.
    package init(_ fetched: [Row], _ request: ListPage) {
        rows = Array(fetched.prefix(request.size))
        self.request = request
        hasNext = fetched.count > request.size
    }
}

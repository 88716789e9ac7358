import DPSDomain
import Foundation
import SQLKit

/// How a long list is narrowed and ordered, as asked for in a query string (`?state=…&q=…&sort=…`): a state
/// from the list's own states, a search of at most 100 characters (matched as plain text, never as a pattern),
/// and one of the list's orders. Anything else is refused by its field (422). Every list is still read a page at
/// a time in SQL.
package struct ListFilter: Sendable, Equatable {
    /// What one list offers: its states and orders, each a value and the words the page shows. The first order
    /// is the default.
    package struct Options: Sendable {
        package var states: [Choice]
        package var sorts: [Choice]

        package init(states: [Choice], sorts: [Choice]) {
            self.states = states
            self.sorts = sorts
        }
    }

    package struct Choice: Sendable, Equatable {
        package var value: String
        package var label: String
        package init(_ value: String, _ label: String) {
            self.value = value
            self.label = label
        }
    }

    package var state: String?
    package var search: String?
    package var sort: String

    package init(state: String?, search: String?, sort: String?, options: Options) throws {
        let state = state?.trimmed ?? ""
        let search = search?.trimmed ?? ""
        let sort = sort?.trimmed ?? ""
        var errors: [FieldError] = []
        if !state.isEmpty && !options.states.contains(where: { $0.value == state }) {
            errors.append(FieldError(field: "state", message: "Choose a status from the list"))
        }
        if search.count > 100 {
            errors.append(FieldError(field: "q", message: "Search must be 100 characters or fewer"))
        }
        if !sort.isEmpty && !options.sorts.contains(where: { $0.value == sort }) {
            errors.append(FieldError(field: "sort", message: "Choose an order from the list"))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        self.state = state.isEmpty ? nil : state
        self.search = search.isEmpty ? nil : search
        self.sort = sort.isEmpty ? (options.sorts.first?.value ?? "") : sort
    }

    /// No narrowing, the default order.
    package static func none(_ options: Options) -> ListFilter {
        ListFilter(state: nil, search: nil, sort: options.sorts.first?.value ?? "")
    }

    private init(state: String?, search: String?, sort: String) {
        self.state = state
        self.search = search
        self.sort = sort
    }

    /// True when the list is narrowed (the order alone does not narrow it).
    package var narrows: Bool { state != nil || search != nil }

    /// `LOWER(column) LIKE '%search%'` for any of `columns` (`1 = 1` without a search).
    package func matches(_ columns: [String]) -> SQLQueryString {
        guard let search else { return "1 = 1" }
        let pattern = SQLText.containsPattern(search)
        var condition: SQLQueryString = "LOWER(\(unsafeRaw: columns[0])) LIKE \(bind: pattern) ESCAPE '\\'"
        for column in columns.dropFirst() {
            condition = "\(condition) OR LOWER(\(unsafeRaw: column)) LIKE \(bind: pattern) ESCAPE '\\'"
        }
        return "(\(condition))"
    }

    /// `column = state` (`1 = 1` without one).
    package func stateIs(_ column: String) -> SQLQueryString {
        guard let state else { return "1 = 1" }
        return "\(unsafeRaw: column) = \(bind: state)"
    }
}

/// Text in SQL conditions.
package enum SQLText {
    /// A LIKE pattern matching `text` anywhere, case-insensitively (compare with `LOWER(column)`): the pattern's
    /// own characters (`%`, `_` and the escape `\`) are escaped, so a search is always plain text.
    package static func containsPattern(_ text: String) -> String {
        let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return "%" + escaped + "%"
    }
}

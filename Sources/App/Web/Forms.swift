import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// Every field of a submitted form, decoded by Vapor's URL-encoded form decoder and kept by its name: for
/// the forms whose field names carry data (a bid's `core.<line>`, an application's
/// `answers.<category>.<question>`, a category's `bounds.<criterion>.min`) and for showing a form again with
/// what was typed. A field's text is its last value; a list is every value of a repeated field (`name=a&name=b`
/// or `name[]=a&name[]=b`). Nested names (`weights[price]`) keep their brackets.
struct FormFields: Decodable, Sendable {
    private(set) var text: [String: String] = [:]
    private(set) var lists: [String: [String]] = [:]

    init() {}

    init(from decoder: any Decoder) throws {
        try read(decoder.container(keyedBy: Name.self), prefix: nil)
    }

    private mutating func read(_ container: KeyedDecodingContainer<Name>, prefix: String?) throws {
        for key in container.allKeys where !key.stringValue.isEmpty {
            let name = prefix.map { "\($0)[\(key.stringValue)]" } ?? key.stringValue
            if let value = try? container.decode(String.self, forKey: key) { text[name] = value }
            if let values = try? container.decode([String].self, forKey: key), !values.isEmpty {
                lists[name] = values
            }
            if let nested = try? container.nestedContainer(keyedBy: Name.self, forKey: key) {
                try read(nested, prefix: name)
            }
        }
    }

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

enum Forms {
    /// The submitted form's fields; a body that is not a form reads as no fields.
    static func fields(_ req: Request) -> FormFields {
        guard req.headers.contentType == .urlEncodedForm else { return FormFields() }
        return (try? req.content.decode(FormFields.self)) ?? FormFields()
    }

    /// Every submitted field as text, for showing the form again with what was typed.
    static func values(_ req: Request) -> [String: String] { fields(req).text }

    /// Runs a form's use case: on success shows a message and redirects (post/redirect/get); on bad input
    /// shows the same page again with the errors and what was typed, with status 422.
    static func handle(
        _ req: Request, success: @autoclosure () -> String, redirect: @escaping () -> SiteURL,
        render: @escaping ([FieldError], [String: String]) async throws -> Markup,
        action: () async throws -> Void
    ) async throws -> Response {
        do {
            try await action()
            req.flash(success())
            return req.redirect(to: redirect().path, redirectType: .normal)
        } catch let error as UseCaseError where !error.errors.isEmpty {
            return HTMLResponse.make(try await render(error.errors, values(req)), status: error.httpStatus)
        } catch let error as ValidationFailure {
            return HTMLResponse.make(try await render(error.errors, values(req)), status: .unprocessableEntity)
        }
    }
}

extension Request {
    /// `?page=N&limit=M` of a paged list, pages and API alike: absent means the first page of the default size;
    /// text that is not a whole number, or a number out of range, is refused by its name (422).
    func listPage() throws -> ListPage {
        func number(_ name: String) throws -> Int? {
            guard let raw = query[String.self, at: name], !raw.isEmpty else { return nil }
            guard raw.count <= 9, let value = Int(raw) else {
                throw UseCaseError(field: name, "Give \(name) as a whole number")
            }
            return value
        }
        return try ListPage(number: number("page"), size: number("limit"))
    }
}

extension Response {
    /// Adds the `Link` header of a paged API list: `rel="next"` and `rel="prev"` on `path`.
    func linking<Row>(_ page: PageOf<Row>, path: String) -> Response {
        let (number, size) = (page.request.number, page.request.size)
        var links: [String] = []
        if page.hasNext { links.append("<\(path)?page=\(number + 1)&limit=\(size)>; rel=\"next\"") }
        if number > 1 { links.append("<\(path)?page=\(number - 1)&limit=\(size)>; rel=\"prev\"") }
        if !links.isEmpty { headers.replaceOrAdd(name: .link, value: links.joined(separator: ", ")) }
        return self
    }
}

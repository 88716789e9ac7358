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

    /// A form field's name as a coding key (every name a form sends is one).
    struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

enum Forms {
    /// The submitted form's fields; a body that is not a form reads as no fields.
    static func fields(_ req: Request) -> FormFields {
        guard req.headers.contentType == .urlEncodedForm || req.headers.contentType?.type == "multipart" else {
            return FormFields()
        }
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
    func linking<Row>(_ page: PageOf<Row>, path: String, query kept: String? = nil) -> Response {
        let (number, size) = (page.request.number, page.request.size)
        let prefix = kept.map { "\(path)?\($0)&" } ?? "\(path)?"
        var links: [String] = []
        if page.hasNext { links.append("<\(prefix)page=\(number + 1)&limit=\(size)>; rel=\"next\"") }
        if number > 1 { links.append("<\(prefix)page=\(number - 1)&limit=\(size)>; rel=\"prev\"") }
        if !links.isEmpty { headers.replaceOrAdd(name: .link, value: links.joined(separator: ", ")) }
        return self
    }
}

/// A date posted by `UI.dateInput` as three boxes (`name-day`, `name-month`, `name-year`, and `name-time` for a
/// deadline), turned back into one text for the form's own date field, which the use case reads with
/// `LocalDate(typed:)`. A form posted with the date as one field (`name=2027-03-14`: older clients, the tests)
/// keeps it. Nothing typed is dropped: a date that cannot be read goes on as typed, is refused by its field's
/// name, and `display` puts it back in the boxes.
enum DateParts {
    /// The date typed into the boxes named `name`, as one text; nil when the form had no such boxes.
    static func text(_ fields: [String: String], _ name: String) -> String? {
        let parts = ["day", "month", "year"].map { (fields["\(name)-\($0)"] ?? "").trimmed }
        guard fields["\(name)-day"] != nil || fields["\(name)-month"] != nil || fields["\(name)-year"] != nil
        else { return fields[name] }
        switch LocalDate.typed(day: parts[0], month: parts[1], year: parts[2]) {
        case .empty: return ""
        case .date(let date): return date.iso
        case .missing, .notReal:
            // Unreadable: keep every part so the message can be shown beside what was typed.
            return parts[1].isEmpty && parts[2].isEmpty ? parts[0] : parts.joined(separator: "/")
        }
    }

    /// A deadline's date and time boxes as `YYYY-MM-DD HH:mm` (what `Referrals.parseDeadline` reads); text that
    /// cannot be read is passed on as typed, to be refused by name.
    static func dateTime(_ fields: [String: String], _ name: String) -> String? {
        guard let date = text(fields, name) else { return nil }
        let typedTime = (fields["\(name)-time"] ?? "").trimmed
        guard fields["\(name)-time"] != nil else { return date }
        guard let day = LocalDate(typed: date), let time = time(typedTime) else {
            return "\(date) \(typedTime)".trimmed
        }
        return "\(day.iso) \(time)"
    }

    /// A time of day as people type it: `17:00`, `9:30`, `17.00`, `1700`, `5pm`, `5:30 pm`; as `HH:mm` (with
    /// `:ss` when seconds were typed, as in `17:00:30`).
    static func time(_ raw: String) -> String? {
        var t = raw.lowercased().filter { $0 != " " }
        guard t.utf8.count <= 10 else { return nil }
        var afternoon: Bool? = nil
        if t.hasSuffix("am") || t.hasSuffix("pm") {
            afternoon = t.hasSuffix("pm")
            t.removeLast(2)
        }
        let pieces = t.split(whereSeparator: { $0 == ":" || $0 == "." }).map(String.init)
        let (h, m, s): (String, String, String?)
        switch pieces.count {
        case 1 where pieces[0].count == 4: (h, m, s) = (String(pieces[0].prefix(2)), String(pieces[0].suffix(2)), nil)
        case 1: (h, m, s) = (pieces[0], "00", nil)
        case 2: (h, m, s) = (pieces[0], pieces[1], nil)
        case 3 where afternoon == nil: (h, m, s) = (pieces[0], pieces[1], pieces[2])
        default: return nil
        }
        guard (1...2).contains(h.count), m.count == 2, s == nil || s?.count == 2,
            (h + m + (s ?? "")).allSatisfy({ $0.isASCII && $0.isNumber }),
            var hour = Int(h), let minute = Int(m), (0...59).contains(minute), (0...59).contains(Int(s ?? "0") ?? 60)
        else { return nil }
        if let afternoon {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (afternoon ? 12 : 0)
        }
        guard (0...23).contains(hour) else { return nil }
        return (hour < 10 ? "0" : "") + "\(hour):" + m + (s.map { ":" + $0 } ?? "")
    }

    /// The boxes' contents for showing the form: what was typed, or a date given as one text split into day,
    /// month and year (with the time of a `YYYY-MM-DD HH:mm` deadline), or text that is no date in the first box.
    static func display(_ values: [String: String], _ name: String) -> [String: String] {
        let boxes = ["day", "month", "year", "time"]
        if boxes.contains(where: { values["\(name)-\($0)"] != nil }) {
            return Dictionary(uniqueKeysWithValues: boxes.map { ($0, values["\(name)-\($0)"] ?? "") })
        }
        guard let whole = values[name]?.trimmed, !whole.isEmpty else { return [:] }
        let pieces = whole.replacingOccurrences(of: "T", with: " ").split(separator: " ", maxSplits: 1)
        guard let date = LocalDate(typed: String(pieces[0])) else { return ["day": whole] }
        return [
            "day": String(date.day), "month": String(date.month), "year": String(date.year),
            "time": pieces.count > 1 ? String(pieces[1].prefix(5)) : "",
        ]
    }
}

extension Request {
    /// The date and time typed into the boxes named `name` (see `DateParts.dateTime`).
    func typedDateTime(_ name: String) -> String? { DateParts.dateTime(Forms.values(self), name) }
}

/// A form whose date fields are posted as the date input's boxes (`UI.dateInput`): `Request.decodeForm` reads
/// each such field back from its boxes into the form's text field of the same name.
protocol HasDateInputs: Decodable {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { get }
}

extension Request {
    /// The path parameter `name` as a UUID; a path whose parameter is not one is "not found".
    func uuid(_ name: String) throws -> UUID {
        guard let id = parameters.get(name, as: UUID.self) else { throw Abort(.notFound) }
        return id
    }

    func decodeForm<T: HasDateInputs>(_: T.Type) throws -> T {
        var form = try content.decode(T.self)
        let fields = Forms.values(self)
        for (path, name) in T.dateInputs { form[keyPath: path] = DateParts.text(fields, name) }
        return form
    }
}

extension ProviderUseCases.EstablishmentInput: HasDateInputs {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.judgementDate, "judgementDate")] }
}

extension AdminForms.DPS: HasDateInputs {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] {
        [(\.validityStart, "validityStart"), (\.validityEnd, "validityEnd")]
    }
}

extension AdminForms.Validity: HasDateInputs {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.newEnd, "newEnd")] }
}

extension AdminForms.ClosedWindow: HasDateInputs {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.start, "start"), (\.end, "end")] }
}

extension Referrals.Input: HasDateInputs {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.startDate, "startDate")] }
}

extension Referrals.DirectForm: HasDateInputs {
    static var dateInputs: [(WritableKeyPath<Self, String?>, String)] { [(\.startDate, "startDate")] }
}

extension Request {
    /// A long list's filter from the query string (`state`, `q`, `sort`); a value out of range gives its errors,
    /// for the page to show, and the unnarrowed list.
    func listFilter(_ options: ListFilter.Options) -> (filter: ListFilter, errors: [FieldError]) {
        do {
            return (
                try ListFilter(
                    state: query[String.self, at: "state"], search: query[String.self, at: "q"],
                    sort: query[String.self, at: "sort"], options: options), []
            )
        } catch let error as UseCaseError {
            return (.none(options), error.errors)
        } catch {
            return (.none(options), [])
        }
    }
}

extension Request {
    /// The API's list filter: like `listFilter`, but a value out of range is refused (422, problem+json).
    func apiListFilter(_ options: ListFilter.Options) throws -> ListFilter {
        try ListFilter(
            state: query[String.self, at: "state"], search: query[String.self, at: "q"],
            sort: query[String.self, at: "sort"], options: options)
    }
}

extension ListFilter {
    /// The filter as a query string for page links (nil when it is the default), percent-encoded.
    func query(_ options: ListFilter.Options) -> String? {
        var parts = URLComponents()
        parts.queryItems = [
            state.map { URLQueryItem(name: "state", value: $0) }, search.map { URLQueryItem(name: "q", value: $0) },
            sort == options.sorts.first?.value ? nil : URLQueryItem(name: "sort", value: sort),
        ].compactMap { $0 }
        return parts.queryItems?.isEmpty == false ? parts.percentEncodedQuery : nil
    }
}

/// A CSV file streamed to the browser a piece at a time, so an export of any size holds one piece in memory: the
/// header line, then the rows of each piece `page` reads from a cursor (a page number, the last sequence number …)
/// until it returns no next cursor. A failure part way ends the download with an error, never a short file that
/// looks whole.
enum CSVDownload {
    static func stream(
        filename: String, header: [String], first: Int,
        page: @escaping @Sendable (Int) async throws -> (rows: [[String]], next: Int?)
    ) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: SafeHeaders.attachment(filename + ".csv"))
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        let body = Response.Body(asyncStream: { writer in
            do {
                try await writer.write(.buffer(ByteBuffer(string: CSV.line(header))))
                var cursor: Int? = first
                while let at = cursor {
                    let piece = try await page(at)
                    try await writer.write(.buffer(ByteBuffer(string: piece.rows.map(CSV.line).joined())))
                    cursor = piece.rows.isEmpty ? nil : piece.next
                }
                try await writer.write(.end)
            } catch {
                try await writer.write(.error(error))
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}

import DPSDomain
import DPSUseCases
import Foundation
import Vapor

/// The published data in the Open Contracting Data Standard, public and without sign-in (issue 10): release
/// packages newest first with a cursor (as Find a Tender's API pages), each contracting process's record with its
/// compiled release, one quarter's awards (the grouped award notice), and everything as one file.
struct OCDSAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let ocds = routes.grouped("api", "v1", "ocds")
        ocds.get("releases", use: releases)
        ocds.get("records", ":ocid", use: record)
        ocds.get("quarters", ":quarter", use: quarter)
        ocds.get("download", use: download)
    }

    static func publisher(_ req: Request) -> Publication.Publisher {
        Publication.Publisher(name: Layout.serviceName, baseURL: req.application.config.publicBaseURL)
    }

    static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        return response
    }

    /// A date-time from a query string: ISO 8601 with its offset, or a date (its London midnight); bounded.
    static func instant(_ raw: String?, field: String) throws -> Date? {
        guard let raw = raw?.trimmed, !raw.isEmpty else { return nil }
        let refused = UseCaseError(field: field, "Give \(field) as a date (2026-10-01) or a date-time with its offset")
        guard raw.count <= 40 else { throw refused }
        if raw.count == 10, let day = LocalDate(iso: raw) { return day.startOfDay() }
        let f = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            f.formatOptions = options
            if let date = f.date(from: raw) { return date }
        }
        throw refused
    }

    func releases(req: Request) async throws -> Response {
        let cursor = try req.query[String.self, at: "cursor"].map { try Publication.Cursor(text: $0) }
        let from = try Self.instant(req.query[String.self, at: "updatedFrom"], field: "updatedFrom")
        let to = try Self.instant(req.query[String.self, at: "updatedTo"], field: "updatedTo")
        // `limit` read as every list reads it (1 to 100, refused by name); 100 when not given.
        let limit = req.query[String.self, at: "limit"] == nil ? 100 : try req.listPage().size
        let page = try await Publication.releases(after: cursor, from: from, to: to, limit: limit, db: req.db)
        let base = req.application.config.publicBaseURL + "/api/v1/ocds/releases"
        func query(_ cursor: Publication.Cursor?) -> String {
            var parts: [String] = []
            if let cursor { parts.append("cursor=" + cursor.text) }
            if let from { parts.append("updatedFrom=" + Publication.timestamp(from)) }
            if let to { parts.append("updatedTo=" + Publication.timestamp(to)) }
            if limit != 100 { parts.append("limit=\(limit)") }
            return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
        }
        let package = OCDS.ReleasePackage(
            uri: base + query(cursor), publishedDate: Publication.timestamp(page.newest ?? req.now),
            publisher: Self.publisher(req).ocdsPublisher, releases: page.releases,
            next: page.next.map { base + query($0) })
        return try Self.json(package)
    }

    func record(req: Request) async throws -> Response {
        let ocid = req.parameters.get("ocid") ?? ""
        let record = try await Publication.record(ocid, db: req.db)
        let package = OCDS.RecordPackage(
            uri: req.application.config.publicBaseURL + "/api/v1/ocds/records/" + ocid,
            publishedDate: record.compiledRelease.date, publisher: Self.publisher(req).ocdsPublisher,
            records: [record])
        return try Self.json(package)
    }

    func quarter(req: Request) async throws -> Response {
        guard let quarter = req.parameters.get("quarter").flatMap(Quarter.init(key:)) else {
            throw UseCaseError(field: "quarter", "Give the quarter as 2026-Q3")
        }
        let rawDPS = req.query[String.self, at: "dps"]
        var dps: UUID?
        if let rawDPS, !rawDPS.isEmpty {
            guard let id = UUID(uuidString: rawDPS) else { throw UseCaseError(field: "dps", "Give the DPS's id") }
            dps = id
        }
        let page = try await Publication.quarterAwards(quarter, dps: dps, page: try req.listPage(), db: req.db)
        let base = req.application.config.publicBaseURL + "/api/v1/ocds/quarters/" + quarter.key
        let dpsQuery = dps.map { "dps=\($0.uuidString)" }
        func link(_ number: Int) -> String {
            let parts = [dpsQuery, number == 1 ? nil : "page=\(number)"].compactMap { $0 }
            return base + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
        }
        let package = OCDS.ReleasePackage(
            uri: link(page.request.number), publishedDate: Publication.timestamp(req.now),
            publisher: Self.publisher(req).ocdsPublisher, releases: page.rows,
            next: page.hasNext ? link(page.request.number + 1) : nil)
        return try Self.json(package)
    }

    /// Every release as one release package, streamed a batch at a time: the bulk download.
    func download(req: Request) async throws -> Response {
        struct Head: Encodable {
            var uri: String
            var version = "1.1"
            var extensions = OCDS.extensions
            var publishedDate: String
            var publisher: OCDS.Publisher
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var head = String(
            decoding: try encoder.encode(
                Head(
                    uri: req.application.config.publicBaseURL + "/api/v1/ocds/download",
                    publishedDate: Publication.timestamp(req.now), publisher: Self.publisher(req).ocdsPublisher)),
            as: UTF8.self)
        head.removeLast()  // the closing brace: the releases follow
        let opening = head + #","releases":["#
        let db = req.db
        let logger = req.logger
        let response = Response(
            status: .ok,
            body: .init(asyncStream: { writer in
                do {
                    try await writer.writeBuffer(ByteBuffer(string: opening))
                    var first = true
                    try await Publication.everyRelease(db: db) { batch in
                        let text = (first ? "" : ",") + batch.joined(separator: ",")
                        first = false
                        try await writer.writeBuffer(ByteBuffer(string: text))
                    }
                    try await writer.writeBuffer(ByteBuffer(string: "]}"))
                    try await writer.write(.end)
                } catch {
                    logger.report(error: error)
                    try? await writer.write(.error(error))
                }
            }))
        response.headers.contentType = HTTPMediaType.json
        response.headers.replaceOrAdd(
            name: HTTPHeaders.Name.contentDisposition, value: #"attachment; filename="releases.json""#)
        return response
    }

    static let openAPIPaths = #"""
          /api/v1/ocds/releases:
            get:
              operationId: listOCDSReleases
              summary: Every published OCDS 1.1.5 release as a release package, newest first, a page at a time \#
        (public). `links.next` is the next page.
              security: []
              parameters:
                - { name: cursor, in: query, required: false, schema: { type: string, maxLength: 400 } }
                - { name: updatedFrom, in: query, required: false, schema: { type: string, maxLength: 40 } }
                - { name: updatedTo, in: query, required: false, schema: { type: string, maxLength: 40 } }
                - { name: limit, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 100 } }
              responses:
                '200': { description: A release package, content: { application/json: { schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/ocds/records/{ocid}:
            get:
              operationId: getOCDSRecord
              summary: One contracting process's record package, with its releases and compiled release (public).
              security: []
              parameters:
                - { name: ocid, in: path, required: true, schema: { type: string } }
              responses:
                '200': { description: A record package, content: { application/json: { schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '404': { $ref: '#/components/responses/Problem' }
          /api/v1/ocds/quarters/{quarter}:
            get:
              operationId: getOCDSQuarterAwards
              summary: The award releases of one quarter (the grouped award notice), as a release package (public).
              security: []
              parameters:
                - { name: quarter, in: path, required: true, schema: { type: string, pattern: '^[0-9]{4}-Q[1-4]$' } }
                - { name: dps, in: query, required: false, schema: { type: string, format: uuid } }
                - { name: page, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 10000 } }
                - { name: limit, in: query, required: false, schema: { type: integer, minimum: 1, maximum: 100 } }
              responses:
                '200': { description: A release package, content: { application/json: { schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
                '422': { $ref: '#/components/responses/Problem' }
          /api/v1/ocds/download:
            get:
              operationId: downloadOCDSReleases
              summary: Every published release as one release package file, streamed (public).
              security: []
              responses:
                '200': { description: A release package, content: { application/json: { schema: { type: object } } } }
                '401': { $ref: '#/components/responses/Problem' }
        """#
}

extension Publication.Publisher {
    var ocdsPublisher: OCDS.Publisher { OCDS.Publisher(name: name, uri: baseURL) }
}

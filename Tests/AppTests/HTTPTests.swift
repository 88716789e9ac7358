import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// Pages and API through the real application: sign-in, CSRF, problem+json, and tenant isolation per
/// resource.
@Suite("HTTP: pages, API and tenant isolation", .serialized)
struct HTTPTests {
    /// A browser-like client that keeps its cookies (the session's, the anonymous CSRF token's) and the CSRF token.
    final class Browser: @unchecked Sendable {
        let app: Application
        /// Cookies by name, as the server last set them (an expired one removed).
        var cookies: [String: String] = [:]
        /// The Cookie header a browser would send, or nil when it holds none.
        var cookie: String? {
            cookies.isEmpty
                ? nil
                : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: "; ")
        }
        var csrf = ""
        /// Tests that jump the clock days ahead set this: a real person whose session ended after 8 hours
        /// would sign in again, so the browser does that once and repeats the request.
        var signsInAgain = false
        private var email: String?
        init(_ app: Application) { self.app = app }

        private func again(_ res: TestingHTTPResponse) -> Bool {
            signsInAgain && email != nil
                && (res.status == .seeOther && (res.headers.first(name: .location) ?? "").hasPrefix("/sign-in")
                    || res.status == .forbidden && res.body.string.contains("This form has expired"))
        }

        @discardableResult
        func get(_ path: String) async throws -> TestingHTTPResponse {
            let res = try await getOnce(path)
            guard again(res), let email else { return res }
            try await signIn(email)
            return try await getOnce(path)
        }

        @discardableResult
        private func getOnce(_ path: String) async throws -> TestingHTTPResponse {
            var result: TestingHTTPResponse?
            try await app.testing().test(
                .GET, path,
                beforeRequest: { req in
                    if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
                },
                afterResponse: { res in
                    keep(res)
                    if let token = res.body.string.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1 {
                        csrf = String(token)
                    }
                    result = res
                })
            return result!
        }

        @discardableResult
        func post(_ path: String, _ form: [String: String], csrf overrideToken: String? = nil) async throws
            -> TestingHTTPResponse
        {
            try await post(path, pairs: form.map { ($0.key, $0.value) }, csrf: overrideToken)
        }

        /// Posts the fields in order, a name as often as it is given, as a browser sends checkboxes.
        @discardableResult
        func post(_ path: String, pairs: [(String, String)], csrf overrideToken: String? = nil) async throws
            -> TestingHTTPResponse
        {
            let res = try await postOnce(path, pairs, csrf: overrideToken)
            guard again(res), let email else { return res }
            try await signIn(email)
            try await getOnce("/messages")  // the new session's CSRF token
            return try await postOnce(path, pairs, csrf: overrideToken)
        }

        private func postOnce(_ path: String, _ form: [(String, String)], csrf overrideToken: String? = nil)
            async throws -> TestingHTTPResponse
        {
            var result: TestingHTTPResponse?
            let fields = form + [("_csrf", overrideToken ?? csrf)]
            let body = fields.map { field -> String in
                let key = field.0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let value = field.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return "\(key)=\(value)"
            }.joined(separator: "&")
            try await app.testing().test(
                .POST, path,
                beforeRequest: { req in
                    if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
                    req.headers.contentType = .urlEncodedForm
                    req.body = ByteBuffer(string: body)
                },
                afterResponse: { res in
                    keep(res)
                    result = res
                })
            return result!
        }

        /// Posts a multipart form, as a browser sends a form with a file: the text fields, then one file.
        @discardableResult
        func postFile(_ path: String, _ form: [String: String], file: (field: String, name: String, data: Data))
            async throws -> TestingHTTPResponse
        {
            let boundary = "dps-test-\(UUID().uuidString)"
            var body = Data()
            for (key, value) in form.sorted(by: { $0.key < $1.key }) + [("_csrf", csrf)] {
                body += Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8)
            }
            body += Data(
                ("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; "
                    + "filename=\"\(file.name)\"\r\nContent-Type: application/pdf\r\n\r\n").utf8)
            body += file.data + Data("\r\n--\(boundary)--\r\n".utf8)
            var result: TestingHTTPResponse?
            try await app.testing().test(
                .POST, path,
                beforeRequest: { req in
                    if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
                    req.headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                    req.body = ByteBuffer(data: body)
                },
                afterResponse: { res in
                    keep(res)
                    result = res
                })
            return result!
        }

        private func keep(_ res: TestingHTTPResponse) {
            for set in res.headers[.setCookie] {
                guard let pair = set.split(separator: ";").first, let eq = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<eq]).trimmingCharacters(in: .whitespaces)
                let value = String(pair[pair.index(after: eq)...])
                let expired = set.lowercased().contains("max-age=0") || set.contains("Expires=Thu, 01 Jan 1970")
                cookies[name] = expired || value.isEmpty ? nil : value
            }
        }

        func signIn(_ email: String) async throws {
            self.email = email
            try await getOnce("/sign-in")
            let res = try await postOnce("/sign-in", [("email", email), ("password", World.password)])
            #expect(res.status == .seeOther, "sign in as \(email)")
        }

        /// The browser, signed in as `email`.
        func signedIn(_ email: String) async throws -> Browser {
            try await signIn(email)
            return self
        }
    }

    func token(_ app: Application, _ email: String) async throws -> String {
        var token = ""
        try await app.testing().test(
            .POST, "/api/v1/tokens",
            beforeRequest: { req in
                try req.content.encode(["email": email, "password": World.password], as: .json)
            },
            afterResponse: { res in
                #expect(res.status == .ok)
                token = try res.content.decode(APIRoutes.TokenResponse.self).token
            })
        return token
    }

    func api(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil) async throws
        -> TestingHTTPResponse
    {
        var result: TestingHTTPResponse?
        try await app.testing().test(
            method, path,
            beforeRequest: { req in
                if let token { req.headers.bearerAuthorization = .init(token: token) }
                if let json {
                    req.headers.contentType = .json
                    req.body = ByteBuffer(string: json)
                }
            }, afterResponse: { result = $0 })
        return result!
    }

    @Test("Health, public documents and the OpenAPI document need no sign-in")
    func publicPages() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let browser = Browser(app)
            #expect(try await browser.get("/healthz").body.string.contains("\"database\":\"ok\""))
            let docs = try await browser.get("/documents")
            #expect(
                docs.status == .ok && docs.body.string.contains("Test DPS")
                    && docs.body.string.contains("How bids are scored"))
            #expect(try await browser.get("/api/v1/openapi.yaml").body.string.hasPrefix("openapi: 3.1.0"))
            #expect(try await browser.get("/assessment").status == .seeOther)  // to sign in
        }
    }

    @Test("Forms without the session's CSRF token are refused")
    func csrf() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let browser = Browser(app)
            try await browser.get("/sign-in")
            let forged = try await browser.post(
                "/sign-in", ["email": "admin@ws.test", "password": World.password], csrf: "not-the-token")
            #expect(forged.status == .forbidden)
            let wrong = try await browser.post("/sign-in", ["email": "admin@ws.test", "password": "wrong password"])
            #expect(wrong.status == .unauthorized && wrong.body.string.contains("There is a problem"))
            try await browser.signIn("admin@ws.test")
            #expect(try await browser.get("/admin/dps").status == .ok)
            // After sign-in the old token is worthless.
            let stale = try await browser.post("/sign-out", [:], csrf: "stale")
            #expect(stale.status == .forbidden)
        }
    }

    @Test("A provider's form with mistakes comes back with an error summary linked to the fields")
    func formErrors() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let browser = Browser(app)
            try await browser.signIn("admin@acorn.test")
            try await browser.get("/provider/establishments/new")
            let res = try await browser.post(
                "/provider/establishments",
                [
                    "name": "", "postcode": "nowhere", "type": "school", "ageLow": "5", "ageHigh": "11",
                    "genders": "mixed", "capacity": "10",
                ])
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            #expect(
                html.contains("govuk-error-summary") && html.contains("href=\"#f-name\"")
                    && html.contains("Enter the establishment&#39;s name"))
            #expect(html.contains("value=\"5\""))  // what was typed is kept
        }
    }

    @Test("API errors are problem+json with a fitting status")
    func apiErrors() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let anonymous = try await api(app, .GET, "/api/v1/establishments", token: nil)
            #expect(anonymous.status == .unauthorized && anonymous.headers.contentType?.subType == "problem+json")
            let bad = try await api(app, .GET, "/api/v1/establishments", token: "nonsense")
            #expect(bad.status == .unauthorized)
            let token = try await token(app, "admin@acorn.test")
            let malformed = try await api(app, .POST, "/api/v1/establishments", token: token, json: "{\"name\": 12")
            #expect(malformed.status == .badRequest && malformed.headers.contentType?.subType == "problem+json")
            let invalid = try await api(
                app, .POST, "/api/v1/establishments", token: token,
                json:
                    #"{"name":"Oak","type":"castle","postcode":"RH12 1XH","ageLow":"5","ageHigh":"11","#
                    + #""genders":"mixed","capacity":"3","inspectorate":"isi","judgement":"Met"}"#
            )
            #expect(invalid.status == .unprocessableEntity)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(invalid.body.readableBytesView))
            #expect(problem.errors?.contains { $0.field == "type" } == true)
            let created = try await api(
                app, .POST, "/api/v1/establishments", token: token,
                json:
                    #"{"name":"Oak","type":"school","postcode":"RH12 1XH","address":"1 Lane","#
                    + #""ageLow":"5","ageHigh":"11","genders":"mixed","capacity":"3","#
                    + #""inspectorate":"isi","judgement":"Met"}"#
            )
            #expect(created.status == .created)
        }
    }

    @Test("Applications: another provider, a partner council and the public cannot read them")
    func isolationApplications() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let path = "/api/v1/applications/\(record.id!)"
            #expect(try await api(app, .GET, path, token: try await token(app, "admin@acorn.test")).status == .ok)
            #expect(try await api(app, .GET, path, token: try await token(app, "eval@ws.test")).status == .ok)
            #expect(try await api(app, .GET, path, token: try await token(app, "admin@birch.test")).status == .notFound)
            #expect(try await api(app, .GET, path, token: try await token(app, "officer@bh.test")).status == .notFound)
            #expect(try await api(app, .GET, path, token: nil).status == .unauthorized)
            let list = try await api(app, .GET, "/api/v1/applications", token: try await token(app, "admin@birch.test"))
            #expect(try list.content.decode([APIRoutes.ApplicationView].self).isEmpty)
            #expect(
                try await api(app, .GET, "/api/v1/applications", token: try await token(app, "officer@bh.test")).status
                    == .forbidden)
            // Pages too.
            let other = Browser(app)
            try await other.signIn("admin@birch.test")
            #expect(try await other.get("/provider/applications/\(record.id!)").status == .notFound)
            // by role, the same for any id: not even its existence
            #expect(try await other.get("/assessment/\(record.id!)").status == .forbidden)
            let post = try await other.post("/provider/applications/\(record.id!)", ["action": "save"])
            #expect(post.status == .notFound)
        }
    }

    @Test("Establishments and evidence belong to their provider")
    func isolationEstablishmentsAndEvidence() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            try await w.application(app, codes: ["fostering"])
            let mine = try await api(
                app, .GET, "/api/v1/establishments", token: try await token(app, "admin@birch.test"))
            #expect(try mine.content.decode([APIRoutes.EstablishmentView].self).map(\.name) == ["Birch School"])
            #expect(
                try await api(app, .GET, "/api/v1/establishments", token: try await token(app, "officer@bh.test"))
                    .status == .forbidden)
            let doc = try await EvidenceRecord.query(on: app.db).first()!
            let other = Browser(app)
            try await other.signIn("admin@birch.test")
            #expect(try await other.get("/provider/evidence/\(doc.id!)").status == .notFound)
            let officer = Browser(app)
            try await officer.signIn("officer@bh.test")
            // a partner's officer reads no evidence at all
            #expect(try await officer.get("/provider/evidence/\(doc.id!)").status == .forbidden)
            let owner = Browser(app)
            try await owner.signIn("admin@acorn.test")
            #expect(try await owner.get("/provider/evidence/\(doc.id!)").body.string == "evidence")
            let evaluator = Browser(app)
            try await evaluator.signIn("eval@ws.test")
            #expect(try await evaluator.get("/provider/evidence/\(doc.id!)").status == .ok)
        }
    }

    @Test("Memberships: councils see all, a provider only its own; messages stay with their organisation")
    func isolationMembershipsAndMessages() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            for (actor, est) in [(w.provider, w.establishment), (w.otherProvider, w.otherEstablishment)] {
                let record = try await w.application(app, codes: ["fostering"], actor: actor, establishment: est)
                try await w.scoreAll(app, record)
                try await Assessment.decide(
                    record.id!, partID: try await w.parts(app, record)["fostering"]!.id!,
                    .init(decision: .admit), actor: w.evaluator, db: app.db, now: testNow)
            }
            // A council that is not (yet) a partner sees none; once a partner, every membership of the DPS
            // (DOMAIN §3).
            let outsider = try await api(
                app, .GET, "/api/v1/memberships", token: try await token(app, "officer@bh.test"))
            #expect(try outsider.content.decode([Queries.MembershipRow].self).isEmpty)
            try await DPSAdmin.upsertPartner(
                w.dps.id!,
                .init(
                    gssCode: "E06000043", name: "Brighton and Hove",
                    categories: [w.categories["fostering"]!.id!], isJoiner: false),
                actor: w.admin, db: app.db, now: testNow)
            let officer = try await api(
                app, .GET, "/api/v1/memberships", token: try await token(app, "officer@bh.test"))
            #expect(try officer.content.decode([Queries.MembershipRow].self).count == 2)
            let provider = try await api(
                app, .GET, "/api/v1/memberships", token: try await token(app, "admin@acorn.test"))
            #expect(try provider.content.decode([Queries.MembershipRow].self).map(\.establishment) == ["Acorn House"])
            let browser = Browser(app)
            try await browser.signIn("admin@birch.test")
            let messages = try await browser.get("/messages").body.string
            #expect(messages.contains("Birch School") && !messages.contains("Acorn House"))
        }
    }

    @Test(
        """
        Assessment forms: a missing or wrong choice is shown at its own field, and the error summary links to it \
        (review errors used to name a field the page did not have)
        """
    )
    func assessmentFieldErrors() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let part = try #require(try await w.parts(app, record)["fostering"])
            let content = part.category.testContent
            let question = try #require(content.passFail.first).key
            let statement = try #require(content.statements.first { !$0.youngPeoplesPanel }).key
            let evaluator = Browser(app)
            try await evaluator.signIn("eval@ws.test")
            try await evaluator.get("/assessment/\(record.id!)")
            let cases: [(action: String, form: [String: String], field: String)] = [
                ("review", ["question": question, "outcome": "maybe"], "outcome.fostering.\(question)"),
                ("review", ["question": question, "outcome": "fail"], "note.fostering.\(question)"),
                ("score", ["statement": statement, "score": "9", "comment": "Fine"], "score.fostering.\(statement)"),
                ("score", ["statement": statement, "score": "3"], "comment.fostering.\(statement)"),
                ("decide", ["decision": "refuse"], "reason.fostering"),
                ("decide", [:], "decision.fostering"),
            ]
            for (action, form, field) in cases {
                // MUT
                let res = try await evaluator.post("/assessment/\(record.id!)/\(action)/\(part.id!)", form)

                // validate: 422; the summary's link, the field's id and its inline message agree
                #expect(res.status == .unprocessableEntity, "\(action) \(form)")
                let html = res.body.string
                let id = UI.fieldID(field)
                #expect(html.contains("href=\"#\(id)\""), "\(field): no summary link to #\(id)")
                #expect(html.contains("id=\"\(id)\""), "\(field): no field with id \(id)")
                #expect(html.contains("id=\"\(id)-error\""), "\(field): no message beside the field")
            }
            #expect(try await ApplicationCategoryRecord.find(part.id!, on: app.db)?.decision == "pending")
        }
    }

    @Test("Role checks: administration, assessment and audit pages")
    func roles() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let provider = Browser(app)
            try await provider.signIn("admin@acorn.test")
            #expect(try await provider.get("/admin/dps").status == .forbidden)
            #expect(try await provider.get("/assessment").status == .forbidden)
            #expect(try await provider.get("/audit").status == .forbidden)
            let evaluator = Browser(app)
            try await evaluator.signIn("eval@ws.test")
            #expect(try await evaluator.get("/admin/dps").status == .forbidden)
            #expect(try await evaluator.get("/assessment").status == .ok)
            let auditor = Browser(app)
            try await auditor.signIn("audit@ws.test")
            #expect(try await auditor.get("/audit").body.string.contains("Check the whole chain"))
            #expect(
                try await api(app, .GET, "/api/v1/audit/verify", token: try await token(app, "admin@acorn.test")).status
                    == .forbidden)
            #expect(
                try await api(app, .GET, "/api/v1/audit/verify", token: try await token(app, "audit@ws.test")).status
                    == .ok)
        }
    }

    @Test("The OpenAPI document covers every API route")
    func openAPICoversRoutes() async throws {
        try await withApp { app in
            let spec = OpenAPISpec.yaml
            let routes = app.routes.all.filter { $0.path.first?.description == "api" }
            #expect(routes.count >= 10)
            for route in routes {
                let path = openAPIPath(route)
                #expect(spec.contains("\n  \(path):\n"), "\(route.method) \(path) is missing from the OpenAPI document")
                #expect(
                    spec.contains("\n  \(path):\n    \(route.method.rawValue.lowercased()):")
                        || spec.range(
                            of:
                                "\n  \(NSRegularExpression.escapedPattern(for: path)):\n(    .*\n)*    "
                                + "\(route.method.rawValue.lowercased()):",
                            options: .regularExpression) != nil,
                    "\(route.method) \(path) operation is missing")
            }
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// Hostile input changes nothing and ends nothing: each test here reproduces a defect found by attacking
/// the server on loopback, and fails without its fix.
@Suite("Hardening: hostile input, headers and redirects", .serialized)
struct HardeningTests {
    typealias Browser = HTTPTests.Browser
    let referrals = ReferralTests()
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    private func signedIn(_ app: Application, _ email: String) async throws -> Browser {
        let browser = Browser(app)
        try await browser.signIn(email)
        return browser
    }

    private func referralForm(_ rw: ReferralWorld) -> [String: String] {
        let i = rw.input()
        var form: [String: String] = [
            "category": i.category!, "kind": "spot", "pattern": i.pattern!, "startDate": i.startDate!,
            "durationWeeks": i.durationWeeks!,
            "children": "1", "childAge": "12", "childGender": "girl", "homePostcode": "RH12 1XH", "needs": i.needs!,
            "mustHaves": i.mustHaves!,
            "outcomes": i.outcomes!, "radiusMiles": "30", "deadline": i.deadline!, "parentChoice": "no",
        ]
        for c in ReferralCriterion.allCases { form["weights[\(c.rawValue)]"] = String(c.defaultPoints) }
        return form
    }

    @Test("Stored JSON that does not decode is an error, never an empty value (the weights used to fall back to none)")
    func undecodableStoredJSON() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
            r.weightsJSON = "{\"price\": 40, \"needs\": "  // cut off mid-way, as a failed manual edit would leave it
            try await r.update(on: app.db)
            let token = try await HTTPTests().token(app, "officer@bh.test")

            // MUT
            let refusal = await #expect(throws: UseCaseError.self) {
                _ = try await Referrals.Content.load(r, db: app.db)
            }
            let api = try await HTTPTests().api(app, .GET, "/api/v1/referrals/\(r.id!)", token: token)

            // validate: a server error that is logged, and never a referral shown with no weights
            #expect(refusal?.kind == .internalFailure)
            #expect(api.status == .internalServerError && !api.body.string.contains("weights"))
        }
    }

    @Test("A category or application answers that cannot be read are an error, never an empty category or no answers")
    func undecodableCategoryAndAnswers() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss"])
            let part = try #require(try await w.parts(app, record)["sen-inmss"])
            part.costsJSON = "{\"premises\": "  // cut off
            try await part.update(on: app.db)
            let category = w.categories["fostering"]!
            category.contentJSON = "{\"passFail\": ["  // cut off
            try await category.update(on: app.db)

            // MUT
            let answers = #expect(throws: UseCaseError.self) { _ = try ProviderUseCases.Answers(part) }
            let content = #expect(throws: UseCaseError.self) { _ = try category.content }
            let api = try await HTTPTests().api(app, .GET, "/api/v1/categories", token: nil)

            // validate: logged server errors; the public list does not show the category as empty
            #expect(answers?.kind == .internalFailure && content?.kind == .internalFailure)
            #expect(api.status == .internalServerError)
        }
    }

    @Test(
        "Stored reviews and register entries that cannot be read are an error (a review used to wipe every earlier one)"
    )
    func undecodableReviewsAndRegister() async throws {
        try await withApp { app in
            // setup: one review recorded, then its stored text cut off
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let partID = try #require(try await w.parts(app, record)["fostering"]?.id)
            let questions = try #require(try await ApplicationCategoryRecord.find(partID, on: app.db)).criteria.passFail
            try #require(questions.count >= 2)
            try await Assessment.review(
                record.id!, partID: partID, .init(question: questions[0].key, outcome: .pass, note: ""),
                actor: w.evaluator, db: app.db, now: testNow)
            let part = try #require(try await ApplicationCategoryRecord.find(partID, on: app.db))
            let cut = String(part.reviewJSON.dropLast(3))
            part.reviewJSON = cut
            try await part.update(on: app.db)
            let entry = RegisterEntryRecord()
            entry.id = "999999"
            entry.source = "schools"
            entry.name = "Cut off"
            entry.entryJSON = "{\"urn\": "
            try await entry.create(on: app.db)

            // MUT
            let review = await #expect(throws: UseCaseError.self) {
                try await Assessment.review(
                    record.id!, partID: partID, .init(question: questions[1].key, outcome: .pass, note: ""),
                    actor: w.evaluator, db: app.db, now: testNow)
            }
            let register = await #expect(throws: UseCaseError.self) {
                _ = try await Registers.entry(urn: "999999", on: app.db)
            }

            // validate: errors, and the first review is not overwritten by a map holding only the second
            #expect(review?.kind == .internalFailure && register?.kind == .internalFailure)
            #expect(try await ApplicationCategoryRecord.find(partID, on: app.db)?.reviewJSON == cut)
        }
    }

    @Test("The administrator's text and choices are bounded and typed where the form is decoded")
    func adminInputBounded() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let dps = try #require(try await DPSRecord.find(w.dps.id!, on: app.db))
            let settings = AdminForms.DPS(
                title: dps.title, regime: dps.regime, validityStart: dps.validityStart, validityEnd: nil,
                shortDeadlinesAgreed: "yes", parentChoiceBandPoints: "5", description: "", terms: "")
            let before = try await auditCount(app)

            // MUT + validate: each refused by the field's name, nothing written
            var long = settings
            long.description = String(repeating: "x", count: Bounded.longText + 1)
            await expectInputError("description") {
                try await DPSAdmin.update(dps.id!, long.command, actor: w.admin, db: app.db, now: testNow)
            }
            var band = settings
            band.parentChoiceBandPoints = "99999999999999999999"
            await expectInputError("parentChoiceBandPoints") {
                try await DPSAdmin.update(dps.id!, band.command, actor: w.admin, db: app.db, now: testNow)
            }
            var regime = settings
            regime.regime = "pcr2006"
            await expectInputError("regime") {
                try await DPSAdmin.update(dps.id!, regime.command, actor: w.admin, db: app.db, now: testNow)
            }
            let partner = AdminForms.Partner(
                gssCode: "E06000043", name: "Brighton", categories: ["../1"], isJoiner: "no")
            await expectInputError("categories") {
                try await DPSAdmin.upsertPartner(dps.id!, partner.command, actor: w.admin, db: app.db, now: testNow)
            }
            // A date that cannot be read is not taken as "today" when terminating.
            let terminate = AdminForms.Validity(kind: "terminate", newEnd: "31/03/2031", reason: "Ended by partners")
            await expectInputError("newEnd") {
                try await DPSAdmin.changeValidity(
                    dps.id!, terminate.command, actor: w.admin, db: app.db, now: testNow)
            }
            await expectInputError("name") {
                try await DPSAdmin.addContentItem(
                    w.categories["fostering"]!.id!, .costLine(name: String(repeating: "n", count: 501)),
                    actor: w.admin, db: app.db, now: testNow)
            }
            let item = AdminForms.ContentItem(kind: "everything")
            await expectInputError("kind") { _ = try item.command }
            #expect(try await auditCount(app) == before)
            #expect(try await DPSRecord.find(dps.id!, on: app.db)?.validityEnd == dps.validityEnd)
        }
    }

    @Test("Starting an application takes ids: a value that is not one is refused by its field, nothing is written")
    func applicationStartTyped() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let b = HTTPTests.Browser(app)
            try await b.signIn("admin@acorn.test")
            try await b.get("/provider/applications")
            let before = try await auditCount(app)

            // MUT
            let res = try await b.post(
                "/provider/applications",
                pairs: [
                    ("establishment", w.establishment.id!.uuidString), ("categories[]", "../fostering"),
                    ("copyFrom", "1 OR 1=1"),
                ])

            // validate
            #expect(res.status == .unprocessableEntity)
            let page = res.body.string
            #expect(page.contains("Choose categories from the list"))
            #expect(page.contains("Choose one of your organisation&#39;s earlier applications to copy from"))
            #expect(try await ApplicationRecord.query(on: app.db).count() == 0)
            #expect(try await auditCount(app) == before)
        }
    }

    @Test("The direct-placement form is decoded into ids, a date, pence and weeks; what it cannot read is named")
    func directPlacementTyped() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let b = HTTPTests.Browser(app)
            try await b.signIn("officer@bh.test")
            try await b.get("/referrals/direct")
            let before = try await auditCount(app)

            // MUT
            let res = try await b.post(
                "/referrals/direct",
                pairs: [
                    ("category", rw.category.id!.uuidString), ("establishment", "../../etc/passwd"),
                    ("startDate", "1 December"), ("weeklyFee", "4,2x0"), ("durationWeeks", "99999999999999999999999"),
                    ("justification", "Emergency: the child's placement ended tonight without notice."),
                ])

            // validate: every unreadable field named, nothing written
            #expect(res.status == .unprocessableEntity)
            let page = res.body.string
            for message in [
                "Choose an establishment admitted to that category", "Enter the start date, for example 1 12 2026",
                "Enter the agreed weekly fee in pounds, like 4200 or 4200.50",
                "Enter the expected duration in weeks, from 1 to 520",
            ] {
                #expect(page.contains(message), "\(message)")
            }
            #expect(try await PlacementRecord.query(on: app.db).count() == 0)
            #expect(try await auditCount(app) == before)
        }
    }

    @Test("Weights at Int.max in the referral form are refused by name (the process used to exit on the sum)")
    func referralWeightsOverflow() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let officer = try await signedIn(app, "officer@bh.test")
            _ = try await officer.get("/referrals/new")
            var form = referralForm(rw)
            form["weights[price]"] = "9223372036854775807"
            form["weights[outcomes]"] = "9223372036854775807"
            let res = try await officer.post("/referrals", form)
            #expect(res.status == .unprocessableEntity)
            #expect(res.body.string.contains("Price must be from"))
            #expect(try await ReferralRecord.query(on: app.db).count() == 0)
            // The server is still there and the ordinary form still works.
            form = referralForm(rw)
            #expect(try await officer.post("/referrals", form).status == .seeOther)
        }
    }

    @Test("Category weight bounds at Int.min and Int.max are refused by name (the process used to exit)")
    func categoryBoundsOverflow() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let category = w.categories["sen-inmss"]!
            let admin = try await signedIn(app, "admin@ws.test")
            _ = try await admin.get("/admin/categories/\(category.id!)")
            var form = ["name": category.name, "minimumInvitees": "1", "affordabilityCap": ""]
            for c in ReferralCriterion.allCases {
                form["bounds.\(c.rawValue).min"] = String(Int.min)
                form["bounds.\(c.rawValue).max"] = String(Int.max)
            }
            let res = try await admin.post("/admin/categories/\(category.id!)/settings", form)
            #expect(res.status == .unprocessableEntity)
            #expect(res.body.string.contains("whole numbers from 0 to 100"))
        }
    }

    @Test(
        """
        A bid of £0 a week or a 100% discount is refused; \
        a stored unscorable bid is set aside and the referral can be awarded
        """
    )
    func zeroBids() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.published(app, rw)
            let acorn = inv["Acorn House"]!
            await expectInputError("core") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn, corePounds: 0), actor: rw.w.provider,
                    db: app.db, now: testNow)
            }
            await expectInputError("discount") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn, discount: "100"), actor: rw.w.provider,
                    db: app.db, now: testNow)
            }
            // One child: no tier covers a single child, so no discount at all.
            await expectInputError("discount") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn, discount: "5"), actor: rw.w.provider,
                    db: app.db, now: testNow)
            }
            #expect(try await BidRecord.query(on: app.db).count() == 0)
            // Two good bids, and one saved at £0 before these rules existed.
            for (name, actor) in [("Birch School", rw.w.otherProvider), ("Cedar School", rw.third)] {
                try await Referrals.bid(
                    inv[name]!.id!, form: rw.bidForm(app, invitation: inv[name]!), actor: actor, db: app.db,
                    now: testNow)
            }
            try await Referrals.bid(
                acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db, now: testNow)
            let legacy = try #require(
                try await BidRecord.query(on: app.db).filter(\.$invitation.$id == acorn.id!).first())
            legacy.weeklyCostPence = 0
            try await legacy.update(on: app.db)
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)
            for b in try await BidRecord.query(on: app.db).all() {
                try await Referrals.scoreBid(
                    r.id!, bidID: b.id!, .init(criterion: .outcomes, score: 4, comment: "Clear", consensus: true),
                    actor: rw.w.officer, db: app.db, now: afterDeadline)
            }
            let closed = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            let evaluation = try await Referrals.evaluate(closed, db: app.db)
            #expect(evaluation.result.ranking.count == 2)
            #expect(evaluation.result.nonCompliant.map(\.id) == [legacy.id!.uuidString])
            let placement = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            #expect(placement.bidID != legacy.id)
        }
    }

    @Test("Limits: a deadline years away, a huge outcomes statement and a sixth variable cost are refused")
    func limits() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            await expectInputError("deadline") {
                _ = try await Referrals.create(
                    rw.input(deadline: "9999-12-31 17:00"), actor: rw.w.officer, db: app.db, now: testNow)
            }
            let (_, inv) = try await referrals.published(app, rw)
            let acorn = inv["Acorn House"]!
            var form = rw.bidForm(app, invitation: acorn)
            form["outcomesStatement"] = String(repeating: "a", count: Bounded.longText + 1)
            await expectInputError("outcomesStatement") {
                try await Referrals.bid(acorn.id!, form: form, actor: rw.w.provider, db: app.db, now: testNow)
            }
            form = rw.bidForm(app, invitation: acorn)
            form["variable.5.description"] = "Hidden sixth line"
            form["variable.5.amount"] = "100"
            await expectInputError("variable") {
                try await Referrals.bid(acorn.id!, form: form, actor: rw.w.provider, db: app.db, now: testNow)
            }
            #expect(try await BidRecord.query(on: app.db).count() == 0)
        }
    }

    @Test(
        """
        An extension cannot seal the bids for ever, and a parent cannot be given years to reply \
        (both used to be accepted)
        """
    )
    func extensionAndReplyLimits() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.published(app, rw)

            // MUT and validate: the extension's ceiling is the publication's, 90 days
            await expectInputError("deadline") {
                try await Referrals.extend(
                    r.id!, deadline: Referrals.parseDeadline("9999-12-31 17:00"), actor: rw.w.officer, db: app.db,
                    now: testNow)
            }
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.deadline == r.deadline)
            try await Referrals.extend(
                r.id!, deadline: Referrals.parseDeadline("2026-11-20 17:00"), actor: rw.w.officer, db: app.db,
                now: testNow)

            // setup: two bids scored within the band, so the parent can be asked
            for name in ["Acorn House", "Birch School"] {
                try await Referrals.bid(
                    inv[name]!.id!, form: rw.bidForm(app, invitation: inv[name]!),
                    actor: name == "Acorn House" ? rw.w.provider : rw.w.otherProvider,
                    db: app.db, now: testNow)
            }
            let closedAt = ISO8601DateFormatter().date(from: "2026-11-21T18:00:00Z")!
            _ = try await Referrals.closeDue(db: app.db, now: closedAt)
            for b in try await BidRecord.query(on: app.db).filter(\.$referral.$id == r.id!).all() {
                try await Referrals.scoreBid(
                    r.id!, bidID: b.id!, .init(criterion: .outcomes, score: 4, comment: "Good.", consensus: true),
                    actor: rw.w.officer, db: app.db, now: closedAt)
            }
            await expectInputError("replyBy") {
                _ = try await Referrals.askParent(
                    r.id!, replyBy: Referrals.parseDeadline("2030-01-01 17:00"), actor: rw.w.officer, db: app.db,
                    now: closedAt)
            }
            #expect(try await ReferralRecord.find(r.id!, on: app.db)?.state == "closed")
        }
    }

    @Test(
        "Sign-in's next never leaves the site or carries CR/LF into a header",
        arguments: [
            "/\r\nSet-Cookie: evil=1", "/\\evil.example", "/\t/evil.example", "//evil.example", "https://evil.example",
            "/%0d%0aX: 1",
        ])
    func signInNext(_ next: String) async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let browser = Browser(app)
            _ = try await browser.get("/sign-in")
            let res = try await browser.post(
                "/sign-in", ["email": "officer@bh.test", "password": World.password, "next": next])
            #expect(res.status == .seeOther)
            let location = try #require(res.headers.first(name: .location))
            #expect(
                location == "/dashboard" || location == next && next.hasPrefix("/%"),
                "Location was \(location.debugDescription)")
            #expect(!location.contains("\r") && !location.contains("\n") && !res.headers.contains(name: "X"))
            #expect(res.headers[.setCookie].allSatisfy { !$0.contains("evil") })
        }
    }

    @Test("File names are safe in Content-Disposition; links outside use the configured address")
    func headerValues() {
        let disposition = SafeHeaders.attachment("policy\r\nSet-Cookie: x=1\".pdf")
        #expect(!disposition.contains("\r") && !disposition.contains("\n"))
        #expect(disposition.hasPrefix("attachment; filename=\"policySet-Cookie: x=1.pdf\""))
        #expect(SafeHeaders.filename("\n\t") == "download")
        #expect(AppConfig.publicURL("https://dps.example.gov.uk/") == "https://dps.example.gov.uk")
        #expect(AppConfig.publicURL("javascript:alert(1)") == "http://127.0.0.1:8080")
        #expect(AppConfig.publicURL(nil) == "http://127.0.0.1:8080")
        // Served over HTTPS, the session cookie is Secure unless the operator says otherwise.
        #expect(AppConfig.fromEnvironment(["DPS_PUBLIC_URL": "https://dps.example.gov.uk"]).secureCookies)
        #expect(!AppConfig.fromEnvironment(["DPS_PUBLIC_URL": "http://127.0.0.1:8080"]).secureCookies)
        #expect(
            !AppConfig.fromEnvironment(["DPS_PUBLIC_URL": "https://dps.example.gov.uk", "DPS_SECURE_COOKIES": "0"])
                .secureCookies)
    }

    @Test("Every response says no-referrer and nosniff; API answers and the token are never cached; errors too")
    func securityHeaders() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let http = HTTPTests()
            for res in [
                try await http.api(app, .GET, "/api/v1/categories", token: nil),
                try await http.api(app, .GET, "/api/v1/establishments", token: nil),
                try await Browser(app).get("/documents"),
            ] {
                #expect(res.headers.first(name: "Referrer-Policy") == "no-referrer")
                #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
            }
            let token = try await http.api(
                app, .POST, "/api/v1/tokens", token: nil,
                json: #"{"email":"officer@bh.test","password":"\#(World.password)"}"#)
            #expect(token.status == .ok)
            #expect(token.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test(
        """
        Sign-in: after 5 wrong passwords the account answers 429 with Retry-After, even to the right password; \
        unknown and wrong look alike
        """
    )
    func signInThrottle() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let browser = Browser(app)
            _ = try await browser.get("/sign-in")
            let unknown = try await browser.post("/sign-in", ["email": "nobody@bh.test", "password": "wrong password"])
            let wrong = try await browser.post("/sign-in", ["email": "officer@bh.test", "password": "wrong password"])
            #expect(unknown.status == wrong.status && wrong.status == .unauthorized)
            #expect(
                unknown.body.string.contains("The email address or password is not right")
                    && wrong.body.string.contains("The email address or password is not right"))
            for _ in 0..<(SignInGuard.maxFailures - 1) {
                #expect(
                    try await browser.post("/sign-in", ["email": "officer@bh.test", "password": "wrong password"])
                        .status == .unauthorized)
            }
            let locked = try await browser.post("/sign-in", ["email": "officer@bh.test", "password": World.password])
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
            // The API's token endpoint shares the same guard.
            let http = HTTPTests()
            let token = try await http.api(
                app, .POST, "/api/v1/tokens", token: nil,
                json: #"{"email":"officer@bh.test","password":"\#(World.password)"}"#)
            #expect(token.status == .tooManyRequests)
            // Another account is not locked by this one's failures.
            #expect(
                try await browser.post("/sign-in", ["email": "admin@ws.test", "password": World.password]).status
                    == .seeOther)
        }
    }

    @Test(
        """
        Five wrong passwords lock an account from that client address only; its owner elsewhere still signs in \
        (a probe locked anyone out with five tries); 100 from anywhere lock the account
        """
    )
    func lockoutIsPerAddress() async throws {
        try await withApp { app in
            // setup
            let guardian = SignInGuard(decoyHash: "")
            let email = "officer@bh.test"
            let attacker = SignInGuard.keys(email: email, address: "203.0.113.9")
            let owner = SignInGuard.keys(email: email, address: "198.51.100.7")

            // MUT + validate
            for _ in 0..<SignInGuard.maxFailures {
                try await guardian.recordFailure(attacker.keys, now: testNow, db: app.db)
            }
            #expect(
                try await guardian.retryAfter(attacker.keys, limits: attacker.limits, now: testNow, db: app.db) != nil)
            #expect(try await guardian.retryAfter(owner.keys, limits: owner.limits, now: testNow, db: app.db) == nil)
            for i in 0..<SignInGuard.maxFailuresPerAccount {
                let spread = SignInGuard.keys(email: email, address: "192.0.2.\(i)")
                try await guardian.recordFailure(spread.keys, now: testNow, db: app.db)
            }
            #expect(try await guardian.retryAfter(owner.keys, limits: owner.limits, now: testNow, db: app.db) != nil)
        }
    }

    @Test(
        """
        The tries are counted in the database: a second server instance refuses what the first counted (each counted \
        its own before, so two instances gave twice the tries); they lapse after the window and are then deleted
        """
    )
    func lockoutSharedByInstances() async throws {
        try await withApp { app in
            // setup: two instances' guards on one database
            let first = SignInGuard(decoyHash: "")
            let second = SignInGuard(decoyHash: "")
            let tries = SignInGuard.keys(email: "officer@bh.test", address: "203.0.113.9")

            // MUT
            for _ in 0..<SignInGuard.maxFailures {
                try await first.recordFailure(tries.keys, now: testNow, db: app.db)
            }

            // validate
            let wait = try await second.retryAfter(tries.keys, limits: tries.limits, now: testNow, db: app.db)
            #expect(wait == Int(SignInGuard.window))
            let later = testNow.addingTimeInterval(SignInGuard.window + 1)
            #expect(try await second.retryAfter(tries.keys, limits: tries.limits, now: later, db: app.db) == nil)
            let other = SignInGuard.keys(email: "admin@ws.test", address: "198.51.100.7")
            try await second.recordFailure(other.keys, now: later, db: app.db)
            let rows = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM sign_in_failures")
                .first()?.decode(column: "n", as: Int.self)
            #expect(rows == other.keys.count)  // the lapsed tries are gone
        }
    }

    @Test("Registration tells that an address has an account only 30 times per client address in 15 minutes")
    func registerThrottle() async throws {
        try await withApp { app in
            // setup
            _ = try await World.make(app)
            let browser = Browser(app)
            _ = try await browser.get("/register")
            let form = [
                "organisationName": "Probe Ltd", "legalName": "Probe Ltd", "companyNumber": "12345678",
                "address": "1 Road", "postcode": "RH12 1XH", "contactName": "Eve", "contactEmail": "officer@bh.test",
                "password": "long enough password",
            ]

            // MUT + validate
            for _ in 0..<SignInGuard.maxFailuresPerAddress {
                #expect(try await browser.post("/register", form).status == .conflict)
            }
            let throttled = try await browser.post("/register", form)
            #expect(throttled.status == .tooManyRequests)
            #expect(Int(throttled.headers.first(name: "Retry-After") ?? "") ?? 0 > 0)
        }
    }

    @Test(
        """
        Sessions: anonymous pages write no session; tokens can be listed and revoked; signing out revokes them; \
        sessions end after 8 hours
        """
    )
    func sessionsAndTokens() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let before = try await SessionRecord.query(on: app.db).count()
            let anonymous = Browser(app)
            _ = try await anonymous.get("/documents")
            #expect(try await SessionRecord.query(on: app.db).count() == before)
            #expect(anonymous.cookie == nil)
            // The sign-in and registration forms carry a CSRF token from their own cookie, not a session row.
            for _ in 0..<3 { _ = try await anonymous.get("/sign-in") }
            _ = try await anonymous.get("/register")
            #expect(try await SessionRecord.query(on: app.db).count() == before)
            #expect(anonymous.cookies.keys.sorted() == ["dps-csrf"])
            // A sign-in without that cookie's token is refused; with it, it goes through.
            let stranger = Browser(app)
            stranger.csrf = anonymous.csrf
            #expect(
                try await stranger.post("/sign-in", ["email": "officer@bh.test", "password": World.password])
                    .status == .forbidden)
            try await anonymous.signIn("officer@bh.test")
            #expect(try await SessionRecord.query(on: app.db).count() == before + 1)

            let http = HTTPTests()
            let first = try await http.token(app, "officer@bh.test")
            let second = try await http.token(app, "officer@bh.test")
            let listed = try await http.api(app, .GET, "/api/v1/tokens", token: first)
            let tokens = try listed.content.decode([APIRoutes.TokenView].self)
            #expect(tokens.count == 2)
            #expect(!listed.body.string.contains(first))
            // Revoke the second with the first; it stops working at once. Another person's token id is 404.
            let secondID = try #require(
                try await APIToken.query(on: app.db).filter(\.$tokenHash == Tokens.hash(second)).first()?.id)
            let other = try await http.token(app, "admin@acorn.test")
            #expect(try await http.api(app, .DELETE, "/api/v1/tokens/\(secondID)", token: other).status == .notFound)
            #expect(try await http.api(app, .DELETE, "/api/v1/tokens/\(secondID)", token: first).status == .noContent)
            #expect(try await http.api(app, .GET, "/api/v1/tokens", token: second).status == .unauthorized)
            // Signing out of the pages revokes the rest.
            let browser = Browser(app)
            try await browser.signIn("officer@bh.test")
            #expect(try await browser.get("/referrals").status == .ok)
            _ = try await browser.post("/sign-out", [:])
            #expect(try await http.api(app, .GET, "/api/v1/tokens", token: first).status == .unauthorized)
        }
        // Eight hours after sign-in the server no longer honours the session.
        let later = testNow.addingTimeInterval(8 * 3600 + 1)
        try await withApp { app in
            _ = try await World.make(app)
            let browser = Browser(app)
            try await browser.signIn("officer@bh.test")
            #expect(try await browser.get("/referrals").status == .ok)
            app.clock = .fixed(later)
            #expect(try await browser.get("/referrals").status == .seeOther)
        }
    }

    @Test("TRACE and other unknown methods answer 405, not 404")
    func trace() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            for method in [HTTPMethod.TRACE, .CONNECT, .RAW(value: "PROPFIND")] {
                try await app.testing().test(method, "/api/v1/categories") { res in
                    #expect(res.status == .methodNotAllowed)
                    #expect(res.headers.first(name: "Referrer-Policy") == "no-referrer")
                }
            }
        }
    }
}

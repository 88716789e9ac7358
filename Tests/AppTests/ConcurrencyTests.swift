import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Two people acting at once: every state change claims its row inside its transaction, on both engines.
@Suite("Concurrency: races and concurrent writers", .serialized)
struct ConcurrencyTests {
    let referrals = ReferralTests()
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!

    /// Runs `body` `times` times at once. Each run gives "ok", or the refusal's kind and the fields it names
    /// ("conflict:urn"); anything other than a `UseCaseError` (a database error, a 500) fails the test. Sorted.
    func race(_ times: Int, _ body: @escaping @Sendable () async throws -> Void) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<times {
                group.addTask {
                    do {
                        try await body()
                        return "ok"
                    } catch let error as UseCaseError {
                        return "\(error.kind):" + error.errors.map(\.field).joined()
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }.sorted()
        }
    }

    @Test("Twelve referrals created at once all succeed, each with its own reference")
    func concurrentReferences() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let input = rw.input()
            let officer = rw.w.officer
            let references = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await Referrals.create(input, actor: officer, db: app.db, now: testNow).reference
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(references.count == 12)
            #expect(Set(references).count == 12, "duplicate references: \(references.sorted())")
        }
    }

    @Test("Many bids and revisions at once: none fails, each establishment has one bid")
    func concurrentBids() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (_, inv) = try await referrals.published(app, rw)
            let bidders = [
                ("Acorn House", rw.w.provider), ("Birch School", rw.w.otherProvider), ("Cedar School", rw.third),
            ]
            let forms = Dictionary(
                uniqueKeysWithValues: bidders.map { ($0.0, rw.bidForm(app, invitation: inv[$0.0]!)) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<8 {
                    for (name, actor) in bidders {
                        var form = forms[name]!
                        form["outcomesStatement"] = "Plan, version \(round)"
                        let id = inv[name]!.id!
                        group.addTask {
                            try await Referrals.bid(id, form: form, actor: actor, db: app.db, now: testNow)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await BidRecord.query(on: app.db).count() == 3)
            #expect(
                try await AuditEventRecord.query(on: app.db).filter(\.$action ~~ ["bid.submitted", "bid.revised"])
                    .count() == 24)
            #expect(try await Audit.verify(on: app.db).valid)
        }
    }

    @Test("A bid cannot land after the referral closed, even from a copy read before closing")
    func bidAfterClose() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.published(app, rw)
            let acorn = inv["Acorn House"]!
            let published = try await Referrals.own(r.id!, actor: rw.w.officer, db: app.db)
            // Closed by someone else (the state is claimed by SQL; the earlier copy still says "published").
            try await Referrals.close(published, actor: nil, db: app.db, now: afterDeadline)
            await expectInputError("deadline") {
                try await Referrals.bid(
                    acorn.id!, form: rw.bidForm(app, invitation: acorn), actor: rw.w.provider, db: app.db, now: testNow)
            }
            #expect(try await BidRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("Bids racing the close: the counts the referral keeps and the market's summary agree with what landed")
    func bidsRacingTheCloseAreCounted() async throws {
        try await withApp { app in
            // setup: three invited providers
            let rw = try await ReferralWorld.make(app)
            let (r, inv) = try await referrals.published(app, rw)
            let bidders: [(String, Actor)] = [
                ("Acorn House", rw.w.provider), ("Birch School", rw.w.otherProvider), ("Cedar School", rw.third),
            ]

            // MUT: the three bid (before the deadline by their clocks) while the job closes the referral
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, actor) in bidders {
                    group.addTask {
                        do {
                            try await Referrals.bid(
                                inv[name]!.id!, form: rw.bidForm(app, invitation: inv[name]!), actor: actor,
                                db: app.db, now: testNow)
                        } catch let error as UseCaseError where error.errors.map(\.field) == ["deadline"] {
                            // closed first: refused, nothing written
                        }
                    }
                }
                group.addTask { _ = try await Referrals.closeDue(db: app.db, now: self.afterDeadline) }
                try await group.waitForAll()
            }
            // On PostgreSQL the job skips a referral whose row a bid holds at that moment (SKIP LOCKED); its next run
            // closes it, as the job's next minute would.
            _ = try await Referrals.closeDue(db: app.db, now: afterDeadline)

            // validate: whatever the order, what closed is what is counted
            let sql = app.db as! any SQLDatabase
            let landed = try await BidRecord.query(on: app.db).filter(\.$state == "submitted").count()
            let kept = try await sql.raw("SELECT bid_count FROM referrals WHERE id = \(bind: r.id!)").first()!
                .decode(column: "bid_count", as: Int.self)
            let market = try await sql.raw("SELECT CAST(COALESCE(SUM(bids), 0) AS BIGINT) AS n FROM market_bid_prices")
                .first()!.decode(column: "n", as: Int.self)
            #expect(kept == landed && market == landed)
        }
    }

    @Test("Two servers' closing jobs at once over more than a batch: each referral closes once, one event, one message")
    func closingJobsShareWork() async throws {
        try await withApp { app in
            // setup: 60 referrals published, all past their deadline (more than one batch of 50)
            let rw = try await ReferralWorld.make(app)
            var ids: [UUID] = []
            for _ in 0..<60 {
                let r = try await Referrals.create(rw.input(radius: 50), actor: rw.w.officer, db: app.db, now: testNow)
                _ = try await Referrals.publish(r.id!, actor: rw.w.officer, db: app.db, now: testNow)
                ids.append(r.id!)
            }

            // MUT: the job in two servers at the same moment (on PostgreSQL each takes rows the other has not)
            async let first = Referrals.closeDue(db: app.db, now: afterDeadline)
            async let second = Referrals.closeDue(db: app.db, now: afterDeadline)
            let (a, b) = try await (first, second)

            // validate
            #expect(a + b == 60)
            let sql = app.db as! any SQLDatabase
            let events = try await sql.raw(
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'referral.closed'"
            ).first()!.decode(column: "n", as: Int.self)
            let messages = try await sql.raw(
                "SELECT COUNT(*) AS n FROM outbox_messages WHERE subject LIKE 'Referral % closed with %'"
            ).first()!.decode(column: "n", as: Int.self)
            #expect(events == 60 && messages == 60)
            #expect(try await ReferralRecord.query(on: app.db).filter(\.$state == "closed").count() == 60)
        }
    }

    @Test("Cancel racing award: exactly one of them wins and the referral's state agrees with it")
    func cancelRacingAward() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, _) = try await referrals.competed(app, rw, parentChoice: false)
            let officer = rw.w.officer
            let now = afterDeadline
            async let awarded: Bool = {
                (try? await Referrals.award(r.id!, actor: officer, db: app.db, now: now)) != nil
            }()
            async let cancelled: Bool = {
                (try? await Referrals.cancel(r.id!, reason: "Child moved", actor: officer, db: app.db, now: now)) != nil
            }()
            let (a, c) = await (awarded, cancelled)
            #expect(a != c, "award \(a), cancel \(c)")
            let state = try #require(try await ReferralRecord.find(r.id!, on: app.db)).state
            #expect(state == (a ? "awarded" : "cancelled"))
            #expect(try await PlacementRecord.query(on: app.db).count() == (a ? 1 : 0))
        }
    }

    @Test("Both sides accepting twice at once record one acceptance each")
    func acceptOnce() async throws {
        try await withApp { app in
            let rw = try await ReferralWorld.make(app)
            let (r, _) = try await referrals.competed(app, rw, parentChoice: false)
            let placement = try await Referrals.award(r.id!, actor: rw.w.officer, db: app.db, now: afterDeadline)
            let officer = rw.w.officer
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        (try? await Referrals.accept(placement.id!, actor: officer, db: app.db, now: testNow)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await AuditEventRecord.query(on: app.db).filter(\.$action == "placement.accepted").count() == 1)
        }
    }

    @Test(
        "The audit trail cannot be rewritten by INSERT OR REPLACE (SQLite) or a second row with a used sequence number")
    func auditReplace() async throws {
        try await withApp { app in
            _ = try await World.make(app)
            let sql = try #require(app.db as? any SQLDatabase)
            let first = try #require(try await AuditEventRecord.query(on: app.db).sort(\.$seq).first())
            let verb = sql.dialect.name == "sqlite" ? "INSERT OR REPLACE" : "INSERT"
            await #expect(throws: (any Error).self) {
                try await sql.raw(
                    """
                    \(unsafeRaw: verb) INTO audit_events (id, seq, occurred_at, actor_label, action, entity_type, \
                    entity_id, before_json, after_json, prev_hash, hash)
                    VALUES (\(bind: first.id!), \(bind: first.seq), \(bind: first.occurredAt), 'forger', 'nothing', \
                    'x', 'x', 'null', 'null', \(bind: first.prevHash), \(bind: first.hash))
                    """
                ).run()
            }
            #expect(try await AuditEventRecord.find(first.id!, on: app.db)?.actorLabel == first.actorLabel)
            #expect(try await Audit.verify(on: app.db).valid)
        }
    }

    @Test("Two extensions at once: the later deadline stands, whichever commits last")
    func concurrentExtensions() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let (r, _) = try await referrals.published(app, rw)

            // MUT: the later extension first, then the earlier one, racing
            try await withThrowingTaskGroup(of: Void.self) { group in
                for deadline in ["2026-11-25 17:00", "2026-11-20 17:00", "2026-11-25 17:00", "2026-11-20 17:00"] {
                    group.addTask {
                        try? await Referrals.extend(
                            r.id!, deadline: Referrals.parseDeadline(deadline), actor: rw.w.officer, db: app.db,
                            now: testNow)
                    }
                }
                try await group.waitForAll()
            }

            // validate
            let after = try #require(try await ReferralRecord.find(r.id!, on: app.db))
            #expect(after.deadline == Referrals.parseDeadline("2026-11-25 17:00"))
        }
    }

    @Test("Evaluators reviewing several questions at once keep every review (each read the map before any wrote)")
    func concurrentReviews() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss"])
            let partID = try #require(try await w.parts(app, record)["sen-inmss"]?.id)
            let keys = try #require(try await ApplicationCategoryRecord.find(partID, on: app.db)).criteria.passFail
                .map(\.key)
            try #require(keys.count >= 3)

            // MUT
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, key) in keys.enumerated() {
                    let evaluator = i % 2 == 0 ? w.evaluator : w.evaluator2
                    group.addTask {
                        try await Assessment.review(
                            record.id!, partID: partID, .init(question: key, outcome: .pass, note: ""),
                            actor: evaluator, db: app.db, now: testNow)
                    }
                }
                try await group.waitForAll()
            }

            // validate
            let part = try #require(try await ApplicationCategoryRecord.find(partID, on: app.db))
            #expect(Set(try Assessment.reviews(of: part).keys) == Set(keys))
        }
    }

    @Test("Two categories decided at once decide the application; one category admitted twice at once, once")
    func concurrentDecisions() async throws {
        try await withApp { app in
            // setup: an application for two categories, fully scored
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss", "fostering"])
            try await w.scoreAll(app, record)
            let parts = try await w.parts(app, record)

            // MUT: each category admitted twice, by two evaluators, all at once
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (code, part) in parts {
                    for evaluator in [w.evaluator, w.evaluator2] {
                        group.addTask {
                            do {
                                try await Assessment.decide(
                                    record.id!, partID: part.id!, .init(decision: .admit, reason: "Meets \(code)"),
                                    actor: evaluator, db: app.db, now: testNow)
                                return true
                            } catch let error as UseCaseError where error.httpStatus == .conflict {
                                return false
                            }
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }

            // validate: one admission per category, one membership each, and the application decided
            #expect(outcomes.filter { $0 }.count == 2)
            #expect(
                try await MembershipRecord.query(on: app.db).filter(\.$establishment.$id == w.establishment.id!)
                    .count() == 2)
            #expect(try await ApplicationRecord.find(record.id!, on: app.db)?.state == "decided")
            #expect(
                try await AuditEventRecord.query(on: app.db).filter(\.$action == "application.decided").count() == 1)
            #expect(try await Audit.verify(on: app.db).valid)
            // Deciding it again later is a conflict too, whoever read it first (409, not bad input).
            let again = await #expect(throws: UseCaseError.self) {
                try await Assessment.decide(
                    record.id!, partID: parts["fostering"]!.id!, .init(decision: .refuse, reason: "Late"),
                    actor: w.evaluator, db: app.db, now: testNow)
            }
            #expect(again?.httpStatus == .conflict)
        }
    }

    @Test("Items added to a category at once are all kept (each edit used to save a copy read before the others)")
    func concurrentCategoryEdits() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let category = w.categories["fostering"]!
            let before = category.testContent.costLines.count
            let names = (1...6).map { "Extra line \($0)" }

            // MUT
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names {
                    group.addTask {
                        try await DPSAdmin.addContentItem(
                            category.id!, .costLine(name: name), actor: w.admin, db: app.db, now: testNow)
                    }
                }
                try await group.waitForAll()
            }

            // validate
            let lines = try #require(try await CategoryRecord.find(category.id!, on: app.db)).testContent.costLines
            #expect(lines.count == before + names.count)
            #expect(Set(names).isSubset(of: Set(lines.map(\.name))))
        }
    }

    @Test("Two categories of one name added at once: one is created, the other is told it exists (no 500)")
    func concurrentNewCategories() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let before = try await CategoryRecord.query(on: app.db).count()

            // MUT
            let results = try await race(4) {
                _ = try await DPSAdmin.newCategory(
                    w.dps.id!, .init(name: "Supported lodgings", contractName: "Local contract"), actor: w.admin,
                    db: app.db, now: testNow)
            }

            // validate
            #expect(results == ["conflict:categoryName", "conflict:categoryName", "conflict:categoryName", "ok"])
            #expect(try await CategoryRecord.query(on: app.db).count() == before + 1)
        }
    }

    @Test("Two extensions of the validity at once: one applies, the other is judged against the new end")
    func concurrentValidityChanges() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let command = DPSAdmin.ValidityCommand(
                kind: .extend, newEnd: LocalDate(iso: "2031-03-31"), reason: "Partners agreed a further year")

            // MUT
            let results = try await race(4) {
                try await DPSAdmin.changeValidity(w.dps.id!, command, actor: w.admin, db: app.db, now: testNow)
            }

            // validate: one change recorded from the old end; the others saw the new end and were refused
            #expect(results == ["invalid:newEnd", "invalid:newEnd", "invalid:newEnd", "ok"])
            let changes = try await ValidityChangeRecord.query(on: app.db).all()
            #expect(changes.map(\.oldEnd) == ["2030-03-31"])
            #expect(try await DPSRecord.find(w.dps.id!, on: app.db)?.validityEnd == "2031-03-31")
        }
    }

    @Test("Four applications started at once for one establishment: one draft, the others told it exists")
    func concurrentApplicationStarts() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let command = ProviderUseCases.NewApplication(
                establishmentID: w.establishment.id, categoryIDs: [w.categories["fostering"]!.id!])

            // MUT
            let results = try await race(4) {
                _ = try await ProviderUseCases.startApplication(command, actor: w.provider, db: app.db, now: testNow)
            }

            // validate
            #expect(results == ["conflict:establishment", "conflict:establishment", "conflict:establishment", "ok"])
            #expect(
                try await ApplicationRecord.query(on: app.db).filter(\.$establishment.$id == w.establishment.id!)
                    .count() == 1)
        }
    }

    @Test("Four registrations of one e-mail at once: one account, the others told it exists (409, never a 500)")
    func concurrentRegistrations() async throws {
        try await withApp { app in
            // setup
            let input = ProviderUseCases.RegistrationInput(
                organisationName: "Race Ltd", legalName: "Race Ltd", companyNumber: "12345678", address: "1 Road",
                postcode: "RH12 1XH", contactName: "Eve", contactEmail: "race@example.org",
                password: "long enough password")
            let hasher = app.password

            // MUT
            let results = try await race(4) {
                _ = try await ProviderUseCases.register(
                    input, hashPassword: { try hasher.hash($0) }, db: app.db, now: testNow)
            }

            // validate
            #expect(results == ["conflict:contactEmail", "conflict:contactEmail", "conflict:contactEmail", "ok"])
            #expect(try await User.query(on: app.db).filter(\.$email == "race@example.org").count() == 1)
            #expect(try await Organisation.query(on: app.db).filter(\.$name == "Race Ltd").count() == 1)
        }
    }

    @Test("A URN belongs to one provider: four adds of one URN at once make one, another provider's is refused")
    func concurrentURNs() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            var draft = World.establishmentInput(name: "Oak House", judgement: "Good")
            draft.urn = "149907"
            let input = draft

            // MUT
            let results = try await race(4) {
                _ = try await ProviderUseCases.addEstablishment(input, actor: w.provider, db: app.db, now: testNow)
            }
            let other = await expectInputError("urn") {
                _ = try await ProviderUseCases.addEstablishment(input, actor: w.otherProvider, db: app.db, now: testNow)
            }

            // validate
            #expect(results == ["conflict:urn", "conflict:urn", "conflict:urn", "ok"])
            #expect(other?.kind == .conflict)
            #expect(other?.errors.first?.message.contains("registered to another provider") == true)
            #expect(try await EstablishmentRecord.query(on: app.db).filter(\.$urn == "149907").count() == 1)
        }
    }
}

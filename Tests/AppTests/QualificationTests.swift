import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

@Suite("Qualification use cases", .serialized)
struct QualificationTests {
    @Test("A provider applies for two categories; the evaluator admits one and refuses the other")
    func journey() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["sen-inmss", "alternative-education"])
            #expect(record.state == "submitted")
            #expect(record.deadline == "2026-11-24")  // 10 working days after Tuesday 10 November 2026
            try await w.scoreAll(app, record, score: 4)
            let parts = try await w.parts(app, record)
            let auditBefore = try await auditCount(app)

            // MUT
            try await Assessment.decide(
                record.id!, partID: parts["sen-inmss"]!.id!, .init(decision: .admit, reason: "Meets every criterion"),
                actor: w.evaluator, db: app.db, now: testNow)
            try await Assessment.decide(
                record.id!, partID: parts["alternative-education"]!.id!,
                .init(decision: .refuse, reason: "No evidence of safeguarding review"), actor: w.evaluator, db: app.db,
                now: testNow)

            // validate
            let memberships = try await MembershipRecord.query(on: app.db).with(\.$category).all()
            #expect(memberships.count == 1)
            let m = try #require(memberships.first)
            #expect(m.category.code == "sen-inmss")
            #expect(m.qualificationScore == 8000)  // every statement 4/5 → 80.00
            #expect(m.state == "active")
            let costs = try JSONDecoder().decode([String: Int].self, from: Data(m.coreCostsJSON.utf8))
            #expect(costs.count == 9 && costs.values.allSatisfy { $0 == 50_000 })
            let decided = try await ApplicationRecord.find(record.id!, on: app.db)!
            #expect(decided.state == "decided")
            #expect(decided.decidedAt == testNow)
            let refused = try await ApplicationCategoryRecord.find(parts["alternative-education"]!.id!, on: app.db)!
            #expect(refused.decision == "refused" && refused.decisionReason == "No evidence of safeguarding review")
            let messages = try await OutboxMessageRecord.query(on: app.db).filter(
                \.$organisationID == w.provider.organisationID
            ).all()
            #expect(messages.contains { $0.subject.contains("SEN placements") && $0.body.contains("80.00") })
            #expect(messages.contains { $0.body.contains("No evidence of safeguarding review") })
            // two decisions, one membership, one application decided
            #expect(try await auditCount(app) == auditBefore + 4)
        }
    }

    @Test("The qualification score is the weighted consensus, out of 100")
    func weightedScore() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let part = try await w.parts(app, record)["fostering"]!
            // workforce 30 → 5, outcomes 30 → 3, contract 20 → 2, young people 20 → 4: 30 + 18 + 8 + 16 = 72
            for (key, score) in [
                ("workforce", 5), ("outcomes_framework", 3), ("contract_management", 2), ("young_people", 4),
            ] {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: key, score: score, comment: "ok", consensus: true),
                    actor: key == "young_people" ? w.panel : w.evaluator, db: app.db, now: testNow)
            }
            for q in try part.criteria.passFail {
                try await Assessment.review(
                    record.id!, partID: part.id!, .init(question: q.key, outcome: .pass), actor: w.evaluator,
                    db: app.db, now: testNow)
            }
            try await Assessment.decide(
                record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                now: testNow)
            #expect(try await MembershipRecord.query(on: app.db).first()?.qualificationScore == 7200)
        }
    }

    @Test("A category is admitted only when every pass/fail answer is reviewed and passed (DOMAIN §4)")
    func admissionNeedsEveryPassFailPassed() async throws {
        try await withApp { app in
            // setup: every statement scored; every pass/fail answer but the last passed
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let part = try await w.parts(app, record)["fostering"]!
            let questions = try part.criteria.passFail
            #expect(questions.count > 1)
            for s in try part.criteria.statements {
                try await Assessment.score(
                    record.id!, partID: part.id!, .init(statement: s.key, score: 4, comment: "ok", consensus: true),
                    actor: s.youngPeoplesPanel ? w.panel : w.evaluator, db: app.db, now: testNow)
            }
            for q in questions.dropLast() {
                try await Assessment.review(
                    record.id!, partID: part.id!, .init(question: q.key, outcome: .pass), actor: w.evaluator,
                    db: app.db, now: testNow)
            }
            func admit() async throws {
                try await Assessment.decide(
                    record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                    now: testNow)
            }
            let last = questions.last!

            // MUT and validate: one answer not reviewed, then failed, refuse admission by the decision's field
            await expectInputError("decision.fostering") { try await admit() }
            try await Assessment.review(
                record.id!, partID: part.id!, .init(question: last.key, outcome: .fail, note: "Insurance lapsed"),
                actor: w.evaluator, db: app.db, now: testNow)
            do {
                try await admit()
                Issue.record("admitted with a failed pass/fail answer")
            } catch let error as UseCaseError {
                #expect(error.errors.first?.field == "decision.fostering")
                #expect(error.message.contains("\(last.text): failed"))
            }
            #expect(try await MembershipRecord.query(on: app.db).count() == 0)
            // Passed on review: admitted.
            try await Assessment.review(
                record.id!, partID: part.id!, .init(question: last.key, outcome: .pass), actor: w.evaluator,
                db: app.db, now: testNow)
            try await admit()
            #expect(try await MembershipRecord.query(on: app.db).count() == 1)
        }
    }

    @Test("Admission needs a consensus score for every statement; refusal needs reasons; decisions are final")
    func decisionRules() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let part = try await w.parts(app, record)["fostering"]!
            await expectInputError("decision.fostering") {
                try await Assessment.decide(
                    record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                    now: testNow)
            }
            await expectInputError("reason.fostering") {
                try await Assessment.decide(
                    record.id!, partID: part.id!, .init(decision: .refuse, reason: "  "), actor: w.evaluator,
                    db: app.db, now: testNow)
            }
            #expect(try await MembershipRecord.query(on: app.db).count() == 0)
            try await w.scoreAll(app, record)
            try await Assessment.decide(
                record.id!, partID: part.id!, .init(decision: .refuse, reason: "Weak workforce plan"),
                actor: w.evaluator, db: app.db, now: testNow)
            await #expect(throws: UseCaseError.self) {
                try await Assessment.decide(
                    record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                    now: testNow)
            }
            #expect(try await MembershipRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("The young people's panel scores only its own question, and evaluators never score it")
    func panelScoresOnlyItsQuestion() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let part = try await w.parts(app, record)["fostering"]!
            await #expect(throws: UseCaseError.self) {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: "workforce", score: 3, comment: "x", consensus: false), actor: w.panel, db: app.db,
                    now: testNow)
            }
            await #expect(throws: UseCaseError.self) {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: "young_people", score: 3, comment: "x", consensus: false), actor: w.evaluator,
                    db: app.db, now: testNow)
            }
            try await Assessment.score(
                record.id!, partID: part.id!,
                .init(statement: "young_people", score: 3, comment: "x", consensus: false), actor: w.panel, db: app.db,
                now: testNow)
            await expectInputError("score.fostering.workforce") {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: "workforce", score: 6, comment: "x", consensus: false), actor: w.evaluator,
                    db: app.db, now: testNow)
            }
            // Several evaluators score; the moderator's consensus is what counts.
            try await Assessment.score(
                record.id!, partID: part.id!, .init(statement: "workforce", score: 2, comment: "a", consensus: false),
                actor: w.evaluator, db: app.db, now: testNow)
            try await Assessment.score(
                record.id!, partID: part.id!, .init(statement: "workforce", score: 4, comment: "b", consensus: false),
                actor: w.evaluator2, db: app.db, now: testNow)
            try await Assessment.score(
                record.id!, partID: part.id!,
                .init(statement: "workforce", score: 3, comment: "agreed", consensus: true), actor: w.evaluator2,
                db: app.db, now: testNow)
            #expect(try await Assessment.consensus(part.id!, db: app.db) == ["workforce": 3])
            #expect(try await StatementScoreRecord.query(on: app.db).filter(\.$isConsensus == false).count() == 3)
        }
    }

    @Test(
        """
        Evaluators score independently: another's score of a statement is hidden until one has scored it; a \
        moderator's consensus keeps every individual score beside it, the moderator's own included
        """
    )
    func independentScoring() async throws {
        try await withApp { app in
            // setup: the first evaluator scores the workforce statement
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let part = try await w.parts(app, record)["fostering"]!
            func score(_ actor: Actor, _ value: Int, consensus: Bool) async throws {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: "workforce", score: value, comment: "Scorer note \(value)", consensus: consensus),
                    actor: actor, db: app.db, now: testNow)
            }
            try await score(w.evaluator, 2, consensus: false)
            func seen(by actor: Actor) async throws -> [Int] {
                try await Assessment.visibleScores([part.id!], viewer: actor, db: app.db)
                    .filter { !$0.isConsensus }.map(\.score).sorted()
            }

            // MUT and validate: the second evaluator sees nothing before scoring, both after
            #expect(try await seen(by: w.evaluator2) == [])
            let before = HTTPTests.Browser(app)
            try await before.signIn("eval2@ws.test")
            #expect(!(try await before.get("/assessment/\(record.id!)").body.string.contains("Scorer note 2")))
            #expect(try await seen(by: w.evaluator) == [2])
            #expect(try await seen(by: w.auditor) == [2])
            try await score(w.evaluator2, 4, consensus: false)
            #expect(try await seen(by: w.evaluator2) == [2, 4])
            // A moderator who never scored it individually: the consensus is also their own score, beside the rest.
            try await score(w.admin, 3, consensus: true)
            #expect(try await seen(by: w.admin) == [2, 3, 4])
            #expect(try await Assessment.consensus(part.id!, db: app.db) == ["workforce": 3])
            // The page shows the first evaluator's score to the second only now that both have scored.
            let b = HTTPTests.Browser(app)
            try await b.signIn("eval2@ws.test")
            let page = try await b.get("/assessment/\(record.id!)").body.string
            #expect(page.contains("Scorer note 2") && page.contains("Scorer note 4"))
        }
    }

    @Test(
        "Submission is refused, naming the field, with nothing saved",
        arguments: [
            "window", "cap", "missing-answer", "inadequate", "expired-evidence", "missing-statement",
        ])
    func submissionRefusals(_ rule: String) async throws {
        try await withApp { app in
            // setup
            var w = try await World.make(app)
            var form = w.completeForm(["sen-inmss"])
            var now = testNow
            var field = ""
            switch rule {
            case "window":
                try await DPSAdmin.addClosedWindow(
                    w.dps.id!,
                    .init(
                        start: LocalDate(iso: "2026-11-01"), end: LocalDate(iso: "2026-12-01"), reason: "On-boarding"),
                    actor: w.admin,
                    db: app.db, now: testNow)
                field = "submission"
            case "cap":
                form = w.completeForm(["sen-inmss"], costPence: 200_000)  // 9 × £2,000 = £18,000 > £15,000 cap
                field = "costs.sen-inmss"
            case "missing-answer":
                form["answers.sen-inmss.insurance"] = nil
                field = "answers.sen-inmss.insurance"
            case "missing-statement":
                form["statements.sen-inmss.workforce"] = "   "
                field = "statements.sen-inmss.workforce"
            case "inadequate":
                w.establishment = try await ProviderUseCases.addEstablishment(
                    World.establishmentInput(name: "Cedar", judgement: "Inadequate"), actor: w.provider, db: app.db,
                    now: testNow)
                field = "establishment.inspection"
            case "expired-evidence":
                now = testNow  // evidence below expires the day before
                field = "answers.sen-inmss.insurance"
            default: Issue.record("unknown rule")
            }
            let record = try await w.application(app, codes: ["sen-inmss"], submit: false, at: now, form: form)
            if rule == "expired-evidence" {
                try await EvidenceRecord.query(on: app.db).delete()
                try await w.uploadEvidence(app, record, actor: w.provider, now: now, expires: "2026-11-09")
            }
            let before = try await auditCount(app)

            // MUT
            let error = await expectInputError(field) {
                try await ProviderUseCases.submit(
                    record.id!, actor: w.provider, db: app.db, now: now, calendar: WorkingDayCalendar())
            }

            // validate
            #expect(error?.kind == .invalid)
            let after = try await ApplicationRecord.find(record.id!, on: app.db)!
            #expect(after.state == "draft" && after.submittedAt == nil && after.deadline == nil)
            #expect(try await auditCount(app) == before)
            #expect(try await OutboxMessageRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("A total exactly at the affordability cap is accepted")
    func capBoundary() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            // Fostering: 5 lines; cap £2,500 → £500 each is exactly the cap.
            let record = try await w.application(
                app, codes: ["fostering"], form: w.completeForm(["fostering"], costPence: 50_000))
            #expect(record.state == "submitted")
        }
    }

    @Test("Deadline: 10 working days, extendable once to 15 with a reason, across bank holidays")
    func deadlineAndExtension() async throws {
        // Friday 18 December 2026: 10 working days skip Christmas (Fri 25), Boxing Day substitute (Mon 28)
        // and New Year (Fri 1 Jan).
        let friday = ISO8601DateFormatter().date(from: "2026-12-18T15:00:00Z")!
        try await withApp(now: friday) { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"], at: friday)
            #expect(record.deadline == "2027-01-06")  // 21-24 Dec, 29-31 Dec, 4-6 Jan
            await expectInputError("reason") {
                try await Assessment.extend(
                    record.id!, reason: " ", actor: w.evaluator, db: app.db, now: friday, calendar: WorkingDayCalendar()
                )
            }
            try await Assessment.extend(
                record.id!, reason: "Waiting for the insurer to confirm cover", actor: w.evaluator, db: app.db,
                now: friday, calendar: WorkingDayCalendar())
            let extended = try await ApplicationRecord.find(record.id!, on: app.db)!
            #expect(
                extended.deadline == "2027-01-13" && extended.extended
                    && extended.extensionReason == "Waiting for the insurer to confirm cover")
            await expectInputError("deadline") {
                try await Assessment.extend(
                    record.id!, reason: "again", actor: w.evaluator, db: app.db, now: friday,
                    calendar: WorkingDayCalendar())
            }
        }
    }

    @Test("The queue warns before the deadline and reports breaches")
    func queueStatuses() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            _ = try await w.application(app, codes: ["fostering"])  // deadline 24 November 2026
            let calendar = WorkingDayCalendar()
            func status(at iso: String) async throws -> AssessmentClock.DeadlineStatus? {
                try await Assessment.queue(
                    actor: w.evaluator, db: app.db, now: ISO8601DateFormatter().date(from: iso)!, calendar: calendar
                ).first?.status
            }
            #expect(try await status(at: "2026-11-11T10:00:00Z") == .onTrack(workingDaysLeft: 9))
            #expect(try await status(at: "2026-11-20T10:00:00Z") == .dueSoon(workingDaysLeft: 2))
            #expect(try await status(at: "2026-11-24T10:00:00Z") == .dueToday)
            #expect(try await status(at: "2026-11-26T10:00:00Z") == .breached(workingDaysLate: 2))
            await #expect(throws: UseCaseError.self) {
                _ = try await Assessment.queue(actor: w.provider, db: app.db, now: testNow, calendar: calendar)
            }
        }
    }

    @Test("Clarification: the application waits for the answer, then returns to assessment")
    func clarification() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            try await w.scoreAll(app, record)
            try await Assessment.askClarification(
                record.id!, question: "How many carers are approved?", actor: w.evaluator, db: app.db, now: testNow)
            #expect(try await ApplicationRecord.find(record.id!, on: app.db)?.state == "clarificationRequested")
            let part = try await w.parts(app, record)["fostering"]!
            await expectInputError("decision.fostering") {
                try await Assessment.decide(
                    record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                    now: testNow)
            }
            let question = try await ClarificationRecord.query(on: app.db).first()!
            await #expect(throws: UseCaseError.self) {
                try await ProviderUseCases.answerClarification(
                    record.id!, clarificationID: question.id!, answer: "12", actor: w.otherProvider, db: app.db,
                    now: testNow)
            }
            try await ProviderUseCases.answerClarification(
                record.id!, clarificationID: question.id!, answer: "Twelve households", actor: w.provider, db: app.db,
                now: testNow)
            #expect(try await ApplicationRecord.find(record.id!, on: app.db)?.state == "submitted")
            try await Assessment.decide(
                record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                now: testNow)
            #expect(try await MembershipRecord.query(on: app.db).count() == 1)
        }
    }

    @Test("Answers can be copied from an earlier application of the same organisation only")
    func copyAnswers() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let first = try await w.application(app, codes: ["sen-inmss"])
            let second = try await ProviderUseCases.addEstablishment(
                World.establishmentInput(name: "Acorn Lodge", judgement: "Good"), actor: w.provider, db: app.db,
                now: testNow)
            let copy = try await ProviderUseCases.startApplication(
                .init(establishmentID: second.id, categoryIDs: [w.categories["sen-inmss"]!.id!], copyFrom: first.id),
                actor: w.provider, db: app.db, now: testNow)
            let copied = try ProviderUseCases.Answers(try await w.parts(app, copy)["sen-inmss"]!)
            #expect(copied.statements["workforce"] == "Our approach to Workforce.")
            #expect(copied.costs["premises"] == 50_000)
            let theirs = try await ProviderUseCases.addEstablishment(
                World.establishmentInput(name: "Birch Two", judgement: "Good"), actor: w.otherProvider, db: app.db,
                now: testNow)
            await expectInputError("copyFrom") {
                _ = try await ProviderUseCases.startApplication(
                    .init(
                        establishmentID: theirs.id, categoryIDs: [w.categories["sen-inmss"]!.id!], copyFrom: first.id),
                    actor: w.otherProvider, db: app.db, now: testNow)
            }
        }
    }

    @Test("An establishment has one application in progress at a time")
    func oneInProgress() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            try await w.application(app, codes: ["fostering"], submit: false)
            let error = await expectInputError("establishment") {
                _ = try await ProviderUseCases.startApplication(
                    .init(establishmentID: w.establishment.id, categoryIDs: [w.categories["sen-inmss"]!.id!]),
                    actor: w.provider, db: app.db, now: testNow)
            }
            #expect(error?.kind == .conflict)
            #expect(try await ApplicationRecord.query(on: app.db).count() == 1)
        }
    }

    @Test("A draft that cannot read an amount saves nothing")
    func draftAllOrNothing() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"], submit: false)
            var form = w.completeForm(["fostering"], costPence: 60_000)
            form["costs.fostering.carer_fee"] = "lots"
            await expectInputError("costs.fostering.carer_fee") {
                try await ProviderUseCases.saveDraft(
                    record.id!, form: form, actor: w.provider, db: app.db, now: testNow)
            }
            let answers = try ProviderUseCases.Answers(try await w.parts(app, record)["fostering"]!)
            #expect(answers.costs["carer_allowance"] == 50_000)
        }
    }

    @Test("A typed draft: amounts and discounts outside their bounds are named and nothing is saved")
    func typedDraftBounds() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"], submit: false)
            let before = try ProviderUseCases.Answers(try await w.parts(app, record)["fostering"]!)
            let tier = try #require(w.categories["fostering"]!.testContent.discountTiers.first).children
            let cases: [(ProviderUseCases.DraftCommand.Part, String)] = [
                (.init(costs: ["carer_fee": Int.max]), "costs.fostering.carer_fee"),
                (.init(costs: ["carer_fee": -1]), "costs.fostering.carer_fee"),
                (.init(discounts: [tier: 10_001]), "discounts.fostering.\(tier)"),
                (
                    .init(statements: ["workforce": String(repeating: "x", count: Bounded.longText + 1)]),
                    "statements.fostering.workforce"
                ),
            ]
            for (part, field) in cases {
                var change = part
                change.passFail = ["insurance": false]  // a valid change that must not be saved either
                await expectInputError(field) {
                    try await ProviderUseCases.saveDraft(
                        record.id!, .init(parts: ["fostering": change]), actor: w.provider, db: app.db, now: testNow)
                }
                #expect(try ProviderUseCases.Answers(try await w.parts(app, record)["fostering"]!) == before)
            }
            // In bounds, the same typed command saves exactly what it says.
            try await ProviderUseCases.saveDraft(
                record.id!, .init(parts: ["fostering": .init(costs: ["carer_fee": 12_345], discounts: [tier: nil])]),
                actor: w.provider, db: app.db, now: testNow)
            let after = try ProviderUseCases.Answers(try await w.parts(app, record)["fostering"]!)
            #expect(after.costs["carer_fee"] == 12_345 && after.discounts[String(tier)] == nil)
            #expect(after.passFail == before.passFail && after.statements == before.statements)
        }
    }

    @Test("Administrator: validity changes need a reason, are recorded and notified; category bounds stay within §7")
    func administration() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            try await DPSAdmin.upsertPartner(
                w.dps.id!,
                .init(
                    gssCode: "E06000043", name: "Brighton and Hove",
                    categories: [w.categories["fostering"]!.id!], isJoiner: false),
                actor: w.admin, db: app.db, now: testNow)
            await expectInputError("reason") {
                try await DPSAdmin.changeValidity(
                    w.dps.id!, .init(kind: .extend, newEnd: LocalDate(iso: "2031-03-31"), reason: ""), actor: w.admin,
                    db: app.db,
                    now: testNow)
            }
            try await DPSAdmin.changeValidity(
                w.dps.id!,
                .init(kind: .extend, newEnd: LocalDate(iso: "2031-03-31"), reason: "Partners agreed a further year"),
                actor: w.admin, db: app.db, now: testNow)
            #expect(try await DPSRecord.find(w.dps.id!, on: app.db)?.validityEnd == "2031-03-31")
            let change = try await ValidityChangeRecord.query(on: app.db).first()
            #expect(change?.oldEnd == "2030-03-31" && change?.reason == "Partners agreed a further year")
            #expect(
                try await OutboxMessageRecord.query(on: app.db).filter(\.$organisationID == w.officer.organisationID)
                    .filter(\.$subject ~~ "period of validity").count() == 1)

            let category = w.categories["fostering"]!
            var bounds: [String: String] = [:]
            for r in ReferralCriterion.allCases {
                bounds["bounds.\(r.rawValue).min"] = String(r.hardBounds.lowerBound)
                bounds["bounds.\(r.rawValue).max"] = String(r.hardBounds.upperBound)
            }
            bounds["bounds.price.max"] = "80"
            await expectInputError("bounds.price.min") {
                try await DPSAdmin.updateCategorySettings(
                    category.id!,
                    AdminForms.CategorySettings(
                        name: "Fostering", description: "", contractName: "NFC", affordabilityCap: "2500",
                        minimumInvitees: "3"
                    ).command(bounds: bounds), actor: w.admin, db: app.db, now: testNow)
            }
            bounds["bounds.price.max"] = "60"
            try await DPSAdmin.updateCategorySettings(
                category.id!,
                AdminForms.CategorySettings(
                    name: "Fostering", description: "", contractName: "NFC", affordabilityCap: "2,600.50",
                    minimumInvitees: "4"
                ).command(bounds: bounds), actor: w.admin, db: app.db, now: testNow)
            let saved = try await CategoryRecord.find(category.id!, on: app.db)!
            #expect(
                saved.affordabilityCapPence == 260_050 && saved.minimumInvitees == 4
                    && saved.testContent.weightBounds["price"]?.max == 60)
            // Only the administrator may change the DPS.
            await #expect(throws: UseCaseError.self) {
                try await DPSAdmin.addClosedWindow(
                    w.dps.id!,
                    .init(start: LocalDate(iso: "2027-01-01"), end: LocalDate(iso: "2027-02-01"), reason: "x"),
                    actor: w.evaluator,
                    db: app.db, now: testNow)
            }
        }
    }

    @Test("A category whose statement weights do not add up to 100 is not open for applications")
    func categoryReadiness() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            let category = w.categories["fostering"]!
            try await DPSAdmin.addContentItem(
                category.id!, .statement(title: "Matching", guidance: "", weight: 10, youngPeoplesPanel: false),
                actor: w.admin,
                db: app.db, now: testNow)
            let changed = try await CategoryRecord.find(category.id!, on: app.db)!
            #expect(try changed.readinessProblems.contains { $0.field == "statements" })
            await expectInputError("categories") {
                _ = try await ProviderUseCases.startApplication(
                    .init(establishmentID: w.establishment.id, categoryIDs: [category.id!]),
                    actor: w.provider, db: app.db, now: testNow)
            }
            await expectInputError("youngPeoplesPanel") {
                try await DPSAdmin.addContentItem(
                    category.id!,
                    .statement(title: "Second panel question", guidance: "", weight: 5, youngPeoplesPanel: true),
                    actor: w.admin, db: app.db, now: testNow)
            }
        }
    }

    @Test("Establishment and registration input is validated field by field")
    func establishmentValidation() async throws {
        try await withApp { app in
            let w = try await World.make(app)
            var input = World.establishmentInput(name: "", judgement: "Good", postcode: "ZZ99 9ZZ")
            input.ageLow = "12"
            input.ageHigh = "9"
            let error = await expectInputError("name") {
                _ = try await ProviderUseCases.addEstablishment(input, actor: w.provider, db: app.db, now: testNow)
            }
            let fields = Set(error?.errors.map(\.field) ?? [])
            #expect(fields.isSuperset(of: ["name", "postcode", "ageHigh"]))
            let count = try await EstablishmentRecord.query(on: app.db).count()
            #expect(count == 2)
            // Places are bounded where read: a capacity near Int.max would overflow any sum of the market.
            var huge = World.establishmentInput(name: "Huge House", judgement: "Good")
            huge.capacity = String(Int.max)
            await expectInputError("capacity") {
                _ = try await ProviderUseCases.addEstablishment(huge, actor: w.provider, db: app.db, now: testNow)
            }
            #expect(try await EstablishmentRecord.query(on: app.db).count() == count)
            await expectInputError("companyNumber") {
                _ = try await ProviderUseCases.register(
                    .init(
                        organisationName: "X", legalName: "X Ltd", companyNumber: "123", address: "1 Road",
                        postcode: "RH12 1XH",
                        contactName: "Sam", contactEmail: "sam@x.test", password: "long enough password"),
                    hashPassword: { [password = app.password] in try password.hash($0) }, db: app.db, now: testNow)
            }
        }
    }
}

@Suite("Criteria frozen at submission", .serialized)
struct FrozenCriteriaTests {
    @Test("Editing a category after submission does not change what a submitted application is judged on")
    func frozen() async throws {
        try await withApp { app in
            // setup
            let w = try await World.make(app)
            let record = try await w.application(app, codes: ["fostering"])
            let category = w.categories["fostering"]!
            try await DPSAdmin.addContentItem(
                category.id!, .statement(title: "Matching carers", guidance: "", weight: 10, youngPeoplesPanel: false),
                actor: w.admin, db: app.db, now: testNow)
            try await DPSAdmin.addContentItem(
                category.id!,
                .passFail(
                    text: "Do you hold a new accreditation?", hint: "", requiresEvidence: false,
                    evidenceExpires: false),
                actor: w.admin, db: app.db, now: testNow)
            #expect(try await CategoryRecord.find(category.id!, on: app.db)!.testContent.statements.count == 5)

            // MUT: score the four statements the provider answered, then admit.
            try await w.scoreAll(app, record, score: 5)
            let part = try await w.parts(app, record)["fostering"]!
            await #expect(throws: UseCaseError.self) {
                try await Assessment.score(
                    record.id!, partID: part.id!,
                    .init(statement: "matching_carers", score: 3, comment: "x", consensus: true), actor: w.evaluator,
                    db: app.db, now: testNow)
            }
            try await Assessment.decide(
                record.id!, partID: part.id!, .init(decision: .admit), actor: w.evaluator, db: app.db,
                now: testNow)

            // validate: judged on the criteria it was submitted against (4 statements, all 5/5 = 100.00).
            #expect(try part.criteria.statements.count == 4 && part.criteria.passFail.count == 7)
            #expect(try await MembershipRecord.query(on: app.db).first()?.qualificationScore == 10_000)
        }
    }
}

import DPSDomain
import DPSPersistence
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import App
@testable import DPSUseCases

/// The referral journey over `/api/v1` alone, as a council's case-management system and a provider's bid
/// software would run it: create, check eligibility, publish, bid, revise, decline, close, score, evaluate,
/// award and read the agreement; with the refusals each step owes to bad input and to other organisations.
@Suite("Referrals over the API: the whole journey", .serialized)
struct ReferralAPITests {
    let afterDeadline = ISO8601DateFormatter().date(from: "2026-11-12T18:00:00Z")!
    let http = HTTPTests()

    private func json(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
    }

    private func fields(_ res: TestingHTTPResponse) throws -> [String] {
        let errors = try json(res)["errors"] as? [[String: Any]] ?? []
        return errors.compactMap { $0["field"] as? String }
    }

    private func referralBody(_ rw: ReferralWorld, weights: String = "") -> String {
        """
        {"category": "\(rw.category.id!.uuidString)", "pattern": "residential52", "startDate": "2026-12-01",
         "durationWeeks": 52, "childAge": 12, "childGender": "girl", "homePostcode": "RH12 1XH",
         "childDetails": "Jane Doe, case 12345", "needs": [{"text": "Autism spectrum condition", "marks": 2, \
        "code": "communication_interaction"},
         {"text": "Speech and language support"}], "mustHaves": ["Waking night staff"],
         "outcomes": ["Attend school every day", "Build friendships"], "radiusMiles": 50,
         "deadline": "2026-11-12T17:00:00Z", "parentChoice": false\(weights)}
        """
    }

    private func bidBody(_ rw: ReferralWorld, pence: Int = 39_000, needs: String = #"["n1", "n2"]"#) -> String {
        let core = rw.category.testContent.costLines.map { "\"\($0.key)\": \(pence)" }.joined(separator: ", ")
        return
            #"{"corePence": {\#(core)}, "outcomesStatement": "A named key worker and a weekly attendance review.", "#
            + #""needsMet": \#(needs), "mustHavesMet": ["m1"]}"#
    }

    @Test("An officer and two providers run a referral from creation to the placement agreement over the API")
    func wholeJourney() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let officer = try await http.token(app, "officer@bh.test")
            let acorn = try await http.token(app, "admin@acorn.test")
            let birch = try await http.token(app, "admin@birch.test")
            let cedar = try await http.token(app, "admin@cedar.test")

            // MUT: create, read, eligibility, publish
            let created = try await http.api(app, .POST, "/api/v1/referrals", token: officer, json: referralBody(rw))
            #expect(created.status == .created, "\(created.body.string)")
            let id = try #require(try json(created)["id"] as? String)
            let draft = try json(try await http.api(app, .GET, "/api/v1/referrals/\(id)", token: officer))
            #expect(draft["state"] as? String == "draft")
            #expect((draft["needs"] as? [[String: Any]])?.map { $0["id"] as? String } == ["n1", "n2"])
            #expect((draft["needs"] as? [[String: Any]])?.first?["code"] as? String == "communication_interaction")
            let coded = try await ReferralItemRecord.query(on: app.db).filter(\.$referralID == UUID(uuidString: id)!)
                .filter(\.$kind == "need").all()
            // queryable by area
            #expect(coded.map(\.code).sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "communication_interaction"])
            let eligibility = try json(
                try await http.api(app, .GET, "/api/v1/referrals/\(id)/eligibility", token: officer))
            #expect(eligibility["eligible"] as? Int == 3)
            let published = try await http.api(app, .POST, "/api/v1/referrals/\(id)/publish", token: officer)
            #expect(try published.status == .ok && (json(published)["invited"] as? Int) == 3)
            #expect(
                try await http.api(app, .POST, "/api/v1/referrals/\(id)/publish", token: officer).status == .conflict)

            // MUT: bids, a revision, refusals, a decline
            let invitations = try await InvitationRecord.query(on: app.db).filter(
                \.$referral.$id == UUID(uuidString: id)!
            ).with(\.$establishment).all()
            let inv = Dictionary(uniqueKeysWithValues: invitations.map { ($0.establishment.name, $0.id!.uuidString) })
            // The invitation tells the bid software what to send: the ids to meet and the approved price of each line.
            let invitation = try json(
                try await http.api(app, .GET, "/api/v1/invitations/\(inv["Acorn House"]!)", token: acorn))
            #expect(
                (invitation["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["n1", "n2", "m1"])
            #expect(
                Set(((invitation["approvedCorePence"] as? [String: Int]) ?? [:]).keys)
                    == Set(rw.category.testContent.costLines.map(\.key)))
            let acornBid = try await http.api(
                app, .PUT, "/api/v1/invitations/\(inv["Acorn House"]!)/bid", token: acorn,
                json: bidBody(rw, pence: 40_000))
            #expect(acornBid.status == .ok, "\(acornBid.body.string)")
            let revised = try await http.api(
                app, .PUT, "/api/v1/invitations/\(inv["Acorn House"]!)/bid", token: acorn,
                json: bidBody(rw, pence: 38_000))
            #expect(revised.status == .ok)
            #expect(try json(revised)["weeklyCostPence"] as? Int == 38_000 * rw.category.testContent.costLines.count)
            // A revision replaces the bid's rows: one per core line at the new price, and the items it meets.
            let acornRows = try await BidLineRecord.query(on: app.db).join(
                BidRecord.self, on: \BidLineRecord.$bidID == \BidRecord.$id
            )
            .filter(BidRecord.self, \.$invitation.$id == UUID(uuidString: inv["Acorn House"]!)!).all()
            #expect(
                acornRows.count == rw.category.testContent.costLines.count
                    && acornRows.allSatisfy { $0.weeklyPence == 38_000 && $0.kind == "core" })
            #expect(
                try await BidItemMetRecord.query(on: app.db).filter(\.$referralID == UUID(uuidString: id)!).all().map(
                    \.itemID
                ).sorted()
                    == ["m1", "n1", "n2"])
            #expect(
                try await http.api(
                    app, .PUT, "/api/v1/invitations/\(inv["Birch School"]!)/bid", token: birch, json: bidBody(rw)
                ).status == .ok)
            // Another provider's invitation does not exist for it; a bid above the approved price, an unknown need or
            // an amount too large for a number are refused by name, and none of them is stored.
            #expect(
                try await http.api(
                    app, .PUT, "/api/v1/invitations/\(inv["Acorn House"]!)/bid", token: birch, json: bidBody(rw)
                ).status == .notFound)
            let tooDear = try await http.api(
                app, .PUT, "/api/v1/invitations/\(inv["Cedar School"]!)/bid", token: cedar,
                json: bidBody(rw, pence: 40_001))
            #expect(
                try tooDear.status == .unprocessableEntity && (fields(tooDear)).allSatisfy { $0.hasPrefix("core.") })
            let unknownNeed = try await http.api(
                app, .PUT, "/api/v1/invitations/\(inv["Cedar School"]!)/bid", token: cedar,
                json: bidBody(rw, needs: #"["n1", "n9"]"#))
            #expect(try unknownNeed.status == .unprocessableEntity && (fields(unknownNeed)) == ["needsMet"])
            let overflow = try await http.api(
                app, .PUT, "/api/v1/invitations/\(inv["Cedar School"]!)/bid", token: cedar,
                json: #"{"corePence": {"x": 99999999999999999999999}, "outcomesStatement": "x"}"#)
            #expect(overflow.status == .badRequest)
            let declined = try await http.api(
                app, .POST, "/api/v1/invitations/\(inv["Cedar School"]!)/decline", token: cedar,
                json: #"{"reason": "no_vacancy"}"#)
            #expect(declined.status == .noContent)

            // Sealed: a count before the deadline, no evaluation, no early close.
            #expect(
                try json(try await http.api(app, .GET, "/api/v1/referrals/\(id)", token: officer))["bidsReceived"]
                    as? Int == 2)
            #expect(
                try await http.api(app, .GET, "/api/v1/referrals/\(id)/evaluation", token: officer).status == .conflict)
            #expect(try await http.api(app, .POST, "/api/v1/referrals/\(id)/close", token: officer).status == .conflict)

            // MUT: close, score, evaluate, award
            app.clock = .fixed(afterDeadline)
            #expect(
                try await http.api(app, .DELETE, "/api/v1/invitations/\(inv["Acorn House"]!)/bid", token: acorn).status
                    == .conflict)
            let closed = try await http.api(app, .POST, "/api/v1/referrals/\(id)/close", token: officer)
            #expect(try closed.status == .ok && (json(closed)["state"] as? String) == "closed")
            let bids = try await BidRecord.query(on: app.db).filter(\.$referral.$id == UUID(uuidString: id)!).with(
                \.$establishment
            ).all()
            #expect(bids.count == 2)
            let unscored = try json(try await http.api(app, .GET, "/api/v1/referrals/\(id)/evaluation", token: officer))
            #expect((unscored["unscored"] as? [String])?.count == 2)
            #expect(try await http.api(app, .POST, "/api/v1/referrals/\(id)/award", token: officer).status == .conflict)
            for b in bids {
                let path = "/api/v1/referrals/\(id)/bids/\(b.id!)/score"
                #expect(
                    try await http.api(
                        app, .PUT, path, token: acorn,
                        json: #"{"criterion": "outcomes", "score": 5, "comment": "mine"}"#
                    ).status == .forbidden)
                #expect(
                    try await http.api(
                        app, .PUT, path, token: officer, json: #"{"criterion": "outcomes", "score": 6, "comment": "x"}"#
                    ).status
                        == .unprocessableEntity)
                // Price is worked out from the bid: a hand score of it is refused, naming the field.
                let price = try await http.api(
                    app, .PUT, path, token: officer, json: #"{"criterion": "price", "score": 5, "comment": "x"}"#)
                #expect(price.status == .unprocessableEntity)
                #expect(
                    (try json(price)["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == [
                        "criterion"
                    ])
                let scored = try await http.api(
                    app, .PUT, path, token: officer,
                    json: #"{"criterion": "outcomes", "score": 4, "comment": "Clear plan."}"#)
                #expect(scored.status == .ok)
            }
            let evaluation = try json(
                try await http.api(app, .GET, "/api/v1/referrals/\(id)/evaluation", token: officer))
            let ranking = try #require((evaluation["evaluation"] as? [String: Any])?["ranking"] as? [[String: Any]])
            #expect(ranking.count == 2 && (evaluation["unscored"] as? [String]) == [])
            let acornID = try #require(bids.first { $0.establishment.name == "Acorn House" }?.id?.uuidString)
            #expect(ranking.first?["id"] as? String == acornID)  // the cheaper bid with the same quality wins
            let award = try await http.api(app, .POST, "/api/v1/referrals/\(id)/award", token: officer)
            #expect(award.status == .created, "\(award.body.string)")
            #expect(try await http.api(app, .POST, "/api/v1/referrals/\(id)/award", token: officer).status == .conflict)

            // validate: the agreement for both sides and nobody else
            let placement = try #require(try json(award)["placement"] as? String)
            let forOfficer = try await http.api(app, .GET, "/api/v1/placements/\(placement)", token: officer)
            #expect(
                try forOfficer.status == .ok
                    && (json(forOfficer)["weeklyFeePence"] as? Int) == 38_000 * rw.category.testContent.costLines.count)
            #expect(
                try json(forOfficer)["expectedEndDate"] as? String == "2027-11-30"
                    && (try json(forOfficer)["status"] as? String) == "active")
            #expect(try await http.api(app, .GET, "/api/v1/placements/\(placement)", token: acorn).status == .ok)
            #expect(try await http.api(app, .GET, "/api/v1/placements/\(placement)", token: birch).status == .notFound)
            #expect(
                try json(try await http.api(app, .GET, "/api/v1/referrals/\(id)", token: officer))["state"] as? String
                    == "awarded")
        }
    }

    @Test("Hostile values on the API are refused by field, never stored cut short (found by attacking the new API)")
    func hostileValues() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let officer = try await http.token(app, "officer@bh.test")
            let acorn = try await http.token(app, "admin@acorn.test")
            let before = try await ReferralRecord.query(on: app.db).count()

            // MUT: a referral whose only outcome is a NUL (SQLite would store it empty), an unknown kind, a
            // deadline after the placement starts
            let nul = try await http.api(
                app, .POST, "/api/v1/referrals", token: officer,
                json: referralBody(rw).replacingOccurrences(
                    of: #""Attend school every day", "Build friendships""#, with: #""\u0000""#))
            let kind = try await http.api(
                app, .POST, "/api/v1/referrals", token: officer,
                json: referralBody(rw).replacingOccurrences(of: #""pattern""#, with: #""kind": "bogus", "pattern""#))
            let late = try await http.api(
                app, .POST, "/api/v1/referrals", token: officer,
                json: referralBody(rw).replacingOccurrences(of: "2026-11-12T17:00:00Z", with: "2026-12-02T17:00:00Z"))

            // validate
            #expect(try nul.status == .unprocessableEntity && fields(nul).contains("outcomes"))
            #expect(try kind.status == .unprocessableEntity && fields(kind).contains("kind"))
            #expect(try late.status == .unprocessableEntity && fields(late).contains("deadline"))
            #expect(try await ReferralRecord.query(on: app.db).count() == before)

            // setup: a published referral to bid on
            let created = try await http.api(app, .POST, "/api/v1/referrals", token: officer, json: referralBody(rw))
            let id = try #require(try json(created)["id"] as? String)
            #expect(try await http.api(app, .POST, "/api/v1/referrals/\(id)/publish", token: officer).status == .ok)
            let invitation = try #require(
                try await InvitationRecord.query(on: app.db).filter(\.$referral.$id == UUID(uuidString: id)!)
                    .filter(\.$establishment.$id == rw.w.establishment.id!).first())
            let path = "/api/v1/invitations/\(invitation.id!)/bid"
            let base = bidBody(rw)
            func bid(_ json: String) async throws -> TestingHTTPResponse {
                try await http.api(app, .PUT, path, token: acorn, json: json)
            }

            // MUT and validate: each refused by the field it is about
            let huge = try await bid(
                base.replacingOccurrences(
                    of: #""corePence""#,
                    with: #""variable": [{"description": "Therapy", "weeklyPence": 9223372036854775807}], "corePence""#)
            )
            #expect(try huge.status == .unprocessableEntity && fields(huge) == ["variable.0.amount"])
            let negative = try await bid(
                base.replacingOccurrences(
                    of: #""corePence""#,
                    with: #""variable": [{"description": "Therapy", "weeklyPence": -1}], "corePence""#))
            #expect(try negative.status == .unprocessableEntity && fields(negative) == ["variable.0.amount"])
            let longDescription = String(repeating: "a", count: 1_001)
            let long = try await bid(
                base.replacingOccurrences(
                    of: #""corePence""#,
                    with:
                        "\"variable\": [{\"description\": \"\(longDescription)\", \"weeklyPence\": 100}], \"corePence\""
                ))
            #expect(try long.status == .unprocessableEntity && fields(long) == ["variable.0.description"])
            let discount = try await bid(
                base.replacingOccurrences(of: #""corePence""#, with: #""discountBasisPoints": -1, "corePence""#))
            #expect(try discount.status == .unprocessableEntity && fields(discount) == ["discount"])
            let many = (0..<60).map { "\"n\($0)\"" }.joined(separator: ", ")
            let manyNeeds = try await bid(bidBody(rw, needs: "[\(many)]"))
            #expect(try manyNeeds.status == .unprocessableEntity && fields(manyNeeds).contains("needsMet"))
            let hidden = try await bid(
                base.replacingOccurrences(
                    of: "A named key worker and a weekly attendance review.", with: #"\u0000hidden"#))
            // the NUL is dropped where the text is decoded: "hidden" is what is stored
            #expect(try hidden.status == .ok)
            #expect(
                try await BidRecord.query(on: app.db).filter(\.$invitation.$id == invitation.id!).first()?
                    .outcomesStatement == "hidden")
        }
    }

    @Test("The document's list of areas of need is the domain's")
    func needAreasDocumented() {
        let line =
            OpenAPISpec.yaml.components(separatedBy: "\n").first { $0.contains("enum: [communication_interaction") }
            ?? ""
        let listed = line.split(separator: "[").last?.split(separator: "]").first?.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(listed == NeedArea.allCases.map(\.rawValue))
    }

    @Test("The referral form takes an area of need after a second bar, and names a line whose area is unknown")
    func needAreasOnTheForm() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            var input = rw.input()
            input.needs =
                "Autism spectrum condition | 2 | communication_interaction\n"
                + "Nightmares | 1 | Attachment and trauma\nSpeech support"

            // MUT
            let r = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: testNow)
            input.needs = "Autism | 1 | wizardry"
            let refusal = await expectInputError("needs") {
                _ = try await Referrals.create(input, actor: rw.w.officer, db: app.db, now: testNow)
            }

            // validate
            let content = try await Referrals.Content.load(r, db: app.db)
            #expect(content.needs.map(\.code) == [.communicationInteraction, .attachmentTrauma, nil])
            #expect(content.needs.map(\.marks) == [2, 1, 1])
            #expect(refusal?.errors.first { $0.field == "needs" }?.message.contains("wizardry") == true)
        }
    }

    @Test("Creating over the API refuses bad input by field, other roles and other councils, and writes nothing")
    func createRefusals() async throws {
        try await withApp { app in
            // setup
            let rw = try await ReferralWorld.make(app)
            let officer = try await http.token(app, "officer@bh.test")
            let provider = try await http.token(app, "admin@acorn.test")
            let before = try await ReferralRecord.query(on: app.db).count()

            // MUT
            let badWeights = try await http.api(
                app, .POST, "/api/v1/referrals", token: officer,
                json: referralBody(
                    rw, weights: #", "weights": {"price": 9223372036854775807, "needs": 9223372036854775807}"#))
            let missing = try await http.api(
                app, .POST, "/api/v1/referrals", token: officer, json: #"{"category": "not-a-uuid"}"#)
            let unknownArea = try await http.api(
                app, .POST, "/api/v1/referrals", token: officer,
                json: referralBody(rw).replacingOccurrences(of: "communication_interaction", with: "wizardry"))
            let asProvider = try await http.api(
                app, .POST, "/api/v1/referrals", token: provider, json: referralBody(rw))
            let created = try await http.api(app, .POST, "/api/v1/referrals", token: officer, json: referralBody(rw))
            let id = try #require(try json(created)["id"] as? String)

            // validate
            #expect(try badWeights.status == .unprocessableEntity && (fields(badWeights)).contains("weights.price"))
            #expect(missing.status == .badRequest)
            #expect(try unknownArea.status == .badRequest && (fields(unknownArea)).contains { $0.hasPrefix("needs") })
            #expect(asProvider.status == .forbidden)
            #expect(try await ReferralRecord.query(on: app.db).count() == before + 1)
            #expect(try await http.api(app, .GET, "/api/v1/referrals/\(id)", token: provider).status == .forbidden)
            #expect(
                try await http.api(app, .GET, "/api/v1/referrals/\(id)/eligibility", token: provider).status
                    == .forbidden)
            #expect(
                try await http.api(app, .POST, "/api/v1/referrals/\(id)/publish", token: provider).status == .forbidden)
        }
    }
}

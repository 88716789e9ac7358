import DPSDomain
import DPSPersistence
import DPSUseCases
import Fluent
import Foundation
import Vapor

/// A realistic demo built from the public registers: West Sussex runs the DPS for the South East Together
/// partners; real independent special schools, fostering agencies and children's homes of the South East
/// apply, at every stage of assessment. Everything goes through the real use cases, so it is audited.
enum Demo {
    static let password = "demo-password-2026"
    static let leadName = "West Sussex County Council"

    static let staff: [(email: String, name: String, role: Role, org: String)] = [
        ("admin@westsussex.demo", "Amira Khan", .dpsAdmin, leadName),
        ("evaluator@westsussex.demo", "Ben Carter", .evaluator, leadName),
        ("evaluator2@westsussex.demo", "Chloe Evans", .evaluator, leadName),
        ("panel@westsussex.demo", "Dev Patel", .panelMember, leadName),
        ("contracts@westsussex.demo", "Erin Walsh", .contractManager, leadName),
        ("auditor@westsussex.demo", "Femi Adeyemi", .auditor, leadName),
        ("officer@brighton-hove.demo", "Grace Hughes", .placementOfficer, "Brighton and Hove City Council"),
        ("finance@kent.demo", "Harry Moss", .partnerViewer, "Kent County Council"),
        ("officer@kent.demo", "Jamal Reid", .placementOfficer, "Kent County Council"),
        ("admin@brighton-hove.demo", "Isla Murray", .councilAdmin, "Brighton and Hove City Council"),
    ]

    static let partners: [(name: String, gss: String)] = [
        ("Surrey County Council", "E10000030"), ("East Sussex County Council", "E10000011"),
        ("Kent County Council", "E10000016"), ("Brighton and Hove City Council", "E06000043"),
    ]

    static var signInSummary: String {
        var lines = ["", "Demo sign-ins (password for all: \(password)):"]
        for s in staff {
            lines.append("  \(s.role.label.padding(toLength: 30, withPad: " ", startingAt: 0)) \(s.email)")
        }
        lines.append(
            "  \(Role.providerAdmin.label.padding(toLength: 30, withPad: " ", startingAt: 0)) provider@demo.provider")
        lines.append(
            "  \(Role.providerAdmin.label.padding(toLength: 30, withPad: " ", startingAt: 0)) provider2@demo.provider")
        lines.append("  \(Role.bidWriter.label.padding(toLength: 30, withPad: " ", startingAt: 0)) bids@demo.provider")
        lines.append(
            "  \("Provider (suspended home)".padding(toLength: 30, withPad: " ", startingAt: 0)) watched@demo.provider")
        return lines.joined(separator: "\n") + "\n"
    }

    static func isLoaded(on db: any Database) async throws -> Bool {
        try await DPSRecord.query(on: db).count() > 0
    }

    /// Loads the demo unless a DPS already exists (safe to run twice).
    static func load(app: Application) async throws {
        let db = app.db
        guard try await isLoaded(on: db) == false else {
            app.logger.notice("The demo is already loaded.")
            return
        }
        let loaded = try Registers.load(from: try Registers.dataDirectory())
        if try await Registers.isImported(on: db) == false { _ = try await Registers.importAll(loaded, on: db) }
        let now = app.clock.now()
        let hash = try app.password.hash(password)

        // Councils and their people.
        var orgs: [String: Organisation] = [:]
        let lead = Organisation(kind: OrganisationKind.leadAuthority.rawValue, name: leadName)
        lead.gssCode = "E10000032"
        lead.contactEmail = "dps@westsussex.demo"
        lead.address = "County Hall, West Street, Chichester"
        lead.postcode = "PO19 1RQ"
        try await lead.create(on: db)
        orgs[leadName] = lead
        for p in partners {
            let o = Organisation(kind: OrganisationKind.partnerAuthority.rawValue, name: p.name)
            o.gssCode = p.gss
            try await o.create(on: db)
            orgs[p.name] = o
        }
        var actors: [String: Actor] = [:]
        for s in staff {
            let org = orgs[s.org]!
            let user = User(
                organisationID: org.id!, email: s.email, name: s.name, role: s.role.rawValue, passwordHash: hash)
            try await user.create(on: db)
            actors[s.email] = Actor(
                userID: user.id!, name: s.name, email: s.email, role: s.role, organisationID: org.id!,
                organisationKind: OrganisationKind(rawValue: org.kind)!, organisationName: org.name)
        }
        let admin = actors["admin@westsussex.demo"]!
        let evaluator = actors["evaluator@westsussex.demo"]!
        let panel = actors["panel@westsussex.demo"]!

        // The DPS, with the partners and a closed window for next year's on-boarding.
        let dps = try await DPSAdmin.create(
            .init(
                title: "South East Together Children's Placements DPS", regime: .pcr2015,
                validityStart: LocalDate(iso: "2026-04-01"), validityEnd: LocalDate(iso: "2030-03-31"),
                shortDeadlinesAgreed: true,
                parentChoiceBandPoints: 5,
                description:
                    "A regional dynamic purchasing system for SEN placements in independent and non-maintained "
                    + "special schools, independent fostering and children's residential care, "
                    + "run by West Sussex for the South East Together partners.",
                terms:
                    "Admitted providers must keep meeting every pass/fail criterion for the life of the DPS. "
                    + "A failure suspends the membership for all authorities.\n"
                    + "Admitted providers agree that referral deadlines may be shorter than 10 days, "
                    + "the same for every invited provider.\n"
                    + "Each placement is made under the national contract for its category."
            ),
            actor: admin, db: db, now: now)
        let categories = try await CategoryRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).all()
        let byCode = Dictionary(uniqueKeysWithValues: categories.map { ($0.code, $0) })
        for p in partners {
            let uses =
                p.name.contains("Brighton") || p.name.contains("Kent")
                ? ["sen-inmss", "fostering", "residential"] : ["sen-inmss", "fostering"]
            try await DPSAdmin.upsertPartner(
                dps.requireID(),
                .init(
                    gssCode: p.gss, name: p.name, categories: uses.compactMap { byCode[$0]?.id },
                    isJoiner: false),
                actor: admin, db: db, now: now)
        }
        try await DPSAdmin.addClosedWindow(
            dps.requireID(),
            .init(
                start: LocalDate(iso: "2027-02-01"), end: LocalDate(iso: "2027-04-01"),
                reason: "On-boarding of the 2027 cohort of partners"),
            actor: admin, db: db, now: now)

        // Real establishments of the South East partners' areas.
        let set: Set<String> = ["E10000032", "E10000030", "E10000011", "E10000016", "E06000043"]
        let schools = loaded.schools.filter {
            ["independent_special", "non_maintained_special"].contains($0.derivedCategory)
                && set.contains($0.laGSSCode ?? "")
        }
        .sorted { PostcodeDirectory.stableHash($0.urn) < PostcodeDirectory.stableHash($1.urn) }.prefix(30)
        let agencies = loaded.providers.filter {
            $0.category == "independent_fostering_agency" && $0.region == "South East"
                && $0.registrationStatus == "Active"
        }
        .sorted { PostcodeDirectory.stableHash($0.urn) < PostcodeDirectory.stableHash($1.urn) }.prefix(12)
        let homes = loaded.providers.filter {
            $0.category == "childrens_home" && set.contains($0.laGSSCode ?? "") && $0.overallJudgement != nil
                && $0.registrationStatus == "Active"
        }
        .sorted { PostcodeDirectory.stableHash($0.urn) < PostcodeDirectory.stableHash($1.urn) }.prefix(24)
        var entries: [(RegisterEntry, String, String)] = []  // entry, operator, category code
        for s in schools { entries.append((loaded.lookup.entry(for: s), s.proprietor ?? s.name, "sen-inmss")) }
        for a in agencies { entries.append((loaded.lookup.entry(for: a), a.owner ?? a.name, "fostering")) }
        for h in homes {
            entries.append((loaded.lookup.entry(for: h), h.owner ?? "Children's home operator", "residential"))
        }

        // The first provider has the demo sign-ins.
        var providerActors: [String: Actor] = [:]
        for (index, (entry, operatorName, code)) in entries.enumerated() {
            let opName = operatorName.trimmed.isEmpty ? (entry.name ?? "Provider") : operatorName.trimmed
            let actor: Actor
            if let existing = providerActors[opName] {
                actor = existing
            } else {
                let org = Organisation(kind: OrganisationKind.provider.rawValue, name: opName)
                org.legalName = opName
                org.companyNumber = String(format: "DM%06d", Int(PostcodeDirectory.stableHash(opName) % 1_000_000))
                org.address = entry.addressLines.first ?? "Address withheld"
                org.postcode = entry.postcode
                org.contactName = "Registered manager"
                org.contactEmail =
                    index == 0
                    ? "provider@demo.provider"
                    : index == 1 ? "provider2@demo.provider" : "contact\(providerActors.count)@demo.provider"
                try await org.create(on: db)
                let user = User(
                    organisationID: org.id!, email: org.contactEmail!,
                    name: index == 0 ? "Isla Morgan" : index == 1 ? "Kai Robinson" : "Registered manager",
                    role: Role.providerAdmin.rawValue, passwordHash: hash)
                try await user.create(on: db)
                if index == 0 {
                    try await User(
                        organisationID: org.id!, email: "bids@demo.provider", name: "Jack Turner",
                        role: Role.bidWriter.rawValue, passwordHash: hash
                    ).create(on: db)
                }
                actor = Actor(
                    userID: user.id!, name: user.name, email: user.email, role: .providerAdmin, organisationID: org.id!,
                    organisationKind: .provider, organisationName: org.name)
                providerActors[opName] = actor
            }
            try await applyAndAssess(
                entry: entry, code: code, index: index, actor: actor, categories: byCode, evaluator: evaluator,
                panel: panel, db: db, now: now)
        }
        try await referrals(
            officer: actors["officer@brighton-hove.demo"]!, providers: Array(providerActors.values), categories: byCode,
            db: db, now: now)
        try await concerns(
            officers: [actors["officer@brighton-hove.demo"]!, actors["officer@kent.demo"]!],
            manager: actors["contracts@westsussex.demo"]!, db: db, now: now)
        try await complianceCheck(manager: actors["contracts@westsussex.demo"]!, categories: byCode, db: db, now: now)
        try await feeReview(manager: actors["contracts@westsussex.demo"]!, db: db, now: now)
        // The business case's figures (DOMAIN §9): the one-off procurement cost of £97,700 and the central function's
        // £198,533 a year, shared equally among the founders.
        try await CostSharingStatements.setYear(
            dps: dps.requireID(),
            .init(
                year: CostSharingStatements.financialYear(of: LocalDate.from(now)), procurementPence: 9_770_000,
                centralPence: 19_853_300, joiningFeePence: 2_000_000, basis: .equal), actor: admin, db: db, now: now)
        try await inspectionWatch(
            loaded: loaded, areas: set, categories: byCode, evaluator: evaluator, panel: panel, hash: hash, db: db,
            now: now)
        // Kent's first, so the day's review run in `placementLives` opens their reviews too.
        try await kentPlacements(officer: actors["officer@kent.demo"]!, categories: byCode, db: db, now: now)
        try await placementLives(
            officer: actors["officer@brighton-hove.demo"]!, manager: actors["contracts@westsussex.demo"]!,
            categories: byCode, db: db, now: now)
        try await analyze(db)
        app.logger.notice("Demo loaded: \(entries.count) establishments from \(providerActors.count) providers.")
    }

    /// Concerns in use: Brighton and Hove raises two about the school it placed a child at, Kent a third, which
    /// crosses the threshold (3 concerns from 2 partners in 12 months) and opens a coordinated review; the contract
    /// manager agrees an action plan (one action done) and records a monitoring visit.
    static func concerns(officers: [Actor], manager: Actor, db: any Database, now: Date) async throws {
        guard let placement = try await PlacementRecord.query(on: db).first(),
            let membership = try await MembershipRecord.query(on: db)
                .filter(\.$establishment.$id == placement.$establishment.id).filter(\.$state == "active").first()
        else { return }
        let concerns: [(Actor, ConcernThreshold.Kind, Int, String)] = [
            (
                officers[0], .quality, 40,
                "The school's termly report arrived six weeks late and did not cover the agreed speech and language "
                    + "outcomes."
            ),
            (
                officers[0], .quality, 12,
                "Two sessions of speech and language therapy a week were agreed; the school confirmed one a week "
                    + "since September."
            ),
            (
                officers[1], .contractual, 3,
                "Invoices for the autumn term charged for one-to-one support that the placement agreement does not "
                    + "include."
            ),
        ]
        var review: UUID?
        for (officer, kind, daysAgo, details) in concerns {
            review = try await Concerns.raise(
                about: membership.requireID(), .init(kind: kind, details: details), actor: officer, db: db,
                now: now.addingTimeInterval(-Double(daysAgo) * 86400))
        }
        guard let review else { return }
        let today = LocalDate.from(now)
        try await Concerns.addAction(
            review, action: "Send the missing termly report with progress against every agreed outcome",
            owner: "Head teacher", due: today.adding(days: -1), actor: manager, db: db,
            now: now.addingTimeInterval(-2 * 86400))
        try await Concerns.addAction(
            review, action: "Restore two speech and language therapy sessions a week and show the timetable",
            owner: "Head of therapies", due: today.adding(days: 21), actor: manager, db: db,
            now: now.addingTimeInterval(-2 * 86400))
        let first = try await Concerns.review(review, actor: manager, db: db).actions.first {
            $0.owner == "Head teacher"
        }
        if let first {
            try await Concerns.completeAction(
                review, action: first.id, note: "Report received and shared with both councils.", actor: manager,
                db: db, now: now.addingTimeInterval(-86400))
        }
        try await Concerns.recordVisit(
            review, kind: .monitoring, on: today.adding(days: -1),
            report: "Met the head teacher and the head of therapies. Timetables show one therapy session a week for "
                + "three pupils; a second therapist starts next month. Invoices to be re-issued without the one-to-one "
                + "line.",
            file: nil, actor: manager, db: db, now: now.addingTimeInterval(-3600))
    }

    /// A compliance check in progress: opened for fostering two working days ago; the first agency has confirmed.
    static func complianceCheck(manager: Actor, categories: [String: CategoryRecord], db: any Database, now: Date)
        async throws
    {
        guard let fostering = categories["fostering"] else { return }
        let dps = fostering.$dps.id
        let opened = now.addingTimeInterval(-2 * 86400)
        guard
            let check = try? await ComplianceChecks.open(
                dps: dps, category: fostering.id, actor: manager, db: db, now: opened)
        else { return }
        let answers = try await ComplianceChecks.report(check, actor: manager, db: db).1
        guard let first = answers.first,
            let admin = try await User.query(on: db).filter(\.$organisation.$id == first.providerID)
                .filter(\.$role == Role.providerAdmin.rawValue).first(),
            let org = try await Organisation.find(first.providerID, on: db)
        else { return }
        let provider = Actor(
            userID: try admin.requireID(), name: admin.name, email: admin.email, role: .providerAdmin,
            organisationID: first.providerID, organisationKind: .provider, organisationName: org.name)
        try? await ComplianceChecks.confirm(
            check, statement: "Registration, insurance, DBS checks and policies reviewed this week; all current.",
            actor: provider, db: db, now: opened.addingTimeInterval(86400))
    }

    /// A fee review in progress: open until the end of next month, fees from 1 April; the first provider has proposed
    /// a rise in one line, which the contract manager has countered.
    static func feeReview(manager: Actor, db: any Database, now: Date) async throws {
        guard let dps = try await DPSRecord.query(on: db).first(), let dpsID = dps.id else { return }
        let today = LocalDate.from(now)
        let closes = today.adding(days: 30)
        let effective = LocalDate(year: closes.month >= 4 ? closes.year + 1 : closes.year, month: 4, day: 1)
        guard
            let review = try? await FeeReviews.open(
                dps: dpsID, closesOn: closes, effectiveFrom: effective, actor: manager, db: db, now: now)
        else { return }
        guard let (provider, membership) = try await demoProvider(db: db) else { return }
        let target = try await FeeReviews.target(review, membership: membership.requireID(), actor: provider, db: db)
        guard let line = target.lines.first, let current = target.current[line.key] else { return }
        try? await FeeReviews.propose(
            review, membership: membership.requireID(), lines: [line.key: current + current / 20],
            justification: "Teaching assistants' pay rose 5% in September under the national pay award.",
            actor: provider, db: db, now: now.addingTimeInterval(-86400))
        if let proposal = try await FeeReviews.review(review, actor: manager, db: db).1.first {
            try? await FeeReviews.decide(
                review, proposal: proposal.id, decision: .counter, counterPence: current + current / 40,
                note: "Half the rise: the other providers' schools absorbed part of the award.", actor: manager,
                db: db, now: now.addingTimeInterval(-3600))
        }
    }

    /// The inspection watch in use, on the real register: a Kent children's home that Ofsted judged inadequate (a
    /// real judgement in the register data) was admitted on an earlier judgement (invented for the demo: the
    /// register keeps only the latest); the watch then reads the register, suspends its membership for every
    /// partner and tells everyone. Homes registered in the partners' areas in 2025 are listed as newly registered,
    /// as if the previous snapshot were from the end of 2024.
    static func inspectionWatch(
        loaded: Registers.Loaded, areas: Set<String>, categories: [String: CategoryRecord], evaluator: Actor,
        panel: Actor, hash: String, db: any Database, now: Date
    ) async throws {
        let taken = Set(try await EstablishmentRecord.query(on: db).all(\.$urn).compactMap { $0?.uppercased() })
        guard
            let home = loaded.providers.filter({
                $0.category == "childrens_home" && areas.contains($0.laGSSCode ?? "")
                    && $0.registrationStatus == "Active" && $0.overallJudgement == "Inadequate"
                    && $0.latestInspectionDate != nil && !taken.contains($0.urn.uppercased())
            }).min(by: { PostcodeDirectory.stableHash($0.urn) < PostcodeDirectory.stableHash($1.urn) })
        else { return }
        var earlier = loaded.lookup.entry(for: home)
        earlier.latestJudgement = "Requires improvement to be good"
        earlier.judgementDate = nil
        let org = Organisation(kind: OrganisationKind.provider.rawValue, name: home.owner ?? "Children's home operator")
        org.legalName = org.name
        org.contactName = "Registered manager"
        org.contactEmail = "watched@demo.provider"
        try await org.create(on: db)
        let user = User(
            organisationID: org.id!, email: "watched@demo.provider", name: "Registered manager",
            role: Role.providerAdmin.rawValue, passwordHash: hash)
        try await user.create(on: db)
        let actor = Actor(
            userID: user.id!, name: user.name, email: user.email, role: .providerAdmin, organisationID: org.id!,
            organisationKind: .provider, organisationName: org.name)
        try await applyAndAssess(
            entry: earlier, code: "residential", index: 20, actor: actor, categories: categories, evaluator: evaluator,
            panel: panel, db: db, now: now)
        let registered2025 = Set(
            loaded.providers.filter {
                ($0.registrationDate ?? "") >= "2025-01-01" && areas.contains($0.laGSSCode ?? "")
            }
            .map { $0.urn.uppercased() })
        let previous = Set(loaded.entries.map { $0.urn.uppercased() }).subtracting(registered2025)
        _ = try await RegisterWatch.run(
            entries: loaded.entries, previous: previous,
            snapshot: try Registers.snapshotKey(of: try Registers.dataDirectory()), db: db, now: now)
    }

    /// Stage of the demo application for establishment `index`: most are admitted; a few sit at each
    /// other stage so every screen has something to show.
    static func applyAndAssess(
        entry: RegisterEntry, code: String, index: Int, actor: Actor, categories: [String: CategoryRecord],
        evaluator: Actor, panel: Actor, db: any Database, now: Date
    ) async throws {
        let seed = Int(PostcodeDirectory.stableHash(entry.urn) % 1000)
        var values = ProviderPages.values(from: entry)
        if values["name"]?.isEmpty ?? true { values["name"] = "\(entry.type) \(entry.urn)" }
        if values["postcode"]?.isEmpty ?? true, let la = entry.laGSSCode {
            let sector = try await PostcodeCentroidRecord.query(on: db).filter(\.$laGSSCode == la).filter(
                \.$precision == "sector"
            ).sort(\.$id).all()
            if !sector.isEmpty { values["postcode"] = sector[seed % sector.count].id }
        }
        if values["judgement"]?.isEmpty ?? true {
            values["judgement"] = "Good"
            values["inspectorate"] = Inspectorate.ofstedEducation.rawValue
        }
        if values["ageLow"]?.isEmpty ?? true { values["ageLow"] = code == "sen-inmss" ? "5" : "8" }
        if values["ageHigh"]?.isEmpty ?? true { values["ageHigh"] = "18" }
        if values["capacity"]?.isEmpty ?? true { values["capacity"] = code == "fostering" ? "" : "4" }
        let input = ProviderUseCases.EstablishmentInput(
            name: values["name"], type: values["type"], urn: entry.urn, address: values["address"],
            town: values["town"],
            postcode: values["postcode"], ageLow: values["ageLow"], ageHigh: values["ageHigh"],
            genders: values["genders"],
            capacity: values["capacity"], inspectorate: values["inspectorate"], judgement: values["judgement"],
            judgementDate: values["judgementDate"], locationApproximate: values["locationApproximate"],
            laGSSCode: entry.laGSSCode)
        guard
            let establishment = try? await ProviderUseCases.addEstablishment(
                input, actor: actor, db: db, now: now.addingTimeInterval(-90 * 86400))
        else { return }
        var codes = [code]
        if code == "sen-inmss" && index % 5 == 0 { codes.append("alternative-education") }
        let start = now.addingTimeInterval(-Double(80 - index % 40) * 86400)
        let app = try await ProviderUseCases.startApplication(
            .init(establishmentID: establishment.id, categoryIDs: codes.compactMap { categories[$0]?.id }),
            actor: actor, db: db, now: start)
        let parts = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id == app.requireID())
            .with(\.$category).all()
        var draft = ProviderUseCases.DraftCommand(parts: [:])
        for part in parts {
            let c = try part.category.content
            let pc = part.category.code
            var answers = ProviderUseCases.DraftCommand.Part()
            for q in c.passFail { answers.passFail[q.key] = true }
            for s in c.statements {
                answers.statements[s.key] = statementText(s.title, establishment: establishment.name)
            }
            // Realistic weekly totals: fostering about £800-£1,700; schools and homes a few thousand pounds.
            let (base, step) =
                pc == "fostering" ? (15_000, 500) : pc == "residential" ? (60_000, 2_000) : (45_000, 1_500)
            for (i, line) in c.costLines.enumerated() {
                answers.costs[line.key] = base + ((seed * (i + 3)) % 40) * step
            }
            for tier in c.discountTiers {
                answers.discounts[tier.children] = tier.children == 2 ? 500 : 1_000
            }
            draft.parts[pc] = answers
        }
        try await ProviderUseCases.saveDraft(app.requireID(), draft, actor: actor, db: db, now: start)
        for part in parts {
            for q in try part.category.content.passFail where q.requiresEvidence {
                let file = ProviderUseCases.UploadedFile(
                    filename: "\(q.key).pdf", contentType: "application/pdf",
                    data: Data("Demo evidence for \(q.text)\n".utf8))
                try await ProviderUseCases.uploadEvidence(
                    app.requireID(), partID: part.requireID(),
                    .init(question: q.key, expiresOn: q.evidenceExpires ? "2027-09-30" : nil, file: file), actor: actor,
                    db: db, now: start)
            }
        }
        let stage = index % 20
        if stage == 19 { return }  // left as a draft
        let calendar = WorkingDayCalendar()
        let submitted: Date =
            switch stage {
            case 15: now.addingTimeInterval(-2 * 86400)  // on track
            case 16: LocalDate.from(now).adding(days: -12).startOfDay().addingTimeInterval(10 * 3600)  // due soon
            case 17: LocalDate.from(now).adding(days: -25).startOfDay().addingTimeInterval(10 * 3600)  // overdue
            default: start.addingTimeInterval(3600)
            }
        do {
            try await ProviderUseCases.submit(app.requireID(), actor: actor, db: db, now: submitted, calendar: calendar)
        } catch {
            // Refused by the rules (for example an inadequate inspection): it stays a draft, as it would for a
            // real applicant.
            if ProcessInfo.processInfo.environment["DPS_DEMO_DEBUG"] != nil {
                print("demo: \(establishment.name) not submitted: \(error)")
            }
            return
        }
        if (15...17).contains(stage) { return }
        let decidedAt = submitted.addingTimeInterval(Double(3 + seed % 8) * 86400)
        if stage == 18 {
            try await Assessment.askClarification(
                app.requireID(), question: "Please confirm the number of waking night staff on duty each night.",
                actor: evaluator, db: db, now: submitted.addingTimeInterval(2 * 86400))
            return
        }
        for part in parts {
            for question in try part.criteria.passFail {
                try await Assessment.review(
                    app.requireID(), partID: part.requireID(), .init(question: question.key, outcome: .pass),
                    actor: evaluator, db: db, now: decidedAt.addingTimeInterval(-7200))
            }
            for (i, s) in try part.category.content.statements.enumerated() {
                let score = 2 + (seed / (i + 1)) % 4
                let scorer = s.youngPeoplesPanel ? panel : evaluator
                try await Assessment.score(
                    app.requireID(), partID: part.requireID(),
                    .init(statement: s.key, score: score, comment: scoreComment(score), consensus: true),
                    actor: scorer, db: db, now: decidedAt.addingTimeInterval(-3600))
            }
            let refuse = stage == 14 || part.category.code == "alternative-education" && stage % 2 == 0
            try await Assessment.decide(
                app.requireID(), partID: part.requireID(),
                .init(
                    decision: refuse ? .refuse : .admit,
                    reason: refuse
                        ? "The safeguarding policy did not show a review in the last 12 months, "
                            + "and the workforce statement did not describe supervision."
                        : "Meets every pass/fail criterion."),
                actor: evaluator, db: db, now: decidedAt)
        }
    }

    /// Two referrals from Brighton and Hove: one open for bids with some bids in, one awarded with feedback.
    static func referrals(
        officer: Actor, providers: [Actor], categories: [String: CategoryRecord], db: any Database, now: Date
    ) async throws {
        let byOrg = Dictionary(providers.map { ($0.organisationID, $0) }, uniquingKeysWith: { a, _ in a })
        func input(_ code: String, postcode: String, radius: Int, deadline: Date, start: String, needs: String)
            -> Referrals.Input
        {
            Referrals.Input(
                category: categories[code]?.id?.uuidString, kind: "spot",
                pattern: code == "fostering" ? "fostering" : "residential52", startDate: start,
                durationWeeks: "52", children: "1", childAge: "13", childGender: "boy", homePostcode: postcode,
                childDetails: "Demo child (no real person), born 2013, case BH-0000", needs: needs,
                mustHaves: "Waking night staff",
                desirables: "", outcomes: "Attend school every day\nKeep in touch with his sister every week",
                radiusMiles: String(radius),
                deadline: DisplayDate.isoMinute(deadline), parentChoice: "yes", weights: nil)
        }
        func bidAll(_ r: ReferralRecord, limit: Int, at time: Date) async throws {
            let invitations = try await InvitationRecord.query(on: db).filter(\.$referral.$id == r.requireID()).with(
                \.$referral, { $0.with(\.$category) }
            ).sort(\.$distanceMiles).all()
            for inv in invitations.prefix(limit) {
                guard let actor = byOrg[inv.organisationID] else { continue }
                let (core, _) = try await Referrals.approved(inv, db: db)
                var form: [String: String] = [
                    "outcomesStatement":
                        "A key worker agrees a daily routine with him in his first week; we report attendance weekly.",
                    "discount": "0", "need.n1": "yes", "need.n2": "yes", "must.m1": "yes",
                ]
                for (line, pence) in core { form["core.\(line)"] = Money.poundsInput(pence - pence % 1000) }
                try await Referrals.bid(inv.requireID(), form: form, actor: actor, db: db, now: time)
            }
        }
        let start = LocalDate.from(now).adding(days: 21).iso
        // Awarded: published a week ago, closed four days ago, scored and awarded.
        let published = now.addingTimeInterval(-7 * 86400)
        let past = try await Referrals.create(
            input(
                "sen-inmss", postcode: "BN1 1AA", radius: 60, deadline: published.addingTimeInterval(3 * 86400),
                start: start,
                needs: "Autism spectrum condition | 2\nSocial, emotional and mental health"), actor: officer, db: db,
            now: published)
        _ = try await Referrals.publish(past.requireID(), actor: officer, db: db, now: published)
        try await bidAll(past, limit: 3, at: published.addingTimeInterval(86400))
        let closedAt = published.addingTimeInterval(3 * 86400 + 60)
        _ = try await Referrals.closeDue(db: db, now: closedAt)
        let bids = try await BidRecord.query(on: db).filter(\.$referral.$id == past.requireID()).all()
        for (i, b) in bids.enumerated() {
            try await Referrals.scoreBid(
                past.requireID(), bidID: b.requireID(),
                .init(
                    criterion: .outcomes, score: 4 - i % 3,
                    comment: scoreComment(4 - i % 3), consensus: true), actor: officer, db: db, now: closedAt)
        }
        if !bids.isEmpty {
            _ = try? await Referrals.award(
                past.requireID(), actor: officer, db: db, now: closedAt.addingTimeInterval(86400))
        }
        // Open: published an hour ago, bids arriving.
        let open = try await Referrals.create(
            input(
                "sen-inmss", postcode: "BN3 1AA", radius: 60, deadline: now.addingTimeInterval(3 * 86400), start: start,
                needs: "Speech, language and communication | 2\nSensory processing"), actor: officer, db: db,
            now: now.addingTimeInterval(-3600))
        _ = try await Referrals.publish(open.requireID(), actor: officer, db: db, now: now.addingTimeInterval(-3600))
        try await bidAll(open, limit: 2, at: now.addingTimeInterval(-1800))
    }

    /// The demo provider's administrator as an actor, and one of its active memberships.
    static func demoProvider(db: any Database) async throws -> (Actor, MembershipRecord)? {
        guard let admin = try await User.query(on: db).filter(\.$email == "provider@demo.provider").first(),
            let org = try await Organisation.find(admin.$organisation.id, on: db),
            let membership = try await MembershipRecord.query(on: db).filter(\.$organisation.$id == org.requireID())
                .filter(\.$state == "active").first()
        else { return nil }
        let provider = Actor(
            userID: try admin.requireID(), name: admin.name, email: admin.email, role: .providerAdmin,
            organisationID: try org.requireID(), organisationKind: .provider, organisationName: org.name)
        return (provider, membership)
    }

    /// Placements at every stage after award (issue 10), all with the demo provider: the awarded one accepted by
    /// both sides with a fee variation; a direct placement a year in with one review agreed and the next overdue;
    /// one whose first review is open for the provider (the browser journey records it); one that ended as planned
    /// and one that broke down; then everything published, and the oldest notice marked as sent.
    static func placementLives(
        officer: Actor, manager: Actor, categories: [String: CategoryRecord], db: any Database, now: Date
    ) async throws {
        guard let (provider, membership) = try await demoProvider(db: db) else { return }
        let today = LocalDate.from(now)
        // The awarded placement: both sides accept; the provider asks for 1:1 support at weekends, agreed.
        if let awarded = try await PlacementRecord.query(on: db).filter(\.$direct == false).first(),
            let winner = try await User.query(on: db).filter(\.$organisation.$id == awarded.providerID)
                .filter(\.$role == Role.providerAdmin.rawValue).first(),
            let winnerOrg = try await Organisation.find(awarded.providerID, on: db)
        {
            let winning = Actor(
                userID: try winner.requireID(), name: winner.name, email: winner.email, role: .providerAdmin,
                organisationID: awarded.providerID, organisationKind: .provider, organisationName: winnerOrg.name)
            try? await Referrals.accept(awarded.requireID(), actor: officer, db: db, now: now)
            do {
                try? await Referrals.accept(awarded.requireID(), actor: winning, db: db, now: now)
                let lines =
                    try Placements.feeLines(awarded, lineNames: [:])
                    + [FeeLine(key: nil, name: "1:1 support at weekends", pence: 18_000)]
                if let change = try? await Placements.proposeChange(
                    awarded.requireID(),
                    .init(
                        kind: .fee, lines: lines,
                        reason: "Weekend 1:1 support agreed at the placement planning meeting.",
                        effective: LocalDate(iso: awarded.startDate)), actor: winning, db: db, now: now)
                {
                    try? await Placements.decideChange(
                        awarded.requireID(), change: change, accept: true, note: "", actor: officer, db: db, now: now)
                }
            }
        }
        // Direct placements, each from its start date; the child's details are invented.
        var cases = 0
        func direct(startedMonthsAgo months: Int, plusDays days: Int = 0, weeks: Int) async throws -> PlacementRecord? {
            let start = today.adding(months: -months).adding(days: days)
            cases += 1
            let placement = try? await Referrals.direct(
                .init(
                    categoryID: membership.$category.id, establishmentID: membership.$establishment.id,
                    startDate: start, weeklyFeePence: 425_000, durationWeeks: weeks,
                    justification: "Emergency placement the same evening: the previous home closed without notice.",
                    childDetails: "Demo child (no real person), born 201\(cases), case BH-000\(cases)",
                    outcomes: ["Attend school every day", "Keep in touch with his sister every week"]), actor: officer,
                db: db, now: start.startOfDay().addingTimeInterval(10 * 3600))
            // Both sides signed it the day it started.
            if let id = placement?.id {
                let signed = start.startOfDay().addingTimeInterval(16 * 3600)
                try? await Referrals.accept(id, actor: officer, db: db, now: signed)
                try? await Referrals.accept(id, actor: provider, db: db, now: signed)
            }
            return placement
        }
        let yearIn = try await direct(startedMonthsAgo: 13, weeks: 104)
        // Its first review falls in ten days: open for the provider (the browser journey records it).
        _ = try await direct(startedMonthsAgo: 6, plusDays: 10, weeks: 78)
        let planned = try await direct(startedMonthsAgo: 9, weeks: 52)
        let brokeDown = try await direct(startedMonthsAgo: 4, weeks: 52)
        _ = try await Placements.runDailyReviews(db: db, now: now)
        if let p = yearIn, let first = try await Placements.life(p, db: db).reviews.first {
            try? await Placements.recordReview(
                p.requireID(), review: first.id,
                ratings: [
                    .init(
                        outcomeIndex: 0, rating: .goodProgress,
                        comment: "Attendance 94% this term, up from 61% before the placement.", file: nil),
                    .init(
                        outcomeIndex: 1, rating: .someProgress,
                        comment: "Fortnightly video calls; two visits in person this term.", file: nil),
                ], actor: provider, db: db, now: now)
            try? await Placements.respondReview(
                p.requireID(), review: first.id, agree: true, view: "", authorityRatings: [:], actor: officer, db: db,
                now: now)
        }
        if let p = planned {
            try? await Placements.end(
                p.requireID(), reason: .movedOnAsPlanned, on: today.adding(days: -7),
                note: "Moved to a supported lodging placement as planned.", actor: officer, db: db, now: now)
        }
        if let p = brokeDown {
            try? await Placements.end(
                p.requireID(), reason: .brokeDown, on: today.adding(days: -5),
                note: "Repeated missing episodes; the home and the social worker agreed it could not continue.",
                actor: officer, db: db, now: now)
        }
        _ = try await Publication.sweep(db: db, now: now)
        if let oldest = try await Publication.calendar(actor: manager, state: nil, page: .first, db: db, now: now)
            .rows.first
        {
            try? await Publication.markSent(oldest.id, reference: "2026/S 000-004217", actor: manager, db: db, now: now)
        }
    }

    /// Kent's own placements, so its finance viewer's figures have something in them (issue 11): three direct
    /// fostering placements at different weekly fees, started two, five and eight months ago, and one in a children's
    /// home two months ago, each with a different member. Published, and their reviews opened, with the rest.
    static func kentPlacements(officer: Actor, categories: [String: CategoryRecord], db: any Database, now: Date)
        async throws
    {
        let today = LocalDate.from(now)
        let plan: [(String, Int, Int)] = [
            ("fostering", 2, 95_000), ("fostering", 5, 112_000), ("fostering", 8, 128_000), ("residential", 2, 640_000),
        ]
        var used: Set<UUID> = []
        for (code, months, fee) in plan {
            guard let category = categories[code],
                let membership = try await MembershipRecord.query(on: db).filter(
                    \.$category.$id == category.requireID()
                )
                .filter(\.$state == "active").all().first(where: { !used.contains($0.$establishment.id) })
            else { continue }
            used.insert(membership.$establishment.id)
            let start = today.adding(months: -months)
            _ = try? await Referrals.direct(
                .init(
                    categoryID: category.id, establishmentID: membership.$establishment.id, startDate: start,
                    weeklyFeePence: fee, durationWeeks: 52,
                    justification: "Placed the same day after a family breakdown; no time for a competition.",
                    childDetails: "Demo child (no real person), case KT-\(months)\(code.prefix(1).uppercased())",
                    outcomes: ["Settle at school", "Weekly contact with family"]), actor: officer, db: db,
                now: start.startOfDay().addingTimeInterval(11 * 3600))
        }
    }

    static func scoreComment(_ score: Int) -> String {
        [
            "No answer given.", "Poor: does not address the question.", "Weak: little evidence of practice.",
            "Satisfactory: meets the requirement with some evidence.",
            "Good: clear, evidenced practice.", "Excellent: strong evidence and outcomes.",
        ][score]
    }

    static func statementText(_ title: String, establishment: String) -> String {
        "\(establishment): \(title). "
            + "We set out our approach, the evidence we keep, and how children and families are involved. "
            + "Staff receive induction, monthly supervision and annual appraisal; "
            + "progress is reviewed with each child's placing authority every term."
    }
}

struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String {
        "Loads the demo (West Sussex and the SET partners, real South East providers) into the configured database. "
            + "Safe to run twice."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        try await Demo.load(app: context.application)
        context.console.print(Demo.signInSummary)
    }
}

struct ImportRegistersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "data", help: "Folder holding the register CSV files (default: DPS_DATA_DIR or ../shared/data)")
        var data: String?
    }
    var help: String {
        "Imports the public registers (GIAS, Ofsted, ONS postcode centroids) used for URN look-up and distances, "
            + "then checks every member establishment's inspection against them (the inspection watch)."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let dir = try signature.data.map { URL(fileURLWithPath: $0) } ?? Registers.dataDirectory()
        let app = context.application
        if app.config.autoMigrate { try await app.autoMigrate() }
        let started = Date()
        let console = context.console
        let report = try await Registers.importAndWatch(
            from: dir, db: app.db, now: app.clock.now(), progress: { console.print($0) })
        if report.alreadyImported {
            console.print("This snapshot (\(report.snapshot.prefix(12))) was already imported; nothing changed.")
            return
        }
        console.print(
            "Imported \(report.entries) register entries and \(report.postcodes) postcode centroids in "
                + "\(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
        console.print(report.watch.summary)
    }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(
            name: "checkpoint",
            help: "A file written by `dps audit-checkpoint`: the chain must still reach it unchanged")
        var checkpoint: String?
    }
    var help: String {
        "Verifies the hash chain of the audit trail (and a checkpoint); exits non-zero if it is broken."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let checkpoint = try signature.checkpoint.map { path -> Audit.Checkpoint in
            guard let data = FileManager.default.contents(atPath: path), data.count < 10_000,
                let value = try? JSONDecoder().decode(Audit.Checkpoint.self, from: data)
            else {
                throw Abort(
                    .badRequest, reason: "The checkpoint file \(path) cannot be read as {\"seq\": …, \"hash\": …}.")
            }
            return value
        }
        let result = try await Audit.verify(on: context.application.db, checkpoint: checkpoint)
        context.console.print(
            result.valid
                ? "Audit chain intact: \(result.events) events"
                    + "\(checkpoint.map { ", checkpoint \($0.seq) holds" } ?? "")."
                : "Audit chain BROKEN at event \(result.firstBrokenSeq ?? 0): \(result.problem ?? "").")
        if !result.valid { throw Abort(.internalServerError, reason: "audit chain broken") }
    }
}

/// Prints the chain's head as a checkpoint to keep outside the database (or publish): a later
/// `dps audit-verify --checkpoint FILE` detects truncation or re-hashing up to it.
struct AuditCheckpointCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Prints the audit chain's head as a checkpoint: {\"seq\": N, \"hash\": \"…\"}." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let result = try await Audit.verify(on: context.application.db)
        guard result.valid, let head = result.headHash else {
            throw Abort(.internalServerError, reason: "no intact chain to checkpoint")
        }
        let data = try JSONEncoder().encode(Audit.Checkpoint(seq: result.events, hash: head))
        context.console.print(String(decoding: data, as: UTF8.self))
    }
}

struct UserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email") var email: String?
        @Option(name: "name") var name: String?
        @Option(name: "role", help: "One of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))") var role:
            String?
        @Option(name: "organisation", help: "Organisation name; created if missing") var organisation: String?
        @Option(name: "password") var password: String?
    }
    var help: String { "Creates a user (for a first administrator on a new installation)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, let name = signature.name,
            let role = signature.role.flatMap(Role.init(rawValue:)),
            let orgName = signature.organisation, let password = signature.password, password.count >= 12
        else {
            throw Abort(
                .badRequest,
                reason: "Give --email, --name, --role, --organisation and --password (12 characters or more).")
        }
        let db = context.application.db
        let org =
            try await Organisation.query(on: db).filter(\.$name == orgName).first()
            ?? Organisation(kind: role.organisationKind.rawValue, name: orgName)
        if org.id == nil { try await org.create(on: db) }
        try await User(
            organisationID: org.id!, email: email.lowercased(), name: name, role: role.rawValue,
            passwordHash: try context.application.password.hash(password)
        ).create(on: db)
        context.console.print("Created \(role.label) \(email) in \(orgName).")
    }
}

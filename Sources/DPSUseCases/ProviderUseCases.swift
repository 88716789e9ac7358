import Crypto
import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

package enum EstablishmentType: String, CaseIterable {
    case school
    case childrensHome = "childrens_home"
    case fosteringAgency = "fostering_agency"
    case alternativeProvision = "alternative_provision"
    package var label: String {
        switch self {
        case .school: "School (independent or non-maintained special school)"
        case .childrensHome: "Children's home"
        case .fosteringAgency: "Fostering agency or branch"
        case .alternativeProvision: "Alternative provision setting"
        }
    }
}

/// The provider's use cases (DOMAIN §4). Every query filters by the actor's organisation.
package enum ProviderUseCases {
    package struct RegistrationInput: Codable, Sendable {
        package var organisationName: String?
        package var legalName: String?
        package var companyNumber: String?
        package var charityNumber: String?
        package var address: String?
        package var postcode: String?
        package var contactName: String?
        package var contactEmail: String?
        package var contactPhone: String?
        package var password: String?

        package init(
            organisationName: String? = nil, legalName: String? = nil, companyNumber: String? = nil,
            charityNumber: String? = nil, address: String? = nil, postcode: String? = nil, contactName: String? = nil,
            contactEmail: String? = nil, contactPhone: String? = nil, password: String? = nil
        ) {
            self.organisationName = organisationName
            self.legalName = legalName
            self.companyNumber = companyNumber
            self.charityNumber = charityNumber
            self.address = address
            self.postcode = postcode
            self.contactName = contactName
            self.contactEmail = contactEmail
            self.contactPhone = contactPhone
            self.password = password
        }
    }

    /// Registers a provider organisation and its first administrator.
    package static func register(
        _ input: RegistrationInput, hashPassword: @Sendable (String) async throws -> String, db: any Database,
        now: Date
    ) async throws -> User {
        var errors = organisationErrors(input)
        if (input.password ?? "").count < 12 {
            errors.append(FieldError(field: "password", message: "Password must be 12 characters or more"))
        }
        let email = (input.contactEmail ?? "").trimmed.lowercased()
        let company = (input.companyNumber ?? "").trimmed.uppercased()
        let charity = (input.charityNumber ?? "").trimmed
        let taken = UseCaseError(
            field: "contactEmail", "An account already uses this email address; sign in instead", status: .conflict)
        if errors.isEmpty, try await User.query(on: db).filter(\.$email == email).count() > 0 { throw taken }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let hash = try await hashPassword(input.password!)
        do {
            return try await created(
                input, email: email, company: company, charity: charity, hash: hash, db: db, now: now)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two registrations of one address at once: the unique e-mail decides, the second is told.
            throw taken
        }
    }

    /// What is wrong with an organisation's details, at registration or when its administrator changes them:
    /// names, identifiers, address and contact, each required where the register needs it and bounded in length.
    static func organisationErrors(_ input: RegistrationInput) -> [FieldError] {
        var errors: [FieldError] = []
        func required(_ value: String?, _ field: String, _ message: String, max: Int = 200) {
            let text = (value ?? "").trimmed
            if text.isEmpty || text.count > max {
                errors.append(FieldError(field: field, message: "\(message) (at most \(max) characters)"))
            }
        }
        required(input.organisationName, "organisationName", "Enter the organisation's name")
        required(input.legalName, "legalName", "Enter the organisation's legal name")
        let company = (input.companyNumber ?? "").trimmed.uppercased()
        let charity = (input.charityNumber ?? "").trimmed
        if company.isEmpty && charity.isEmpty {
            errors.append(
                FieldError(field: "companyNumber", message: "Enter a Companies House number or a charity number"))
        } else if !company.isEmpty,
            company.range(of: #"^([0-9]{8}|[A-Z]{2}[0-9]{6})$"#, options: .regularExpression) == nil
        {
            errors.append(
                FieldError(
                    field: "companyNumber",
                    message: "Enter a Companies House number in the correct format, like 01234567 or SC123456"))
        }
        if !charity.isEmpty, charity.range(of: #"^[0-9]{6,8}(-[0-9]+)?$"#, options: .regularExpression) == nil {
            errors.append(
                FieldError(
                    field: "charityNumber", message: "Enter a charity number in the correct format, like 1123456"))
        }
        required(input.address, "address", "Enter the organisation's address", max: 500)
        if PostcodeDirectory.normalise(input.postcode ?? "") == nil {
            errors.append(FieldError(field: "postcode", message: "Enter a real postcode, like RH12 1XH"))
        }
        required(input.contactName, "contactName", "Enter the name of the contact", max: 120)
        let email = (input.contactEmail ?? "").trimmed.lowercased()
        if !isEmail(email) || email.count > 254 {
            errors.append(
                FieldError(
                    field: "contactEmail",
                    message: "Enter an email address in the correct format, like name@example.org"))
        }
        let phone = (input.contactPhone ?? "").trimmed
        if phone.count > 40 || !phone.allSatisfy({ $0.isASCII && ($0.isNumber || " +()-".contains($0)) }) {
            errors.append(
                FieldError(field: "contactPhone", message: "Enter a telephone number of digits, like 01234 567890"))
        }
        return errors
    }

    /// The provider administrator changes the organisation's details (what councils and the published data show).
    /// One write transaction, audited with before and after.
    package static func updateOrganisation(_ input: RegistrationInput, actor: Actor, db: any Database, now: Date)
        async throws
    {
        try requireProvider(actor)
        try actor.require(.providerAdmin)
        let errors = organisationErrors(input)
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let company = (input.companyNumber ?? "").trimmed.uppercased()
        let charity = (input.charityNumber ?? "").trimmed
        try await db.writeTransaction { db in
            guard let org = try await Organisation.find(actor.organisationID, on: db) else {
                throw UseCaseError(.notFound, "No such organisation.")
            }
            func snapshot() -> [String: String] {
                [
                    "name": org.name, "legalName": org.legalName ?? "", "companyNumber": org.companyNumber ?? "",
                    "charityNumber": org.charityNumber ?? "", "address": org.address ?? "",
                    "postcode": org.postcode ?? "", "contactName": org.contactName ?? "",
                    "contactEmail": org.contactEmail ?? "", "contactPhone": org.contactPhone ?? "",
                ]
            }
            let before = snapshot()
            org.name = input.organisationName!.trimmed
            org.legalName = input.legalName!.trimmed
            org.companyNumber = company.isEmpty ? nil : company
            org.charityNumber = charity.isEmpty ? nil : charity
            org.address = input.address!.trimmed
            org.postcode = PostcodeDirectory.normalise(input.postcode!)
            org.contactName = input.contactName!.trimmed
            org.contactEmail = input.contactEmail!.trimmed.lowercased()
            org.contactPhone = (input.contactPhone ?? "").trimmed
            let after = snapshot()
            guard before != after else { return }
            try await org.save(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: "organisation.updated", entityType: "organisation",
                entityID: org.id, before: before, after: after, at: now)
        }
    }

    private static func created(
        _ input: RegistrationInput, email: String, company: String, charity: String, hash: String, db: any Database,
        now: Date
    ) async throws -> User {
        try await db.writeTransaction { db in
            let org = Organisation(kind: OrganisationKind.provider.rawValue, name: input.organisationName!.trimmed)
            org.legalName = input.legalName!.trimmed
            org.companyNumber = company.isEmpty ? nil : company
            org.charityNumber = charity.isEmpty ? nil : charity
            org.address = input.address!.trimmed
            org.postcode = PostcodeDirectory.normalise(input.postcode!)
            org.contactName = input.contactName!.trimmed
            org.contactEmail = email
            org.contactPhone = (input.contactPhone ?? "").trimmed
            try await org.create(on: db)
            let user = User(
                organisationID: try org.requireID(), email: email, name: org.contactName!,
                role: Role.providerAdmin.rawValue, passwordHash: hash)
            try await user.create(on: db)
            try await Audit.record(
                on: db, actor: nil, actorLabel: "\(org.contactName!) (registering)", dps: nil,
                action: "provider.registered",
                entityType: "organisation", entityID: org.id, before: String?.none,
                after: [
                    "name": org.name, "legalName": org.legalName ?? "", "companyNumber": company,
                    "charityNumber": charity,
                ], at: now)
            return user
        }
    }

    package static func isEmail(_ s: String) -> Bool {
        s.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) != nil
    }

    /// The most places one establishment may declare.
    package static let maximumCapacity = 10_000

    package struct EstablishmentInput: Codable, Sendable {
        package var name: String?
        package var type: String?
        package var urn: String?
        package var address: String?
        package var town: String?
        package var postcode: String?
        package var ageLow: String?
        package var ageHigh: String?
        package var genders: String?
        package var capacity: String?
        package var inspectorate: String?
        package var judgement: String?
        package var judgementDate: String?
        package var locationApproximate: String?
        package var laGSSCode: String?

        package init(
            name: String? = nil, type: String? = nil, urn: String? = nil, address: String? = nil, town: String? = nil,
            postcode: String? = nil, ageLow: String? = nil, ageHigh: String? = nil, genders: String? = nil,
            capacity: String? = nil, inspectorate: String? = nil, judgement: String? = nil,
            judgementDate: String? = nil, locationApproximate: String? = nil, laGSSCode: String? = nil
        ) {
            self.name = name
            self.type = type
            self.urn = urn
            self.address = address
            self.town = town
            self.postcode = postcode
            self.ageLow = ageLow
            self.ageHigh = ageHigh
            self.genders = genders
            self.capacity = capacity
            self.inspectorate = inspectorate
            self.judgement = judgement
            self.judgementDate = judgementDate
            self.locationApproximate = locationApproximate
            self.laGSSCode = laGSSCode
        }
    }

    package struct EstablishmentSnapshot: Codable {
        package var name, type, postcode, inspectorate, judgement: String
        package var urn: String?
        package init(_ e: EstablishmentRecord) {
            name = e.name
            type = e.type
            postcode = e.postcode
            inspectorate = e.inspectorate
            judgement = e.judgement
            urn = e.urn
        }
    }

    /// An establishment's details as given, checked (everything but its URN, which never changes once set).
    private struct EstablishmentDetails {
        var name, address, town, postcode, genders, judgement: String
        var type: EstablishmentType
        var centroid: PostcodeCentroid
        var approximate: Bool
        var low, high, capacity: Int
        var inspectorate: Inspectorate?
        var judgementDate: LocalDate?

        func apply(to e: EstablishmentRecord) {
            e.name = name
            e.type = type.rawValue
            e.address = address
            e.town = town
            e.postcode = postcode
            e.postcodeDistrict = PostcodeDirectory.district(of: postcode) ?? postcode
            e.latitude = centroid.latitude
            e.longitude = centroid.longitude
            e.locationApproximate = approximate
            e.ageLow = low
            e.ageHigh = high
            e.genders = genders
            e.capacity = capacity
            e.inspectorate = inspectorate?.rawValue ?? Inspectorate.other.rawValue
            e.framework = nil
            e.judgement = judgement.isEmpty ? "Not inspected" : judgement
            e.judgementDate = judgementDate?.iso
            e.laGSSCode = centroid.laGSSCode
        }
    }

    /// Checks an establishment's details, naming each field that is wrong; `extra` are errors found elsewhere
    /// (the URN), reported with them.
    private static func establishmentDetails(_ input: EstablishmentInput, extra: [FieldError] = [], db: any Database)
        async throws -> EstablishmentDetails
    {
        var errors: [FieldError] = []
        let name = (input.name ?? "").trimmed
        if name.isEmpty || name.count > 200 {
            errors.append(FieldError(field: "name", message: "Enter the establishment's name (at most 200 characters)"))
        }
        let type = EstablishmentType(rawValue: input.type ?? "")
        if type == nil { errors.append(FieldError(field: "type", message: "Choose the type of establishment")) }
        let approximate = input.locationApproximate == "yes"
        let address = (input.address ?? "").trimmed
        let town = (input.town ?? "").trimmed
        if (address.isEmpty && !approximate) || address.count > 500 {
            errors.append(
                FieldError(field: "address", message: "Enter the establishment's address (at most 500 characters)"))
        }
        if town.count > 100 {
            errors.append(FieldError(field: "town", message: "Town must be 100 characters or fewer"))
        }
        let postcode = PostcodeDirectory.normalise(input.postcode ?? "")
        let centroid = try await postcode.asyncMap { try await Registers.postcode($0, on: db) } ?? nil
        if postcode == nil || centroid == nil {
            errors.append(
                FieldError(field: "postcode", message: "Enter a real postcode in England or Wales, like RH12 1XH"))
        }
        let low = Int((input.ageLow ?? "").trimmed)
        let high = Int((input.ageHigh ?? "").trimmed)
        if low.map({ $0 < 0 || $0 > 25 }) ?? true {
            errors.append(FieldError(field: "ageLow", message: "Enter the youngest age as a whole number from 0 to 25"))
        }
        if high.map({ $0 < 0 || $0 > 25 }) ?? true {
            errors.append(FieldError(field: "ageHigh", message: "Enter the oldest age as a whole number from 0 to 25"))
        }
        if let low, let high, low > high {
            errors.append(
                FieldError(field: "ageHigh", message: "The oldest age must be the same as or above the youngest age"))
        }
        let genders = input.genders ?? ""
        if !["mixed", "boys", "girls"].contains(genders) {
            errors.append(
                FieldError(field: "genders", message: "Choose who the establishment takes: boys, girls or both"))
        }
        // Places are counted and summed across the market: bounded where read (the largest school in England
        // has a few thousand).
        let capacity = Int((input.capacity ?? "").trimmed)
        if capacity.map({ $0 < 0 || $0 > Self.maximumCapacity }) ?? (type != .fosteringAgency) {
            errors.append(
                FieldError(
                    field: "capacity",
                    message: "Enter the number of places as a whole number from 0 to \(Self.maximumCapacity)"))
        }
        let inspectorate = Inspectorate(rawValue: input.inspectorate ?? "")
        let judgement = (input.judgement ?? "").trimmed
        if type != .alternativeProvision {
            if inspectorate == nil {
                errors.append(FieldError(field: "inspectorate", message: "Choose the inspectorate"))
            }
            if judgement.isEmpty {
                errors.append(
                    FieldError(field: "judgement", message: "Enter the latest inspection judgement, as published"))
            }
        }
        if judgement.count > 100 {
            errors.append(FieldError(field: "judgement", message: "Judgement must be 100 characters or fewer"))
        }
        let dateRaw = (input.judgementDate ?? "").trimmed
        if !dateRaw.isEmpty, LocalDate(typed: dateRaw) == nil {
            errors.append(
                FieldError(
                    field: "judgementDate", message: "Enter the inspection date as a date, for example 5 11 2024"))
        }
        errors += extra
        guard errors.isEmpty, let type, let postcode, let centroid, let low, let high else {
            throw UseCaseError(errors)
        }
        return EstablishmentDetails(
            name: name, address: address, town: town, postcode: postcode, genders: genders, judgement: judgement,
            type: type, centroid: centroid, approximate: approximate, low: low, high: high, capacity: capacity ?? 0,
            inspectorate: inspectorate, judgementDate: LocalDate(typed: dateRaw))
    }

    package static func addEstablishment(_ input: EstablishmentInput, actor: Actor, db: any Database, now: Date)
        async throws -> EstablishmentRecord
    {
        try actor.require(.providerAdmin)
        let urn = (input.urn ?? "").trimmed.uppercased()
        let urnErrors =
            urn.isEmpty || urn.range(of: #"^(SC)?[0-9]{6,8}$"#, options: .regularExpression) != nil
            ? []
            : [
                FieldError(
                    field: "urn",
                    message: "Enter a URN of 6 to 8 digits (schools) or SC followed by digits (social care)")
            ]
        let details = try await establishmentDetails(input, extra: urnErrors, db: db)
        return try await db.writeTransaction { db in
            // A URN belongs to one establishment of one provider: checked under a lock on the URN, so two added
            // at once make one. Another provider's claim is refused without saying whose it is.
            if !urn.isEmpty {
                try await db.serialise(on: "urn:\(urn)")
                if let held = try await EstablishmentRecord.query(on: db).filter(\.$urn == urn).first() {
                    throw UseCaseError(
                        field: "urn",
                        held.$organisation.id == actor.organisationID
                            ? "URN \(urn) is already one of your establishments (\(held.name))"
                            : "URN \(urn) is registered to another provider. If this establishment is yours, find the "
                                + "URN again and claim it: the lead authority decides",
                        status: .conflict)
                }
            }
            let e = EstablishmentRecord()
            e.$organisation.id = actor.organisationID
            e.urn = urn.isEmpty ? nil : urn
            details.apply(to: e)
            try await e.create(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: "establishment.created", entityType: "establishment",
                entityID: e.id,
                before: EstablishmentSnapshot?.none, after: EstablishmentSnapshot(e), at: now)
            return e
        }
    }

    /// One of the provider's own establishments (another's is "not found").
    package static func ownEstablishment(_ id: UUID, actor: Actor, db: any Database) async throws
        -> EstablishmentRecord
    {
        try requireProvider(actor)
        guard let e = try await EstablishmentRecord.find(id, on: db), e.$organisation.id == actor.organisationID else {
            throw UseCaseError(.notFound, "There is no such establishment of yours.")
        }
        return e
    }

    /// The provider administrator corrects an establishment's details (its URN stays: a URN moves only by a
    /// claim). Read and changed in one write transaction and audited with before and after; a new postcode moves
    /// it for referrals published from now on (invitations already sent keep their distances).
    package static func updateEstablishment(
        _ id: UUID, _ input: EstablishmentInput, actor: Actor, db: any Database, now: Date
    ) async throws {
        try actor.require(.providerAdmin)
        let details = try await establishmentDetails(input, db: db)
        try await db.writeTransaction { db in
            let e = try await ownEstablishment(id, actor: actor, db: db)
            let before = EstablishmentSnapshot(e)
            details.apply(to: e)
            try await e.save(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: "establishment.updated", entityType: "establishment",
                entityID: e.id, before: before, after: EstablishmentSnapshot(e), at: now)
        }
    }

    private static func requireProvider(_ actor: Actor) throws {
        guard actor.isProvider else {
            throw UseCaseError(.forbidden, "Only provider organisations use these pages; councils see memberships.")
        }
    }

    /// An evidence document the actor may read (`AccessPolicy.canRead`); anything else is "not found".
    package static func evidence(_ id: UUID, actor: Actor, db: any Database) async throws -> EvidenceRecord {
        guard let doc = try await EvidenceRecord.find(id, on: db),
            try await AccessPolicy.canRead(doc, actor: actor, db: db)
        else { throw UseCaseError(.notFound, "No such document.") }
        return doc
    }

    /// The provider's own organisation and its people.
    package static func organisation(actor: Actor, db: any Database) async throws -> (Organisation, [User]) {
        try requireProvider(actor)
        guard let org = try await Organisation.find(actor.organisationID, on: db) else {
            throw UseCaseError(.notFound, "No such organisation.")
        }
        let users = try await User.query(on: db).filter(\.$organisation.$id == actor.organisationID).sort(\.$name).all()
        return (org, users)
    }

    /// The provider's own establishments, by name.
    package static func establishments(actor: Actor, db: any Database) async throws -> [EstablishmentRecord] {
        try requireProvider(actor)
        return try await EstablishmentRecord.query(on: db).filter(\.$organisation.$id == actor.organisationID)
            .sort(\.$name).all()
    }

    /// The provider's own memberships, with their establishment and category.
    package static func ownMemberships(actor: Actor, db: any Database) async throws -> [MembershipRecord] {
        try requireProvider(actor)
        return try await MembershipRecord.query(on: db).filter(\.$organisation.$id == actor.organisationID)
            .with(\.$category).with(\.$establishment).all()
    }

    /// Applications the actor may list: a provider its own (drafts too), the lead authority the submitted
    /// ones made to the DPSs it runs; partners none.
    /// A page of the applications the actor may list, newest first (or oldest first): a provider's own; the lead
    /// authority's submitted ones.
    package static func applications(actor: Actor, page: ListPage, oldestFirst: Bool = false, db: any Database)
        async throws -> PageOf<ApplicationRecord>
    {
        var query = ApplicationRecord.query(on: db).with(\.$establishment).with(\.$organisation)
        switch actor.organisationKind {
        case .provider: query = query.filter(\.$organisation.$id == actor.organisationID)
        case .leadAuthority:
            query = query.filter(\.$dps.$id ~~ (try await AccessPolicy.dpsIDs(of: actor, db: db)))
                .filter(\.$state != ApplicationState.draft.rawValue)
        case .partnerAuthority: throw UseCaseError(.forbidden, "Partner authorities do not see applications.")
        }
        let order: DatabaseQuery.Sort.Direction = oldestFirst ? .ascending : .descending
        let fetched = try await query.sort(\.$createdAt, order).sort(\.$id, order)
            .range(page.offset..<(page.offset + page.size + 1)).all()
        return PageOf(fetched, page)
    }

    /// Categories a provider may apply for now: every DPS's categories that are open for applications.
    package static func categoriesOpenForApplications(db: any Database) async throws -> [CategoryRecord] {
        try await CategoryRecord.query(on: db).with(\.$dps).sort(\.$position).all().filter {
            try $0.readinessProblems.isEmpty
        }
    }

    package static func ownApplication(_ id: UUID, actor: Actor, db: any Database) async throws -> ApplicationRecord {
        guard actor.isProvider,
            let a = try await ApplicationRecord.query(on: db).filter(\.$id == id)
                .filter(\.$organisation.$id == actor.organisationID).with(\.$establishment).first()
        else {
            throw UseCaseError(.notFound, "No such application.")
        }
        return a
    }

    /// A new application: one establishment, the categories applied for (all of one DPS, which the
    /// application is made to) and optionally an earlier application whose answers are copied.
    package struct NewApplication: Sendable {
        package var establishmentID: UUID?
        package var categoryIDs: [UUID]
        package var copyFrom: UUID?
        /// Fields the form held but could not read as ids, refused by name.
        package var unreadable: [FieldError]

        package init(
            establishmentID: UUID?, categoryIDs: [UUID], copyFrom: UUID? = nil, unreadable: [FieldError] = []
        ) {
            self.establishmentID = establishmentID
            self.categoryIDs = categoryIDs
            self.copyFrom = copyFrom
            self.unreadable = unreadable
        }
    }

    /// Starts a draft application for one establishment and one or more categories, optionally copying the
    /// answers of an earlier application of the same organisation (for the categories both share).
    package static func startApplication(_ input: NewApplication, actor: Actor, db: any Database, now: Date)
        async throws -> ApplicationRecord
    {
        try actor.require(.providerAdmin)
        guard input.unreadable.isEmpty else { throw UseCaseError(input.unreadable) }
        guard input.categoryIDs.count <= Bounded.maxListItems else {
            throw UseCaseError(field: "categories", "Choose at most \(Bounded.maxListItems) categories")
        }
        var errors: [FieldError] = []
        let establishment =
            try await input.establishmentID.asyncMap { try await EstablishmentRecord.find($0, on: db) }
            ?? nil
        if establishment?.$organisation.id != actor.organisationID {
            errors.append(FieldError(field: "establishment", message: "Choose one of your establishments"))
        }
        let chosen = try await CategoryRecord.query(on: db).filter(\.$id ~~ input.categoryIDs).sort(\.$position).all()
        if chosen.isEmpty {
            errors.append(FieldError(field: "categories", message: "Choose at least one category to apply for"))
        } else if Set(chosen.map(\.$dps.id)).count > 1 {
            errors.append(
                FieldError(
                    field: "categories",
                    message: "Choose categories of one DPS; apply to each DPS in its own application"))
        }
        if let notReady = try chosen.first(where: { try !$0.readinessProblems.isEmpty }) {
            errors.append(FieldError(field: "categories", message: "\(notReady.name) is not open for applications yet"))
        }
        var source: [UUID: ApplicationCategoryRecord] = [:]
        if let copyFrom = input.copyFrom {
            guard let earlier = try await ApplicationRecord.find(copyFrom, on: db),
                earlier.$organisation.id == actor.organisationID
            else {
                throw UseCaseError([
                    FieldError(
                        field: "copyFrom",
                        message: "Choose one of your organisation's earlier applications to copy from")
                ])
            }
            for part in try await ApplicationCategoryRecord.query(on: db).filter(
                \.$application.$id == earlier.requireID()
            ).all() {
                source[part.$category.id] = part
            }
        }
        guard errors.isEmpty, let establishment, let dpsID = chosen.first?.$dps.id else { throw UseCaseError(errors) }
        let copies = source
        let establishmentID = try establishment.requireID()
        return try await db.writeTransaction { db in
            // One application in progress per establishment, checked under a claim on the establishment's row
            // so that two started at once make one.
            try await db.sql().update(EstablishmentRecord.schema)
                .set(SQLIdentifier("name"), to: SQLColumn("name"))
                .where(SQLIdentifier("id"), .equal, SQLBind(establishmentID)).run()
            let inProgress = [ApplicationState.draft, .submitted, .clarificationRequested].map(\.rawValue)
            if try await ApplicationRecord.query(on: db).filter(\.$establishment.$id == establishmentID)
                .filter(\.$state ~~ inProgress).count() > 0
            {
                throw UseCaseError(
                    [
                        FieldError(
                            field: "establishment",
                            message:
                                "\(establishment.name) already has an application in progress; "
                                + "continue it from your list of applications"
                        )
                    ], status: .conflict)
            }
            let app = ApplicationRecord()
            app.$dps.id = dpsID
            app.$organisation.id = actor.organisationID
            app.$establishment.id = establishmentID
            app.state = ApplicationState.draft.rawValue
            app.extended = false
            app.copiedFromID = input.copyFrom
            try await app.create(on: db)
            for category in chosen {
                let part = ApplicationCategoryRecord()
                part.$application.id = try app.requireID()
                part.$category.id = try category.requireID()
                part.decision = CategoryDecisionState.pending.rawValue
                let copy = copies[try category.requireID()]
                part.passFailJSON = copy?.passFailJSON ?? "{}"
                part.statementsJSON = copy?.statementsJSON ?? "{}"
                part.costsJSON = copy?.costsJSON ?? "{}"
                part.discountsJSON = copy?.discountsJSON ?? "{}"
                part.reviewJSON = "{}"
                try await part.create(on: db)
            }
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "application.started", entityType: "application",
                entityID: app.id,
                before: String?.none,
                after: [
                    "establishment": establishment.name, "categories": chosen.map(\.code).joined(separator: ","),
                    "copiedFrom": input.copyFrom?.uuidString ?? "",
                ], at: now)
            return app
        }
    }

    /// The answers of one category part, decoded.
    package struct Answers: Codable, Equatable {
        package var passFail: [String: String]
        package var statements: [String: String]
        package var costs: [String: Int]
        package var discounts: [String: Int]

        /// A part's stored answers; text that does not decode is an error, never answers quietly lost.
        package init(_ part: ApplicationCategoryRecord) throws {
            func decode<T: Decodable>(_ s: String, _ what: String) throws -> T {
                do { return try JSONDecoder().decode(T.self, from: Data(s.utf8)) } catch {
                    throw UseCaseError.undecodable(what, error)
                }
            }
            passFail = try decode(part.passFailJSON, "pass/fail answers")
            statements = try decode(part.statementsJSON, "method statements")
            costs = try decode(part.costsJSON, "core costs")
            discounts = try decode(part.discountsJSON, "discounts")
        }

        package func write(to part: ApplicationCategoryRecord) {
            part.passFailJSON = Audit.encode(passFail)
            part.statementsJSON = Audit.encode(statements)
            part.costsJSON = Audit.encode(costs)
            part.discountsJSON = Audit.encode(discounts)
        }
    }

    /// A draft's answers as typed values, by category code and then by the question's, statement's, cost
    /// line's or tier's own key; only what is given changes. Pages and the demo build it from their own
    /// formats and pass in `unreadable` the fields they could not turn into values.
    package struct DraftCommand: Sendable {
        package struct Part: Sendable {
            /// Pass/fail answers: true is "yes".
            package var passFail: [String: Bool] = [:]
            /// Method statements; an empty one clears the answer.
            package var statements: [String: String] = [:]
            /// Weekly core costs in pence; nil clears the answer.
            package var costs: [String: Int?] = [:]
            /// Discounts in basis points by the tier's number of children; nil clears the answer.
            package var discounts: [Int: Int?] = [:]

            package init(
                passFail: [String: Bool] = [:], statements: [String: String] = [:], costs: [String: Int?] = [:],
                discounts: [Int: Int?] = [:]
            ) {
                self.passFail = passFail
                self.statements = statements
                self.costs = costs
                self.discounts = discounts
            }
        }

        package var parts: [String: Part]
        package var unreadable: [FieldError]

        package init(parts: [String: Part], unreadable: [FieldError] = []) {
            self.parts = parts
            self.unreadable = unreadable
        }
    }

    /// Saves a draft. Amounts out of bounds or unreadable are reported and nothing is saved, so a typo never
    /// silently loses an answer. Keys of questions the category does not have are ignored.
    package static func saveDraft(
        _ id: UUID, _ command: DraftCommand, actor: Actor, db: any Database, now: Date
    ) async throws {
        try actor.require(.providerAdmin)  // applications are the provider administrator's; bid writers bid
        let app = try await ownApplication(id, actor: actor, db: db)
        guard app.state == ApplicationState.draft.rawValue else {
            throw UseCaseError(.conflict, "This application has been submitted and can no longer be changed.")
        }
        let parts = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id == app.requireID())
            .with(\.$category).all()
        var errors = command.unreadable
        let unreadable = Set(command.unreadable.map(\.field))
        var updates: [(ApplicationCategoryRecord, Answers, Answers)] = []
        for part in parts {
            let code = part.category.code
            let content = try part.category.content
            let before = try Answers(part)
            guard let given = command.parts[code] else { continue }
            var answers = before
            for q in content.passFail {
                if let yes = given.passFail[q.key] { answers.passFail[q.key] = yes ? "yes" : "no" }
            }
            for s in content.statements {
                guard let text = given.statements[s.key] else { continue }
                if text.count > Bounded.longText {
                    errors.append(
                        FieldError(
                            field: "statements.\(code).\(s.key)",
                            message: "\(s.title) must be at most \(Bounded.longText) characters; it has \(text.count)"))
                    continue
                }
                answers.statements[s.key] = text.trimmed.isEmpty ? nil : text
            }
            for line in content.costLines {
                guard let entry = given.costs[line.key] else { continue }
                let field = "costs.\(code).\(line.key)"
                guard !unreadable.contains(field) else {
                    // The form could not read it; the use case knows which line it is.
                    errors = errors.map {
                        $0.field != field
                            ? $0
                            : FieldError(
                                field: field, message: "\(line.name) must be an amount in pounds, like 1250.50")
                    }
                    continue
                }
                if let pence = entry, !(0...Money.maximumLinePence).contains(pence) {
                    errors.append(
                        FieldError(
                            field: field,
                            message: "\(line.name) must be from £0 to \(formatPence(Money.maximumLinePence)) a week"))
                    continue
                }
                answers.costs[line.key] = entry
            }
            for tier in content.discountTiers {
                guard let entry = given.discounts[tier.children] else { continue }
                let field = "discounts.\(code).\(tier.children)"
                guard !unreadable.contains(field) else { continue }
                if let bp = entry, !(0...10_000).contains(bp) {
                    errors.append(
                        FieldError(
                            field: field,
                            message:
                                "The discount for \(tier.children) or more children must be a percentage from 0 to 100")
                    )
                    continue
                }
                answers.discounts[String(tier.children)] = entry
            }
            updates.append((part, before, answers))
        }
        guard errors.isEmpty else { throw UseCaseError(errors) }
        let changes = updates.filter { $0.1 != $0.2 }
        try await db.writeTransaction { db in
            for (part, before, answers) in changes {
                answers.write(to: part)
                try await part.update(on: db)
                try await Audit.record(
                    on: db, actor: actor, dps: part.category.$dps.id, action: "application.draft.saved",
                    entityType: "application_category",
                    entityID: part.id,
                    before: before, after: answers, at: now)
            }
        }
    }

    package static let maxEvidenceBytes = 10 * 1024 * 1024

    /// A file as it arrived: its name and type as the sender gave them, and its bytes.
    package struct UploadedFile: Sendable {
        package var filename: String
        package var contentType: String?
        package var data: Data

        package init(filename: String, contentType: String? = nil, data: Data) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    package struct EvidenceUpload: Sendable {
        package var question: String?
        package var expiresOn: String?
        package var file: UploadedFile?

        package init(question: String? = nil, expiresOn: String? = nil, file: UploadedFile? = nil) {
            self.question = question
            self.expiresOn = expiresOn
            self.file = file
        }
    }

    /// Stores an evidence document for one pass/fail question.
    package static func uploadEvidence(
        _ id: UUID, partID: UUID, _ input: EvidenceUpload, actor: Actor, db: any Database, now: Date
    ) async throws {
        try actor.require(.providerAdmin)
        let app = try await ownApplication(id, actor: actor, db: db)
        guard app.state == ApplicationState.draft.rawValue else {
            throw UseCaseError(.conflict, "This application has been submitted; evidence can no longer be added.")
        }
        guard
            let part = try await ApplicationCategoryRecord.query(on: db).filter(\.$id == partID).filter(
                \.$application.$id == app.requireID()
            ).with(\.$category).first()
        else {
            throw UseCaseError(.notFound, "No such category in this application.")
        }
        let key = input.question ?? ""
        guard let question = try part.category.content.passFail.first(where: { $0.key == key }) else {
            throw UseCaseError(field: "question", "Choose the question this evidence is for")
        }
        let field = "evidence.\(part.category.code).\(key)"
        guard let file = input.file, !file.data.isEmpty else {
            throw UseCaseError(field: field, "Choose a file to upload")
        }
        guard file.data.count <= maxEvidenceBytes else {
            throw UseCaseError(field: field, "The file must be smaller than 10 MB", status: .tooLarge)
        }
        let expiresRaw = (input.expiresOn ?? "").trimmed
        let expires = LocalDate(typed: expiresRaw)
        if question.evidenceExpires && expires == nil {
            throw UseCaseError(
                field: "expires.\(part.category.code).\(key)",
                "Enter the date this document expires, for example 31 3 2027")
        }
        if !expiresRaw.isEmpty && expires == nil {
            throw UseCaseError(
                field: "expires.\(part.category.code).\(key)", "Enter the expiry date as a date, for example 31 3 2027"
            )
        }
        let bytes = file.data
        try await db.writeTransaction { db in
            let doc = EvidenceRecord()
            doc.$organisation.id = actor.organisationID
            doc.applicationCategoryID = try part.requireID()
            doc.questionKey = key
            doc.filename = SafeHeaders.filename(String(file.filename.suffix(150)))
            doc.contentType = file.contentType ?? "application/octet-stream"
            doc.sizeBytes = bytes.count
            doc.sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            doc.expiresOn = expires?.iso
            doc.data = bytes
            try await doc.create(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: part.category.$dps.id, action: "evidence.uploaded", entityType: "evidence",
                entityID: doc.id,
                before: String?.none,
                after: [
                    "question": key, "filename": doc.filename, "sha256": doc.sha256, "expiresOn": doc.expiresOn ?? "",
                ], at: now)
        }
    }

    /// Builds the pure submission input from stored records.
    package static func submission(
        app: ApplicationRecord, parts: [ApplicationCategoryRecord], evidence: [EvidenceRecord],
        dps: DPSRecord, windows: [ClosedWindowRecord], now: Date
    ) throws -> ApplicationSubmission {
        let e = app.establishment
        let rating =
            e.type == EstablishmentType.alternativeProvision.rawValue && e.judgement == "Not inspected"
            ? nil
            : InspectionRating(
                inspectorate: Inspectorate(rawValue: e.inspectorate) ?? .other, framework: e.framework,
                judgement: e.judgement,
                date: e.judgementDate.flatMap { LocalDate(iso: $0) })
        let entry: AdmissionEntry
        if let start = LocalDate(iso: dps.validityStart), let end = LocalDate(iso: dps.validityEnd) {
            entry = .windows(
                closed: windows.map { ClosedWindow(start: $0.startsAt, end: $0.endsAt, reason: $0.reason) },
                validity: ValidityPeriod(start: start, end: end))
        } else {
            entry = .closed
        }
        let categories = try parts.map { part -> CategoryApplication in
            let answers = try Answers(part)
            let docs = evidence.filter { $0.applicationCategoryID == part.id }
            var passFail: [String: PassFailAnswer] = [:]
            for (key, value) in answers.passFail {
                passFail[key] = PassFailAnswer(
                    answer: YesNoAnswer(rawValue: value) ?? .no,
                    evidence: docs.filter { $0.questionKey == key }.map {
                        EvidenceDocument(name: $0.filename, expires: $0.expiresOn.flatMap { LocalDate(iso: $0) })
                    })
            }
            return CategoryApplication(
                categoryId: part.category.code, spec: try part.category.spec, answers: passFail,
                statementAnswers: answers.statements,
                costsPence: answers.costs,
                discountsBasisPoints: Dictionary(
                    uniqueKeysWithValues: answers.discounts.compactMap { k, v in Int(k).map { ($0, v) } }))
        }
        return ApplicationSubmission(now: now, entry: entry, inspection: rating, categories: categories)
    }

    /// Submits a draft: every rule is checked at once and nothing changes unless all pass. Starts the
    /// assessment clock and tells the lead authority.
    /// Submits the application; with `checkOnly`, only says what stops it (the check-your-answers step).
    package static func submit(
        _ id: UUID, actor: Actor, db: any Database, now: Date, calendar: WorkingDayCalendar, checkOnly: Bool = false
    ) async throws {
        try actor.require(.providerAdmin)
        let app = try await ownApplication(id, actor: actor, db: db)
        let next: ApplicationState
        do { next = try (ApplicationState(rawValue: app.state) ?? .draft).applying(.submit) } catch {
            throw UseCaseError(
                error.errors.map { FieldError(field: "submission", message: $0.message) }, status: .conflict)
        }
        let dps = try await DPSRecord.find(app.$dps.id, on: db)!
        let parts = try await ApplicationCategoryRecord.query(on: db).filter(\.$application.$id == app.requireID())
            .with(\.$category).all()
        let evidence = try await EvidenceRecord.query(on: db).filter(\.$applicationCategoryID ~~ parts.compactMap(\.id))
            .all()
        let windows = try await ClosedWindowRecord.query(on: db).filter(\.$dps.$id == dps.requireID()).all()
        let errors = ApplicationCheck.validate(
            try submission(app: app, parts: parts, evidence: evidence, dps: dps, windows: windows, now: now))
        guard errors.isEmpty else { throw UseCaseError(errors) }
        if checkOnly { return }
        let deadline = AssessmentClock.deadline(submittedAt: now, extended: false, calendar: calendar)
        try await db.writeTransaction { db in
            app.state = next.rawValue
            app.submittedAt = now
            app.deadline = deadline.iso
            try await app.update(on: db)
            for part in parts {
                part.criteriaJSON = part.category.contentJSON
                try await part.update(on: db)
            }
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "application.submitted", entityType: "application",
                entityID: app.id,
                before: ["state": ApplicationState.draft.rawValue],
                after: ["state": next.rawValue, "deadline": deadline.iso], at: now)
            let lead = try await Organisation.find(dps.$lead.id, on: db)!
            try await Outbox.send(
                on: db, organisationID: lead.id, recipient: lead.contactEmail ?? lead.name,
                subject: "New application: \(app.establishment.name)",
                body:
                    "\(actor.organisationName) applied for \(parts.map(\.category.name).joined(separator: "; ")). "
                    + "Decide by \(deadline.longForm).",
                link: SiteURL.assessment(app.id!).path, at: now)
        }
    }

    /// Answers an open clarification question, returning the application to assessment.
    package static func answerClarification(
        _ id: UUID, clarificationID: UUID, answer: String?, actor: Actor, db: any Database, now: Date
    ) async throws {
        try actor.require(.providerAdmin, .bidWriter)
        let app = try await ownApplication(id, actor: actor, db: db)
        guard
            let clarification = try await ClarificationRecord.query(on: db).filter(\.$id == clarificationID).filter(
                \.$application.$id == app.requireID()
            ).first(),
            clarification.answer == nil
        else { throw UseCaseError(.notFound, "No open clarification question.") }
        let text = (answer ?? "").trimmed
        guard !text.isEmpty else {
            throw UseCaseError(field: "answer", "Enter your answer to the clarification question")
        }
        let open = try await ClarificationRecord.query(on: db).filter(\.$application.$id == app.requireID()).filter(
            \.$answer == nil
        ).count()
        try await db.writeTransaction { db in
            clarification.answer = text
            clarification.answeredBy = actor.userID
            clarification.answeredAt = now
            try await clarification.update(on: db)
            if open == 1, let state = ApplicationState(rawValue: app.state), state == .clarificationRequested {
                app.state = try state.applying(.answerClarification).rawValue
                try await app.update(on: db)
            }
            try await Audit.record(
                on: db, actor: actor, dps: app.$dps.id, action: "clarification.answered", entityType: "clarification",
                entityID: clarification.id,
                before: String?.none, after: ["answer": text], at: now)
            let dps = try await DPSRecord.find(app.$dps.id, on: db)!
            try await Outbox.send(
                on: db, organisationID: dps.$lead.id, recipient: "Evaluators",
                subject: "Clarification answered: \(app.establishment.name)",
                body: text, link: SiteURL.assessment(app.id!).path, at: now)
        }
    }
}

extension Optional {
    package func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}

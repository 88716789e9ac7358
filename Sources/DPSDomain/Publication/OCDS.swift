import Foundation

/// The Open Contracting Data Standard 1.1.5 as the product publishes it (DOMAIN §10): the parts of a release it
/// fills, encoded with absent fields left out. Amounts are pounds as exact decimals.
public enum OCDS {
    /// Each point in a DPS's life or a placement's that makes a release, and the release tags it carries.
    public enum Stage: String, Codable, Sendable, CaseIterable {
        /// The DPS is set up: one contracting process whose tender is the DPS, its categories lots.
        case marketEstablished = "market"
        /// Its period of validity changes.
        case marketModified = "market-amendment"
        /// Its period of validity has ended.
        case marketCeased = "market-ceased"
        /// A provider's establishment is admitted to a category: an award of the DPS process.
        case admission
        /// A referral is published: a call-off's own contracting process.
        case callOff = "call-off"
        case callOffCancelled = "call-off-cancelled"
        /// A placement is awarded (or made directly).
        case award
        /// Both parties have accepted the placement agreement.
        case contract
        /// An accepted change to the agreement.
        case change
        /// The placement has ended.
        case termination

        public var tags: [String] {
            switch self {
            case .marketEstablished, .callOff: ["tender"]
            case .marketModified: ["tenderAmendment"]
            case .marketCeased: ["tenderUpdate"]
            case .callOffCancelled: ["tenderCancellation"]
            case .admission, .award: ["award"]
            case .contract: ["contract"]
            case .change: ["contractAmendment"]
            case .termination: ["contractTermination"]
            }
        }
    }

    public struct Release: Codable, Equatable, Sendable {
        public var ocid: String
        public var id: String
        public var date: String
        public var tag: [String]
        public var initiationType = "tender"
        public var language = "en"
        public var parties: [Party]
        public var buyer: OrganizationReference?
        public var tender: Tender?
        public var awards: [Award]?
        public var contracts: [Contract]?
        public var relatedProcesses: [RelatedProcess]?

        public init(
            ocid: String, id: String, date: String, tag: [String], parties: [Party], buyer: OrganizationReference?,
            tender: Tender? = nil, awards: [Award]? = nil, contracts: [Contract]? = nil,
            relatedProcesses: [RelatedProcess]? = nil
        ) {
            self.ocid = ocid
            self.id = id
            self.date = date
            self.tag = tag
            self.parties = parties
            self.buyer = buyer
            self.tender = tender
            self.awards = awards
            self.contracts = contracts
            self.relatedProcesses = relatedProcesses
        }
    }

    public struct Party: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var identifier: Identifier?
        public var roles: [String]
        public init(id: String, name: String, identifier: Identifier?, roles: [String]) {
            self.id = id
            self.name = name
            self.identifier = identifier
            self.roles = roles
        }
    }

    public struct Identifier: Codable, Equatable, Sendable {
        public var scheme: String
        public var id: String
        public var legalName: String?
        public init(scheme: String, id: String, legalName: String? = nil) {
            self.scheme = scheme
            self.id = id
            self.legalName = legalName
        }
    }

    public struct OrganizationReference: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public struct Tender: Codable, Equatable, Sendable {
        public var id: String
        public var title: String?
        public var description: String?
        public var status: String?
        public var procurementMethod: String?
        public var procurementMethodDetails: String?
        public var mainProcurementCategory: String?
        public var techniques: Techniques?
        public var lots: [Lot]?
        public var items: [Item]?
        public var tenderPeriod: Period?
        public var numberOfTenderers: Int?
        public var amendments: [Amendment]?
        public var documents: [Document]?

        public init(id: String) { self.id = id }
    }

    public struct Techniques: Codable, Equatable, Sendable {
        public var hasDynamicPurchasingSystem: Bool
        public init(hasDynamicPurchasingSystem: Bool) { self.hasDynamicPurchasingSystem = hasDynamicPurchasingSystem }
    }

    public struct Lot: Codable, Equatable, Sendable {
        public var id: String
        public var title: String
        public var description: String?
        public var status: String?
        public init(id: String, title: String, description: String?, status: String?) {
            self.id = id
            self.title = title
            self.description = description
            self.status = status
        }
    }

    public struct Item: Codable, Equatable, Sendable {
        public var id: String
        public var description: String
        public var classification: Classification
        public var relatedLot: String?
        public init(id: String, description: String, classification: Classification, relatedLot: String?) {
            self.id = id
            self.description = description
            self.classification = classification
            self.relatedLot = relatedLot
        }
    }

    public struct Classification: Codable, Equatable, Sendable {
        public var scheme: String
        public var id: String
        public var description: String
        public init(scheme: String, id: String, description: String) {
            self.scheme = scheme
            self.id = id
            self.description = description
        }
    }

    public struct Period: Codable, Equatable, Sendable {
        public var startDate: String?
        public var endDate: String?
        public init(startDate: String?, endDate: String?) {
            self.startDate = startDate
            self.endDate = endDate
        }
    }

    public struct Value: Codable, Equatable, Sendable {
        public var amount: Decimal
        public var currency = "GBP"
        /// Pence as exact pounds.
        public init(pence: Int) { amount = Decimal(pence) / 100 }
    }

    public struct Award: Codable, Equatable, Sendable {
        public var id: String
        public var title: String?
        public var status: String
        public var date: String?
        public var value: Value?
        public var suppliers: [OrganizationReference]
        public var relatedLots: [String]?
        public var contractPeriod: Period?
        public var documents: [Document]?

        public init(
            id: String, title: String?, status: String, date: String?, value: Value?,
            suppliers: [OrganizationReference], relatedLots: [String]? = nil, contractPeriod: Period? = nil,
            documents: [Document]? = nil
        ) {
            self.id = id
            self.title = title
            self.status = status
            self.date = date
            self.value = value
            self.suppliers = suppliers
            self.relatedLots = relatedLots
            self.contractPeriod = contractPeriod
            self.documents = documents
        }
    }

    public struct Contract: Codable, Equatable, Sendable {
        public var id: String
        public var awardID: String
        public var title: String?
        public var description: String?
        public var status: String
        public var period: Period?
        public var value: Value?
        public var dateSigned: String?
        public var amendments: [Amendment]?
        public var documents: [Document]?

        public init(
            id: String, awardID: String, title: String?, description: String? = nil, status: String, period: Period?,
            value: Value?, dateSigned: String? = nil, amendments: [Amendment]? = nil, documents: [Document]? = nil
        ) {
            self.id = id
            self.awardID = awardID
            self.title = title
            self.description = description
            self.status = status
            self.period = period
            self.value = value
            self.dateSigned = dateSigned
            self.amendments = amendments
            self.documents = documents
        }
    }

    public struct Amendment: Codable, Equatable, Sendable {
        public var id: String
        public var date: String
        public var rationale: String
        public var description: String?
        public init(id: String, date: String, rationale: String, description: String?) {
            self.id = id
            self.date = date
            self.rationale = rationale
            self.description = description
        }
    }

    /// A notice the release reports: its document type and, under the Procurement Act 2023, its Find a Tender
    /// notice type (the UK extension's `noticeType`).
    public struct Document: Codable, Equatable, Sendable {
        public var id: String
        public var documentType: String
        public var title: String
        public var noticeType: String?
        public init(id: String, documentType: String, title: String, noticeType: String?) {
            self.id = id
            self.documentType = documentType
            self.title = title
            self.noticeType = noticeType
        }

        /// The notice document a release of `kind` carries.
        public static func notice(_ kind: NoticeKind, id: String) -> Document {
            let type =
                switch kind {
                case .quarterlyAwards, .contractsFinder: "awardNotice"
                case .contractDetails: "contractNotice"
                case .contractChange: "contractAmendmentNotice"
                case .contractTermination: "contractTerminationNotice"
                case .marketEstablished, .marketModified, .marketCeased: "tenderNotice"
                }
            return Document(id: id, documentType: type, title: kind.label, noticeType: kind.noticeType)
        }
    }

    public struct RelatedProcess: Codable, Equatable, Sendable {
        public var id: String
        public var relationship: [String]
        public var title: String
        public var scheme: String
        public var identifier: String
        public init(id: String, relationship: [String], title: String, scheme: String, identifier: String) {
            self.id = id
            self.relationship = relationship
            self.title = title
            self.scheme = scheme
            self.identifier = identifier
        }
    }

    /// A release package: the envelope every list of releases is published in.
    public struct ReleasePackage: Codable, Equatable, Sendable {
        public var uri: String
        public var version = "1.1"
        public var extensions: [String]
        public var publishedDate: String
        public var publisher: Publisher
        public var releases: [Release]
        public var links: Links?

        public init(uri: String, publishedDate: String, publisher: Publisher, releases: [Release], next: String?) {
            self.uri = uri
            self.extensions = OCDS.extensions
            self.publishedDate = publishedDate
            self.publisher = publisher
            self.releases = releases
            self.links = next.map { Links(next: $0) }
        }
    }

    public struct Links: Codable, Equatable, Sendable {
        public var next: String
    }

    public struct Publisher: Codable, Equatable, Sendable {
        public var name: String
        public var uri: String?
        public init(name: String, uri: String?) {
            self.name = name
            self.uri = uri
        }
    }

    /// A record package: each contracting process's releases and the compiled release (its latest state).
    public struct RecordPackage: Codable, Equatable, Sendable {
        public var uri: String
        public var version = "1.1"
        public var extensions: [String]
        public var publishedDate: String
        public var publisher: Publisher
        public var records: [Record]

        public init(uri: String, publishedDate: String, publisher: Publisher, records: [Record]) {
            self.uri = uri
            self.extensions = OCDS.extensions
            self.publishedDate = publishedDate
            self.publisher = publisher
            self.records = records
        }
    }

    public struct Record: Codable, Equatable, Sendable {
        public var ocid: String
        public var releases: [Release]
        public var compiledRelease: Release
        public init(ocid: String, releases: [Release], compiledRelease: Release) {
            self.ocid = ocid
            self.releases = releases
            self.compiledRelease = compiledRelease
        }
    }

    /// The extensions the releases use: lots and techniques from the standard's community, and the Cabinet Office's
    /// UK extension (for `noticeType`), at the commits `../shared/ocds` was built from.
    public static let extensions = [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
            + "8d3b52eb26ce0f1a015c91b665c120b17ef619a0/extension.json",
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/"
            + "5568b00a8dd694a3d34441bdd9ef2bd3f9d44b11/extension.json",
        "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/"
            + "aa0e43b84dfad0cb9b839a8135e0bc4b285d32fc/extension.json",
    ]

    /// An ocid prefix a publisher registers with the standard: `ocds-` and six letters or digits.
    public static func isValidPrefix(_ prefix: String) -> Bool {
        let parts = prefix.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0] == "ocds" && parts[1].count == 6
            && parts[1].allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }

    /// The compiled release of a contracting process: its releases merged oldest first, each later one's fields
    /// replacing the earlier's (arrays of objects merged by `id`, as the standard's merge routine does for the
    /// fields the product fills). The compiled release takes the last release's date and every tag seen.
    public static func compile(_ releases: [Release]) -> Release? {
        let ordered = releases.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
        guard var compiled = ordered.first else { return nil }
        for r in ordered.dropFirst() {
            compiled.date = r.date
            compiled.id = r.id
            compiled.tag = compiled.tag + r.tag.filter { !compiled.tag.contains($0) }
            compiled.parties = merged(compiled.parties, r.parties, id: \.id)
            compiled.buyer = r.buyer ?? compiled.buyer
            if let t = r.tender { compiled.tender = mergedTender(compiled.tender, t) }
            if let a = r.awards { compiled.awards = merged(compiled.awards ?? [], a, id: \.id) }
            if let c = r.contracts {
                compiled.contracts = merged(compiled.contracts ?? [], c, id: \.id) { old, new in
                    var joined = new
                    joined.amendments = merged(old.amendments ?? [], new.amendments ?? [], id: \.id).nilIfEmpty
                    joined.documents = merged(old.documents ?? [], new.documents ?? [], id: \.id).nilIfEmpty
                    joined.dateSigned = new.dateSigned ?? old.dateSigned
                    joined.value = new.value ?? old.value
                    return joined
                }
            }
            if let p = r.relatedProcesses {
                compiled.relatedProcesses = merged(compiled.relatedProcesses ?? [], p, id: \.id)
            }
        }
        compiled.id = "\(compiled.ocid)-compiled"
        compiled.tag = ["compiled"]
        return compiled
    }

    private static func mergedTender(_ old: Tender?, _ new: Tender) -> Tender {
        guard var t = old else { return new }
        t.title = new.title ?? t.title
        t.description = new.description ?? t.description
        t.status = new.status ?? t.status
        t.procurementMethod = new.procurementMethod ?? t.procurementMethod
        t.procurementMethodDetails = new.procurementMethodDetails ?? t.procurementMethodDetails
        t.mainProcurementCategory = new.mainProcurementCategory ?? t.mainProcurementCategory
        t.techniques = new.techniques ?? t.techniques
        t.lots = new.lots.map { merged(t.lots ?? [], $0, id: \.id) } ?? t.lots
        t.items = new.items ?? t.items
        t.tenderPeriod = new.tenderPeriod ?? t.tenderPeriod
        t.numberOfTenderers = new.numberOfTenderers ?? t.numberOfTenderers
        t.amendments = new.amendments.map { merged(t.amendments ?? [], $0, id: \.id) } ?? t.amendments
        t.documents = new.documents.map { merged(t.documents ?? [], $0, id: \.id) } ?? t.documents
        return t
    }

    private static func merged<T>(
        _ old: [T], _ new: [T], id: KeyPath<T, String>, combine: (T, T) -> T = { _, new in new }
    ) -> [T] {
        var result = old
        for item in new {
            if let index = result.firstIndex(where: { $0[keyPath: id] == item[keyPath: id] }) {
                result[index] = combine(result[index], item)
            } else {
                result.append(item)
            }
        }
        return result
    }
}

extension Array {
    fileprivate var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}

import DPSDomain
import DPSPersistence
import FluentKit
import Foundation

extension Referrals {
    /// What the parent's private page shows: the near-equal settings in alphabetical order (the page says so),
    /// each with what it is, how far it is, its latest inspection and where to read the report, the needs it
    /// says it meets and what it plans to achieve; who to contact; and the words the page uses, explained. No
    /// costs, scores or ranks, and nothing about other children.
    package struct ParentChoicePage: Sendable {
        package struct Option: Sendable {
            package var bidID: UUID
            package var name: String
            package var kind: String
            package var town: String
            package var distanceMiles: Int
            /// "Ofsted judged it Good on 5 November 2024", or "Not inspected yet".
            package var inspection: String
            /// The inspectorate's page for it, when there is one to link to.
            package var reportURL: String?
            package var reportLinkText: String
            package var needsMet: Set<String>
            package var outcomesStatement: String
        }

        package var councilName: String
        package var officerName: String
        package var officerEmail: String
        package var replyBy: Date
        package var preference: UUID?
        package var reason: String?
        package var needs: [ReferralNeed]
        package var options: [Option]
        /// The terms the page uses that a parent may not know, each with its meaning in plain words.
        package var glossary: [(term: String, meaning: String)]
    }

    /// The parent's page for a private link (404 for a wrong link, 410 once the reply date has passed).
    package static func parentChoicePage(token: String, db: any Database, now: Date) async throws
        -> ParentChoicePage
    {
        let r = try await forParent(token: token, db: db, now: now)
        let content = try await Content.load(r, db: db)
        let shortlist: [UUID] = (try decode(r.parentShortlistJSON) ?? []).compactMap(UUID.init(uuidString:))
        let bids = try await BidRecord.query(on: db).filter(\.$id ~~ shortlist).with(\.$establishment).all()
        let offered = try await bidContent(bids, db: db)
        let council = try await Organisation.find(r.$organisation.id, on: db)
        let officer = try await User.find(r.createdBy, on: db)
        let options: [ParentChoicePage.Option] = bids.map { b -> ParentChoicePage.Option in
            let e = b.establishment
            let (url, linkText) = inspectionReport(urn: e.urn, inspectorate: Inspectorate(rawValue: e.inspectorate))
            return ParentChoicePage.Option(
                bidID: b.id!, name: e.name, kind: parentWords(EstablishmentType(rawValue: e.type)), town: e.town,
                distanceMiles: Int(b.distanceMiles.rounded()),
                inspection: inspectionWords(
                    Inspectorate(rawValue: e.inspectorate), judgement: e.judgement,
                    date: e.judgementDate.flatMap { LocalDate(iso: $0) }),
                reportURL: url, reportLinkText: linkText, needsMet: Set(offered[b.id!]?.met(prefix: "n") ?? []),
                outcomesStatement: b.outcomesStatement)
        }.sorted { (a: ParentChoicePage.Option, b: ParentChoicePage.Option) in
            a.name.localizedCaseInsensitiveCompare(b.name) == .orderedAscending
        }
        let pageText =
            (content.needs.map(\.text) + options.flatMap { [$0.kind, $0.inspection, $0.outcomesStatement] })
            .joined(separator: "\n")
        return ParentChoicePage(
            councilName: council?.name ?? "The council", officerName: officer?.name ?? "your child's placement officer",
            officerEmail: officer?.email ?? "", replyBy: r.parentDeadline ?? now, preference: r.parentPreference,
            reason: r.parentReason, needs: content.needs, options: options,
            glossary: ParentGlossary.terms(in: pageText + "\n" + ParentGlossary.fixedText))
    }

    /// What a setting is, in the words a parent uses.
    static func parentWords(_ type: EstablishmentType?) -> String {
        switch type {
        case .school: "Independent or non-maintained special school"
        case .childrensHome: "Children's home"
        case .fosteringAgency: "Fostering agency (the child lives with one of its foster families)"
        case .alternativeProvision: "Alternative provision (education outside a school)"
        case nil: "Setting"
        }
    }

    /// The latest inspection in one wording for every setting.
    static func inspectionWords(_ inspectorate: Inspectorate?, judgement: String, date: LocalDate?) -> String {
        let judged = judgement.trimmed
        guard !judged.isEmpty else { return "Not inspected yet" }
        let by: String =
            switch inspectorate {
            case .ofstedSocialCare, .ofstedEducation: "Ofsted"
            case .isi: "The Independent Schools Inspectorate (ISI)"
            case .ciw: "The Welsh inspectorate"
            case .other, nil: "Its inspectorate"
            }
        return "\(by) judged it \(judged)" + (date.map { " on \($0.longForm)" } ?? "")
    }

    /// Where to read a setting's inspection reports: Ofsted's report search by URN, or for a school inspected by
    /// ISI its page on Get Information about Schools (which links to its reports). Without a URN, the officer.
    static func inspectionReport(urn: String?, inspectorate: Inspectorate?) -> (String?, String) {
        guard let urn = urn?.trimmed, !urn.isEmpty,
            urn.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }), urn.count <= 12
        else { return (nil, "Ask the placement officer for its latest inspection report") }
        switch inspectorate {
        case .ofstedSocialCare, .ofstedEducation:
            return (
                "https://reports.ofsted.gov.uk/search?q=\(urn)", "Read its inspection reports on the Ofsted website"
            )
        case .isi:
            return (
                "https://get-information-schools.service.gov.uk/Establishments/Establishment/Details/\(urn)",
                "See it on Get Information about Schools, which links to its inspection reports"
            )
        default: return (nil, "Ask the placement officer for its latest inspection report")
        }
    }
}

/// Words and abbreviations a parent may meet on the choice page, each with its meaning in plain English. The
/// page lists only those it uses (in the needs the officer wrote, the settings' statements, or its own text).
package enum ParentGlossary {
    static let entries: [(term: String, meaning: String)] = [
        (
            "EHC plan",
            "Education, health and care plan: the legal document that sets out your child's needs and support"
        ),
        ("SEN", "Special educational needs"),
        ("SEND", "Special educational needs and disabilities"),
        ("SALT", "Speech and language therapy"),
        ("SLT", "Speech and language therapy"),
        ("OT", "Occupational therapy: help with everyday skills such as dressing, writing or managing the senses"),
        ("CAMHS", "Child and adolescent mental health services, part of the NHS"),
        ("SEMH", "Social, emotional and mental health needs"),
        ("ASC", "Autism spectrum condition"),
        ("ASD", "Autism spectrum disorder"),
        ("ADHD", "Attention deficit hyperactivity disorder"),
        ("PDA", "Pathological demand avoidance, a profile of autism"),
        ("Independent", "An independent school is run by a company or a charity, not by the council"),
        ("non-maintained", "A non-maintained special school is run by a charity and approved by the government"),
        ("Ofsted", "The body that inspects schools and children's services in England"),
        ("ISI", "The Independent Schools Inspectorate, which inspects many independent schools"),
        ("Alternative provision", "Education arranged outside a school"),
        ("Fostering agency", "An organisation that finds, trains and supports foster families"),
        ("Requires improvement", "An inspection judgement below Good: the setting must improve"),
    ]

    /// Words the page itself always uses.
    static let fixedText = "Ofsted"

    /// The entries whose term appears in the text as a whole word (abbreviations as written, words in any case).
    static func terms(in text: String) -> [(term: String, meaning: String)] {
        entries.filter { entry in
            let isAbbreviation = entry.term.allSatisfy { $0.isUppercase || $0 == " " }
            let options: String.CompareOptions = isAbbreviation ? [] : [.caseInsensitive]
            var range = text.startIndex..<text.endIndex
            while let found = text.range(of: entry.term, options: options, range: range) {
                let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
                let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
                if !(before?.isLetter ?? false) && !(after?.isLetter ?? false) { return true }
                range = found.upperBound..<text.endIndex
            }
            return false
        }
    }
}

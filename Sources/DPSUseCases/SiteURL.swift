import Foundation

/// Every page's address in one type. Links, form actions, redirects and the links in messages are built from
/// it (`.path`), and the app registers its page routes from it (`SiteURL.route` in the App target, with
/// `UUID.any` standing for a path parameter), so a link cannot point at a route that does not exist and
/// renaming a route renames every link to it. The JSON API's paths live in `APIRoutes` and the OpenAPI
/// document.
package enum SiteURL: Sendable, Hashable {
    // Public
    case home, documents
    case document(category: UUID)
    case aboutData
    /// The awards published in the Open Contracting Data Standard, by quarter (public).
    case published
    case signIn, signOut, register, dashboard, messages
    /// Forgotten password, and the e-mailed link that sets one (an invitation's or a reset's; its token is the key).
    case passwordReset
    case setPassword(token: String)
    /// An organisation's people, managed by its administrator.
    case people
    case person(UUID)
    case personEdit(UUID)
    case stylesheet, health, openAPI
    /// The parent's private link; its token is the key.
    case choice(token: String)

    // DPS administration (the lead authority)
    case dpsOverview
    case dps(UUID, DPSPart? = nil)
    case category(UUID, CategoryPart? = nil)
    case memberships, membershipsExport, audit, auditExport
    case membership(UUID, MembershipAction? = nil)
    case membershipResponse(UUID, response: UUID)
    /// Claims on a registered URN, decided by the lead authority.
    case urnClaims
    case urnClaim(UUID)
    /// E-mail that could not be delivered, for the lead authority.
    case mailProblems
    case registerWatch
    case registerFinding(UUID)
    case costSharing, supplierFee
    case feeReviews
    case feeReview(UUID, FeeReviewAction? = nil)
    case feeProposal(UUID, membership: UUID)
    case complianceChecks
    case complianceCheck(UUID, ComplianceAction? = nil)
    case reviews
    case review(UUID, ReviewAction? = nil)
    case reviewVisitFile(UUID, visit: UUID)

    // Assessment of applications
    case assessmentQueue, assessmentReport
    case assessment(UUID, AssessmentAction? = nil)
    /// A review, score or decision on one category of an application.
    case assessmentPart(UUID, AssessmentPartAction, part: UUID)

    // Providers
    case organisation, establishments, newEstablishment, establishmentClaims, standing
    case establishmentEdit(UUID)
    case applications
    case application(UUID)
    case evidenceUpload(application: UUID, part: UUID)
    case evidence(UUID)
    case clarificationAnswer(application: UUID, clarification: UUID)
    case invitations
    case invitation(UUID, InvitationAction? = nil)

    // Referrals and placements (councils)
    case referrals, newReferral, directReferral
    case referral(UUID, ReferralAction? = nil)
    case bidScore(referral: UUID, bid: UUID)
    case placement(UUID)
    case placementAccept(UUID)
    /// The placement register (councils, providers, the lead's contract managers).
    case placements
    /// An outcome review: the provider's form (GET) and its record (POST); the placing authority's answer.
    case placementReview(UUID, review: UUID)
    case placementReviewAnswer(UUID, review: UUID)
    /// The evidence file the provider gave for one outcome of a review (numbered from 0).
    case placementReviewFile(UUID, review: UUID, outcome: Int)
    case placementChanges(UUID)
    case placementChange(UUID, change: UUID)
    case placementEnd(UUID)
    /// The publication calendar (the lead's contract managers) and marking a notice as sent.
    case publication
    case publicationSent
    /// The market figures (councils) and a figure's table as CSV.
    case figures, figuresExport
    /// Market capacity: memberships by category and area (the map), suspensions and concerns.
    case capacity
    /// A provider's own results against the market (shown on its dashboard) as CSV.
    case resultsExport
    /// The public demand signals: referrals by category, council and area of need per quarter.
    case demand

    package enum DPSPart: String, Sendable, Hashable { case validity, windows, partners, categories }
    package enum CategoryPart: String, Sendable, Hashable {
        case settings, items
        case removeItem = "items/remove"
    }
    package enum ReviewAction: String, Sendable, Hashable { case actions, done, visits, report, close }
    package enum ComplianceAction: String, Sendable, Hashable { case confirm, fail }
    package enum FeeReviewAction: String, Sendable, Hashable { case decide, close }
    package enum MembershipAction: String, Sendable, Hashable {
        case suspend, reinstate, respond, keep, renew, rescore, concern, review
    }
    package enum AssessmentAction: String, Sendable, Hashable { case clarify, extend }
    package enum AssessmentPartAction: String, Sendable, Hashable { case review, score, decide }
    package enum InvitationAction: String, Sendable, Hashable { case bid, withdraw, decline }
    package enum ReferralAction: String, Sendable, Hashable, CaseIterable {
        case radius, publish, extend, cancel, close, parent, award, reissue
    }

    /// One piece of a path: fixed text, or a value that a route names as a parameter.
    package enum Segment {
        case text(String)
        case value(String, parameter: String)
    }

    package var segments: [Segment] {
        func id(_ value: UUID, _ name: String = "id") -> Segment { .value(value.uuidString, parameter: name) }
        func words(_ path: String) -> [Segment] { path.split(separator: "/").map { .text(String($0)) } }
        switch self {
        case .home: return []
        case .documents: return words("documents")
        case .document(let category): return words("documents") + [id(category, "categoryID")]
        case .aboutData: return words("about/data")
        case .published: return words("published")
        case .signIn: return words("sign-in")
        case .signOut: return words("sign-out")
        case .register: return words("register")
        case .dashboard: return words("dashboard")
        case .messages: return words("messages")
        case .passwordReset: return words("password-reset")
        case .setPassword(let token): return words("password") + [.value(token, parameter: "token")]
        case .people: return words("account/people")
        case .person(let user): return words("account/people") + [id(user)]
        case .personEdit(let user): return words("account/people") + [id(user)] + words("edit")
        case .stylesheet: return words("assets/app.css")
        case .health: return words("healthz")
        case .openAPI: return words("api/v1/openapi.yaml")
        case .choice(let token): return words("choice") + [.value(token, parameter: "token")]
        case .dpsOverview: return words("admin/dps")
        case .dps(let dps, let part): return words("admin/dps") + [id(dps)] + words(part?.rawValue ?? "")
        case .category(let category, let part):
            return words("admin/categories") + [id(category)] + words(part?.rawValue ?? "")
        case .memberships: return words("memberships")
        case .membershipsExport: return words("memberships.csv")
        case .audit: return words("audit")
        case .auditExport: return words("audit.csv")
        case .membership(let m, let action): return words("memberships") + [id(m)] + words(action?.rawValue ?? "")
        case .membershipResponse(let m, let response):
            return words("memberships") + [id(m)] + words("responses") + [id(response, "responseID")]
        case .urnClaims: return words("admin/urn-claims")
        case .urnClaim(let claim): return words("admin/urn-claims") + [id(claim)]
        case .mailProblems: return words("admin/mail")
        case .registerWatch: return words("register-watch")
        case .registerFinding(let finding): return words("register-watch") + [id(finding)]
        case .costSharing: return words("cost-sharing")
        case .supplierFee: return words("cost-sharing/supplier-fee")
        case .feeReviews: return words("fee-reviews")
        case .feeReview(let review, let action):
            return words("fee-reviews") + [id(review)] + words(action?.rawValue ?? "")
        case .feeProposal(let review, let membership):
            return words("fee-reviews") + [id(review)] + words("memberships") + [id(membership, "membershipID")]
        case .complianceChecks: return words("compliance")
        case .complianceCheck(let check, let action):
            return words("compliance") + [id(check)] + words(action?.rawValue ?? "")
        case .reviews: return words("reviews")
        case .review(let review, let action): return words("reviews") + [id(review)] + words(action?.rawValue ?? "")
        case .reviewVisitFile(let review, let visit):
            return words("reviews") + [id(review)] + words("visits") + [id(visit, "visitID")]
        case .assessmentQueue: return words("assessment")
        case .assessmentReport: return words("assessment/report")
        case .assessment(let app, let action): return words("assessment") + [id(app)] + words(action?.rawValue ?? "")
        case .assessmentPart(let app, let action, let part):
            return words("assessment") + [id(app)] + words(action.rawValue) + [id(part, "partID")]
        case .organisation: return words("provider/organisation")
        case .standing: return words("provider/standing")
        case .establishments: return words("provider/establishments")
        case .newEstablishment: return words("provider/establishments/new")
        case .establishmentEdit(let e): return words("provider/establishments") + [id(e)] + words("edit")
        case .establishmentClaims: return words("provider/establishments/claims")
        case .applications: return words("provider/applications")
        case .application(let app): return words("provider/applications") + [id(app)]
        case .evidenceUpload(let app, let part):
            return words("provider/applications") + [id(app)] + words("evidence") + [id(part, "partID")]
        case .evidence(let document): return words("provider/evidence") + [id(document, "docID")]
        case .clarificationAnswer(let app, let clarification):
            return words("provider/applications") + [id(app)] + words("clarifications") + [id(clarification, "cid")]
        case .invitations: return words("provider/invitations")
        case .invitation(let invitation, let action):
            return words("provider/invitations") + [id(invitation)] + words(action?.rawValue ?? "")
        case .referrals: return words("referrals")
        case .newReferral: return words("referrals/new")
        case .directReferral: return words("referrals/direct")
        case .referral(let referral, let action):
            return words("referrals") + [id(referral)] + words(action?.rawValue ?? "")
        case .bidScore(let referral, let bid):
            return words("referrals") + [id(referral)] + words("score") + [id(bid, "bidID")]
        case .placement(let placement): return words("placements") + [id(placement)]
        case .placementAccept(let placement): return words("placements") + [id(placement)] + words("accept")
        case .placements: return words("placements")
        case .placementReview(let placement, let review):
            return words("placements") + [id(placement)] + words("reviews") + [id(review, "reviewID")]
        case .placementReviewAnswer(let placement, let review):
            return words("placements") + [id(placement)] + words("reviews") + [id(review, "reviewID")] + words("answer")
        case .placementReviewFile(let placement, let review, let outcome):
            return words("placements") + [id(placement)] + words("reviews") + [id(review, "reviewID")]
                + words("evidence") + [.value(String(outcome), parameter: "outcome")]
        case .placementChanges(let placement): return words("placements") + [id(placement)] + words("changes")
        case .placementChange(let placement, let change):
            return words("placements") + [id(placement)] + words("changes") + [id(change, "changeID")]
        case .placementEnd(let placement): return words("placements") + [id(placement)] + words("end")
        case .publication: return words("publication")
        case .publicationSent: return words("publication/sent")
        case .figures: return words("figures")
        case .figuresExport: return words("figures.csv")
        case .capacity: return words("figures/capacity")
        case .resultsExport: return words("results.csv")
        case .demand: return words("demand")
        }
    }

    /// The address to link to, post to or redirect to: always a path on this site.
    package var path: String {
        "/"
            + segments.map {
                switch $0 {
                case .text(let text): return text
                case .value(let value, _):
                    // Ids (letters, digits and hyphens) need no encoding: Foundation's encoder was a tenth of a
                    // list page of 100 links.
                    if value.utf8.allSatisfy(Self.plain) { return value }
                    return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
                        ?? ""
                }
            }.joined(separator: "/")
    }

    /// A byte that stands for itself in a path segment, as Foundation's encoder leaves it: an ASCII letter or
    /// digit, `-` or `_`.
    private static func plain(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D || byte == 0x5F
    }

    /// The address with a query, for filters and sign-in's way back (`next`).
    package func path(query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        let safe = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: safe) ?? "" }
        return path + "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

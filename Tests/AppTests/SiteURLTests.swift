import Foundation
import Testing
import Vapor

@testable import App
@testable import DPSUseCases

/// Page addresses come from one type: every `SiteURL` is a registered route, every page route is a
/// `SiteURL`, and values in a path or query are encoded so they cannot change the path.
@Suite("Site URLs: one type for links and routes")
struct SiteURLTests {
    /// One example of every case. The switch has no default, so a new case does not compile until it is
    /// listed here, and then the tests below check it.
    static func examples() -> [SiteURL] {
        let (a, b) = (UUID(), UUID())
        let all: [SiteURL] =
            [
                .home, .documents, .document(category: a), .aboutData, .signIn, .signOut, .register, .dashboard,
                .messages, .stylesheet, .health, .openAPI, .choice(token: "t0k3n"), .dpsOverview, .dps(a),
                .dps(a, .validity), .dps(a, .windows), .dps(a, .partners), .dps(a, .categories), .category(a),
                .category(a, .settings), .category(a, .items), .category(a, .removeItem), .memberships, .audit,
                .auditExport, .membership(a), .membership(a, .suspend), .membership(a, .reinstate),
                .membership(a, .respond), .membership(a, .keep), .membership(a, .renew), .membership(a, .rescore),
                .membership(a, .concern), .membership(a, .review), .reviews, .review(a), .standing, .complianceChecks,
                .complianceCheck(a), .complianceCheck(a, .confirm), .complianceCheck(a, .fail), .costSharing,
                .supplierFee, .feeReviews,
                .feeReview(a), .feeReview(a, .decide), .feeReview(a, .close), .feeProposal(a, membership: b),
                .review(a, .actions),
                .review(a, .visits), .review(a, .close), .reviewVisitFile(a, visit: b), .review(a, .done),
                .review(a, .report),
                .membershipResponse(a, response: b),
                .membershipsExport,
                .assessmentQueue, .assessmentReport, .assessment(a), .assessment(a, .clarify), .assessment(a, .extend),
                .assessmentPart(a, .review, part: b), .assessmentPart(a, .score, part: b),
                .assessmentPart(a, .decide, part: b), .organisation, .establishments, .newEstablishment, .applications,
                .application(a), .evidenceUpload(application: a, part: b), .evidence(a),
                .clarificationAnswer(application: a, clarification: b), .invitations, .invitation(a),
                .invitation(a, .bid), .invitation(a, .withdraw), .invitation(a, .decline), .referrals, .newReferral,
                .directReferral, .referral(a), .bidScore(referral: a, bid: b), .placement(a), .placementAccept(a),
                .urnClaims, .urnClaim(a), .establishmentClaims, .mailProblems, .passwordReset, .setPassword(token: "t"),
                .people, .person(a), .personEdit(a), .establishmentEdit(a), .registerWatch, .registerFinding(a),
                .placements, .placementReview(a, review: b), .placementReviewAnswer(a, review: b),
                .placementReviewFile(a, review: b, outcome: 0), .placementChanges(a), .placementChange(a, change: b),
                .placementEnd(a), .published, .publication, .publicationSent, .figures, .figuresExport, .demand,
                .capacity, .resultsExport,
            ] + SiteURL.ReferralAction.allCases.map { .referral(a, $0) }
        for url in all {
            switch url {
            case .home, .documents, .document, .aboutData, .signIn, .signOut, .register, .dashboard, .messages,
                .stylesheet, .health, .openAPI, .choice, .dpsOverview, .dps, .category, .memberships, .audit,
                .auditExport, .membership, .membershipResponse, .membershipsExport,
                .assessmentQueue, .assessmentReport, .assessment, .assessmentPart, .organisation, .establishments,
                .newEstablishment, .applications, .application, .evidenceUpload, .evidence, .clarificationAnswer,
                .invitations, .invitation, .referrals, .newReferral, .directReferral, .referral, .bidScore,
                .placement, .placementAccept, .urnClaims, .urnClaim, .establishmentClaims, .mailProblems,
                .passwordReset, .setPassword, .people, .person, .personEdit, .establishmentEdit, .registerWatch,
                .registerFinding, .reviews, .review, .standing, .complianceChecks, .complianceCheck, .costSharing,
                .supplierFee, .feeReviews,
                .feeReview, .feeProposal, .reviewVisitFile, .placements, .placementReview, .placementReviewAnswer,
                .placementReviewFile, .placementChanges, .placementChange, .placementEnd, .published, .publication,
                .publicationSent, .figures, .figuresExport, .demand, .capacity, .resultsExport:
                break
            }
        }
        return all
    }

    @Test("Every site URL is a registered route, and every page route is a site URL")
    func urlsAreRoutes() async throws {
        let app = try await Application.make(.testing)
        try routes(app)
        let registered = Set(app.routes.all.map { "/" + $0.path.map(\.description).joined(separator: "/") })
        let urls = Set(Self.examples().map { "/" + $0.route.map(\.description).joined(separator: "/") })
        #expect(urls.subtracting(registered).isEmpty, "links to no route: \(urls.subtracting(registered).sorted())")
        let pages = registered.filter { !$0.hasPrefix("/api/") || $0 == "/api/v1/openapi.yaml" }
        #expect(pages.subtracting(urls).isEmpty, "page routes not in SiteURL: \(pages.subtracting(urls).sorted())")
        try await app.asyncShutdown()
    }

    @Test("Values are encoded: a token or query value cannot add a path segment, a query or a fragment")
    func encoding() {
        #expect(SiteURL.choice(token: "a/../b?c#d").path == "/choice/a%2F..%2Fb%3Fc%23d")
        let id = UUID()
        #expect(SiteURL.referral(id, .award).path == "/referrals/\(id.uuidString)/award")
        #expect(SiteURL.home.path == "/")
        #expect(SiteURL.category(id, .removeItem).path == "/admin/categories/\(id.uuidString)/items/remove")
        #expect(
            SiteURL.signIn.path(query: [("next", "/referrals?state=open&x=1#top")])
                == "/sign-in?next=/referrals%3Fstate%3Dopen%26x%3D1%23top")
        #expect(SiteURL.signIn.path(query: []) == "/sign-in")
        // Ids and tokens take a short cut past Foundation's encoder; everything comes out as the encoder has it.
        for value in [id.uuidString, "Ab-_09", "a b", "é", "100%", "a.b", "..", "~x", "a;b", ""] {
            let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))!
            #expect(SiteURL.choice(token: value).path == "/choice/" + encoded, "\(value)")
        }
    }
}

import FluentKit

/// Every migration, in order. Never edit one that has shipped; add a new one.
public enum DPSMigrations {
    public static let all: [any Migration] = [
        M0001_Organisations(),  // organisations, users, API tokens
        M0002_DPS(),  // DPS, validity changes, closed windows, categories, partners
        M0003_Establishments(),  // establishments and evidence documents
        M0004_Applications(),  // applications, per-category parts, scores, clarifications
        M0005_Memberships(),  // memberships (establishment × category)
        M0006_AuditOutbox(),  // append-only audit events (with triggers) and the outbox
        M0007_Registers(),  // public registers: establishments by URN, postcode centroids
        M0008_Referrals(),  // referrals, invitations, sealed bids, bid scores, placements
        M0009_LocationIndex(),  // index establishments by latitude for eligibility boxes
        M0010_SubmittedCriteria(),  // the criteria each application part was submitted against
        M0011_ConcurrencyGuards(),  // SQLite write gate, unique references from a counter, append-only audit inserts
        M0012_PlacementLifecycle(),  // placements as records of their own: status, ends, direct ones without a referral
        M0013_ReferralItems(),  // a referral's needs (coded by area), must-haves, desirables and outcomes as rows
        M0014_BidRows(),  // a bid's priced lines and the items it meets as rows
        M0015_PartnerCategories(),  // the categories each partner uses as rows
        M0016_AuditScope(),  // audit events carry their DPS
        M0017_ListIndexes(),  // indexes for the lists, the bid's invitation and establishments by URN
        M0018_PageOrderIndexes(),  // the lists' whole order (time, then id) in their indexes; bids counted by index
        M0019_ClaimsMailAccounts(),  // URN claims, outbox delivery, account tokens, deactivated users
        M0020_MembershipEvents(),  // the master log of memberships: dated changes with their reasons
        M0021_SuspensionResponses(),  // a provider's statement and evidence answering a suspension
        M0022_JobsRegisterFindings(),  // runs of periodic jobs claimed by period; the inspection watch's findings
        M0023_EvidenceNotices(),  // the evidence reminders and lapse notices sent, once each
        M0024_RescoreInterval(),  // how often memberships are re-scored (a DPS setting)
        M0025_ConcernsReviews(),  // concerns, coordinated reviews, action plans and visits; the concern threshold
        M0026_ComplianceChecks(),  // annual compliance checks and their answers; the grace period (a DPS setting)
        M0027_FeeReviews(),  // the annual core fee review: windows, proposals and decisions, fee schedule history
        M0028_CostSharing(),  // the central costs per financial year and how they are shared; the PA 2023 supplier fee
        M0029_PlacementsAfterAward(),  // outcome reviews and ratings, placement changes, pattern, ending note
        M0030_Publication(),  // OCDS releases made once each, the notices due by regime, the ocid prefix
        M0031_FigureIndexes(),  // the market figures' ranges: placements by start, referrals by publication
        M0032_FigureSummaries(),  // closed referrals' counts; the market's bids by category and quarter
        M0033_PlacementFacts(),  // a placement's competition kept on it; indexes carrying what the figures read
        M0034_SignInFailures(),  // failed sign-ins counted in the database, the same for every instance
        M0035_FigureReads(),  // reviews keep their placement's scope; the market's declines; endings' indexes carry more
        M0036_ProviderCounts(),  // a provider's invitations, declines, prices and ranks by category and quarter
        M0037_ResponseCounts(),  // referrals' responses by council, category and quarter; re-issues indexed
        M0038_PlacementDays(),  // the days from publication to award and to start, kept on the placement
    ]
}

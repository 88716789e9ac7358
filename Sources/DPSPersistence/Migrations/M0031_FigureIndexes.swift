import FluentKit

/// Indexes for the market figures (issue 11): a council's or a DPS's placements by start date and referrals by
/// publication, so a period's figures read a range of an index instead of every row of the scope; placements by
/// the bid they were awarded to (a provider's wins); reviews by placement and due date.
struct M0031_FigureIndexes: IndexMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("placements_authority_start", "placements", ["authority_id", "start_date"]),
        ("placements_dps_start", "placements", ["dps_id", "start_date"]),
        ("placements_bid", "placements", ["bid_id"]),
        ("referrals_organisation_published", "referrals", ["organisation_id", "published_at"]),
        ("referrals_dps_published", "referrals", ["dps_id", "published_at"]),
        ("placement_reviews_placement_due", "placement_reviews", ["placement_id", "due_date"]),
    ]

}

import FluentKit
import SQLKit

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
    ]
}

struct M0001_Organisations: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Organisation.schema)
            .id()
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("legal_name", .string)
            .field("company_number", .string)
            .field("charity_number", .string)
            .field("gss_code", .string)
            .field("address", .string)
            .field("postcode", .string)
            .field("contact_name", .string)
            .field("contact_email", .string)
            .field("contact_phone", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema(User.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await db.schema(APIToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id))
            .field("token_hash", .string, .required)
            .field("label", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [APIToken.schema, User.schema, Organisation.schema] { try await db.schema(schema).delete() }
    }
}

struct M0002_DPS: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(DPSRecord.schema)
            .id()
            .field("title", .string, .required)
            .field("lead_organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("regime", .string, .required)
            .field("validity_start", .string, .required)
            .field("validity_end", .string, .required)
            .field("short_deadlines_agreed", .bool, .required)
            .field("description", .string, .required)
            .field("terms", .string, .required)
            .field("parent_choice_band_points", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema(ValidityChangeRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("kind", .string, .required)
            .field("old_end", .string, .required)
            .field("new_end", .string, .required)
            .field("reason", .string, .required)
            .field("changed_by", .uuid, .required)
            .field("changed_at", .datetime, .required)
            .create()
        try await db.schema(ClosedWindowRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("reason", .string, .required)
            .create()
        try await db.schema(CategoryRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("name", .string, .required)
            .field("code", .string, .required)
            .field("description", .string, .required)
            .field("contract_name", .string, .required)
            .field("affordability_cap_pence", .int)
            .field("minimum_invitees", .int, .required)
            .field("content_json", .string, .required)
            .field("position", .int, .required)
            .unique(on: "dps_id", "code")
            .create()
        try await db.schema(PartnerRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("category_ids_json", .string, .required)
            .field("is_joiner", .bool, .required)
            .field("joined_on", .string, .required)
            .unique(on: "dps_id", "organisation_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [
            PartnerRecord.schema, CategoryRecord.schema, ClosedWindowRecord.schema,
            ValidityChangeRecord.schema, DPSRecord.schema,
        ] { try await db.schema(schema).delete() }
    }
}

struct M0003_Establishments: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(EstablishmentRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("urn", .string)
            .field("address", .string, .required)
            .field("town", .string, .required)
            .field("postcode", .string, .required)
            .field("postcode_district", .string, .required)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("location_approximate", .bool, .required)
            .field("age_low", .int, .required)
            .field("age_high", .int, .required)
            .field("genders", .string, .required)
            .field("capacity", .int, .required)
            .field("inspectorate", .string, .required)
            .field("framework", .string)
            .field("judgement", .string, .required)
            .field("judgement_date", .string)
            .field("la_gss_code", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema(EvidenceRecord.schema)
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("application_category_id", .uuid, .required)
            .field("question_key", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size_bytes", .int, .required)
            .field("sha256", .string, .required)
            .field("expires_on", .string)
            .field("data", .data, .required)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(EvidenceRecord.schema).delete()
        try await db.schema(EstablishmentRecord.schema).delete()
    }
}

struct M0004_Applications: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ApplicationRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("state", .string, .required)
            .field("submitted_at", .datetime)
            .field("deadline", .string)
            .field("extended", .bool, .required)
            .field("extension_reason", .string)
            .field("decided_at", .datetime)
            .field("copied_from_id", .uuid)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.schema(ApplicationCategoryRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, .id))
            .field("decision", .string, .required)
            .field("decision_reason", .string)
            .field("decided_by", .uuid)
            .field("decided_at", .datetime)
            .field("pass_fail_json", .string, .required)
            .field("statements_json", .string, .required)
            .field("costs_json", .string, .required)
            .field("discounts_json", .string, .required)
            .field("review_json", .string, .required)
            .unique(on: "application_id", "category_id")
            .create()
        try await db.schema(StatementScoreRecord.schema)
            .id()
            .field("application_category_id", .uuid, .required, .references(ApplicationCategoryRecord.schema, .id))
            .field("statement_key", .string, .required)
            .field("evaluator_id", .uuid, .required)
            .field("is_consensus", .bool, .required)
            .field("score", .int, .required)
            .field("comment", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "application_category_id", "statement_key", "evaluator_id", "is_consensus")
            .create()
        try await db.schema(ClarificationRecord.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationRecord.schema, .id))
            .field("question", .string, .required)
            .field("asked_by", .uuid, .required)
            .field("asked_at", .datetime, .required)
            .field("answer", .string)
            .field("answered_by", .uuid)
            .field("answered_at", .datetime)
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [
            ClarificationRecord.schema, StatementScoreRecord.schema, ApplicationCategoryRecord.schema,
            ApplicationRecord.schema,
        ] { try await db.schema(schema).delete() }
    }
}

struct M0005_Memberships: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(MembershipRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, .id))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("state", .string, .required)
            .field("qualification_score", .int, .required)
            .field("core_costs_json", .string, .required)
            .field("discounts_json", .string, .required)
            .field("admitted_at", .datetime, .required)
            .field("application_category_id", .uuid)
            .unique(on: "category_id", "establishment_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(MembershipRecord.schema).delete()
    }
}

/// Audit events refuse UPDATE and DELETE at the database, on both engines, so not even a bug in the
/// application (or a careless operator using the app's credentials) can rewrite history.
struct M0006_AuditOutbox: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AuditEventRecord.schema)
            .id()
            .field("seq", .int, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor_user_id", .uuid)
            .field("actor_label", .string, .required)
            .field("organisation_id", .uuid)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string, .required)
            .field("before_json", .string, .required)
            .field("after_json", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "seq")
            .create()
        try await db.schema(OutboxMessageRecord.schema)
            .id()
            .field("organisation_id", .uuid)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        switch sql.dialect.name {
        case "sqlite":
            for operation in ["UPDATE", "DELETE"] {
                try await sql.raw(
                    """
                    CREATE TRIGGER audit_events_no_\(unsafeRaw: operation.lowercased()) BEFORE \(unsafeRaw: operation) ON audit_events
                    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
                    """
                ).run()
            }
        default:
            try await sql.raw(
                """
                CREATE OR REPLACE FUNCTION dps_refuse_audit_change() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                FOR EACH ROW EXECUTE FUNCTION dps_refuse_audit_change()
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
                FOR EACH STATEMENT EXECUTE FUNCTION dps_refuse_audit_change()
                """
            ).run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema(OutboxMessageRecord.schema).delete()
        try await db.schema(AuditEventRecord.schema).delete()
    }
}

struct M0007_Registers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(RegisterEntryRecord.schema)
            .field("urn", .string, .identifier(auto: false))
            .field("source", .string, .required)
            .field("name", .string, .required)
            .field("entry_json", .string, .required)
            .create()
        try await db.schema(PostcodeCentroidRecord.schema)
            .field("code", .string, .identifier(auto: false))
            .field("precision", .string, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("la_gss_code", .string)
            .field("la_name", .string)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(PostcodeCentroidRecord.schema).delete()
        try await db.schema(RegisterEntryRecord.schema).delete()
    }
}

struct M0008_Referrals: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ReferralRecord.schema)
            .id()
            .field("dps_id", .uuid, .required, .references(DPSRecord.schema, .id))
            .field("category_id", .uuid, .required, .references(CategoryRecord.schema, .id))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, .id))
            .field("created_by", .uuid, .required)
            .field("kind", .string, .required)
            .field("round", .int, .required)
            .field("previous_id", .uuid)
            .field("state", .string, .required)
            .field("reference", .string, .required)
            .field("pattern", .string, .required)
            .field("weeks_per_year", .int, .required)
            .field("start_date", .string, .required)
            .field("duration_weeks", .int, .required)
            .field("children", .int, .required)
            .field("places", .int, .required)
            .field("void_terms", .string, .required)
            .field("child_age", .int)
            .field("child_gender", .string, .required)
            .field("home_postcode", .string, .required)
            .field("child_details", .string, .required)
            .field("home_district", .string, .required)
            .field("home_latitude", .double, .required)
            .field("home_longitude", .double, .required)
            .field("needs_json", .string, .required)
            .field("must_haves_json", .string, .required)
            .field("desirables_json", .string, .required)
            .field("outcomes_json", .string, .required)
            .field("weights_json", .string, .required)
            .field("radius_miles", .double, .required)
            .field("deadline", .datetime, .required)
            .field("parent_choice", .bool, .required)
            .field("published_at", .datetime)
            .field("closed_at", .datetime)
            .field("cancel_reason", .string)
            .field("justification", .string)
            .field("parent_token_hash", .string)
            .field("parent_deadline", .datetime)
            .field("parent_shortlist_json", .string)
            .field("parent_preference", .uuid)
            .field("parent_reason", .string)
            .field("evaluation_json", .string)
            .field("created_at", .datetime)
            .create()
        try await db.schema(InvitationRecord.schema)
            .id()
            .field("referral_id", .uuid, .required, .references(ReferralRecord.schema, .id))
            .field("membership_id", .uuid, .required)
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("organisation_id", .uuid, .required)
            .field("distance_miles", .double, .required)
            .field("qualification_score", .int, .required)
            .field("invited_at", .datetime, .required)
            .field("declined_reason", .string)
            .field("declined_note", .string)
            .field("declined_at", .datetime)
            .unique(on: "referral_id", "establishment_id")
            .create()
        try await db.schema(BidRecord.schema)
            .id()
            .field("referral_id", .uuid, .required, .references(ReferralRecord.schema, .id))
            .field("invitation_id", .uuid, .required, .references(InvitationRecord.schema, .id))
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("organisation_id", .uuid, .required)
            .field("state", .string, .required)
            .field("core_json", .string, .required)
            .field("variable_json", .string, .required)
            .field("discount_bp", .int, .required)
            .field("needs_met_json", .string, .required)
            .field("must_haves_met_json", .string, .required)
            .field("desirables_met_json", .string, .required)
            .field("outcomes_statement", .string, .required)
            .field("incentive", .string, .required)
            .field("carer_district", .string)
            .field("distance_miles", .double, .required)
            .field("weekly_cost_pence", .int, .required)
            .field("submitted_at", .datetime, .required)
            .unique(on: "referral_id", "establishment_id")
            .create()
        try await db.schema(BidScoreRecord.schema)
            .id()
            .field("bid_id", .uuid, .required, .references(BidRecord.schema, .id))
            .field("criterion", .string, .required)
            .field("scorer_id", .uuid, .required)
            .field("is_consensus", .bool, .required)
            .field("score", .int, .required)
            .field("comment", .string, .required)
            .unique(on: "bid_id", "criterion", "scorer_id", "is_consensus")
            .create()
        try await db.schema(PlacementRecord.schema)
            .id()
            .field("referral_id", .uuid, .required)
            .field("bid_id", .uuid)
            .field("establishment_id", .uuid, .required, .references(EstablishmentRecord.schema, .id))
            .field("provider_id", .uuid, .required)
            .field("authority_id", .uuid, .required)
            .field("contract_name", .string, .required)
            .field("start_date", .string, .required)
            .field("weekly_fee_pence", .int, .required)
            .field("core_json", .string, .required)
            .field("variable_json", .string, .required)
            .field("discount_bp", .int, .required)
            .field("outcomes_json", .string, .required)
            .field("review_dates_json", .string, .required)
            .field("direct", .bool, .required)
            .field("justification", .string)
            .field("authority_accepted_at", .datetime)
            .field("authority_accepted_by", .string)
            .field("provider_accepted_at", .datetime)
            .field("provider_accepted_by", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "referral_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [
            PlacementRecord.schema, BidScoreRecord.schema, BidRecord.schema, InvitationRecord.schema,
            ReferralRecord.schema,
        ] {
            try await db.schema(schema).delete()
        }
    }
}

/// Eligibility reads the establishments inside a latitude/longitude box; this index lets both engines
/// start from the box instead of walking every membership.
struct M0009_LocationIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "establishments_location").on(EstablishmentRecord.schema).column("latitude").column(
            "longitude"
        ).run()
        try await sql.create(index: "memberships_category_state").on(MembershipRecord.schema).column("category_id")
            .column("state").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "establishments_location").run()
        try await sql.drop(index: "memberships_category_state").run()
    }
}

struct M0010_SubmittedCriteria: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ApplicationCategoryRecord.schema).field("criteria_json", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(ApplicationCategoryRecord.schema).deleteField("criteria_json").update()
    }
}

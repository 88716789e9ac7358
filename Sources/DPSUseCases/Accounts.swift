import DPSDomain
import DPSPersistence
import FluentKit
import Foundation
import SQLKit

/// People managed in the product: an organisation's administrator (a provider administrator, a partner council's
/// administrator, or the lead authority's DPS administrator) invites colleagues, changes their name and role and
/// deactivates them; anyone resets a
/// forgotten password. Invitations and resets are links sent by e-mail (through the outbox) that work once and
/// expire: 7 days for an invitation, 1 hour for a reset. Only the SHA-256 of a link's token is stored.
package enum Accounts {
    package enum Purpose: String, Sendable {
        case invitation
        case passwordReset = "password_reset"

        var lifetime: TimeInterval { self == .invitation ? 7 * 86_400 : 3_600 }
    }

    package static let minimumPassword = 12

    /// The roles an administrator may give: a provider's to its bid writers and administrators; a partner
    /// council's to its officers, viewers and administrators; the lead authority's to its own staff. The first
    /// administrator of each organisation comes from `dps create-user` (or registration, for a provider).
    package static func assignableRoles(by actor: Actor) -> [Role] {
        switch (actor.organisationKind, actor.role) {
        case (.provider, .providerAdmin): [.providerAdmin, .bidWriter]
        case (.partnerAuthority, .councilAdmin): [.councilAdmin, .placementOfficer, .partnerViewer]
        case (.leadAuthority, .dpsAdmin): [.dpsAdmin, .evaluator, .contractManager, .panelMember, .auditor]
        default: []
        }
    }

    package struct Person: Sendable {
        package let id: UUID
        package let name: String
        package let email: String
        package let role: Role?
        package let active: Bool
        package let invited: Bool
    }

    /// The people of the actor's organisation (administrators only), active first, by name.
    package static func people(actor: Actor, db: any Database) async throws -> [Person] {
        guard !assignableRoles(by: actor).isEmpty else {
            throw UseCaseError(.forbidden, "Only your organisation's administrator manages its people.")
        }
        let users = try await User.query(on: db).filter(\.$organisation.$id == actor.organisationID).sort(\.$name)
            .range(..<500).all()
        let pending = Set(
            try await AccountTokenRecord.query(on: db).filter(\.$user.$id ~~ users.compactMap(\.id))
                .filter(\.$purpose == Purpose.invitation.rawValue).filter(\.$usedAt == nil).all(\.$user.$id))
        let people = users.map {
            Person(
                id: $0.id!, name: $0.name, email: $0.email, role: Role(rawValue: $0.role),
                active: $0.deactivatedAt == nil,
                invited: pending.contains($0.id!))
        }
        return people.filter(\.active) + people.filter { !$0.active }
    }

    package struct Invitation: Sendable {
        package var name: String?
        package var email: String?
        package var role: String?
        package init(name: String?, email: String?, role: String?) {
            self.name = name
            self.email = email
            self.role = role
        }
    }

    /// Invites a colleague: an account that cannot sign in until they choose a password from the e-mailed link.
    /// Returns the link's token (the page never shows it; tests read it).
    @discardableResult
    package static func invite(
        _ input: Invitation, actor: Actor, db: any Database, now: Date, placeholderHash: String
    ) async throws -> String {
        let allowed = assignableRoles(by: actor)
        guard !allowed.isEmpty else {
            throw UseCaseError(.forbidden, "Only your organisation's administrator invites people.")
        }
        var errors: [FieldError] = []
        let name = (input.name ?? "").trimmed
        if name.isEmpty || name.count > 120 {
            errors.append(FieldError(field: "name", message: "Enter their full name (at most 120 characters)"))
        }
        let email = (input.email ?? "").trimmed.lowercased()
        if !MailQueue.isAddress(email) {
            errors.append(FieldError(field: "email", message: "Enter an email address like name@example.org"))
        }
        let role = Role(rawValue: input.role ?? "").flatMap { allowed.contains($0) ? $0 : nil }
        if role == nil { errors.append(FieldError(field: "role", message: "Choose their role")) }
        guard errors.isEmpty, let role else { throw UseCaseError(errors) }
        let token = Tokens.random()
        try await db.writeTransaction { db in
            try await db.serialise(on: "email:\(email)")
            if try await User.query(on: db).filter(\.$email == email).count() > 0 {
                throw UseCaseError(
                    field: "email", "Someone with this email address already has an account", status: .conflict)
            }
            let user = User(
                organisationID: actor.organisationID, email: email, name: name, role: role.rawValue,
                passwordHash: placeholderHash)
            try await user.create(on: db)
            try await issue(.invitation, token: token, user: try user.requireID(), db: db, now: now)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: "user.invited", entityType: "user", entityID: user.id,
                before: String?.none, after: ["email": email, "role": role.rawValue], at: now)
            try await Outbox.send(
                on: db, organisationID: nil, recipient: email,
                subject: "\(actor.name) invited you to the Children's Placements DPS",
                body: "\(actor.name) of \(actor.organisationName) has given you an account as \(role.label). Choose "
                    + "your password within 7 days with the link below. It works once.",
                link: SiteURL.setPassword(token: token).path, at: now)
        }
        return token
    }

    /// Deactivates a colleague (never oneself): they cannot sign in, and their sessions and API tokens end at
    /// once, for good (both deleted). Reactivated, they sign in with their password again and make new tokens.
    package static func setActive(_ userID: UUID, active: Bool, actor: Actor, db: any Database, now: Date) async throws
    {
        guard !assignableRoles(by: actor).isEmpty else {
            throw UseCaseError(.forbidden, "Only your organisation's administrator manages its people.")
        }
        guard userID != actor.userID else {
            throw UseCaseError(.conflict, "You cannot deactivate your own account; ask another administrator.")
        }
        try await db.writeTransaction { db in
            guard let user = try await User.find(userID, on: db), user.$organisation.id == actor.organisationID else {
                throw UseCaseError(.notFound, "There is no such person in your organisation.")
            }
            let before = user.deactivatedAt == nil
            guard before != active else { return }
            user.deactivatedAt = active ? nil : now
            if !active {
                // Ended, not only refused while inactive: reactivated, the person signs in again.
                try await APIToken.query(on: db).filter(\.$user.$id == userID).delete()
                try await db.sql().delete(from: SessionTable.schema).where("user_id", .equal, SQLBind(userID)).run()
            }
            try await user.save(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: active ? "user.reactivated" : "user.deactivated",
                entityType: "user", entityID: userID, before: ["active": before], after: ["active": active], at: now)
        }
    }

    /// One colleague as the edit form shows them (the administrator's own organisation only).
    package static func person(_ userID: UUID, actor: Actor, db: any Database) async throws -> Person {
        guard !assignableRoles(by: actor).isEmpty else {
            throw UseCaseError(.forbidden, "Only your organisation's administrator manages its people.")
        }
        guard let person = try await people(actor: actor, db: db).first(where: { $0.id == userID }) else {
            throw UseCaseError(.notFound, "There is no such person in your organisation.")
        }
        return person
    }

    /// Changes a colleague's name and role (a role the administrator may give; never their own role, so an
    /// organisation is not left without an administrator by mistake). One write transaction reads and changes the
    /// row and audits it (two administrators editing at once: both are recorded, the later stands); the new role
    /// applies from their next request.
    package static func edit(
        _ userID: UUID, name rawName: String?, role rawRole: String?, actor: Actor, db: any Database, now: Date
    ) async throws {
        let allowed = assignableRoles(by: actor)
        guard !allowed.isEmpty else {
            throw UseCaseError(.forbidden, "Only your organisation's administrator manages its people.")
        }
        var errors: [FieldError] = []
        let name = (rawName ?? "").trimmed
        if name.isEmpty || name.count > 120 {
            errors.append(FieldError(field: "name", message: "Enter their full name (at most 120 characters)"))
        }
        let role = Role(rawValue: rawRole ?? "").flatMap { allowed.contains($0) ? $0 : nil }
        if role == nil { errors.append(FieldError(field: "role", message: "Choose their role")) }
        guard errors.isEmpty, let role else { throw UseCaseError(errors) }
        try await db.writeTransaction { db in
            guard let user = try await User.find(userID, on: db), user.$organisation.id == actor.organisationID else {
                throw UseCaseError(.notFound, "There is no such person in your organisation.")
            }
            guard Role(rawValue: user.role).map(allowed.contains) ?? false else {
                throw UseCaseError(.forbidden, "You cannot change the account of someone in that role.")
            }
            if userID == actor.userID && role != actor.role {
                throw UseCaseError(field: "role", "You cannot change your own role; ask another administrator")
            }
            let before = ["name": user.name, "role": user.role]
            guard before != ["name": name, "role": role.rawValue] else { return }
            user.name = name
            user.role = role.rawValue
            try await user.save(on: db)
            try await Audit.record(
                on: db, actor: actor, dps: nil, action: "user.updated", entityType: "user", entityID: userID,
                before: before, after: ["name": name, "role": role.rawValue], at: now)
        }
    }

    /// Starts a password reset: when the address belongs to an active account, a link good for an hour is sent
    /// to it (at most three a hour). The answer is the same whether or not the address has an account.
    package static func requestReset(email raw: String, db: any Database, now: Date) async throws {
        let email = raw.trimmed.lowercased()
        guard MailQueue.isAddress(email) else {
            throw UseCaseError(field: "email", "Enter your email address, like name@example.org")
        }
        try await db.writeTransaction { db in
            guard
                let user = try await User.query(on: db).filter(\.$email == email).filter(\.$deactivatedAt == nil)
                    .first()
            else { return }
            let userID = try user.requireID()
            let recent = try await AccountTokenRecord.query(on: db).filter(\.$user.$id == userID)
                .filter(\.$purpose == Purpose.passwordReset.rawValue).filter(\.$createdAt > now - 3600).count()
            guard recent < 3 else { return }
            let token = Tokens.random()
            try await issue(.passwordReset, token: token, user: userID, db: db, now: now)
            try await Outbox.send(
                on: db, organisationID: nil, recipient: email, subject: "Reset your password",
                body: "Someone asked to reset the password of your Children's Placements DPS account. If it was you, "
                    + "choose a new password with the link below within an hour; it works once. If it was not, "
                    + "ignore this message: your password stays as it is.",
                link: SiteURL.setPassword(token: token).path, at: now)
        }
    }

    /// Whether a link is good now (for its page), and for whom.
    package static func linkHolder(token: String, db: any Database, now: Date) async throws -> (
        name: String, email: String
    )? {
        guard token.count <= 100,
            let record = try await AccountTokenRecord.query(on: db).filter(\.$tokenHash == Tokens.hash(token))
                .filter(\.$usedAt == nil).filter(\.$expiresAt > now).with(\.$user).first(),
            record.user.deactivatedAt == nil
        else { return nil }
        return (record.user.name, record.user.email)
    }

    /// Sets the password from a link: the link is used up by one conditional UPDATE (two tabs at once set it once),
    /// every other open link of the person is cancelled, and their other sessions end.
    package static func setPassword(
        token: String, password: String, confirmation: String, hash: @Sendable (String) async throws -> String,
        db: any Database, now: Date
    ) async throws -> UUID {
        if password.count < minimumPassword || password.count > 200 {
            throw UseCaseError(field: "password", "Choose a password of \(minimumPassword) to 200 characters")
        }
        if password != confirmation {
            throw UseCaseError(field: "confirmation", "The two passwords are not the same")
        }
        let hashed = try await hash(password)
        let gone = "This link has expired or has been used. Ask for a new one"
        guard token.count <= 100,
            let record = try await AccountTokenRecord.query(on: db).filter(\.$tokenHash == Tokens.hash(token)).first()
        else { throw UseCaseError(.gone, gone) }
        let userID = record.$user.id
        try await db.writeTransaction { db in
            let sql = try db.sql()
            guard
                try await sql.update(AccountTokenRecord.schema).set(SQLIdentifier("used_at"), to: SQLBind(now))
                    .where(SQLIdentifier("id"), .equal, SQLBind(try record.requireID()))
                    .where(SQLIdentifier("used_at"), .is, SQLLiteral.null)
                    .where(SQLIdentifier("expires_at"), .greaterThan, SQLBind(now))
                    .returning("id").first() != nil,
                let user = try await User.find(userID, on: db), user.deactivatedAt == nil
            else { throw UseCaseError(.gone, gone) }
            user.passwordHash = hashed
            try await user.save(on: db)
            try await sql.update(AccountTokenRecord.schema).set(SQLIdentifier("used_at"), to: SQLBind(now))
                .where(SQLIdentifier("user_id"), .equal, SQLBind(userID))
                .where(SQLIdentifier("used_at"), .is, SQLLiteral.null).run()
            // Their other sessions end (the app's session table, keyed by the user id in its data).
            try await sql.raw(
                "DELETE FROM _fluent_sessions WHERE CAST(data AS TEXT) LIKE \(bind: "%\(userID.uuidString)%")"
            ).run()
            try await Audit.record(
                on: db, actor: nil, actorLabel: user.email, dps: nil,
                action: record.purpose == Purpose.invitation.rawValue
                    ? "user.accepted_invitation" : "user.password_reset",
                entityType: "user", entityID: userID, before: String?.none, after: String?.none, at: now)
        }
        return userID
    }

    static func issue(_ purpose: Purpose, token: String, user: UUID, db: any Database, now: Date) async throws {
        let record = AccountTokenRecord()
        record.$user.id = user
        record.purpose = purpose.rawValue
        record.tokenHash = Tokens.hash(token)
        record.expiresAt = now + purpose.lifetime
        record.createdAt = now
        try await record.create(on: db)
    }
}

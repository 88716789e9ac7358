import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension InvitationDetail {
    /// The page: pure, from the model, the request's context and the form being shown again.
    static func view(_ m: Model, context: PageContext, form: FormState = FormState()) -> Markup {
        let (inv, r, content, bid, open, approved) = (
            m.invitation, m.invitation.referral, m.content, m.bid, m.open, m.approved
        )
        let (lines, offered, variable, needsMet, mustMet, desMet) = (
            m.lines, m.offered, m.variable, m.needsMet, m.mustMet, m.desMet
        )
        let basis = m.awardBasis
        let (floor, fostering, evaluation, placement, canBid, id) = (
            m.floor, m.fostering, m.evaluation, m.placement, m.canBid, m.id
        )
        func v(_ key: String, _ stored: String) -> String { form.values.isEmpty ? stored : (form.values[key] ?? "") }
        /// The boxes ticked: as posted when the form is shown again, else as saved.
        func ticked(_ name: String, _ stored: Set<String>) -> Set<String> {
            form.values.isEmpty ? stored : Set(form.lists[name] ?? [])
        }
        return Layout.page(title: "Referral \(r.reference)", context: context) {
            UI.backLink(.invitations)
            UI.errorSummary(form.errors)
            UI.h1(r.reference, caption: "\(r.category.name): invitation for \(inv.establishment.name)")
            UI.summaryList([
                ("Respond by", text(DisplayDate.dateTime(r.deadline))),
                (
                    "Placement",
                    text(
                        "\(PlacementPattern(rawValue: r.pattern)?.label ?? r.pattern), "
                            + "from \(DisplayDate.date(r.startDate)) for about \(r.durationWeeks) weeks"
                    )
                ),
                (
                    "Children",
                    text(
                        r.kind == "block"
                            ? "A block of \(r.places) places. Void terms: \(r.voidTerms)"
                            : "\(r.children) child\(r.children == 1 ? "" : "ren"), "
                                + "\(r.childAge.map { "aged \($0)" } ?? ""), \(r.childGender)"
                    )
                ),
                (
                    "Home area",
                    text(
                        "\(r.homeDistrict), about \(Int(inv.distanceMiles.rounded())) miles "
                            + "from \(inv.establishment.name)"
                    )
                ),
                ("Needs", text(content.needs.map(\.text).joined(separator: "\n"))),
                ("Must-haves", text(content.mustHaves.joined(separator: "\n"))),
                (
                    "Desirable",
                    text(content.desirables.isEmpty ? "None" : content.desirables.map(\.text).joined(separator: "\n"))
                ),
                ("Outcomes sought", text(content.outcomes.joined(separator: "\n"))),
                (
                    "Scoring",
                    text(
                        ReferralCriterion.allCases.filter { (content.weights[$0.rawValue] ?? 0) > 0 }.map {
                            "\($0.label) \(content.weights[$0.rawValue] ?? 0)"
                        }.joined(separator: ", "))
                ),
            ])
            if let placement {
                UI.banner("Awarded to \(inv.establishment.name)") {
                    el("p", .class("govuk-body")) {
                        UI.link(
                            placement.providerAcceptedAt == nil
                                ? "Review and accept the placement agreement" : "View the placement agreement",
                            .placement(placement.id!))
                    }
                }
            }
            if let evaluation, let bid, r.state == ReferralState.awarded.rawValue {
                UI.h2("Your result")
                if let mine = evaluation.ranking.first(where: { $0.id == bid.id?.uuidString }),
                    let winner = evaluation.ranking.first
                {
                    let p = mine.points
                    UI.summaryList([
                        ("Rank", text("\(mine.rank) of \(evaluation.ranking.count)")),
                        (
                            "Your score",
                            text(
                                "\(mine.total) of 100: price \(p.price), core competency \(p.coreCompetency), "
                                    + "outcomes \(p.outcomes), needs \(p.needs), location \(p.location), "
                                    + "desirables \(p.desirables), incentives \(p.incentives)"
                            )
                        ),
                        ("Top score", text(winner.total.description)),
                        ("How the award was decided", text(basis ?? "")),
                    ])
                } else if let nc = evaluation.nonCompliant.first(where: { $0.id == bid.id?.uuidString }) {
                    UI.warning("Your bid was not ranked: \(nc.reasons.map { "\($0)" }.joined(separator: "; ")).")
                }
            }
            if inv.declinedAt != nil {
                UI.inset("You declined: \(Referrals.declineReasons.first { $0.0 == inv.declinedReason }?.1 ?? "")")
            }
            if let bid, bid.state == "submitted" {
                UI.inset(
                    "Your bid is submitted: \(formatPence(bid.weeklyCostPence)) a week, "
                        + "at \(DisplayDate.dateTime(bid.submittedAt)). "
                        + (open
                            ? "It is sealed: nobody else can read it before the deadline."
                            : r.closedAt != nil
                                ? "The deadline has passed and the council has opened the bids."
                                : "Bidding has ended.")
                )
            }
            if open && canBid {
                UI.h2(bid?.state == "submitted" ? "Revise your bid" : "Bid")
                UI.form(action: .invitation(id, .bid), csrf: context.csrf) {
                    el("h3", .class("govuk-heading-s")) { "Core costs (£ a week per child)" }
                    UI.p("From your approved schedule. You may lower a line, never raise it.")
                    for line in lines {
                        UI.textInput(
                            "core.\(line.key)",
                            label: "\(line.name) (approved \(formatPence(approved[line.key] ?? 0)))",
                            value: v("core.\(line.key)", Money.poundsInput(offered[line.key])), errors: form.errors,
                            width: "10")
                    }
                    el("h3", .class("govuk-heading-s")) { "Variable costs for this child (£ a week)" }
                    for i in 0..<3 {
                        el("div", .class("dps-grid")) {
                            UI.textInput(
                                "variable.\(i).description", label: "Item \(i + 1)",
                                value: v(
                                    "variable.\(i).description", i < variable.count ? variable[i].description : ""),
                                errors: form.errors)
                            UI.textInput(
                                "variable.\(i).amount", label: "Amount \(i + 1)",
                                value: v(
                                    "variable.\(i).amount",
                                    i < variable.count ? Money.poundsInput(variable[i].pence) : ""),
                                errors: form.errors,
                                width: "10")
                        }
                    }
                    if r.children > 1 || floor > 0 {
                        UI.textInput(
                            "discount", label: "Discount for \(r.children) children placed together (%)",
                            value: v(
                                "discount",
                                bid.map { String(Double($0.discountBasisPoints) / 100) }
                                    ?? String(Double(floor) / 100)),
                            hint: "At least your published \(Money.percent(floor))", errors: form.errors, width: "5")
                    } else {
                        void("input", [.type("hidden"), .name("discount"), .value("0")])
                    }
                    UI.checkboxes(
                        "need", legend: "Needs you will meet",
                        options: content.needs.map { .init(value: $0.id, label: $0.text) },
                        selected: ticked("need", needsMet),
                        errors: form.errors)
                    UI.checkboxes(
                        "must", legend: "Must-have features you provide",
                        options: content.mustHaves.indices.map {
                            .init(value: "m\($0 + 1)", label: content.mustHaves[$0])
                        }, selected: ticked("must", mustMet),
                        hint: "A bid missing any must-have is not compliant and is not ranked.",
                        errors: form.errors)
                    if !content.desirables.isEmpty {
                        UI.checkboxes(
                            "desirable", legend: "Desirable features you provide",
                            options: content.desirables.map { .init(value: $0.id, label: $0.text) },
                            selected: ticked("desirable", desMet),
                            errors: form.errors)
                    }
                    UI.textarea(
                        "outcomesStatement", label: "Outcomes statement",
                        value: v("outcomesStatement", bid?.outcomesStatement ?? ""),
                        hint: "How you will achieve the outcomes sought. Officers score this 0 to 5.",
                        errors: form.errors,
                        rows: 6)
                    UI.textarea(
                        "incentive", label: "Incentive offer (optional)", value: v("incentive", bid?.incentive ?? ""),
                        errors: form.errors, rows: 2)
                    if fostering {
                        UI.textInput(
                            "carerDistrict", label: "Postcode district of the proposed carer",
                            value: v("carerDistrict", bid?.carerDistrict ?? ""),
                            hint: "For example BN3. Used for the distance score.", errors: form.errors, width: "5")
                    }
                    if form.errors.contains(where: { $0.field == "confirm" }) {
                        UI.checkboxes(
                            "confirm", legend: "Save a bid that will not be ranked",
                            options: [.init(value: "yes", label: "Save this bid although it misses a must-have")],
                            selected: [], errors: form.errors)
                    }
                    UI.button(bid?.state == "submitted" ? "Revise bid" : "Submit bid")
                }
                if bid?.state == "submitted" {
                    UI.form(action: .invitation(id, .withdraw), csrf: context.csrf) {
                        UI.button("Withdraw bid", kind: "warning")
                    }
                } else if inv.declinedAt == nil {
                    UI.details("Decline this referral", errors: form.errors) {
                        UI.form(action: .invitation(id, .decline), csrf: context.csrf) {
                            UI.radios(
                                "reason", legend: "Why are you declining?",
                                options: Referrals.declineReasons.map { .init(value: $0.0, label: $0.1) },
                                selected: form.values["reason"], errors: form.errors)
                            UI.textInput(
                                "note", label: "More detail (needed for another reason)", value: form.values["note"],
                                errors: form.errors)
                            UI.button("Decline", kind: "secondary")
                        }
                    }
                }
            } else if r.state == ReferralState.published.rawValue {
                UI.inset("The deadline has passed. Bids are closed.")
            }
        }
    }
}

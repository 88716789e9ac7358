import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension ReferralDetail {
    /// The page: pure, from the model, the request's context and the form being shown again.
    static func view(_ model: Model, context: PageContext, form: FormState = FormState()) -> Markup {
        let (r, content, state, officer, evaluation) = (
            model.referral, model.content, model.state, model.officer, model.evaluation
        )
        return Layout.page(title: "Referral \(r.reference)", context: context) {
            UI.backLink(.referrals)
            UI.errorSummary(form.errors)
            UI.h1(r.reference, caption: r.category.name)
            if let parentLink = form.parentLink {
                UI.banner("Send this private link to the parent or carer", success: false) {
                    UI.p(
                        "It is shown only now. It opens a page comparing the shortlisted settings, without any account."
                    )
                    el("p", .class("govuk-body")) { el("code") { parentLink } }
                }
            }
            UI.summaryList([
                ("Status", ReferralPages.stateTag(r.state)),
                (
                    "Pattern",
                    text(
                        "\(PlacementPattern(rawValue: r.pattern)?.label ?? r.pattern), "
                            + "from \(DisplayDate.date(r.startDate)) for \(r.durationWeeks) weeks"
                    )
                ),
                (
                    "Children",
                    text(
                        r.kind == "block"
                            ? "Block of \(r.places) places. Void terms: \(r.voidTerms)"
                            : "\(r.children) (\(r.childAge.map { "\($0) years old" } ?? ""), \(r.childGender))")
                ),
                ("Home", text("\(r.homePostcode) (providers see \(r.homeDistrict) only)")),
                (
                    "Needs",
                    text(
                        content.needs.map { "\($0.text) (\($0.marks) mark\($0.marks == 1 ? "" : "s"))" }.joined(
                            separator: "\n"))
                ),
                ("Must-haves", text(content.mustHaves.joined(separator: "\n"))),
                ("Outcomes", text(content.outcomes.joined(separator: "\n"))),
                (
                    "Weights",
                    text(
                        ReferralCriterion.allCases.map { "\($0.label) \(content.weights[$0.rawValue] ?? 0)" }.joined(
                            separator: ", "))
                ),
                ("Reach", text("\(Int(r.radiusMiles)) miles; deadline \(DisplayDate.dateTime(r.deadline))")),
                ("Parent choice", text(r.parentChoice ? "Applies" : "Does not apply")),
            ])
            if r.kind == "direct" {
                UI.warning("Direct placement made without competition. Justification: \(r.justification ?? "")")
            }
            switch state {
            case .draft:
                if let preview = model.preview {
                    UI.h2("Who it will reach")
                    UI.p(
                        "\(preview.eligible) establishment\(preview.eligible == 1 ? "" : "s") "
                            + "with an active membership \(preview.eligible == 1 ? "is" : "are") "
                            + "within \(Int(r.radiusMiles)) miles. "
                            + "This category needs at least \(preview.minimum)."
                    )
                    if let proposal = preview.proposedRadius, officer {
                        UI.warning(
                            "Too few establishments are in reach. "
                                + "Widening the limit to \(Int(proposal)) miles reaches \(preview.minimum)."
                        )
                        UI.form(action: .referral(r.id!, .radius), csrf: context.csrf) {
                            void("input", [.type("hidden"), .name("radiusMiles"), .value(String(Int(proposal)))])
                            UI.button("Use \(Int(proposal)) miles", kind: "secondary")
                        }
                    }
                }
                if officer {
                    UI.form(action: .referral(r.id!, .publish), csrf: context.csrf) {
                        UI.p(
                            "Publishing invites every one of them at the same moment. "
                                + "You cannot remove a provider from the list."
                        )
                        UI.button("Publish and invite providers")
                    }
                }
            case .published:
                UI.h2("Open for bids")
                UI.p(
                    "\(model.invited) establishments invited; "
                        + "\(model.declined.count) declined; "
                        + "\(model.bidCount) bid\(model.bidCount == 1 ? "" : "s") received. "
                        + "Bids stay sealed until the deadline."
                )
                if officer {
                    el("div", .class("dps-grid")) {
                        el("div", .class("dps-card")) {
                            UI.form(action: .referral(r.id!, .extend), csrf: context.csrf) {
                                UI.dateInput(
                                    "deadline", legend: "Extend the deadline for everyone to", values: form.values,
                                    hint: "Date and time (24-hour clock), for example "
                                        + DisplayDate.dayMonthYearTime(r.deadline.addingTimeInterval(86400)),
                                    errors: form.errors, time: true)
                                UI.button("Extend deadline", kind: "secondary")
                            }
                        }
                        el("div", .class("dps-card")) {
                            UI.form(action: .referral(r.id!, .close), csrf: context.csrf) {
                                UI.p(
                                    "The referral closes automatically at the deadline. "
                                        + "You can also close it yourself once the deadline has passed."
                                )
                                UI.button("Close and open the bids", kind: "secondary")
                            }
                        }
                    }
                }
            case .closed, .awaitingParent, .awarded:
                if let evaluation {
                    evaluationSection(model, evaluation, context: context, form: form)
                }
                if state == .awaitingParent {
                    UI.inset(
                        r.parentPreference == nil
                            ? "Waiting for the parent's preference until "
                                + "\(r.parentDeadline.map(DisplayDate.dateTime) ?? ""). "
                                + "If none arrives, award to the top bid."
                            : "The parent or carer prefers "
                                + (r.parentPreference.flatMap { evaluation?.bids[$0]?.establishmentName }
                                    ?? "a setting")
                                + "\(r.parentReason.map { $0.isEmpty ? "" : " (\"\($0)\")" } ?? ""). Award to it."
                    )
                }
                if state == .awarded, let evaluation,
                    let winner = model.placementBidID.flatMap({ evaluation.bids[$0] }),
                    let ranked = evaluation.result.ranking.first(where: { $0.id == winner.id.uuidString })
                {
                    UI.inset(
                        "Awarded to \(winner.establishmentName) (rank \(ranked.rank) of "
                            + "\(evaluation.result.ranking.count), \(ranked.total) of 100). "
                            + Referrals.awardBasis(
                                parentDecided: Referrals.parentDecided(r, evaluation.result),
                                shortlist: evaluation.result.shortlist.count, bandPoints: r.dps.parentChoiceBandPoints))
                }
                if let placement = model.placementID {
                    el("p") { UI.link("View the placement agreement", .placement(placement)) }
                }
                if officer && state != .awarded {
                    if state == .closed && r.parentChoice && (evaluation?.result.shortlist.count ?? 0) >= 2 {
                        el("div", .class("dps-card")) {
                            UI.form(action: .referral(r.id!, .parent), csrf: context.csrf) {
                                UI.p(
                                    "\(evaluation?.result.shortlist.count ?? 0) bids are within "
                                        + "\(r.dps.parentChoiceBandPoints) points of the top: "
                                        + "the parent or carer chooses."
                                )
                                UI.dateInput(
                                    "replyBy", legend: "Reply by",
                                    values: form.values.isEmpty
                                        ? ["replyBy": DisplayDate.isoMinute(model.now.addingTimeInterval(3 * 86400))]
                                        : form.values,
                                    hint: "Date and time (24-hour clock)", errors: form.errors, time: true)
                                UI.textInput(
                                    "parentEmail", label: "Parent's email address (optional)",
                                    value: form.values["parentEmail"],
                                    hint: "We send the private link there. Leave it empty to give the link yourself.",
                                    errors: form.errors, type: "email", autocomplete: "off")
                                UI.button("Create the parent's private link", kind: "secondary")
                            }
                        }
                    }
                    UI.form(action: .referral(r.id!, .award), csrf: context.csrf) {
                        UI.button(
                            r.parentPreference != nil ? "Award to the parent's preference" : "Award to the top bid")
                    }
                    if state == .closed {
                        UI.details("Re-issue with a wider radius (no bids or too few)", errors: form.errors) {
                            UI.form(action: .referral(r.id!, .reissue), csrf: context.csrf) {
                                UI.textInput(
                                    "radiusMiles", label: "New distance limit in miles",
                                    value: form.values["radiusMiles"],
                                    errors: form.errors, width: "5")
                                UI.dateInput(
                                    "deadline", legend: "New deadline", values: form.values,
                                    hint: "Date and time (24-hour clock), for example "
                                        + DisplayDate.dayMonthYearTime(model.now.addingTimeInterval(3 * 86400)),
                                    errors: form.errors, time: true)
                                UI.button("Re-issue as a new round", kind: "secondary")
                            }
                        }
                    }
                }
            case .cancelled:
                UI.inset("Cancelled: \(r.cancelReason ?? "")")
            case .reissued:
                UI.inset("Re-issued as a new round with a wider radius.")
            }
            if officer && [.draft, .published, .closed, .awaitingParent].contains(state) {
                UI.details("Cancel this referral", errors: form.errors) {
                    UI.form(action: .referral(r.id!, .cancel), csrf: context.csrf) {
                        UI.textarea(
                            "reason", label: "Reason (sent to invited providers)", value: form.values["reason"],
                            errors: form.errors, rows: 2)
                        UI.button("Cancel referral", kind: "warning")
                    }
                }
            }
            if model.invited > 0 && state != .published {
                if !model.declined.isEmpty {
                    UI.table(
                        caption: "Declined", headers: ["Establishment", "Reason"],
                        rows: model.declined.map { i in
                            [
                                text(i.establishment),
                                text(
                                    (Referrals.declineReasons.first { $0.0 == i.reason }?.1 ?? "")
                                        + (i.note.isEmpty ? "" : ": \(i.note)")),
                            ]
                        })
                }
            }
        }
    }

    private static func evaluationSection(
        _ model: Model, _ evaluation: Referrals.Evaluation, context: PageContext, form: FormState
    ) -> Markup {
        let (r, content) = (model.referral, model.content)
        let officer = model.officer && model.state != .awarded
        let scoresIncentives = (content.weights["incentives"] ?? 0) > 0
        return MarkupBuilder.buildBlock(
            UI.h2("Bids and scores"),
            evaluation.bids.isEmpty ? UI.p("No bids arrived. Re-issue the referral with a wider radius.") : .empty,
            !evaluation.unscored.isEmpty
                ? UI.warning(
                    "Score the outcomes statement of every bid (0 to 5); "
                        + "the ranking is final once each has a consensus score."
                ) : .empty,
            UI.table(
                caption: "Ranking",
                headers: [
                    "Rank", "Establishment", "Annual cost", "Price", "Core", "Outcomes", "Needs", "Location",
                    "Desirables", "Incentives", "Total",
                ],
                rows: evaluation.result.ranking.map { ranked in
                    let b = evaluation.bids[UUID(uuidString: ranked.id)!]
                    let p = ranked.points
                    return [
                        text(
                            String(ranked.rank)
                                + (evaluation.result.shortlist.contains(ranked.id) ? " (shortlist)" : "")),
                        text(b?.establishmentName ?? ""),
                        text(formatPence(ranked.annualCostPence)), text(p.price.description),
                        text(p.coreCompetency.description), text(p.outcomes.description),
                        text(p.needs.description), text(p.location.description), text(p.desirables.description),
                        text(p.incentives.description), el("strong") { ranked.total.description },
                    ]
                }),
            evaluation.result.nonCompliant.isEmpty
                ? .empty
                : UI.table(
                    caption: "Not compliant", headers: ["Establishment", "Reasons"],
                    rows: evaluation.result.nonCompliant.map { nc in
                        [
                            text(evaluation.bids[UUID(uuidString: nc.id)!]?.establishmentName ?? ""),
                            text(nc.reasons.map { "\($0)" }.joined(separator: "; ")),
                        ]
                    }),
            MarkupBuilder.buildArray(
                evaluation.bids.values.sorted { $0.establishmentName < $1.establishmentName }.map { b in
                    let consensus = evaluation.consensus[b.id]?["outcomes"]
                    return el("div", .class("dps-card")) {
                        el("h3", .class("govuk-heading-s")) { "\(b.establishmentName): outcomes statement" }
                        el("p", .class("govuk-body dps-preline")) { b.outcomesStatement }
                        if !b.incentive.isEmpty {
                            el("p", .class("govuk-body")) {
                                el("strong") { "Incentive offered: " }
                                b.incentive
                            }
                        }
                        UI.p(
                            "Weekly cost \(formatPence(b.weeklyCostPence)); "
                                + "\(String(format: "%.1f", b.distanceMiles)) miles from home"
                                + "\(b.carerDistrict.map { " (carer in \($0))" } ?? "")."
                        )
                        if let benchmark = model.benchmark {
                            el("p", .class("govuk-body-s")) {
                                "Against the market: \(benchmark.position(of: b.weeklyCostPence)) of this category's "
                                    + "weekly fees in the year to the deadline (lower quartile "
                                    + "\(formatPence(benchmark.lowerPence)), "
                                    + "median \(formatPence(benchmark.medianPence)), "
                                    + "upper quartile \(formatPence(benchmark.upperPence)); "
                                    + "\(benchmark.placements) placements)."
                            }
                        }
                        if let consensus { UI.inset("Consensus: \(consensus.score) of 5. \(consensus.comment)") }
                        if officer {
                            UI.form(action: .bidScore(referral: r.id!, bid: b.id), csrf: context.csrf) {
                                UI.radios(
                                    "score", legend: "Outcomes score",
                                    options: (0...5).map { UI.Option(value: String($0), label: String($0)) },
                                    selected: consensus.map { String($0.score) }, errors: form.errors, inline: true
                                )
                                .replacingIDs("score", "score.\(b.id)")
                                UI.textInput(
                                    "comment", label: "Comment", value: consensus?.comment, errors: form.errors
                                )
                                .replacingIDs("comment", "comment.\(b.id)")
                                if scoresIncentives {
                                    UI.radios(
                                        "criterion", legend: "Criterion",
                                        options: [
                                            .init(value: "outcomes", label: "Outcomes statement"),
                                            .init(value: "incentives", label: "Incentive"),
                                        ], selected: "outcomes", errors: form.errors, inline: true)
                                } else {
                                    void("input", [.type("hidden"), .name("criterion"), .value("outcomes")])
                                }
                                UI.checkboxes(
                                    "consensus", legend: "Moderation",
                                    options: [.init(value: "yes", label: "This is the moderated consensus score")],
                                    selected: ["yes"], errors: form.errors
                                )
                                .replacingIDs("consensus", "consensus.\(b.id)")
                                UI.button("Save score", kind: "secondary")
                            }
                        }
                    }
                })
        )
    }
}

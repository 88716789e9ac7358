import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension PlacementAgreement {
    /// The placement after award: how it ended, its outcome reviews with each outcome's history of ratings, its
    /// changes, and the parties' forms to propose or answer a change and to record its end.
    static func life(_ m: Model, context: PageContext) -> Markup {
        let p = m.placement
        let id = p.id ?? .any
        let active = p.status == PlacementStatus.active.rawValue
        return MarkupBuilder.buildBlock(
            ending(p),
            reviewsSection(m, id: id, csrf: context.csrf),
            changesSection(m, id: id, active: active, csrf: context.csrf),
            active && m.side != nil ? endForm(m, id: id, csrf: context.csrf) : .empty)
    }

    private static func ending(_ p: PlacementRecord) -> Markup {
        guard p.status == PlacementStatus.ended.rawValue else { return .empty }
        let reason = p.endingReason.flatMap(PlacementEnding.init(rawValue:))
        let kind = reason.map { $0.kind == .planned ? "Planned ending" : "Unplanned ending" } ?? "Ended"
        return el("div", .class("govuk-inset-text")) {
            el("p", .class("govuk-body")) {
                el("strong") { "\(kind): \(reason?.label ?? "")" }
                " on \(DisplayDate.date(p.actualEndDate)), recorded by \(p.endedBy ?? "")."
            }
            if let note = p.endingNote, !note.isEmpty { el("p", .class("govuk-body")) { note } }
        }
    }

    private static func reviewsSection(_ m: Model, id: UUID, csrf: String) -> Markup {
        MarkupBuilder.buildBlock(
            UI.h2("Outcome reviews"),
            m.reviews.isEmpty
                ? UI.p(
                    m.placement.status == PlacementStatus.ended.rawValue
                        ? "No review fell due before the placement ended."
                        : "No review is open yet. Each review opens two weeks before its date"
                            + (m.reviewDates.first.map { " (the first: \(DisplayDate.date($0)))" } ?? "") + ".")
                : UI.table(
                    caption: "Reviews, oldest first", headers: ["Review", "Due", "Status", ""],
                    rows: m.reviews.map { r in
                        [
                            text("Review \(r.sequence)"), text(r.due.longForm), reviewStatus(r),
                            reviewAction(m, r, id: id),
                        ]
                    }),
            history(m, id: id),
            answerForms(m, id: id, csrf: csrf))
    }

    private static func reviewStatus(_ r: Placements.Review) -> Markup {
        let today = LocalDate.from(Date())
        if OutcomeReviewSchedule.isOverdue(due: r.due, state: r.state, today: today) {
            return UI.tag("Overdue: " + r.state.label.lowercased(), colour: "red")
        }
        if r.state == .completed {
            return UI.tag(r.authorityAgreed == true ? "Completed: agreed" : "Completed: views added", colour: "green")
        }
        return UI.tag(r.state.label, colour: r.state == .due ? "yellow" : "blue")
    }

    private static func reviewAction(_ m: Model, _ r: Placements.Review, id: UUID) -> Markup {
        if m.side == .authority && r.state == .recorded {
            return UI.link("Answer it", href: "#answer-review-\(r.sequence)")
        }
        guard m.side == .provider, r.state != .completed else { return text("") }
        return UI.link(
            r.state == .due ? "Record progress" : "Change what you recorded", .placementReview(id, review: r.id))
    }

    /// Each agreed outcome's ratings, review by review: the history the business case asks for.
    private static func history(_ m: Model, id: UUID) -> Markup {
        let recorded = m.reviews.filter { !$0.ratings.isEmpty }
        guard !recorded.isEmpty else { return .empty }
        return MarkupBuilder.buildBlock(
            el("h3", .class("govuk-heading-s")) { "Progress on each outcome" },
            UI.table(
                caption: "Provider's rating (and the placing authority's, where it differs) at each review",
                headers: ["Outcome"] + recorded.map { "Review \($0.sequence)" },
                rows: m.outcomes.enumerated().map { index, outcome in
                    [text(outcome)]
                        + recorded.map { r in
                            guard let rating = r.ratings.first(where: { $0.outcomeIndex == index }) else {
                                return text("")
                            }
                            return el("div") {
                                el("p", .class("govuk-body-s")) {
                                    el("strong") { rating.rating.label }
                                    if let theirs = rating.authorityRating, theirs != rating.rating {
                                        " (placing authority: \(theirs.label))"
                                    }
                                }
                                el("p", .class("govuk-body-s")) { rating.comment }
                                if let file = rating.filename {
                                    UI.link(
                                        "Evidence: \(file)",
                                        .placementReviewFile(id, review: r.id, outcome: index))
                                }
                            }
                        }
                }),
            views(recorded))
    }

    /// What the placing authority said where it did not simply agree, review by review.
    private static func views(_ reviews: [Placements.Review]) -> Markup {
        let answered = reviews.filter { $0.authorityAgreed == false }
        guard !answered.isEmpty else { return .empty }
        return MarkupBuilder.buildBlock(
            el("h3", .class("govuk-heading-s")) { "The placing authority's view" },
            UI.summaryList(
                answered.map { r in
                    (
                        "Review \(r.sequence)",
                        el("div") {
                            el("p", .class("govuk-body")) { r.authorityView ?? "" }
                            if let by = r.respondedBy { el("p", .class("govuk-body-s")) { by } }
                        }
                    )
                }))
    }

    /// The placing authority's answer to each review the provider has recorded.
    private static func answerForms(_ m: Model, id: UUID, csrf: String) -> Markup {
        guard m.side == .authority else { return .empty }
        let waiting = m.reviews.filter { $0.state == .recorded }
        return MarkupBuilder.buildArray(
            waiting.map { r in
                el("div", .class("dps-card"), .id("answer-review-\(r.sequence)")) {
                    el("h3", .class("govuk-heading-s")) { "Answer review \(r.sequence)" }
                    UI.form(action: .placementReviewAnswer(id, review: r.id), csrf: csrf) {
                        UI.radios(
                            "agree", legend: "Do you agree with the progress the provider recorded?",
                            options: [
                                .init(value: "yes", label: "Yes, we agree"),
                                .init(value: "no", label: "No, we add our view"),
                            ], selected: m.values["agree"], errors: m.errors, inline: true)
                        UI.textarea(
                            "view", label: "Your view", value: m.values["view"],
                            hint: "Needed when you do not agree.", errors: m.errors, rows: 4)
                        for (index, outcome) in m.outcomes.enumerated() {
                            let theirs = r.ratings.first { $0.outcomeIndex == index }?.rating.label ?? "not rated"
                            UI.select(
                                "authorityRating\(index)",
                                label: "Your rating of outcome \(index + 1): \(outcome) (the provider's: \(theirs))",
                                options: [.init(value: "", label: "As the provider rated it")]
                                    + OutcomeProgress.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                                selected: m.values["authorityRating\(index)"] ?? "", errors: m.errors)
                        }
                        UI.button("Send your answer")
                    }
                }
            })
    }

    private static func changesSection(_ m: Model, id: UUID, active: Bool, csrf: String) -> Markup {
        let open = m.changes.first { $0.state == .proposed }
        return MarkupBuilder.buildBlock(
            UI.h2("Changes to the agreement"),
            m.changes.isEmpty
                ? UI.p("No changes have been proposed.")
                : UI.table(
                    caption: "Newest first", headers: ["Change", "From", "Before", "After", "Status"],
                    rows: m.changes.map { c in
                        [
                            el("div") {
                                el("p", .class("govuk-body-s")) { c.kind.label }
                                el("p", .class("govuk-body-s")) { c.reason }
                                el("p", .class("govuk-body-s")) { "Proposed by \(c.proposedBy)" }
                            },
                            text(c.effective.longForm), terms(c.before), terms(c.after),
                            el("div") {
                                UI.tag(c.state.rawValue.capitalized, colour: c.state == .accepted ? "green" : nil)
                                if let by = c.decidedBy { el("p", .class("govuk-body-s")) { by } }
                                if let note = c.decisionNote { el("p", .class("govuk-body-s")) { note } }
                            },
                        ]
                    }),
            decideForm(m, open, id: id, csrf: csrf),
            active && m.side != nil && open == nil ? proposeForm(m, id: id, csrf: csrf) : .empty)
    }

    private static func terms(_ t: Placements.ChangeTerms) -> Markup {
        if let lines = t.lines {
            return el("ul", .class("govuk-list govuk-body-s")) {
                for line in lines { el("li") { "\(line.name): \(formatPence(line.pence))" } }
                if let weekly = t.weeklyPence { el("li") { el("strong") { "\(formatPence(weekly)) a week" } } }
            }
        }
        if let end = t.expectedEnd { return text(end.isEmpty ? "Not set" : DisplayDate.date(end)) }
        if let pattern = t.pattern { return text(PlacementPattern(rawValue: pattern)?.label ?? "Not set") }
        return text("")
    }

    private static func decideForm(_ m: Model, _ open: Placements.Change?, id: UUID, csrf: String) -> Markup {
        guard let open, let side = m.side else { return .empty }
        let proposedByUs =
            (side == .provider) == (open.proposedByOrganisation == m.placement.providerID)
        guard !proposedByUs else { return UI.inset("Your proposed change waits for the other party's answer.") }
        return UI.form(action: .placementChange(id, change: open.id), csrf: csrf) {
            el("h3", .class("govuk-heading-s")) { "Answer the proposed \(open.kind.label.lowercased())" }
            UI.radios(
                "decision", legend: "Your answer",
                options: [.init(value: "accept", label: "Accept"), .init(value: "reject", label: "Reject")],
                selected: m.values["decision"], errors: m.errors, inline: true)
            UI.textarea(
                "decisionNote", label: "Note", value: m.values["decisionNote"], hint: "Needed when you reject.",
                errors: m.errors,
                rows: 3)
            UI.button("Send your answer")
        }
    }

    private static func proposeForm(_ m: Model, id: UUID, csrf: String) -> Markup {
        let lines = m.feeLines
        return UI.details("Propose a change", errors: m.errors) {
            UI.form(action: .placementChanges(id), csrf: csrf) {
                UI.radios(
                    "kind", legend: "What changes",
                    options: PlacementChangeKind.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                    selected: m.values["kind"] ?? "fee", errors: m.errors)
                el("fieldset", .class("govuk-fieldset")) {
                    el("legend", .class("govuk-fieldset__legend govuk-fieldset__legend--s")) {
                        "For a fee variation: the weekly lines (per child), as they will be"
                    }
                    for index in 0..<(lines.count + 2) {
                        let line = index < lines.count ? lines[index] : nil
                        void("input", [.type("hidden"), .name("lineKey\(index)"), .value(line?.key ?? "")])
                        UI.textInput(
                            "lineName\(index)", label: "Line \(index + 1)",
                            value: m.values["lineName\(index)"] ?? line?.name,
                            hint: line == nil ? "A new line, if any" : nil, errors: m.errors, width: "20")
                        UI.textInput(
                            "linePounds\(index)", label: "Line \(index + 1) a week, in pounds",
                            value: m.values["linePounds\(index)"]
                                ?? line.map { String(format: "%.2f", Double($0.pence) / 100) },
                            errors: m.errors, width: "10")
                    }
                }
                UI.dateInput(
                    "expectedEnd", legend: "For a change of end: the new expected end", values: m.values,
                    errors: m.errors)
                UI.select(
                    "pattern", label: "For a change of pattern: the new pattern",
                    options: [.init(value: "", label: "Choose")]
                        + PlacementPattern.allCases.map { .init(value: $0.rawValue, label: $0.label) },
                    selected: m.values["pattern"] ?? "", errors: m.errors)
                UI.dateInput(
                    "effective", legend: "The change takes effect from", values: m.values, errors: m.errors)
                UI.textarea(
                    "changeReason", label: "Reason for the change", value: m.values["changeReason"], errors: m.errors,
                    rows: 3)
                UI.button("Propose the change", kind: "secondary")
            }
        }
    }

    private static func endForm(_ m: Model, id: UUID, csrf: String) -> Markup {
        UI.details("Record the end of this placement", errors: m.errors) {
            UI.form(action: .placementEnd(id), csrf: csrf) {
                UI.radios(
                    "endReason", legend: "How did it end?",
                    options: PlacementEnding.allCases.map {
                        .init(
                            value: $0.rawValue, label: $0.label,
                            hint: $0.kind == .planned ? "Planned" : "Unplanned: the contract managers are told")
                    }, selected: m.values["endReason"], errors: m.errors)
                UI.dateInput("endedOn", legend: "Date it ended", values: m.values, errors: m.errors)
                UI.textarea(
                    "endNote", label: "What happened", value: m.values["endNote"],
                    hint: "Needed for an unplanned ending. Do not write the child's name.", errors: m.errors, rows: 4)
                UI.button("Record the end", kind: "warning")
            }
        }
    }
}

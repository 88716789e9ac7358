import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension AssessmentDetail {
    /// The page: pure, from the model, the request's context and the form being shown again.
    static func view(_ m: Model, context: PageContext, form: FormState = FormState()) -> Markup {
        let (id, app, e, parts, evidence, scores) = (m.id, m.app, m.app.establishment, m.parts, m.evidence, m.scores)
        let (users, clarifications, open, status, judgement) = (
            m.users, m.clarifications, m.open, m.status, m.judgement
        )
        let (isPanel, canDecide, criteria, answersByPart, reviewsByPart) = (
            m.isPanel, m.canDecide, m.criteria, m.answersByPart, m.reviewsByPart
        )
        return Layout.page(title: "Assess: \(e.name)", context: context) {
            UI.backLink(.assessmentQueue)
            UI.errorSummary(form.errors)
            UI.h1(e.name, caption: "Application from \(app.organisation.name)")
            UI.summaryList([
                ("Status", ProviderPages.stateTag(app.state)),
                (
                    "Decide by",
                    MarkupBuilder.buildBlock(
                        text(
                            DisplayDate.date(app.deadline)
                                + (app.extended ? " (extended: \(app.extensionReason ?? ""))" : "") + " "),
                        AssessmentPages.statusTag(status))
                ),
                (
                    "Establishment",
                    text(
                        "\(EstablishmentType(rawValue: e.type)?.label ?? e.type), URN \(e.urn ?? "none"), "
                            + "\(e.postcode)\(e.locationApproximate ? " (approximate)" : ""), "
                            + "ages \(e.ageLow) to \(e.ageHigh), \(e.capacity) places"
                    )
                ),
                (
                    "Inspection",
                    MarkupBuilder.buildBlock(
                        text(
                            "\(e.judgement) (\(Inspectorate(rawValue: e.inspectorate)?.displayName ?? e.inspectorate)"
                                + "\(e.judgementDate.map { ", \(DisplayDate.date($0))" } ?? "")) "
                        ),
                        {
                            switch judgement {
                            case .meetsThreshold: return UI.tag("Meets the threshold")
                            case .belowThreshold: return UI.tag("Below the threshold", colour: "red")
                            case .referToEvaluator(let reason):
                                return UI.tag("Evaluator to judge: \(reason)", colour: "yellow")
                            }
                        }())
                ),
            ])
            if !clarifications.isEmpty {
                UI.h2("Clarifications")
                UI.table(
                    headers: ["Question", "Answer"],
                    rows: clarifications.map { [text($0.question), text($0.answer ?? "Awaiting answer")] })
            }
            if open && canDecide {
                el("div", .class("dps-grid")) {
                    el("div", .class("dps-card")) {
                        UI.form(action: .assessment(id, .clarify), csrf: context.csrf) {
                            UI.textarea(
                                "question", label: "Ask the provider a clarification question",
                                value: form.values["question"], errors: form.errors, rows: 3)
                            UI.button("Send question", kind: "secondary")
                        }
                    }
                    if !app.extended {
                        el("div", .class("dps-card")) {
                            UI.form(action: .assessment(id, .extend), csrf: context.csrf) {
                                UI.textarea(
                                    "reason", label: "Extend the deadline to 15 working days",
                                    value: form.values["reason"],
                                    hint: "Give the reason; it is recorded and sent to the provider.",
                                    errors: form.errors,
                                    rows: 3)
                                UI.button("Extend deadline", kind: "secondary")
                            }
                        }
                    }
                }
            }
            for part in parts {
                let code = part.category.code
                let content = criteria[part.id!]!
                let answers = answersByPart[part.id!]!
                let reviews = reviewsByPart[part.id!]!
                let partScores = scores.filter { $0.$applicationCategory.id == part.id }
                el("section", .class("dps-card")) {
                    el("h2", .class("govuk-heading-m")) { part.category.name }
                    if part.decision != CategoryDecisionState.pending.rawValue {
                        UI.banner("Decision: \(part.decision)", success: part.decision == "admitted") {
                            if let r = part.decisionReason { UI.p(r) }
                        }
                    }
                    if !isPanel {
                        el("h3", .class("govuk-heading-s")) { "Pass/fail answers" }
                        UI.table(
                            headers: ["Question", "Answer and evidence", "Review"],
                            rows: content.passFail.map { q in
                                let docs = evidence.filter {
                                    $0.applicationCategoryID == part.id && $0.questionKey == q.key
                                }
                                let review = reviews[q.key]
                                return [
                                    text(q.text),
                                    MarkupBuilder.buildBlock(
                                        text(answers.passFail[q.key]?.capitalized ?? "Not answered"),
                                        MarkupBuilder.buildArray(
                                            docs.map { d in
                                                el("div") {
                                                    UI.link(d.filename, .evidence(d.id!))
                                                    d.expiresOn.map { " (expires \(DisplayDate.date($0)))" } ?? ""
                                                }
                                            })),
                                    open && canDecide
                                        ? UI.form(
                                            action: .assessmentPart(id, .review, part: part.id!), csrf: context.csrf
                                        ) {
                                            void("input", [.type("hidden"), .name("question"), .value(q.key)])
                                            UI.radios(
                                                "outcome", legend: "Outcome",
                                                options: [
                                                    .init(value: "pass", label: "Pass"),
                                                    .init(value: "fail", label: "Fail"),
                                                ], selected: review?.outcome.rawValue,
                                                errors: form.errors.named("outcome.\(code).\(q.key)", as: "outcome"),
                                                inline: true
                                            )
                                            .replacingIDs("outcome", "outcome.\(code).\(q.key)")
                                            UI.textInput(
                                                "note", label: "Note", value: review?.note,
                                                errors: form.errors.named("note.\(code).\(q.key)", as: "note")
                                            )
                                            .replacingIDs("note", "note.\(code).\(q.key)")
                                            UI.button("Save review", kind: "secondary")
                                        }
                                        : text(
                                            review.map { r in
                                                let outcome = r.outcome.rawValue.capitalized
                                                return r.note.isEmpty ? outcome : "\(outcome): \(r.note)"
                                            } ?? "Not reviewed"),
                                ]
                            })
                        el("h3", .class("govuk-heading-s")) { "Core costs" }
                        UI.summaryList(
                            content.costLines.map { l in
                                (l.name, text(answers.costs[l.key].map(formatPence) ?? "—"))
                            }
                                + [
                                    (
                                        "Total a week",
                                        text(
                                            formatPence(answers.costs.values.reduce(0, +))
                                                + (part.category.affordabilityCapPence.map {
                                                    " (cap \(formatPence($0)))"
                                                } ?? ""))
                                    )
                                ]
                                + content.discountTiers.map { t in
                                    (
                                        "Discount, \(t.children)+ children",
                                        text(answers.discounts[String(t.children)].map(Money.percent) ?? "—")
                                    )
                                })
                    }
                    el("h3", .class("govuk-heading-s")) { "Method statements" }
                    for s in content.statements where !isPanel || s.youngPeoplesPanel {
                        let mine = partScores.first {
                            $0.statementKey == s.key && $0.evaluatorID == m.userID && !$0.isConsensus
                        }
                        let individual = partScores.filter { $0.statementKey == s.key && !$0.isConsensus }
                        let consensus = partScores.first { $0.statementKey == s.key && $0.isConsensus }
                        // the panel scores its question; evaluators the rest
                        let mayScore = open && s.youngPeoplesPanel == isPanel
                        el("div", .class("dps-card")) {
                            el("h4", .class("govuk-heading-s")) {
                                "\(s.title) (weight \(s.weight))"
                                    + "\(s.youngPeoplesPanel ? ", scored by the young people's panel" : "")"
                            }
                            el("p", .class("govuk-body dps-preline")) { answers.statements[s.key] ?? "Not answered" }
                            if !individual.isEmpty {
                                UI.table(
                                    headers: ["Scorer", "Score", "Comment"],
                                    rows: individual.map {
                                        [
                                            text(users[$0.evaluatorID] ?? "Evaluator"), text(String($0.score)),
                                            text($0.comment),
                                        ]
                                    })
                            }
                            if let consensus { UI.inset("Consensus: \(consensus.score) of 5. \(consensus.comment)") }
                            if mayScore {
                                let scoreNames = ["no answer", "poor", "weak", "satisfactory", "good", "excellent"]
                                let meanScore = QualificationScoring.proposedConsensus(scores: individual.map(\.score))
                                let scoreOptions = (0...5).map {
                                    UI.Option(
                                        value: String($0),
                                        label: "\($0): \(scoreNames[$0])"
                                    )
                                }
                                UI.form(action: .assessmentPart(id, .score, part: part.id!), csrf: context.csrf) {
                                    void("input", [.type("hidden"), .name("statement"), .value(s.key)])
                                    UI.radios(
                                        "score", legend: "Your score", options: scoreOptions,
                                        selected: mine.map { String($0.score) },
                                        errors: form.errors.named("score.\(code).\(s.key)", as: "score"),
                                        inline: true
                                    )
                                    .replacingIDs("score", "score.\(code).\(s.key)")
                                    UI.textarea(
                                        "comment", label: "Comment", value: mine?.comment,
                                        errors: form.errors.named("comment.\(code).\(s.key)", as: "comment"), rows: 2
                                    ).replacingIDs("comment", "comment.\(code).\(s.key)")
                                    UI.checkboxes(
                                        "consensus", legend: "Moderation",
                                        options: [
                                            .init(
                                                value: "yes",
                                                label: "Record this as the moderated consensus score"
                                                    + (individual.isEmpty
                                                        ? ""
                                                        : " (mean of scores: \(meanScore))")
                                            )
                                        ], selected: [], errors: form.errors
                                    )
                                    .replacingIDs("consensus", "consensus.\(code).\(s.key)")
                                    UI.button("Save score", kind: "secondary")
                                }
                            }
                        }
                    }
                    if open && canDecide && part.decision == CategoryDecisionState.pending.rawValue {
                        UI.form(action: .assessmentPart(id, .decide, part: part.id!), csrf: context.csrf) {
                            UI.radios(
                                "decision", legend: "Decision for \(part.category.name)",
                                options: [
                                    .init(
                                        value: "admit", label: "Admit",
                                        hint:
                                            "Creates a membership with the qualification score and the core costs above"
                                    ), .init(value: "refuse", label: "Refuse"),
                                ], selected: nil, errors: form.errors.named("decision.\(code)", as: "decision")
                            )
                            .replacingIDs("decision", "decision.\(code)")
                            UI.textarea(
                                "reason", label: "Reasons (sent to the provider; required to refuse)",
                                errors: form.errors.named("reason.\(code)", as: "reason"),
                                rows: 3
                            ).replacingIDs("reason", "reason.\(code)")
                            UI.button("Record decision")
                        }
                    }
                }
            }
        }
    }
}

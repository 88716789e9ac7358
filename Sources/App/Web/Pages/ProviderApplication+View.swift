import DPSDomain
import DPSPersistence
import DPSUseCases
import Foundation

extension ProviderApplication {
    /// The id of the application's answers form, which the evidence fields and Upload buttons belong to.
    static let formID = "application-form"

    /// The page: pure, from the model, the request's context and the form being shown again.
    static func view(_ m: Model, context: PageContext, form: FormState = FormState()) -> Markup {
        let (id, app, evidence, clarifications, editable) = (m.id, m.app, m.evidence, m.clarifications, m.editable)
        let inspectorate =
            Inspectorate(rawValue: app.establishment.inspectorate)?.displayName ?? app.establishment.inspectorate
        return Layout.page(title: "Application: \(app.establishment.name)", context: context) {
            UI.backLink(.applications)
            UI.errorSummary(form.errors)
            UI.h1(app.establishment.name, caption: "Application")
            UI.summaryList([
                ("Status", ProviderPages.stateTag(app.state)),
                ("Submitted", text(app.submittedAt.map(DisplayDate.dateTime) ?? "Not yet")),
                (
                    "Decision due by",
                    text(
                        app.deadline.map {
                            DisplayDate.date($0) + (app.extended ? " (extended: \(app.extensionReason ?? ""))" : "")
                        } ?? "10 working days after you submit")
                ),
                (
                    "Inspection",
                    text(
                        "\(app.establishment.judgement) (\(inspectorate))"
                    )
                ),
            ])
            for c in clarifications {
                el("div", .class("dps-card")) {
                    el("h2", .class("govuk-heading-s")) { "Clarification question" }
                    UI.p(c.question)
                    if let answer = c.answer {
                        el("p", .class("govuk-body")) {
                            el("strong") { "Your answer: " }
                            answer
                        }
                    } else {
                        UI.form(
                            action: .clarificationAnswer(application: id, clarification: c.id!), csrf: context.csrf
                        ) {
                            UI.textarea(
                                "answer", label: "Your answer", value: form.values["answer"], errors: form.errors,
                                rows: 4)
                            UI.button("Send answer")
                        }
                    }
                }
            }
            for part in m.sections.map(\.part) {
                let decision = CategoryDecisionState(rawValue: part.decision) ?? .pending
                if decision != .pending {
                    UI.banner(
                        "\(part.category.name): \(decision == .admitted ? "admitted" : "not admitted")",
                        success: decision == .admitted
                    ) {
                        if let reason = part.decisionReason { UI.p("Reasons: \(reason)") }
                    }
                }
            }
            if editable {
                UI.form(action: .application(id), csrf: context.csrf, id: Self.formID) {
                    for section in m.sections { answersSection(section, m: m, form: form) }
                    el("div", .class("govuk-button-group")) {
                        UI.button("Save draft", kind: "secondary", name: "action", value: "save")
                        UI.button("Submit application", name: "action", value: "submit")
                    }
                }
                UI.h2("Evidence documents")
                for section in m.sections {
                    let (part, questions) = (section.part, section.evidenceQuestions)
                    for q in questions {
                        let docs = evidence.filter { $0.applicationCategoryID == part.id && $0.questionKey == q.key }
                        el("div", .class("dps-card")) {
                            el("h3", .class("govuk-heading-s")) { "\(part.category.name): \(q.text)" }
                            if !docs.isEmpty {
                                el("ul", .class("govuk-list")) {
                                    for d in docs {
                                        el("li") {
                                            UI.link(d.filename, .evidence(d.id!))
                                            d.expiresOn.map { " (expires \(DisplayDate.date($0)))" } ?? ""
                                        }
                                    }
                                }
                            }
                            // Part of the application form: uploading saves the answers typed so far too.
                            let key = "\(part.id!).\(q.key)"
                            UI.fileUpload(
                                "evidence.\(part.category.code).\(q.key)", label: "Upload a document",
                                hint: q.hint.isEmpty ? nil : q.hint, errors: form.errors
                            )
                            .replacingName(
                                "evidence.\(part.category.code).\(q.key)", with: "file.\(key)", inForm: Self.formID)
                            if q.evidenceExpires {
                                UI.dateInput(
                                    "expires.\(part.category.code).\(q.key)", legend: "Expiry date",
                                    values: form.values, hint: "For example 31 3 2027", errors: form.errors,
                                    posted: "expiresOn.\(key)", form: Self.formID)
                            }
                            el(
                                "button", .class("govuk-button govuk-button--secondary"), .type("submit"),
                                Attr("form", Self.formID),
                                Attr("formaction", SiteURL.evidenceUpload(application: id, part: part.id!).path),
                                Attr("formenctype", "multipart/form-data"), .name("question"), .value(q.key),
                                Attr("data-module", "govuk-button")
                            ) { "Upload and save answers" }
                        }
                    }
                }
            } else {
                for section in m.sections { answersSection(section, m: m, form: form) }
            }
        }
    }

    /// One category's questions: editable inputs in a draft, a summary once submitted.
    private static func answersSection(_ section: Model.Section, m: Model, form: FormState) -> Markup {
        let (part, content, answers, evidence, editable) = (
            section.part, section.content, section.answers, m.evidence, m.editable
        )
        // Only a draft being edited shows what was typed and the errors beside its fields.
        let values = editable ? form.values : [:]
        let errors = editable ? form.errors : []
        let code = part.category.code
        func v(_ key: String, _ stored: String?) -> String? { values.isEmpty ? stored : values[key] }
        return el("section", .class("dps-card")) {
            el("h2", .class("govuk-heading-m")) { part.category.name }
            if editable {
                el("h3", .class("govuk-heading-s")) { "Pass/fail questions" }
                for q in content.passFail {
                    UI.radios(
                        "answers.\(code).\(q.key)", legend: q.text,
                        options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")],
                        selected: v("answers.\(code).\(q.key)", answers.passFail[q.key]),
                        hint: q.requiresEvidence
                            ? "Upload evidence for this below." + (q.evidenceExpires ? " Give its expiry date." : "")
                            : nil,
                        errors: errors, inline: true)
                }
                el("h3", .class("govuk-heading-s")) { "Method statements" }
                for s in content.statements {
                    UI.textarea(
                        "statements.\(code).\(s.key)", label: "\(s.title) (weight \(s.weight))",
                        value: v("statements.\(code).\(s.key)", answers.statements[s.key]), hint: s.guidance,
                        errors: errors, rows: 6)
                }
                el("h3", .class("govuk-heading-s")) { "Core costs per placement per week" }
                if let cap = part.category.affordabilityCapPence {
                    UI.p("The total must not exceed \(formatPence(cap)) a week.")
                }
                for line in content.costLines {
                    UI.textInput(
                        "costs.\(code).\(line.key)", label: "\(line.name) (£ a week)",
                        value: v("costs.\(code).\(line.key)", Money.poundsInput(answers.costs[line.key])),
                        errors: errors, width: "10")
                }
                for tier in content.discountTiers {
                    UI.textInput(
                        "discounts.\(code).\(tier.children)",
                        label: "Discount for \(tier.children) or more children placed together (%)",
                        value: v(
                            "discounts.\(code).\(tier.children)",
                            answers.discounts[String(tier.children)].map(Money.percent)?.replacingOccurrences(
                                of: "%", with: "")), hint: "0 if you offer none", errors: errors, width: "5")
                }
            } else {
                UI.summaryList(
                    content.passFail.map { q in
                        let docs = evidence.filter { $0.applicationCategoryID == part.id && $0.questionKey == q.key }
                            .map(\.filename)
                        return (
                            q.text,
                            text(
                                (answers.passFail[q.key]?.capitalized ?? "Not answered")
                                    + (docs.isEmpty ? "" : "\nEvidence: " + docs.joined(separator: ", ")))
                        )
                    } + content.statements.map { s in (s.title, text(answers.statements[s.key] ?? "Not answered")) }
                        + content.costLines.map { l in (l.name, text(answers.costs[l.key].map(formatPence) ?? "—")) }
                        + [("Total weekly core cost", text(formatPence(answers.costs.values.reduce(0, +))))])
            }
        }
    }
}

extension ProviderApplication {
    /// Check your answers before submitting: every category's answers as they are saved, with a way back to
    /// change them, and the one button that submits (it cannot be undone).
    static func checkAnswers(_ m: Model, context: PageContext, csrf: String) -> Markup {
        Layout.page(title: "Check your answers before submitting", context: context) {
            UI.backLink(.application(m.id), "Change your answers")
            UI.h1("Check your answers before submitting", caption: m.app.establishment.name)
            for section in m.sections {
                UI.h2(section.part.category.name)
                UI.summaryList(
                    section.content.passFail.map { q in
                        (
                            q.text,
                            text(
                                section.answers.passFail[q.key].map { $0 == "yes" ? "Yes" : "No" } ?? "Not answered")
                        )
                    }
                        + section.content.statements.map { s in
                            let answer = section.answers.statements[s.key] ?? ""
                            return (s.title, text(answer.isEmpty ? "Not answered" : String(answer.prefix(400))))
                        }
                        + section.content.costLines.map { line in
                            (
                                line.name,
                                text(section.answers.costs[line.key].map { "£" + Money.poundsInput($0) } ?? "—")
                            )
                        }
                        + [
                            (
                                "Documents uploaded",
                                text("\(m.evidence.filter { $0.applicationCategoryID == section.part.id }.count)")
                            )
                        ])
            }
            UI.h2("Now submit your application")
            UI.p(
                "By submitting you confirm that the answers are correct. You cannot change them afterwards; the lead "
                    + "authority decides within 10 working days and may ask you questions.")
            UI.form(action: .application(m.id), csrf: csrf) {
                void("input", [.type("hidden"), .name("action"), .value("submit")])
                void("input", [.type("hidden"), .name("confirm"), .value("yes")])
                UI.button("Submit the application")
            }
        }
    }
}

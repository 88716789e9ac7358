import DPSDomain
import DPSUseCases

/// GOV.UK Design System patterns as small functions: label, hint and error above every field, an error
/// summary linked to the fields, summary lists, tables and tags. All work without JavaScript.
enum UI {
    /// The id a field's input carries, so the error summary can link to it.
    static func fieldID(_ name: String) -> String {
        // Most names are already letters, digits and dashes.
        if name.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
        ) {
            return "f-" + name
        }
        return "f-"
            + String(
                (name.hasSuffix("[]") ? String(name.dropLast(2)) : name).map {
                    $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-"
                })
    }

    static func errorMessage(_ errors: [FieldError], for name: String) -> String? {
        let key = name.hasSuffix("[]") ? String(name.dropLast(2)) : name
        return errors.first { $0.field == key }?.message
    }

    static func errorSummary(_ errors: [FieldError]) -> Markup {
        guard !errors.isEmpty else { return .empty }
        return el(
            "div", .class("govuk-error-summary"), Attr("role", "alert"), Attr("tabindex", "-1"),
            Attr("aria-labelledby", "error-summary-title")
        ) {
            el("h2", .class("govuk-error-summary__title"), .id("error-summary-title")) { "There is a problem" }
            el("ul", .class("govuk-list govuk-error-summary__list")) {
                for error in errors {
                    el("li") { el("a", .href("#" + fieldID(error.field))) { error.message } }
                }
            }
        }
    }

    private static func group(_ name: String, _ errors: [FieldError], @MarkupBuilder _ content: (String?) -> Markup)
        -> Markup
    {
        let error = errorMessage(errors, for: name)
        return el("div", .class(error == nil ? "govuk-form-group" : "govuk-form-group govuk-form-group--error")) {
            content(error)
        }
    }

    private static func hintAndError(_ name: String, hint: String?, error: String?) -> Markup {
        let id = fieldID(name)
        return MarkupBuilder.buildBlock(
            hint.map { h in el("div", .class("govuk-hint"), .id(id + "-hint")) { h } } ?? .empty,
            error.map { e in
                el("p", .class("govuk-error-message"), .id(id + "-error")) {
                    el("span", .class("govuk-visually-hidden")) { "Error: " }
                    e
                }
            } ?? .empty
        )
    }

    private static func describedBy(_ name: String, hint: String?, error: String?) -> String? {
        let id = fieldID(name)
        let parts = [hint == nil ? nil : id + "-hint", error == nil ? nil : id + "-error"].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func textInput(
        _ name: String, label: String, value: String? = nil, hint: String? = nil, errors: [FieldError] = [],
        type: String = "text", width: String? = nil, autocomplete: String? = nil, isPageHeading: Bool = false
    ) -> Markup {
        group(name, errors) { error in
            el("label", .class(isPageHeading ? "govuk-label govuk-label--l" : "govuk-label"), .for(fieldID(name))) {
                label
            }
            hintAndError(name, hint: hint, error: error)
            void(
                "input",
                [
                    .class(
                        "govuk-input" + (width.map { " govuk-input--width-\($0)" } ?? "")
                            + (error == nil ? "" : " govuk-input--error")),
                    .id(fieldID(name)), .name(name), .type(type), .value(value ?? ""),
                    Attr("aria-describedby", describedBy(name, hint: hint, error: error)),
                    Attr("autocomplete", autocomplete),
                    Attr("spellcheck", type == "email" || type == "password" ? "false" : nil),
                ])
        }
    }

    static func textarea(
        _ name: String, label: String, value: String? = nil, hint: String? = nil, errors: [FieldError] = [],
        rows: Int = 5
    ) -> Markup {
        group(name, errors) { error in
            el("label", .class("govuk-label govuk-label--s"), .for(fieldID(name))) { label }
            hintAndError(name, hint: hint, error: error)
            el(
                "textarea", .class("govuk-textarea" + (error == nil ? "" : " govuk-textarea--error")),
                .id(fieldID(name)), .name(name),
                Attr("rows", String(rows)), Attr("aria-describedby", describedBy(name, hint: hint, error: error))
            ) { value ?? "" }
        }
    }

    /// The GOV.UK date input: day, month and year in three boxes inside a fieldset, posted as `name-day`,
    /// `name-month` and `name-year` (read by `DateParts`), with an optional time box (`name-time`). What was
    /// typed comes back from `values` under those names; a date given as one text (a stored ISO date, a
    /// default, or a whole date typed into the first box) is split into the boxes when it reads as a date and
    /// otherwise shown whole in the first box. The day box carries the field's id, so error links reach it.
    /// `posted` names the fields when the posted name differs from the error's name, and `form` joins them to
    /// a form written elsewhere on the page.
    static func dateInput(
        _ name: String, legend: String, values: [String: String], hint: String? = nil, errors: [FieldError] = [],
        time: Bool = false, posted: String? = nil, form: String? = nil, legendSize: String = "s"
    ) -> Markup {
        let postedName = posted ?? name
        let parts = DateParts.display(values, postedName)
        let boxes =
            [("day", "Day", "2"), ("month", "Month", "2"), ("year", "Year", "4")]
            + (time ? [("time", "Time", "5")] : [])
        return group(name, errors) { error in
            el(
                "fieldset", .class("govuk-fieldset"), Attr("role", "group"),
                Attr("aria-describedby", describedBy(name, hint: hint, error: error))
            ) {
                el("legend", .class("govuk-fieldset__legend govuk-fieldset__legend--\(legendSize)")) { legend }
                hintAndError(name, hint: hint, error: error)
                el("div", .class("govuk-date-input")) {
                    for (index, (part, label, width)) in boxes.enumerated() {
                        let id = index == 0 ? fieldID(name) : fieldID(name) + "-" + part
                        el("div", .class("govuk-date-input__item")) {
                            el("label", .class("govuk-label govuk-date-input__label"), .for(id)) { label }
                            void(
                                "input",
                                [
                                    .class(
                                        "govuk-input govuk-date-input__input govuk-input--width-\(width)"
                                            + (error == nil ? "" : " govuk-input--error")),
                                    .id(id), .name("\(postedName)-\(part)"), .type("text"),
                                    .value(parts[part] ?? ""), Attr("inputmode", part == "time" ? nil : "numeric"),
                                    Attr("form", form),
                                ])
                        }
                    }
                }
            }
        }
    }

    /// A collapsed section that opens itself when an error on the page names one of its fields, so an error is
    /// never hidden inside it.
    static func details(
        _ summary: String, errors: [FieldError], @MarkupBuilder _ content: () -> Markup
    ) -> Markup {
        let body = content()
        let holdsError = errors.contains { body.includes("id=\"\(fieldID($0.field))\"") }
        return el("details", .class("dps-card"), .flag("open", holdsError)) {
            el("summary") { summary }
            body
        }
    }

    /// A long list's filter: status, a search and the order, sent as a GET form (the address can be bookmarked
    /// and the pages keep it), with a link that clears it. Works without JavaScript.
    static func listFilter(
        _ action: SiteURL, filter: ListFilter, options: ListFilter.Options, searchLabel: String,
        errors: [FieldError] = [], keep: [(name: String, value: String)] = [], extra: Markup = .empty
    ) -> Markup {
        el("form", .class("dps-filter"), Attr("method", "get"), Attr("action", action.path)) {
            for field in keep { void("input", [.type("hidden"), .name(field.name), .value(field.value)]) }
            if !options.states.isEmpty {
                select(
                    "state", label: "Status",
                    options: [Option(value: "", label: "Any")]
                        + options.states.map { Option(value: $0.value, label: $0.label) },
                    selected: filter.state ?? "", errors: errors)
            }
            textInput("q", label: searchLabel, value: filter.search, errors: errors, type: "search", width: "20")
            select(
                "sort", label: "Order", options: options.sorts.map { Option(value: $0.value, label: $0.label) },
                selected: filter.sort, errors: errors)
            extra
            el("div", .class("govuk-button-group")) {
                button("Apply", kind: "secondary")
                if filter.narrows || filter.sort != options.sorts.first?.value {
                    let kept = keep.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
                    link("Clear", href: action.path + (kept.isEmpty ? "" : "?" + kept))
                }
            }
        }
    }

    /// What a list shows when it has no rows: how to start, or, when a filter hides every row, how to clear it.
    static func emptyList(_ empty: String, narrowed: Bool, clear: String) -> Markup {
        narrowed
            ? el("p", .class("govuk-body")) {
                "Nothing matches. "
                link("Clear the filters", href: clear)
                " to see everything."
            }
            : p(empty)
    }

    struct Option {
        var value: String
        var label: String
        var hint: String? = nil
    }

    static func radios(
        _ name: String, legend: String, options: [Option], selected: String?, hint: String? = nil,
        errors: [FieldError] = [], inline: Bool = false, legendSize: String = "s"
    ) -> Markup {
        choices(
            name, legend: legend, options: options, isSelected: { $0 == selected }, hint: hint, errors: errors,
            inputType: "radio", inline: inline, legendSize: legendSize)
    }

    static func checkboxes(
        _ name: String, legend: String, options: [Option], selected: Set<String>, hint: String? = nil,
        errors: [FieldError] = [], legendSize: String = "s"
    ) -> Markup {
        choices(
            name, legend: legend, options: options, isSelected: { selected.contains($0) }, hint: hint, errors: errors,
            inputType: "checkbox", inline: false, legendSize: legendSize)
    }

    private static func choices(
        _ name: String, legend: String, options: [Option], isSelected: (String) -> Bool, hint: String?,
        errors: [FieldError], inputType: String, inline: Bool, legendSize: String
    ) -> Markup {
        group(name, errors) { error in
            el(
                "fieldset", .class("govuk-fieldset"),
                Attr("aria-describedby", describedBy(name, hint: hint, error: error))
            ) {
                el("legend", .class("govuk-fieldset__legend govuk-fieldset__legend--\(legendSize)")) { legend }
                hintAndError(name, hint: hint, error: error)
                el(
                    "div",
                    .class(
                        "govuk-\(inputType == "radio" ? "radios" : "checkboxes")"
                            + (inline ? " govuk-radios--inline" : ""))
                ) {
                    for (index, option) in options.enumerated() {
                        let id = index == 0 ? fieldID(name) : fieldID(name) + "-\(index + 1)"
                        el("div", .class("govuk-\(inputType == "radio" ? "radios" : "checkboxes")__item")) {
                            void(
                                "input",
                                [
                                    .class("govuk-\(inputType == "radio" ? "radios" : "checkboxes")__input"), .id(id),
                                    .name(name),
                                    .type(inputType), .value(option.value), .flag("checked", isSelected(option.value)),
                                    Attr("aria-describedby", option.hint == nil ? nil : id + "-hint"),
                                ])
                            el(
                                "label",
                                .class("govuk-label govuk-\(inputType == "radio" ? "radios" : "checkboxes")__label"),
                                .for(id)
                            ) { option.label }
                            if let h = option.hint {
                                el(
                                    "div",
                                    .class("govuk-hint govuk-\(inputType == "radio" ? "radios" : "checkboxes")__hint"),
                                    .id(id + "-hint")
                                ) { h }
                            }
                        }
                    }
                }
            }
        }
    }

    static func select(
        _ name: String, label: String, options: [Option], selected: String?, hint: String? = nil,
        errors: [FieldError] = []
    ) -> Markup {
        group(name, errors) { error in
            el("label", .class("govuk-label"), .for(fieldID(name))) { label }
            hintAndError(name, hint: hint, error: error)
            el(
                "select", .class("govuk-select"), .id(fieldID(name)), .name(name),
                Attr("aria-describedby", describedBy(name, hint: hint, error: error))
            ) {
                for option in options {
                    el("option", .value(option.value), .flag("selected", option.value == selected)) { option.label }
                }
            }
        }
    }

    static func fileUpload(_ name: String, label: String, hint: String? = nil, errors: [FieldError] = []) -> Markup {
        group(name, errors) { error in
            el("label", .class("govuk-label"), .for(fieldID(name))) { label }
            hintAndError(name, hint: hint, error: error)
            void(
                "input",
                [
                    .class("govuk-file-upload"), .id(fieldID(name)), .name(name), .type("file"),
                    Attr("aria-describedby", describedBy(name, hint: hint, error: error)),
                ])
        }
    }

    static func button(_ label: String, kind: String = "", name: String? = nil, value: String? = nil) -> Markup {
        el(
            "button", .class("govuk-button" + (kind.isEmpty ? "" : " govuk-button--\(kind)")), .type("submit"),
            Attr("name", name), Attr("value", value), Attr("data-module", "govuk-button")
        ) { label }
    }

    static func csrf(_ token: String) -> Markup {
        void("input", [.type("hidden"), .name("_csrf"), .value(token)])
    }

    /// A POST form carrying the CSRF token.
    static func form(
        action: SiteURL, csrf token: String, multipart: Bool = false, id: String? = nil,
        @MarkupBuilder _ content: () -> Markup
    ) -> Markup {
        el(
            "form", Attr("method", "post"), Attr("action", action.path), Attr("id", id),
            Attr("enctype", multipart ? "multipart/form-data" : nil), Attr("novalidate", "")
        ) {
            csrf(token)
            content()
        }
    }

    static func summaryList(_ rows: [(String, Markup)]) -> Markup {
        el("dl", .class("govuk-summary-list")) {
            for (key, value) in rows {
                el("div", .class("govuk-summary-list__row")) {
                    el("dt", .class("govuk-summary-list__key")) { key }
                    el("dd", .class("govuk-summary-list__value")) { value }
                }
            }
        }
    }

    static func table(caption: String? = nil, headers: [String], rows: [[Markup]]) -> Markup {
        el("table", .class("govuk-table")) {
            if let caption { el("caption", .class("govuk-table__caption govuk-table__caption--m")) { caption } }
            el("thead", .class("govuk-table__head")) {
                el("tr", .class("govuk-table__row")) {
                    for header in headers { el("th", .class("govuk-table__header"), Attr("scope", "col")) { header } }
                }
            }
            el("tbody", .class("govuk-table__body")) {
                for row in rows {
                    // Below 640 px each row is a block and each cell shows its column's name (`data-label`).
                    el("tr", .class("govuk-table__row")) {
                        for (index, cell) in row.enumerated() {
                            if index < headers.count && !headers[index].isEmpty {
                                el("td", .class("govuk-table__cell"), Attr("data-label", headers[index])) { cell }
                            } else {
                                el("td", .class("govuk-table__cell")) { cell }
                            }
                        }
                    }
                }
            }
        }
    }

    /// "Previous" and "Next" links under a paged list (GOV.UK pagination), `?page=N` (and the page size when
    /// it is not the default) on the list's address; nothing when the list fits one page.
    /// Previous and next links of a paged list; `query` (already encoded) is kept on both.
    static func pagination<Row>(_ page: PageOf<Row>, base: SiteURL, query kept: String? = nil) -> Markup {
        let number = page.request.number
        guard number > 1 || page.hasNext else { return .empty }
        let size = page.request.size
        func href(_ n: Int) -> String {
            let query = [kept, n == 1 ? nil : "page=\(n)", size == ListPage.defaultSize ? nil : "limit=\(size)"]
                .compactMap { $0 }.joined(separator: "&")
            return query.isEmpty ? base.path : "\(base.path)?\(query)"
        }
        return el("nav", .class("govuk-pagination"), Attr("aria-label", "Pages")) {
            if number > 1 {
                el("div", .class("govuk-pagination__prev")) {
                    el("a", .class("govuk-link govuk-pagination__link"), .href(href(number - 1)), Attr("rel", "prev")) {
                        "Previous page"
                    }
                }
            }
            el("p", .class("govuk-body govuk-pagination__item--current")) { "Page \(number)" }
            if page.hasNext {
                el("div", .class("govuk-pagination__next")) {
                    el("a", .class("govuk-link govuk-pagination__link"), .href(href(number + 1)), Attr("rel", "next")) {
                        "Next page"
                    }
                }
            }
        }
    }

    static func tag(_ label: String, colour: String? = nil) -> Markup {
        el("strong", .class("govuk-tag" + (colour.map { " govuk-tag--\($0)" } ?? ""))) { label }
    }

    static func banner(_ title: String, success: Bool = true, @MarkupBuilder _ content: () -> Markup = { .empty })
        -> Markup
    {
        el(
            "div", .class("govuk-notification-banner" + (success ? " govuk-notification-banner--success" : "")),
            Attr("role", success ? "alert" : "region"),
            Attr("aria-labelledby", "banner-title")
        ) {
            el("div", .class("govuk-notification-banner__header")) {
                el("h2", .class("govuk-notification-banner__title"), .id("banner-title")) {
                    success ? "Success" : "Important"
                }
            }
            el("div", .class("govuk-notification-banner__content")) {
                el("p", .class("govuk-notification-banner__heading")) { title }
                content()
            }
        }
    }

    static func link(_ label: String, _ url: SiteURL) -> Markup { link(label, href: url.path) }
    /// The GOV.UK back link, to the page above this one (not the browser's history, which may be another site).
    static func backLink(_ url: SiteURL, _ label: String = "Back") -> Markup {
        el("a", .class("govuk-back-link"), .href(url.path)) { label }
    }
    /// A link to a stored address (a message's link, made from a `SiteURL` when it was sent).
    static func link(_ label: String, href: String) -> Markup { el("a", .class("govuk-link"), .href(href)) { label } }
    static func h1(_ s: String, caption: String? = nil) -> Markup {
        MarkupBuilder.buildBlock(
            caption.map { c in el("span", .class("govuk-caption-l")) { c } } ?? .empty,
            el("h1", .class("govuk-heading-l")) { s })
    }
    static func h2(_ s: String) -> Markup { el("h2", .class("govuk-heading-m")) { s } }
    static func p(_ s: String) -> Markup { el("p", .class("govuk-body")) { s } }
    static func inset(_ s: String) -> Markup { el("div", .class("govuk-inset-text")) { s } }
    static func warning(_ s: String) -> Markup {
        el("div", .class("govuk-warning-text")) {
            el("span", .class("govuk-warning-text__icon"), Attr("aria-hidden", "true")) { "!" }
            el("strong", .class("govuk-warning-text__text")) {
                el("span", .class("govuk-visually-hidden")) { "Warning" }
                s
            }
        }
    }
}

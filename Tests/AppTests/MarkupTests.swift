import Testing

@testable import App

/// The HTML builder's fast paths write what the slow ones wrote.
@Suite("Markup")
struct MarkupTests {
    @Test("Text is escaped for content and attributes; text with nothing to escape, multibyte included, is kept")
    func escaping() {
        #expect(
            escape(#"<a href="x">Tom & Jerry's</a>"#) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect(escape("Café £1,200 — ok") == "Café £1,200 — ok")
        #expect(escape("€<€") == "€&lt;€")
        #expect(escape("") == "")
    }

    @Test("A fragment is found wherever it is, multibyte included; a near miss, a longer one and an empty page are not")
    func includes() {
        let page = Markup(unsafeRaw: #"<p>Café £1</p><div class="govuk-error-summary">x</div>"#)
        #expect(page.includes(#"class="govuk-error-summary""#))
        #expect(page.includes("<p>Café") && page.includes("</div>") && page.includes("£1<") && page.includes(""))
        #expect(!page.includes(#"class="govuk-error-summary2""#) && !page.includes("Cafe"))
        #expect(!Markup(unsafeRaw: "<p>").includes("<p>x") && !Markup.empty.includes("<"))
        #expect(Markup(unsafeRaw: "aab").includes("ab") && !Markup(unsafeRaw: "ab").includes("b>"))
    }

    @Test("Attributes: empty boolean ones bare, other empty ones with a value, nil ones left out, values escaped")
    func attributes() {
        let html = void("input", [.flag("checked", true), Attr("value", ""), Attr("title", nil), Attr("alt", "a\"b")])
            .html
        #expect(html == #"<input checked value="" alt="a&quot;b">"#)
    }

    @Test("Ids made unique per form: every reference to the short id is rewritten, nothing else")
    func replacingIDs() {
        let markup = UI.radios(
            "score", legend: "Score", options: [.init(value: "1", label: "1"), .init(value: "2", label: "2")],
            selected: nil
        ).replacingIDs("score", "score.7")
        #expect(markup.html.contains(#"id="f-score-7""#) && markup.html.contains(#"id="f-score-7-2""#))
        #expect(!markup.html.contains(#""f-score""#) && !markup.html.contains(#""f-score-2""#))
        #expect(markup.html.contains(#"name="score""#))
        #expect(UI.fieldID("needs[]") == "f-needs" && UI.fieldID("core.line one") == "f-core-line-one")
        #expect(UI.fieldID("Ab-9") == "f-Ab-9")
    }
}

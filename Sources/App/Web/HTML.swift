import DPSUseCases

/// A fragment of HTML whose text has already been escaped. Pages are built from these with `@MarkupBuilder`,
/// so user-supplied text can only reach the page through `escape`, never raw.
public struct Markup: Sendable, CustomStringConvertible {
    public let html: String
    public init(unsafeRaw html: String) { self.html = html }
    public var description: String { html }
    public static let empty = Markup(unsafeRaw: "")
}

@resultBuilder
public enum MarkupBuilder {
    public static func buildBlock(_ parts: Markup...) -> Markup { Markup(unsafeRaw: parts.map(\.html).joined()) }
    public static func buildExpression(_ markup: Markup) -> Markup { markup }
    public static func buildExpression(_ text: String) -> Markup { Markup(unsafeRaw: escape(text)) }
    public static func buildExpression(_ parts: [Markup]) -> Markup { Markup(unsafeRaw: parts.map(\.html).joined()) }
    public static func buildOptional(_ markup: Markup?) -> Markup { markup ?? .empty }
    public static func buildEither(first markup: Markup) -> Markup { markup }
    public static func buildEither(second markup: Markup) -> Markup { markup }
    public static func buildArray(_ parts: [Markup]) -> Markup { Markup(unsafeRaw: parts.map(\.html).joined()) }
}

/// Escapes text for use in element content and in double-quoted attribute values.
public func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out
}

/// An element attribute; `nil` values are left out and `""` renders as a bare boolean attribute.
public struct Attr: Sendable {
    let name: String
    let value: String?
    public init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }
    public static func `class`(_ v: String) -> Attr { Attr("class", v) }
    public static func id(_ v: String) -> Attr { Attr("id", v) }
    public static func href(_ v: String) -> Attr { Attr("href", v) }
    static func href(_ url: SiteURL) -> Attr { Attr("href", url.path) }
    public static func name(_ v: String) -> Attr { Attr("name", v) }
    public static func type(_ v: String) -> Attr { Attr("type", v) }
    public static func value(_ v: String) -> Attr { Attr("value", v) }
    public static func `for`(_ v: String) -> Attr { Attr("for", v) }
    /// A boolean attribute (checked, selected, required…) present only when `on` is true.
    public static func flag(_ name: String, _ on: Bool) -> Attr { Attr(name, on ? "" : nil) }
}

private func renderAttributes(_ attrs: [Attr]) -> String {
    var out = ""
    for attr in attrs {
        guard let value = attr.value else { continue }
        out +=
            value.isEmpty
                && ["checked", "selected", "required", "disabled", "open", "multiple", "novalidate"].contains(attr.name)
            ? " \(attr.name)" : " \(attr.name)=\"\(escape(value))\""
    }
    return out
}

/// An element with content.
public func el(_ tag: String, _ attrs: Attr..., @MarkupBuilder content: () -> Markup = { .empty }) -> Markup {
    Markup(unsafeRaw: "<\(tag)\(renderAttributes(attrs))>\(content().html)</\(tag)>")
}

/// An element with an attribute list built at run time.
public func el(_ tag: String, attrs: [Attr], @MarkupBuilder content: () -> Markup = { .empty }) -> Markup {
    Markup(unsafeRaw: "<\(tag)\(renderAttributes(attrs))>\(content().html)</\(tag)>")
}

/// A void element (input, meta, link, br).
public func void(_ tag: String, _ attrs: [Attr]) -> Markup {
    Markup(unsafeRaw: "<\(tag)\(renderAttributes(attrs))>")
}

public func text(_ s: String) -> Markup { Markup(unsafeRaw: escape(s)) }

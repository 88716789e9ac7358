import DPSUseCases
import Foundation

/// A fragment of HTML whose text has already been escaped. Pages are built from these with `@MarkupBuilder`,
/// so user-supplied text can only reach the page through `escape`, never raw.
public struct Markup: Sendable, CustomStringConvertible {
    public let html: String
    public init(unsafeRaw html: String) { self.html = html }
    public var description: String { html }
    public static let empty = Markup(unsafeRaw: "")

    /// Whether the markup holds `fragment`, byte for byte. Foundation's `contains`, which this replaces, copied the
    /// whole page into UTF-16 for each search: a tenth of the referral page's CPU, to look for the error summary.
    func includes(_ fragment: String) -> Bool {
        var page = html
        var sought = fragment
        return page.withUTF8 { hay in
            sought.withUTF8 { needle in
                guard let first = needle.first, let base = hay.baseAddress, let wanted = needle.baseAddress else {
                    return needle.isEmpty
                }
                guard needle.count <= hay.count else { return false }
                var at = 0
                while at <= hay.count - needle.count {
                    if hay[at] == first && memcmp(base + at, wanted, needle.count) == 0 { return true }
                    at += 1
                }
                return false
            }
        }
    }
}

@resultBuilder
public enum MarkupBuilder {
    public static func buildBlock(_ parts: Markup...) -> Markup { concatenate(parts) }
    public static func buildExpression(_ markup: Markup) -> Markup { markup }
    public static func buildExpression(_ text: String) -> Markup { Markup(unsafeRaw: escape(text)) }
    public static func buildExpression(_ parts: [Markup]) -> Markup { concatenate(parts) }
    public static func buildOptional(_ markup: Markup?) -> Markup { markup ?? .empty }
    public static func buildEither(first markup: Markup) -> Markup { markup }
    public static func buildEither(second markup: Markup) -> Markup { markup }
    public static func buildArray(_ parts: [Markup]) -> Markup { concatenate(parts) }

    /// The parts one after another, in one string sized up front.
    static func concatenate(_ parts: [Markup]) -> Markup {
        if parts.count == 1 { return parts[0] }
        var out = ""
        out.reserveCapacity(parts.reduce(0) { $0 + $1.html.utf8.count })
        for part in parts { out.append(part.html) }
        return Markup(unsafeRaw: out)
    }
}

/// Escapes text for use in element content and in double-quoted attribute values. Most text has nothing to
/// escape and is returned as it is; otherwise the bytes are rewritten in one pass.
public func escape(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
        return text
    }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count + 32)
    for byte in utf8 {
        switch byte {
        case 0x26: out.append(contentsOf: "&amp;".utf8)
        case 0x3C: out.append(contentsOf: "&lt;".utf8)
        case 0x3E: out.append(contentsOf: "&gt;".utf8)
        case 0x22: out.append(contentsOf: "&quot;".utf8)
        case 0x27: out.append(contentsOf: "&#39;".utf8)
        default: out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
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

/// Appends ` name="value"` for each attribute with a value (escaped), ` name` for an empty boolean one.
private func appendAttributes(_ attrs: [Attr], to out: inout String) {
    for attr in attrs {
        guard let value = attr.value else { continue }
        out.append(" ")
        out.append(attr.name)
        if value.isEmpty && isBooleanAttribute(attr.name) { continue }
        out.append("=\"")
        out.append(escape(value))
        out.append("\"")
    }
}

/// `<tag attrs>inner</tag>` (or `<tag attrs>` for a void element) written into one string sized up front: pages
/// are thousands of small elements, and interpolating each into a new string was a visible share of their CPU.
private func element(_ tag: String, _ attrs: [Attr], inner: String?) -> Markup {
    var size = 2 * tag.utf8.count + 5 + (inner?.utf8.count ?? 0)
    for attr in attrs { size += attr.name.utf8.count + (attr.value?.utf8.count ?? 0) + 4 }
    var out = ""
    out.reserveCapacity(size)
    out.append("<")
    out.append(tag)
    appendAttributes(attrs, to: &out)
    out.append(">")
    if let inner {
        out.append(inner)
        out.append("</")
        out.append(tag)
        out.append(">")
    }
    return Markup(unsafeRaw: out)
}

/// Attributes written bare when their value is empty (`checked`, not `checked=""`).
private func isBooleanAttribute(_ name: String) -> Bool {
    switch name {
    case "checked", "selected", "required", "disabled", "open", "multiple", "novalidate": true
    default: false
    }
}

/// An element with content.
public func el(_ tag: String, _ attrs: Attr..., @MarkupBuilder content: () -> Markup = { .empty }) -> Markup {
    element(tag, attrs, inner: content().html)
}

/// An element with an attribute list built at run time.
public func el(_ tag: String, attrs: [Attr], @MarkupBuilder content: () -> Markup = { .empty }) -> Markup {
    element(tag, attrs, inner: content().html)
}

/// A void element (input, meta, link, br).
public func void(_ tag: String, _ attrs: [Attr]) -> Markup {
    element(tag, attrs, inner: nil)
}

public func text(_ s: String) -> Markup { Markup(unsafeRaw: escape(s)) }

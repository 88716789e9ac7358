import DPSDomain
import Foundation

/// Values from outside that end up in response headers or redirects.
package enum SafeHeaders {
    /// A redirect target from a form or query (`next`): only a path on this site. Anything that a browser
    /// could read as another host (`//x`, `/\x`, a scheme, control characters such as CR, LF or TAB that
    /// browsers strip) falls back to `fallback`.
    package static func localPath(_ raw: String?, fallback: String = SiteURL.dashboard.path) -> String {
        guard let raw, raw.hasPrefix("/"), raw.count <= 2_000 else { return fallback }
        let second = raw.dropFirst().first
        if second == "/" || second == "\\" { return fallback }
        if raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) { return fallback }
        return raw
    }

    /// A file name for `Content-Disposition`: no control characters, quotes or backslashes, at most 150
    /// characters; empty becomes "download".
    package static func filename(_ raw: String) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                raw.unicodeScalars.filter {
                    $0.value >= 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "\\" && $0 != "/"
                })
        ).trimmingCharacters(in: .whitespaces)
        let short = String(cleaned.prefix(150))
        return short.isEmpty ? "download" : short
    }

    /// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 8187).
    package static func attachment(_ raw: String) -> String {
        let name = filename(raw)
        let ascii = String(String.UnicodeScalarView(name.unicodeScalars.map { $0.isASCII ? $0 : "_" }))
        let encoded =
            name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_")))
            ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

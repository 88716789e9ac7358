import Crypto
import Foundation

package enum Tokens {
    /// A random URL-safe token of 32 bytes.
    package static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// Bytes as URL- and cookie-safe base64 (`-` and `_`, no padding).
    package static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The HMAC-SHA256 of `text` under `key`, in hex.
    package static func mac(_ text: String, key: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(key.utf8))))
    }

    package static func hash(_ token: String) -> String { hex(SHA256.hash(data: Data(token.utf8))) }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

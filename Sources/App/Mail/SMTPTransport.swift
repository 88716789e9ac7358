import DPSUseCases
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where mail goes: `DPS_SMTP_URL`, `smtp://host:port` (plain, for a relay on this machine or its private network)
/// or `smtps://user:password@host:port` (TLS from the first byte, port 465 by default). A user and password are
/// sent (AUTH PLAIN) only over TLS or to a loopback relay, never in clear across a network.
struct SMTPSettings: Sendable, Equatable {
    var host: String
    var port: Int
    var tls: Bool
    var username: String?
    var password: String?

    enum Problem: Error, CustomStringConvertible {
        case invalid(String)
        var description: String {
            switch self {
            case .invalid(let why): "DPS_SMTP_URL: \(why)"
            }
        }
    }

    static func parse(_ raw: String) throws -> SMTPSettings {
        guard let url = URLComponents(string: raw), let scheme = url.scheme?.lowercased(),
            ["smtp", "smtps"].contains(scheme)
        else { throw Problem.invalid("use smtp://host:port or smtps://user:password@host:port") }
        guard let host = url.host, !host.isEmpty else { throw Problem.invalid("no host") }
        let port = url.port ?? (scheme == "smtps" ? 465 : 25)
        guard (1...65535).contains(port) else { throw Problem.invalid("the port must be from 1 to 65535") }
        let settings = SMTPSettings(
            host: host, port: port, tls: scheme == "smtps", username: url.user?.removingPercentEncoding,
            password: url.password?.removingPercentEncoding)
        if settings.username != nil && !settings.tls && !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw Problem.invalid("a password is sent only over smtps:// (or to a relay on this machine)")
        }
        return settings
    }
}

/// A small SMTP client (RFC 5321) over SwiftNIO: one connection per message, EHLO, AUTH PLAIN when configured,
/// MAIL FROM, RCPT TO for each address, DATA, QUIT. Replies are read line by line with a bound on their length and
/// number, and the whole conversation has a deadline. A 5xx reply is a permanent failure; a 4xx reply, a failed
/// connection or the deadline a temporary one (`MailFailure`).
struct SMTPTransport: MailTransport {
    let settings: SMTPSettings
    let group: any EventLoopGroup
    /// The name this host gives in EHLO: the public address's host.
    let heloName: String
    var deadline: Duration = .seconds(60)

    func send(_ mail: OutgoingMail) async throws {
        let data = Self.render(mail)
        let transport = self
        let deadline = deadline
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await transport.converse(mail, data: data) }
            group.addTask {
                try await Task.sleep(for: deadline)
                throw MailFailure(permanent: false, "The mail server did not finish within \(deadline)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func converse(_ mail: OutgoingMail, data: String) async throws {
        let settings = settings
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(15))
                .connect(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if settings.tls {
                            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: context, serverHostname: settings.host))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailFailure(permanent: false, "Could not connect to \(settings.host):\(settings.port): \(error)")
        }
        try await channel.executeThenClose { inbound, outbound in
            var replies = ReplyReader(inbound.makeAsyncIterator())
            func command(_ line: String?, expect: Set<Int>) async throws {
                if let line { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                let (code, text) = try await replies.next()
                guard expect.contains(code) else {
                    let shown = line.map { $0.hasPrefix("AUTH") ? "AUTH" : $0 } ?? "the greeting"
                    throw MailFailure(permanent: code >= 500, "\(shown) answered \(code) \(text)")
                }
            }
            try await command(nil, expect: [220])
            try await command("EHLO \(heloName)", expect: [250])
            if let user = settings.username {
                let token = Data("\0\(user)\0\(settings.password ?? "")".utf8).base64EncodedString()
                try await command("AUTH PLAIN \(token)", expect: [235])
            }
            try await command("MAIL FROM:<\(mail.from)>", expect: [250])
            for address in mail.to { try await command("RCPT TO:<\(address)>", expect: [250, 251]) }
            try await command("DATA", expect: [354])
            try await command(data + ".", expect: [250])
            try? await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        }
    }

    /// The message as RFC 5322 text with CRLF line ends, dot-stuffed, ending in CRLF (the caller adds the final
    /// dot). The body is UTF-8 in base64, so no line of it can end the data early or be too long; the subject is
    /// an encoded word when it is not plain ASCII.
    static func render(_ mail: OutgoingMail) -> String {
        let subject =
            mail.subject.unicodeScalars.allSatisfy { $0.isASCII }
            ? mail.subject : "=?UTF-8?B?\(Data(mail.subject.utf8).base64EncodedString())?="
        let body = Data(mail.body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        let headers = [
            "Date: \(rfc5322Date(mail.date))", "From: \(mail.from)", "To: \(mail.to.joined(separator: ", "))",
            "Subject: \(MailQueue.headerSafe(subject))", "Message-ID: \(mail.messageID)", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64",
        ]
        let lines = headers + [""] + body.components(separatedBy: "\r\n")
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// Reads SMTP replies (`250-first`, `250 last`) from the connection, bounding each line and each reply.
private struct ReplyReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []
    static let maxLine = 2048
    static let maxLines = 100

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    mutating func line() async throws -> String {
        while true {
            if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var bytes = Array(pending[..<end])
                pending.removeFirst(end + 1)
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                return String(decoding: bytes, as: UTF8.self)
            }
            guard pending.count <= Self.maxLine else {
                throw MailFailure(permanent: false, "The mail server sent a line longer than \(Self.maxLine) bytes")
            }
            guard let chunk = try await iterator.next() else {
                throw MailFailure(permanent: false, "The mail server closed the connection")
            }
            pending += chunk.readableBytesView
        }
    }

    mutating func next() async throws -> (Int, String) {
        var text: [String] = []
        for _ in 0..<Self.maxLines {
            let line = try await line()
            guard line.count >= 3, let code = Int(line.prefix(3)), (200...599).contains(code) else {
                throw MailFailure(permanent: false, "The mail server sent a reply that is not SMTP")
            }
            text.append(String(line.dropFirst(4)))
            if line.count == 3 || line.dropFirst(3).first == " " { return (code, text.joined(separator: " ")) }
        }
        throw MailFailure(permanent: false, "The mail server's reply was longer than \(Self.maxLines) lines")
    }
}

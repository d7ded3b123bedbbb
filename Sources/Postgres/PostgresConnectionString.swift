internal import CLibPQ

/// Checking a connection string before connecting, and keeping its password out of messages.
///
/// libpq's own messages echo the whole URI for some syntax errors ("end of string reached when
/// looking for matching "]" … in URI: "postgresql://user:secret@[::1"), so every message built
/// from a failed connection goes through ``redact(_:)``.
struct PostgresConnectionString {
    let text: String
    /// Passwords found in the string, as written and percent-decoded.
    let secrets: [String]
    /// libpq's complaint if the string is not a valid URI or key=value list.
    let syntaxError: String?

    init(_ text: String) {
        self.text = text
        var secrets = Self.heuristicPasswords(in: text)
        var syntaxError: String?
        // Mirrors libpq: only URIs and strings containing "=" are parsed; anything else is a dbname.
        if Self.isURI(text) || text.contains("=") {
            var error: UnsafeMutablePointer<CChar>?
            if let options = PQconninfoParse(text, &error) {
                var option = options
                while let keyword = option.pointee.keyword {
                    if String(cString: keyword) == "password", let value = option.pointee.val {
                        secrets.append(String(cString: value))
                    }
                    option += 1
                }
                PQconninfoFree(options)
            } else {
                syntaxError = error.map { String(cString: $0) } ?? "invalid connection string"
            }
            if let error { PQfreemem(error) }
        }
        // Short strings would mangle the message without protecting much.
        self.secrets = secrets.filter { $0.utf8.count >= 3 }.sorted { $0.utf8.count > $1.utf8.count }
        self.syntaxError = syntaxError.map { PostgresError.cleanMessage($0) }
    }

    /// `message` with every password replaced by `*****`, cleaned to one line.
    func redact(_ message: String) -> String {
        var text = PostgresError.cleanMessage(message)
        for secret in secrets {
            text = text.replacing(secret, with: "*****")
        }
        return text
    }

    static func isURI(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Passwords found without libpq's parser (which fails on exactly the strings whose messages
    /// echo them): the userinfo of a URI, `password=` in its query, and `password=` pairs.
    static func heuristicPasswords(in text: String) -> [String] {
        var found: [String] = []
        if isURI(text), let schemeEnd = text.firstRange(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            // libpq looks for "@" before the first "/"; a ":" in the userinfo starts the password.
            let stop = rest.firstIndex { $0 == "@" || $0 == "/" }
            if let stop, rest[stop] == "@", let colon = rest[..<stop].firstIndex(of: ":") {
                found.append(String(rest[rest.index(after: colon)..<stop]))
            }
            if let question = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: question)...].split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, parts[0] == "password" { found.append(String(parts[1])) }
                }
            }
            found += found.compactMap(percentDecoded)
        } else {
            found += keywordValuePasswords(in: text)
        }
        return found.filter { !$0.isEmpty }
    }

    /// `password = value` or `password='quoted \' value'` in a key=value string.
    private static func keywordValuePasswords(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let match = rest.firstRange(of: "password") {
            rest = rest[match.upperBound...].drop { $0 == " " || $0 == "\t" }
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            var value = ""
            if rest.first == "'" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.popFirst() {
                    if escaped { value.append(character); escaped = false }
                    else if character == "\\" { escaped = true }
                    else if character == "'" { break }
                    else { value.append(character) }
                }
            } else {
                value = String(rest.prefix { !$0.isWhitespace })
            }
            found.append(value)
        }
        return found
    }

    private static func percentDecoded(_ text: String) -> String? {
        guard text.contains("%") else { return nil }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

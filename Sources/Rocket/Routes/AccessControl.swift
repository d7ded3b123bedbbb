import Foundation
import HTTP

/// Bearer tokens (`read` or `write`) and CORS origins. Tokens arrive in
/// `Authorization: Bearer …` or, for EventSource, the `rocket_token`
/// cookie. Tokens are never logged.
struct AccessControl: Sendable {
    enum Role: String, Sendable { case read, write }

    let tokens: [String: Role]
    let corsOrigins: [String]

    init(tokens: [String: Role] = [:], corsOrigins: [String] = []) {
        self.tokens = tokens
        self.corsOrigins = corsOrigins
    }

    /// Reads a token file: one `TOKEN read|write` per line; `#` comments.
    static func load(tokenFile: String?, corsOrigins: [String]) throws -> AccessControl {
        guard let tokenFile else { return AccessControl(corsOrigins: corsOrigins) }
        let text: String
        do {
            text = try String(contentsOfFile: tokenFile, encoding: .utf8)
        } catch {
            throw UsageError("cannot read --token-file \(tokenFile): \(error.localizedDescription)")
        }
        var tokens: [String: Role] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, let role = Role(rawValue: String(fields[1])) else {
                throw UsageError("--token-file line \(number + 1): expected 'TOKEN read' or 'TOKEN write'")
            }
            tokens[String(fields[0])] = role
        }
        if tokens.isEmpty { throw UsageError("--token-file \(tokenFile) holds no tokens") }
        return AccessControl(tokens: tokens, corsOrigins: corsOrigins)
    }

    func authorize(_ request: HTTPRequest, write: Bool) throws(APIError) {
        guard !tokens.isEmpty else { return }
        guard let token = Self.token(in: request), let role = tokens[token] else {
            var error = APIError(status: 401, code: "unauthorized", message: "a valid bearer token is required")
            error.headers = [("WWW-Authenticate", "Bearer")]
            throw error
        }
        if write && role != .write {
            throw APIError(status: 403, code: "forbidden", message: "this token may only read")
        }
    }

    static func token(in request: HTTPRequest) -> String? {
        if let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        for cookies in request.headers.values(for: "Cookie") {
            for pair in cookies.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == "rocket_token" { return String(parts[1]) }
            }
        }
        return nil
    }

    func corsHeaders(for request: HTTPRequest) -> [(name: String, value: String)] {
        guard let origin = request.headers["Origin"], corsOrigins.contains(origin) || corsOrigins.contains("*") else {
            return []
        }
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "Rocket-Cursor, Location"),
            ("Vary", "Origin"),
        ]
    }

    func preflight(_ request: HTTPRequest, cors: [(name: String, value: String)]) -> HTTPResponse {
        var headers = cors
        if !cors.isEmpty {
            headers += [
                ("Access-Control-Allow-Methods", "GET, HEAD, SUBSCRIBE, POST, PUT, PATCH, DELETE, OPTIONS"),
                ("Access-Control-Allow-Headers", request.headers["Access-Control-Request-Headers"]
                    ?? "Authorization, Content-Type, Last-Event-ID, Accept"),
                ("Access-Control-Max-Age", "600"),
            ]
        }
        headers.append(("Allow", "GET, HEAD, SUBSCRIBE, POST, PUT, PATCH, DELETE, OPTIONS"))
        return HTTPResponse(status: 204, headers: headers)
    }
}

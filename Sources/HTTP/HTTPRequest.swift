/// A request as the server received it: raw target, headers, whole body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent, percent-encoding intact (`/a%2Fb?x=1`).
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// True when the body went past the server's `maxBodySize`; `body` then
    /// holds only the first bytes and the handler should answer `413`.
    public var bodyExceededLimit: Bool

    public init(
        method: String, target: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], bodyExceededLimit: Bool = false
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
    }

    /// The path part of the target, still percent-encoded.
    public var path: Substring {
        target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
    }

    /// The query part of the target (after `?`), still percent-encoded.
    public var query: Substring? {
        target.firstIndex(of: "?").map { target[target.index(after: $0)...] }
    }
}

/// Failures of the HTTP server itself (not of a request).
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case invalidAddress, startFailed }
    private let code: Code
    public let message: String

    public static func invalidAddress(_ host: String) -> HTTPServerError {
        HTTPServerError(code: .invalidAddress, message: "'\(host)' is not an IPv4 or IPv6 address")
    }

    public static func startFailed(_ reason: String) -> HTTPServerError {
        HTTPServerError(code: .startFailed, message: reason)
    }

    public var description: String { message }
}

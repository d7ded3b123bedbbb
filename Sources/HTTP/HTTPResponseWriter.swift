/// Hands a handler's response back to the connection, from any thread,
/// exactly once. Later calls are ignored.
public final class HTTPResponseWriter: Sendable {
    private let deliver: @Sendable (HTTPResponse) -> Void

    init(deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    public func send(_ response: HTTPResponse) {
        deliver(response)
    }
}

/// Called for every complete request, on the server's thread: it must not
/// block. Do the work elsewhere and answer through the writer.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponseWriter) -> Void

/// How the HTTP server listens and what it will hold.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; `HTTPServer.port` tells which.
    public var port: Int
    /// Concurrent connections, open streams included.
    public var connectionLimit: Int
    /// Seconds a connection may sit idle (not suspended) before it is closed.
    public var connectionTimeout: Int
    /// Event-loop threads; each holds a share of the connections.
    public var threads: Int
    /// Largest request body kept; larger ones reach the handler flagged.
    public var maxBodySize: Int
    /// Bytes libmicrohttpd keeps per connection for headers and I/O.
    public var connectionMemoryLimit: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, connectionLimit: Int = 20_000,
        connectionTimeout: Int = 120, threads: Int = 1, maxBodySize: Int = 1 << 20,
        connectionMemoryLimit: Int = 16 * 1024
    ) {
        self.host = host
        self.port = port
        self.connectionLimit = connectionLimit
        self.connectionTimeout = connectionTimeout
        self.threads = threads
        self.maxBodySize = maxBodySize
        self.connectionMemoryLimit = connectionMemoryLimit
    }
}

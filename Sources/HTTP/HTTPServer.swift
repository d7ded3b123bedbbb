internal import CMicroHTTPD
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on libmicrohttpd: one epoll event loop (or a few),
/// connections suspended while their handler works or their stream is
/// empty, so thousands of idle streams cost no thread and no CPU.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let handler: HTTPHandler
    private let daemon = Mutex<DaemonHandle?>(nil)
    private let suspensions = Atomic<Int>(0)
    private let streams = Atomic<Int>(0)
    private let boundPort = Atomic<Int>(0)

    public init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The port listened on (useful when configured with port 0).
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Connections open now, streams included.
    public var connectionCount: Int {
        daemon.withLock { handle in handle.map { Int(rocket_mhd_connection_count($0.pointer)) } ?? 0 }
    }

    public func start() throws(HTTPServerError) {
        let flags = UInt32(MHD_USE_EPOLL_INTERNAL_THREAD.rawValue)
            | UInt32(MHD_ALLOW_SUSPEND_RESUME.rawValue)
            | UInt32(MHD_USE_ERROR_LOG.rawValue)
            | UInt32(MHD_USE_TURBO.rawValue)
        let unmanaged = Unmanaged.passUnretained(self).toOpaque()
        let started = rocket_mhd_start(
            flags, configuration.host, UInt16(clamping: configuration.port),
            UInt32(clamping: configuration.connectionLimit),
            UInt32(clamping: configuration.connectionTimeout),
            UInt32(clamping: configuration.threads),
            configuration.connectionMemoryLimit,
            accessHandler, uriLogger, requestCompleted, unmanaged
        )
        guard let started else {
            if !configuration.host.contains(":"), configuration.host.split(separator: ".").count != 4 {
                throw .invalidAddress(configuration.host)
            }
            let reason = String(cString: strerror(errno))
            throw .startFailed("cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        boundPort.store(Int(rocket_mhd_bound_port(started)), ordering: .relaxed)
        daemon.withLock { $0 = DaemonHandle(pointer: started) }
    }

    /// Stops the server. Streams must be finished first (`HTTPStream.finish`)
    /// and handlers answered; this waits up to `grace` for suspended
    /// connections to resume and finished streams to flush their last
    /// bytes, since stopping with a connection parked is undefined.
    public func stop(grace: Duration = .seconds(5)) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while (suspensions.load(ordering: .acquiring) > 0 || streams.load(ordering: .acquiring) > 0)
                && clock.now < deadline {
            usleep(10_000)
        }
        let handle = daemon.withLock { handle -> DaemonHandle? in
            defer { handle = nil }
            return handle
        }
        if let handle { MHD_stop_daemon(handle.pointer) }
    }

    /// Request handlers waiting for an answer right now.
    public var pendingRequests: Int { suspensions.load(ordering: .relaxed) }

    /// Stream responses not yet ended.
    public var openStreams: Int { streams.load(ordering: .relaxed) }

    func streamBegan() { streams.add(1, ordering: .releasing) }
    func streamEnded() { streams.subtract(1, ordering: .releasing) }
    func suspensionBegan() { suspensions.add(1, ordering: .releasing) }
    func suspensionEnded() { suspensions.subtract(1, ordering: .releasing) }
}

struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

internal import CMicroHTTPD
import Synchronization

/// An open response body that others write to: a bounded byte queue read by
/// the server. When the queue runs dry the connection is suspended (parked
/// in the event loop at no cost); a write resumes it. Writes never block.
public final class HTTPStream: Sendable {
    public enum WriteResult: Sendable, Equatable {
        case written
        /// The queue would pass its byte limit; nothing was queued.
        case overflow
        /// The stream has finished or the client has gone.
        case closed
    }

    private struct State: ~Copyable {
        var queue: [[UInt8]] = []
        var head = 0
        var offset = 0
        var queuedBytes = 0
        var connection: ConnectionHandle?
        var suspended = false
        var finishing = false
        var closed = false
        var closeHandlers: [@Sendable () -> Void] = []
    }

    public let maxQueuedBytes: Int
    private let state = Mutex(State())

    public init(maxQueuedBytes: Int) {
        self.maxQueuedBytes = maxQueuedBytes
    }

    /// Queues bytes. `force` ignores the byte limit (for a final event).
    @discardableResult
    public func write(_ bytes: [UInt8], force: Bool = false) -> WriteResult {
        let (result, resume): (WriteResult, ConnectionHandle?) = state.withLock { state in
            if state.closed || state.finishing { return (.closed, nil) }
            if !force && state.queuedBytes + bytes.count > maxQueuedBytes { return (.overflow, nil) }
            state.queue.append(bytes)
            state.queuedBytes += bytes.count
            return (.written, Self.takeResume(&state))
        }
        if let resume { MHD_resume_connection(resume.pointer) }
        return result
    }

    /// Ends the stream after what is queued (plus `final`, past the limit).
    public func finish(final: [UInt8]? = nil) {
        let resume: ConnectionHandle? = state.withLock { state in
            if state.closed || state.finishing { return nil }
            if let final {
                state.queue.append(final)
                state.queuedBytes += final.count
            }
            state.finishing = true
            return Self.takeResume(&state)
        }
        if let resume { MHD_resume_connection(resume.pointer) }
    }

    /// Runs `handler` once the connection is gone (at once if it is).
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.closed { return true }
            state.closeHandlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    public var queuedBytes: Int { state.withLock { $0.queuedBytes } }
    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: Server side

    private static func takeResume(_ state: inout State) -> ConnectionHandle? {
        guard state.suspended, let connection = state.connection else { return nil }
        state.suspended = false
        return connection
    }

    func attach(to connection: ConnectionHandle) {
        state.withLock { $0.connection = connection }
    }

    /// MHD's content reader: copies queued bytes, or suspends when empty.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        state.withLock { state in
            if state.closed { return rocket_mhd_end_with_error() }
            guard state.head < state.queue.count else {
                if state.finishing { return rocket_mhd_end_of_stream() }
                if let connection = state.connection {
                    // Suspend under the lock, so that a writer sees
                    // `suspended` only once the connection really is.
                    MHD_suspend_connection(connection.pointer)
                    state.suspended = true
                }
                return 0
            }
            var written = 0
            while written < buffer.count, state.head < state.queue.count {
                let chunk = state.queue[state.head]
                let n = min(chunk.count - state.offset, buffer.count - written)
                chunk.withUnsafeBytes { source in
                    let from = UnsafeRawBufferPointer(rebasing: source[state.offset..<(state.offset + n)])
                    UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + n)]).copyMemory(from: from)
                }
                written += n
                state.offset += n
                if state.offset == chunk.count {
                    state.queue[state.head] = []
                    state.head += 1
                    state.offset = 0
                }
            }
            state.queuedBytes -= written
            if state.head > 64 && state.head * 2 > state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            return written
        }
    }

    /// The connection is gone: drop the queue and run the close handlers.
    func markClosed() {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            if state.closed { return [] }
            state.closed = true
            state.queue = []
            state.head = 0
            state.queuedBytes = 0
            state.connection = nil
            state.suspended = false
            defer { state.closeHandlers = [] }
            return state.closeHandlers
        }
        for handler in handlers { handler() }
    }
}

/// A libmicrohttpd connection pointer, passed between threads only under
/// the suspend/resume protocol above.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension PostgresConnection {
    /// `LISTEN` on a channel, quoted as an identifier, so the name is case-sensitive and may hold
    /// any character (as with `pg_notify('Name', …)`). Names longer than 63 bytes are rejected
    /// (the server would truncate them).
    ///
    /// - Throws: ``PostgresError/Code/invalidArgument`` (SQLSTATE 42602) for an empty, too long
    ///   or NUL-containing name, or the errors of ``query(_:_:)``.
    public func listen(_ channel: String) throws(PostgresError) {
        try Self.checkChannel(channel)
        try execute("LISTEN \(PostgresIdentifier.quote(channel))")
    }

    /// `UNLISTEN` a channel; notifications for it already received stay queued.
    public func unlisten(_ channel: String) throws(PostgresError) {
        try Self.checkChannel(channel)
        try execute("UNLISTEN \(PostgresIdentifier.quote(channel))")
    }

    /// Waits until notifications arrive, `wakeDescriptor` becomes readable, or `timeout` passes.
    ///
    /// Notifications already received (including those that arrived during earlier statements)
    /// are returned at once. Otherwise the call blocks in `poll()` on the connection's socket and
    /// `wakeDescriptor` (typically a ``PostgresWakeup``'s descriptor) without spinning. The wake
    /// descriptor is not read: its owner drains it. When both are ready, notifications win. A
    /// wake descriptor that is invalid or closed counts as readable (the call returns `.woken`).
    ///
    /// - Parameter timeout: nil waits indefinitely; zero or negative only checks the socket.
    /// - Throws: ``PostgresError/Code/connectionLost`` (retryable) when the connection breaks or
    ///   is closed, with SQLSTATE 57P01 if the backend was terminated; ``PostgresError/Code/systemError``
    ///   if `poll` fails for a reason other than EINTR (e.g. an invalid descriptor array).
    public func waitForNotifications(timeout: Duration?, wakeDescriptor: Int32? = nil) throws(PostgresError) -> PostgresWait {
        let connection = try liveHandle()
        let errorOffset = Self.errorMessageLength(connection)
        try consumeInput(connection, errorOffset: errorOffset)
        let buffered = drainNotifications(connection)
        if !buffered.isEmpty { return .notifications(buffered) }

        // Durations beyond ~34 years are treated as infinite (and cannot overflow the clock).
        let clock = ContinuousClock()
        let deadline = timeout.flatMap { $0 < .seconds(1 << 30) ? clock.now.advanced(by: $0) : nil }
        while true {
            let socket = PQsocket(connection)
            guard socket >= 0 else { throw connectionLostError(connection, query: nil, messageOffset: errorOffset) }
            var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if let wakeDescriptor {
                descriptors.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Self.pollTimeout(until: deadline, clock: clock))
            if ready < 0 {
                let code = errno
                if code == EINTR { continue }
                throw PostgresError(
                    code: .systemError,
                    message: "poll failed: \(String(cString: strerror(code)))",
                    isRetryable: false
                )
            }
            if ready == 0 {
                if let deadline, clock.now < deadline { continue }
                return .timedOut
            }
            if descriptors[0].revents != 0 {
                try consumeInput(connection, errorOffset: errorOffset)
                let received = drainNotifications(connection)
                if !received.isEmpty { return .notifications(received) }
            }
            if descriptors.count > 1, descriptors[1].revents != 0 {
                return .woken
            }
        }
    }

    /// Reads whatever the server sent; a failure means the connection is gone.
    private func consumeInput(_ connection: OpaquePointer, errorOffset: Int) throws(PostgresError) {
        if PQconsumeInput(connection) == 0 || PQstatus(connection) == CONNECTION_BAD {
            throw connectionLostError(connection, query: nil, messageOffset: errorOffset)
        }
    }

    private func drainNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            received.append(PostgresNotification(
                channel: notify.pointee.relname.map { String(cString: $0) } ?? "",
                payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                backendPID: notify.pointee.be_pid
            ))
            PQfreemem(notify)
        }
        return received
    }

    /// Milliseconds until `deadline`, rounded up so the wait never ends early; -1 for none.
    private static func pollTimeout(until deadline: ContinuousClock.Instant?, clock: ContinuousClock) -> Int32 {
        guard let deadline else { return -1 }
        let remaining = clock.now.duration(to: deadline)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    private static func checkChannel(_ channel: String) throws(PostgresError) {
        guard PostgresIdentifier.isValid(channel) else {
            throw PostgresError(
                code: .invalidArgument,
                message: "invalid channel name: must be 1 to \(PostgresIdentifier.maximumLength) bytes without NUL",
                sqlState: PostgresError.SQLState.invalidName,
                isRetryable: false
            )
        }
    }
}

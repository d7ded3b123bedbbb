internal import CLibPQ
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking connection to PostgreSQL through libpq.
///
/// One user at a time: the owner serialises every call (a connection pool, an actor, a thread).
/// Only ``cancel()`` may be called from another thread while a call is running.
///
/// Each session runs with `TimeZone = 'UTC'` and `extra_float_digits = 3`, client encoding UTF8;
/// every other setting is the server's default. Notices (NOTICE, WARNING) are discarded rather
/// than printed to stderr.
public final class PostgresConnection: @unchecked Sendable {
    /// The PGconn; nil once closed. Used only by the owner's thread.
    var handle: OpaquePointer?
    /// The PGcancel for ``cancel()``, guarded against a concurrent ``close()``.
    private let canceller: Mutex<CancelHandle?>
    /// Receives notices; must outlive the PGconn (it is freed in ``close()`` before this).
    let notices = PostgresNoticeLog()

    /// Connects, blocking until the connection is ready or has failed.
    ///
    /// - Parameter url: a `postgresql://` or `postgres://` URI (for a Unix socket:
    ///   `postgresql://user@/db?host=/run/postgresql&port=5432`), a `key=value` connection string,
    ///   or a bare database name; libpq's environment variables (PGHOST, …) fill the gaps.
    ///   `connect_timeout` defaults to 10 seconds unless the string sets it.
    /// - Parameter applicationName: shown in `pg_stat_activity`; overrides the string's.
    /// - Throws: ``PostgresError/Code/connectionFailed`` with libpq's message on one line and the
    ///   password redacted: retryable, except for a malformed string (not retryable).
    public init(url: String, applicationName: String = "rocket") throws(PostgresError) {
        let connectionString = PostgresConnectionString(url)
        if let syntaxError = connectionString.syntaxError {
            throw PostgresError(
                code: .connectionFailed,
                message: "invalid connection string: \(connectionString.redact(syntaxError))",
                isRetryable: false
            )
        }
        // Later keywords override earlier ones, so the string may override connect_timeout but
        // not the client encoding or the application name.
        let keywords = ["connect_timeout", "dbname", "client_encoding", "application_name"]
        let values = ["10", url, "UTF8", applicationName]
        let connection: OpaquePointer?
        do throws(PostgresError) {
            connection = try PostgresCStrings.with(keywords, describe: { _ in "a connection keyword" }) { keywords throws(PostgresError) in
                try PostgresCStrings.with(values, describe: { $0 == 3 ? "the application name" : "the connection string" }) { values in
                    PQconnectdbParams(keywords, values, 1)
                }
            }
        } catch {
            throw PostgresError(code: .connectionFailed, message: error.message, isRetryable: false)
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "out of memory while connecting")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PQerrorMessage(connection).map { connectionString.redact(String(cString: $0)) }
            PQfinish(connection)
            let text = message.flatMap { $0.isEmpty ? nil : $0 } ?? "could not connect to the server"
            throw PostgresError(code: .connectionFailed, message: text,
                                isRetryable: !Self.isMisconfiguration(text))
        }
        handle = connection
        canceller = Mutex(PQgetCancel(connection).map(CancelHandle.init))
        notices.install(on: connection)
        do throws(PostgresError) {
            try execute("SET TimeZone = 'UTC'; SET extra_float_digits = 3")
        } catch {
            close()
            throw PostgresError(
                code: .connectionFailed,
                message: "could not configure the session: \(error.message)",
                sqlState: error.sqlState
            )
        }
    }

    deinit {
        close()
    }

    /// A server that is down (refused, no socket yet, starting up) may come
    /// back; a name that does not resolve, a refused login or a missing
    /// database will not until someone changes the configuration.
    static func isMisconfiguration(_ message: String) -> Bool {
        let permanent = [
            "could not translate host name", "password authentication failed", "no pg_hba.conf entry",
            "does not exist", "authentication failed", "invalid connection option", "invalid port number",
        ]
        let lowered = message.lowercased()
        return permanent.contains { lowered.contains($0) }
    }

    /// Closes the connection. Idempotent; later calls other than ``close()`` and the properties
    /// throw ``PostgresError/Code/connectionLost``.
    public func close() {
        canceller.withLock { cancel in
            if let handle = cancel {
                PQfreeCancel(handle.pointer)
                cancel = nil
            }
        }
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// Asks the server to cancel the statement running on this connection; that statement then
    /// fails with SQLSTATE 57014 (``PostgresError/SQLState/queryCanceled``). Safe to call from
    /// any thread. Does nothing if the connection is closed; if nothing is running, the server
    /// ignores the request (a statement started right after the request may still be cancelled).
    public func cancel() {
        canceller.withLock { cancel in
            guard let handle = cancel else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle.pointer, &buffer, Int32(buffer.count))
        }
    }

    /// Whether the connection is open and libpq considers it healthy. A connection lost while
    /// idle is only noticed by the next call that touches the socket.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The process ID of the server backend (as in `pg_backend_pid()`); 0 once closed.
    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// The server version as an integer, e.g. 150018 for 15.18; 0 once closed.
    public var serverVersion: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    /// A PGcancel: libpq documents PQcancel as safe from any thread (even a signal handler).
    private struct CancelHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// The open PGconn, or ``PostgresError/closed``.
    func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError.closed }
        return handle
    }

    /// The error for a connection that went bad: libpq's message, or better, the FATAL error
    /// the server sent before closing (e.g. 57P01 from `pg_terminate_backend`).
    ///
    /// - Parameter messageOffset: the length of PQerrorMessage before the failing call; only the
    ///   text appended after it is used (libpq keeps the previous statement's error until the
    ///   next statement, so a wait would otherwise report it).
    func connectionLostError(
        _ connection: OpaquePointer,
        query: String?,
        base: PostgresError? = nil,
        messageOffset: Int = 0
    ) -> PostgresError {
        var error = base ?? PostgresError(
            code: .connectionLost,
            message: Self.errorMessage(connection, from: messageOffset) ?? "the connection to the server was lost",
            query: query
        )
        if error.sqlState == nil, let fatal = notices.lastFatal {
            error.sqlState = fatal.sqlState
            error.detail = [error.message, fatal.detail].compactMap { $0 }.joined(separator: " ")
            error.message = fatal.message
        }
        error.code = .connectionLost
        error.isRetryable = true
        return error
    }

    /// The length in bytes of libpq's current error message.
    static func errorMessageLength(_ connection: OpaquePointer) -> Int {
        PQerrorMessage(connection).map { Int(strlen($0)) } ?? 0
    }

    /// libpq's error message from byte `offset` on (all of it if it got shorter), cleaned; nil if empty.
    private static func errorMessage(_ connection: OpaquePointer, from offset: Int) -> String? {
        guard let text = PQerrorMessage(connection) else { return nil }
        let length = Int(strlen(text))
        let start = offset < length ? offset : 0
        let bytes = UnsafeRawBufferPointer(start: text + start, count: length - start)
        let message = PostgresError.cleanMessage(String(decoding: bytes, as: UTF8.self))
        return message.isEmpty ? nil : message
    }
}

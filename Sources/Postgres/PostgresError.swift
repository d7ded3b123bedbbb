/// An error from the PostgreSQL client: a failed connection, a lost connection, an error the
/// server returned for a statement, or a result this client cannot handle.
///
/// Compare ``code`` against the static members of ``Code`` and ``sqlState`` against the
/// constants in ``SQLState``:
///
/// ```swift
/// catch let error as PostgresError where error.sqlState == PostgresError.SQLState.uniqueViolation { … }
/// ```
///
/// ``description`` is safe to log and to show: it holds the code, the SQLSTATE, the server's
/// primary message, its hint and the names of the objects involved. It never holds the query text,
/// the server's DETAIL (which may quote row values), bound parameter values or passwords.
/// ``debugDescription`` adds the detail and the query text (never parameter values or passwords).
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, broadly. Compare with `==` against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed, connectionLost, queryFailed, protocolError, unexpectedResult
            case timeout, invalidArgument, systemError
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// Could not connect (unreachable server, refused or failed authentication, malformed URL).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke (server terminated it, network failure) or was already closed.
        public static let connectionLost = Code(.connectionLost)
        /// The server returned an error for a statement; see ``PostgresError/sqlState``.
        public static let queryFailed = Code(.queryFailed)
        /// libpq failed without a server error (out of memory, could not send).
        public static let protocolError = Code(.protocolError)
        /// The statement produced a result this client does not handle (COPY, an empty query, …).
        public static let unexpectedResult = Code(.unexpectedResult)
        /// A deadline expired. Not thrown by this module itself; for callers that enforce deadlines.
        public static let timeout = Code(.timeout)
        /// An argument cannot be sent: a NUL byte in SQL text or a parameter, an invalid channel name.
        public static let invalidArgument = Code(.invalidArgument)
        /// A system call (poll, eventfd) failed.
        public static let systemError = Code(.systemError)

        public var description: String { base.rawValue }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// The five-character SQLSTATE, when the server (or this client, mirroring it) supplied one.
    public var sqlState: String?
    /// The server's primary message, or libpq's message, trimmed to a single line.
    public var message: String
    /// The server's DETAIL. May quote row values, so it only appears in ``debugDescription``.
    public var detail: String?
    /// The server's HINT.
    public var hint: String?
    public var schemaName: String?
    public var tableName: String?
    public var columnName: String?
    public var dataTypeName: String?
    public var constraintName: String?
    /// The SQL text that failed, if any. Appears in ``debugDescription`` only.
    public var query: String?
    /// Whether reconnecting and trying again may succeed: connection failures and losses, SQLSTATE
    /// class 08, 57P01, 57P02, 57P03 and 53300. False for malformed connection strings and for
    /// statement errors (missing tables, constraint violations, syntax errors, cancellations…).
    public var isRetryable: Bool

    /// Creates an error; `isRetryable` defaults to the classification described on the property.
    public init(
        code: Code,
        message: String,
        sqlState: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        schemaName: String? = nil,
        tableName: String? = nil,
        columnName: String? = nil,
        dataTypeName: String? = nil,
        constraintName: String? = nil,
        query: String? = nil,
        isRetryable: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.schemaName = schemaName
        self.tableName = tableName
        self.columnName = columnName
        self.dataTypeName = dataTypeName
        self.constraintName = constraintName
        self.query = query
        self.isRetryable = isRetryable ?? Self.defaultRetryable(code: code, sqlState: sqlState)
    }

    /// True when ``sqlState`` is in class 22 (data exception: bad input syntax, out of range…).
    public var isDataException: Bool { SQLState.isDataException(sqlState) }

    /// True when ``sqlState`` is in class 23 (integrity constraint violation: unique, foreign key…).
    public var isIntegrityConstraintViolation: Bool { SQLState.isIntegrityConstraintViolation(sqlState) }

    public var description: String {
        var text = "PostgresError.\(code)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        text += ": \(message)"
        let objects = [
            ("schema", schemaName), ("table", tableName), ("column", columnName),
            ("type", dataTypeName), ("constraint", constraintName),
        ].compactMap { label, value in value.map { "\(label) \($0)" } }
        if !objects.isEmpty { text += " [\(objects.joined(separator: ", "))]" }
        if let hint { text += " Hint: \(hint)" }
        return text
    }

    public var debugDescription: String {
        var text = description
        if let detail { text += " Detail: \(detail)" }
        text += isRetryable ? " (retryable)" : " (not retryable)"
        if let query { text += " Query: \(query)" }
        return text
    }

    static func defaultRetryable(code: Code, sqlState: String?) -> Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        return SQLState.isConnectionProblem(sqlState)
    }
}

extension PostgresConnection {
    /// Runs `body` between BEGIN and COMMIT. If `body` throws, the transaction is rolled back
    /// and the original error is rethrown (a failing ROLLBACK, e.g. on a lost connection, is
    /// ignored). Not reentrant: do not start a transaction inside `body`.
    ///
    /// If a statement failed inside `body` but `body` caught the error and returned, the server
    /// turns COMMIT into ROLLBACK; this is reported as ``PostgresError/Code/queryFailed`` with
    /// SQLSTATE 25P02 (``PostgresError/SQLState/inFailedSQLTransaction``) rather than ignored.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try runTransaction(begin: "BEGIN", body)
    }

    /// Like ``transaction(_:)`` with an isolation level, optionally READ ONLY. Under
    /// `.repeatableRead` and `.serializable`, callers should retry on SQLSTATE 40001
    /// (``PostgresError/SQLState/serializationFailure``).
    public func transaction<T>(
        isolation: PostgresIsolationLevel,
        readOnly: Bool = false,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        let mode = readOnly ? "READ ONLY" : "READ WRITE"
        return try runTransaction(begin: "BEGIN ISOLATION LEVEL \(isolation.sql) \(mode)", body)
    }

    private func runTransaction<T>(begin: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try execute(begin)
        let value: T
        do {
            value = try body(self)
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        let commit = try query("COMMIT")
        if commit.commandTag == "ROLLBACK" {
            throw PostgresError(
                code: .queryFailed,
                message: "the transaction was rolled back at COMMIT because a statement in it failed",
                sqlState: PostgresError.SQLState.inFailedSQLTransaction,
                query: "COMMIT"
            )
        }
        return value
    }
}

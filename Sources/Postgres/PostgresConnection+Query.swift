internal import CLibPQ

extension PostgresConnection {
    /// Runs one statement with `$1`, `$2`, … parameters (PQexecParams).
    ///
    /// Parameters and results use the text format; nil is SQL NULL. Parameter types are left to
    /// the server to infer, so cast where the context does not say (`$1::bigint`). The whole
    /// result is buffered in memory; ``PostgresResult`` reads values in place.
    ///
    /// - Throws: ``PostgresError/Code/queryFailed`` with the server's error fields;
    ///   ``PostgresError/Code/connectionLost`` if the connection broke or is closed;
    ///   ``PostgresError/Code/invalidArgument`` for a NUL byte in the SQL or a parameter;
    ///   ``PostgresError/Code/unexpectedResult`` for COPY or an empty statement.
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresResult {
        let connection = try liveHandle()
        guard !sql.utf8.contains(0) else { throw PostgresError.nulByte(in: "the SQL text", query: sql) }
        guard parameters.count <= 65535 else {
            throw PostgresError(code: .invalidArgument, message: "more than 65535 parameters", query: sql)
        }
        let result = try PostgresCStrings.with(parameters, describe: { "parameter $\($0 + 1)" }, query: sql) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try checked(result, connection: connection, query: sql)
    }

    /// Runs a script of one or more `;`-separated statements without parameters (PQexec), such as
    /// a migration. Outside an explicit transaction the statements run in one implicit transaction;
    /// the first error stops the script and is thrown.
    public func execute(_ sql: String) throws(PostgresError) {
        let connection = try liveHandle()
        guard !sql.utf8.contains(0) else { throw PostgresError.nulByte(in: "the SQL text", query: sql) }
        _ = try checked(PQexec(connection, sql), connection: connection, query: sql)
    }

    /// Wraps a successful result, or throws the right error for anything else.
    private func checked(_ result: OpaquePointer?, connection: OpaquePointer, query: String) throws(PostgresError) -> PostgresResult {
        guard let result else {
            if PQstatus(connection) == CONNECTION_BAD {
                throw connectionLostError(connection, query: query)
            }
            throw PostgresError(connection: connection, code: .protocolError, query: query, fallback: "libpq returned no result")
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
            return PostgresResult(taking: result)
        }
        if status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR {
            var error = PostgresError(result: result, code: .queryFailed, query: query)
            PQclear(result)
            if PQstatus(connection) == CONNECTION_BAD {
                error = connectionLostError(connection, query: query, base: error)
            }
            throw error
        }
        let name = PQresStatus(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
        PQclear(result)
        abandonCopy(connection, status: status)
        throw PostgresError(code: .unexpectedResult, message: "unexpected result \(name)", query: query, isRetryable: false)
    }

    /// Leaves a COPY started by a statement (which this client does not support) so the
    /// connection can run the next statement: COPY FROM STDIN is ended with an error, COPY TO
    /// STDOUT is read and discarded, and the remaining results are cleared.
    private func abandonCopy(_ connection: OpaquePointer, status: ExecStatusType) {
        var status = status
        for _ in 0..<1000 {
            if status == PGRES_COPY_IN || status == PGRES_COPY_BOTH {
                _ = PQputCopyEnd(connection, "COPY is not supported by this client")
            } else if status == PGRES_COPY_OUT {
                var buffer: UnsafeMutablePointer<CChar>?
                while true {
                    let count = PQgetCopyData(connection, &buffer, 0)
                    if let row = buffer { PQfreemem(row) }
                    buffer = nil
                    if count < 0 { break }
                }
            }
            guard let next = PQgetResult(connection) else { return }
            status = PQresultStatus(next)
            PQclear(next)
            if PQstatus(connection) == CONNECTION_BAD { return }
        }
    }
}

internal import CLibPQ

/// Building errors from libpq's PGresult and PGconn (internal).
extension PostgresError {
    /// An error carrying every field of an error (or notice) result.
    init(result: OpaquePointer, code: Code, query: String?, fallbackMessage: String? = nil) {
        func field(_ letter: Unicode.Scalar) -> String? {
            guard let value = PQresultErrorField(result, Int32(letter.value)) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        let primary = field("M").map(Self.cleanMessage)
        let whole = PQresultErrorMessage(result).map { Self.cleanMessage(String(cString: $0)) }
        let message = [primary, whole, fallbackMessage].compactMap { $0 }.first { !$0.isEmpty }
        self.init(
            code: code,
            message: message ?? "unknown error",
            sqlState: field("C"),
            detail: field("D"),
            hint: field("H"),
            schemaName: field("s"),
            tableName: field("t"),
            columnName: field("c"),
            dataTypeName: field("d"),
            constraintName: field("n"),
            query: query
        )
    }

    /// An error from the connection's last libpq message (no server fields).
    init(connection: OpaquePointer?, code: Code, query: String?, fallback: String) {
        let text = connection.flatMap { PQerrorMessage($0) }.map { Self.cleanMessage(String(cString: $0)) }
        self.init(code: code, message: text.flatMap { $0.isEmpty ? nil : $0 } ?? fallback, query: query)
    }

    /// The SQL text or a parameter contains a NUL byte, which libpq's C strings cannot carry.
    static func nulByte(in what: String, query: String?) -> PostgresError {
        PostgresError(
            code: .invalidArgument,
            message: "\(what) contains a NUL byte, which PostgreSQL text cannot hold",
            sqlState: SQLState.characterNotInRepertoire,
            query: query,
            isRetryable: false
        )
    }

    static let closed = PostgresError(code: .connectionLost, message: "the connection is closed", isRetryable: true)

    /// libpq messages span lines ("…failed: No such file\n\tIs the server running…?\n"):
    /// trim each line and join them with single spaces. Spaces inside a line are kept.
    static func cleanMessage(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { line in
                let start = line.firstIndex { !$0.isWhitespace } ?? line.endIndex
                let end = line.lastIndex { !$0.isWhitespace }.map(line.index(after:)) ?? start
                return line[start..<max(start, end)]
            }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

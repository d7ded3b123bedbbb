internal import CLibPQ

/// The rows of a successful statement, held in libpq's buffer until this object is released.
///
/// Values are in PostgreSQL's text format. ``subscript(row:column:)`` copies one value into a
/// `String`; ``withUnsafeBytes(row:column:_:)`` reads it in place, without copying, which matters
/// for values of many megabytes. Immutable, so it may be shared between threads. Row and column
/// indexes are zero-based; an index out of range is a programming error and traps.
public final class PostgresResult: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Number of rows (0 for statements that return none).
    public let rowCount: Int
    /// Number of columns.
    public let columnCount: Int
    /// Column names exactly as the server sent them (no case folding).
    public let columnNames: [String]

    /// Takes ownership of a PGresult; cleared in deinit.
    init(taking handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
        columnNames = (0..<columnCount).map { column in
            PQfname(handle, Int32(column)).map { String(cString: $0) } ?? ""
        }
    }

    deinit {
        PQclear(handle)
    }

    /// The index of the first column with exactly this name (case-sensitive, unlike PQfnumber).
    public func columnIndex(named name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    /// The value as text, nil for SQL NULL.
    public subscript(row row: Int, column column: Int) -> String? {
        if isNull(row: row, column: column) { return nil }
        return withUnsafeBytes(row: row, column: column) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the value is SQL NULL.
    public func isNull(row: Int, column: Int) -> Bool {
        checkBounds(row: row, column: column)
        return PQgetisnull(handle, Int32(row), Int32(column)) != 0
    }

    /// Calls `body` with the value's UTF-8 text in libpq's buffer (no terminating NUL). The
    /// buffer is valid only during the call. SQL NULL gives an empty buffer: check ``isNull(row:column:)``.
    public func withUnsafeBytes<R>(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        checkBounds(row: row, column: column)
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        guard let value = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// Rows affected by INSERT, UPDATE, DELETE, MERGE, SELECT, MOVE, FETCH or COPY (PQcmdTuples);
    /// 0 for other statements.
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The command tag, e.g. "INSERT 0 2", "UPDATE 3", "CREATE TABLE".
    public var commandTag: String {
        PQcmdStatus(handle).map { String(cString: $0) } ?? ""
    }

    private func checkBounds(row: Int, column: Int) {
        precondition(row >= 0 && row < rowCount, "row \(row) out of range 0..<\(rowCount)")
        precondition(column >= 0 && column < columnCount, "column \(column) out of range 0..<\(columnCount)")
    }
}

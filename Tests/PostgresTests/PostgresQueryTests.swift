import Postgres
import Testing

@Suite("PostgresConnection: queries, parameters and results")
struct PostgresQueryTests {
    @Test(arguments: [
        ("text", "plain"),
        ("text", ""),
        ("text", "ünïcødé 日本語 🚀"),
        ("text", "it's \"quoted\" ''"),
        ("text", #"back\slash \n \\ \'"#),
        ("text", "line\nbreak\ttab"),
        ("bigint", "9007199254740993"),
        ("bigint", "-9223372036854775808"),
        ("numeric", "123456789012345678901234567890"),
        ("numeric", "-12345678901234567890.123456789012345678901234567890"),
        ("jsonb", #"{"a": [1, 2.5, "x\"y"]}"#),
    ])
    func parametersRoundTripAsText(type: String, value: String) throws {
        let connection = try TestDatabase.connect()
        let result = try connection.query("SELECT $1::\(type)", [value])
        #expect(result[row: 0, column: 0] == value)
        #expect(!result.isNull(row: 0, column: 0))
    }

    @Test func nullParametersAndResults() throws {
        let connection = try TestDatabase.connect()
        let result = try connection.query("SELECT $1::text, $1::text IS NULL, $2::int, NULL", [nil, "5"])
        #expect(result[row: 0, column: 0] == nil)
        #expect(result.isNull(row: 0, column: 0))
        #expect(result[row: 0, column: 1] == "t")
        #expect(result[row: 0, column: 2] == "5")
        #expect(result.isNull(row: 0, column: 3))
        result.withUnsafeBytes(row: 0, column: 0) { #expect($0.isEmpty) }
    }

    @Test func oneMegabyteParameter() throws {
        let connection = try TestDatabase.connect()
        let value = String(repeating: "aé€😀\\'\"", count: 1 << 17)
        #expect(value.utf8.count > 1_000_000)
        let result = try connection.query("SELECT $1::text, octet_length($1::text)", [value])
        #expect(result[row: 0, column: 0] == value)
        #expect(result[row: 0, column: 1] == String(value.utf8.count))
        let matches = result.withUnsafeBytes(row: 0, column: 0) { bytes in
            bytes.count == value.utf8.count && bytes.elementsEqual(value.utf8)
        }
        #expect(matches)
    }

    @Test func largeValuesAreReadInPlace() throws {
        let connection = try TestDatabase.connect()
        let result = try connection.query("SELECT repeat('x', 32 * 1024 * 1024)")
        let (count, allX) = result.withUnsafeBytes(row: 0, column: 0) { bytes in
            (bytes.count, bytes.allSatisfy { $0 == UInt8(ascii: "x") })
        }
        #expect(count == 32 * 1024 * 1024)
        #expect(allX)
    }

    @Test func multiStatementExecute() throws {
        let connection = try TestDatabase.connect()
        let table = PostgresIdentifier.quote(TestDatabase.uniqueName("multi"))
        try connection.execute("""
            CREATE TEMP TABLE \(table) (id int PRIMARY KEY, name text);
            INSERT INTO \(table) VALUES (1, 'one');
            INSERT INTO \(table) VALUES (2, 'two; not a statement');
            """)
        let result = try connection.query("SELECT name FROM \(table) ORDER BY id")
        #expect(result.rowCount == 2)
        #expect(result[row: 1, column: 0] == "two; not a statement")
        // The first failing statement stops the script.
        let error = try #require(throws: PostgresError.self) {
            try connection.execute("INSERT INTO \(table) VALUES (3, 'x'); SELECT * FROM no_such_table_rocket; INSERT INTO \(table) VALUES (4, 'y')")
        }
        #expect(error.sqlState == PostgresError.SQLState.undefinedTable)
        #expect(try connection.query("SELECT count(*) FROM \(table)")[row: 0, column: 0] == "2")
    }

    @Test func resultMetadata() throws {
        let connection = try TestDatabase.connect()
        let table = PostgresIdentifier.quote(TestDatabase.uniqueName("meta"))
        try connection.execute("CREATE TEMP TABLE \(table) (id int, \"Name\" text, name text)")
        let insert = try connection.query("INSERT INTO \(table) VALUES ($1, $2, $3), (2, 'b', 'c'), (3, NULL, NULL)", ["1", "A", "a"])
        #expect(insert.affectedRows == 3)
        #expect(insert.commandTag == "INSERT 0 3")
        #expect(insert.rowCount == 0)
        let update = try connection.query("UPDATE \(table) SET name = 'z' WHERE id >= $1", ["2"])
        #expect(update.affectedRows == 2)
        #expect(update.commandTag == "UPDATE 2")
        let select = try connection.query("SELECT id, \"Name\", name FROM \(table) ORDER BY id")
        #expect(select.columnNames == ["id", "Name", "name"])
        #expect(select.columnIndex(named: "Name") == 1)
        #expect(select.columnIndex(named: "name") == 2)
        #expect(select.columnIndex(named: "NAME") == nil)
        #expect(select.affectedRows == 3)
        #expect(select.commandTag == "SELECT 3")
        #expect(select[row: 2, column: 1] == nil)
        let create = try connection.query("CREATE TEMP TABLE \(PostgresIdentifier.quote(TestDatabase.uniqueName("t"))) (x int)")
        #expect(create.affectedRows == 0)
        #expect(create.commandTag == "CREATE TABLE")
    }

    @Test func nulBytesAreRejectedNotTruncated() throws {
        let connection = try TestDatabase.connect()
        let parameterError = try #require(throws: PostgresError.self) {
            _ = try connection.query("SELECT $1::text, $2::text", ["ok", "a\u{0}b"])
        }
        #expect(parameterError.code == .invalidArgument)
        #expect(parameterError.message.contains("$2"))
        #expect(parameterError.isDataException)
        let sqlError = try #require(throws: PostgresError.self) { try connection.execute("SELECT 1\u{0}; DROP TABLE x") }
        #expect(sqlError.code == .invalidArgument)
        #expect(try connection.query("SELECT 'still usable'")[row: 0, column: 0] == "still usable")
    }

    @Test func unsupportedResultsLeaveTheConnectionUsable() throws {
        let connection = try TestDatabase.connect()
        let empty = try #require(throws: PostgresError.self) { _ = try connection.query("") }
        #expect(empty.code == .unexpectedResult)
        let copyOut = try #require(throws: PostgresError.self) { _ = try connection.query("COPY (SELECT generate_series(1, 1000)) TO STDOUT") }
        #expect(copyOut.code == .unexpectedResult)
        let table = PostgresIdentifier.quote(TestDatabase.uniqueName("copy"))
        try connection.execute("CREATE TEMP TABLE \(table) (x int)")
        let copyIn = try #require(throws: PostgresError.self) { try connection.execute("COPY \(table) FROM STDIN") }
        #expect(copyIn.code == .unexpectedResult)
        #expect(try connection.query("SELECT count(*) FROM \(table)")[row: 0, column: 0] == "0")
        #expect(connection.isConnected)
    }
}

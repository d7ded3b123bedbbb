import Postgres
import Testing

@Suite("PostgresError: server errors, classification and descriptions")
struct PostgresErrorTests {
    @Test func uniqueViolationCarriesTheServerFields() throws {
        try TestDatabase.withSchema { connection, schema in
            let table = PostgresIdentifier.quoteQualified(schema: schema, name: "users")
            try connection.execute("CREATE TABLE \(table) (id int PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE)")
            _ = try connection.query("INSERT INTO \(table) VALUES (1, $1)", ["secret-value@example.com"])
            let sql = "INSERT INTO \(table) VALUES (2, $1)"
            let error = try #require(throws: PostgresError.self) {
                _ = try connection.query(sql, ["secret-value@example.com"])
            }
            #expect(error.code == .queryFailed)
            #expect(error.sqlState == PostgresError.SQLState.uniqueViolation)
            #expect(error.sqlState == "23505")
            #expect(error.constraintName == "users_email_key")
            #expect(error.tableName == "users")
            #expect(error.schemaName == schema)
            #expect(error.message.contains("users_email_key"))
            #expect(error.detail?.contains("secret-value@example.com") == true)
            #expect(error.isIntegrityConstraintViolation)
            #expect(!error.isDataException)
            #expect(!error.isRetryable)
            // Row values (DETAIL) and parameters stay out of the descriptions; the query only in debug.
            #expect(!error.description.contains("secret-value"))
            #expect(!error.description.contains(sql))
            #expect(error.debugDescription.contains(sql))
            #expect(try connection.query("SELECT 'usable after an error'").rowCount == 1)
        }
    }

    @Test func syntaxErrorKeepsTheQueryOutOfTheDescription() throws {
        let connection = try TestDatabase.connect()
        let sql = "SELECT 1 FROM FROM secret_marker_table_xyz"
        let error = try #require(throws: PostgresError.self) { _ = try connection.query(sql) }
        #expect(error.code == .queryFailed)
        #expect(error.sqlState == PostgresError.SQLState.syntaxError)
        #expect(error.sqlState == "42601")
        #expect(!error.description.contains(sql))
        #expect(!error.description.contains("secret_marker_table_xyz"))
        #expect(error.debugDescription.contains(sql))
        #expect(error.query == sql)
        #expect(!error.isRetryable)
    }

    @Test(arguments: [
        ("SELECT * FROM no_such_table_rocket", PostgresError.SQLState.undefinedTable),
        ("SELECT no_such_column_rocket FROM pg_class", PostgresError.SQLState.undefinedColumn),
        ("SELECT no_such_function_rocket(1)", PostgresError.SQLState.undefinedFunction),
        ("SELECT 'abc'::int", PostgresError.SQLState.invalidTextRepresentation),
        ("SELECT 99999999999::int", PostgresError.SQLState.numericValueOutOfRange),
        ("SELECT 'not a date'::date", PostgresError.SQLState.invalidDatetimeFormat),
        ("SELECT '2024-13-45'::date", PostgresError.SQLState.datetimeFieldOverflow),
        ("SELECT 'abcdef'::varchar(2)::char(1)", nil),
        ("SELECT 1/0", PostgresError.SQLState.divisionByZero),
    ])
    func serverErrorsMapToSQLStates(sql: String, expected: String?) throws {
        let connection = try TestDatabase.connect()
        do {
            _ = try connection.query(sql)
            #expect(expected == nil, "\(sql) should have failed")
        } catch {
            #expect(error.code == .queryFailed)
            #expect(error.sqlState == expected)
            #expect(!error.isRetryable)
            #expect(error.isDataException == (expected?.hasPrefix("22") ?? false))
        }
    }

    @Test func stringTruncationIsADataException() throws {
        let connection = try TestDatabase.connect()
        let table = PostgresIdentifier.quote(TestDatabase.uniqueName("trunc"))
        try connection.execute("CREATE TEMP TABLE \(table) (code varchar(2) NOT NULL CHECK (code <> 'no'))")
        let long = try #require(throws: PostgresError.self) { _ = try connection.query("INSERT INTO \(table) VALUES ($1)", ["abc"]) }
        #expect(long.sqlState == PostgresError.SQLState.stringDataRightTruncation)
        #expect(long.isDataException)
        let null = try #require(throws: PostgresError.self) { _ = try connection.query("INSERT INTO \(table) VALUES ($1)", [nil]) }
        #expect(null.sqlState == PostgresError.SQLState.notNullViolation)
        #expect(null.columnName == "code")
        let check = try #require(throws: PostgresError.self) { _ = try connection.query("INSERT INTO \(table) VALUES ('no')") }
        #expect(check.sqlState == PostgresError.SQLState.checkViolation)
        #expect(check.isIntegrityConstraintViolation)
    }

    @Test func retryableClassification() {
        #expect(PostgresError(code: .connectionFailed, message: "x").isRetryable)
        #expect(PostgresError(code: .connectionLost, message: "x").isRetryable)
        for state in ["08006", "08001", "57P01", "57P02", "57P03", "53300"] {
            #expect(PostgresError(code: .queryFailed, message: "x", sqlState: state).isRetryable, "\(state)")
        }
        for state in ["42P01", "23505", "57014", "22P02", "40001", "28P01"] {
            #expect(!PostgresError(code: .queryFailed, message: "x", sqlState: state).isRetryable, "\(state)")
        }
        #expect(!PostgresError(code: .connectionFailed, message: "x", isRetryable: false).isRetryable)
    }

    @Test func codesAndHelpers() {
        #expect(PostgresError.Code.queryFailed == .queryFailed)
        #expect(PostgresError.Code.queryFailed != .connectionLost)
        #expect(PostgresError.Code.protocolError != .unexpectedResult)
        #expect(PostgresError.Code.timeout.description == "timeout")
        #expect(PostgresError.SQLState.isDataException("22P02"))
        #expect(!PostgresError.SQLState.isDataException(nil))
        #expect(PostgresError.SQLState.isIntegrityConstraintViolation("23503"))
        #expect(PostgresError.SQLState.foreignKeyViolation == "23503")
        #expect(PostgresError.SQLState.invalidParameterValue == "22023")
        #expect(PostgresError.SQLState.serializationFailure == "40001")
        #expect(PostgresError.SQLState.adminShutdown == "57P01")
        let error = PostgresError(
            code: .queryFailed, message: "boom", sqlState: "23505", detail: "Key (x)=(1) exists",
            hint: "try again", constraintName: "c", query: "SELECT secret"
        )
        #expect(error.description == "PostgresError.queryFailed (SQLSTATE 23505): boom [constraint c] Hint: try again")
        #expect(error.debugDescription.contains("Key (x)=(1) exists"))
        #expect(error.debugDescription.contains("SELECT secret"))
    }
}

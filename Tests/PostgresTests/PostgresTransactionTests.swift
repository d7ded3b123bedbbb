import Postgres
import Testing

@Suite("PostgresConnection: transactions")
struct PostgresTransactionTests {
    struct Boom: Error {}

    private func scratch() throws -> (PostgresConnection, String) {
        let connection = try TestDatabase.connect()
        let table = PostgresIdentifier.quote(TestDatabase.uniqueName("tx"))
        try connection.execute("CREATE TEMP TABLE \(table) (id int PRIMARY KEY)")
        return (connection, table)
    }

    private func count(_ connection: PostgresConnection, _ table: String) throws -> String? {
        try connection.query("SELECT count(*) FROM \(table)")[row: 0, column: 0]
    }

    @Test func commits() throws {
        let (connection, table) = try scratch()
        let value = try connection.transaction { tx in
            _ = try tx.query("INSERT INTO \(table) VALUES (1), (2)")
            return 42
        }
        #expect(value == 42)
        #expect(try count(connection, table) == "2")
    }

    @Test func rollsBackAndRethrowsTheOriginalError() throws {
        let (connection, table) = try scratch()
        #expect(throws: Boom.self) {
            try connection.transaction { tx in
                _ = try tx.query("INSERT INTO \(table) VALUES (1)")
                throw Boom()
            }
        }
        #expect(try count(connection, table) == "0")
        let error = try #require(throws: PostgresError.self) {
            try connection.transaction { tx in
                _ = try tx.query("INSERT INTO \(table) VALUES (1)")
                _ = try tx.query("INSERT INTO \(table) VALUES (1)")
            }
        }
        #expect(error.sqlState == PostgresError.SQLState.uniqueViolation)
        #expect(try count(connection, table) == "0")
        // Not left inside a transaction: each statement gets its own transaction ID.
        let first = try connection.query("SELECT txid_current()")[row: 0, column: 0]
        let second = try connection.query("SELECT txid_current()")[row: 0, column: 0]
        #expect(first != second)
    }

    @Test func aSwallowedFailureMakesCommitThrow() throws {
        let (connection, table) = try scratch()
        let error = try #require(throws: PostgresError.self) {
            try connection.transaction { tx in
                _ = try tx.query("INSERT INTO \(table) VALUES (1)")
                _ = try? tx.query("SELECT * FROM no_such_table_rocket")
            }
        }
        #expect(error.sqlState == PostgresError.SQLState.inFailedSQLTransaction)
        #expect(try count(connection, table) == "0")
    }

    @Test func isolationAndReadOnly() throws {
        try TestDatabase.withSchema { connection, schema in
            // A regular table: PostgreSQL lets read-only transactions write temporary tables.
            let table = PostgresIdentifier.quoteQualified(schema: schema, name: "items")
            try connection.execute("CREATE TABLE \(table) (id int PRIMARY KEY)")
            let level = try connection.transaction(isolation: .repeatableRead, readOnly: true) { tx in
                try tx.query("SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')")
            }
            #expect(level[row: 0, column: 0] == "repeatable read")
            #expect(level[row: 0, column: 1] == "on")
            let error = try #require(throws: PostgresError.self) {
                try connection.transaction(isolation: .serializable, readOnly: true) { tx in
                    _ = try tx.query("INSERT INTO \(table) VALUES (1)")
                }
            }
            #expect(error.sqlState == PostgresError.SQLState.readOnlySQLTransaction)
            let writable = try connection.transaction(isolation: .serializable) { tx in
                _ = try tx.query("INSERT INTO \(table) VALUES (1)")
                return try tx.query("SELECT current_setting('transaction_isolation')")[row: 0, column: 0]
            }
            #expect(writable == "serializable")
            #expect(try count(connection, table) == "1")
        }
    }
}

import Foundation
import Postgres
import Testing

@Suite("PostgresConnection: connecting and session settings")
struct PostgresConnectionTests {
    @Test func connectsAndRunsASimpleQuery() throws {
        let connection = try TestDatabase.connect()
        #expect(connection.isConnected)
        let result = try connection.query("SELECT 1 + 1 AS two, pg_backend_pid()::text AS pid")
        #expect(result.rowCount == 1)
        #expect(result.columnCount == 2)
        #expect(result.columnNames == ["two", "pid"])
        #expect(result[row: 0, column: 0] == "2")
        #expect(result[row: 0, column: 1] == String(connection.backendPID))
        #expect(connection.backendPID > 0)
        #expect(connection.serverVersion >= 150000)
    }

    @Test func sessionSettings() throws {
        let connection = try TestDatabase.connect(applicationName: "rocket custom")
        func show(_ setting: String) throws -> String? {
            try connection.query("SELECT current_setting($1)", [setting])[row: 0, column: 0]
        }
        #expect(try show("TimeZone") == "UTC")
        #expect(try show("extra_float_digits") == "3")
        #expect(try show("client_encoding") == "UTF8")
        #expect(try show("application_name") == "rocket custom")
        #expect(try show("DateStyle") == "ISO, MDY")
        let time = try connection.query("SELECT '2024-01-01 12:00:00+02'::timestamptz::text")
        #expect(time[row: 0, column: 0] == "2024-01-01 10:00:00+00")
    }

    @Test func acceptsKeyValueConnectionStrings() throws {
        let host = try TestDatabase.environment("ROCKET_TEST_PGHOST")
        let port = try TestDatabase.environment("ROCKET_TEST_PGPORT")
        let connection = try PostgresConnection(url: "host=\(host) port=\(port) user=postgres dbname=postgres")
        #expect(try connection.query("SELECT current_user")[row: 0, column: 0] == "postgres")
    }

    @Test func closeIsIdempotentAndLaterCallsFail() throws {
        let connection = try TestDatabase.connect()
        connection.close()
        connection.close()
        #expect(!connection.isConnected)
        #expect(connection.backendPID == 0)
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error.code == .connectionLost)
        #expect(throws: PostgresError.self) { try connection.execute("SELECT 1") }
        #expect(throws: PostgresError.self) { try connection.waitForNotifications(timeout: .zero) }
        connection.cancel()
    }

    @Test func unreachableServerIsARetryableConnectionFailure() throws {
        let error = try #require(throws: PostgresError.self) {
            _ = try PostgresConnection(url: "postgresql://postgres@/postgres?host=/nonexistent-rocket-socket-dir&port=5432")
        }
        #expect(error.code == .connectionFailed)
        #expect(error.isRetryable)
        #expect(error.message.contains("/nonexistent-rocket-socket-dir"))
        #expect(!error.message.contains("\n"))
        #expect(error.message == error.message.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func missingDatabaseIsAConnectionFailure() throws {
        let host = try TestDatabase.environment("ROCKET_TEST_PGHOST")
        let port = try TestDatabase.environment("ROCKET_TEST_PGPORT")
        let error = try #require(throws: PostgresError.self) {
            _ = try PostgresConnection(url: "postgresql://postgres@/no_such_db_rocket?host=\(host)&port=\(port)")
        }
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("no_such_db_rocket"))
    }

    @Test(arguments: [
        "postgresql://user:SuperSecret123@/postgres?host=/nonexistent-rocket-dir&port=5432",
        "postgres://user:SuperSecret123@[::1/postgres",
        "postgresql://user@/postgres?host=/nonexistent-rocket-dir&password=SuperSecret123",
        "postgresql://user@/postgres?password=SuperSecret123&bogus=1",
        "postgresql://user:Super%53ecret123@[::1/postgres",
        "host=/nonexistent-rocket-dir port=5432 user=u password=SuperSecret123",
        "host=/nonexistent-rocket-dir password='SuperSecret123' bogus",
    ])
    func passwordsNeverAppearInErrors(url: String) throws {
        let error = try #require(throws: PostgresError.self) { _ = try PostgresConnection(url: url) }
        #expect(error.code == .connectionFailed)
        for text in [error.message, error.description, error.debugDescription, String(describing: error)] {
            #expect(!text.contains("SuperSecret123"), "\(text)")
            #expect(!text.contains("Super%53ecret123"), "\(text)")
        }
    }

    @Test func malformedConnectionStringsAreNotRetryable() throws {
        let error = try #require(throws: PostgresError.self) {
            _ = try PostgresConnection(url: "postgresql://user@/db?bogus_option=1")
        }
        #expect(error.code == .connectionFailed)
        #expect(!error.isRetryable)
        #expect(error.message.contains("bogus_option"))
    }
}

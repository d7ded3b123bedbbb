import Foundation
import Postgres
import Testing

/// The throwaway server started by scripts/with-postgres, and per-test scratch objects.
enum TestDatabase {
    /// ROCKET_TEST_DATABASE_URL; a missing variable fails the test instead of skipping it.
    static func url() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["ROCKET_TEST_DATABASE_URL"],
            "ROCKET_TEST_DATABASE_URL is not set: run these tests through scripts/with-postgres, e.g. scripts/with-postgres swift test --filter PostgresTests"
        )
    }

    /// A value from the environment scripts/with-postgres exports (ROCKET_TEST_PGHOST, …).
    static func environment(_ name: String) throws -> String {
        try #require(ProcessInfo.processInfo.environment[name], "\(name) is not set: run these tests through scripts/with-postgres")
    }

    static func connect(applicationName: String = "rocket-tests") throws -> PostgresConnection {
        try PostgresConnection(url: url(), applicationName: applicationName)
    }

    /// A name no other test (or earlier run) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// Runs `body` with a fresh schema (oddly named, to exercise quoting), dropped afterwards.
    static func withSchema<T>(_ body: (PostgresConnection, String) throws -> T) throws -> T {
        let connection = try connect()
        defer { connection.close() }
        let schema = uniqueName("Test Schema")
        let quoted = PostgresIdentifier.quote(schema)
        try connection.execute("CREATE SCHEMA \(quoted)")
        defer { try? connection.execute("DROP SCHEMA \(quoted) CASCADE") }
        return try body(connection, schema)
    }

    /// Runs `body` on a separate thread (not the test's cooperative pool) after `delay`.
    static func onThread(after delay: TimeInterval, _ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: delay)
            body()
        }
    }
}

import Foundation
import Postgres
import Testing

@Suite("PostgresConnection: cancelling a running statement")
struct PostgresCancelTests {
    @Test func cancelFromAnotherThreadInterruptsASleep() throws {
        let connection = try TestDatabase.connect()
        let monitor = try TestDatabase.connect()
        let pid = String(connection.backendPID)
        // Cancel once the statement is visibly running, so the request cannot arrive too early.
        TestDatabase.onThread(after: 0) {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let running = try? monitor.query(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = $1::int AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
                    [pid]
                )
                if let running, running.rowCount == 1 { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            connection.cancel()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: PostgresError.self) { _ = try connection.query("SELECT pg_sleep(10)") }
        #expect(clock.now - start < .seconds(8))
        #expect(error.code == .queryFailed)
        #expect(error.sqlState == PostgresError.SQLState.queryCanceled)
        #expect(error.sqlState == "57014")
        #expect(!error.isRetryable)
        #expect(connection.isConnected)
        #expect(try connection.query("SELECT 'after cancel'")[row: 0, column: 0] == "after cancel")
    }

    @Test func cancelWhenIdleOrClosedIsHarmless() throws {
        let connection = try TestDatabase.connect()
        connection.cancel()
        Thread.sleep(forTimeInterval: 0.1)  // let the server act on the request while idle
        #expect(try connection.query("SELECT 1")[row: 0, column: 0] == "1")
        connection.close()
        connection.cancel()
    }
}

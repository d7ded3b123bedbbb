import Foundation
import Postgres
import Testing

@Suite("PostgresConnection: LISTEN/NOTIFY and waking")
struct PostgresListenTests {
    /// Waits until `count` notifications arrived (or 10 s passed).
    private func collect(_ connection: PostgresConnection, count: Int) throws -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while received.count < count, ContinuousClock.now < deadline {
            if case .notifications(let batch) = try connection.waitForNotifications(timeout: .seconds(1)) {
                received += batch
            }
        }
        return received
    }

    @Test func receivesNotificationsFromAnotherConnection() throws {
        let listener = try TestDatabase.connect()
        let notifier = try TestDatabase.connect()
        let channel = TestDatabase.uniqueName("Chan Mixed ü")
        try listener.listen(channel)
        _ = try notifier.query("SELECT pg_notify($1, $2)", [channel, "héllo \"payload\" 🚀"])
        let received = try collect(listener, count: 1)
        #expect(received == [PostgresNotification(channel: channel, payload: "héllo \"payload\" 🚀", backendPID: notifier.backendPID)])

        try notifier.transaction { tx in
            for payload in ["1", "2", "3"] { _ = try tx.query("SELECT pg_notify($1, $2)", [channel, payload]) }
        }
        #expect(try collect(listener, count: 3).map(\.payload) == ["1", "2", "3"])
    }

    @Test func notificationsBufferedDuringAQueryAreReturnedAtOnce() throws {
        let listener = try TestDatabase.connect()
        let notifier = try TestDatabase.connect()
        let channel = TestDatabase.uniqueName("buffered")
        try listener.listen(channel)
        try notifier.execute("NOTIFY \(PostgresIdentifier.quote(channel)), 'early'")
        _ = try listener.query("SELECT pg_sleep(0.3)")
        let wait = try listener.waitForNotifications(timeout: .zero)
        #expect(wait == .notifications([PostgresNotification(channel: channel, payload: "early", backendPID: notifier.backendPID)]))
    }

    @Test func timesOutWhenIdle() throws {
        let listener = try TestDatabase.connect()
        try listener.listen(TestDatabase.uniqueName("idle"))
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try listener.waitForNotifications(timeout: .milliseconds(100)) == .timedOut)
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(100))
        #expect(elapsed < .seconds(3))
    }

    @Test func unlistenStopsDelivery() throws {
        let listener = try TestDatabase.connect()
        let notifier = try TestDatabase.connect()
        let channel = TestDatabase.uniqueName("unlisten")
        try listener.listen(channel)
        try listener.unlisten(channel)
        _ = try notifier.query("SELECT pg_notify($1, 'x')", [channel])
        #expect(try listener.waitForNotifications(timeout: .milliseconds(300)) == .timedOut)
    }

    @Test func invalidChannelNames() throws {
        let listener = try TestDatabase.connect()
        for name in ["", "a\u{0}b", String(repeating: "c", count: 64)] {
            let error = try #require(throws: PostgresError.self) { try listener.listen(name) }
            #expect(error.code == .invalidArgument)
            #expect(error.sqlState == PostgresError.SQLState.invalidName)
        }
    }

    @Test func wakeupInterruptsAWait() throws {
        let listener = try TestDatabase.connect()
        try listener.listen(TestDatabase.uniqueName("wake"))
        let wakeup = try PostgresWakeup()
        #expect(wakeup.descriptor >= 0)

        wakeup.signal()
        #expect(try listener.waitForNotifications(timeout: .seconds(10), wakeDescriptor: wakeup.descriptor) == .woken)
        // Not read by the wait: still signalled until drained.
        #expect(try listener.waitForNotifications(timeout: nil, wakeDescriptor: wakeup.descriptor) == .woken)
        wakeup.drain()
        #expect(try listener.waitForNotifications(timeout: .milliseconds(50), wakeDescriptor: wakeup.descriptor) == .timedOut)

        TestDatabase.onThread(after: 0.2) { wakeup.signal() }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try listener.waitForNotifications(timeout: nil, wakeDescriptor: wakeup.descriptor) == .woken)
        #expect(clock.now - start >= .milliseconds(150))
        wakeup.drain()
        wakeup.drain()
    }

    @Test func terminatedBackendMakesTheWaitThrowConnectionLost() throws {
        let listener = try TestDatabase.connect()
        let admin = try TestDatabase.connect()
        try listener.listen(TestDatabase.uniqueName("doomed"))
        let terminated = try admin.query("SELECT pg_terminate_backend($1::int)", [String(listener.backendPID)])
        #expect(terminated[row: 0, column: 0] == "t")
        let error = try #require(throws: PostgresError.self) {
            while true {
                _ = try listener.waitForNotifications(timeout: .seconds(10))
            }
        }
        #expect(error.code == .connectionLost)
        #expect(error.isRetryable)
        #expect(error.sqlState == PostgresError.SQLState.adminShutdown)
        #expect(!listener.isConnected)
        let next = try #require(throws: PostgresError.self) { _ = try listener.query("SELECT 1") }
        #expect(next.code == .connectionLost)
        #expect(next.isRetryable)
    }

    @Test func terminatedBackendMakesTheNextQueryThrowConnectionLost() throws {
        let victim = try TestDatabase.connect()
        let admin = try TestDatabase.connect()
        _ = try admin.query("SELECT pg_terminate_backend($1::int)", [String(victim.backendPID)])
        Thread.sleep(forTimeInterval: 0.2)
        let error = try #require(throws: PostgresError.self) { _ = try victim.query("SELECT 1") }
        #expect(error.code == .connectionLost)
        #expect(error.isRetryable)
    }
}

import Dispatch
import Postgres
import Synchronization

/// A fixed number of connections for request handlers, opened on demand
/// and dropped when broken. `withConnection` waits for a free one.
final class ConnectionPool: Sendable {
    private let database: Database
    private let idle = Mutex<[PostgresConnection]>([])
    private let permits: DispatchSemaphore
    let size: Int

    init(database: Database, size: Int) {
        self.database = database
        self.size = size
        self.permits = DispatchSemaphore(value: size)
    }

    func withConnection<T>(timeout: Duration = .seconds(10), _ body: (PostgresConnection) throws -> T) throws -> T {
        let wait = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
        guard permits.wait(timeout: wait) == .success else {
            throw APIError.unavailable("no free database connection within \(timeout)")
        }
        defer { permits.signal() }
        let connection = try idle.withLock { $0.popLast() } ?? database.connect(applicationName: "rocket-request")
        do {
            let result = try body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    private func release(_ connection: PostgresConnection) {
        guard connection.isConnected else { return }
        idle.withLock { $0.append(connection) }
    }

    func closeAll() {
        let connections = idle.withLock { list -> [PostgresConnection] in
            defer { list = [] }
            return list
        }
        for connection in connections { connection.close() }
    }
}

import ChangeFeed
import Dispatch
import Foundation
import HTTP
import Postgres

/// The server: HTTP front, listener, hub and connection pool, started
/// together and stopped together (streams get a final event first).
public final class Application: Sendable {
    public let configuration: Configuration
    private let logger: Logger
    private let server: HTTPServer
    private let feed: FeedService
    private let pool: ConnectionPool
    private let migrations: [Migration]

    public init(configuration: Configuration, logger: Logger) throws {
        guard let url = configuration.databaseURL else { throw UsageError("no database URL") }
        self.configuration = configuration
        self.logger = logger
        let database = Database(url: url)
        let catalog = Catalog()
        let hub = SubscriberHub { event in SSE.event(id: event.id, name: event.name, data: event.data) }
        let pool = ConnectionPool(database: database, size: configuration.poolSize)
        let feed = try FeedService(database: database, catalog: catalog, hub: hub, configuration: configuration,
                                   logger: logger.with(label: "rocket.listener"))
        let access = try AccessControl.load(tokenFile: configuration.tokenFile, corsOrigins: configuration.corsOrigins)
        let migrations = try Migrations.load()
        let router = Router(configuration: configuration, catalog: catalog, pool: pool, feed: feed, access: access,
                            migrations: migrations, logger: logger.with(label: "rocket.http"))
        self.migrations = migrations
        self.pool = pool
        self.feed = feed
        self.server = HTTPServer(
            configuration: HTTPServerConfiguration(
                host: configuration.host, port: configuration.port,
                connectionLimit: configuration.maxSubscribers + 1000,
                threads: configuration.httpThreads, maxBodySize: configuration.maxBodySize),
            handler: { request, writer in router.handle(request, writer) })
    }

    /// The port listened on (the configured one, or the one picked for 0).
    public var port: Int { server.port }

    /// Checks the database, then starts listening. A misconfigured database
    /// (unknown host, refused login, missing database) or one that needs
    /// migrations fails fast with a clear message; a server that is down is
    /// waited for: the listener retries with backoff and /ready says 503.
    public func start() throws {
        guard let url = configuration.databaseURL else { throw UsageError("no database URL") }
        do {
            let connection = try Database(url: url).connect(applicationName: "rocket-startup")
            defer { connection.close() }
            let status = try Migrator(migrations: migrations, logger: logger).status(on: connection)
            if !status.pending.isEmpty {
                throw MigrationError(description: "the database needs migrations (\(status.pending.map(\.name).joined(separator: ", "))): run rocket migrate")
            }
        } catch let error as PostgresError where error.isRetryable {
            logger.warning("database.unavailable", ["error": error.message, "action": "serving; the listener retries until it is back"])
        }
        feed.start()
        try server.start()
        logger.info("http.listening", ["address": "http://\(configuration.host):\(server.port)"])
    }

    public func stop() {
        logger.info("shutdown.begin", ["streams": "\(feed.hub.subscriberCount)"])
        feed.stop()
        server.stop(grace: .seconds(3))
        pool.closeAll()
        logger.info("shutdown.done")
    }

    /// Starts, runs until SIGINT or SIGTERM, then stops gracefully.
    public func run() throws {
        try start()
        Termination.wait()
        stop()
    }
}

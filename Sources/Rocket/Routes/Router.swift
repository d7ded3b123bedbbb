import ChangeFeed
import Dispatch
import Foundation
import HTTP
import JSON
import Postgres

/// Requests in, responses out: parse and check → plan → run → encode.
/// Handlers run on a worker queue, never on the server's event loop.
final class Router: Sendable {
    let configuration: Configuration
    let catalog: Catalog
    let pool: ConnectionPool
    let feed: FeedService
    let access: AccessControl
    let logger: Logger
    /// The migrations this build knows, read once at start (for /ready).
    let migrations: [Migration]
    private let workers = DispatchQueue(label: "rocket.requests", attributes: .concurrent)

    init(configuration: Configuration, catalog: Catalog, pool: ConnectionPool, feed: FeedService,
         access: AccessControl, migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.configuration = configuration
        self.catalog = catalog
        self.pool = pool
        self.feed = feed
        self.access = access
        self.logger = logger
    }

    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        let cors = access.corsHeaders(for: request)
        if request.method == "OPTIONS" {
            writer.send(access.preflight(request, cors: cors))
            return
        }
        workers.async { [self] in
            var response: HTTPResponse
            do {
                response = try respond(to: request)
            } catch let error as APIError {
                response = .error(error)
            } catch let error as PostgresError {
                let apiError = APIError(error)
                if apiError.status >= 500 { logger.error("request.failed", ["error": "\(error)"]) }
                response = .error(apiError)
            } catch {
                logger.error("request.failed", ["error": "\(error)"])
                response = .error(.internalError())
            }
            response.headers += cors
            writer.send(response)
        }
    }

    private func respond(to request: HTTPRequest) throws -> HTTPResponse {
        guard let route = Route(path: request.path) else {
            throw APIError.notFound("no such path")
        }
        switch route {
        case .health:
            return .json(200, ["status": "ok"])
        case .ready:
            return try ready()
        case .metrics:
            return metrics()
        case .index:
            return index(request)
        case .collection, .record:
            break
        }
        try access.authorize(request, write: Self.isWrite(request.method))
        let (name, key): (String, String?) = switch route {
        case .collection(let resource): (resource, nil)
        case .record(let resource, let key): (resource, key)
        default: ("", nil)
        }
        let resource = try resolve(name)
        switch request.method {
        case "SUBSCRIBE":
            return try openStream(request, resource: resource, key: key)
        case "GET", "HEAD":
            if Self.wantsEventStream(request) { return try openStream(request, resource: resource, key: key) }
            return try document(request, resource: resource, key: key)
        case "POST", "PUT", "PATCH", "DELETE":
            if configuration.readOnly {
                throw APIError(status: 405, code: "read_only", message: "this server is read-only (--read-only)")
            }
            return try write(request, resource: resource, key: key)
        default:
            throw APIError.methodNotAllowed(request.method, allowed: ["GET", "HEAD", "SUBSCRIBE", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        }
    }

    static func isWrite(_ method: String) -> Bool {
        ["POST", "PUT", "PATCH", "DELETE"].contains(method)
    }

    static func wantsEventStream(_ request: HTTPRequest) -> Bool {
        request.headers.values(for: "Accept").contains { $0.lowercased().contains("text/event-stream") }
    }

    /// The attached resource of that name; the catalog is reloaded once
    /// before answering 404, in case it was attached a moment ago.
    func resolve(_ name: String) throws -> Resource {
        if let resource = catalog.resource(named: name) { return resource }
        try pool.withConnection { try catalog.reload(on: $0) }
        guard let resource = catalog.resource(named: name) else {
            throw APIError(status: 404, code: "unknown_resource",
                           message: "no attached resource named '\(name)'",
                           hint: "attach a table with: rocket attach TABLE")
        }
        return resource
    }

    // MARK: Documents

    private func document(_ request: HTTPRequest, resource: Resource, key: String?) throws -> HTTPResponse {
        let query = try Self.parseQuery(request)
        let document = try pool.withConnection { connection in
            let plan = try DocumentPlan.make(resource: resource, recordKey: key, query: query, stream: false,
                                             connection: connection)
            return try DocumentReader.read(plan, on: connection)
        }
        let cursor = [(name: "Rocket-Cursor", value: document.cursor.description)]
        if key != nil && !document.found {
            var error = APIError.notFound("no row with key '\(key ?? "")' in \(resource.name)")
            error.headers = cursor
            throw error
        }
        return .json(200, document.bytes, headers: cursor)
    }

    static func parseQuery(_ request: HTTPRequest) throws(APIError) -> DocumentQuery {
        do {
            return try DocumentQuery.parse(request.query)
        } catch {
            throw APIError.badRequest(error.message.hasPrefix("unknown operator") ? "unknown_operator" : "invalid_parameter",
                                      error.description, details: .string(error.parameter))
        }
    }

    // MARK: Streams

    private func openStream(_ request: HTTPRequest, resource: Resource, key: String?) throws -> HTTPResponse {
        let query = try Self.parseQuery(request)
        let start = try Self.startingPoint(request, query: query)
        if feed.hub.subscriberCount >= configuration.maxSubscribers {
            var error = APIError(status: 503, code: "too_many_subscribers",
                                 message: "this server holds its maximum of \(configuration.maxSubscribers) streams")
            error.headers = [("Retry-After", "5")]
            throw error
        }
        let stream = HTTPStream(maxQueuedBytes: configuration.maxSubscriberBuffer)
        let (plan, cursor) = try pool.withConnection { connection -> (DocumentPlan, Cursor) in
            let plan = try DocumentPlan.make(resource: resource, recordKey: key, query: query, stream: true,
                                             connection: connection)
            stream.write(SSE.retry(milliseconds: 2000), force: true)
            switch start {
            case .cursor(let cursor):
                return (plan, cursor)
            case .now:
                return (plan, try DocumentReader.currentCursor(on: connection))
            case .reset:
                let document = try DocumentReader.read(plan, on: connection)
                stream.write(SSE.event(id: document.cursor.description, name: "reset",
                                       data: String(decoding: document.bytes, as: UTF8.self)), force: true)
                return (plan, document.cursor)
            }
        }
        feed.admit(FeedService.Admission(plan: plan, sink: StreamSink(stream), start: cursor))
        return HTTPResponse(status: 200, headers: [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
            ("Rocket-Cursor", cursor.description),
        ], body: .stream(stream))
    }

    enum StartingPoint { case reset, now, cursor(Cursor) }

    /// `Last-Event-ID` (as EventSource sends it), else `?since=`.
    static func startingPoint(_ request: HTTPRequest, query: DocumentQuery) throws(APIError) -> StartingPoint {
        let text = request.headers["Last-Event-ID"].flatMap { $0.isEmpty ? nil : $0 } ?? query.since
        guard let text else { return .reset }
        if text == "now" { return .now }
        guard let cursor = Cursor(text) else {
            throw APIError.badRequest("invalid_cursor", "'\(text.prefix(100))' is not a Rocket cursor",
                                      details: .string(request.headers["Last-Event-ID"] != nil ? "Last-Event-ID" : "since"))
        }
        return .cursor(cursor)
    }

    // MARK: Service endpoints

    private func ready() throws -> HTTPResponse {
        var checks = JSONObject()
        let listener = feed.isLive
        checks["listener"] = .bool(listener)
        var database = false
        var migrated = false
        do {
            try pool.withConnection(timeout: .seconds(2)) { connection in
                database = true
                let status = try Migrator(migrations: migrations, logger: logger).status(on: connection)
                migrated = status.pending.isEmpty
            }
        } catch {
            checks["error"] = .string("\(error)")
        }
        checks["database"] = .bool(database)
        checks["migrations"] = .bool(migrated)
        let ok = listener && database && migrated
        checks["status"] = .string(ok ? "ready" : "not ready")
        return .json(ok ? 200 : 503, .object(checks))
    }

    private func metrics() -> HTTPResponse {
        let m = feed.metrics
        let lines = [
            "# HELP rocket_subscribers Open streams.", "# TYPE rocket_subscribers gauge",
            "rocket_subscribers \(feed.hub.subscriberCount)",
            "# TYPE rocket_events_sent_total counter", "rocket_events_sent_total \(m.eventsSent.load(ordering: .relaxed))",
            "# TYPE rocket_transactions_total counter", "rocket_transactions_total \(m.transactions.load(ordering: .relaxed))",
            "# TYPE rocket_listener_reconnects_total counter", "rocket_listener_reconnects_total \(m.reconnects.load(ordering: .relaxed))",
            "# TYPE rocket_overflows_total counter", "rocket_overflows_total \(m.overflows.load(ordering: .relaxed))",
            "# TYPE rocket_resets_total counter", "rocket_resets_total \(m.resets.load(ordering: .relaxed))",
            "# TYPE rocket_ticks_total counter", "rocket_ticks_total \(m.ticks.load(ordering: .relaxed))",
            "# TYPE rocket_tick_position gauge", "rocket_tick_position \(m.position.load(ordering: .relaxed))",
            "# TYPE rocket_changelog_pruned_total counter", "rocket_changelog_pruned_total \(m.prunedChanges.load(ordering: .relaxed))",
            "# TYPE rocket_listener_live gauge", "rocket_listener_live \(feed.isLive ? 1 : 0)",
        ]
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")],
                            text: lines.joined(separator: "\n") + "\n")
    }

    private func index(_ request: HTTPRequest) -> HTTPResponse {
        if request.headers.values(for: "Accept").contains(where: { $0.contains("text/html") }) {
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")],
                                text: ViewerPage.html)
        }
        let resources = catalog.all.map { resource -> JSONValue in
            .object(JSONObject([("name", .string(resource.name)), ("schema", .string(resource.schema)),
                                ("table", .string(resource.table)),
                                ("key", .array(resource.keyColumns.map { .string($0) }))]))
        }
        return .json(200, .object(JSONObject([("resources", .array(resources))])))
    }
}

import ChangeFeed
import Dispatch
import Foundation
import HTTP
import Postgres
import Synchronization

/// The listener: one dedicated connection that LISTENs on `rocket`, records
/// ticks, reads each new batch of committed transactions once, and fans it
/// out through the hub. New subscriptions are admitted on the same thread,
/// between batches, so none misses or repeats a transaction.
final class FeedService: Sendable {
    /// A stream waiting to join: its `reset` (if any) is already queued on
    /// the sink. `position` advances as backfilled events are sent, so an
    /// admission interrupted by a reconnect resumes where it was.
    struct Admission: Sendable {
        var plan: DocumentPlan
        var sink: any EventSink
        /// The start, then the last event sent.
        var position: Cursor
        /// A document read's snapshot: the transactions it saw are skipped.
        var skip: Snapshot?

        init(plan: DocumentPlan, sink: any EventSink, start: Cursor) {
            self.plan = plan
            self.sink = sink
            self.position = start
            if case .snapshot(_, let snapshot) = start { self.skip = snapshot }
        }

        func wants(_ transaction: CommittedTransaction) -> Bool {
            position.precedes(tick: transaction.tick, change: transaction.lastChange, txid: transaction.txid)
                && !(skip?.isVisible(transaction.txid) ?? false)
        }
    }

    let hub: SubscriberHub
    let metrics = FeedMetrics()
    private let database: Database
    private let catalog: Catalog
    private let configuration: Configuration
    private let logger: Logger
    private let wakeup: PostgresWakeup
    private let inbox = Mutex<[Admission]>([])
    private let stopping = Atomic<Bool>(false)
    private let live = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(database: Database, catalog: Catalog, hub: SubscriberHub, configuration: Configuration, logger: Logger) throws {
        self.database = database
        self.catalog = catalog
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
        self.wakeup = try PostgresWakeup()
    }

    /// Connected, listening, caught up.
    var isLive: Bool { live.load(ordering: .relaxed) }

    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = "rocket-listener"
        thread.start()
    }

    /// Stops the listener and ends every stream with a final event.
    func stop() {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        done.wait()
        hub.finishAll(final: FeedEvent(id: nil, name: "shutdown",
                                       data: #"{"code":"shutdown","message":"the server is shutting down; reconnect with Last-Event-ID to resume"}"#))
    }

    func admit(_ admission: Admission) {
        inbox.withLock { $0.append(admission) }
        wakeup.signal()
    }

    // MARK: The loop

    private func run() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(10))
        var position: Tick?
        while !stopping.load(ordering: .acquiring) {
            do {
                let connection = try database.connect(applicationName: "rocket-listener")
                defer { connection.close() }
                try connection.listen("rocket")
                try catalog.reload(on: connection)
                let log = ChangeLog(connection: connection)
                if position == nil { position = try log.latestTick() }
                live.store(true, ordering: .relaxed)
                logger.info("listener.live", ["tick": "\(position?.id ?? 0)", "attempts": "\(backoff.attempts)"])
                backoff.reset()
                try serve(log, position: &position)
            } catch {
                live.store(false, ordering: .relaxed)
                if stopping.load(ordering: .acquiring) { break }
                metrics.reconnects.add(1, ordering: .relaxed)
                let delay = backoff.next()
                logger.warning("listener.retry", ["error": "\(error)", "attempt": "\(backoff.attempts)", "delay": "\(delay)"])
                pause(delay)
            }
        }
        live.store(false, ordering: .relaxed)
    }

    /// Sleeps, but wakes for stop.
    private func pause(_ delay: Duration) {
        var remaining = delay
        let step: Duration = .milliseconds(50)
        while remaining > .zero, !stopping.load(ordering: .acquiring) {
            Thread.sleep(forTimeInterval: Double(min(step, remaining).components.attoseconds) / 1e18)
            remaining -= step
        }
    }

    /// Prunes a few times per retention period, at most once a second and
    /// at least once a minute.
    private var pruneInterval: Duration {
        min(max(configuration.retention / 4, .seconds(1)), .seconds(60))
    }

    private func serve(_ log: ChangeLog, position: inout Tick?) throws {
        let clock = ContinuousClock()
        var lastKeepAlive = clock.now
        var lastPrune = clock.now
        while !stopping.load(ordering: .acquiring) {
            try pump(log, position: &position)
            try admitWaiting(log, position: &position)
            let now = clock.now
            if now - lastKeepAlive >= .seconds(1) {
                hub.keepAlive(interval: configuration.keepAlive, now: now)
                lastKeepAlive = now
            }
            if now - lastPrune >= pruneInterval {
                try prune(log, position: position)
                lastPrune = now
            }
            switch try log.connection.waitForNotifications(timeout: configuration.pollInterval, wakeDescriptor: wakeup.descriptor) {
            case .notifications(let notifications):
                if notifications.contains(where: { $0.payload == "resources" }) {
                    try catalog.reload(on: log.connection)
                }
            case .woken:
                wakeup.drain()
            case .timedOut:
                break
            }
        }
    }

    /// Ticks, then publishes every transaction committed since `position`.
    private func pump(_ log: ChangeLog, position: inout Tick?) throws {
        guard var current = position else { return }
        let newest = try log.tick()
        while current.id < newest {
            var ticks = try log.ticks(after: current.id - 1, upTo: newest, limit: 101)
            guard ticks.first?.id == current.id else {
                // Another instance pruned past this one's position: the
                // changes in between are gone. Close every stream (clients
                // resume by cursor and get a reset) rather than skip them.
                logger.warning("listener.position-pruned", ["tick": "\(current.id)", "oldest": "\(ticks.first?.id ?? 0)"])
                hub.closeAll(reason: .pruned)
                current = try log.latestTick()
                position = current
                return
            }
            ticks.removeFirst()
            guard let last = ticks.last else { break }
            let changes = try log.changes(from: current.snapshot, to: last.snapshot)
            let transactions = CommittedTransaction.batches(changes, previous: current, ticks: ticks)
            let now = ContinuousClock.now
            for transaction in transactions {
                let sent = hub.publish(transaction, resourceName: catalog.name(of:), now: now)
                metrics.eventsSent.add(sent, ordering: .relaxed)
            }
            metrics.transactions.add(transactions.count, ordering: .relaxed)
            for tick in ticks { hub.advance(past: tick) }
            metrics.ticks.add(ticks.count, ordering: .relaxed)
            current = last
            position = current
            metrics.position.store(Int(current.id), ordering: .relaxed)
        }
    }

    private func admitWaiting(_ log: ChangeLog, position: inout Tick?) throws {
        var waiting = inbox.withLock { list -> [Admission] in
            defer { list = [] }
            return list
        }
        while !waiting.isEmpty {
            do {
                try admitOne(&waiting[0], log: log, position: &position)
                waiting.removeFirst()
            } catch {
                // The rest go back, in order and with their progress, for
                // after the reconnect.
                inbox.withLock { $0.insert(contentsOf: waiting, at: 0) }
                throw error
            }
        }
    }

    /// Sends a new subscriber every transaction after its starting point
    /// up to the current position, then adds it to the live hub.
    private func admitOne(_ admission: inout Admission, log: ChangeLog, position: inout Tick?) throws {
        let spec = admission.plan.streamSpec
        if admission.position.tick > (position?.id ?? 0) { try pump(log, position: &position) }
        guard let current = position else { return }
        let lower: Int64
        switch admission.position {
        case .event(let tick, _): lower = tick - 1
        case .snapshot(let tick, _): lower = tick
        }
        let oldest = try log.oldestTickID()
        let previousTick = admission.position.tick > current.id || lower < oldest ? nil : try log.tick(id: lower)
        guard var previous = previousTick else {
            // Older than the retained log (or from nowhere): a reset, then
            // the changes after the document.
            metrics.resets.add(1, ordering: .relaxed)
            let document = try DocumentReader.read(admission.plan, on: log.connection)
            _ = admission.sink.write(SSE.event(id: document.cursor.description, name: "reset",
                                               data: String(decoding: document.bytes, as: UTF8.self)))
            admission = Admission(plan: admission.plan, sink: admission.sink, start: document.cursor)
            return try admitOne(&admission, log: log, position: &position)
        }
        let subscriber = Subscriber(id: hub.makeID(), spec: spec, sink: admission.sink, start: admission.position,
                                    skip: admission.skip, now: .now)
        let relid = admission.plan.resource.relid
        var backfilled = 0
        while previous.id < current.id {
            let ticks = try log.ticks(after: previous.id, upTo: current.id)
            guard let last = ticks.last else { break }
            let changes = try log.changes(from: previous.snapshot, to: last.snapshot, relids: [relid])
            for transaction in CommittedTransaction.batches(changes, previous: previous, ticks: ticks)
            where admission.wants(transaction) {
                admission.position = transaction.cursor
                guard let bytes = hub.event(for: transaction, spec: spec, resourceName: catalog.name(of:)) else { continue }
                switch subscriber.write(bytes, cursor: transaction.cursor, now: .now) {
                case .written: backfilled += 1
                case .overflow, .closed:
                    hub.close(subscriber)
                    metrics.overflows.add(1, ordering: .relaxed)
                    return
                }
            }
            for tick in ticks { subscriber.advance(past: tick) }
            previous = last
        }
        if backfilled > 0 { metrics.backfills.add(1, ordering: .relaxed) }
        hub.add(subscriber)
        logger.debug("sse.admitted", ["resource": spec.resource, "backfilled": "\(backfilled)"])
    }

    private func prune(_ log: ChangeLog, position: Tick?) throws {
        guard let position else { return }
        let rows = try log.connection.query(
            "SELECT rocket.prune($1::interval, $2::bigint, $3::bigint)",
            ["\(configuration.retention.components.seconds) seconds", String(configuration.retentionRows), String(position.id)])
        let pruned = rows[0, 0].flatMap(Int.init) ?? 0
        if pruned > 0 {
            // Make the space reusable at once, so a steady write load keeps
            // the log's size bounded (VACUUM does not block writers).
            try log.connection.execute("VACUUM rocket.change_log")
            try log.connection.execute("VACUUM rocket.ticks")
            metrics.prunedChanges.add(pruned, ordering: .relaxed)
            logger.info("changelog.pruned", ["changes": "\(pruned)"])
        }
    }
}

import Synchronization

/// One open stream: what it follows, where its bytes go, and how far it
/// has got.
public final class Subscriber: Sendable {
    public let id: Int
    public let spec: StreamSpec
    let sink: any EventSink
    private let state: Mutex<State>
    /// Whether a start snapshot still has to be checked (read per event
    /// without taking the lock).
    private let skipping: Atomic<Bool>

    struct State {
        /// Transactions this snapshot saw are already in the subscriber's
        /// document (it started from a document read); skip them.
        var skip: Snapshot?
        var lastWrite: ContinuousClock.Instant
        var lastCursor: Cursor?
    }

    /// `skip` defaults to the start's snapshot, if it is a document read's.
    public init(id: Int, spec: StreamSpec, sink: any EventSink, start: Cursor?, skip: Snapshot? = nil,
                now: ContinuousClock.Instant) {
        self.id = id
        self.spec = spec
        self.sink = sink
        var skipped = skip
        if skipped == nil, case .snapshot(_, let snapshot) = start { skipped = snapshot }
        self.state = Mutex(State(skip: skipped, lastWrite: now, lastCursor: start))
        self.skipping = Atomic(skipped != nil)
    }

    var isSkipping: Bool { skipping.load(ordering: .acquiring) }

    /// The cursor of the last event queued (or the starting point).
    public var lastCursor: Cursor? { state.withLock { $0.lastCursor } }

    /// Whether the transaction is already in this subscriber's document.
    func alreadyHas(txid: UInt64) -> Bool {
        guard isSkipping else { return false }
        return state.withLock { $0.skip?.isVisible(txid) ?? false }
    }

    /// Stops skipping once a tick's snapshot covers the starting snapshot.
    public func advance(past tick: Tick) {
        guard isSkipping else { return }
        state.withLock { state in
            if let skip = state.skip, tick.snapshot.covers(skip) {
                state.skip = nil
                skipping.store(false, ordering: .releasing)
            }
        }
    }

    public func write(_ bytes: [UInt8], cursor: Cursor?, now: ContinuousClock.Instant) -> EventSinkResult {
        let result = sink.write(bytes)
        if result == .written {
            state.withLock { state in
                state.lastWrite = now
                if let cursor { state.lastCursor = cursor }
            }
        }
        return result
    }

    func idleSince(_ now: ContinuousClock.Instant) -> Duration {
        now - state.withLock { $0.lastWrite }
    }
}

import Synchronization

/// Every open stream, grouped by what it follows. A transaction is encoded
/// once per group, and the same bytes are queued to every member.
public final class SubscriberHub: Sendable {
    public typealias Encode = @Sendable (FeedEvent) -> [UInt8]

    private struct Group {
        var encoder: PatchEncoder
        var members: [Int: Subscriber] = [:]
    }

    private struct State {
        var groups: [StreamSpec: Group] = [:]
        var specsByResource: [String: Set<StreamSpec>] = [:]
        /// Members still skipping what their start snapshot saw.
        var skipping: [Int: Subscriber] = [:]
        var count = 0
    }

    private let state = Mutex(State())
    private let encode: Encode
    private let nextID = Atomic<Int>(1)

    public init(encode: @escaping Encode) {
        self.encode = encode
    }

    public var subscriberCount: Int { state.withLock { $0.count } }

    public func makeID() -> Int { nextID.add(1, ordering: .relaxed).oldValue }

    public func add(_ subscriber: Subscriber) {
        state.withLock { state in
            let spec = subscriber.spec
            state.groups[spec, default: Group(encoder: PatchEncoder(spec: spec))].members[subscriber.id] = subscriber
            state.specsByResource[spec.resource, default: []].insert(spec)
            if subscriber.isSkipping { state.skipping[subscriber.id] = subscriber }
            state.count += 1
        }
    }

    public func remove(_ subscriber: Subscriber) {
        state.withLock { state in
            Self.remove(subscriber, from: &state)
        }
    }

    private static func remove(_ subscriber: Subscriber, from state: inout State) {
        let spec = subscriber.spec
        guard state.groups[spec]?.members.removeValue(forKey: subscriber.id) != nil else { return }
        state.skipping[subscriber.id] = nil
        state.count -= 1
        if state.groups[spec]?.members.isEmpty == true {
            state.groups[spec] = nil
            state.specsByResource[spec.resource]?.remove(spec)
            if state.specsByResource[spec.resource]?.isEmpty == true {
                state.specsByResource[spec.resource] = nil
            }
        }
    }

    /// Resources somebody follows now.
    public var followedResources: Set<String> {
        state.withLock { Set($0.specsByResource.keys) }
    }

    /// The event a subscriber of `spec` gets for a transaction, or nil.
    public func event(for transaction: CommittedTransaction, spec: StreamSpec, resourceName: (UInt32) -> String?) -> [UInt8]? {
        let changes = transaction.changes.filter { resourceName($0.relid) == spec.resource }
        guard !changes.isEmpty, let data = PatchEncoder(spec: spec).encode(changes) else { return nil }
        return encode(FeedEvent(id: transaction.cursor.description, name: "patch",
                                data: String(decoding: data, as: UTF8.self)))
    }

    /// Fans one committed transaction out to every subscriber it concerns.
    /// Returns how many events were queued.
    @discardableResult
    public func publish(_ transaction: CommittedTransaction, resourceName: (UInt32) -> String?,
                        now: ContinuousClock.Instant) -> Int {
        var byResource: [String: [Change]] = [:]
        for change in transaction.changes {
            if let name = resourceName(change.relid) { byResource[name, default: []].append(change) }
        }
        let cursor = transaction.cursor
        let id = cursor.description
        return state.withLock { state in
            var sent = 0
            var overflowed: [Subscriber] = []
            for (resource, changes) in byResource {
                for spec in state.specsByResource[resource] ?? [] {
                    guard let group = state.groups[spec], let data = group.encoder.encode(changes) else { continue }
                    let bytes = encode(FeedEvent(id: id, name: "patch", data: String(decoding: data, as: UTF8.self)))
                    for member in group.members.values where !member.alreadyHas(txid: transaction.txid) {
                        switch member.write(bytes, cursor: cursor, now: now) {
                        case .written: sent += 1
                        case .overflow, .closed: overflowed.append(member)
                        }
                    }
                }
            }
            for member in overflowed {
                close(member, reason: .overflow)
                Self.remove(member, from: &state)
            }
            return sent
        }
    }

    /// A tick has been fully published: members whose start snapshot it
    /// covers stop skipping. Only those still skipping are visited.
    public func advance(past tick: Tick) {
        state.withLock { state in
            guard !state.skipping.isEmpty else { return }
            for (id, member) in state.skipping {
                member.advance(past: tick)
                if !member.isSkipping { state.skipping[id] = nil }
            }
        }
    }

    /// Sends a keep-alive comment to streams idle for `interval`, and drops
    /// streams whose client has gone.
    public func keepAlive(interval: Duration, now: ContinuousClock.Instant) {
        let comment = encodeComment()
        state.withLock { state in
            var gone: [Subscriber] = []
            for group in state.groups.values {
                for member in group.members.values where member.idleSince(now) >= interval {
                    switch member.write(comment, cursor: nil, now: now) {
                    case .written: break
                    case .closed: gone.append(member)
                    case .overflow:
                        close(member, reason: .overflow)
                        gone.append(member)
                    }
                }
            }
            for member in gone { Self.remove(member, from: &state) }
        }
    }

    /// Ends every stream (shutdown), each with a final event.
    public func finishAll(final: FeedEvent) {
        let bytes = encode(final)
        state.withLock { state in
            for group in state.groups.values {
                for member in group.members.values { member.sink.finish(final: bytes) }
            }
            state = State()
        }
    }

    public enum CloseReason: Sendable {
        /// The subscriber's queue passed its byte limit.
        case overflow
        /// The change log was pruned past the listener's position.
        case pruned
    }

    /// Ends a subscriber that fell behind with `event: overflow`, whose id is
    /// the last event it was sent: it resumes from there without loss (or,
    /// if that is no longer in the log, with a reset).
    public func close(_ member: Subscriber, reason: CloseReason = .overflow) {
        let data = switch reason {
        case .overflow:
            #"{"code":"overflow","message":"this stream fell too far behind and was closed; reconnect with Last-Event-ID to resume"}"#
        case .pruned:
            #"{"code":"pruned","message":"the change log was pruned past this server's position; reconnect with Last-Event-ID to resume"}"#
        }
        let event = FeedEvent(id: member.lastCursor?.description, name: "overflow", data: data)
        member.sink.finish(final: encode(event))
    }

    /// Closes every stream (see `close(_:reason:)`).
    public func closeAll(reason: CloseReason) {
        let members = state.withLock { state -> [Subscriber] in
            defer { state = State() }
            return state.groups.values.flatMap { $0.members.values }
        }
        for member in members { close(member, reason: reason) }
    }

    private func encodeComment() -> [UInt8] {
        Array(": keep-alive\n\n".utf8)
    }
}

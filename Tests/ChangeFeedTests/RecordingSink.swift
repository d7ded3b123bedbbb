import ChangeFeed
import Synchronization

/// An EventSink that records what it is given and answers as told.
final class RecordingSink: EventSink {
    private struct State {
        var writes: [[UInt8]] = []
        var finals: [[UInt8]?] = []
        var answer: EventSinkResult = .written
    }

    private let state = Mutex(State())

    /// What `write` answers from now on (only `.written` records the bytes).
    var answer: EventSinkResult {
        get { state.withLock { $0.answer } }
        set { state.withLock { $0.answer = newValue } }
    }

    var writes: [[UInt8]] { state.withLock { $0.writes } }
    var texts: [String] { writes.map { String(decoding: $0, as: UTF8.self) } }
    var finals: [[UInt8]?] { state.withLock { $0.finals } }

    func write(_ bytes: [UInt8]) -> EventSinkResult {
        state.withLock { state in
            if state.answer == .written { state.writes.append(bytes) }
            return state.answer
        }
    }

    func finish(final: [UInt8]?) {
        state.withLock { $0.finals.append(final) }
    }
}

/// The test framing, counting how many events were encoded.
final class CountingEncoder: Sendable {
    private let count = Mutex(0)

    var encodings: Int { count.withLock { $0 } }

    static func frame(_ event: FeedEvent) -> [UInt8] {
        Array("id: \(event.id ?? "")\nevent: \(event.name ?? "")\ndata: \(event.data)\n\n".utf8)
    }

    func encode(_ event: FeedEvent) -> [UInt8] {
        count.withLock { $0 += 1 }
        return Self.frame(event)
    }
}

import ChangeFeed
import HTTP

/// A subscriber's bytes go to its HTTP stream.
final class StreamSink: EventSink {
    let stream: HTTPStream

    init(_ stream: HTTPStream) {
        self.stream = stream
    }

    func write(_ bytes: [UInt8]) -> EventSinkResult {
        switch stream.write(bytes) {
        case .written: .written
        case .overflow: .overflow
        case .closed: .closed
        }
    }

    func finish(final: [UInt8]?) {
        stream.finish(final: final)
    }
}

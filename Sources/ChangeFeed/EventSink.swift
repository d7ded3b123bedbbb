/// Where a subscriber's bytes go (an HTTP stream in the server). Writes
/// never block; a sink that cannot take more says so.
public protocol EventSink: AnyObject, Sendable {
    func write(_ bytes: [UInt8]) -> EventSinkResult
    /// Ends the stream after what is queued, with `final` past any limit.
    func finish(final: [UInt8]?)
}

public enum EventSinkResult: Sendable, Equatable {
    case written
    /// Over the subscriber's byte limit: nothing was queued.
    case overflow
    /// The client has gone.
    case closed
}

/// A server-sent event before framing.
public struct FeedEvent: Sendable, Hashable {
    public var id: String?
    public var name: String?
    public var data: String

    public init(id: String?, name: String?, data: String) {
        self.id = id
        self.name = name
        self.data = data
    }
}

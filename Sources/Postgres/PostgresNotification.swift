/// A notification received on a channel this connection LISTENs to (from `NOTIFY` or `pg_notify`).
public struct PostgresNotification: Sendable, Hashable {
    /// The channel name, exactly as the notifier spelled it (case-sensitive).
    public var channel: String
    /// The payload; empty if none was given.
    public var payload: String
    /// The process ID of the notifying server backend.
    public var backendPID: Int32

    public init(channel: String, payload: String, backendPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.backendPID = backendPID
    }
}

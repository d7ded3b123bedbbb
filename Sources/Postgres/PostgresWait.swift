/// How ``PostgresConnection/waitForNotifications(timeout:wakeDescriptor:)`` ended.
public enum PostgresWait: Sendable, Equatable {
    /// One or more notifications, in the order the server sent them.
    case notifications([PostgresNotification])
    /// The wake descriptor became readable (it was not read: its owner drains it).
    case woken
    /// The timeout passed without notifications.
    case timedOut
}

internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A Linux eventfd to interrupt ``PostgresConnection/waitForNotifications(timeout:wakeDescriptor:)``
/// from another thread: pass ``descriptor`` as the wake descriptor, call ``signal()`` from any
/// thread, and ``drain()`` after the wait returned ``PostgresWait/woken``. Signals do not queue:
/// several signals before a drain wake one wait. The descriptor is closed when this is released.
public final class PostgresWakeup: Sendable {
    /// The eventfd (non-blocking, close-on-exec). Readable while signalled and not drained.
    public let descriptor: Int32

    /// - Throws: ``PostgresError/Code/systemError`` if the eventfd cannot be created
    ///   (descriptor limit reached).
    public init() throws(PostgresError) {
        let descriptor = rocket_eventfd_open()
        guard descriptor >= 0 else {
            throw PostgresError(
                code: .systemError,
                message: "eventfd failed: \(String(cString: strerror(errno)))",
                isRetryable: false
            )
        }
        self.descriptor = descriptor
    }

    deinit {
        _ = close(descriptor)
    }

    /// Makes ``descriptor`` readable, waking a current or the next wait. Safe from any thread.
    public func signal() {
        _ = rocket_eventfd_signal(descriptor)
    }

    /// Resets ``descriptor`` to not readable. Does not block.
    public func drain() {
        _ = rocket_eventfd_drain(descriptor)
    }
}

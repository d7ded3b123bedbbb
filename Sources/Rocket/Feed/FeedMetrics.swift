import Synchronization

/// Counters for /metrics, updated without locks.
final class FeedMetrics: Sendable {
    let eventsSent = Atomic<Int>(0)
    let transactions = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)
    let overflows = Atomic<Int>(0)
    let ticks = Atomic<Int>(0)
    let position = Atomic<Int>(0)
    let backfills = Atomic<Int>(0)
    let resets = Atomic<Int>(0)
    let prunedChanges = Atomic<Int>(0)
}

/// Capped exponential backoff for reconnecting: 100 ms, 200 ms, 400 ms, …
/// up to the cap; `reset()` after a success.
public struct Backoff: Sendable, Equatable {
    public let initial: Duration
    public let maximum: Duration
    public private(set) var attempts = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt.
    public mutating func next() -> Duration {
        let delay = initial * (1 << min(attempts, 20))
        attempts += 1
        return min(delay, maximum)
    }

    public mutating func reset() {
        attempts = 0
    }
}

import Synchronization

/// A value shared between a handler (on the server's thread) and the test.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    var wrapped: Value {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    func modify(_ body: (inout Value) -> Void) {
        value.withLock { body(&$0) }
    }
}

/// Polls `condition` (for effects on other threads) until it holds or
/// `timeout` passes; the test then checks it. Never used to wait for timers.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

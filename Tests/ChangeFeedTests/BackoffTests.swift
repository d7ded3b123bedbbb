import ChangeFeed
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesFromOneHundredMilliseconds() {
        var backoff = Backoff()
        let delays = (0..<8).map { _ in backoff.next() }
        #expect(delays == [100, 200, 400, 800, 1600, 3200, 6400, 10_000].map { Duration.milliseconds($0) })
        #expect(backoff.attempts == 8)
    }

    @Test func staysAtTheCapForever() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect((0..<5).map { _ in backoff.next() } == [100, 200, 400, 800, 1000].map { Duration.milliseconds($0) })
        for _ in 0..<200 {
            #expect(backoff.next() == .seconds(1))
        }
    }

    @Test func resetStartsOver() {
        var backoff = Backoff()
        _ = backoff.next()
        _ = backoff.next()
        _ = backoff.next()
        backoff.reset()
        #expect(backoff.attempts == 0)
        #expect(backoff.next() == .milliseconds(100))
        #expect(backoff.next() == .milliseconds(200))
    }
}

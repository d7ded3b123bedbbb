import ChangeFeed
import Testing

@Suite("CommittedTransaction.batches")
struct CommittedTransactionTests {
    private func tick(_ id: Int64, _ xmin: UInt64, _ xmax: UInt64, _ xip: [UInt64] = []) -> Tick {
        Tick(id: id, snapshot: Snapshot(xmin: xmin, xmax: xmax, inProgress: xip))
    }

    private func write(_ id: Int64, _ txid: UInt64) -> Change { Fixtures.write(id, txid: txid) }

    /// T1 (txid 100) begins first and writes change 1; T2 (101) writes
    /// change 2 and commits (tick 2 sees it, not T1); T1 writes change 3 and
    /// commits (tick 3 sees both). T2 comes first, T1 holds changes 1 and 3.
    @Test func interleavedCommitsFollowTheTickThatSawThem() {
        let changes = [write(1, 100), write(2, 101), write(3, 100)]
        let batches = CommittedTransaction.batches(
            changes, previous: tick(1, 100, 100), ticks: [tick(2, 100, 102, [100]), tick(3, 102, 102)])
        #expect(batches == [
            CommittedTransaction(txid: 101, tick: 2, changes: [changes[1]]),
            CommittedTransaction(txid: 100, tick: 3, changes: [changes[0], changes[2]]),
        ])
        #expect(batches.map(\.cursor) == [.event(tick: 2, change: 2), .event(tick: 3, change: 3)])
        // The second comes after the first's cursor, not the other way round.
        #expect(batches[0].cursor.precedes(tick: 3, change: 3, txid: 100))
        #expect(!batches[1].cursor.precedes(tick: 2, change: 2, txid: 101))
    }

    /// Both commit before one tick: T100 wrote 1, T101 wrote 2 and 3 and
    /// committed, then T100 (which waited on T101's row lock) wrote 4.
    @Test func withinATickOrderIsByLastChange() {
        let changes = [write(1, 100), write(2, 101), write(3, 101), write(4, 100)]
        let batches = CommittedTransaction.batches(changes, previous: tick(1, 100, 100), ticks: [tick(2, 102, 102)])
        #expect(batches.map(\.txid) == [101, 100])
        #expect(batches.map { $0.changes.map(\.id) } == [[2, 3], [1, 4]])
        #expect(batches.allSatisfy { $0.tick == 2 })
        #expect(batches.map(\.lastChange) == [3, 4])
    }

    @Test func transactionsSeenByThePreviousTickAreDropped() {
        let changes = [write(1, 100), write(2, 101), write(3, 102), write(4, 100)]
        // The previous tick already saw 100 (below its xmin).
        let batches = CommittedTransaction.batches(changes, previous: tick(1, 101, 103, [101, 102]),
                                                   ticks: [tick(2, 103, 103)])
        #expect(batches.map(\.txid) == [101, 102])
        #expect(batches.flatMap(\.changes).map(\.id) == [2, 3])
    }

    @Test func transactionsNoTickSawAreLeftForLater() {
        // 100 is still running at the last tick; 105 began after it.
        let changes = [write(1, 100), write(2, 101), write(3, 105)]
        let batches = CommittedTransaction.batches(changes, previous: tick(1, 100, 100),
                                                   ticks: [tick(2, 100, 102, [100]), tick(3, 100, 103, [100])])
        #expect(batches == [CommittedTransaction(txid: 101, tick: 2, changes: [changes[1]])])
    }

    @Test func eachTransactionIsPlacedInTheFirstTickThatSeesIt() {
        let changes = [write(1, 101), write(2, 102), write(3, 103)]
        let ticks = [tick(2, 102, 104, [102, 103]), tick(3, 103, 104, [103]), tick(4, 104, 104)]
        let batches = CommittedTransaction.batches(changes, previous: tick(1, 101, 101), ticks: ticks)
        #expect(batches.map(\.txid) == [101, 102, 103])
        #expect(batches.map(\.tick) == [2, 3, 4])
    }

    @Test func groupingKeepsEachTransactionsChangesInIDOrder() {
        let changes = [write(1, 200), write(2, 201), write(3, 200), write(4, 201), write(5, 200), write(6, 202)]
        let batches = CommittedTransaction.batches(changes, previous: tick(1, 200, 200), ticks: [tick(2, 203, 203)])
        #expect(batches.map(\.txid) == [201, 200, 202])
        #expect(batches.map { $0.changes.map(\.id) } == [[2, 4], [1, 3, 5], [6]])
    }

    @Test func nothingInNothingOut() {
        #expect(CommittedTransaction.batches([], previous: tick(1, 5, 5), ticks: [tick(2, 9, 9)]).isEmpty)
        #expect(CommittedTransaction.batches([write(1, 7)], previous: tick(1, 5, 5), ticks: []).isEmpty)
    }
}

import ChangeFeed
import Testing

@Suite("Snapshot")
struct SnapshotTests {
    @Test func parsesPostgresTextForm() throws {
        let snapshot = try #require(Snapshot("10:20:12,15"))
        #expect(snapshot.xmin == 10)
        #expect(snapshot.xmax == 20)
        #expect(snapshot.inProgress == [12, 15])
        #expect(snapshot == Snapshot(xmin: 10, xmax: 20, inProgress: [15, 12]))
    }

    @Test func parsesEmptyInProgressList() throws {
        let snapshot = try #require(Snapshot("10:10:"))
        #expect(snapshot.inProgress.isEmpty)
        #expect(snapshot.isVisible(9))
        #expect(!snapshot.isVisible(10))
    }

    @Test(arguments: [
        "", "10", "10:20", "10:20:12:15", "a:20:", "10:b:", "10:20:x", "-1:20:", "10:-20:",
        "20:10:",  // xmin > xmax
        "10:20:9", "10:20:20", "10:20:25",  // xip outside [xmin, xmax)
        "10:20:12,,15", "10:20:12,", "10:20:,12", "10:20: 12",
        "18446744073709551616:18446744073709551617:",  // past UInt64
    ])
    func rejects(_ text: String) {
        #expect(Snapshot(text) == nil)
    }

    @Test(arguments: [
        (UInt64(0), true), (9, true), (10, true), (11, true), (12, false), (13, true),
        (15, false), (19, true), (20, false), (21, false), (UInt64.max, false),
    ])
    func visibility(txid: UInt64, visible: Bool) {
        // Below xmin: committed. In xip: still running. At or past xmax:
        // not yet started. Between, not in xip: committed.
        let snapshot = Snapshot(xmin: 10, xmax: 20, inProgress: [12, 15])
        #expect(snapshot.isVisible(txid) == visible)
    }

    @Test func covers() {
        let start = Snapshot(xmin: 10, xmax: 20, inProgress: [12, 15])
        #expect(Snapshot(xmin: 20, xmax: 25, inProgress: [22]).covers(start))
        #expect(Snapshot(xmin: 30, xmax: 30, inProgress: []).covers(start))
        // 19 may still run in this one (it is its xmin).
        #expect(!Snapshot(xmin: 19, xmax: 25, inProgress: [19]).covers(start))
        #expect(!start.covers(Snapshot(xmin: 20, xmax: 25, inProgress: [])))
    }

    /// The invariant behind `covers`: whatever the covered snapshot sees,
    /// the covering one sees too.
    @Test func coveringSeesEverythingTheOtherSaw() {
        let snapshots = [
            Snapshot(xmin: 10, xmax: 20, inProgress: [12, 15]),
            Snapshot(xmin: 12, xmax: 22, inProgress: [12, 21]),
            Snapshot(xmin: 20, xmax: 25, inProgress: [20, 24]),
            Snapshot(xmin: 25, xmax: 25, inProgress: []),
            Snapshot(xmin: 5, xmax: 30, inProgress: [5, 6, 29]),
        ]
        var coveringPairs = 0
        for a in snapshots {
            for b in snapshots where a.covers(b) {
                coveringPairs += 1
                for txid in UInt64(0)..<40 where b.isVisible(txid) {
                    #expect(a.isVisible(txid), "\(a) covers \(b) but does not see \(txid)")
                }
            }
        }
        #expect(coveringPairs >= 3)
    }

    @Test(arguments: ["10:20:", "10:20:12,15", "0:0:", "5:6:5", "18446744073709551614:18446744073709551615:18446744073709551614"])
    func descriptionRoundTrips(_ text: String) throws {
        let snapshot = try #require(Snapshot(text))
        #expect(snapshot.description == text)
        #expect(Snapshot(snapshot.description) == snapshot)
    }

    @Test func descriptionListsInProgressSorted() {
        #expect(Snapshot(xmin: 1, xmax: 9, inProgress: [7, 3, 5]).description == "1:9:3,5,7")
    }
}

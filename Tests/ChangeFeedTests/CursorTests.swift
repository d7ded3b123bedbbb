import ChangeFeed
import Testing

@Suite("Cursor")
struct CursorTests {
    static let snapshot = Snapshot(xmin: 10, xmax: 20, inProgress: [12, 15])

    @Test func eventRoundTrip() throws {
        let cursor = Cursor.event(tick: 3, change: 42)
        #expect(cursor.description == "3-42")
        #expect(Cursor("3-42") == cursor)
        #expect(Cursor(Substring("x3-42").dropFirst()) == cursor)
        #expect(cursor.tick == 3)
    }

    @Test func snapshotRoundTrip() throws {
        let cursor = Cursor.snapshot(tick: 7, snapshot: Self.snapshot)
        #expect(cursor.description == "7-10:20:12,15")
        #expect(Cursor("7-10:20:12,15") == cursor)
        #expect(Cursor("7-10:20:") == .snapshot(tick: 7, snapshot: Snapshot(xmin: 10, xmax: 20, inProgress: [])))
        #expect(cursor.tick == 7)
    }

    @Test func largestValuesRoundTrip() {
        let cursor = Cursor.event(tick: .max, change: .max)
        #expect(Cursor(cursor.description) == cursor)
        #expect(Cursor("0-0") == .event(tick: 0, change: 0))
    }

    @Test(arguments: [
        "", "abc", "-", "1-", "-1-2", "1--2", "1-2-3", "1-x", "x-1", " 1-2", "1-2 ", "1.5-2",
        "9223372036854775808-1", "1-9223372036854775808",
        "1-10:20", "1-20:10:", "1-10:20:25", "1-a:b:c",
        "1-" + String(repeating: "0", count: 5000) + "2",  // would be 1-2 but is too long
    ])
    func rejects(_ text: String) {
        #expect(Cursor(text) == nil)
    }

    @Test(arguments: [
        // (tick, change, comes after 5-100)
        (Int64(6), Int64(1), true),
        (6, 500, true),
        (5, 101, true),
        (5, 100, false),  // the event itself
        (5, 99, false),
        (4, 500, false),
        (0, 0, false),
    ])
    func eventPrecedes(tick: Int64, change: Int64, after: Bool) {
        let cursor = Cursor.event(tick: 5, change: 100)
        // The txid plays no part for event cursors.
        for txid: UInt64 in [1, 12, 1000] {
            #expect(cursor.precedes(tick: tick, change: change, txid: txid) == after)
        }
    }

    @Test(arguments: [
        // (tick, txid, comes after 5-10:20:12,15)
        (Int64(6), UInt64(12), true),  // in progress at the read: not in the document
        (6, 15, true),
        (6, 20, true),  // started after the read
        (7, 100, true),
        (6, 11, false),  // the read saw it
        (6, 9, false),
        (5, 12, false),  // every tick up to 5 is in the document
        (5, 100, false),
        (1, 100, false),
    ])
    func snapshotPrecedes(tick: Int64, txid: UInt64, after: Bool) {
        let cursor = Cursor.snapshot(tick: 5, snapshot: Self.snapshot)
        #expect(cursor.precedes(tick: tick, change: 1, txid: txid) == after)
        #expect(cursor.precedes(tick: tick, change: 1_000_000, txid: txid) == after)
    }
}

import ChangeFeed
import JSON
import Testing

@Suite("SubscriberHub")
struct SubscriberHubTests {
    let encoder = CountingEncoder()
    let hub: SubscriberHub
    let t0 = ContinuousClock.now

    init() {
        hub = SubscriberHub(encode: { [encoder] in encoder.encode($0) })
    }

    @discardableResult
    private func subscribe(_ spec: StreamSpec, sink: RecordingSink, start: Cursor? = nil) -> Subscriber {
        let subscriber = Subscriber(id: hub.makeID(), spec: spec, sink: sink, start: start, now: t0)
        hub.add(subscriber)
        return subscriber
    }

    private func transaction(txid: UInt64 = 100, tick: Int64 = 2, _ changes: [Change]) -> CommittedTransaction {
        CommittedTransaction(txid: txid, tick: tick, changes: changes)
    }

    private func insertTrack(_ id: Int64, txid: UInt64 = 100, key: String = "1") -> Change {
        Fixtures.insert(id, txid: txid, key: key, row: #"{"id":\#(key)}"#)
    }

    private func publish(_ transaction: CommittedTransaction, at offset: Duration = .zero) -> Int {
        hub.publish(transaction, resourceName: Fixtures.resourceName, now: t0 + offset)
    }

    @Test func oneEncodingPerGroupSharedByItsMembers() {
        let a = RecordingSink(), b = RecordingSink(), record = RecordingSink(), albums = RecordingSink()
        subscribe(StreamSpec(resource: "track"), sink: a)
        subscribe(StreamSpec(resource: "track"), sink: b)
        subscribe(StreamSpec(resource: "track", record: "1"), sink: record)
        subscribe(StreamSpec(resource: "album"), sink: albums)

        let sent = publish(transaction(tick: 2, [insertTrack(5)]))
        #expect(sent == 3)
        #expect(encoder.encodings == 2)
        #expect(a.writes.count == 1)
        #expect(a.writes == b.writes)
        #expect(a.texts == [#"id: 2-5\#nevent: patch\#ndata: [{"op":"add","path":"/track/1","value":{"id":1}}]\#n\#n"#])
        #expect(record.texts == [#"id: 2-5\#nevent: patch\#ndata: [{"op":"replace","path":"","value":{"id":1}}]\#n\#n"#])
        #expect(albums.writes.isEmpty)
    }

    @Test func membersOnlyGetTheirResourcesChanges() {
        let tracks = RecordingSink(), albums = RecordingSink()
        subscribe(StreamSpec(resource: "track"), sink: tracks)
        subscribe(StreamSpec(resource: "album"), sink: albums)
        let changes = [insertTrack(7), Fixtures.insert(8, relid: 2, key: "9", row: #"{"a":9}"#), Fixtures.write(9, txid: 100)]
        #expect(publish(transaction(tick: 4, changes)) == 2)
        #expect(tracks.texts == [#"id: 4-9\#nevent: patch\#ndata: [{"op":"add","path":"/track/1","value":{"id":1}},{"op":"add","path":"/track/9","value":{"id":9}}]\#n\#n"#])
        #expect(albums.texts == [#"id: 4-9\#nevent: patch\#ndata: [{"op":"add","path":"/album/9","value":{"a":9}}]\#n\#n"#])
        // Unknown relations and unfollowed resources cost nothing.
        #expect(publish(transaction([Fixtures.insert(10, relid: 3, key: "1", row: "{}")])) == 0)
        #expect(encoder.encodings == 2)
    }

    @Test func eventForASpecIsWhatItsMembersGet() throws {
        let sink = RecordingSink()
        let spec = StreamSpec(resource: "track", record: "1")
        subscribe(spec, sink: sink)
        let committed = transaction(tick: 3, [insertTrack(4), insertTrack(5, key: "2")])
        let event = try #require(hub.event(for: committed, spec: spec, resourceName: Fixtures.resourceName))
        _ = publish(committed)
        #expect(sink.writes == [event])
        #expect(hub.event(for: transaction([insertTrack(1, key: "2")]), spec: spec, resourceName: Fixtures.resourceName) == nil)
    }

    @Test func startSnapshotSkipsWhatTheDocumentAlreadyHas() {
        let sink = RecordingSink()
        let start = Snapshot(xmin: 100, xmax: 102, inProgress: [101])
        let subscriber = subscribe(StreamSpec(resource: "track"), sink: sink, start: .snapshot(tick: 1, snapshot: start))

        #expect(publish(transaction(txid: 100, tick: 2, [insertTrack(1, txid: 100)])) == 0)
        #expect(publish(transaction(txid: 101, tick: 2, [insertTrack(2, txid: 101, key: "2")])) == 1)
        #expect(sink.writes.count == 1)
        #expect(subscriber.lastCursor == .event(tick: 2, change: 2))

        // A tick that does not cover the start snapshot keeps the skipping.
        hub.advance(past: Tick(id: 2, snapshot: Snapshot(xmin: 101, xmax: 103, inProgress: [101])))
        #expect(publish(transaction(txid: 99, tick: 3, [insertTrack(3, txid: 99, key: "3")])) == 0)

        // One that does (everything the start saw is below its xmin) ends it.
        hub.advance(past: Tick(id: 3, snapshot: Snapshot(xmin: 102, xmax: 104, inProgress: [103])))
        #expect(publish(transaction(txid: 99, tick: 4, [insertTrack(4, txid: 99, key: "4")])) == 1)
        #expect(sink.writes.count == 2)
    }

    @Test func overflowFinishesTheStreamWithItsLastCursor() throws {
        let slow = RecordingSink(), fast = RecordingSink()
        let subscriber = subscribe(StreamSpec(resource: "track"), sink: slow, start: .event(tick: 1, change: 1))
        subscribe(StreamSpec(resource: "track"), sink: fast)
        #expect(hub.subscriberCount == 2)

        #expect(publish(transaction(tick: 2, [insertTrack(5)])) == 2)
        slow.answer = .overflow
        #expect(publish(transaction(tick: 3, [insertTrack(8, key: "2")])) == 1)

        #expect(hub.subscriberCount == 1)
        #expect(slow.writes.count == 1)
        let final = try #require(slow.finals.first ?? nil)
        #expect(slow.finals.count == 1)
        let text = String(decoding: final, as: UTF8.self)
        #expect(text.hasPrefix("id: 2-5\nevent: overflow\ndata: "))
        let data = try #require(text.split(separator: "\n").first { $0.hasPrefix("data: ") }?.dropFirst(6))
        #expect(try JSONValue(parsing: String(data))["code"] == "overflow")
        #expect(subscriber.lastCursor == .event(tick: 2, change: 5))

        // Gone for good: the next transaction reaches only the other.
        #expect(publish(transaction(tick: 4, [insertTrack(9, key: "3")])) == 1)
        #expect(slow.finals.count == 1)
        #expect(fast.writes.count == 3)
    }

    @Test func overflowBeforeAnyEventResumesFromTheStart() throws {
        let sink = RecordingSink()
        sink.answer = .overflow
        subscribe(StreamSpec(resource: "track"), sink: sink, start: .event(tick: 7, change: 70))
        #expect(publish(transaction(tick: 8, [insertTrack(80)])) == 0)
        let final = try #require(sink.finals.first ?? nil)
        #expect(String(decoding: final, as: UTF8.self).hasPrefix("id: 7-70\nevent: overflow\n"))
        #expect(hub.subscriberCount == 0)
        #expect(hub.followedResources.isEmpty)
    }

    @Test func closedSinksAreDropped() {
        let gone = RecordingSink()
        gone.answer = .closed
        subscribe(StreamSpec(resource: "track"), sink: gone)
        #expect(publish(transaction([insertTrack(1)])) == 0)
        #expect(hub.subscriberCount == 0)
    }

    @Test func keepAliveOnlyToIdleMembers() {
        let busy = RecordingSink(), idle = RecordingSink()
        subscribe(StreamSpec(resource: "track"), sink: busy)
        subscribe(StreamSpec(resource: "album"), sink: idle)
        let comment = ": keep-alive\n\n"

        _ = publish(transaction([insertTrack(1)]), at: .seconds(10))
        hub.keepAlive(interval: .seconds(15), now: t0 + .seconds(14))
        #expect(busy.texts.count == 1 && idle.texts.isEmpty)

        hub.keepAlive(interval: .seconds(15), now: t0 + .seconds(16))
        #expect(idle.texts == [comment])
        #expect(busy.texts.count == 1)

        hub.keepAlive(interval: .seconds(15), now: t0 + .seconds(26))
        #expect(busy.texts.last == comment && busy.texts.count == 2)
        #expect(idle.texts == [comment])  // written to at 16 s

        hub.keepAlive(interval: .seconds(15), now: t0 + .seconds(31))
        #expect(idle.texts == [comment, comment])
        #expect(busy.texts.count == 2)
    }

    @Test func keepAliveDropsGoneAndOverflowingMembers() throws {
        let gone = RecordingSink(), full = RecordingSink(), fine = RecordingSink()
        subscribe(StreamSpec(resource: "track"), sink: gone)
        subscribe(StreamSpec(resource: "track"), sink: full, start: .event(tick: 3, change: 4))
        subscribe(StreamSpec(resource: "track"), sink: fine)
        gone.answer = .closed
        full.answer = .overflow
        hub.keepAlive(interval: .seconds(15), now: t0 + .seconds(20))
        #expect(hub.subscriberCount == 1)
        #expect(fine.texts == [": keep-alive\n\n"])
        let final = try #require(full.finals.first ?? nil)
        #expect(String(decoding: final, as: UTF8.self).hasPrefix("id: 3-4\nevent: overflow\n"))
    }

    @Test func finishAllSendsTheFinalEventToEveryone() {
        let sinks = [RecordingSink(), RecordingSink(), RecordingSink()]
        subscribe(StreamSpec(resource: "track"), sink: sinks[0])
        subscribe(StreamSpec(resource: "track"), sink: sinks[1])
        subscribe(StreamSpec(resource: "album", patchMode: .field), sink: sinks[2])
        let final = FeedEvent(id: "9-9", name: "shutdown", data: "{}")
        hub.finishAll(final: final)
        for sink in sinks {
            #expect(sink.finals == [CountingEncoder.frame(final)])
        }
        #expect(hub.subscriberCount == 0)
        #expect(hub.followedResources.isEmpty)
        #expect(publish(transaction([insertTrack(1)])) == 0)
    }

    @Test func addAndRemoveTrackFollowedResources() {
        let a = subscribe(StreamSpec(resource: "track"), sink: RecordingSink())
        let b = subscribe(StreamSpec(resource: "track", record: "1"), sink: RecordingSink())
        let c = subscribe(StreamSpec(resource: "album"), sink: RecordingSink())
        #expect(hub.subscriberCount == 3)
        #expect(hub.followedResources == ["track", "album"])
        hub.remove(a)
        #expect(hub.followedResources == ["track", "album"])
        hub.remove(b)
        hub.remove(b)  // twice is harmless
        #expect(hub.followedResources == ["album"])
        #expect(hub.subscriberCount == 1)
        hub.remove(c)
        #expect(hub.subscriberCount == 0 && hub.followedResources.isEmpty)
        #expect(Set([a.id, b.id, c.id]).count == 3)
    }
}

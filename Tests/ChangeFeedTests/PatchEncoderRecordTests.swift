import ChangeFeed
import Testing

@Suite("PatchEncoder: records")
struct PatchEncoderRecordTests {
    let record = PatchEncoder(spec: StreamSpec(resource: "track", record: "1"))
    let one = #"{"id": 1, "title": "One"}"#
    let uno = #"{"id":1,"title":"Uno"}"#

    @Test func insertReplacesTheDocument() throws {
        try checkPatch(record.encode([Fixtures.insert(1, key: "1", row: one)]),
                       equals: #"[{"op":"replace","path":"","value":{"id":1,"title":"One"}}]"#,
                       from: "null", to: #"{"id":1,"title":"One"}"#)
    }

    @Test func updateReplacesTheDocument() throws {
        try checkPatch(record.encode([Fixtures.update(1, from: "1", one, to: "1", uno)]),
                       equals: #"[{"op":"replace","path":"","value":{"id":1,"title":"Uno"}}]"#,
                       from: one, to: uno)
    }

    @Test func deleteAndTruncateMakeItNull() throws {
        try checkPatch(record.encode([Fixtures.delete(1, key: "1", row: one)]),
                       equals: #"[{"op":"replace","path":"","value":null}]"#, from: one, to: "null")
        try checkPatch(record.encode([Fixtures.truncate(1)]),
                       equals: #"[{"op":"replace","path":"","value":null}]"#, from: one, to: "null")
    }

    @Test func keyChangesMoveTheRowOutAndIn() throws {
        try checkPatch(record.encode([Fixtures.update(1, from: "1", one, to: "2", #"{"id":2}"#)]),
                       equals: #"[{"op":"replace","path":"","value":null}]"#, from: one, to: "null")
        try checkPatch(record.encode([Fixtures.update(1, from: "2", #"{"id":2}"#, to: "1", uno)]),
                       equals: #"[{"op":"replace","path":"","value":{"id":1,"title":"Uno"}}]"#, from: "null", to: uno)
    }

    @Test func otherRowsSendNothing() {
        #expect(record.encode([
            Fixtures.insert(1, key: "2", row: one),
            Fixtures.update(2, from: "2", one, to: "3", uno),
            Fixtures.delete(3, key: "10", row: one),
            Fixtures.insert(4, key: "1,", row: one),
        ]) == nil)
    }

    @Test func fieldModeRecord() throws {
        let encoder = PatchEncoder(spec: StreamSpec(resource: "track", record: "1", patchMode: .field))
        try checkPatch(encoder.encode([Fixtures.update(1, from: "1", one, to: "1", uno)]),
                       equals: #"[{"op":"replace","path":"/title","value":"Uno"}]"#, from: one, to: uno)
    }
}

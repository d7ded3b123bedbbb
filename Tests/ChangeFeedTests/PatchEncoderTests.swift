import ChangeFeed
import JSON
import Testing

@Suite("PatchEncoder: collections")
struct PatchEncoderTests {
    let tracks = PatchEncoder(spec: StreamSpec(resource: "track"))
    let one = #"{"id":1,"title":"One"}"#
    let uno = #"{"id":1,"title":"Uno"}"#

    @Test func insertAddsTheRow() throws {
        try checkPatch(
            tracks.encode([Fixtures.insert(1, key: "1", row: one)]),
            equals: #"[{"op":"add","path":"/track/1","value":{"id":1,"title":"One"}}]"#,
            from: #"{"track":{}}"#, to: #"{"track":{"1":{"id":1,"title":"One"}}}"#)
    }

    @Test func keysAndResourceNamesAreEscapedInPointers() throws {
        let encoder = PatchEncoder(spec: StreamSpec(resource: "a/b~c"))
        let patch = encoder.encode([Fixtures.insert(1, key: "x/y~z", row: #"{"k":"x/y~z"}"#)])
        try checkPatch(
            patch, equals: #"[{"op":"add","path":"/a~1b~0c/x~1y~0z","value":{"k":"x/y~z"}}]"#,
            from: #"{"a/b~c":{}}"#, to: #"{"a/b~c":{"x/y~z":{"k":"x/y~z"}}}"#)
        // The `/` stays as is in the JSON text (never `\/`).
        #expect(String(decoding: try #require(patch), as: UTF8.self).contains(#""path":"/a~1b~0c/x~1y~0z""#))
    }

    @Test func compositeAndUnicodeKeysAreMemberNames() throws {
        try checkPatch(
            tracks.encode([Fixtures.insert(1, key: "3,x%2Cy", row: #"{"a":3}"#),
                           Fixtures.insert(2, key: "ü ~ é", row: #"{"a":4}"#)]),
            equals: #"[{"op":"add","path":"/track/3,x%2Cy","value":{"a":3}},{"op":"add","path":"/track/ü ~0 é","value":{"a":4}}]"#,
            from: #"{"track":{}}"#, to: #"{"track":{"3,x%2Cy":{"a":3},"ü ~ é":{"a":4}}}"#)
    }

    @Test func updateReplacesTheWholeRow() throws {
        try checkPatch(
            tracks.encode([Fixtures.update(1, from: "1", one, to: "1", uno)]),
            equals: #"[{"op":"replace","path":"/track/1","value":{"id":1,"title":"Uno"}}]"#,
            from: #"{"track":{"1":{"id":1,"title":"One"}}}"#, to: #"{"track":{"1":{"id":1,"title":"Uno"}}}"#)
    }

    @Test func keyChangeRemovesTheOldAndAddsTheNew() throws {
        try checkPatch(
            tracks.encode([Fixtures.update(1, from: "1", one, to: "2", #"{"id":2,"title":"One"}"#)]),
            equals: #"[{"op":"remove","path":"/track/1"},{"op":"add","path":"/track/2","value":{"id":2,"title":"One"}}]"#,
            from: #"{"track":{"1":{"id":1,"title":"One"},"5":{}}}"#,
            to: #"{"track":{"2":{"id":2,"title":"One"},"5":{}}}"#)
    }

    @Test func deleteRemoves() throws {
        try checkPatch(
            tracks.encode([Fixtures.delete(1, key: "1", row: one)]),
            equals: #"[{"op":"remove","path":"/track/1"}]"#,
            from: #"{"track":{"1":{"id":1,"title":"One"},"2":{"id":2}}}"#, to: #"{"track":{"2":{"id":2}}}"#)
    }

    @Test func truncateEmptiesTheCollection() throws {
        try checkPatch(
            tracks.encode([Fixtures.truncate(1)]),
            equals: #"[{"op":"replace","path":"/track","value":{}}]"#,
            from: #"{"track":{"1":{"id":1},"2":{"id":2}}}"#, to: #"{"track":{}}"#)
    }

    @Test func oneTransactionIsOnePatchInOrder() throws {
        let changes = [
            Fixtures.insert(1, key: "1", row: one),
            Fixtures.update(2, from: "1", one, to: "1", uno),
            Fixtures.insert(3, key: "2", row: #"{"id":2}"#),
            Fixtures.delete(4, key: "1", row: uno),
        ]
        try checkPatch(
            tracks.encode(changes),
            equals: #"""
                [{"op":"add","path":"/track/1","value":{"id":1,"title":"One"}},
                 {"op":"replace","path":"/track/1","value":{"id":1,"title":"Uno"}},
                 {"op":"add","path":"/track/2","value":{"id":2}},
                 {"op":"remove","path":"/track/1"}]
                """#,
            from: #"{"track":{}}"#, to: #"{"track":{"2":{"id":2}}}"#)
    }

    @Test func noChangesNoPatch() {
        #expect(tracks.encode([]) == nil)
    }

    /// PostgreSQL prints nested jsonb with spaces; events are compact, but
    /// string contents are kept byte for byte.
    @Test(arguments: [(nil, true), (["id", "doc", "note", "path"], false)] as [([String]?, Bool)])
    func rowsComeOutCompact(select: [String]?, keepsN: Bool) throws {
        let row = #"{"id": 1, "doc": {"a": [1, 2], "b": {"c": null}},"# + "\n\t"
            + #" "note": "two  spaces, \"quoted\" {x: [1, 2]}", "path": "C:\\dir\\", "n": 1.50}"#
        let encoder = PatchEncoder(spec: StreamSpec(resource: "track", select: select))
        let patch = try #require(encoder.encode([Fixtures.insert(1, key: "1", row: row)]))
        let compactRow = #"{"id":1,"doc":{"a":[1,2],"b":{"c":null}},"note":"two  spaces, \"quoted\" {x: [1, 2]}","path":"C:\\dir\\""#
            + (keepsN ? #","n":1.50}"# : "}")
        #expect(String(decoding: patch, as: UTF8.self) == #"[{"op":"add","path":"/track/1","value":"# + compactRow + "}]")
        let added = try JSONValue(parsing: patch)[0]?["value"]
        #expect(added == (try JSONValue(parsing: compactRow)))
    }

    @Test func compactKeepsNumbersAsWritten() throws {
        let patch = try #require(tracks.encode([Fixtures.insert(1, key: "1", row: #"{"n": 1.50, "big": 123456789012345678901234567890}"#)]))
        #expect(String(decoding: patch, as: UTF8.self)
            == #"[{"op":"add","path":"/track/1","value":{"n":1.50,"big":123456789012345678901234567890}}]"#)
    }

    @Test func rowTextCompact() {
        #expect(RowText.compact("{ \"a\" : [ 1 ,\r\n 2 ] }") == Array(#"{"a":[1,2]}"#.utf8))
        #expect(RowText.compact(#"{"a": "x\\", "b": " \" "}"#) == Array(#"{"a":"x\\","b":" \" "}"#.utf8))
        #expect(RowText.compact(#"["\u0022 ", "é  ü"]"#) == Array(#"["\u0022 ","é  ü"]"#.utf8))
    }
}

import JSON
import Testing

@Suite("JSONPatch")
struct JSONPatchTests {
    static let tracks = #"""
        {"track":{"1":{"title":"One","votes":1},"2":{"title":"Two","votes":2},
                  "a/b":{"title":"Slash"},"m~n":{"title":"Tilde"}},"count":4}
        """#

    private func patch(_ text: String) throws -> JSONPatch {
        try JSONPatch(JSONValue(parsing: text))
    }

    @Test func keyedDocument() throws {
        let document = try JSONValue(parsing: Self.tracks)
        let result = try patch(#"""
            [{"op":"test","path":"/track/1/votes","value":1.0},
             {"op":"replace","path":"/track/1","value":{"title":"Uno","votes":10}},
             {"op":"remove","path":"/track/2"},
             {"op":"add","path":"/track/3","value":{"title":"Three"}},
             {"op":"replace","path":"/track/a~1b/title","value":"Slash!"},
             {"op":"move","from":"/track/m~0n","path":"/track/m~0n~1moved"},
             {"op":"copy","from":"/track/3","path":"/track/4"},
             {"op":"replace","path":"/count","value":4}]
            """#).apply(to: document)
        #expect(result == (try JSONValue(parsing: #"""
            {"count":4,"track":{"1":{"title":"Uno","votes":10},"3":{"title":"Three"},
             "a/b":{"title":"Slash!"},"m~n/moved":{"title":"Tilde"},"4":{"title":"Three"}}}
            """#)))
        // Member order: replaced members stay, new ones are appended.
        #expect(result["track"]?.objectValue?.keys == ["1", "a/b", "3", "m~n/moved", "4"])
        // The input is untouched.
        #expect(document == (try JSONValue(parsing: Self.tracks)))
    }

    @Test func builtWithPointerTokens() throws {
        var document = try JSONValue(parsing: Self.tracks)
        let slash = JSONPointer(tokens: ["track", "a/b"])
        let operations: JSONPatch = [
            .test(path: slash.appending("title"), value: "Slash"),
            .remove(path: slash),
            .add(path: JSONPointer(tokens: ["track", "~/"]), value: ["title": "Both"]),
        ]
        try operations.apply(to: &document)
        #expect(document["track"]?["a/b"] == nil)
        #expect(document["track"]?["~/"]?["title"] == "Both")
        #expect(operations.jsonValue[2]?["path"] == "/track/~0~1")
    }

    @Test func arrays() throws {
        let document: JSONValue = ["a": [1, 2, 3]]
        #expect(try patch(#"[{"op":"add","path":"/a/0","value":0}]"#).apply(to: document) == ["a": [0, 1, 2, 3]])
        #expect(try patch(#"[{"op":"add","path":"/a/3","value":4}]"#).apply(to: document) == ["a": [1, 2, 3, 4]])
        #expect(try patch(#"[{"op":"add","path":"/a/-","value":4}]"#).apply(to: document) == ["a": [1, 2, 3, 4]])
        #expect(try patch(#"[{"op":"remove","path":"/a/1"}]"#).apply(to: document) == ["a": [1, 3]])
        #expect(try patch(#"[{"op":"move","from":"/a/0","path":"/a/-"}]"#).apply(to: document) == ["a": [2, 3, 1]])
        #expect(throws: JSONPatchError.invalidIndex) { try patch(#"[{"op":"add","path":"/a/4","value":4}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.invalidIndex) { try patch(#"[{"op":"add","path":"/a/01","value":4}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.invalidIndex) { try patch(#"[{"op":"remove","path":"/a/-"}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.invalidIndex) { try patch(#"[{"op":"replace","path":"/a/3","value":0}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.invalidIndex) { try patch(#"[{"op":"remove","path":"/a/-1"}]"#).apply(to: document) }
    }

    @Test func rootOperations() throws {
        let document: JSONValue = ["a": 1]
        #expect(try patch(#"[{"op":"replace","path":"","value":[1]}]"#).apply(to: document) == [1])
        #expect(try patch(#"[{"op":"add","path":"","value":"x"}]"#).apply(to: document) == "x")
        #expect(try patch(#"[{"op":"test","path":"","value":{"a":1.0}}]"#).apply(to: document) == document)
        #expect(throws: JSONPatchError.invalidPointer) { try patch(#"[{"op":"remove","path":""}]"#).apply(to: document) }
    }

    @Test func failures() throws {
        let document: JSONValue = ["a": ["b": 1], "s": "x"]
        #expect(throws: JSONPatchError.pathNotFound) { try patch(#"[{"op":"remove","path":"/nope"}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.pathNotFound) { try patch(#"[{"op":"replace","path":"/nope","value":1}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.pathNotFound) { try patch(#"[{"op":"add","path":"/x/y","value":1}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.pathNotFound) { try patch(#"[{"op":"add","path":"/s/y","value":1}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.pathNotFound) { try patch(#"[{"op":"copy","from":"/nope","path":"/c"}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.pathNotFound) { try patch(#"[{"op":"move","from":"/nope","path":"/nope"}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.invalidPatch) { try patch(#"[{"op":"move","from":"/a","path":"/a/b/c"}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.testFailed) { try patch(#"[{"op":"test","path":"/a/b","value":true}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.testFailed) { try patch(#"[{"op":"test","path":"/a/b","value":"1"}]"#).apply(to: document) }
        #expect(throws: JSONPatchError.testFailed) { try patch(#"[{"op":"test","path":"/zz","value":null}]"#).apply(to: document) }
        // Fine: same location, and a move to a sibling with a common prefix.
        #expect(try patch(#"[{"op":"move","from":"/a","path":"/a"}]"#).apply(to: document) == document)
        #expect(try patch(#"[{"op":"move","from":"/a","path":"/ab"}]"#).apply(to: document) == ["ab": ["b": 1], "s": "x"])
        #expect(try patch(#"[{"op":"copy","from":"/a","path":"/a/c"}]"#).apply(to: document)["a"]?["c"] == ["b": 1])
    }

    @Test func errorsNameTheOperation() throws {
        let twoOperations = try patch(#"[{"op":"test","path":"/a","value":1},{"op":"remove","path":"/b"}]"#)
        do {
            _ = try twoOperations.apply(to: ["a": 1])
            Issue.record("should fail")
        } catch {
            #expect(error == .pathNotFound)
            #expect(error.operationIndex == 1)
            #expect(error.description.contains("/b"))
        }
    }

    @Test(arguments: [
        #"{}"#, #"[1]"#, #"[{}]"#, #"[{"path":"/a"}]"#, #"[{"op":"add","path":"/a"}]"#, #"[{"op":"add","value":1}]"#,
        #"[{"op":"replace","path":"/a"}]"#, #"[{"op":"test","path":"/a"}]"#, #"[{"op":"move","path":"/a"}]"#,
        #"[{"op":"copy","path":"/a"}]"#, #"[{"op":"spam","path":"/a"}]"#, #"[{"op":1,"path":"/a"}]"#,
        #"[{"op":"remove","path":1}]"#, #"[{"op":"move","from":null,"path":"/a"}]"#, #"[{"op":"ADD","path":"/a","value":1}]"#,
    ])
    func malformedPatches(_ text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(throws: JSONPatchError.invalidPatch) { try JSONPatch(value) }
    }

    @Test func malformedPointersInPatches() throws {
        #expect(throws: JSONPatchError.invalidPointer) { try patch(#"[{"op":"remove","path":"a"}]"#) }
        #expect(throws: JSONPatchError.invalidPointer) { try patch(#"[{"op":"copy","from":"/~2","path":"/a"}]"#) }
    }

    @Test func nullValueAndExtraMembers() throws {
        let parsed = try patch(#"[{"op":"add","path":"/a","value":null,"extra":[1],"from":"/ignored"}]"#)
        #expect(parsed.operations == [.add(path: try JSONPointer("/a"), value: nil)])
        #expect(try parsed.apply(to: [:]) == ["a": nil])
    }

    @Test func jsonFormOrdersMembers() throws {
        let patch: JSONPatch = [
            .add(path: try JSONPointer("/a~1b"), value: [1]),
            .remove(path: try JSONPointer("/x")),
            .replace(path: try JSONPointer(""), value: nil),
            .move(from: try JSONPointer("/f"), path: try JSONPointer("/t")),
            .copy(from: try JSONPointer("/f"), path: try JSONPointer("/t")),
            .test(path: try JSONPointer("/n"), value: 1),
        ]
        #expect(patch.jsonValue.jsonText == #"[{"op":"add","path":"/a~1b","value":[1]},{"op":"remove","path":"/x"},"#
            + #"{"op":"replace","path":"","value":null},{"op":"move","path":"/t","from":"/f"},"#
            + #"{"op":"copy","path":"/t","from":"/f"},{"op":"test","path":"/n","value":1}]"#)
        #expect(try JSONPatch(patch.jsonValue) == patch)
        #expect(JSONPatch(operations: []).jsonValue == [])
    }

    @Test func failedPatchLeavesDocumentUntouched() throws {
        let original = try JSONValue(parsing: Self.tracks)
        let failing = try patch(#"""
            [{"op":"remove","path":"/track/1"},{"op":"add","path":"/track/9","value":1},
             {"op":"move","from":"/track/2","path":"/moved"},{"op":"test","path":"/count","value":5}]
            """#)
        var document = original
        #expect(throws: JSONPatchError.testFailed) { try failing.apply(to: &document) }
        #expect(document == original)
        #expect(document.jsonText == original.jsonText)
        // A failing move of a single operation is restored too.
        let move = try patch(#"[{"op":"move","from":"/track/1","path":"/nope/x"}]"#)
        #expect(throws: JSONPatchError.pathNotFound) { try move.apply(to: &document) }
        #expect(document.jsonText == original.jsonText)
    }
}

import ChangeFeed
import JSON
import Testing

/// Filtered, projected, per-field and record streams.
@Suite("PatchEncoder: views")
struct PatchEncoderViewTests {
    /// `votes=gte.10`, as the application hands it over (canonical value set).
    let popular = PatchEncoder(spec: StreamSpec(
        resource: "track",
        filter: RowFilter([FilterCondition(column: "votes", op: .gte, values: ["10"], canonical: [10])])))

    private func row(_ id: Int, votes: Int) -> String { #"{"id":\#(id),"votes":\#(votes)}"# }

    @Test func rowMovingIntoTheFilterIsAdded() throws {
        try checkPatch(
            popular.encode([Fixtures.update(1, from: "1", row(1, votes: 5), to: "1", row(1, votes: 12))]),
            equals: #"[{"op":"add","path":"/track/1","value":{"id":1,"votes":12}}]"#,
            from: #"{"track":{}}"#, to: #"{"track":{"1":{"id":1,"votes":12}}}"#)
    }

    @Test func rowMovingOutOfTheFilterIsRemoved() throws {
        try checkPatch(
            popular.encode([Fixtures.update(1, from: "1", row(1, votes: 12), to: "1", row(1, votes: 5))]),
            equals: #"[{"op":"remove","path":"/track/1"}]"#,
            from: #"{"track":{"1":{"id":1,"votes":12}}}"#, to: #"{"track":{}}"#)
    }

    @Test func rowMatchingBeforeAndAfterIsReplaced() throws {
        try checkPatch(
            popular.encode([Fixtures.update(1, from: "1", row(1, votes: 12), to: "1", row(1, votes: 15))]),
            equals: #"[{"op":"replace","path":"/track/1","value":{"id":1,"votes":15}}]"#,
            from: #"{"track":{"1":{"id":1,"votes":12}}}"#, to: #"{"track":{"1":{"id":1,"votes":15}}}"#)
    }

    @Test func rowsOutsideTheFilterSendNothing() {
        #expect(popular.encode([
            Fixtures.update(1, from: "1", row(1, votes: 1), to: "1", row(1, votes: 2)),
            Fixtures.insert(2, key: "2", row: row(2, votes: 3)),
            Fixtures.delete(3, key: "3", row: row(3, votes: 9)),
            Fixtures.insert(4, key: "4", row: #"{"id":4,"votes":null}"#),
        ]) == nil)
    }

    @Test func filteredInsertAndDelete() throws {
        try checkPatch(
            popular.encode([Fixtures.insert(1, key: "1", row: row(1, votes: 10)),
                            Fixtures.insert(2, key: "2", row: row(2, votes: 9)),
                            Fixtures.delete(3, key: "3", row: row(3, votes: 30))]),
            equals: #"[{"op":"add","path":"/track/1","value":{"id":1,"votes":10}},{"op":"remove","path":"/track/3"}]"#,
            from: #"{"track":{"3":{"id":3,"votes":30}}}"#, to: #"{"track":{"1":{"id":1,"votes":10}}}"#)
    }

    @Test func keyChangeOutOfTheFilterOnlyRemoves() throws {
        try checkPatch(
            popular.encode([Fixtures.update(1, from: "1", row(1, votes: 12), to: "2", row(2, votes: 1))]),
            equals: #"[{"op":"remove","path":"/track/1"}]"#,
            from: #"{"track":{"1":{"id":1,"votes":12}}}"#, to: #"{"track":{}}"#)
    }

    @Test func selectKeepsOnlyTheListedColumns() throws {
        let encoder = PatchEncoder(spec: StreamSpec(resource: "track", select: ["id", "title"]))
        try checkPatch(
            encoder.encode([
                Fixtures.insert(1, key: "1", row: #"{"id":1,"title":"One","votes":3,"blob":"\\x00"}"#),
                Fixtures.update(2, from: "1", #"{"id":1,"title":"One","votes":3}"#, to: "1", #"{"id":1,"title":"Uno","votes":4}"#),
            ]),
            equals: #"[{"op":"add","path":"/track/1","value":{"id":1,"title":"One"}},{"op":"replace","path":"/track/1","value":{"id":1,"title":"Uno"}}]"#,
            from: #"{"track":{}}"#, to: #"{"track":{"1":{"id":1,"title":"Uno"}}}"#)
    }

    @Test func fieldModeSendsOneOperationPerChangedColumn() throws {
        let encoder = PatchEncoder(spec: StreamSpec(resource: "track", patchMode: .field))
        let before = #"{"id":1,"title":"One","votes":1,"a/b~c":1,"gone":true}"#
        let after = #"{"id":1,"title":"Uno","votes":1,"a/b~c":2,"new":null}"#
        let patch = try #require(encoder.encode([Fixtures.update(1, from: "1", before, to: "1", after)]))
        let operations = try #require(JSONValue(parsing: patch).arrayValue)
        #expect(Set(operations) == Set(try JSONValue(parsing: #"""
            [{"op":"replace","path":"/track/1/title","value":"Uno"},
             {"op":"replace","path":"/track/1/a~1b~0c","value":2},
             {"op":"add","path":"/track/1/new","value":null},
             {"op":"remove","path":"/track/1/gone"}]
            """#).arrayValue ?? []))
        #expect(operations.count == 4)
        let result = try JSONPatch(JSONValue(parsing: patch)).apply(to: JSONValue(parsing: #"{"track":{"1":\#(before)}}"#))
        #expect(result == (try JSONValue(parsing: #"{"track":{"1":\#(after)}}"#)))
    }

    @Test func fieldModeStillAddsRemovesAndRekeysWholeRows() throws {
        let encoder = PatchEncoder(spec: StreamSpec(resource: "track", patchMode: .field))
        try checkPatch(
            encoder.encode([Fixtures.insert(1, key: "1", row: #"{"id": 1}"#),
                            Fixtures.update(2, from: "1", #"{"id":1}"#, to: "2", #"{"id":2}"#),
                            Fixtures.delete(3, key: "7", row: #"{"id":7}"#)]),
            equals: #"[{"op":"add","path":"/track/1","value":{"id":1}},{"op":"remove","path":"/track/1"},{"op":"add","path":"/track/2","value":{"id":2}},{"op":"remove","path":"/track/7"}]"#,
            from: #"{"track":{"7":{"id":7}}}"#, to: #"{"track":{"2":{"id":2}}}"#)
    }

    @Test func fieldModeUpdateThatChangesNothingSendsNothing() {
        let encoder = PatchEncoder(spec: StreamSpec(resource: "track", patchMode: .field))
        #expect(encoder.encode([Fixtures.update(1, from: "1", #"{"id":1,"a":[1, 2]}"#, to: "1", #"{"a":[1,2],"id":1}"#)]) == nil)
    }
}

import JSON
import Testing

@Suite("JSONPatch in place")
struct JSONPatchInPlaceTests {
    /// Changes happen in place: the buffer of an array deep in a large
    /// document is reused, so nothing along the path was copied.
    @Test func appliesInPlace() throws {
        var rows = JSONObject()
        for i in 0..<15_000 { rows["\(i)"] = ["id": .number(JSONNumber(i)), "name": "row"] }
        var inner: [JSONValue] = [0]
        inner.reserveCapacity(64)
        rows["list"] = .array(inner)
        inner = []
        var document: JSONValue = ["rows": .object(rows)]
        rows = JSONObject()

        func listAddress() -> UInt? {
            document["rows"]?["list"]?.arrayValue?.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        }
        let before = try #require(listAddress())
        let single: JSONPatch = [.add(path: try JSONPointer("/rows/list/-"), value: 1)]
        try single.apply(to: &document)
        #expect(listAddress() == before)

        let many: JSONPatch = [
            .add(path: try JSONPointer("/rows/list/-"), value: 2),
            .replace(path: try JSONPointer("/rows/7/name"), value: "seven"),
            .remove(path: try JSONPointer("/rows/8")),
            .add(path: try JSONPointer("/rows/list/0"), value: -1),
        ]
        try many.apply(to: &document)  // several operations, still atomic
        #expect(listAddress() == before)
        #expect(document["rows"]?["list"] == [-1, 0, 1, 2])
        #expect(document["rows"]?["7"]?["name"] == "seven")
        #expect(document["rows"]?["8"] == nil)
        #expect(document["rows"]?.objectValue?.count == 15_000)

        // Many single-operation patches in a row stay cheap.
        for i in 0..<2_000 where i != 8 {
            try JSONPatch(operations: [.replace(path: JSONPointer(tokens: ["rows", "\(i)", "name"]), value: "x")])
                .apply(to: &document)
        }
        #expect(listAddress() == before)
    }

    /// Random successful operations followed by a failing one: the rollback
    /// must restore the document exactly, member order included.
    @Test(arguments: 0..<40)
    func rollbackRestoresExactly(seed: Int) throws {
        var random = SplitMix(seed: UInt64(seed))
        let original = try JSONValue(parsing: #"""
            {"a":{"x":1,"y":[1,2,3],"z":{"deep":true}},"b":[{"k":1},{"k":2},{"k":3}],"c":"s","d":{"p":1,"q":2,"r":3,"s":4}}
            """#)
        var document = original
        var operations: [JSONPatchOperation] = []
        var scratch = original
        while operations.count < 12 {
            let candidates = Self.pointers(in: scratch)
            let target = candidates[Int(random.next() % UInt64(candidates.count))]
            let other = candidates[Int(random.next() % UInt64(candidates.count))]
            let value: JSONValue = ["n": .number(JSONNumber(operations.count))]
            let operation: JSONPatchOperation
            switch random.next() % 6 {
            case 0: operation = .add(path: target, value: value)
            case 1: operation = .remove(path: target)
            case 2: operation = .replace(path: target, value: value)
            case 3: operation = .move(from: other, path: target)
            case 4: operation = .copy(from: other, path: target)
            default: operation = .add(path: target.parent?.appending("new\(operations.count)") ?? target, value: value)
            }
            // Keep only operations that succeed on the current state.
            if let next = try? JSONPatch(operations: [operation]).apply(to: scratch) {
                scratch = next
                operations.append(operation)
            }
        }
        let succeeding = JSONPatch(operations: operations)
        #expect(try succeeding.apply(to: original) == scratch)
        let failing = JSONPatch(operations: operations + [.test(path: JSONPointer.root, value: "nope")])
        #expect(throws: JSONPatchError.testFailed) { try failing.apply(to: &document) }
        #expect(document.jsonText == original.jsonText)
    }

    private static func pointers(in value: JSONValue, at pointer: JSONPointer = .root) -> [JSONPointer] {
        var result: [JSONPointer] = pointer.isRoot ? [] : [pointer]
        switch value {
        case .object(let object):
            for (key, member) in object { result += pointers(in: member, at: pointer.appending(key)) }
        case .array(let array):
            for (index, element) in array.enumerated() { result += pointers(in: element, at: pointer.appending(String(index))) }
            result.append(pointer.appending("-"))
        default:
            break
        }
        return result.isEmpty ? [pointer.appending("x")] : result
    }
}

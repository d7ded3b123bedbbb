import JSON
import Testing

@Suite("JSONObject")
struct JSONObjectTests {
    @Test func preservesInsertionOrder() throws {
        let value = try JSONValue(parsing: #"{"z":1,"a":2,"m":3,"b":4}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "m", "b"])
        #expect(object.map(\.key) == ["z", "a", "m", "b"])
        #expect(object.values == [1, 2, 3, 4])
        #expect(value.jsonText == #"{"z":1,"a":2,"m":3,"b":4}"#)
    }

    @Test func setKeepsPositionRemoveAndReAddAppends() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == "two")
        #expect(object.removeValue(forKey: "a") == 1)
        #expect(object.removeValue(forKey: "a") == nil)
        #expect(object.keys == ["b", "c"])
        object["a"] = 1
        #expect(object.keys == ["b", "c", "a"])
        object["c"] = nil
        #expect(object.keys == ["b", "a"])
        #expect(object.count == 2)
        #expect(!object.isEmpty)
        #expect(object.contains(key: "b"))
        #expect(!object.contains(key: "c"))
        // Storing JSON null is not removal.
        object["n"] = JSONValue.null
        #expect(object["n"] == JSONValue.null)
        #expect(object.count == 3)
        #expect(JSONObject().isEmpty)
    }

    @Test func duplicateKeysLastWinsAtFirstPosition() throws {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
        let parsed = try JSONValue(parsing: #"{"a":1,"b":2,"a":3}"#)
        #expect(parsed.jsonText == #"{"a":3,"b":2}"#)
    }

    @Test(arguments: [5, 16, 17, 40])
    func parsedObjectsOfAnySize(size: Int) throws {
        let members = (0..<size).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let unique = try #require(try JSONValue(parsing: "{\(members)}").objectValue)
        #expect(unique.count == size)
        #expect(unique.keys == (0..<size).map { "k\($0)" })
        for i in 0..<size { #expect(unique["k\(i)"] == .number(JSONNumber(i))) }
        #expect(unique["k\(size)"] == nil)

        let duplicated = try #require(try JSONValue(parsing: "{\(members),\"k3\":\"dup\",\"k0\":null}").objectValue)
        #expect(duplicated.count == size)
        #expect(duplicated.keys == unique.keys)
        #expect(duplicated["k3"] == "dup")
        #expect(duplicated["k0"] == JSONValue.null)
    }

    @Test func equalityIgnoresOrder() {
        let a: JSONObject = ["x": 1, "y": [true], "z": nil]
        let b: JSONObject = ["z": nil, "x": 1, "y": [true]]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["x": 1, "y": [true]])
        #expect(a != ["x": 1, "y": [false], "z": nil])
        #expect(a != ["x": 1, "y": [true], "w": nil])
    }

    /// Exercises the indexed representation and tombstone compaction
    /// against a dictionary + array model.
    @Test func largeObjectMatchesModel() {
        var object = JSONObject()
        var modelKeys: [String] = []
        var model: [String: Int] = [:]
        var random = SplitMix(seed: 42)
        for step in 0..<20_000 {
            let key = "k\(random.next() % 400)"
            if random.next() % 3 == 0 {
                #expect(object.removeValue(forKey: key)?.numberValue?.intValue == model[key])
                if model.removeValue(forKey: key) != nil { modelKeys.removeAll { $0 == key } }
            } else {
                object[key] = .number(JSONNumber(step))
                if model.updateValue(step, forKey: key) == nil { modelKeys.append(key) }
            }
        }
        #expect(object.count == model.count)
        #expect(object.keys == modelKeys)
        for key in modelKeys {
            #expect(object[key]?.numberValue?.intValue == model[key])
        }
        #expect(object == JSONObject(modelKeys.reversed().map { ($0, .number(JSONNumber(model[$0] ?? -1))) }))
        while let key = object.keys.first { object[key] = nil }
        #expect(object.isEmpty)
        #expect(object == JSONObject())
    }
}

/// Deterministic pseudo-random numbers for tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import JSON
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test func kindsNeverCompareEqual() throws {
        #expect(JSONValue.bool(true) != 1)
        #expect(JSONValue.bool(false) != 0)
        #expect(JSONValue.string("1") != 1)
        #expect(JSONValue.null != false)
        #expect(JSONValue.array([]) != .object(JSONObject()))
        #expect(try JSONValue(parsing: "true") != JSONValue(parsing: "1"))
    }

    @Test func equalityIsByJSONValue() throws {
        let a = try JSONValue(parsing: #"{"a":1,"b":[1.0,{"x":null,"y":"z"}]}"#)
        let b = try JSONValue(parsing: #"{"b":[1e0,{"y":"z","x":null}],"a":10e-1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(try JSONValue(parsing: "[1,2]") != JSONValue(parsing: "[2,1]"))
        #expect(try JSONValue(parsing: #"{"a":1}"#) != JSONValue(parsing: #"{"a":1,"b":2}"#))
    }

    @Test func accessors() throws {
        let value: JSONValue = ["s": "text", "n": 5, "b": true, "z": nil, "a": [1, "two"], "o": ["k": "v"]]
        #expect(value["s"]?.stringValue == "text")
        #expect(value["n"]?.numberValue?.intValue == 5)
        #expect(value["b"]?.boolValue == true)
        #expect(value["z"]?.isNull == true)
        #expect(value["a"]?[1] == "two")
        #expect(value["a"]?[2] == nil)
        #expect(value["a"]?[-1] == nil)
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value["o"]?.objectValue?["k"] == "v")
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(value["s"]?.numberValue == nil)
        #expect(value["s"]?.isNull == false)
        #expect(value.objectValue?.keys == ["s", "n", "b", "z", "a", "o"])
    }

    @Test func literals() {
        let value: JSONValue = [nil, true, 3, "x", [1], ["k": false]]
        #expect(value == .array([
            .null, .bool(true), .number(JSONNumber(3)), .string("x"),
            .array([.number(JSONNumber(1))]), .object(JSONObject([("k", .bool(false))])),
        ]))
        #expect(value.jsonText == #"[null,true,3,"x",[1],{"k":false}]"#)
        #expect("\(value)" == value.jsonText)
    }
}

import JSON
import Testing

@Suite("Serialization")
struct JSONSerializationTests {
    @Test func compactWithSlashesAndNonASCIIRaw() throws {
        let text = #"{"a/b":"x/y","n":"é\n"}"#
        let value = try JSONValue(parsing: text)
        #expect(value.jsonText == text)
        var bytes: [UInt8] = [0x2A]
        value.write(to: &bytes)
        #expect(bytes == [0x2A] + Array(text.utf8))
    }

    @Test func prettyInputBecomesCompact() throws {
        let value = try JSONValue(parsing: "{ \"a\" : [ 1 , 2.50 , { } , [ ] , null , true , false ] }")
        #expect(value.jsonText == #"{"a":[1,2.50,{},[],null,true,false]}"#)
    }

    @Test func escapes() {
        let raw = "\u{0}\u{1}\u{1F}\u{8}\u{C}\t\r\n\"\\/\u{7F}é😀"
        let expected = #""\u0000\u0001\u001f\b\f\t\r\n\"\\/"# + "\u{7F}é😀\""
        #expect(JSONValue.string(raw).jsonText == expected)
        #expect(JSONValue.quoted(raw) == expected)
        var bytes: [UInt8] = []
        JSONValue.writeQuoted(raw, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        #expect(JSONValue.quoted("") == #""""#)
        #expect(JSONValue.quoted("plain") == #""plain""#)
    }

    @Test(arguments: [
        #"[]"#, #"{}"#, #"[[],{},[{}]]"#, #"{"":""}"#, #"{"k":{"k":{"k":[1,-0,1e400,"\u001f"]}}}"#,
        #"["\"\\\b\f\n\r\t","é😀/"]"#, #"9007199254740993"#, #"[true,false,null]"#,
    ])
    func roundTrip(_ text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value.jsonText == text)
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    @Test func escapedInputIsNormalised() throws {
        #expect(try JSONValue(parsing: #""\u00e9\/\u0041""#).jsonText == "\"é/A\"")
        #expect(try JSONValue(parsing: #""\uD83D\uDE00""#).jsonText == "\"😀\"")
    }

    @Test func descriptions() throws {
        let object: JSONObject = ["a": [1, "x"]]
        #expect(object.description == #"{"a":[1,"x"]}"#)
        #expect(JSONValue.object(object).description == #"{"a":[1,"x"]}"#)
    }
}

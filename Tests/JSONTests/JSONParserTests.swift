import JSON
import Testing

@Suite("Parsing")
struct JSONParserTests {
    @Test func parsesAllKinds() throws {
        let value = try JSONValue(parsing: " \t\r\n{\"a\" : [ null , true , false , -1.5e3 , \"s\" , { } , [ ] ] }\n ")
        #expect(value == ["a": [nil, true, false, .number(try #require(JSONNumber("-1500"))), "s", [:], []]])
        #expect(try JSONValue(parsing: "\"\"") == "")
        #expect(try JSONValue(parsing: "0") == 0)
        #expect(try JSONValue(parsing: "null") == nil)
    }

    @Test func bytesAndStringsAgree() throws {
        let text = #"{"é":"\u00e9\ud83d\ude00\/\"\\\b\f\n\r\t","k":[1,2]}"#
        let fromString = try JSONValue(parsing: text)
        let fromBytes = try JSONValue(parsing: Array(text.utf8))
        let fromSlice = try JSONValue(parsing: Array(("xx" + text).utf8)[2...])
        let fromSequence = try JSONValue(parsing: text.utf8)
        #expect(fromString == fromBytes)
        #expect(fromString == fromSlice)
        #expect(fromString == fromSequence)
        #expect(fromString["é"] == .string("é😀/\"\\\u{8}\u{C}\n\r\t"))
    }

    @Test func rawUTF8InStrings() throws {
        let value = try JSONValue(parsing: "[\"héllo wörld 😀 日本\", \"\u{7F}\"]")
        #expect(value[0] == "héllo wörld 😀 日本")
        #expect(value[1] == "\u{7F}")
        #expect(try JSONValue(parsing: #""\u0000""#) == "\u{0}")
    }

    @Test(arguments: [
        ("[1,]", JSONError.trailingComma, 3),
        (#"{"a":1,}"#, .trailingComma, 7),
        ("[1 2]", .unexpectedCharacter, 3),
        ("01", .invalidNumber, 1),
        ("[-01]", .invalidNumber, 3),
        ("+1", .unexpectedCharacter, 0),
        (".5", .unexpectedCharacter, 0),
        ("1.", .invalidNumber, 2),
        ("[1.e5]", .invalidNumber, 3),
        ("1e", .invalidNumber, 2),
        ("-", .invalidNumber, 1),
        (#""\ud83d""#, .loneSurrogate, 1),
        (#""\ude00""#, .loneSurrogate, 1),
        (#""\ud83dx""#, .loneSurrogate, 1),
        (#""\ud83d\u0041""#, .loneSurrogate, 1),
        (#""\x""#, .invalidEscape, 1),
        (#""\u12G4""#, .invalidEscape, 5),
        ("\"a\u{1}b\"", .controlCharacter, 2),
        ("\"a\nb\"", .controlCharacter, 2),
        ("\"tab\there\"", .controlCharacter, 4),
        ("", .unexpectedEnd, 0),
        ("   ", .unexpectedEnd, 3),
        ("[1,2", .unexpectedEnd, 4),
        (#"{"a":"#, .unexpectedEnd, 5),
        (#"{"a""#, .unexpectedEnd, 4),
        (#""abc"#, .unexpectedEnd, 4),
        (#""ab\"#, .unexpectedEnd, 4),
        (#""\u00"#, .unexpectedEnd, 5),
        ("tru", .unexpectedEnd, 3),
        ("nul", .unexpectedEnd, 3),
        ("trve", .unexpectedCharacter, 2),
        ("1 2", .trailingData, 2),
        ("{} x", .trailingData, 3),
        ("[]]", .trailingData, 2),
        ("// c\n1", .unexpectedCharacter, 0),
        ("[1 /* c */]", .unexpectedCharacter, 3),
        (#"{'a':1}"#, .unexpectedCharacter, 1),
        (#"{a:1}"#, .unexpectedCharacter, 1),
        (#"{"a" 1}"#, .unexpectedCharacter, 5),
        (#"{"a":1 "b":2}"#, .unexpectedCharacter, 7),
        ("[,1]", .unexpectedCharacter, 1),
        ("NaN", .unexpectedCharacter, 0),
        ("\u{FEFF}1", .unexpectedCharacter, 0),
    ])
    func rejectsInvalidText(_ text: String, _ expected: JSONError, _ offset: Int) {
        do {
            let value = try JSONValue(parsing: text)
            Issue.record("parsed \(text.debugDescription) as \(value)")
        } catch {
            #expect(error == expected, "\(text.debugDescription): \(error)")
            #expect(error.offset == offset, "\(text.debugDescription): \(error)")
        }
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x28, 0x22],  // bad continuation
        [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
        [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // > U+10FFFF
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],
        [0x22, 0x80, 0x22],  // stray continuation
        [0x22, 0xFF, 0x22],
    ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(throws: JSONError.invalidUTF8) { try JSONValue(parsing: bytes) }
    }

    @Test func truncatedMultiByteSequenceIsUnexpectedEnd() {
        #expect(throws: JSONError.unexpectedEnd) { try JSONValue(parsing: [0x22, 0xE6, 0x97] as [UInt8]) }
    }

    @Test func depthLimit() throws {
        let limit = JSONValue.maximumDepth
        let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try JSONValue(parsing: ok).jsonText == ok)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONError.depthLimitExceeded) { try JSONValue(parsing: tooDeep) }
    }

    @Test(arguments: ["[", #"{"a":"#, #"[{"a":"#])
    func veryDeepInputErrorsWithoutCrashing(_ opener: String) {
        let text = String(repeating: opener, count: 10_000)
        do {
            _ = try JSONValue(parsing: text)
            Issue.record("accepted 10,000 levels")
        } catch {
            #expect(error == .depthLimitExceeded)
            #expect(error.offset != nil)
        }
        // Closed as well, so it is not merely truncated.
        #expect(throws: JSONError.depthLimitExceeded) {
            try JSONValue(parsing: String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        }
    }

    @Test func errorDescriptionsMentionOffset() {
        #expect(throws: JSONError.trailingComma) { try JSONValue(parsing: "[1,]") }
        do {
            _ = try JSONValue(parsing: "[1,]")
        } catch {
            #expect(error.description == "JSON error: trailing comma at byte 3")
        }
    }
}

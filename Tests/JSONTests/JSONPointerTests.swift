import JSON
import Testing

@Suite("JSONPointer")
struct JSONPointerTests {
    @Test(arguments: [
        ("", "/"), ("a/b", "/a~1b"), ("m~n", "/m~0n"), ("~01", "/~001"), ("~/~/", "/~0~1~0~1"), ("é 😀", "/é 😀"),
    ])
    func tokenEscapingRoundTrips(_ token: String, _ text: String) throws {
        #expect(JSONPointer.escape(token) == String(text.dropFirst()))
        let pointer = JSONPointer(tokens: [token])
        #expect(pointer.description == text)
        #expect(try JSONPointer(text) == pointer)
        #expect(try JSONPointer(text).tokens == [token])
        let nested = pointer.appending(token)
        #expect(try JSONPointer(nested.description).tokens == [token, token])
    }

    @Test func parsesRFC6901Forms() throws {
        #expect(try JSONPointer("").tokens == [])
        #expect(try JSONPointer("").isRoot)
        #expect(try JSONPointer("/").tokens == [""])
        #expect(try JSONPointer("//").tokens == ["", ""])
        #expect(try JSONPointer("/a//b/").tokens == ["a", "", "b", ""])
        #expect(try JSONPointer("/~01").tokens == ["~1"])
        #expect(try JSONPointer("/~10").tokens == ["/0"])
        #expect(try JSONPointer("/track/1").tokens == ["track", "1"])
    }

    @Test(arguments: ["a", "a/b", "#/a", "/~2", "/~", "/a~", "/~a", "/ok/~x"])
    func rejectsInvalidPointers(_ text: String) {
        #expect(throws: JSONPatchError.invalidPointer) { try JSONPointer(text) }
    }

    @Test func parentLastAppending() throws {
        let pointer = try JSONPointer("/a/b~1c")
        #expect(pointer.last == "b/c")
        #expect(pointer.parent == JSONPointer(tokens: ["a"]))
        #expect(pointer.parent?.parent == JSONPointer.root)
        #expect(JSONPointer.root.parent == nil)
        #expect(JSONPointer.root.last == nil)
        #expect(JSONPointer.root.description == "")
        #expect(pointer.parent?.appending("b/c") == pointer)
        #expect(JSONPointer.root.isAncestor(of: pointer))
        #expect(try JSONPointer("/a").isAncestor(of: pointer))
        #expect(!pointer.isAncestor(of: pointer))
        #expect(try !JSONPointer("/a/b").isAncestor(of: pointer))
    }

    /// The examples of RFC 6901 section 5.
    @Test func resolvesRFC6901Examples() throws {
        let document = try JSONValue(parsing: #"""
            {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
             "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8}
            """#)
        let cases: [(String, JSONValue)] = [
            ("", document), ("/foo", ["bar", "baz"]), ("/foo/0", "bar"), ("/", 0), ("/a~1b", 1),
            ("/c%d", 2), ("/e^f", 3), ("/g|h", 4), ("/i\\j", 5), ("/k\"l", 6), ("/ ", 7), ("/m~0n", 8),
        ]
        for (text, expected) in cases {
            #expect(try JSONPointer(text).resolve(in: document) == expected, "\(text)")
        }
    }

    @Test(arguments: ["/foo/2", "/foo/-", "/foo/01", "/foo/-1", "/foo/1e0", "/foo/ 1", "/foo/0/x", "/nope", "/foo/99999999999999999999999"])
    func unresolvable(_ text: String) throws {
        let document: JSONValue = ["foo": ["bar", "baz"]]
        #expect(try JSONPointer(text).resolve(in: document) == nil)
    }
}

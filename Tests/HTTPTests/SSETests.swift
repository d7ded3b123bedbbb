import HTTP
import Testing

@Suite("SSE framing")
struct SSETests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func fullEvent() {
        #expect(text(SSE.event(id: "3-42", name: "patch", data: #"[{"op":"remove","path":"/a/b"}]"#))
            == "id: 3-42\nevent: patch\ndata: [{\"op\":\"remove\",\"path\":\"/a/b\"}]\n\n")
    }

    @Test func idAndNameAreOptional() {
        #expect(text(SSE.event(id: nil, name: nil, data: "x")) == "data: x\n\n")
        #expect(text(SSE.event(id: "1", name: nil, data: "x")) == "id: 1\ndata: x\n\n")
        #expect(text(SSE.event(id: nil, name: "reset", data: "x")) == "event: reset\ndata: x\n\n")
        #expect(text(SSE.event(id: "", name: nil, data: "")) == "id: \ndata: \n\n")
    }

    @Test(arguments: [
        ("a\nb", "data: a\ndata: b\n"),
        ("a\r\nb", "data: a\ndata: b\n"),
        ("a\rb", "data: a\ndata: b\n"),
        ("a\n\nb", "data: a\ndata: \ndata: b\n"),
        ("a\r\rb", "data: a\ndata: \ndata: b\n"),
        ("a\n\rb", "data: a\ndata: \ndata: b\n"),
        ("a\n", "data: a\ndata: \n"),
        ("a\r\n", "data: a\ndata: \n"),
        ("\n", "data: \ndata: \n"),
        ("", "data: \n"),
        ("data: x", "data: data: x\n"),
        ("é\u{2028}ü", "data: é\u{2028}ü\n"),
    ])
    func everyLineIsItsOwnDataField(data: String, lines: String) {
        #expect(text(SSE.event(id: nil, name: nil, data: data)) == lines + "\n")
    }

    @Test func idsNeverHoldLineBreaksOrNUL() {
        #expect(text(SSE.event(id: "1\r\n2\n3\r4\u{0}5", name: nil, data: "x")) == "id: 12345\ndata: x\n\n")
        #expect(text(SSE.event(id: "x", name: "pa\ntch\r", data: "y")) == "id: x\nevent: patch\ndata: y\n\n")
    }

    @Test func comment() {
        #expect(text(SSE.comment("keep-alive")) == ": keep-alive\n\n")
        #expect(text(SSE.comment("a\nb\r")) == ": ab\n\n")
        #expect(text(SSE.comment("")) == ": \n\n")
    }

    @Test func retry() {
        #expect(text(SSE.retry(milliseconds: 2000)) == "retry: 2000\n\n")
        #expect(text(SSE.retry(milliseconds: 0)) == "retry: 0\n\n")
    }

    @Test func bytesAreUTF8() {
        #expect(SSE.event(id: nil, name: nil, data: "é") == Array("data: é\n\n".utf8))
        #expect(SSE.event(id: nil, name: nil, data: "é").count == 10)
    }
}

import HTTP
import Testing

@Suite("HTTPHeaders and HTTPRequest")
struct HTTPHeadersTests {
    @Test func lookupIsCaseInsensitiveAndKeepsOrder() {
        var headers = HTTPHeaders([("Accept", "text/event-stream")])
        headers.add(name: "X-Many", value: "1")
        headers.add(name: "x-many", value: "2")
        #expect(headers["accept"] == "text/event-stream")
        #expect(headers["ACCEPT"] == "text/event-stream")
        #expect(headers["X-MANY"] == "1")
        #expect(headers.values(for: "X-Many") == ["1", "2"])
        #expect(headers["Accepts"] == nil)
        #expect(headers.map(\.name) == ["Accept", "X-Many", "x-many"])
    }

    @Test func pathAndQueryKeepTheirEncoding() {
        let request = HTTPRequest(method: "GET", target: "/a%2Fb/c?x=1&y=%20?z")
        #expect(request.path == "/a%2Fb/c")
        #expect(request.query == "x=1&y=%20?z")
        #expect(HTTPRequest(method: "GET", target: "/plain").query == nil)
        #expect(HTTPRequest(method: "GET", target: "/empty?").query == "")
    }
}

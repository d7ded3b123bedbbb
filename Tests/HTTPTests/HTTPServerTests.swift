import Dispatch
import HTTP
import Testing

@Suite("HTTPServer", .serialized, .timeLimit(.minutes(1)))
struct HTTPServerTests {
    private func withServer(
        _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(host: "127.0.0.1", port: 0),
        handler: @escaping HTTPHandler,
        _ body: (HTTPServer) async throws -> Void
    ) async throws {
        let server = HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        defer { server.stop(grace: .seconds(2)) }
        #expect(server.port > 0)
        try await body(server)
    }

    @Test func plainRequestGetsStatusHeadersAndBody() async throws {
        try await withServer(handler: { request, writer in
            let status = request.path == "/missing" ? 404 : 200
            let text = "\(request.method) \(request.target) \(request.headers["x-custom"] ?? "-")"
            writer.send(HTTPResponse(status: status, headers: [("Content-Type", "text/plain"), ("X-Test", "yes")], text: text))
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /a%2Fb/c?q=%20x HTTP/1.1\r\nHost: x\r\nX-Custom: abc\r\nConnection: close\r\n\r\n")
            let head = try client.readHead()
            #expect(head.status == 200)
            #expect(head.header("Content-Type") == "text/plain")
            #expect(head.header("X-Test") == "yes")
            let expected = "GET /a%2Fb/c?q=%20x abc"
            #expect(head.header("Content-Length") == String(expected.utf8.count))
            #expect(String(decoding: try client.readToEnd(), as: UTF8.self) == expected)

            let other = try RawClient(port: server.port)
            try other.send("GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try other.readHead().status == 404)
            #expect(String(decoding: try other.readToEnd(), as: UTF8.self) == "GET /missing -")
        }
    }

    @Test func handlerMayAnswerLaterFromAnotherThread() async throws {
        let parked = Box<HTTPResponseWriter?>(nil)
        try await withServer(handler: { _, writer in
            parked.wrapped = writer  // no answer yet: the connection is suspended
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await eventually { parked.wrapped != nil && server.pendingRequests == 1 })
            let writer = try #require(parked.wrapped)
            DispatchQueue.global().async {
                writer.send(HTTPResponse(status: 202, text: "later"))
                writer.send(HTTPResponse(status: 500, text: "ignored"))
            }
            #expect(try client.readHead().status == 202)
            #expect(String(decoding: try client.readToEnd(), as: UTF8.self) == "later")
            #expect(server.pendingRequests == 0)
        }
    }

    @Test func aSecondAnswerIsIgnored() async throws {
        try await withServer(handler: { _, writer in
            writer.send(HTTPResponse(status: 200, text: "first"))
            writer.send(HTTPResponse(status: 500, text: "second"))
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try client.readHead().status == 200)
            #expect(String(decoding: try client.readToEnd(), as: UTF8.self) == "first")
        }
    }

    /// libmicrohttpd calls the access handler once when the headers are in
    /// (no body yet), then with each piece of the body, then once more
    /// with nothing: only that last call may dispatch.
    static let bodyIssue = "the handler is dispatched on the headers-only first callback, before the body"

    @Test func postBodyArrivesWhole() async throws {
        let received = Box<HTTPRequest?>(nil)
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try await withServer(handler: { request, writer in
            received.wrapped = request
            writer.send(HTTPResponse(status: 201, text: "\(request.body.count)"))
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /track HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n")
            try client.send(body)
            #expect(try client.readHead().status == 201)
            #expect(String(decoding: try client.readToEnd(), as: UTF8.self) == "300000")
        }
        let request = try #require(received.wrapped)
        #expect(request.method == "POST")
        #expect(request.headers["content-type"] == "application/octet-stream")
        #expect(request.body.count == body.count)
        let intact = request.body == body
        #expect(intact)
        #expect(!request.bodyExceededLimit)
    }

    @Test func smallBodyInTheSamePacketAsTheHeaders() async throws {
        let received = Box<[UInt8]?>(nil)
        try await withServer(handler: { request, writer in
            received.wrapped = request.body
            writer.send(HTTPResponse(status: 200, text: ""))
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("PUT /track/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            #expect(try client.readHead().status == 200)
        }
        #expect(received.wrapped == Array("hello".utf8))
    }

    @Test func bodyOverTheLimitIsFlagged() async throws {
        let received = Box<[HTTPRequest]>([])
        try await withServer(HTTPServerConfiguration(host: "127.0.0.1", port: 0, maxBodySize: 1000), handler: { request, writer in
            received.modify { $0.append(request) }
            writer.send(HTTPResponse(status: request.bodyExceededLimit ? 413 : 200, text: ""))
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n")
            try client.send([UInt8](repeating: 65, count: 5000))
            #expect(try client.readHead().status == 413)

            let small = try RawClient(port: server.port)
            try small.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")
            try small.send([UInt8](repeating: 66, count: 1000))
            #expect(try small.readHead().status == 200)
        }
        let requests = received.wrapped
        try #require(requests.count == 2)
        #expect(requests[0].bodyExceededLimit)
        #expect(requests[0].body.count <= 1000)
        #expect(!requests[1].bodyExceededLimit)
        #expect(requests[1].body.count == 1000 && requests[1].body.allSatisfy { $0 == 66 })
    }

    @Test func customMethodsReachTheHandler() async throws {
        try await withServer(handler: { request, writer in
            writer.send(HTTPResponse(status: 200, text: request.method + " " + request.target))
        }) { server in
            let client = try RawClient(port: server.port)
            try client.send("SUBSCRIBE /track?since=now HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try client.readHead().status == 200)
            #expect(String(decoding: try client.readToEnd(), as: UTF8.self) == "SUBSCRIBE /track?since=now")
        }
    }

    @Test func invalidAddressIsAnError() {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "not-an-address", port: 0)) { _, _ in }
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    @Test func stopWithoutConnectionsIsPrompt() throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) { _, _ in }
        try server.start()
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < .seconds(1))
    }
}

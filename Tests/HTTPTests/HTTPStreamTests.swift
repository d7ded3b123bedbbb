import HTTP
import Testing

@Suite("HTTPStream")
struct HTTPStreamTests {
    @Test func writeOverTheLimitOverflowsWithoutQueueing() {
        let stream = HTTPStream(maxQueuedBytes: 10)
        #expect(stream.write(Array("123456".utf8)) == .written)
        #expect(stream.queuedBytes == 6)
        #expect(stream.write(Array("12345".utf8)) == .overflow)
        #expect(stream.queuedBytes == 6)
        #expect(stream.write(Array("1234".utf8)) == .written)
        #expect(stream.queuedBytes == 10)
        #expect(stream.write([1]) == .overflow)
        #expect(stream.write([1], force: true) == .written)
        #expect(stream.queuedBytes == 11)
    }

    @Test func finishQueuesTheFinalPastTheLimitThenRefusesWrites() {
        let stream = HTTPStream(maxQueuedBytes: 4)
        #expect(stream.write([1, 2, 3]) == .written)
        stream.finish(final: [4, 5, 6, 7, 8])
        #expect(stream.queuedBytes == 8)
        #expect(stream.write([9]) == .closed)
        stream.finish(final: [9])  // a second finish adds nothing
        #expect(stream.queuedBytes == 8)
        #expect(!stream.isClosed)
    }
}

@Suite("HTTPStream over HTTP", .serialized, .timeLimit(.minutes(1)))
struct HTTPStreamServerTests {
    private func streamingServer(_ stream: HTTPStream) throws -> HTTPServer {
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) { _, writer in
            writer.send(HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")],
                                     body: .stream(stream)))
        }
        try server.start()
        return server
    }

    private func open(_ server: HTTPServer, path: String = "/s") throws -> RawClient {
        let client = try RawClient(port: server.port)
        try client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        return client
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func bytesWrittenLaterArriveInOrderAndFinishEndsTheBody() async throws {
        let stream = HTTPStream(maxQueuedBytes: 1 << 16)
        let closed = Box(false)
        stream.onClose { closed.wrapped = true }
        let server = try streamingServer(stream)
        defer { server.stop(grace: .seconds(2)) }
        let client = try open(server)

        #expect(stream.write(Array("retry: 2000\n\n".utf8)) == .written)
        let head = try client.readHead()
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "text/event-stream")
        #expect(head.header("Transfer-Encoding")?.lowercased() == "chunked")
        #expect(text(try client.readChunkedBody(count: 13)) == "retry: 2000\n\n")

        // The queue is empty now and the connection parked; each write wakes it.
        for index in 1...20 {
            let event = "id: \(index)\ndata: \(String(repeating: "x", count: index * 100))\n\n"
            #expect(stream.write(Array(event.utf8)) == .written)
            #expect(text(try client.readChunkedBody(count: event.utf8.count)) == event)
        }
        // Several queued at once arrive in order.
        let burst = (21...60).map { "id: \($0)\n\n" }
        for event in burst { stream.write(Array(event.utf8)) }
        #expect(text(try client.readChunkedBody(count: burst.joined().utf8.count)) == burst.joined())

        // Past the byte limit: refused, and never sent.
        #expect(stream.write([UInt8](repeating: 120, count: 70_000)) == .overflow)
        stream.finish(final: Array("event: bye\ndata: {}\n\n".utf8))
        var rest: [UInt8] = []
        while let chunk = try client.readChunk() { rest += chunk }
        #expect(text(rest) == "event: bye\ndata: {}\n\n")
        #expect(await eventually { stream.isClosed && closed.wrapped })
        #expect(stream.write([1]) == .closed)
    }

    @Test func clientGoingAwayClosesTheStream() async throws {
        let stream = HTTPStream(maxQueuedBytes: 1 << 20)
        let closed = Box(false)
        stream.onClose { closed.wrapped = true }
        let server = try streamingServer(stream)
        defer { server.stop(grace: .seconds(2)) }
        let client = try open(server)
        stream.write(Array("hello\n\n".utf8))
        _ = try client.readHead()
        #expect(text(try client.readChunkedBody(count: 7)) == "hello\n\n")
        client.close()

        // A parked connection notices only when written to.
        let noticed = await eventually {
            _ = stream.write(Array(": ping\n\n".utf8))
            return stream.isClosed
        }
        #expect(noticed)
        #expect(closed.wrapped)
        #expect(stream.write([1]) == .closed)
        #expect(stream.queuedBytes == 0)
        // onClose after the fact runs at once.
        let late = Box(false)
        stream.onClose { late.wrapped = true }
        #expect(late.wrapped)
    }

    @Test func stopIsPromptOnceStreamsAreFinished() async throws {
        let streams = [HTTPStream(maxQueuedBytes: 1024), HTTPStream(maxQueuedBytes: 1024)]
        let next = Box(0)
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) { _, writer in
            var index = 0
            next.modify { index = $0; $0 += 1 }
            writer.send(HTTPResponse(status: 200, body: .stream(streams[index % streams.count])))
        }
        try server.start()
        let clients = try streams.map { stream in
            let client = try open(server)
            stream.write(Array("a".utf8))
            _ = try client.readHead()
            #expect(try client.readChunkedBody(count: 1) == Array("a".utf8))
            return client
        }
        #expect(server.connectionCount == 2)
        for stream in streams { stream.finish(final: Array("z".utf8)) }
        for client in clients {
            #expect(try client.readChunk() == Array("z".utf8))
            #expect(try client.readChunk() == nil)
        }
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(await eventually { streams.allSatisfy(\.isClosed) })
    }
}

#if canImport(Glibc)
import Glibc
#endif

struct RawClientError: Error, CustomStringConvertible {
    let description: String
}

/// A blocking TCP client for precise control over what is sent and when
/// bytes arrive. Every read is bounded by a deadline: tests fail, never hang.
final class RawClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var open = true
    let deadline: ContinuousClock.Instant

    init(port: Int, timeout: Duration = .seconds(10)) throws {
        deadline = .now + timeout
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw RawClientError(description: "connect: \(errno)")
        }
    }

    deinit { close() }

    func close() {
        if open { Glibc.close(fd) }
        open = false
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawClientError(description: "send: \(errno)") }
            sent += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        let remaining = deadline - .now
        guard remaining > .zero else { throw RawClientError(description: "timed out; have \(String(decoding: buffer, as: UTF8.self).debugDescription)") }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(min(remaining / .milliseconds(1), 60_000)) + 1
        guard poll(&poller, 1, milliseconds) > 0 else { return try fill() }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw RawClientError(description: "recv: \(errno)") }
        buffer += chunk[..<n]
        return n > 0
    }

    /// Bytes up to and including `delimiter`.
    func read(through delimiter: String) throws -> [UInt8] {
        let needle = Array(delimiter.utf8)
        while true {
            if let range = firstRange(of: needle) {
                defer { buffer.removeSubrange(..<range.upperBound) }
                return Array(buffer[..<range.upperBound])
            }
            guard try fill() else { throw RawClientError(description: "closed before \(delimiter.debugDescription)") }
        }
    }

    func read(count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw RawClientError(description: "closed after \(buffer.count) of \(count) bytes") }
        }
        defer { buffer.removeSubrange(..<count) }
        return Array(buffer[..<count])
    }

    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    private func firstRange(of needle: [UInt8]) -> Range<Int>? {
        guard buffer.count >= needle.count else { return nil }
        for start in 0...(buffer.count - needle.count) where buffer[start..<(start + needle.count)].elementsEqual(needle) {
            return start..<(start + needle.count)
        }
        return nil
    }

    // MARK: HTTP/1.1

    struct Head {
        var status: Int
        var headers: [(name: String, value: String)]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    func readHead() throws -> Head {
        let text = String(decoding: try read(through: "\r\n\r\n"), as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawClientError(description: "bad status line in \(text.debugDescription)")
        }
        let headers = lines.map { line in
            let colon = line.firstIndex(of: ":") ?? line.endIndex
            return (String(line[..<colon]), String(line[colon...].dropFirst().drop { $0 == " " }))
        }
        return Head(status: status, headers: headers)
    }

    /// The next chunk of a chunked body; nil after the last (zero) chunk.
    func readChunk() throws -> [UInt8]? {
        let sizeLine = String(decoding: try read(through: "\r\n").dropLast(2), as: UTF8.self)
        let sizeText = sizeLine.split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(sizeText, radix: 16) else { throw RawClientError(description: "bad chunk size \(sizeLine.debugDescription)") }
        if size == 0 {
            _ = try read(through: "\r\n")  // no trailers
            return nil
        }
        let data = try read(count: size)
        guard try read(count: 2) == [13, 10] else { throw RawClientError(description: "chunk not followed by CRLF") }
        return data
    }

    /// Reads chunks until `count` body bytes have come.
    func readChunkedBody(count: Int) throws -> [UInt8] {
        var body: [UInt8] = []
        while body.count < count {
            guard let chunk = try readChunk() else { throw RawClientError(description: "body ended after \(body.count) bytes") }
            body += chunk
        }
        return body
    }
}

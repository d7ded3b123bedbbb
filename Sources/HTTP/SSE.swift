/// Server-Sent Events framing (WHATWG HTML, "Server-sent events"): a pure
/// encoder. Every data line is prefixed, an event ends with a blank line,
/// ids never hold CR, LF or NUL (they are dropped).
public enum SSE {
    public static func event(id: String?, name: String?, data: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.utf8.count + 64)
        if let id {
            out += Array("id: ".utf8)
            out += id.utf8.filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x00 }
            out.append(0x0A)
        }
        if let name {
            out += Array("event: ".utf8)
            out += name.utf8.filter { $0 != 0x0A && $0 != 0x0D }
            out.append(0x0A)
        }
        appendData(data, to: &out)
        out.append(0x0A)
        return out
    }

    /// `retry: N` followed by a blank line.
    public static func retry(milliseconds: Int) -> [UInt8] {
        Array("retry: \(milliseconds)\n\n".utf8)
    }

    /// A comment line (`: text`), ignored by clients; used as keep-alive.
    public static func comment(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0x3A, 0x20]
        out += text.utf8.filter { $0 != 0x0A && $0 != 0x0D }
        out += [0x0A, 0x0A]
        return out
    }

    private static func appendData(_ data: String, to out: inout [UInt8]) {
        // Lines end at CRLF, LF or CR; each becomes its own `data:` line.
        var line: [UInt8] = []
        var previousWasCR = false
        func flush() {
            out += Array("data: ".utf8)
            out += line
            out.append(0x0A)
            line.removeAll(keepingCapacity: true)
        }
        for byte in data.utf8 {
            switch byte {
            case 0x0D:
                flush()
                previousWasCR = true
                continue
            case 0x0A:
                if !previousWasCR { flush() }
            default:
                line.append(byte)
            }
            previousWasCR = false
        }
        flush()
    }
}

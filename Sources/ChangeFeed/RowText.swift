/// Helpers for row JSON as PostgreSQL writes it.
public enum RowText {
    /// Appends `text` (valid JSON) without insignificant white space, so
    /// every event's data is one compact line whatever nested `jsonb`
    /// values looked like.
    public static func appendCompact(_ text: String, to out: inout [UInt8]) {
        var inString = false
        var escaped = false
        var utf8 = text.utf8
        if utf8.withContiguousStorageIfAvailable({ _ in true }) == nil {
            var copy = text
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
        }
        out.reserveCapacity(out.count + utf8.count)
        for byte in utf8 {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                continue
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            default:
                out.append(byte)
            }
        }
    }

    public static func compact(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        appendCompact(text, to: &out)
        return out
    }
}

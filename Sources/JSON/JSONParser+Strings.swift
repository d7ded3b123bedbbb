// String literals: escapes, surrogate pairs, UTF-8 validation.

extension JSONParser {
    /// Parses a string body; `position` is just after the opening quote.
    mutating func parseString() throws(JSONError) -> String {
        let start = position
        var i = position
        // Fast path: no escapes, the string is a slice of the input.
        while true {
            guard i < input.count else { throw JSONError.unexpectedEnd.at(i) }
            let byte = input[i]
            if byte == UInt8(ascii: "\"") {
                position = i + 1
                return String(decoding: UnsafeBufferPointer(rebasing: input[start..<i]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            i = try advance(over: byte, at: i)
        }
        // Slow path: copy runs between escapes into a buffer.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(i - start + 16)
        var runStart = start
        while true {
            guard i < input.count else { throw JSONError.unexpectedEnd.at(i) }
            let byte = input[i]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<i]))
                if byte == UInt8(ascii: "\"") {
                    position = i + 1
                    return String(decoding: bytes, as: UTF8.self)
                }
                i = try decodeEscape(at: i, into: &bytes)
                runStart = i
            } else {
                i = try advance(over: byte, at: i)
            }
        }
    }

    /// Steps over one unescaped character starting with `byte` at `i`,
    /// rejecting control characters and invalid UTF-8.
    @inline(__always)
    private func advance(over byte: UInt8, at i: Int) throws(JSONError) -> Int {
        if byte >= 0x20 && byte < 0x80 { return i + 1 }
        if byte < 0x20 { throw JSONError.controlCharacter.at(i) }
        return try UTF8Validation.sequenceEnd(in: input, at: i)
    }

    /// Decodes the escape at `i` (a backslash), appending its UTF-8 to `bytes`.
    /// Returns the index after the escape.
    private func decodeEscape(at i: Int, into bytes: inout [UInt8]) throws(JSONError) -> Int {
        guard i + 1 < input.count else { throw JSONError.unexpectedEnd.at(input.count) }
        let simple: UInt8
        switch input[i + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i + 2)
            var end = i + 6
            var scalarValue = UInt32(unit)
            if unit >= 0xDC00 && unit <= 0xDFFF { throw JSONError.loneSurrogate.at(i) }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard end < input.count else { throw JSONError.unexpectedEnd.at(input.count) }
                guard input[end] == UInt8(ascii: "\\") else { throw JSONError.loneSurrogate.at(i) }
                guard end + 1 < input.count else { throw JSONError.unexpectedEnd.at(input.count) }
                guard input[end + 1] == UInt8(ascii: "u") else { throw JSONError.loneSurrogate.at(i) }
                let low = try hex4(at: end + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw JSONError.loneSurrogate.at(i) }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                end += 6
            }
            UTF8Validation.encode(scalarValue, into: &bytes)
            return end
        default:
            throw JSONError.invalidEscape.at(i)
        }
        bytes.append(simple)
        return i + 2
    }

    /// Four hex digits at `i`.
    private func hex4(at i: Int) throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for j in i..<(i + 4) {
            guard j < input.count else { throw JSONError.unexpectedEnd.at(input.count) }
            let byte = input[j]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONError.invalidEscape.at(j)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}

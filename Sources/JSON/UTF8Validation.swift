/// UTF-8 helpers for the parser (RFC 3629 / Unicode Table 3-7).
enum UTF8Validation {
    /// Validates the multi-byte sequence starting with the non-ASCII byte at
    /// `i` and returns the index after it. Rejects stray continuation bytes,
    /// overlong forms, surrogates and code points above U+10FFFF.
    static func sequenceEnd(in input: UnsafeBufferPointer<UInt8>, at i: Int) throws(JSONError) -> Int {
        let lead = input[i]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw JSONError.invalidUTF8.at(i)
        }
        guard i + length <= input.count else {
            // Distinguish a truncated document from a bad sequence followed by more input.
            for j in (i + 1)..<input.count where input[j] & 0xC0 != 0x80 {
                throw JSONError.invalidUTF8.at(i)
            }
            throw JSONError.unexpectedEnd.at(input.count)
        }
        let second = input[i + 1]
        guard second >= secondLow && second <= secondHigh else { throw JSONError.invalidUTF8.at(i) }
        var j = i + 2
        while j < i + length {
            guard input[j] & 0xC0 == 0x80 else { throw JSONError.invalidUTF8.at(i) }
            j += 1
        }
        return i + length
    }

    /// Appends the UTF-8 encoding of a valid scalar value.
    static func encode(_ scalar: UInt32, into bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | scalar >> 6))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | scalar >> 12))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | scalar >> 18))
            bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}

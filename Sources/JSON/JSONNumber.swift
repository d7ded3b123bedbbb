/// A JSON number, kept exactly as written.
///
/// The literal text is preserved byte for byte (`9007199254740993`,
/// `1e400`, `-0`, 30-digit numerics all survive a round trip), and values
/// are compared as exact decimals — never through `Double` — so
/// `1 == 1.0 == 1e0 == 10e-1` and `-0 == 0`.
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number's literal text, valid per the RFC 8259 number grammar.
    public let text: String

    /// Validates `text` against the RFC 8259 number grammar
    /// (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`).
    public init?(_ text: String) {
        var copy = text
        let valid = copy.withUTF8 { buffer in
            (try? JSONNumber.scan(buffer, from: 0)) == buffer.count
        }
        guard valid else { return nil }
        self.text = text
    }

    /// The number for an integer, e.g. `JSONNumber(42).text == "42"`.
    public init(_ value: Int) {
        self.text = String(value)
    }

    /// The shortest text that round-trips `value`; `nil` for infinities and NaN.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        self.text = value.description
    }

    /// Wraps text already known to match the grammar (used by the parser).
    init(validated text: String) {
        self.text = text
    }

    public var description: String { text }

    /// The value as an `Int`, if it is an integer (`3`, `3.0`, `30e-1`)
    /// that fits; `nil` for fractions and out-of-range values.
    public var intValue: Int? {
        // Fast path: a plain integer literal short enough not to overflow.
        let utf8 = text.utf8
        if utf8.count <= 18, !utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            return Int(text)
        }
        let decimal = JSONDecimal(text)
        if decimal.digits.isEmpty { return 0 }
        guard decimal.exponent >= decimal.digits.count, decimal.exponent <= 19 else { return nil }
        // Accumulate negatively so that Int.min is representable.
        var result = 0
        for position in 0..<decimal.exponent {
            let digit = position < decimal.digits.count ? Int(decimal.digits[position] &- UInt8(ascii: "0")) : 0
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            result = next
        }
        if decimal.negative { return result }
        return result == Int.min ? nil : -result
    }

    /// The nearest `Double` (may lose precision or overflow to infinity).
    public var doubleValue: Double {
        Double(text) ?? .nan
    }

    /// Exact decimal comparison: -1 if `self < other`, 0 if equal, 1 if greater.
    public func compare(_ other: JSONNumber) -> Int {
        JSONDecimal(text).compare(JSONDecimal(other.text))
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        lhs.text == rhs.text || JSONDecimal(lhs.text) == JSONDecimal(rhs.text)
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        lhs.compare(rhs) < 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(JSONDecimal(text))
    }
}

extension JSONNumber {
    /// Scans a number per the RFC 8259 grammar starting at `start`, returning
    /// the index just past it. Stops at the first byte that cannot continue
    /// the number; the caller decides whether that byte is acceptable.
    static func scan(_ input: UnsafeBufferPointer<UInt8>, from start: Int) throws(JSONError) -> Int {
        var i = start
        let count = input.count
        @inline(__always) func isDigit(_ index: Int) -> Bool {
            index < count && input[index] &- UInt8(ascii: "0") < 10
        }
        if i < count, input[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { throw JSONError.invalidNumber.at(i) }
        if input[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { throw JSONError.invalidNumber.at(i) }
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < count, input[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw JSONError.invalidNumber.at(i) }
            while isDigit(i) { i += 1 }
        }
        if i < count, input[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < count, input[i] == UInt8(ascii: "+") || input[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { throw JSONError.invalidNumber.at(i) }
            while isDigit(i) { i += 1 }
        }
        return i
    }
}

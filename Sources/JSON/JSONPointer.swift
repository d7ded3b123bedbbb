/// A JSON Pointer (RFC 6901): a sequence of reference tokens.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document ("").
    public let tokens: [String]

    /// Parses pointer text: "" or "/"-separated tokens where `~0` is `~` and
    /// `~1` is `/`. Throws ``JSONPatchError/invalidPointer``.
    public init(_ text: String) throws(JSONPatchError) {
        if text.isEmpty {
            tokens = []
            return
        }
        var utf8 = Substring(text).utf8
        guard utf8.first == UInt8(ascii: "/") else {
            throw JSONPatchError.invalidPointer.with(detail: "pointer must be empty or start with '/': \(text)")
        }
        utf8 = utf8.dropFirst()
        var tokens: [String] = []
        for part in utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard part.contains(UInt8(ascii: "~")) else {
                tokens.append(String(Substring(part)))
                continue
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(part.count)
            var iterator = part.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "~") else {
                    bytes.append(byte)
                    continue
                }
                switch iterator.next() {
                case UInt8(ascii: "0"): bytes.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): bytes.append(UInt8(ascii: "/"))
                default: throw JSONPatchError.invalidPointer.with(detail: "'~' must be followed by '0' or '1': \(text)")
                }
            }
            tokens.append(String(decoding: bytes, as: UTF8.self))
        }
        self.tokens = tokens
    }

    /// A pointer made of already-unescaped tokens.
    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// The whole document ("").
    public static let root = JSONPointer(tokens: [])

    /// Whether this is the whole-document pointer "".
    public var isRoot: Bool { tokens.isEmpty }

    /// The escaped text form, e.g. `/a~1b/m~0n`.
    public var description: String {
        var text = ""
        for token in tokens {
            text += "/"
            text += JSONPointer.escape(token)
        }
        return text
    }

    /// Escapes one token: `~` → `~0`, `/` → `~1`.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else {
            return token
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count + 4)
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "~"): bytes.append(contentsOf: "~0".utf8)
            case UInt8(ascii: "/"): bytes.append(contentsOf: "~1".utf8)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// This pointer with one more (unescaped) token.
    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    /// The pointer to the containing value; `nil` for the root.
    public var parent: JSONPointer? {
        tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
    }

    /// The last token; `nil` for the root.
    public var last: String? { tokens.last }

    /// Whether `self` is a proper prefix of `other` (`other` is inside `self`).
    public func isAncestor(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && other.tokens.starts(with: tokens)
    }

    /// The value this pointer refers to in `document`, or `nil` if there is
    /// none. Array tokens must be decimal indices without leading zeros and
    /// in range ("-" refers to nothing).
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = JSONPointer.arrayIndex(token), index < array.count else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Parses an array index token: "0" or [1-9][0-9]*, without overflow.
    static func arrayIndex(_ token: String) -> Int? {
        let utf8 = token.utf8
        guard let first = utf8.first, first &- UInt8(ascii: "0") < 10 else { return nil }
        if first == UInt8(ascii: "0") { return utf8.count == 1 ? 0 : nil }
        var value = 0
        for byte in utf8 {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int(digit))
            if overflow1 || overflow2 { return nil }
            value = next
        }
        return value
    }
}

/// An error thrown when parsing JSON text.
///
/// Errors are identified by their code, exposed as static members, so they
/// can be compared directly: `#expect(throws: JSONError.trailingComma) { ... }`.
/// Equality and hashing consider only the code; ``offset`` (the byte offset
/// in the input where the problem was found) is extra information.
public struct JSONError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unexpectedEnd
        case unexpectedCharacter
        case trailingComma
        case trailingData
        case invalidNumber
        case invalidEscape
        case loneSurrogate
        case controlCharacter
        case invalidUTF8
        case depthLimitExceeded
    }

    private let code: Code

    /// Byte offset in the input where the error was detected, if known.
    public var offset: Int?

    private init(_ code: Code, offset: Int? = nil) {
        self.code = code
        self.offset = offset
    }

    /// The input ended in the middle of a value (includes empty input).
    public static let unexpectedEnd = JSONError(.unexpectedEnd)
    /// A byte that cannot start or continue the current construct.
    public static let unexpectedCharacter = JSONError(.unexpectedCharacter)
    /// A `,` directly followed by `]` or `}`.
    public static let trailingComma = JSONError(.trailingComma)
    /// Something other than whitespace follows the top-level value.
    public static let trailingData = JSONError(.trailingData)
    /// A number that does not follow the RFC 8259 grammar (`01`, `+1`, `1.`, `.5`, `1e`).
    public static let invalidNumber = JSONError(.invalidNumber)
    /// An unknown escape sequence or a malformed `\u` escape.
    public static let invalidEscape = JSONError(.invalidEscape)
    /// A `\u` escape of a surrogate that is not part of a valid pair.
    public static let loneSurrogate = JSONError(.loneSurrogate)
    /// An unescaped control character (U+0000–U+001F) inside a string.
    public static let controlCharacter = JSONError(.controlCharacter)
    /// A string containing bytes that are not valid UTF-8.
    public static let invalidUTF8 = JSONError(.invalidUTF8)
    /// Arrays and objects nested deeper than ``JSONValue/maximumDepth``.
    public static let depthLimitExceeded = JSONError(.depthLimitExceeded)

    /// The same error, located at `offset`.
    public func at(_ offset: Int) -> JSONError {
        JSONError(code, offset: offset)
    }

    public static func == (lhs: JSONError, rhs: JSONError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    public var description: String {
        let message: String
        switch code {
        case .unexpectedEnd: message = "unexpected end of input"
        case .unexpectedCharacter: message = "unexpected character"
        case .trailingComma: message = "trailing comma"
        case .trailingData: message = "unexpected data after the JSON value"
        case .invalidNumber: message = "invalid number"
        case .invalidEscape: message = "invalid escape sequence"
        case .loneSurrogate: message = "lone surrogate in \\u escape"
        case .controlCharacter: message = "unescaped control character in string"
        case .invalidUTF8: message = "invalid UTF-8 in string"
        case .depthLimitExceeded: message = "nesting too deep"
        }
        if let offset {
            return "JSON error: \(message) at byte \(offset)"
        }
        return "JSON error: \(message)"
    }
}

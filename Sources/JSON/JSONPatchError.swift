/// An error from parsing or applying a JSON Patch (RFC 6902) or parsing a
/// JSON Pointer (RFC 6901).
///
/// Errors are identified by their code, exposed as static members:
/// `#expect(throws: JSONPatchError.pathNotFound) { ... }`. Equality and
/// hashing consider only the code; ``detail`` and ``operationIndex`` are
/// extra information.
public struct JSONPatchError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidPatch
        case invalidPointer
        case pathNotFound
        case invalidIndex
        case testFailed
    }

    private let code: Code

    /// A human-readable explanation (the offending pointer, member, …).
    public var detail: String?

    /// Position of the failing operation in the patch, if known.
    public var operationIndex: Int?

    private init(_ code: Code) {
        self.code = code
    }

    /// Malformed patch document or operation: not an array of objects,
    /// missing or mistyped `op`/`path`/`value`/`from`, unknown `op`, or an
    /// impossible operation (moving a location into its own child).
    public static let invalidPatch = JSONPatchError(.invalidPatch)
    /// Pointer text that is not "" and does not start with "/", or contains
    /// a `~` not followed by `0` or `1`; also removing the whole document.
    public static let invalidPointer = JSONPatchError(.invalidPointer)
    /// The target (or its parent, or `from`) does not exist: a missing object
    /// member, or a pointer that goes through a scalar.
    public static let pathNotFound = JSONPatchError(.pathNotFound)
    /// An array index that is malformed (`01`, `-1`, `1e0`, `-` where not
    /// allowed) or out of bounds.
    public static let invalidIndex = JSONPatchError(.invalidIndex)
    /// A `test` operation whose target is absent or differs from its value.
    public static let testFailed = JSONPatchError(.testFailed)

    /// The same error with a detail message.
    public func with(detail: String) -> JSONPatchError {
        var copy = self
        copy.detail = detail
        return copy
    }

    /// The same error attributed to the operation at `index`.
    public func at(operation index: Int) -> JSONPatchError {
        var copy = self
        copy.operationIndex = index
        return copy
    }

    public static func == (lhs: JSONPatchError, rhs: JSONPatchError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    public var description: String {
        var text: String
        switch code {
        case .invalidPatch: text = "invalid patch"
        case .invalidPointer: text = "invalid JSON pointer"
        case .pathNotFound: text = "path not found"
        case .invalidIndex: text = "invalid array index"
        case .testFailed: text = "test failed"
        }
        if let operationIndex { text += " in operation \(operationIndex)" }
        if let detail { text += ": \(detail)" }
        return "JSON Patch error: " + text
    }
}

/// A JSON Patch document (RFC 6902): a sequence of operations applied in
/// order, atomically.
public struct JSONPatch: Sendable, Hashable {
    public var operations: [JSONPatchOperation]

    public init(operations: [JSONPatchOperation]) {
        self.operations = operations
    }

    /// Parses a patch document: an array of operation objects (see
    /// ``JSONPatchOperation/init(_:)``). Anything else is
    /// ``JSONPatchError/invalidPatch``.
    public init(_ json: JSONValue) throws(JSONPatchError) {
        guard case .array(let elements) = json else {
            throw JSONPatchError.invalidPatch.with(detail: "a patch must be an array of operations")
        }
        var operations: [JSONPatchOperation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                operations.append(try JSONPatchOperation(element))
            } catch {
                throw error.at(operation: index)
            }
        }
        self.operations = operations
    }

    /// The patch as a JSON array of operation objects.
    public var jsonValue: JSONValue {
        .array(operations.map(\.jsonValue))
    }

    /// Returns `document` with the patch applied. Throws if any operation
    /// fails; `document` itself is never changed.
    public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var result = document
        try apply(to: &result)
        return result
    }

    /// Applies the patch to `document` in place, atomically: if an operation
    /// fails, the changes already made are reverted (member order included)
    /// and `document` is left exactly as it was.
    ///
    /// Only the containers along each operation's path are touched; when
    /// `document` is uniquely referenced nothing else is copied, so an
    /// operation on a large document costs O(depth), not O(size).
    public func apply(to document: inout JSONValue) throws(JSONPatchError) {
        var undo: [JSONPatchUndo] = []
        undo.reserveCapacity(operations.count)
        for (index, operation) in operations.enumerated() {
            do {
                try operation.apply(to: &document, undo: &undo)
            } catch {
                for step in undo.reversed() {
                    step.revert(&document)
                }
                var error = error.at(operation: index)
                if error.detail == nil { error.detail = "\(operation.op) at \(operation.path)" }
                throw error
            }
        }
    }
}

extension JSONPatch: ExpressibleByArrayLiteral {
    public init(arrayLiteral operations: JSONPatchOperation...) {
        self.init(operations: operations)
    }
}

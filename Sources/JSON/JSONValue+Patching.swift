// In-place primitives used by JSON Patch. Each mutates through `inout`
// recursion: a container is taken out of its enum case (leaving `.null`
// behind) so that it is uniquely referenced while it is changed, then put
// back. Failures are detected before anything is changed, and `defer`
// puts every container back, so a failing primitive leaves the value as is.

extension JSONValue {
    /// Calls `body` with the object in place, or returns `nil` if not an object.
    mutating func withObject<R, E: Error>(_ body: (inout JSONObject) throws(E) -> R) throws(E) -> R? {
        guard case .object(var object) = self else { return nil }
        self = .null
        defer { self = .object(object) }
        return try body(&object)
    }

    /// Calls `body` with the array in place, or returns `nil` if not an array.
    mutating func withArray<R, E: Error>(_ body: (inout [JSONValue]) throws(E) -> R) throws(E) -> R? {
        guard case .array(var array) = self else { return nil }
        self = .null
        defer { self = .array(array) }
        return try body(&array)
    }

    /// Calls `body` with the value at `tokens`, in place.
    mutating func modify<R>(
        at tokens: ArraySlice<String>, _ body: (inout JSONValue) throws(JSONPatchError) -> R
    ) throws(JSONPatchError) -> R {
        guard let token = tokens.first else { return try body(&self) }
        let rest = tokens.dropFirst()
        // No `switch self` here: a binding would hold a second reference to
        // the container and force a copy.
        if let found = try withObject({ (object: inout JSONObject) throws(JSONPatchError) -> R? in
            try object.modifyValue(forKey: token) { (child: inout JSONValue) throws(JSONPatchError) -> R in
                try child.modify(at: rest, body)
            }
        }) {
            guard let value = found else { throw JSONPatchError.pathNotFound }
            return value
        }
        let result = try withArray { (array: inout [JSONValue]) throws(JSONPatchError) -> R in
            let index = try JSONValue.existingIndex(token, in: array)
            return try array[index].modify(at: rest, body)
        }
        guard let result else { throw JSONPatchError.pathNotFound }
        return result
    }

    /// The value at `tokens`, with the same errors as ``modify(at:_:)``.
    func value(at tokens: ArraySlice<String>) throws(JSONPatchError) -> JSONValue {
        var current = self
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw JSONPatchError.pathNotFound }
                current = next
            case .array(let array):
                current = array[try JSONValue.existingIndex(token, in: array)]
            default:
                throw JSONPatchError.pathNotFound
            }
        }
        return current
    }

    static func existingIndex(_ token: String, in array: [JSONValue]) throws(JSONPatchError) -> Int {
        guard let index = JSONPointer.arrayIndex(token), index < array.count else {
            throw JSONPatchError.invalidIndex
        }
        return index
    }

    /// RFC 6902 "add": sets an object member (replacing it if present),
    /// inserts into an array (index ≤ count, or "-" to append), or replaces
    /// the whole document at "". Returns how to undo it.
    mutating func add(_ value: JSONValue, at pointer: JSONPointer) throws(JSONPatchError) -> JSONPatchUndo {
        guard let last = pointer.tokens.last else {
            let old = self
            self = value
            return .replace(pointer, with: old)
        }
        return try modify(at: pointer.tokens.dropLast()) { (parent: inout JSONValue) throws(JSONPatchError) -> JSONPatchUndo in
            // No `switch parent`/bindings here: they would hold a second
            // reference to the container and force a copy.
            if let old = parent.withObject({ $0.updateValue(value, forKey: last) }) {
                guard let old else { return .remove(pointer) }
                return .replace(pointer, with: old)
            }
            let inserted = try parent.withArray { (array: inout [JSONValue]) throws(JSONPatchError) -> Int in
                let index: Int
                if last == "-" {
                    index = array.count
                } else {
                    guard let parsed = JSONPointer.arrayIndex(last), parsed <= array.count else {
                        throw JSONPatchError.invalidIndex
                    }
                    index = parsed
                }
                array.insert(value, at: index)
                return index
            }
            guard let inserted else { throw JSONPatchError.pathNotFound }
            return .remove(JSONPointer(tokens: pointer.tokens.dropLast() + [String(inserted)]))
        }
    }

    /// RFC 6902 "remove": removes the target, which must exist. Returns the
    /// removed value and how to undo the removal.
    mutating func remove(at pointer: JSONPointer) throws(JSONPatchError) -> (value: JSONValue, undo: JSONPatchUndo) {
        guard let last = pointer.tokens.last else {
            throw JSONPatchError.invalidPointer.with(detail: "cannot remove the whole document")
        }
        let parentTokens = pointer.tokens.dropLast()
        return try modify(at: parentTokens) { (parent: inout JSONValue) throws(JSONPatchError) -> (value: JSONValue, undo: JSONPatchUndo) in
            if let removed = parent.withObject({ $0.removeValueReportingSuccessor(forKey: last) }) {
                guard let removed else { throw JSONPatchError.pathNotFound }
                let undo = JSONPatchUndo.insertMember(
                    parent: Array(parentTokens), key: last, value: removed.value, before: removed.successor)
                return (removed.value, undo)
            }
            let removed = try parent.withArray { (array: inout [JSONValue]) throws(JSONPatchError) -> (JSONValue, Int) in
                let index = try JSONValue.existingIndex(last, in: array)
                return (array.remove(at: index), index)
            }
            guard let (value, index) = removed else { throw JSONPatchError.pathNotFound }
            return (value, .insertElement(parent: Array(parentTokens), index: index, value: value))
        }
    }

    /// RFC 6902 "replace": the target must exist ("" replaces the document).
    /// Returns how to undo it.
    mutating func replace(at pointer: JSONPointer, with value: JSONValue) throws(JSONPatchError) -> JSONPatchUndo {
        try modify(at: pointer.tokens[...]) { (target: inout JSONValue) throws(JSONPatchError) -> JSONPatchUndo in
            let old = target
            target = value
            return .replace(pointer, with: old)
        }
    }
}

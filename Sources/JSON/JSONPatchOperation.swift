/// One RFC 6902 operation.
public enum JSONPatchOperation: Sendable, Hashable {
    case add(path: JSONPointer, value: JSONValue)
    case remove(path: JSONPointer)
    case replace(path: JSONPointer, value: JSONValue)
    case move(from: JSONPointer, path: JSONPointer)
    case copy(from: JSONPointer, path: JSONPointer)
    case test(path: JSONPointer, value: JSONValue)

    /// Parses an operation object such as `{"op":"add","path":"/a","value":1}`.
    /// Missing or mistyped members and unknown `op`s throw
    /// ``JSONPatchError/invalidPatch``; malformed pointers
    /// ``JSONPatchError/invalidPointer``. Extra members are ignored.
    public init(_ json: JSONValue) throws(JSONPatchError) {
        guard case .object(let object) = json else {
            throw JSONPatchError.invalidPatch.with(detail: "operation is not an object")
        }
        func string(_ name: String) throws(JSONPatchError) -> String {
            guard let member = object[name] else {
                throw JSONPatchError.invalidPatch.with(detail: "missing '\(name)'")
            }
            guard case .string(let text) = member else {
                throw JSONPatchError.invalidPatch.with(detail: "'\(name)' is not a string")
            }
            return text
        }
        func pointer(_ name: String) throws(JSONPatchError) -> JSONPointer {
            try JSONPointer(try string(name))
        }
        func value() throws(JSONPatchError) -> JSONValue {
            guard let value = object["value"] else {
                throw JSONPatchError.invalidPatch.with(detail: "missing 'value'")
            }
            return value
        }
        let op = try string("op")
        switch op {
        case "add": self = .add(path: try pointer("path"), value: try value())
        case "remove": self = .remove(path: try pointer("path"))
        case "replace": self = .replace(path: try pointer("path"), value: try value())
        case "move": self = .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": self = .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": self = .test(path: try pointer("path"), value: try value())
        default: throw JSONPatchError.invalidPatch.with(detail: "unknown op '\(op)'")
        }
    }

    /// The operation name: "add", "remove", "replace", "move", "copy" or "test".
    public var op: String {
        switch self {
        case .add: "add"
        case .remove: "remove"
        case .replace: "replace"
        case .move: "move"
        case .copy: "copy"
        case .test: "test"
        }
    }

    /// The target location.
    public var path: JSONPointer {
        switch self {
        case .add(let path, _), .remove(let path), .replace(let path, _), .test(let path, _): path
        case .move(_, let path), .copy(_, let path): path
        }
    }

    /// The operation object, members in the order op, path, from, value.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        object["op"] = .string(op)
        object["path"] = .string(path.description)
        switch self {
        case .add(_, let value), .replace(_, let value), .test(_, let value):
            object["value"] = value
        case .move(let from, _), .copy(let from, _):
            object["from"] = .string(from.description)
        case .remove:
            break
        }
        return .object(object)
    }

    /// Applies this operation in place, appending to `undo` how to revert
    /// each change it made. A failing operation has made no change of its
    /// own (a failing `move` has logged its removal in `undo`).
    func apply(to document: inout JSONValue, undo: inout [JSONPatchUndo]) throws(JSONPatchError) {
        switch self {
        case .add(let path, let value):
            undo.append(try document.add(value, at: path))
        case .remove(let path):
            undo.append(try document.remove(at: path).undo)
        case .replace(let path, let value):
            undo.append(try document.replace(at: path, with: value))
        case .move(let from, let path):
            if from == path {
                _ = try document.value(at: from.tokens[...])
                return
            }
            guard !from.isAncestor(of: path) else {
                throw JSONPatchError.invalidPatch.with(detail: "cannot move \(from) into its own child \(path)")
            }
            let removed = try document.remove(at: from)
            undo.append(removed.undo)
            undo.append(try document.add(removed.value, at: path))
        case .copy(let from, let path):
            let value = try document.value(at: from.tokens[...])
            undo.append(try document.add(value, at: path))
        case .test(let path, let expected):
            guard let actual = path.resolve(in: document) else {
                throw JSONPatchError.testFailed.with(detail: "\(path) does not exist")
            }
            guard actual == expected else {
                throw JSONPatchError.testFailed.with(detail: "\(path) is \(actual), expected \(expected)")
            }
        }
    }
}

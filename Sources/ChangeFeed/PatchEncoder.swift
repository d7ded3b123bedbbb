import JSON

/// Turns one transaction's changes to a resource into the JSON Patch that
/// brings a subscriber's document (`{"resource": {key: row}}`, or the row
/// itself for a record stream) from before the transaction to after it.
public struct PatchEncoder: Sendable {
    public let spec: StreamSpec
    private let collectionPath: [UInt8]

    public init(spec: StreamSpec) {
        self.spec = spec
        self.collectionPath = Array(("/" + JSONPointer.escape(spec.resource)).utf8)
    }

    /// The patch as compact JSON (`[{"op":…},…]`), or nil when these changes
    /// leave the document as it was.
    public func encode(_ changes: some Sequence<Change>) -> [UInt8]? {
        var out: [UInt8] = [UInt8(ascii: "[")]
        var count = 0
        for change in changes {
            if spec.record != nil {
                appendRecordOperations(for: change, to: &out, count: &count)
            } else {
                appendCollectionOperations(for: change, to: &out, count: &count)
            }
        }
        guard count > 0 else { return nil }
        out.append(UInt8(ascii: "]"))
        return out
    }

    // MARK: Collections

    private func appendCollectionOperations(for change: Change, to out: inout [UInt8], count: inout Int) {
        switch change.operation {
        case .truncate:
            append(op: "replace", path: collectionPath, value: Array("{}".utf8), to: &out, count: &count)
        case .insert:
            guard let key = change.newKey, let row = view(change.newRow) else { return }
            append(op: "add", path: rowPath(key), value: row.bytes, to: &out, count: &count)
        case .delete:
            guard let key = change.oldKey, view(change.oldRow) != nil else { return }
            append(op: "remove", path: rowPath(key), value: nil, to: &out, count: &count)
        case .update:
            let before = view(change.oldRow), after = view(change.newRow)
            switch (before, after, change.oldKey, change.newKey) {
            case (let old?, let new?, let oldKey?, let newKey?) where oldKey == newKey:
                if old.bytes == new.bytes {
                    // The document this stream follows did not change.
                    return
                } else if spec.patchMode == .field {
                    appendFieldOperations(from: old, to: new, path: rowPath(newKey), out: &out, count: &count)
                } else {
                    append(op: "replace", path: rowPath(newKey), value: new.bytes, to: &out, count: &count)
                }
            default:
                if before != nil, let oldKey = change.oldKey {
                    append(op: "remove", path: rowPath(oldKey), value: nil, to: &out, count: &count)
                }
                if let new = after, let newKey = change.newKey {
                    append(op: "add", path: rowPath(newKey), value: new.bytes, to: &out, count: &count)
                }
            }
        }
    }

    // MARK: Records

    private func appendRecordOperations(for change: Change, to out: inout [UInt8], count: inout Int) {
        guard let key = spec.record else { return }
        let null = Array("null".utf8)
        switch change.operation {
        case .truncate:
            append(op: "replace", path: [], value: null, to: &out, count: &count)
        case .insert where change.newKey == key:
            if let row = view(change.newRow) {
                append(op: "replace", path: [], value: row.bytes, to: &out, count: &count)
            }
        case .update where change.newKey == key:
            guard let new = view(change.newRow) else { return }
            if change.oldKey == key, let old = view(change.oldRow), old.bytes == new.bytes {
                return
            } else if spec.patchMode == .field, change.oldKey == key, let old = view(change.oldRow) {
                appendFieldOperations(from: old, to: new, path: [], out: &out, count: &count)
            } else {
                append(op: "replace", path: [], value: new.bytes, to: &out, count: &count)
            }
        case .update where change.oldKey == key, .delete where change.oldKey == key:
            append(op: "replace", path: [], value: null, to: &out, count: &count)
        default:
            return
        }
    }

    // MARK: Rows

    /// A row as this spec shows it: nil when the filter rejects it.
    private struct RowView: Equatable {
        var bytes: [UInt8]
        var object: JSONObject?
    }

    private func view(_ text: String?) -> RowView? {
        guard let text else { return nil }
        if spec.passesRowsThrough && spec.patchMode == .row {
            return RowView(bytes: RowText.compact(text), object: nil)
        }
        guard let object = (try? JSONValue(parsing: text))?.objectValue else { return nil }
        guard spec.filter.matches(object) else { return nil }
        let shown = project(object)
        return RowView(bytes: Array(JSONValue.object(shown).jsonText.utf8), object: shown)
    }

    private func project(_ row: JSONObject) -> JSONObject {
        guard let select = spec.select else { return row }
        var result = JSONObject()
        for name in select {
            if let value = row[name] { result[name] = value }
        }
        return result
    }

    private func appendFieldOperations(from old: RowView, to new: RowView, path: [UInt8],
                                       out: inout [UInt8], count: inout Int) {
        guard let before = old.object, let after = new.object else { return }
        for (name, value) in after {
            let columnPath = path + Array(("/" + JSONPointer.escape(name)).utf8)
            if let previous = before[name] {
                if previous != value || previous.jsonText != value.jsonText {
                    append(op: "replace", path: columnPath, value: Array(value.jsonText.utf8), to: &out, count: &count)
                }
            } else {
                append(op: "add", path: columnPath, value: Array(value.jsonText.utf8), to: &out, count: &count)
            }
        }
        for (name, _) in before where after[name] == nil {
            let columnPath = path + Array(("/" + JSONPointer.escape(name)).utf8)
            append(op: "remove", path: columnPath, value: nil, to: &out, count: &count)
        }
    }

    // MARK: Writing

    private func rowPath(_ key: String) -> [UInt8] {
        collectionPath + Array(("/" + JSONPointer.escape(key)).utf8)
    }

    private func append(op: String, path: [UInt8], value: [UInt8]?, to out: inout [UInt8], count: inout Int) {
        if count > 0 { out.append(UInt8(ascii: ",")) }
        count += 1
        out += Array("{\"op\":\"\(op)\",\"path\":".utf8)
        JSONValue.writeQuoted(String(decoding: path, as: UTF8.self), to: &out)
        if let value {
            out += Array(",\"value\":".utf8)
            out += value
        }
        out.append(UInt8(ascii: "}"))
    }
}

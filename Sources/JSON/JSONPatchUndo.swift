/// How to revert one step of a patch applied in place. Steps are reverted
/// in reverse order, so each is reverted against exactly the state it
/// produced — which is why reverting cannot fail.
enum JSONPatchUndo: Sendable {
    /// Put `value` back at the pointer (which exists).
    case replace(JSONPointer, with: JSONValue)
    /// Remove what was added at the pointer (a concrete index for arrays).
    case remove(JSONPointer)
    /// Re-insert a removed member before `before` (or last, if `nil`), so
    /// member order is restored too.
    case insertMember(parent: [String], key: String, value: JSONValue, before: String?)
    /// Re-insert a removed array element.
    case insertElement(parent: [String], index: Int, value: JSONValue)

    func revert(_ document: inout JSONValue) {
        switch self {
        case .replace(let pointer, let old):
            _ = try? document.replace(at: pointer, with: old)
        case .remove(let pointer):
            _ = try? document.remove(at: pointer)
        case .insertMember(let parent, let key, let value, let before):
            _ = try? document.modify(at: parent[...]) { (container: inout JSONValue) throws(JSONPatchError) in
                _ = container.withObject { $0.insert(value, forKey: key, before: before) }
            }
        case .insertElement(let parent, let index, let value):
            _ = try? document.modify(at: parent[...]) { (container: inout JSONValue) throws(JSONPatchError) in
                _ = container.withArray { $0.insert(value, at: min(index, $0.count)) }
            }
        }
    }
}

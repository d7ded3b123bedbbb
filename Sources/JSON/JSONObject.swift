/// A JSON object: members in insertion order, unique keys.
///
/// Lookup is O(1) on average (an index is kept once the object has more
/// than a few members; small objects are scanned linearly, which is faster
/// and allocates less). Removal is O(1) amortised: removed members leave a
/// tombstone that is compacted away later. Equality ignores member order.
public struct JSONObject: Sendable {
    struct Slot: Sendable {
        var key: String
        var value: JSONValue
        var isLive: Bool
    }

    private(set) var slots: [Slot] = []
    /// Key → position in `slots`; empty while `slots.count <= indexThreshold`.
    private var index: [String: Int] = [:]
    /// Number of live members.
    public private(set) var count: Int = 0

    private static let indexThreshold = 16

    /// An empty object.
    public init() {}

    /// An object with `members` in order; a later duplicate key replaces the
    /// earlier value, keeping the earlier position.
    public init(_ members: [(String, JSONValue)]) {
        slots.reserveCapacity(members.count)
        for (key, value) in members {
            self[key] = value
        }
    }

    /// Builds an object from parsed members in one go (the parser's fast
    /// path): no per-member lookups, and the index is built at its final size.
    init(parsedSlots slots: [Slot]) {
        var index: [String: Int] = [:]
        var unique = true
        if slots.count > Self.indexThreshold {
            index.reserveCapacity(slots.count)
            for position in slots.indices where index.updateValue(position, forKey: slots[position].key) != nil {
                unique = false
                break
            }
        } else {
            outer: for position in slots.indices.dropFirst() {
                for earlier in 0..<position where slots[earlier].key == slots[position].key {
                    unique = false
                    break outer
                }
            }
        }
        if unique {
            self.init(slots: slots, index: index)
        } else {
            self.init(slots.map { ($0.key, $0.value) })  // duplicate keys: slow path
        }
    }

    private init(slots: [Slot], index: [String: Int]) {
        self.slots = slots
        self.index = index
        self.count = slots.count
    }

    public var isEmpty: Bool { count == 0 }

    /// The keys, in order.
    public var keys: [String] {
        slots.compactMap { $0.isLive ? .some($0.key) : .none }
    }

    /// The values, in order.
    public var values: [JSONValue] {
        slots.compactMap { $0.isLive ? .some($0.value) : .none }
    }

    private func position(of key: String) -> Int? {
        if index.isEmpty {
            return slots.firstIndex { $0.isLive && $0.key == key }
        }
        return index[key]
    }

    /// The value for `key`. Setting an existing key keeps its position;
    /// setting a new key appends it; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return slots[position].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Whether the object has a member named `key`.
    public func contains(key: String) -> Bool {
        position(of: key) != nil
    }

    /// Sets the value for `key` (keeping its position if it exists) and
    /// returns the previous value.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        if let position = position(of: key) {
            let old = slots[position].value
            slots[position].value = value
            return old
        }
        slots.append(Slot(key: key, value: value, isLive: true))
        count += 1
        if !index.isEmpty {
            index[key] = slots.count - 1
        } else if slots.count > Self.indexThreshold {
            rebuildIndex()
        }
        return nil
    }

    /// Removes the member named `key` and returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        removeValueReportingSuccessor(forKey: key)?.value
    }

    /// Removes the member named `key`; returns its value and the key of the
    /// member that followed it (for ``insert(_:forKey:before:)``).
    mutating func removeValueReportingSuccessor(forKey key: String) -> (value: JSONValue, successor: String?)? {
        guard let position = position(of: key) else { return nil }
        let old = slots[position].value
        let successor = slots[(position + 1)...].first { $0.isLive }?.key
        slots[position] = Slot(key: "", value: .null, isLive: false)
        if !index.isEmpty { index[key] = nil }
        count -= 1
        let tombstones = slots.count - count
        if count == 0 {
            slots.removeAll()
            index = [:]
        } else if tombstones > 16 && tombstones > count {
            compact()
        }
        return (old, successor)
    }

    /// Inserts a new member just before the member `successor` (at the end
    /// if `successor` is `nil` or absent). O(n); used to undo removals.
    mutating func insert(_ value: JSONValue, forKey key: String, before successor: String?) {
        guard position(of: key) == nil, let successor, let next = position(of: successor) else {
            updateValue(value, forKey: key)
            return
        }
        slots.insert(Slot(key: key, value: value, isLive: true), at: next)
        count += 1
        rebuildIndex()
    }

    /// Calls `body` with the value for `key`, in place (no copy of the value
    /// if the object is uniquely referenced). Returns `nil` if there is no
    /// such member.
    mutating func modifyValue<R, E: Error>(
        forKey key: String, _ body: (inout JSONValue) throws(E) -> R
    ) throws(E) -> R? {
        guard let position = position(of: key) else { return nil }
        return try body(&slots[position].value)
    }

    private mutating func compact() {
        slots.removeAll { !$0.isLive }
        rebuildIndex()
    }

    private mutating func rebuildIndex() {
        guard slots.count > Self.indexThreshold else {
            index = [:]
            return
        }
        var newIndex: [String: Int] = [:]
        newIndex.reserveCapacity(slots.count)
        for (position, slot) in slots.enumerated() where slot.isLive {
            newIndex[slot.key] = position
        }
        index = newIndex
    }
}

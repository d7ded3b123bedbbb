extension JSONObject: Sequence {
    public typealias Element = (key: String, value: JSONValue)

    public struct Iterator: IteratorProtocol {
        private let slots: [Slot]
        private var position = 0

        init(_ slots: [Slot]) {
            self.slots = slots
        }

        public mutating func next() -> (key: String, value: JSONValue)? {
            while position < slots.count {
                let slot = slots[position]
                position += 1
                if slot.isLive { return (slot.key, slot.value) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(slots)
    }

    public var underestimatedCount: Int { count }
}

extension JSONObject: Hashable {
    /// Equal when both have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Order-independent: combines a commutative sum of per-member hashes.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in self {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            sum = sum &+ member.finalize()
        }
        hasher.combine(count)
        hasher.combine(sum)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: CustomStringConvertible {
    /// The compact JSON text of the object.
    public var description: String {
        JSONValue.object(self).jsonText
    }
}

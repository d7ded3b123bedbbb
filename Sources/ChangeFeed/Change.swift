/// One captured row change, as the trigger wrote it to the change log.
public struct Change: Sendable, Hashable {
    public enum Operation: Character, Sendable {
        case insert = "I", update = "U", delete = "D", truncate = "T"
    }

    public var id: Int64
    public var txid: UInt64
    public var relid: UInt32
    public var operation: Operation
    public var oldKey: String?
    public var newKey: String?
    /// The row as `to_json` wrote it (text, not yet parsed).
    public var oldRow: String?
    public var newRow: String?

    public init(
        id: Int64, txid: UInt64, relid: UInt32, operation: Operation,
        oldKey: String? = nil, newKey: String? = nil, oldRow: String? = nil, newRow: String? = nil
    ) {
        self.id = id
        self.txid = txid
        self.relid = relid
        self.operation = operation
        self.oldKey = oldKey
        self.newKey = newKey
        self.oldRow = oldRow
        self.newRow = newRow
    }
}

/// A tick: a snapshot recorded by `rocket.tick()`.
public struct Tick: Sendable, Hashable {
    public var id: Int64
    public var snapshot: Snapshot

    public init(id: Int64, snapshot: Snapshot) {
        self.id = id
        self.snapshot = snapshot
    }
}

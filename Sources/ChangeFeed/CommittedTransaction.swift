/// The changes one committed transaction made, in the order it made them,
/// placed in the feed by its tick and its last change-log id.
public struct CommittedTransaction: Sendable, Hashable {
    public var txid: UInt64
    public var tick: Int64
    public var changes: [Change]

    public init(txid: UInt64, tick: Int64, changes: [Change]) {
        self.txid = txid
        self.tick = tick
        self.changes = changes
    }

    /// The last change-log id: a transaction that had to wait for another
    /// (a row lock) wrote its changes after that one committed, so ordering
    /// by it within a tick respects every dependency.
    public var lastChange: Int64 { changes.last?.id ?? 0 }

    public var cursor: Cursor { .event(tick: tick, change: lastChange) }

    /// Groups change-log rows (ordered by id) read between the snapshots of
    /// `previous` and the last of `ticks` into transactions, each placed in
    /// the first tick whose snapshot sees it, ordered by (tick, last change).
    public static func batches(_ changes: [Change], previous: Tick, ticks: [Tick]) -> [CommittedTransaction] {
        var byTxid: [UInt64: Int] = [:]
        var result: [CommittedTransaction] = []
        for change in changes {
            if let index = byTxid[change.txid] {
                result[index].changes.append(change)
            } else {
                guard let tick = ticks.first(where: { $0.snapshot.isVisible(change.txid) }),
                      !previous.snapshot.isVisible(change.txid) else { continue }
                byTxid[change.txid] = result.count
                result.append(CommittedTransaction(txid: change.txid, tick: tick.id, changes: [change]))
            }
        }
        result.sort { ($0.tick, $0.lastChange) < ($1.tick, $1.lastChange) }
        return result
    }
}

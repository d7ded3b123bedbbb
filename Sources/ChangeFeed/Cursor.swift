/// A position in the change feed, as sent in `id:` and `Rocket-Cursor`.
///
/// Positions are facts of the database, not of a Rocket process: tick
/// numbers and change-log ids are shared by every instance, so a cursor
/// means the same thing everywhere and after restarts.
public enum Cursor: Sendable, Hashable, CustomStringConvertible {
    /// After the transaction of tick `tick` whose last change-log id is
    /// `change`: every transaction ordered before it has been seen.
    case event(tick: Int64, change: Int64)
    /// After a document read: every tick up to `tick`, plus whatever else
    /// `snapshot` saw (it may hold part of the following ticks).
    case snapshot(tick: Int64, snapshot: Snapshot)

    public var tick: Int64 {
        switch self {
        case .event(let tick, _), .snapshot(let tick, _): tick
        }
    }

    /// `T-C` for events, `T-xmin:xmax:xip` for documents.
    public var description: String {
        switch self {
        case .event(let tick, let change): "\(tick)-\(change)"
        case .snapshot(let tick, let snapshot): "\(tick)-\(snapshot)"
        }
    }

    /// Parses a cursor's text form; nil when it is not one.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count <= 4096, let dash = text.firstIndex(of: "-"),
              let tick = Int64(text[..<dash]), tick >= 0 else { return nil }
        let rest = text[text.index(after: dash)...]
        if rest.contains(":") {
            guard let snapshot = Snapshot(rest) else { return nil }
            self = .snapshot(tick: tick, snapshot: snapshot)
        } else {
            guard let change = Int64(rest), change >= 0 else { return nil }
            self = .event(tick: tick, change: change)
        }
    }

    /// Whether a transaction (its tick, last change id and txid) comes after
    /// this position.
    public func precedes(tick: Int64, change: Int64, txid: UInt64) -> Bool {
        switch self {
        case .event(let mine, let myChange):
            tick > mine || (tick == mine && change > myChange)
        case .snapshot(let mine, let snapshot):
            tick > mine && !snapshot.isVisible(txid)
        }
    }
}

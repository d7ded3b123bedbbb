import ChangeFeed
import Postgres

/// Reads ticks and changes from `rocket.ticks` and `rocket.change_log`.
struct ChangeLog {
    let connection: PostgresConnection

    /// Records a tick if anything committed since the last, and returns the
    /// newest tick id.
    func tick() throws -> Int64 {
        let rows = try connection.query("SELECT rocket.tick()")
        guard let id = rows[0, 0].flatMap(Int64.init) else { throw FeedError("rocket.tick() returned nothing") }
        return id
    }

    func latestTick() throws -> Tick {
        try ticks("SELECT id, snapshot::text FROM rocket.ticks ORDER BY id DESC LIMIT 1", []).first
            ?? { throw FeedError("rocket.ticks is empty; run rocket migrate") }()
    }

    func tick(id: Int64) throws -> Tick? {
        try ticks("SELECT id, snapshot::text FROM rocket.ticks WHERE id = $1", [String(id)]).first
    }

    func oldestTickID() throws -> Int64 {
        let rows = try connection.query("SELECT min(id) FROM rocket.ticks")
        return rows[0, 0].flatMap(Int64.init) ?? 0
    }

    /// Ticks after `id` up to `upTo`, at most `limit`.
    func ticks(after id: Int64, upTo: Int64 = .max, limit: Int = 100) throws -> [Tick] {
        try ticks("SELECT id, snapshot::text FROM rocket.ticks WHERE id > $1 AND id <= $2 ORDER BY id LIMIT \(limit)",
                  [String(id), String(upTo)])
    }

    private func ticks(_ sql: String, _ parameters: [String?]) throws -> [Tick] {
        let rows = try connection.query(sql, parameters)
        return try (0..<rows.rowCount).map { row in
            guard let id = rows[row, 0].flatMap(Int64.init), let snapshot = rows[row, 1].flatMap(Snapshot.init) else {
                throw FeedError("unreadable tick row")
            }
            return Tick(id: id, snapshot: snapshot)
        }
    }

    /// Changes of transactions visible in `to` and not in `from`, by id.
    /// Row texts are read only for `relids` (all when nil).
    func changes(from: Snapshot, to: Snapshot, relids: [UInt32]? = nil) throws -> [Change] {
        let rowFilter = relids.map { list in "relid = ANY('{\(list.map(String.init).joined(separator: ","))}'::oid[])" } ?? "true"
        let rows = try connection.query("""
            SELECT id, txid::text, relid::int8, op, old_key, new_key,
                   CASE WHEN \(rowFilter) THEN old_row::text END, CASE WHEN \(rowFilter) THEN new_row::text END
              FROM rocket.change_log
             WHERE txid >= pg_snapshot_xmin($1::pg_snapshot) AND txid < pg_snapshot_xmax($2::pg_snapshot)
               AND NOT pg_visible_in_snapshot(txid, $1::pg_snapshot) AND pg_visible_in_snapshot(txid, $2::pg_snapshot)
             ORDER BY id
            """, [from.description, to.description])
        var changes: [Change] = []
        changes.reserveCapacity(rows.rowCount)
        for row in 0..<rows.rowCount {
            guard let id = rows[row, 0].flatMap(Int64.init), let txid = rows[row, 1].flatMap(UInt64.init),
                  let relid = rows[row, 2].flatMap(UInt32.init),
                  let op = rows[row, 3]?.first.flatMap(Change.Operation.init(rawValue:)) else {
                throw FeedError("unreadable change-log row")
            }
            changes.append(Change(id: id, txid: txid, relid: relid, operation: op,
                                  oldKey: rows[row, 4], newKey: rows[row, 5], oldRow: rows[row, 6], newRow: rows[row, 7]))
        }
        return changes
    }
}

struct FeedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

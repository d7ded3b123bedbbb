import ChangeFeed

/// Change-log rows for tests: relid 1 is `track`, 2 is `album`.
enum Fixtures {
    static func resourceName(_ relid: UInt32) -> String? {
        [1: "track", 2: "album"][relid]
    }

    static func insert(_ id: Int64, txid: UInt64 = 100, relid: UInt32 = 1, key: String, row: String) -> Change {
        Change(id: id, txid: txid, relid: relid, operation: .insert, newKey: key, newRow: row)
    }

    static func update(_ id: Int64, txid: UInt64 = 100, relid: UInt32 = 1,
                       from oldKey: String, _ oldRow: String, to newKey: String, _ newRow: String) -> Change {
        Change(id: id, txid: txid, relid: relid, operation: .update,
               oldKey: oldKey, newKey: newKey, oldRow: oldRow, newRow: newRow)
    }

    static func delete(_ id: Int64, txid: UInt64 = 100, relid: UInt32 = 1, key: String, row: String) -> Change {
        Change(id: id, txid: txid, relid: relid, operation: .delete, oldKey: key, oldRow: row)
    }

    static func truncate(_ id: Int64, txid: UInt64 = 100, relid: UInt32 = 1) -> Change {
        Change(id: id, txid: txid, relid: relid, operation: .truncate)
    }

    /// A change whose content does not matter, only its position.
    static func write(_ id: Int64, txid: UInt64) -> Change {
        insert(id, txid: txid, key: "\(id)", row: #"{"id":\#(id)}"#)
    }
}

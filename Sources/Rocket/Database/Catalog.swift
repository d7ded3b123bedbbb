import ChangeFeed
import JSON
import Postgres
import Synchronization

/// The attached resources, by name and by table oid, reloaded when the
/// listener hears that attachments changed.
final class Catalog: Sendable {
    private struct State {
        var byName: [String: Resource] = [:]
        var byRelid: [UInt32: Resource] = [:]
    }

    private let state = Mutex(State())

    func resource(named name: String) -> Resource? {
        state.withLock { $0.byName[name] }
    }

    func name(of relid: UInt32) -> String? {
        state.withLock { $0.byRelid[relid]?.name }
    }

    var all: [Resource] {
        state.withLock { $0.byName.values.sorted { $0.name < $1.name } }
    }

    static let query = """
        SELECT r.relid::int8, r.name, n.nspname, c.relname, array_to_json(r.key_columns)::text,
               (SELECT json_agg(json_build_object(
                           'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                           'category', t.typcategory, 'array', t.typcategory = 'A',
                           'generated', a.attgenerated <> '' OR a.attidentity = 'a')
                        ORDER BY a.attnum)::text
                  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                 WHERE a.attrelid = r.relid AND a.attnum > 0 AND NOT a.attisdropped)
          FROM rocket.resources r
          JOIN pg_class c ON c.oid = r.relid
          JOIN pg_namespace n ON n.oid = c.relnamespace
        """

    func reload(on connection: PostgresConnection) throws {
        let rows = try connection.query(Self.query)
        var next = State()
        for row in 0..<rows.rowCount {
            guard let relid = rows[row, 0].flatMap(UInt32.init), let name = rows[row, 1],
                  let schema = rows[row, 2], let table = rows[row, 3],
                  let keys = try? JSONValue(parsing: rows[row, 4] ?? "[]").arrayValue?.compactMap(\.stringValue),
                  let columnList = try? JSONValue(parsing: rows[row, 5] ?? "[]").arrayValue else { continue }
            let columns = columnList.compactMap { column -> Resource.Column? in
                guard let name = column["name"]?.stringValue, let type = column["type"]?.stringValue,
                      let category = column["category"]?.stringValue?.first else { return nil }
                return Resource.Column(name: name, type: type, category: category,
                                       isArray: column["array"]?.boolValue ?? false,
                                       isGenerated: column["generated"]?.boolValue ?? false)
            }
            let resource = Resource(name: name, relid: relid, schema: schema, table: table,
                                    keyColumns: keys, columns: columns)
            next.byName[name] = resource
            next.byRelid[relid] = resource
        }
        state.withLock { $0 = next }
    }
}

import ChangeFeed
import JSON
import Postgres

/// Reads documents in one REPEATABLE READ snapshot, with the cursor that
/// names exactly that snapshot in the feed.
enum DocumentReader {
    struct Document {
        /// The JSON text: `{"resource":{key:row,…}}`, or a row, or `null`.
        var bytes: [UInt8]
        var cursor: Cursor
        /// For a record: whether the row exists.
        var found: Bool
    }

    static func read(_ plan: DocumentPlan, on connection: PostgresConnection) throws -> Document {
        try connection.transaction(isolation: .repeatableRead, readOnly: true) { connection in
            let cursor = try currentCursor(on: connection)
            var parameters: [String?] = []
            let sql = query(for: plan, parameters: &parameters)
            let rows = try connection.query(sql, parameters)
            if plan.record != nil {
                guard rows.rowCount > 0, let text = rows[0, 1] else {
                    return Document(bytes: Array("null".utf8), cursor: cursor, found: false)
                }
                return Document(bytes: RowText.compact(text), cursor: cursor, found: true)
            }
            var out: [UInt8] = [UInt8(ascii: "{")]
            JSONValue.writeQuoted(plan.resource.name, to: &out)
            out += [UInt8(ascii: ":"), UInt8(ascii: "{")]
            for row in 0..<rows.rowCount {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeQuoted(rows[row, 0] ?? "", to: &out)
                out.append(UInt8(ascii: ":"))
                RowText.appendCompact(rows[row, 1] ?? "null", to: &out)
            }
            out += [UInt8(ascii: "}"), UInt8(ascii: "}")]
            return Document(bytes: out, cursor: cursor, found: true)
        }
    }

    /// The feed position of the current snapshot: the newest tick it sees,
    /// and the snapshot itself. In a REPEATABLE READ transaction this is
    /// the snapshot every later statement reads.
    static func currentCursor(on connection: PostgresConnection) throws -> Cursor {
        let rows = try connection.query("SELECT (SELECT max(id) FROM rocket.ticks), pg_current_snapshot()::text")
        guard let tick = rows[0, 0].flatMap(Int64.init), let snapshot = rows[0, 1].flatMap(Snapshot.init) else {
            throw APIError(status: 503, code: "not_migrated", message: "the rocket schema is missing; run rocket migrate")
        }
        return .snapshot(tick: tick, snapshot: snapshot)
    }

    static func query(for plan: DocumentPlan, parameters: inout [String?]) -> String {
        let resource = plan.resource
        let row: String
        if let select = plan.select {
            let columns = select.map { "t.\(PostgresIdentifier.quote($0))" }.joined(separator: ", ")
            row = "(SELECT to_json(s) FROM (SELECT \(columns)) AS s)::text"
        } else {
            row = "to_json(t)::text"
        }
        var sql = "SELECT \(resource.keyExpression(alias: "t")), \(row) FROM \(resource.qualifiedName) AS t"
        var conditions: [String] = []
        if let record = plan.record {
            conditions.append(resource.keyCondition(alias: "t", firstParameter: parameters.count + 1))
            parameters += record.parts.map { Optional($0) }
        }
        for condition in plan.filter.conditions {
            conditions.append(sqlCondition(condition, resource: resource, parameters: &parameters))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if plan.record == nil {
            let order = plan.order.map { item in
                "t.\(PostgresIdentifier.quote(item.column))" + (item.descending ? " DESC" : " ASC")
                    + (item.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
            } + resource.keyColumns.map { "t.\(PostgresIdentifier.quote($0))" }
            sql += " ORDER BY " + order.joined(separator: ", ")
            if let limit = plan.limit {
                parameters.append(String(limit))
                sql += " LIMIT $\(parameters.count)"
            }
            if let offset = plan.offset {
                parameters.append(String(offset))
                sql += " OFFSET $\(parameters.count)"
            }
        }
        return sql
    }

    private static func sqlCondition(_ condition: FilterCondition, resource: Resource, parameters: inout [String?]) -> String {
        let column = "t.\(PostgresIdentifier.quote(condition.column))"
        let type = resource.column(named: condition.column)?.type ?? "text"
        func bind(_ value: String) -> String {
            parameters.append(value)
            return "$\(parameters.count)::\(type)"
        }
        let positive: String
        switch condition.op {
        case .eq: positive = "\(column) = \(bind(condition.values[0]))"
        case .neq: positive = "\(column) <> \(bind(condition.values[0]))"
        case .gt: positive = "\(column) > \(bind(condition.values[0]))"
        case .gte: positive = "\(column) >= \(bind(condition.values[0]))"
        case .lt: positive = "\(column) < \(bind(condition.values[0]))"
        case .lte: positive = "\(column) <= \(bind(condition.values[0]))"
        case .like, .ilike:
            parameters.append(condition.values[0].replacingOccurrences(of: "*", with: "%"))
            positive = "\(column) \(condition.op == .like ? "LIKE" : "ILIKE") $\(parameters.count)::text"
        case .in:
            positive = condition.values.isEmpty ? "false" : "\(column) IN (\(condition.values.map(bind).joined(separator: ", ")))"
        case .is:
            switch condition.isValue ?? .null {
            case .null: positive = "\(column) IS NULL"
            case .true: positive = "\(column) IS TRUE"
            case .false: positive = "\(column) IS FALSE"
            case .unknown: positive = "\(column) IS UNKNOWN"
            }
        }
        return condition.negated ? "NOT (\(positive))" : positive
    }
}

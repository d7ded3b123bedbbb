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
            if plan.record != nil {
                let rows = try connection.query(query(for: plan, parameters: &parameters), parameters)
                guard rows.rowCount > 0, let text = rows[0, 1] else {
                    return Document(bytes: Array("null".utf8), cursor: cursor, found: false)
                }
                return Document(bytes: RowText.compact(text), cursor: cursor, found: true)
            }
            // PostgreSQL builds the whole document (json_object_agg in key or
            // `order` order); it is passed on as it comes.
            let rows = try connection.query(documentQuery(for: plan, parameters: &parameters), parameters)
            let bytes = rows.rowCount > 0 ? rows.withUnsafeBytes(row: 0, column: 0) { Array($0) } : Array("{}".utf8)
            return Document(bytes: bytes, cursor: cursor, found: true)
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

    /// The rows of a plan: key text and row JSON text, in order.
    static func query(for plan: DocumentPlan, parameters: inout [String?]) -> String {
        rowsQuery(for: plan, parameters: &parameters, rowType: "text", numbered: false)
    }

    /// A collection as one value: `{"resource": {key: row, …}}`.
    static func documentQuery(for plan: DocumentPlan, parameters: inout [String?]) -> String {
        parameters.append(plan.resource.name)
        let name = parameters.count
        let rows = rowsQuery(for: plan, parameters: &parameters, rowType: "json", numbered: true)
        return "SELECT json_build_object($\(name)::text, coalesce(json_object_agg(d.k, d.r ORDER BY d.n), '{}'::json))::text"
            + " FROM (\(rows)) AS d"
    }

    private static func rowsQuery(for plan: DocumentPlan, parameters: inout [String?], rowType: String,
                                  numbered: Bool) -> String {
        let resource = plan.resource
        let row: String
        if let select = plan.select {
            let columns = select.map { "t.\(PostgresIdentifier.quote($0))" }.joined(separator: ", ")
            row = "(SELECT to_json(s.*) FROM (SELECT \(columns)) AS s)::\(rowType)"
        } else {
            row = "to_json(t.*)::\(rowType)"
        }
        let order = (plan.order.map { item in
            "t.\(PostgresIdentifier.quote(item.column))" + (item.descending ? " DESC" : " ASC")
                + (item.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
        } + resource.keyColumns.map { "t.\(PostgresIdentifier.quote($0))" }).joined(separator: ", ")
        let number = numbered ? ", row_number() OVER (ORDER BY \(order)) AS n" : ""
        var sql = "SELECT \(resource.keyExpression(alias: "t")) AS k, \(row) AS r\(number) FROM \(resource.qualifiedName) AS t"
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
            sql += " ORDER BY " + order
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

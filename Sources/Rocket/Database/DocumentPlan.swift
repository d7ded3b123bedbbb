import Foundation
import ChangeFeed
import JSON
import Postgres

/// A checked request for a document or a stream: every column exists,
/// every value parses for its column's type (PostgreSQL says so), and the
/// filter carries the values as the rows' JSON will show them.
struct DocumentPlan: Sendable {
    var resource: Resource
    /// A record URL's key, and its columns' text forms.
    var record: (key: String, parts: [String])?
    var filter: RowFilter
    var select: [String]?
    var order: [DocumentQuery.Ordering]
    var limit: Int?
    var offset: Int?
    var patchMode: StreamSpec.PatchMode

    var streamSpec: StreamSpec {
        StreamSpec(resource: resource.name, record: record?.key, filter: filter, select: select, patchMode: patchMode)
    }

    static func make(resource: Resource, recordKey: String?, query: DocumentQuery, stream: Bool,
                     connection: PostgresConnection) throws -> DocumentPlan {
        var record: (key: String, parts: [String])?
        if let recordKey {
            guard let parts = resource.keyParts(recordKey) else {
                throw APIError.notFound("no row with key '\(recordKey)' in \(resource.name): the key has \(resource.keyColumns.count) parts")
            }
            record = try canonicalKey(parts, resource: resource, connection: connection)
        }
        if stream {
            if query.limit != nil { throw APIError.badRequest("invalid_parameter", "limit is not accepted on streams", details: .string("limit")) }
            if query.offset != nil { throw APIError.badRequest("invalid_parameter", "offset is not accepted on streams", details: .string("offset")) }
            if !query.order.isEmpty { throw APIError.badRequest("invalid_parameter", "order is not accepted on streams", details: .string("order")) }
        }
        if record != nil && !query.filter.isEmpty {
            throw APIError.badRequest("invalid_filter", "filters apply to collections, not to a single record")
        }
        var select: [String]?
        if let names = query.select {
            try names.forEach { name throws(APIError) in try check(name, in: resource, parameter: "select") }
            select = resource.keyColumns + names.filter { !resource.keyColumns.contains($0) }
            select = select.map { list in list.enumerated().filter { list.firstIndex(of: $0.element) == $0.offset }.map(\.element) }
        }
        try query.order.forEach { item throws(APIError) in try check(item.column, in: resource, parameter: "order") }
        var conditions: [FilterCondition] = []
        for condition in query.filter.conditions {
            if stream, condition.op == .is, let type = resource.column(named: condition.column)?.type,
               type == "json" || type == "jsonb" {
                throw APIError.badRequest("invalid_filter", "is. on the \(type) column '\(condition.column)' is not accepted on streams: in captured rows a JSON null cannot be told from SQL NULL",
                                          details: .string(condition.column))
            }
            conditions.append(try canonicalize(condition, resource: resource, connection: connection))
        }
        return DocumentPlan(resource: resource, record: record, filter: RowFilter(conditions), select: select,
                            order: query.order, limit: query.limit, offset: query.offset, patchMode: query.patchMode)
    }

    /// The key as the capture trigger prints it (`/track/01` names the row
    /// whose key is `1`), so a record stream matches its row's changes. A
    /// key that cannot be a value of the key columns names no row: 404.
    private static func canonicalKey(_ parts: [String], resource: Resource,
                                     connection: PostgresConnection) throws -> (key: String, parts: [String]) {
        let casts = resource.keyColumns.enumerated().map { index, name in
            "($\(index + 1)::\(resource.column(named: name)?.type ?? "text"))::text"
        }.joined(separator: ", ")
        let rows: PostgresResult
        do {
            rows = try connection.query("SELECT \(casts)", parts.map { Optional($0) })
        } catch {
            if error.isRetryable { throw error }
            throw APIError.notFound("no row with key '\(parts.joined(separator: ","))' in \(resource.name): \(error.message)")
        }
        let canonical = parts.indices.map { rows[0, $0] ?? "" }
        let key = canonical.count == 1 ? canonical[0] : canonical.map {
            $0.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C")
        }.joined(separator: ",")
        return (key, canonical)
    }

    private static func check(_ column: String, in resource: Resource, parameter: String) throws(APIError) {
        guard resource.column(named: column) != nil else {
            throw APIError.badRequest("unknown_column", "\(resource.name) has no column '\(column)'",
                                      details: .string(parameter))
        }
    }

    /// Checks a condition's values against the column's type and records
    /// how `to_json` renders them.
    private static func canonicalize(_ condition: FilterCondition, resource: Resource,
                                     connection: PostgresConnection) throws -> FilterCondition {
        let parameter = condition.column
        guard let column = resource.column(named: condition.column) else {
            throw APIError.badRequest("unknown_column", "\(resource.name) has no column '\(condition.column)'",
                                      details: .string(parameter))
        }
        var result = condition
        switch condition.op {
        case .is:
            if condition.isValue == .true || condition.isValue == .false || condition.isValue == .unknown, column.category != "B" {
                throw APIError.badRequest("invalid_filter", "is.\(condition.isValue?.rawValue ?? "") needs a boolean column; '\(column.name)' is \(column.type)",
                                          details: .string(parameter))
            }
            return result
        case .like, .ilike:
            guard column.category == "S" else {
                throw APIError.badRequest("invalid_filter", "\(condition.op.rawValue) needs a text column; '\(column.name)' is \(column.type)",
                                          details: .string(parameter))
            }
            return result
        case .gt, .gte, .lt, .lte:
            // Ordering is evaluated in Rocket on streams: only for types whose
            // order it reproduces exactly.
            let unordered = ["money", "time with time zone"]
            guard ["N", "S", "D", "B"].contains(column.category), !unordered.contains(column.type),
                  !column.isArray else {
                throw APIError.badRequest("invalid_filter", "\(condition.op.rawValue) cannot compare \(column.type) values on streams and documents alike",
                                          details: .string(parameter))
            }
            if column.category == "D" { result.ordering = .temporal }
        case .eq, .neq, .in:
            if column.type == "json" {
                throw APIError.badRequest("invalid_filter", "json columns cannot be compared; use jsonb",
                                          details: .string(parameter))
            }
        }
        guard !condition.values.isEmpty else { return result }
        let casts = condition.values.indices.map { "to_json($\($0 + 1)::\(column.type))::text" }.joined(separator: ", ")
        do {
            let rows = try connection.query("SELECT \(casts)", condition.values.map { Optional($0) })
            result.canonical = try condition.values.indices.map { index in
                try JSONValue(parsing: rows[0, index] ?? "null")
            }
        } catch let error as PostgresError where !error.isRetryable {
            throw APIError.badRequest("invalid_value", "query parameter '\(parameter)': \(error.message)",
                                      details: .string(parameter))
        }
        return result
    }
}

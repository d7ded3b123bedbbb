import ChangeFeed
import HTTP
import JSON
import Postgres

/// Writes: each one transaction through SQL with bound parameters, so the
/// capture triggers fire and every subscriber sees it like any other.
extension Router {
    func write(_ request: HTTPRequest, resource: Resource, key: String?) throws -> HTTPResponse {
        if request.bodyExceededLimit {
            throw APIError(status: 413, code: "payload_too_large",
                           message: "the request body is larger than \(configuration.maxBodySize) bytes (--max-body)")
        }
        switch (request.method, key) {
        case ("POST", nil):
            return try insert(request, resource: resource)
        case ("PUT", let key?):
            return try upsert(request, resource: resource, key: key)
        case ("PATCH", let key?):
            return try patch(request, resource: resource, key: key)
        case ("DELETE", let key?):
            return try delete(resource: resource, key: key)
        case ("POST", _?):
            throw APIError.methodNotAllowed("POST", allowed: ["GET", "HEAD", "SUBSCRIBE", "PUT", "PATCH", "DELETE"])
        default:
            throw APIError.methodNotAllowed(request.method, allowed: ["GET", "HEAD", "SUBSCRIBE", "POST"])
        }
    }

    // MARK: POST

    private func insert(_ request: HTTPRequest, resource: Resource) throws -> HTTPResponse {
        let body = try Self.jsonBody(request, accept: ["application/json"])
        let objects: [JSONObject]
        let single: Bool
        switch body {
        case .object(let object):
            objects = [object]
            single = true
        case .array(let items):
            objects = try items.map { item throws(APIError) in
                guard let object = item.objectValue else {
                    throw APIError.badRequest("invalid_body", "every element of the array must be a JSON object")
                }
                return object
            }
            single = false
            if objects.isEmpty { throw APIError.badRequest("invalid_body", "the array is empty") }
        default:
            throw APIError.badRequest("invalid_body", "POST takes a JSON object or an array of objects")
        }
        var names: [String] = []
        for object in objects { for (name, _) in object where !names.contains(name) { names.append(name) } }
        try checkWritable(names, resource: resource)
        let rows = try transaction { connection in
            let columns = names.map(PostgresIdentifier.quote).joined(separator: ", ")
            let sql = names.isEmpty
                ? "INSERT INTO \(resource.qualifiedName) AS t DEFAULT VALUES RETURNING \(returning(resource))"
                : """
                  INSERT INTO \(resource.qualifiedName) AS t (\(columns))
                  SELECT \(columns) FROM json_populate_recordset(NULL::\(resource.qualifiedName), $1::json)
                  RETURNING \(returning(resource))
                  """
            if names.isEmpty && objects.count > 1 {
                throw APIError.badRequest("invalid_body", "objects without columns can only be inserted one at a time")
            }
            let result = try connection.query(sql, names.isEmpty ? [] : [JSONValue.array(objects.map { .object($0) }).jsonText])
            return try (0..<result.rowCount).map { row in (key: result[row, 0] ?? "", row: try JSONValue(parsing: result[row, 1] ?? "null")) }
        }
        var headers = [(name: "Rocket-Cursor", value: rows.cursor.description)]
        if single, let first = rows.value.first {
            headers.append(("Location", "/\(PercentDecoding.encode(resource.name))/\(PercentDecoding.encode(first.key))"))
            return .json(201, first.row, headers: headers)
        }
        return .json(201, .array(rows.value.map(\.row)), headers: headers)
    }

    // MARK: PUT

    private func upsert(_ request: HTTPRequest, resource: Resource, key: String) throws -> HTTPResponse {
        guard var object = try Self.jsonBody(request, accept: ["application/json"]).objectValue else {
            throw APIError.badRequest("invalid_body", "PUT takes a JSON object")
        }
        let parts = try keyParts(resource, key)
        for (index, column) in resource.keyColumns.enumerated() {
            if let given = object[column] {
                guard Self.text(of: given) == parts[index] else {
                    throw APIError.badRequest("key_mismatch", "the body's '\(column)' does not match the key in the URL")
                }
            } else {
                object[column] = .string(parts[index])
            }
        }
        let names = object.map(\.key)
        try checkWritable(names, resource: resource)
        let result = try transaction { connection in
            let columns = names.map(PostgresIdentifier.quote).joined(separator: ", ")
            // PUT replaces the row: every writable column not in the body
            // takes what an insert of the body would give it (its default).
            let updates = resource.columns.filter { !$0.isGenerated && !resource.keyColumns.contains($0.name) }
                .map { "\(PostgresIdentifier.quote($0.name)) = excluded.\(PostgresIdentifier.quote($0.name))" }
            let conflict = updates.isEmpty
                ? "DO NOTHING"
                : "DO UPDATE SET " + updates.joined(separator: ", ")
            let keys = resource.keyColumns.map(PostgresIdentifier.quote).joined(separator: ", ")
            var rows = try connection.query("""
                INSERT INTO \(resource.qualifiedName) AS t (\(columns))
                SELECT \(columns) FROM json_populate_record(NULL::\(resource.qualifiedName), $1::json)
                ON CONFLICT (\(keys)) \(conflict)
                RETURNING \(returning(resource)), (xmax = 0)
                """, [JSONValue.object(object).jsonText])
            if rows.rowCount == 0 {
                // Only key columns, and the row exists: nothing to change.
                var parameters: [String?] = []
                let plan = DocumentPlan(resource: resource, record: (key, parts), filter: RowFilter(), select: nil,
                                        order: [], limit: nil, offset: nil, patchMode: .row)
                rows = try connection.query(DocumentReader.query(for: plan, parameters: &parameters) , parameters)
                return (created: false, row: try JSONValue(parsing: rows[0, 1] ?? "null"))
            }
            return (created: rows[0, 2] == "t", row: try JSONValue(parsing: rows[0, 1] ?? "null"))
        }
        return .json(result.value.created ? 201 : 200, result.value.row,
                     headers: [("Rocket-Cursor", result.cursor.description)])
    }

    // MARK: PATCH

    private func patch(_ request: HTTPRequest, resource: Resource, key: String) throws -> HTTPResponse {
        let contentType = Self.mediaType(request)
        guard contentType == "application/json-patch+json" || contentType == "application/merge-patch+json" else {
            throw APIError(status: 415, code: "unsupported_media_type",
                           message: "PATCH takes application/json-patch+json or application/merge-patch+json")
        }
        let body = try Self.jsonBody(request, accept: [contentType])
        let jsonPatch: JSONPatch?
        if contentType == "application/json-patch+json" {
            do {
                jsonPatch = try JSONPatch(body)
            } catch {
                throw APIError.badRequest("invalid_patch", "not a JSON Patch: \(error)")
            }
        } else {
            jsonPatch = nil
            guard body.objectValue != nil else {
                throw APIError.badRequest("invalid_body", "a merge patch for a row must be a JSON object")
            }
        }
        let parts = try keyParts(resource, key)
        let result = try transaction { connection -> (key: String, row: JSONValue) in
            let current = try connection.query(
                "SELECT to_json(t.*)::text FROM \(resource.qualifiedName) AS t WHERE \(resource.keyCondition(alias: "t", firstParameter: 1)) FOR UPDATE",
                parts.map { Optional($0) })
            guard current.rowCount == 1, let text = current[0, 0] else {
                throw APIError.notFound("no row with key '\(key)' in \(resource.name)")
            }
            let old = try JSONValue(parsing: text)
            let new: JSONValue
            if let jsonPatch {
                do {
                    new = try jsonPatch.apply(to: old)
                } catch let error as JSONPatchError where error == .testFailed {
                    throw APIError(status: 409, code: "test_failed", message: "a test operation failed: \(error)")
                } catch {
                    throw APIError(status: 409, code: "patch_conflict", message: "the patch does not apply to the row: \(error)")
                }
            } else {
                new = MergePatch.apply(body, to: old)
            }
            guard let newObject = new.objectValue, let oldObject = old.objectValue else {
                throw APIError.badRequest("invalid_patch", "the patched row must stay a JSON object")
            }
            let changed = resource.columns.map(\.name).filter { name in
                (newObject[name] ?? .null).jsonText != (oldObject[name] ?? .null).jsonText
            }
            for (name, _) in newObject where resource.column(named: name) == nil {
                throw APIError.badRequest("unknown_column", "\(resource.name) has no column '\(name)'", details: .string(name))
            }
            guard !changed.isEmpty else { return (key, old) }
            try checkWritable(changed, resource: resource)
            let columns = changed.map(PostgresIdentifier.quote).joined(separator: ", ")
            var full = JSONObject()
            for name in changed { full[name] = newObject[name] ?? .null }
            let rows = try connection.query("""
                UPDATE \(resource.qualifiedName) AS t SET (\(columns)) =
                    (SELECT \(columns) FROM json_populate_record(NULL::\(resource.qualifiedName), $1::json))
                WHERE \(resource.keyCondition(alias: "t", firstParameter: 2))
                RETURNING \(returning(resource))
                """, [JSONValue.object(full).jsonText] + parts.map { Optional($0) })
            return (rows[0, 0] ?? key, try JSONValue(parsing: rows[0, 1] ?? "null"))
        }
        var headers = [(name: "Rocket-Cursor", value: result.cursor.description)]
        if result.value.key != key {
            headers.append(("Location", "/\(PercentDecoding.encode(resource.name))/\(PercentDecoding.encode(result.value.key))"))
        }
        return .json(200, result.value.row, headers: headers)
    }

    // MARK: DELETE

    private func delete(resource: Resource, key: String) throws -> HTTPResponse {
        let parts = try keyParts(resource, key)
        let result = try transaction { connection in
            try connection.query(
                "DELETE FROM \(resource.qualifiedName) AS t WHERE \(resource.keyCondition(alias: "t", firstParameter: 1))",
                parts.map { Optional($0) }).affectedRows
        }
        guard result.value > 0 else { throw APIError.notFound("no row with key '\(key)' in \(resource.name)") }
        return HTTPResponse(status: 204, headers: [("Rocket-Cursor", result.cursor.description)])
    }

    // MARK: Helpers

    /// Runs `body` in a transaction, then reads the feed position right after
    /// the commit: resuming from it gives everything after this write.
    private func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> (value: T, cursor: Cursor) {
        try pool.withConnection { connection in
            let value = try connection.transaction(body)
            return (value, try DocumentReader.currentCursor(on: connection))
        }
    }

    private func returning(_ resource: Resource) -> String {
        "\(resource.keyExpression(alias: "t")), to_json(t.*)::text"
    }

    private func keyParts(_ resource: Resource, _ key: String) throws(APIError) -> [String] {
        guard let parts = resource.keyParts(key) else {
            throw APIError.notFound("no row with key '\(key)' in \(resource.name)")
        }
        return parts
    }

    private func checkWritable(_ names: [String], resource: Resource) throws(APIError) {
        for name in names {
            guard let column = resource.column(named: name) else {
                throw APIError.badRequest("unknown_column", "\(resource.name) has no column '\(name)'", details: .string(name))
            }
            if column.isGenerated {
                throw APIError.badRequest("generated_column", "'\(name)' is computed by PostgreSQL and cannot be written",
                                          details: .string(name))
            }
        }
    }

    static func mediaType(_ request: HTTPRequest) -> String {
        (request.headers["Content-Type"] ?? "").split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    static func jsonBody(_ request: HTTPRequest, accept: [String]) throws(APIError) -> JSONValue {
        let type = mediaType(request)
        guard accept.contains(type) else {
            throw APIError(status: 415, code: "unsupported_media_type",
                           message: "expected Content-Type \(accept.joined(separator: " or ")), got '\(type)'")
        }
        do {
            return try JSONValue(parsing: request.body)
        } catch {
            throw APIError.badRequest("invalid_json", "the body is not valid JSON: \(error)")
        }
    }

    /// A key column's value as text, to compare with the key in the URL.
    static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .number(let number): number.text
        case .bool(let bool): bool ? "true" : "false"
        default: value.jsonText
        }
    }
}

/// RFC 7396 JSON Merge Patch.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard let patchObject = patch.objectValue else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (name, value) in patchObject {
            if value.isNull {
                result[name] = nil
            } else {
                result[name] = apply(value, to: result[name] ?? .null)
            }
        }
        return .object(result)
    }
}

import JSON
import Postgres

/// An error a client sees: status, a stable code, a message safe to show,
/// and optional details. Every error response is this JSON object.
struct APIError: Error, Sendable {
    var status: Int
    var code: String
    var message: String
    var details: JSONValue?
    var hint: String?
    var headers: [(name: String, value: String)] = []

    init(status: Int, code: String, message: String, details: JSONValue? = nil, hint: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
    }

    var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code)
        object["message"] = .string(message)
        object["details"] = details ?? .null
        if let hint { object["hint"] = .string(hint) }
        return .object(object)
    }

    static func badRequest(_ code: String, _ message: String, details: JSONValue? = nil) -> APIError {
        APIError(status: 400, code: code, message: message, details: details)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    static func unavailable(_ message: String) -> APIError {
        var error = APIError(status: 503, code: "database_unavailable", message: message)
        error.headers = [("Retry-After", "2")]
        return error
    }

    static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        var error = APIError(status: 405, code: "method_not_allowed", message: "\(method) is not allowed here")
        error.headers = [("Allow", allowed.joined(separator: ", "))]
        return error
    }

    static func internalError() -> APIError {
        APIError(status: 500, code: "internal", message: "internal error; see the server log")
    }
}

extension APIError {
    /// The one place where database errors become HTTP errors. Messages
    /// come from PostgreSQL's primary message and constraint names; never
    /// the query text or bound values.
    init(_ error: PostgresError) {
        if error.isRetryable || error.sqlState == nil {
            self = .unavailable("the database is unavailable: \(error.message)")
            return
        }
        let state = error.sqlState ?? ""
        var details = JSONObject()
        if let constraint = error.constraintName { details["constraint"] = .string(constraint) }
        if let column = error.columnName { details["column"] = .string(column) }
        if let detail = error.detail { details["detail"] = .string(detail) }
        let detailValue: JSONValue? = details.isEmpty ? nil : .object(details)
        switch state {
        case "23505":
            self.init(status: 409, code: "unique_violation", message: error.message, details: detailValue, hint: error.hint)
        case "23503":
            self.init(status: 409, code: "foreign_key_violation", message: error.message, details: detailValue, hint: error.hint)
        case "23502":
            self.init(status: 400, code: "not_null_violation", message: error.message, details: detailValue, hint: error.hint)
        case "23514", "23P01":
            self.init(status: 400, code: "check_violation", message: error.message, details: detailValue, hint: error.hint)
        case "40001", "40P01":
            self.init(status: 409, code: "serialization_failure", message: error.message, details: detailValue)
        case "42501":
            self.init(status: 403, code: "insufficient_privilege", message: error.message, details: detailValue)
        case "57014":
            self.init(status: 503, code: "query_canceled", message: error.message)
        default:
            if state.hasPrefix("22") || state.hasPrefix("23") || state == "42804" || state == "42703" {
                self.init(status: 400, code: "invalid_value", message: error.message, details: detailValue, hint: error.hint)
            } else {
                self.init(status: 500, code: "database_error", message: error.message, details: .string(state))
            }
        }
    }
}

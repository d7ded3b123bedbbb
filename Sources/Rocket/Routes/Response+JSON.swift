import HTTP
import JSON

extension HTTPResponse {
    static func json(_ status: Int, _ bytes: [UInt8], headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
                     body: .bytes(bytes))
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        json(status, Array(value.jsonText.utf8), headers: headers)
    }

    static func error(_ error: APIError) -> HTTPResponse {
        json(error.status, error.json, headers: error.headers)
    }
}

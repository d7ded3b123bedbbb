import ChangeFeed
import JSON
import Testing

/// Checks a patch the way a client uses it: it parses, has the expected
/// operations, and takes the document from before to after.
func checkPatch(
    _ patch: [UInt8]?, equals expected: String, from before: String, to after: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let bytes = try #require(patch, sourceLocation: sourceLocation)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(!text.contains("\n"), "event data must be one line", sourceLocation: sourceLocation)
    let operations = try JSONValue(parsing: bytes)
    #expect(operations == (try JSONValue(parsing: expected)), sourceLocation: sourceLocation)
    let result = try JSONPatch(operations).apply(to: JSONValue(parsing: before))
    #expect(result == (try JSONValue(parsing: after)), sourceLocation: sourceLocation)
}

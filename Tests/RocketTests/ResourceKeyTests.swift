import ChangeFeed
@testable import Rocket
import Testing

@Suite("Resource keys")
struct ResourceKeyTests {
    private func resource(keyColumns: [String]) -> Resource {
        Resource(name: "t", relid: 1, schema: "public", table: "t", keyColumns: keyColumns,
                 columns: keyColumns.map { Resource.Column(name: $0, type: "text", category: "S") })
    }

    /// How PROTOCOL.md (and the capture trigger) prints a composite key.
    private func compositeKey(_ parts: [String]) -> String {
        parts.map { $0.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C") }
            .joined(separator: ",")
    }

    @Test(arguments: [
        ("3,17", ["3", "17"]),
        ("3,x%2Cy", ["3", "x,y"]),
        ("3,x%2cy", ["3", "x,y"]),
        ("%252C,1", ["%2C", "1"]),
        ("a%25b,100%25", ["a%b", "100%"]),
        ("100%,x", ["100%", "x"]),
        (",", ["", ""]),
        ("é%2Cü,日本", ["é,ü", "日本"]),
    ])
    func compositeKeys(key: String, parts: [String]) {
        #expect(resource(keyColumns: ["a", "b"]).keyParts(key) == parts)
    }

    @Test(arguments: ["3", "1,2,3", "", "3%2C17"])
    func wrongPartCount(key: String) {
        #expect(resource(keyColumns: ["a", "b"]).keyParts(key) == nil)
    }

    @Test(arguments: ["a,b", "%2C", "100%25", ""])
    func singleColumnKeysAreWhole(key: String) {
        #expect(resource(keyColumns: ["id"]).keyParts(key) == [key])
    }

    @Test(arguments: [["a,b", "100%", "%2C", "é/x"], ["", ","], ["%25", "%%"], ["x", "y", "z"]])
    func compositeKeysRoundTrip(parts: [String]) {
        let columns = parts.indices.map { "c\($0)" }
        #expect(resource(keyColumns: columns).keyParts(compositeKey(parts)) == parts)
    }

    @Test func percentEscapesAreReplacedOnce() {
        let table = ["%2C": ",", "%25": "%"]
        #expect("%252C".replacingPercentEscapes(table) == "%2C")
        #expect("%%2C".replacingPercentEscapes(table) == "%,")
        #expect("100%".replacingPercentEscapes(table) == "100%")
        #expect("%2".replacingPercentEscapes(table) == "%2")
        #expect("%41%2C".replacingPercentEscapes(table) == "%41,")
        #expect("plain".replacingPercentEscapes(table) == "plain")
        #expect("é%2Cü".replacingPercentEscapes(table) == "é,ü")
    }
}

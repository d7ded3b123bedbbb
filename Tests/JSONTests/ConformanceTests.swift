import Foundation
import JSON
import Testing

/// One record of the public RFC 6902 suite (json-patch/json-patch-tests).
struct ConformanceCase: Sendable, CustomTestStringConvertible {
    let file: String
    let index: Int
    let comment: String?
    let doc: JSONValue
    let patch: JSONValue
    let expected: JSONValue?
    let error: String?

    var testDescription: String {
        "\(file)[\(index)]: \(comment ?? error ?? "(no comment)")"
    }
}

enum ConformanceSuite {
    static let files = ["tests.json", "spec_tests.json"]

    /// `<package root>/../shared/conformance/json-patch`, found from this
    /// source file so it works wherever the package is cloned.
    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Tests/JSONTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/json-patch", isDirectory: true)
    }

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// All enabled records of both files, parsed with our own parser.
    static func cases() throws -> [ConformanceCase] {
        var cases: [ConformanceCase] = []
        for file in files {
            let url = directory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw LoadError(description: "JSON Patch conformance suite not found at \(url.path); "
                    + "expected shared/conformance/json-patch beside the package root")
            }
            let data = try Data(contentsOf: url)
            guard case .array(let records) = try JSONValue(parsing: [UInt8](data)) else {
                throw LoadError(description: "\(file) is not a JSON array")
            }
            for (index, record) in records.enumerated() {
                guard let doc = record["doc"], let patch = record["patch"] else { continue }  // comment only
                if record["disabled"] == true { continue }
                cases.append(ConformanceCase(
                    file: file, index: index, comment: record["comment"]?.stringValue,
                    doc: doc, patch: patch, expected: record["expected"],
                    error: record["error"].map { $0.stringValue ?? $0.jsonText }))
            }
        }
        return cases
    }
}

@Suite("RFC 6902 conformance suite")
struct ConformanceTests {
    @Test("The suite is present and loads more than 100 enabled cases")
    func suiteLoads() throws {
        let cases = try ConformanceSuite.cases()
        #expect(cases.count > 100, "only \(cases.count) conformance cases loaded")
        #expect(cases.filter { $0.error != nil }.count > 20)
    }

    @Test(arguments: try ConformanceSuite.cases())
    func record(_ testCase: ConformanceCase) throws {
        if testCase.error != nil {
            try expectFailure(testCase)
        } else {
            try expectSuccess(testCase)
        }
    }

    private func expectSuccess(_ testCase: ConformanceCase) throws {
        let patch = try JSONPatch(testCase.patch)
        let result = try patch.apply(to: testCase.doc)
        if let expected = testCase.expected {
            #expect(result == expected)
        }
        // In place.
        var document = testCase.doc
        try patch.apply(to: &document)
        #expect(document == result)
        // The patch survives a round trip through its JSON form.
        #expect(try JSONPatch(patch.jsonValue) == patch)
    }

    private func expectFailure(_ testCase: ConformanceCase) throws {
        let patch: JSONPatch
        do {
            patch = try JSONPatch(testCase.patch)
        } catch {
            return  // rejected when parsing the patch: fine
        }
        #expect(throws: JSONPatchError.self) {
            _ = try patch.apply(to: testCase.doc)
        }
        var document = testCase.doc
        #expect(throws: JSONPatchError.self) {
            try patch.apply(to: &document)
        }
        // Unchanged, down to member order.
        #expect(document == testCase.doc)
        #expect(document.jsonText == testCase.doc.jsonText)
    }
}

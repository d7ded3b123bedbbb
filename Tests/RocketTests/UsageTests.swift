import Foundation
@testable import Rocket
import Testing

@Suite("Usage")
struct UsageTests {
    private static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    private static func read(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    /// What `rocket --help` prints (`print` adds the final newline).
    @Test func matchesTheGoldenFile() throws {
        let golden = try Self.read(Self.directory.appendingPathComponent("Golden/help.txt"))
        #expect(Configuration.usage + "\n" == golden)
    }

    /// The names the parser knows, scanned from its source.
    private static func parserNames(matching pattern: String) throws -> Set<String> {
        let source = try read(directory.appendingPathComponent("../../Sources/Rocket/Configuration/Configuration+Parsing.swift"))
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(source.startIndex..., in: source)
        return Set(regex.matches(in: source, range: range).compactMap { match in
            Range(match.range(at: 1), in: source).map { String(source[$0]) }
        })
    }

    private func mentions(_ name: String) -> Bool {
        // As a whole word: `--max-subscribers` must not count for `--max-subscriber-buffer`.
        Configuration.usage.range(of: #"(?<![A-Za-z_-])\#(name)(?![A-Za-z_-])"#, options: .regularExpression) != nil
    }

    @Test func everyOptionIsDocumented() throws {
        let options = try Self.parserNames(matching: #""(--[a-z][a-z-]*)""#)
        #expect(options.count >= 20)
        #expect(options.contains("--database-url") && options.contains("--dry-run"))
        for option in options.sorted() {
            #expect(mentions(option), "\(option) is parsed but not in the usage")
        }
        #expect(mentions("-h"))
    }

    @Test func everyDocumentedOptionParses() throws {
        let usage = Configuration.usage
        let regex = try NSRegularExpression(pattern: #"(?<![A-Za-z-])(--[a-z][a-z-]*)"#)
        let documented = Set(regex.matches(in: usage, range: NSRange(usage.startIndex..., in: usage)).compactMap {
            Range($0.range(at: 1), in: usage).map { String(usage[$0]) }
        })
        #expect(documented.count >= 20)
        let parsed = try Self.parserNames(matching: #""(--[a-z][a-z-]*)""#)
        #expect(documented.subtracting(parsed).isEmpty)
    }

    @Test func everyEnvironmentVariableIsDocumented() throws {
        let variables = try Self.parserNames(matching: #""((?:ROCKET_)?[A-Z][A-Z_]+)""#)
        #expect(variables.contains("DATABASE_URL") && variables.contains("ROCKET_LISTEN"))
        let undocumented = variables.sorted().filter { !mentions($0) }
        #expect(undocumented.allSatisfy { ["ROCKET_DATA_DIR", "ROCKET_LOG_LEVEL"].contains($0) })
        #expect(undocumented.isEmpty, "parsed but not in the usage: \(undocumented)")
    }
}

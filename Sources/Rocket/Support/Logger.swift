import Foundation
import Synchronization

/// A logger in swift-log's shape: a value with a label, a level and
/// metadata, passed in where it is needed. Lines go to standard error as
/// `time level label: message key=value …`. Messages are constants; what
/// varies goes in metadata. Never log secrets or bound values.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, notice, warning, error

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { "\($0)" == name.lowercased() }) else { return nil }
            self = level
        }
    }

    public typealias Metadata = [String: String]

    public var label: String
    public var level: Level
    public var metadata: Metadata
    private let output: LogOutput

    public init(label: String, level: Level = .info, output: LogOutput = .standardError) {
        self.label = label
        self.level = level
        self.metadata = [:]
        self.output = output
    }

    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func with(label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ extra: Metadata = [:]) {
        guard level >= self.level else { return }
        let merged = metadata.merging(extra) { $1 }
        let fields = merged.keys.sorted().map { key in "\(key)=\(Self.quoteIfNeeded(merged[key] ?? ""))" }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        let line = ([time, "\(level)", "\(label):", message()] + fields).joined(separator: " ")
        output.write(line)
    }

    public func trace(_ message: @autoclosure () -> String, _ extra: Metadata = [:]) { log(.trace, message(), extra) }
    public func debug(_ message: @autoclosure () -> String, _ extra: Metadata = [:]) { log(.debug, message(), extra) }
    public func info(_ message: @autoclosure () -> String, _ extra: Metadata = [:]) { log(.info, message(), extra) }
    public func notice(_ message: @autoclosure () -> String, _ extra: Metadata = [:]) { log(.notice, message(), extra) }
    public func warning(_ message: @autoclosure () -> String, _ extra: Metadata = [:]) { log(.warning, message(), extra) }
    public func error(_ message: @autoclosure () -> String, _ extra: Metadata = [:]) { log(.error, message(), extra) }

    private static func quoteIfNeeded(_ value: String) -> String {
        value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
    }
}

/// Where log lines go: standard error, or a capture for tests.
public final class LogOutput: Sendable {
    private let lines = Mutex<[String]?>(nil)

    public static let standardError = LogOutput(capturing: false)

    public init(capturing: Bool) {
        if capturing { lines.withLock { $0 = [] } }
    }

    func write(_ line: String) {
        let captured = lines.withLock { lines -> Bool in
            guard lines != nil else { return false }
            lines?.append(line)
            return true
        }
        if !captured { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    public var captured: [String] { lines.withLock { $0 ?? [] } }
}

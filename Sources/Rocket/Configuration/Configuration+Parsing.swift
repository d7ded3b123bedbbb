/// A command line that does not parse: exit 64 with usage.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Configuration {
    /// Options that take a value, and the environment variable for each.
    private static let valued: [String: String] = [
        "--database-url": "ROCKET_DATABASE_URL", "--listen": "ROCKET_LISTEN", "--schema": "ROCKET_SCHEMA",
        "--token-file": "ROCKET_TOKEN_FILE", "--cors-origin": "ROCKET_CORS_ORIGIN",
        "--keep-alive": "ROCKET_KEEP_ALIVE", "--max-subscribers": "ROCKET_MAX_SUBSCRIBERS",
        "--max-subscriber-buffer": "ROCKET_MAX_SUBSCRIBER_BUFFER", "--max-body": "ROCKET_MAX_BODY",
        "--retention": "ROCKET_RETENTION", "--retention-rows": "ROCKET_RETENTION_ROWS",
        "--pool-size": "ROCKET_POOL_SIZE", "--http-threads": "ROCKET_HTTP_THREADS",
        "--log-level": "ROCKET_LOG_LEVEL", "--data-dir": "ROCKET_DATA_DIR", "--as": "",
        "--poll-interval": "ROCKET_POLL_INTERVAL",
    ]
    private static let flags: [String: String] = [
        "--read-only": "ROCKET_READ_ONLY", "--dry-run": "", "--all": "", "--no-notify": "", "--help": "", "--version": "",
    ]

    public static func parse(arguments: [String], environment: [String: String]) throws(UsageError) -> Configuration {
        var configuration = Configuration()
        var values: [String: [String]] = [:]
        var positional: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" { values["--help"] = ["true"]; continue }
            guard argument.hasPrefix("--") else { positional.append(argument); continue }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            if flags[name] != nil {
                guard inline == nil else { throw UsageError("\(name) takes no value") }
                values[name] = ["true"]
            } else if valued[name] != nil {
                guard let value = inline ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw UsageError("\(name) needs a value")
                }
                if inline == nil { index += 1 }
                values[name, default: []].append(value)
            } else {
                throw UsageError("unknown option \(name)")
            }
        }
        // Environment fills what the command line left out.
        for (option, variable) in valued where !variable.isEmpty && values[option] == nil {
            if let value = environment[variable], !value.isEmpty {
                values[option] = option == "--cors-origin" ? value.split(separator: ",").map(String.init) : [value]
            }
        }
        for (option, variable) in flags where !variable.isEmpty && values[option] == nil {
            if let value = environment[variable], ["1", "true", "yes", "on"].contains(value.lowercased()) {
                values[option] = ["true"]
            }
        }
        if values["--database-url"] == nil, let url = environment["DATABASE_URL"], !url.isEmpty {
            values["--database-url"] = [url]
        }
        try configuration.apply(values)
        configuration.command = try command(positional, values)
        try configuration.validate()
        return configuration
    }

    private static func command(_ positional: [String], _ values: [String: [String]]) throws(UsageError) -> Command {
        if values["--version"] != nil { return .version }
        if values["--help"] != nil { return .help }
        guard let name = positional.first else { return .help }
        let rest = Array(positional.dropFirst())
        func noArguments() throws(UsageError) {
            if !rest.isEmpty { throw UsageError("'\(name)' takes no arguments (got \(rest.joined(separator: " ")))") }
        }
        switch name {
        case "serve": try noArguments(); return .serve
        case "migrate": try noArguments(); return .migrate(dryRun: values["--dry-run"] != nil)
        case "demo": try noArguments(); return .demo
        case "help": return .help
        case "version": return .version
        case "attach":
            let all = values["--all"] != nil
            if all == !rest.isEmpty { throw UsageError("attach needs table names or --all (not both)") }
            let alias = values["--as"]?.last
            if alias != nil && rest.count != 1 { throw UsageError("--as names one table: attach TABLE --as NAME") }
            return .attach(tables: rest, all: all, name: alias, notify: values["--no-notify"] == nil)
        case "detach":
            if rest.isEmpty { throw UsageError("detach needs table names") }
            return .detach(tables: rest)
        default:
            throw UsageError("unknown command '\(name)'")
        }
    }

    private mutating func apply(_ values: [String: [String]]) throws(UsageError) {
        func last(_ option: String) -> String? { values[option]?.last }
        databaseURL = last("--database-url") ?? databaseURL
        schema = last("--schema") ?? schema
        tokenFile = last("--token-file") ?? tokenFile
        corsOrigins = values["--cors-origin"] ?? corsOrigins
        readOnly = values["--read-only"] != nil
        dataDirectory = last("--data-dir") ?? dataDirectory
        if let listen = last("--listen") { (host, port) = try Self.parseListen(listen) }
        if let text = last("--keep-alive") { keepAlive = try Self.parseDuration(text, option: "--keep-alive") }
        if let text = last("--retention") { retention = try Self.parseDuration(text, option: "--retention") }
        if let text = last("--poll-interval") { pollInterval = try Self.parseDuration(text, option: "--poll-interval") }
        if let text = last("--max-subscribers") { maxSubscribers = try Self.parseCount(text, option: "--max-subscribers") }
        if let text = last("--max-subscriber-buffer") { maxSubscriberBuffer = try Self.parseBytes(text, option: "--max-subscriber-buffer") }
        if let text = last("--max-body") { maxBodySize = try Self.parseBytes(text, option: "--max-body") }
        if let text = last("--retention-rows") { retentionRows = try Self.parseCount(text, option: "--retention-rows") }
        if let text = last("--pool-size") { poolSize = try Self.parseCount(text, option: "--pool-size") }
        if let text = last("--http-threads") { httpThreads = try Self.parseCount(text, option: "--http-threads") }
        if let text = last("--log-level") {
            guard let level = Logger.Level(name: text) else {
                throw UsageError("--log-level must be one of trace, debug, info, notice, warning, error")
            }
            logLevel = level
        }
    }

    private func validate() throws(UsageError) {
        switch command {
        case .serve, .migrate, .attach, .detach:
            if databaseURL == nil {
                throw UsageError("no database: pass --database-url URL or set DATABASE_URL")
            }
        case .demo, .help, .version:
            break
        }
        if poolSize < 1 || poolSize > 200 { throw UsageError("--pool-size must be between 1 and 200") }
        if httpThreads < 1 || httpThreads > 64 { throw UsageError("--http-threads must be between 1 and 64") }
    }

    static func parseListen(_ text: String) throws(UsageError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw UsageError("--listen must be HOST:PORT (got '\(text)')")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty || host == "localhost" { host = "127.0.0.1" }
        return (host, port)
    }

    /// `15`, `15s`, `500ms`, `10m`, `24h`, `7d`.
    static func parseDuration(_ text: String, option: String) throws(UsageError) -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("", 1)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0, number.isFinite {
                return .milliseconds(Int64((number * seconds * 1000).rounded()))
            }
        }
        throw UsageError("\(option) must be a duration such as 15s, 500ms, 10m, 24h (got '\(text)')")
    }

    /// `1048576`, `64k`, `4M`, `1G`.
    static func parseBytes(_ text: String, option: String) throws(UsageError) -> Int {
        let units: [(String, Int)] = [("k", 1 << 10), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Int(text.dropLast(suffix.count)), number > 0, number <= Int.max / scale {
                return number * scale
            }
        }
        throw UsageError("\(option) must be a byte count such as 65536, 64k, 4M (got '\(text)')")
    }

    static func parseCount(_ text: String, option: String) throws(UsageError) -> Int {
        guard let number = Int(text), number >= 0 else {
            throw UsageError("\(option) must be a whole number (got '\(text)')")
        }
        return number
    }
}

@testable import Rocket
import Testing

@Suite("Configuration.parse")
struct ConfigurationTests {
    private let database = ["--database-url", "postgres://localhost/app"]

    private func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws(UsageError) -> Configuration {
        try Configuration.parse(arguments: arguments, environment: environment)
    }

    @Test(arguments: [
        ([], Configuration.Command.help),
        (["help"], .help), (["--help"], .help), (["-h"], .help), (["serve", "--help"], .help),
        (["--version"], .version), (["version"], .version), (["attach", "--version"], .version),
        (["demo"], .demo),
    ])
    func commandsWithoutADatabase(arguments: [String], command: Configuration.Command) throws {
        #expect(try parse(arguments).command == command)
    }

    @Test(arguments: [
        (["serve"], Configuration.Command.serve),
        (["migrate"], .migrate(dryRun: false)),
        (["migrate", "--dry-run"], .migrate(dryRun: true)),
        (["--dry-run", "migrate"], .migrate(dryRun: true)),
        (["attach", "track"], .attach(tables: ["track"], all: false, name: nil, notify: true)),
        (["attach", "track", "app.album"], .attach(tables: ["track", "app.album"], all: false, name: nil, notify: true)),
        (["attach", "--all"], .attach(tables: [], all: true, name: nil, notify: true)),
        (["attach", "track", "--as", "tracks"], .attach(tables: ["track"], all: false, name: "tracks", notify: true)),
        (["attach", "--as=my tracks", "track"], .attach(tables: ["track"], all: false, name: "my tracks", notify: true)),
        (["attach", "items", "--no-notify"], .attach(tables: ["items"], all: false, name: nil, notify: false)),
        (["detach", "track", "album"], .detach(tables: ["track", "album"])),
    ])
    func commandsWithADatabase(arguments: [String], command: Configuration.Command) throws {
        let configuration = try parse(arguments + database)
        #expect(configuration.command == command)
        #expect(configuration.databaseURL == "postgres://localhost/app")
    }

    @Test func defaults() throws {
        let configuration = try parse(["serve"] + database)
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8080)
        #expect(configuration.schema == "public")
        #expect(!configuration.readOnly)
        #expect(configuration.corsOrigins.isEmpty && configuration.tokenFile == nil)
        #expect(configuration.keepAlive == .seconds(15))
    }

    @Test func everyOptionSpaceAndEqualsForms() throws {
        for form in ["space", "equals"] {
            func option(_ name: String, _ value: String) -> [String] {
                form == "space" ? [name, value] : ["\(name)=\(value)"]
            }
            let configuration = try parse(
                ["serve"] + option("--database-url", "postgres://h/db?x=1") + option("--listen", "0.0.0.0:9000")
                + option("--schema", "app") + option("--token-file", "/etc/tokens") + ["--read-only"]
                + option("--cors-origin", "https://a.example") + option("--cors-origin", "https://b.example")
                + option("--keep-alive", "30s") + option("--max-subscribers", "100")
                + option("--max-subscriber-buffer", "64k") + option("--max-body", "4M")
                + option("--retention", "7d") + option("--retention-rows", "1000")
                + option("--pool-size", "4") + option("--http-threads", "2") + option("--log-level", "debug")
                + option("--data-dir", "/tmp/r") + option("--poll-interval", "500ms"))
            #expect(configuration.databaseURL == "postgres://h/db?x=1")
            #expect(configuration.host == "0.0.0.0" && configuration.port == 9000)
            #expect(configuration.schema == "app")
            #expect(configuration.tokenFile == "/etc/tokens")
            #expect(configuration.readOnly)
            #expect(configuration.corsOrigins == ["https://a.example", "https://b.example"])
            #expect(configuration.keepAlive == .seconds(30))
            #expect(configuration.maxSubscribers == 100)
            #expect(configuration.maxSubscriberBuffer == 65536)
            #expect(configuration.maxBodySize == 4 * 1024 * 1024)
            #expect(configuration.retention == .seconds(7 * 86400))
            #expect(configuration.retentionRows == 1000)
            #expect(configuration.poolSize == 4 && configuration.httpThreads == 2)
            #expect(configuration.logLevel == .debug)
            #expect(configuration.dataDirectory == "/tmp/r")
            #expect(configuration.pollInterval == .milliseconds(500))
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("0.0.0.0:1", "0.0.0.0", 1), (":8081", "127.0.0.1", 8081),
        ("localhost:80", "127.0.0.1", 80), ("[::1]:9000", "::1", 9000), ("[::]:0", "::", 0),
    ])
    func listen(text: String, host: String, port: Int) throws {
        let configuration = try parse(["demo", "--listen", text])
        #expect(configuration.host == host && configuration.port == port)
    }

    @Test func environmentFillsTheGaps() throws {
        let configuration = try parse(["serve"], [
            "DATABASE_URL": "postgres://env/db", "ROCKET_LISTEN": "0.0.0.0:7000", "ROCKET_READ_ONLY": "1",
            "ROCKET_CORS_ORIGIN": "https://a.example,https://b.example", "ROCKET_KEEP_ALIVE": "5s",
            "ROCKET_MAX_BODY": "1k", "ROCKET_SCHEMA": "app",
        ])
        #expect(configuration.command == .serve)
        #expect(configuration.databaseURL == "postgres://env/db")
        #expect(configuration.host == "0.0.0.0" && configuration.port == 7000)
        #expect(configuration.readOnly)
        #expect(configuration.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.keepAlive == .seconds(5))
        #expect(configuration.maxBodySize == 1024)
        #expect(configuration.schema == "app")
    }

    @Test func rocketDatabaseURLIsMoreSpecificThanDatabaseURL() throws {
        #expect(try parse(["serve"], ["ROCKET_DATABASE_URL": "rocket"]).databaseURL == "rocket")
        #expect(try parse(["serve"], ["ROCKET_DATABASE_URL": "rocket", "DATABASE_URL": "generic"]).databaseURL == "rocket")
    }

    @Test(arguments: ["1", "true", "TRUE", "yes", "on"])
    func readOnlyFromTheEnvironment(value: String) throws {
        #expect(try parse(["demo"], ["ROCKET_READ_ONLY": value]).readOnly)
    }

    @Test(arguments: ["0", "false", "no", "off", ""])
    func notReadOnlyFromTheEnvironment(value: String) throws {
        #expect(try !parse(["demo"], ["ROCKET_READ_ONLY": value]).readOnly)
    }

    @Test func commandLineWinsOverTheEnvironment() throws {
        let configuration = try parse(
            ["serve", "--database-url", "cli", "--listen", "127.0.0.1:1", "--cors-origin", "https://cli.example",
             "--keep-alive", "1s"],
            ["DATABASE_URL": "generic", "ROCKET_DATABASE_URL": "rocket", "ROCKET_LISTEN": "0.0.0.0:2",
             "ROCKET_CORS_ORIGIN": "https://a.example,https://b.example", "ROCKET_KEEP_ALIVE": "2s"])
        #expect(configuration.databaseURL == "cli")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 1)
        #expect(configuration.corsOrigins == ["https://cli.example"])
        #expect(configuration.keepAlive == .seconds(1))
    }

    // (arguments, a word the message must hold)
    @Test(arguments: [
        (["--bogus"], "--bogus"),
        (["serve", "--listen"], "--listen"),
        (["serve", "--database-url"], "--database-url"),
        (["frobnicate"], "frobnicate"),
        (["attach", "track", "--all"], "--all"),
        (["attach"], "--all"),
        (["attach", "a", "b", "--as", "x"], "--as"),
        (["attach", "--all", "--as", "x"], "--as"),
        (["detach"], "detach"),
        (["serve", "extra"], "extra"),
        (["migrate", "now"], "now"),
        (["serve", "--keep-alive", "soon"], "--keep-alive"),
        (["serve", "--retention", "-1d"], "--retention"),
        (["serve", "--poll-interval", "1w"], "--poll-interval"),
        (["serve", "--max-body", "lots"], "--max-body"),
        (["serve", "--max-subscriber-buffer", "0"], "--max-subscriber-buffer"),
        (["serve", "--listen", "localhost"], "--listen"),
        (["serve", "--listen", "127.0.0.1:65536"], "--listen"),
        (["serve", "--listen", "127.0.0.1:-1"], "--listen"),
        (["serve", "--listen", "127.0.0.1:http"], "--listen"),
        (["serve", "--pool-size", "0"], "--pool-size"),
        (["serve", "--pool-size", "many"], "--pool-size"),
        (["serve", "--http-threads", "65"], "--http-threads"),
        (["serve", "--log-level", "loud"], "--log-level"),
        (["serve", "--read-only=yes"], "--read-only"),
    ])
    func usageErrors(arguments: [String], word: String) {
        let error = #expect(throws: UsageError.self) { try parse(database + arguments) }
        #expect(error?.message.contains(word) == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["serve", "migrate", "attach", "detach"])
    func databaseCommandsNeedADatabase(command: String) {
        let arguments = command == "attach" ? [command, "--all"] : command == "detach" ? [command, "t"] : [command]
        let error = #expect(throws: UsageError.self) { try parse(arguments, ["DATABASE_URL": ""]) }
        #expect(error?.message.contains("--database-url") == true)
    }

    @Test func badEnvironmentValuesAreUsageErrors() {
        #expect(throws: UsageError.self) { try parse(["serve"] + database, ["ROCKET_KEEP_ALIVE": "soon"]) }
        #expect(throws: UsageError.self) { try parse(["serve"] + database, ["ROCKET_LISTEN": "nowhere"]) }
    }
}

import Foundation

/// Everything Rocket is told, validated before anything connects.
/// Precedence: command line > environment (`ROCKET_` + option name in upper
/// snake case; `DATABASE_URL` also accepted) > defaults.
public struct Configuration: Sendable {
    public enum Command: Sendable, Equatable {
        case serve
        case migrate(dryRun: Bool)
        case attach(tables: [String], all: Bool, name: String?, notify: Bool)
        case detach(tables: [String])
        case demo
        case help
        case version
    }

    public var command: Command = .help
    public var databaseURL: String?
    public var host = "127.0.0.1"
    public var port = 8080
    public var schema = "public"
    public var readOnly = false
    public var tokenFile: String?
    public var corsOrigins: [String] = []
    public var keepAlive: Duration = .seconds(15)
    public var maxSubscribers = 15_000
    public var maxSubscriberBuffer = 4 << 20
    public var maxBodySize = 1 << 20
    public var retention: Duration = .seconds(24 * 3600)
    public var retentionRows = 5_000_000
    public var poolSize = 8
    /// Event-loop threads: one per core (up to 4) spreads the fan-out's writes.
    public var httpThreads = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4)
    public var logLevel: Logger.Level = .info
    public var dataDirectory = ".rocket"
    /// How often the listener ticks even without a notification (a safety
    /// net; notifications normally wake it at once).
    public var pollInterval: Duration = .seconds(1)

    public init() {}

    public static let version = "0.1.0"
}

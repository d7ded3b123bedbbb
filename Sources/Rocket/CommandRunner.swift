import Foundation
import Postgres

/// Runs a parsed command; returns the exit status (0 ok, 1 runtime failure).
public enum Main {
    public static func run(_ configuration: Configuration) -> Int32 {
        let logger = Logger(label: "rocket", level: configuration.logLevel)
        do {
            switch configuration.command {
            case .help:
                print(Configuration.usage)
                return 0
            case .version:
                print("rocket \(Configuration.version)")
                return 0
            case .migrate(let dryRun):
                return try Commands.migrate(configuration, dryRun: dryRun, logger: logger)
            case .attach(let tables, let all, let name, let notify):
                return try Commands.attach(configuration, tables: tables, all: all, name: name, notify: notify,
                                           logger: logger)
            case .detach(let tables):
                return try Commands.detach(configuration, tables: tables, logger: logger)
            case .serve:
                try Application(configuration: configuration, logger: logger).run()
                return 0
            case .demo:
                try Demo(configuration: configuration, logger: logger).run()
                return 0
            }
        } catch let error as PostgresError {
            var message = "rocket: \(error.message)"
            if let hint = error.hint { message += "\nhint: \(hint)" }
            if error.code == .connectionFailed { message = "rocket: cannot connect to the database: \(error.message)" }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("rocket: \(error)\n".utf8))
            return 1
        }
    }
}

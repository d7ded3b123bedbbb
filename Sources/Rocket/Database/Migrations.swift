import Foundation
import Postgres

/// The SQL files in `migrations/` (shipped as resources), in order.
struct Migration: Sendable, Equatable {
    var version: Int
    var name: String
    var sql: String
}

struct MigrationError: Error, CustomStringConvertible {
    let description: String
}

enum Migrations {
    /// Loads `NNNN_name.sql` files. `ROCKET_MIGRATIONS_DIR` overrides where.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [Migration] {
        let directory = try locate(environment: environment)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        var migrations: [Migration] = []
        for file in names {
            guard let version = Int(file.prefix(while: \.isNumber)), file.prefix(while: \.isNumber).count == 4 else {
                throw MigrationError(description: "migration file '\(file)' is not named NNNN_what.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw MigrationError(description: "migrations must be numbered 0001, 0002, … without gaps; found \(migration.name)")
        }
        return migrations
    }

    private static func locate(environment: [String: String]) throws -> URL {
        var candidates: [URL] = []
        if let custom = environment["ROCKET_MIGRATIONS_DIR"] { candidates.append(URL(fileURLWithPath: custom)) }
        let executable = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
        for base in [executable, Bundle.main.bundleURL].compactMap({ $0 }) {
            candidates.append(base.appendingPathComponent("Rocket_Rocket.resources/Resources/migrations"))
            candidates.append(base.appendingPathComponent("Rocket_Rocket.resources/migrations"))
            candidates.append(base.appendingPathComponent("../share/rocket/migrations"))
        }
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
        }
        throw MigrationError(description: "cannot find Rocket's migrations (looked in \(candidates.map(\.path).joined(separator: ", "))); set ROCKET_MIGRATIONS_DIR")
    }
}

/// Applies pending migrations in one transaction, recorded in
/// `rocket.migrations`, after checking that what the database has applied
/// is a prefix of what this Rocket knows.
struct Migrator {
    let migrations: [Migration]
    let logger: Logger

    struct Status {
        var applied: [String]
        var pending: [Migration]
    }

    private static let lockKey = "7206332615"

    func status(on connection: PostgresConnection) throws -> Status {
        let exists = try connection.query("SELECT to_regclass('rocket.migrations') IS NOT NULL")
        guard exists[0, 0] == "t" else { return Status(applied: [], pending: migrations) }
        return try readStatus(on: connection)
    }

    private func readStatus(on connection: PostgresConnection) throws -> Status {
        let rows = try connection.query("SELECT version, name FROM rocket.migrations ORDER BY version")
        var applied: [String] = []
        for row in 0..<rows.rowCount {
            let name = rows[row, 1] ?? ""
            guard row < migrations.count, migrations[row].name == name, Int(rows[row, 0] ?? "") == migrations[row].version else {
                throw MigrationError(description: "the database has migration '\(name)' which this Rocket does not know at that place; is it newer than this build?")
            }
            applied.append(name)
        }
        return Status(applied: applied, pending: Array(migrations.dropFirst(applied.count)))
    }

    /// Returns the names of the migrations it applied.
    @discardableResult
    func migrate(on connection: PostgresConnection) throws -> [String] {
        try connection.transaction { connection in
            _ = try connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try connection.execute("""
                CREATE SCHEMA IF NOT EXISTS rocket;
                CREATE TABLE IF NOT EXISTS rocket.migrations (
                    version int PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let status = try readStatus(on: connection)
            for migration in status.pending {
                logger.info("migration.apply", ["migration": migration.name])
                try connection.execute(migration.sql)
                _ = try connection.query("INSERT INTO rocket.migrations (version, name) VALUES ($1, $2)",
                                         [String(migration.version), migration.name])
            }
            return status.pending.map(\.name)
        }
    }
}

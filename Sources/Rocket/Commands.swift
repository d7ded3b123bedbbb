import Foundation
import Postgres

/// The non-serving commands: migrate, attach, detach.
public enum Commands {
    public static func migrate(_ configuration: Configuration, dryRun: Bool, logger: Logger) throws -> Int32 {
        let connection = try connect(configuration)
        defer { connection.close() }
        let migrator = Migrator(migrations: try Migrations.load(), logger: logger)
        if dryRun {
            let status = try migrator.status(on: connection)
            for migration in status.pending { print("pending: \(migration.name)") }
            if status.pending.isEmpty { print("up to date (\(status.applied.count) applied)") }
            return status.pending.isEmpty ? 0 : 2
        }
        let applied = try migrator.migrate(on: connection)
        print(applied.isEmpty ? "up to date" : "applied: \(applied.joined(separator: ", "))")
        return 0
    }

    public static func attach(_ configuration: Configuration, tables: [String], all: Bool, name: String?,
                              notify: Bool = true, logger: Logger) throws -> Int32 {
        let connection = try connect(configuration)
        defer { connection.close() }
        var targets = tables
        if all {
            let rows = try connection.query("""
                SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname
                """, [configuration.schema])
            targets = (0..<rows.rowCount).compactMap { rows[row: $0, column: 0] }
            if targets.isEmpty { print("no tables in schema \(configuration.schema)") }
        }
        for table in targets {
            let target = try qualify(table, configuration: configuration)
            let rows = try connection.query("SELECT rocket.attach($1::regclass, $2, $3, $4)",
                                            [target, name, configuration.schema, notify ? "true" : "false"])
            print("attached \(table) as /\(rows[row: 0, column: 0] ?? table)")
        }
        return 0
    }

    public static func detach(_ configuration: Configuration, tables: [String], logger: Logger) throws -> Int32 {
        let connection = try connect(configuration)
        defer { connection.close() }
        for table in tables {
            let rows = try connection.query("SELECT rocket.detach($1::regclass)", [try qualify(table, configuration: configuration)])
            print(rows[row: 0, column: 0] == "t" ? "detached \(table)" : "\(table) was not attached")
        }
        return 0
    }

    /// A table name as typed (`track`, `"Order Items"`, `sales.orders`)
    /// becomes a regclass text; a bare name is looked up in `--schema`.
    static func qualify(_ table: String, configuration: Configuration) throws -> String {
        if table.contains(".") || table.hasPrefix("\"") { return table }
        return PostgresIdentifier.quoteQualified(schema: configuration.schema, name: table)
    }

    static func connect(_ configuration: Configuration) throws -> PostgresConnection {
        guard let url = configuration.databaseURL else { throw UsageError("no database: pass --database-url URL or set DATABASE_URL") }
        return try Database(url: url).connect(applicationName: "rocket-cli")
    }
}

import Foundation

/// A private PostgreSQL owned by Rocket: initdb into a local folder on the
/// first run (as the `postgres` user when run as root, since PostgreSQL
/// refuses root), started on a Unix socket only, reused on later runs,
/// stopped on exit.
struct EmbeddedPostgres {
    let dataDirectory: URL
    let socketDirectory: URL
    let port = 54329
    let binDirectory: URL
    let logger: Logger
    private let asPostgres: Bool

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(root: String, logger: Logger) throws {
        let base = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
        self.logger = logger
        self.asPostgres = getuid() == 0
        self.binDirectory = try Self.findBinaries()
        var data = base.appendingPathComponent("pgdata")
        if asPostgres && !Self.postgresCanReach(base) {
            // A folder under /root (or another private place) is out of the
            // postgres user's reach: keep the data in a shared place instead.
            data = URL(fileURLWithPath: "/var/tmp/rocket-demo/pgdata")
            logger.notice("demo.data-dir", ["reason": "\(base.path) is not reachable by the postgres user", "using": data.path])
        }
        self.dataDirectory = data
        let socket = data.deletingLastPathComponent().appendingPathComponent("run")
        self.socketDirectory = socket.path.utf8.count < 90 ? socket : URL(fileURLWithPath: "/tmp/rocket-demo-\(getuid())")
    }

    var url: String { url(database: "postgres") }

    func url(database: String) -> String {
        "postgresql://postgres@/\(database)?host=\(socketDirectory.path)&port=\(port)"
    }

    func start() throws {
        let files = FileManager.default
        try files.createDirectory(at: dataDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try files.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        if asPostgres {
            try run("/bin/chown", ["postgres:", dataDirectory.deletingLastPathComponent().path, socketDirectory.path])
        }
        if !files.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("demo.initdb", ["data": dataDirectory.path])
            try files.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            if asPostgres { try run("/bin/chown", ["postgres:", dataDirectory.path]) }
            try pg("initdb", ["-D", dataDirectory.path, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        }
        if (try? pg("pg_ctl", ["-D", dataDirectory.path, "status"])) != nil {
            logger.info("demo.postgres-running", ["data": dataDirectory.path])
            return
        }
        logger.info("demo.postgres-start", ["socket": socketDirectory.path, "port": "\(port)"])
        try pg("pg_ctl", ["-D", dataDirectory.path, "-l", dataDirectory.deletingLastPathComponent().appendingPathComponent("postgres.log").path,
                          "-w", "-t", "60", "-o", "-k \(socketDirectory.path) -p \(port) -c listen_addresses='' -c timezone=UTC", "start"])
    }

    func stop() {
        logger.info("demo.postgres-stop")
        _ = try? pg("pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
    }

    /// Runs psql on a SQL file (the Chinook script uses psql's `\c`).
    func psql(file: String, database: String) throws {
        try run(binDirectory.appendingPathComponent("psql").path,
                ["-q", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-f", file], quiet: true)
    }

    @discardableResult
    private func pg(_ tool: String, _ arguments: [String]) throws -> String {
        let path = binDirectory.appendingPathComponent(tool).path
        if asPostgres { return try run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) }
        return try run(path, arguments)
    }

    @discardableResult
    private func run(_ executable: String, _ arguments: [String], quiet: Bool = false) throws -> String {
        let (status, text) = try Subprocess.run(executable, arguments)
        guard status == 0 else {
            throw Failure(description: "\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.first ?? "") failed: \(text.suffix(2000))")
        }
        return text
    }

    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        throw Failure(description: "no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)")
    }

    private static func postgresCanReach(_ directory: URL) -> Bool {
        var path = directory
        while path.path != "/" {
            if FileManager.default.fileExists(atPath: path.path) {
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path.path),
                      let mode = attributes[.posixPermissions] as? Int else { return false }
                if mode & 0o001 == 0 { return false }
            }
            path = path.deletingLastPathComponent()
        }
        return true
    }
}

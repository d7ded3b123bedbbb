import Postgres

/// Opens Rocket's connections, all with the session settings that the
/// capture functions pin, so a document read prints values exactly as the
/// triggers captured them.
struct Database: Sendable {
    let url: String

    static let sessionSettings = """
        SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';
        SET extra_float_digits = 1; SET bytea_output = 'hex'; SET client_min_messages = warning
        """

    func connect(applicationName: String = "rocket") throws(PostgresError) -> PostgresConnection {
        let connection = try PostgresConnection(url: url, applicationName: applicationName)
        try connection.execute(Self.sessionSettings)
        return connection
    }
}

extension PostgresError {
    /// SQLSTATE codes this project branches on (see PostgreSQL's "Appendix A. Error Codes"),
    /// and helpers for the classes (the first two characters).
    public enum SQLState {
        // Class 08: connection exception.
        public static let connectionException = "08000"
        public static let connectionFailure = "08006"
        // Class 22: data exception.
        public static let dataException = "22000"
        public static let stringDataRightTruncation = "22001"
        public static let numericValueOutOfRange = "22003"
        public static let invalidDatetimeFormat = "22007"
        public static let datetimeFieldOverflow = "22008"
        public static let divisionByZero = "22012"
        public static let characterNotInRepertoire = "22021"
        public static let invalidParameterValue = "22023"
        public static let invalidTextRepresentation = "22P02"
        // Class 23: integrity constraint violation.
        public static let integrityConstraintViolation = "23000"
        public static let notNullViolation = "23502"
        public static let foreignKeyViolation = "23503"
        public static let uniqueViolation = "23505"
        public static let checkViolation = "23514"
        public static let exclusionViolation = "23P01"
        // Class 25: invalid transaction state.
        public static let readOnlySQLTransaction = "25006"
        public static let inFailedSQLTransaction = "25P02"
        // Class 28 / 3D: authorization, catalog.
        public static let invalidPassword = "28P01"
        public static let invalidCatalogName = "3D000"
        // Class 40: transaction rollback.
        public static let serializationFailure = "40001"
        public static let deadlockDetected = "40P01"
        // Class 42: syntax error or access rule violation.
        public static let insufficientPrivilege = "42501"
        public static let syntaxError = "42601"
        public static let invalidName = "42602"
        public static let undefinedColumn = "42703"
        public static let undefinedObject = "42704"
        public static let duplicateObject = "42710"
        public static let undefinedFunction = "42883"
        public static let undefinedTable = "42P01"
        public static let duplicateTable = "42P07"
        public static let invalidSchemaName = "3F000"
        // Class 53 / 55 / 57: resources, object state, operator intervention.
        public static let tooManyConnections = "53300"
        public static let lockNotAvailable = "55P03"
        public static let queryCanceled = "57014"
        public static let adminShutdown = "57P01"
        public static let crashShutdown = "57P02"
        public static let cannotConnectNow = "57P03"

        /// The two-character class of a SQLSTATE ("23" for "23505").
        public static func errorClass(_ sqlState: String?) -> String? {
            guard let sqlState, sqlState.utf8.count == 5 else { return nil }
            return String(sqlState.prefix(2))
        }

        /// Class 22: data exception (bad input syntax, value out of range, …).
        public static func isDataException(_ sqlState: String?) -> Bool {
            errorClass(sqlState) == "22"
        }

        /// Class 23: integrity constraint violation (unique, foreign key, not null, check, …).
        public static func isIntegrityConstraintViolation(_ sqlState: String?) -> Bool {
            errorClass(sqlState) == "23"
        }

        /// Class 08, admin/crash shutdown, cannot connect now, too many connections: a new
        /// connection may succeed later.
        public static func isConnectionProblem(_ sqlState: String?) -> Bool {
            guard let sqlState else { return false }
            switch sqlState {
            case adminShutdown, crashShutdown, cannotConnectNow, tooManyConnections: return true
            default: return errorClass(sqlState) == "08"
            }
        }
    }
}

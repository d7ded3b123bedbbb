import Postgres

extension PostgresResult {
    /// `rows[row, column]`: the text value, nil for NULL.
    subscript(_ row: Int, _ column: Int) -> String? {
        self[row: row, column: column]
    }
}

/// Quoting for the rare SQL that cannot take parameters: identifiers in DDL, LISTEN, and
/// literals where a parameter is not allowed. Prefer `$1` parameters for values.
public enum PostgresIdentifier {
    /// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer ones are truncated.
    public static let maximumLength = 63

    /// Whether `name` can be an identifier as given: not empty, no NUL byte (which PostgreSQL
    /// identifiers cannot contain), at most ``maximumLength`` UTF-8 bytes (longer names would be
    /// silently truncated by the server, so two long names could refer to the same object).
    /// Validate names from outside before passing them to ``quote(_:)``.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= maximumLength && !bytes.contains(0)
    }

    /// `name` as a quoted identifier: wrapped in double quotes with each `"` doubled, so any
    /// name is taken literally and case-sensitively (`Mixed Case`, `a"b`, `select`, `ünï`).
    ///
    /// Does not validate: a NUL byte is kept, and ``PostgresConnection/query(_:_:)`` and
    /// ``PostgresConnection/execute(_:)`` then reject the SQL with
    /// ``PostgresError/Code/invalidArgument`` instead of truncating it. Check ``isValid(_:)`` first.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// `"schema"."name"`, both quoted with ``quote(_:)``.
    public static func quoteQualified(schema: String, name: String) -> String {
        quote(schema) + "." + quote(name)
    }

    /// A string literal, for DDL that cannot take parameters (e.g. `COMMENT ON … IS '…'`).
    /// Single quotes are doubled (`'it''s'`, correct with standard_conforming_strings on, the
    /// default); if the text contains a backslash, the `E'…'` form is used with backslashes
    /// doubled too, which is correct whatever that setting is. NUL is handled as in ``quote(_:)``.
    public static func quoteLiteral(_ s: String) -> String {
        let quoted = s.replacing("'", with: "''")
        guard s.contains("\\") else { return "'" + quoted + "'" }
        return "E'" + quoted.replacing("\\", with: "\\\\") + "'"
    }
}

import Postgres
import Testing

@Suite("PostgresIdentifier: quoting names and literals")
struct PostgresIdentifierTests {
    static let names = ["Mixed Case", "a\"b", "x/y", "t~1", "select", "ünï", "%,", "user", "order", "'; DROP TABLE x; --", "\"\"", " "]

    @Test(arguments: names)
    func quotedNamesWorkAsTablesAndColumns(name: String) throws {
        #expect(PostgresIdentifier.isValid(name))
        try TestDatabase.withSchema { connection, schema in
            let table = PostgresIdentifier.quoteQualified(schema: schema, name: name)
            let column = PostgresIdentifier.quote(name)
            try connection.execute("CREATE TABLE \(table) (\(column) text, id int)")
            _ = try connection.query("INSERT INTO \(table) (\(column), id) VALUES ($1, 1)", [name])
            let result = try connection.query("SELECT \(column) FROM \(table) WHERE id = 1")
            #expect(result.columnNames == [name])
            #expect(result.columnIndex(named: name) == 0)
            #expect(result[row: 0, column: 0] == name)
            let catalog = try connection.query(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND ordinal_position = 1",
                [schema]
            )
            #expect(catalog.rowCount == 1)
            #expect(catalog[row: 0, column: 0] == name)
            #expect(catalog[row: 0, column: 1] == name)
        }
    }

    @Test func quoteFormat() {
        #expect(PostgresIdentifier.quote("abc") == "\"abc\"")
        #expect(PostgresIdentifier.quote("a\"b") == "\"a\"\"b\"")
        #expect(PostgresIdentifier.quoteQualified(schema: "s\"", name: "T") == "\"s\"\"\".\"T\"")
    }

    @Test func validity() {
        #expect(!PostgresIdentifier.isValid(""))
        #expect(!PostgresIdentifier.isValid("a\u{0}b"))
        #expect(PostgresIdentifier.isValid(String(repeating: "x", count: 63)))
        #expect(!PostgresIdentifier.isValid(String(repeating: "x", count: 64)))
        #expect(!PostgresIdentifier.isValid(String(repeating: "ü", count: 32)))  // 64 bytes
    }

    @Test func literalFormat() {
        #expect(PostgresIdentifier.quoteLiteral("it's") == "'it''s'")
        #expect(PostgresIdentifier.quoteLiteral(#"a\b'c"#) == #"E'a\\b''c'"#)
        #expect(PostgresIdentifier.quoteLiteral("") == "''")
    }

    @Test(arguments: ["plain", "it's", #"back\slash"#, #"both \' and \\ '"#, "", "ünï 🚀", "\n\t", "''"])
    func literalsRoundTrip(text: String) throws {
        let connection = try TestDatabase.connect()
        for setting in ["on", "off"] {
            try connection.execute("SET standard_conforming_strings = \(setting)")
            let result = try connection.query("SELECT \(PostgresIdentifier.quoteLiteral(text))")
            #expect(result[row: 0, column: 0] == text, "standard_conforming_strings = \(setting)")
        }
    }

    @Test func nulInAQuotedNameIsRejectedByQuery() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) {
            _ = try connection.query("SELECT 1 AS \(PostgresIdentifier.quote("a\u{0}b"))")
        }
        #expect(error.code == .invalidArgument)
    }
}

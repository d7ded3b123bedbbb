/// An attached table as Rocket serves it.
public struct Resource: Sendable, Hashable {
    public struct Column: Sendable, Hashable {
        public var name: String
        /// `format_type` of the column (`integer`, `text[]`, `numeric(10,2)`).
        public var type: String
        /// PostgreSQL's type category (`N` numeric, `B` boolean, `S` string, …).
        public var category: Character
        public var isArray: Bool
        /// A generated column: computed by PostgreSQL, never written.
        public var isGenerated: Bool

        public init(name: String, type: String, category: Character, isArray: Bool = false, isGenerated: Bool = false) {
            self.name = name
            self.type = type
            self.category = category
            self.isArray = isArray
            self.isGenerated = isGenerated
        }
    }

    public var name: String
    public var relid: UInt32
    public var schema: String
    public var table: String
    public var keyColumns: [String]
    public var columns: [Column]

    public init(name: String, relid: UInt32, schema: String, table: String, keyColumns: [String], columns: [Column]) {
        self.name = name
        self.relid = relid
        self.schema = schema
        self.table = table
        self.keyColumns = keyColumns
        self.columns = columns
    }

    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }
}

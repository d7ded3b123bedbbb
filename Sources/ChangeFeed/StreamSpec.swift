/// What a subscriber follows. Subscribers with equal specs share one
/// encoding of every event.
public struct StreamSpec: Sendable, Hashable {
    public enum PatchMode: String, Sendable, Hashable {
        /// An update replaces the whole row.
        case row
        /// An update is one operation per changed column.
        case field
    }

    public var resource: String
    /// Set for a record stream (`/{resource}/{key}`): the document is that
    /// row, or `null`.
    public var record: String?
    public var filter: RowFilter
    /// Columns kept in rows (key columns always included); nil keeps all.
    public var select: [String]?
    public var patchMode: PatchMode

    public init(
        resource: String, record: String? = nil, filter: RowFilter = RowFilter(),
        select: [String]? = nil, patchMode: PatchMode = .row
    ) {
        self.resource = resource
        self.record = record
        self.filter = filter
        self.select = select
        self.patchMode = patchMode
    }

    /// True when rows pass through as captured, with no parsing.
    var passesRowsThrough: Bool {
        filter.isEmpty && select == nil
    }
}

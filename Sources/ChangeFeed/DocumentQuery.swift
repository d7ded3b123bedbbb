/// A request's query string in PostgREST's grammar, parsed but not yet
/// checked against a table: filters, `select`, `order`, `limit`, `offset`,
/// plus Rocket's `patch` and `since`.
public struct DocumentQuery: Sendable, Hashable {
    public struct Ordering: Sendable, Hashable {
        public var column: String
        public var descending: Bool
        public var nullsFirst: Bool?

        public init(column: String, descending: Bool = false, nullsFirst: Bool? = nil) {
            self.column = column
            self.descending = descending
            self.nullsFirst = nullsFirst
        }
    }

    public var filter = RowFilter()
    public var select: [String]?
    public var order: [Ordering] = []
    public var limit: Int?
    public var offset: Int?
    public var patchMode: StreamSpec.PatchMode = .row
    public var since: String?

    public init() {}

    /// Parses `a=eq.1&select=a,b&order=a.desc`. Keys and values are
    /// percent-decoded (`+` is a space, as in PostgREST).
    public static func parse(_ query: Substring?) throws(QueryError) -> DocumentQuery {
        var result = DocumentQuery()
        guard let query, !query.isEmpty else { return result }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: "=")
            let rawKey = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? ""
            guard let key = PercentDecoding.decode(rawKey, plusAsSpace: true),
                  let value = PercentDecoding.decode(rawValue, plusAsSpace: true) else {
                throw QueryError(parameter: String(rawKey), message: "is not valid percent-encoded UTF-8")
            }
            try result.apply(key: key, value: value)
        }
        return result
    }

    private mutating func apply(key: String, value: String) throws(QueryError) {
        switch key {
        case "select":
            let names = try QuotedList.split(value, parameter: key)
            guard !names.isEmpty, !names.contains("") else {
                throw QueryError(parameter: key, message: "must list column names, e.g. select=id,name")
            }
            select = (select ?? []) + names
        case "order":
            order += try QuotedList.splitKeepingQuotes(value, parameter: key).map { item throws(QueryError) in
                try Self.ordering(item)
            }
        case "limit":
            limit = try Self.count(value, parameter: key)
        case "offset":
            offset = try Self.count(value, parameter: key)
        case "patch":
            guard let mode = StreamSpec.PatchMode(rawValue: value) else {
                throw QueryError(parameter: key, message: "must be 'row' or 'field'")
            }
            patchMode = mode
        case "since":
            since = value
        default:
            let column = try QuotedList.unquoteName(key, parameter: key)
            filter.conditions.append(try Self.condition(column: column, expression: value, parameter: key))
        }
    }

    static func condition(column: String, expression: String, parameter: String) throws(QueryError) -> FilterCondition {
        var rest = Substring(expression)
        var negated = false
        if rest.hasPrefix("not.") {
            negated = true
            rest = rest.dropFirst(4)
        }
        guard let dot = rest.firstIndex(of: ".") else {
            throw QueryError(parameter: parameter, message: "must be OPERATOR.VALUE, e.g. \(parameter)=eq.42")
        }
        let name = String(rest[..<dot])
        let operand = String(rest[rest.index(after: dot)...])
        guard let op = FilterCondition.Operator(rawValue: name) else {
            let known = FilterCondition.Operator.allCases.map(\.rawValue).joined(separator: ", ")
            throw QueryError(parameter: parameter, message: "unknown operator '\(name)' (known: \(known))")
        }
        switch op {
        case .is:
            guard let value = FilterCondition.IsValue(rawValue: operand.lowercased()) else {
                throw QueryError(parameter: parameter, message: "is. takes null, true, false or unknown")
            }
            return FilterCondition(column: column, op: op, negated: negated, isValue: value)
        case .in:
            guard operand.hasPrefix("("), operand.hasSuffix(")"), operand.count >= 2 else {
                throw QueryError(parameter: parameter, message: "in. takes a list in parentheses, e.g. in.(1,2,\"a,b\")")
            }
            let values = try QuotedList.split(String(operand.dropFirst().dropLast()), parameter: parameter)
            return FilterCondition(column: column, op: op, negated: negated, values: values)
        default:
            return FilterCondition(column: column, op: op, negated: negated, values: [operand])
        }
    }

    private static func ordering(_ item: String) throws(QueryError) -> Ordering {
        // The column may be quoted and hold dots; modifiers follow it.
        var name: String
        var modifiers: Substring
        if item.hasPrefix("\"") {
            let (unquoted, rest) = try QuotedList.leadingQuoted(Substring(item), parameter: "order")
            name = unquoted
            modifiers = rest
        } else {
            let parts = item.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            name = String(parts[0])
            modifiers = parts.count > 1 ? "." + parts[1] : ""
        }
        guard !name.isEmpty else { throw QueryError(parameter: "order", message: "has an empty column name") }
        var ordering = Ordering(column: name)
        for modifier in modifiers.split(separator: ".", omittingEmptySubsequences: false).dropFirst() {
            switch modifier {
            case "asc": ordering.descending = false
            case "desc": ordering.descending = true
            case "nullsfirst": ordering.nullsFirst = true
            case "nullslast": ordering.nullsFirst = false
            default:
                throw QueryError(parameter: "order", message: "unknown modifier '\(modifier)' (asc, desc, nullsfirst, nullslast)")
            }
        }
        return ordering
    }

    private static func count(_ value: String, parameter: String) throws(QueryError) -> Int {
        guard let number = Int(value), number >= 0 else {
            throw QueryError(parameter: parameter, message: "must be a whole number ≥ 0")
        }
        return number
    }
}

/// A query parameter that does not parse.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var parameter: String
    public var message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "query parameter '\(parameter)' \(message)" }
}

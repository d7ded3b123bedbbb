public import JSON

/// A conjunction of PostgREST-style conditions (`col=op.value`), evaluated
/// in Rocket on captured rows with SQL's three-valued logic: a comparison
/// with NULL is unknown, and only rows where every condition is true match.
public struct RowFilter: Sendable, Hashable {
    public var conditions: [FilterCondition]

    public init(_ conditions: [FilterCondition] = []) {
        self.conditions = conditions
    }

    public var isEmpty: Bool { conditions.isEmpty }

    public func matches(_ row: JSONObject) -> Bool {
        conditions.allSatisfy { $0.evaluate(row) == true }
    }
}

/// One condition: column, operator, optional `not.`, and its values.
public struct FilterCondition: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case eq, neq, gt, gte, lt, lte, like, ilike, `in`, `is`
    }

    public enum IsValue: String, Sendable, Hashable {
        case null, `true`, `false`, unknown
    }

    /// How values of the column order: as their JSON says, or as dates and
    /// times (where `BC`, years past 9999 and `infinity` need care).
    public enum Ordering: Sendable, Hashable { case natural, temporal }

    public var column: String
    public var op: Operator
    public var negated: Bool
    public var ordering: Ordering = .natural
    /// The values as written (unquoted). One for scalar operators, any
    /// number for `in`, none for `is`.
    public var values: [String]
    public var isValue: IsValue?
    /// The values as the column's `to_json` renders them, filled in by the
    /// application once it has checked them against the column's type.
    /// Stream evaluation compares rows against these.
    public var canonical: [JSONValue]

    public init(column: String, op: Operator, negated: Bool = false, values: [String] = [],
                isValue: IsValue? = nil, canonical: [JSONValue] = []) {
        self.column = column
        self.op = op
        self.negated = negated
        self.values = values
        self.isValue = isValue
        self.canonical = canonical
    }

    // Canonical values are derived from the rest: they do not take part in
    // identity, so equal filters share one subscription group.
    public static func == (a: FilterCondition, b: FilterCondition) -> Bool {
        a.column == b.column && a.op == b.op && a.negated == b.negated
            && a.values == b.values && a.isValue == b.isValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(column)
        hasher.combine(op)
        hasher.combine(negated)
        hasher.combine(values)
        hasher.combine(isValue)
    }

    /// true, false, or nil for SQL's unknown.
    public func evaluate(_ row: JSONObject) -> Bool? {
        let value = row[column] ?? .null
        let result = evaluatePositive(value)
        guard negated else { return result }
        return result.map { !$0 }
    }

    private func evaluatePositive(_ value: JSONValue) -> Bool? {
        if op == .is {
            switch isValue ?? .null {
            case .null: return value.isNull
            case .unknown: return value.isNull
            case .true: return value.boolValue == true
            case .false: return value.boolValue == false
            }
        }
        if op == .in && canonical.isEmpty { return false }
        if value.isNull { return nil }
        switch op {
        case .eq: return canonical.first.map { Self.equal(value, $0) }
        case .neq: return canonical.first.map { !Self.equal(value, $0) }
        case .gt: return compare(value).map { $0 > 0 }
        case .gte: return compare(value).map { $0 >= 0 }
        case .lt: return compare(value).map { $0 < 0 }
        case .lte: return compare(value).map { $0 <= 0 }
        case .like, .ilike:
            guard let text = value.stringValue, let pattern = values.first else { return nil }
            return LikePattern(pattern, caseInsensitive: op == .ilike).matches(text)
        case .in:
            return canonical.contains { Self.equal(value, $0) }
        case .is:
            return nil
        }
    }

    private func compare(_ value: JSONValue) -> Int? {
        guard let other = canonical.first else { return nil }
        if ordering == .temporal, let a = value.stringValue, let b = other.stringValue {
            return TemporalKey(a).compare(TemporalKey(b))
        }
        return Self.order(value, other)
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.stringValue, let y = b.stringValue { return x.utf8.elementsEqual(y.utf8) }
        return a == b
    }

    /// Numbers numerically, strings by code point (PostgreSQL's C collation;
    /// ISO 8601 timestamps pinned to UTC order correctly this way), booleans
    /// false < true.
    static func order(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return x.compare(y)
        case (.number, .string(let y)):
            // NaN and ±Infinity come as strings; PostgreSQL orders
            // -Infinity < numbers < Infinity < NaN.
            return SpecialNumber(y).map { $0.rank > 1 ? -1 : 1 }
        case (.string(let x), .number):
            return SpecialNumber(x).map { $0.rank > 1 ? 1 : -1 }
        case (.string(let x), .string(let y)):
            if x.utf8.elementsEqual(y.utf8) { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        case (.bool(let x), .bool(let y)):
            return x == y ? 0 : (x ? 1 : -1)
        default:
            return nil
        }
    }
}

/// `-Infinity`, `Infinity` and `NaN` as PostgreSQL's numeric and float
/// types order them around the finite numbers (rank 1).
struct SpecialNumber {
    let rank: Int

    init?(_ text: String) {
        switch text {
        case "-Infinity": rank = 0
        case "Infinity": rank = 2
        case "NaN": rank = 3
        default: return nil
        }
    }
}

/// A date or timestamp as `to_json` writes it (`2024-01-15`,
/// `12000-01-01T10:00:00`, `0044-03-15 BC`, `infinity`), made comparable:
/// era and year as a number, then the rest of the text (ISO 8601 with the
/// time zone pinned to UTC orders as text).
struct TemporalKey {
    let infinity: Int
    let year: Int
    let rest: Substring

    init(_ text: String) {
        switch text {
        case "infinity":
            (infinity, year, rest) = (1, 0, "")
        case "-infinity":
            (infinity, year, rest) = (-1, 0, "")
        default:
            let bc = text.hasSuffix(" BC")
            let body = bc ? text.dropLast(3) : Substring(text)
            let digits = body.prefix { $0.isNumber }
            let number = Int(digits) ?? 0
            infinity = 0
            year = bc ? 1 - number : number
            rest = body.dropFirst(digits.count)
        }
    }

    func compare(_ other: TemporalKey) -> Int {
        if infinity != other.infinity { return infinity < other.infinity ? -1 : 1 }
        if year != other.year { return year < other.year ? -1 : 1 }
        if rest.utf8.elementsEqual(other.rest.utf8) { return 0 }
        return rest.utf8.lexicographicallyPrecedes(other.rest.utf8) ? -1 : 1
    }
}

import ChangeFeed
import Testing

@Suite("DocumentQuery.parse")
struct DocumentQueryTests {
    private func parse(_ query: String) throws(QueryError) -> DocumentQuery {
        try DocumentQuery.parse(Substring(query))
    }

    private func only(_ query: String) throws -> FilterCondition {
        let conditions = try parse(query).filter.conditions
        try #require(conditions.count == 1)
        return conditions[0]
    }

    @Test func emptyQueries() throws {
        for query in [nil, ""] as [Substring?] {
            let parsed = try DocumentQuery.parse(query)
            #expect(parsed.filter.isEmpty && parsed.select == nil && parsed.order.isEmpty)
            #expect(parsed.limit == nil && parsed.offset == nil && parsed.patchMode == .row && parsed.since == nil)
        }
        #expect(try parse("&&").filter.isEmpty)
    }

    @Test(arguments: FilterCondition.Operator.allCases.filter { $0 != .is && $0 != .in })
    func everyScalarOperator(op: FilterCondition.Operator) throws {
        #expect(try only("title=\(op.rawValue).a.b%20c") == FilterCondition(column: "title", op: op, values: ["a.b c"]))
        #expect(try only("title=not.\(op.rawValue).x") == FilterCondition(column: "title", op: op, negated: true, values: ["x"]))
    }

    @Test func emptyOperand() throws {
        #expect(try only("a=eq.") == FilterCondition(column: "a", op: .eq, values: [""]))
    }

    @Test func isValues() throws {
        #expect(try only("a=is.null") == FilterCondition(column: "a", op: .is, isValue: .null))
        #expect(try only("a=not.is.true") == FilterCondition(column: "a", op: .is, negated: true, isValue: .true))
        #expect(try only("a=is.FALSE") == FilterCondition(column: "a", op: .is, isValue: .false))
        #expect(try only("a=is.unknown") == FilterCondition(column: "a", op: .is, isValue: .unknown))
    }

    @Test func inLists() throws {
        #expect(try only(#"a=in.("a,b",c,"d\"e")"#).values == ["a,b", "c", #"d"e"#])
        #expect(try only(#"a=in.(%22x%2Cy%22,%5C,"b\\s")"#).values == ["x,y", #"\"#, #"b\s"#])
        #expect(try only("a=in.(1,2,3)") == FilterCondition(column: "a", op: .in, values: ["1", "2", "3"]))
        #expect(try only("a=not.in.()") == FilterCondition(column: "a", op: .in, negated: true, values: []))
        #expect(try only(#"a=in.("",x)"#).values == ["", "x"])
        #expect(try only(#"a=in.("a)b")"#).values == ["a)b"])
    }

    @Test func quotedColumnNames() throws {
        #expect(try only(#""Server Model"=eq.x"#).column == "Server Model")
        #expect(try only("%22Server+Model%22=eq.x").column == "Server Model")
        #expect(try only(#""a.\"b"=eq.1"#).column == #"a."b"#)
        #expect(try only("plain.name=eq.1").column == "plain.name")
    }

    @Test func plusIsASpaceAndEverythingIsPercentDecoded() throws {
        #expect(try only("a=eq.hello+world").values == ["hello world"])
        #expect(try only("a=eq.1%2B1").values == ["1+1"])
        #expect(try only("%61%62=eq.%C3%A9%26%3D").values == ["é&="])
        #expect(try only("%61%62=eq.x").column == "ab")
        #expect(try only("a=%65q.1").op == .eq)
    }

    @Test func severalFiltersInOrder() throws {
        let conditions = try parse("a=eq.1&b=gt.2&a=lt.9").filter.conditions
        #expect(conditions == [
            FilterCondition(column: "a", op: .eq, values: ["1"]),
            FilterCondition(column: "b", op: .gt, values: ["2"]),
            FilterCondition(column: "a", op: .lt, values: ["9"]),
        ])
    }

    @Test func select() throws {
        #expect(try parse("select=id,title").select == ["id", "title"])
        #expect(try parse(#"select=id,"Server Model","a,b""#).select == ["id", "Server Model", "a,b"])
        #expect(try parse("select=id&select=title").select == ["id", "title"])
    }

    @Test func order() throws {
        typealias Ordering = DocumentQuery.Ordering
        #expect(try parse("order=a").order == [Ordering(column: "a")])
        #expect(try parse("order=a.desc,b.nullsfirst,c.asc.nullslast,d.desc.nullsfirst").order == [
            Ordering(column: "a", descending: true),
            Ordering(column: "b", nullsFirst: true),
            Ordering(column: "c", nullsFirst: false),
            Ordering(column: "d", descending: true, nullsFirst: true),
        ])
        #expect(try parse("order=a.desc&order=b").order == [Ordering(column: "a", descending: true), Ordering(column: "b")])
        #expect(try parse(#"order="Server Model""#).order == [Ordering(column: "Server Model")])
    }

    /// Quoted names work in every position (PROTOCOL.md), order included.
    @Test(arguments: [
        (#"order="x.y""#, [DocumentQuery.Ordering(column: "x.y")]),
        (#"order="Server Model".desc"#, [DocumentQuery.Ordering(column: "Server Model", descending: true)]),
        (#"order="x.y".desc.nullslast,b"#,
         [DocumentQuery.Ordering(column: "x.y", descending: true, nullsFirst: false), DocumentQuery.Ordering(column: "b")]),
    ])
    func orderByQuotedNamesWithDotsAndModifiers(query: String, expected: [DocumentQuery.Ordering]) throws {
        #expect(try parse(query).order == expected)
    }

    @Test func limitOffsetPatchSince() throws {
        let parsed = try parse("limit=10&offset=20&patch=field&since=12-34")
        #expect(parsed.limit == 10 && parsed.offset == 20)
        #expect(parsed.patchMode == .field)
        #expect(parsed.since == "12-34")
        #expect(try parse("patch=row").patchMode == .row)
        #expect(try parse("since=now").since == "now")
        #expect(try parse("limit=0").limit == 0)
        #expect(try parse("since=7-10%3A20%3A12%2C15").since == "7-10:20:12,15")
    }

    // (query, the parameter the error names)
    @Test(arguments: [
        ("a=foo.1", "a"), ("a=5", "a"), ("a=", "a"), ("a", "a"), ("a=EQ.1", "a"),
        ("a=not.5", "a"), ("a=is.maybe", "a"), ("a=in.1,2", "a"), ("a=in.(1,2", "a"),
        (#"a=in.("x,y)"#, "a"), (#"a=in.("x"y)"#, "a"), (#"a=in.(x"y)"#, "a"),
        (#""abc=eq.1"#, #""abc"#), (#""a"b=eq.1"#, #""a"b"#),
        ("limit=-1", "limit"), ("limit=x", "limit"), ("limit=", "limit"), ("limit=1.5", "limit"),
        ("offset=-5", "offset"), ("limit=99999999999999999999", "limit"),
        ("a=eq.%zz", "a"), ("a=eq.%E9", "a"), ("a=eq.%4", "a"), ("%zz=eq.1", "%zz"),
        ("select=", "select"), ("select=a,,b", "select"), ("select=a,", "select"), (#"select="a"#, "select"),
        ("order=a.sideways", "order"), ("order=.desc", "order"), ("patch=diff", "patch"),
    ])
    func errorsNameTheParameter(query: String, parameter: String) {
        let error = #expect(throws: QueryError.self) { try parse("ok=eq.1&" + query) }
        #expect(error?.parameter == parameter)
        #expect(error?.description.contains(parameter) == true)
    }
}

import ChangeFeed
import JSON
import Testing

@Suite("like and ilike")
struct LikePatternTests {
    private func like(_ text: String, _ pattern: String, caseInsensitive: Bool = false) -> Bool? {
        FilterCondition(column: "x", op: caseInsensitive ? .ilike : .like, values: [pattern]).evaluate(["x": .string(text)])
    }

    @Test(arguments: [
        ("abc", "abc", true), ("abc", "ab", false), ("abc", "abcd", false), ("", "", true), ("a", "", false),
        ("abc", "%", true), ("", "%", true), ("abc", "a%", true), ("abc", "%c", true), ("abc", "%b%", true),
        ("abc", "%d%", false), ("abc", "a_c", true), ("ac", "a_c", false), ("abbc", "a_c", false),
        ("abc", "___", true), ("abc", "____", false), ("abc", "a*c", true), ("abc", "*b*", true),
        ("aXbXc", "a%b%c", true), ("ab", "a%b%c", false), ("mississippi", "%issip%", true),
        ("mississippi", "m%ss%pi", true), ("mississippi", "m%ss%pix", false),
        ("100%", "100\\%", true), ("1000", "100\\%", false), ("a_c", "a\\_c", true), ("abc", "a\\_c", false),
        ("a*c", "a\\*c", true), ("abc", "a\\*c", false), ("a\\c", "a\\\\c", true), ("abc", "a\\bc", true),
        ("größe", "gr__e", true), ("größe", "%ö%", true), ("日本語", "日_語", true), ("日本語", "%語", true),
        ("😀x", "_x", true), ("Abc", "abc", false),
    ])
    func like(text: String, pattern: String, matches: Bool) {
        #expect(like(text, pattern) == matches)
    }

    @Test(arguments: [
        ("Abc", "abc", true), ("ABC", "a%", true), ("ÉCOLE", "école", true), ("Straße", "STRASSE", false),
        ("GRÖSSE", "gr%sse", true), ("abc", "A_C", true), ("abd", "A_C", false),
    ])
    func ilike(text: String, pattern: String, matches: Bool) {
        #expect(like(text, pattern, caseInsensitive: true) == matches)
    }

    @Test func notLike() {
        let filter = FilterCondition(column: "x", op: .like, negated: true, values: ["a%"])
        #expect(filter.evaluate(["x": "abc"]) == false)
        #expect(filter.evaluate(["x": "bcd"]) == true)
    }

    /// PostgreSQL's `_` is one character (code point): CR LF is two, and so
    /// is "e" followed by a combining accent.
    @Test func underscoreIsOneCodePoint() {
        #expect(like("a\r\nb", "a__b") == true)
        #expect(like("e\u{301}", "__") == true)
        #expect(like("e\u{301}", "_") == false)
        #expect(like("caf\u{E9}", "cafe\u{301}") == false)
    }
}

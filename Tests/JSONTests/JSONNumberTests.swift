import JSON
import Testing

@Suite("JSONNumber")
struct JSONNumberTests {
    @Test(arguments: [
        "9007199254740993",
        "123456789012345678901234567890.123456789",
        "-0",
        "1e400",
        "-1.5E-7",
        "0.000000000000000000000000000001",
        "1E+2",
        "1e-05",
    ])
    func literalTextSurvivesRoundTrip(_ text: String) throws {
        let number = try #require(JSONNumber(text))
        #expect(number.text == text)
        #expect(number.description == text)
        let value = try JSONValue(parsing: text)
        #expect(value.jsonText == text)
        let wrapped = try JSONValue(parsing: "[\(text),{\"n\":\(text)}]")
        #expect(wrapped.jsonText == "[\(text),{\"n\":\(text)}]")
    }

    @Test(arguments: ["01", "+1", ".5", "1.", "1e", "1e+", "-", "--1", "1.e5", "0x10", "NaN", "Infinity", "", " 1", "1 ", "1.5.5", "-01", "00"])
    func invalidLiteralsAreRejected(_ text: String) {
        #expect(JSONNumber(text) == nil)
    }

    @Test(arguments: [
        ("1", "1.0"), ("1", "1e0"), ("1", "10e-1"), ("100", "1e2"), ("100", "1.00E+2"),
        ("0", "-0"), ("0", "0e10"), ("0", "-0.000e-5"), ("0.5", "5e-1"), ("-12.5", "-125e-1"),
        ("123456789012345678901234567890", "1.2345678901234567890123456789e29"),
    ])
    func numericallyEqualNumbersAreEqual(_ a: String, _ b: String) throws {
        let x = try #require(JSONNumber(a))
        let y = try #require(JSONNumber(b))
        #expect(x == y)
        #expect(x.hashValue == y.hashValue)
        #expect(x.compare(y) == 0)
        #expect(JSONValue.number(x) == JSONValue.number(y))
    }

    @Test func exactValuesAreNotRoundedThroughDouble() throws {
        let a = try #require(JSONNumber("9007199254740993"))
        let b = try #require(JSONNumber("9007199254740992"))
        #expect(a != b)
        #expect(a.compare(b) == 1)
        let c = try #require(JSONNumber("0.1000000000000000000000001"))
        let d = try #require(JSONNumber("0.1"))
        #expect(c != d)
        #expect(d < c)
    }

    @Test func compareOrdersNumbers() throws {
        let ascending = ["-1e400", "-1e3", "-100.5", "-100", "-1", "-0.5", "-1e-7", "0", "1e-7", "0.5", "1", "1.5", "9.99", "10", "1e2", "100.000001", "9007199254740993", "1e400"]
        let numbers = try ascending.map { try #require(JSONNumber($0)) }
        for i in numbers.indices {
            for j in numbers.indices {
                let expected = i < j ? -1 : (i == j ? 0 : 1)
                #expect(numbers[i].compare(numbers[j]) == expected, "\(numbers[i]) vs \(numbers[j])")
            }
        }
        #expect(numbers.shuffled().sorted() == numbers)
    }

    @Test func intValueIsExact() throws {
        func int(_ text: String) throws -> Int? { try #require(JSONNumber(text)).intValue }
        #expect(try int("42") == 42)
        #expect(try int("-7") == -7)
        #expect(try int("-0") == 0)
        #expect(try int("4.2e1") == 42)
        #expect(try int("100e-2") == 1)
        #expect(try int("3.0") == 3)
        #expect(try int("1e18") == 1_000_000_000_000_000_000)
        #expect(try int("9223372036854775807") == Int.max)
        #expect(try int("-9223372036854775808") == Int.min)
        #expect(try int("9223372036854775808") == nil)
        #expect(try int("1.5") == nil)
        #expect(try int("1e400") == nil)
        #expect(try int("1e-400") == nil)
        #expect(JSONNumber(12345).text == "12345")
        #expect(JSONNumber(-3).intValue == -3)
    }

    @Test func doubles() throws {
        #expect(JSONNumber(0.5)?.text == "0.5")
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(Double.nan) == nil)
        #expect(try #require(JSONNumber("2.5e3")).doubleValue == 2500)
        #expect(try #require(JSONNumber(0.1)).doubleValue == 0.1)
    }
}

@testable import Rocket
import Testing

@Suite("Configuration values")
struct ConfigurationValueTests {
    @Test(arguments: [
        ("15s", Duration.seconds(15)), ("15", .seconds(15)), ("500ms", .milliseconds(500)), ("10m", .seconds(600)),
        ("24h", .seconds(86400)), ("7d", .seconds(604_800)), ("0", .zero), ("0s", .zero), ("1.5s", .milliseconds(1500)),
        ("250ms", .milliseconds(250)), ("1ms", .milliseconds(1)), ("90m", .seconds(5400)),
    ])
    func durations(text: String, duration: Duration) throws {
        #expect(try Configuration.parseDuration(text, option: "--keep-alive") == duration)
    }

    /// Whole milliseconds go through a Double (`n * 0.001 * 1000`), and
    /// truncating the product loses one for some values.
    @Test(arguments: ["4007ms", "8001ms", "4095ms"])
    func wholeMillisecondsAreExact(text: String) throws {
        let expected = Duration.milliseconds(try #require(Int64(text.dropLast(2))))
        #expect(try Configuration.parseDuration(text, option: "--poll-interval") == expected)
    }

    @Test(arguments: ["", "s", "ms", "-1s", "-5", "10x", "1.5.2s", "s15", "15 s", "nan", "infs", "1w"])
    func badDurations(text: String) {
        let error = #expect(throws: UsageError.self) { try Configuration.parseDuration(text, option: "--retention") }
        #expect(error?.message.contains("--retention") == true)
    }

    @Test(arguments: [
        ("64k", 65536), ("64K", 65536), ("4M", 4_194_304), ("1G", 1_073_741_824), ("1048576", 1_048_576), ("1", 1),
    ])
    func bytes(text: String, count: Int) throws {
        #expect(try Configuration.parseBytes(text, option: "--max-body") == count)
    }

    @Test(arguments: ["", "0", "-1", "k", "1T", "1.5M", "1 M", "64kb", "99999999999999999G"])
    func badBytes(text: String) {
        let error = #expect(throws: UsageError.self) { try Configuration.parseBytes(text, option: "--max-body") }
        #expect(error?.message.contains("--max-body") == true)
    }
}

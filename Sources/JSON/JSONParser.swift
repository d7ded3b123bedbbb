/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Iterative (an explicit stack of open containers), so deep input can never
/// overflow the call stack; nesting beyond ``JSONValue/maximumDepth`` is an
/// error. Strings without escapes are built directly from the input bytes.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    static func parse(_ input: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        var parser = JSONParser(input)
        return try parser.parseDocument()
    }

    private mutating func parseDocument() throws(JSONError) -> JSONValue {
        // Open containers, innermost last. `isObject[i]` tells which stack
        // (`arrays` or `objects` + `keys`) holds container i.
        var isObject: [Bool] = []
        var arrays: [[JSONValue]] = []
        var objects: [[JSONObject.Slot]] = []
        var keys: [String] = []
        var afterComma = false

        parseValue: while true {
            skipWhitespace()
            guard position < input.count else { throw JSONError.unexpectedEnd.at(position) }
            var value: JSONValue
            switch input[position] {
            case UInt8(ascii: "{"):
                guard isObject.count < JSONValue.maximumDepth else { throw JSONError.depthLimitExceeded.at(position) }
                position += 1
                skipWhitespace()
                if position < input.count, input[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    keys.append(try parseKey(afterComma: false))
                    isObject.append(true)
                    objects.append([])
                    afterComma = false
                    continue parseValue
                }
            case UInt8(ascii: "["):
                guard isObject.count < JSONValue.maximumDepth else { throw JSONError.depthLimitExceeded.at(position) }
                position += 1
                skipWhitespace()
                if position < input.count, input[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    isObject.append(false)
                    arrays.append([])
                    afterComma = false
                    continue parseValue
                }
            case UInt8(ascii: "\""):
                position += 1
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let end = try JSONNumber.scan(input, from: position)
                let text = String(decoding: UnsafeBufferPointer(rebasing: input[position..<end]), as: UTF8.self)
                position = end
                value = .number(JSONNumber(validated: text))
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                throw (afterComma ? JSONError.trailingComma : JSONError.unexpectedCharacter).at(position)
            default:
                throw JSONError.unexpectedCharacter.at(position)
            }

            // A value is complete: add it to the enclosing containers, closing
            // as many as end here.
            while let inObject = isObject.last {
                skipWhitespace()
                guard position < input.count else { throw JSONError.unexpectedEnd.at(position) }
                let byte = input[position]
                position += 1
                if inObject {
                    objects[objects.count - 1].append(JSONObject.Slot(key: keys.removeLast(), value: value, isLive: true))
                    if byte == UInt8(ascii: ",") {
                        keys.append(try parseKey(afterComma: true))
                        afterComma = false
                        continue parseValue
                    }
                    guard byte == UInt8(ascii: "}") else { throw JSONError.unexpectedCharacter.at(position - 1) }
                    value = .object(JSONObject(parsedSlots: objects.removeLast()))
                } else {
                    arrays[arrays.count - 1].append(value)
                    if byte == UInt8(ascii: ",") {
                        afterComma = true
                        continue parseValue
                    }
                    guard byte == UInt8(ascii: "]") else { throw JSONError.unexpectedCharacter.at(position - 1) }
                    value = .array(arrays.removeLast())
                }
                isObject.removeLast()
            }

            skipWhitespace()
            guard position == input.count else { throw JSONError.trailingData.at(position) }
            return value
        }
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Parses `"key"` and the following `:`; `position` is at the opening quote
    /// (after optional whitespace).
    private mutating func parseKey(afterComma: Bool) throws(JSONError) -> String {
        skipWhitespace()
        guard position < input.count else { throw JSONError.unexpectedEnd.at(position) }
        guard input[position] == UInt8(ascii: "\"") else {
            let trailing = afterComma && input[position] == UInt8(ascii: "}")
            throw (trailing ? JSONError.trailingComma : JSONError.unexpectedCharacter).at(position)
        }
        position += 1
        let key = try parseString()
        skipWhitespace()
        guard position < input.count else { throw JSONError.unexpectedEnd.at(position) }
        guard input[position] == UInt8(ascii: ":") else { throw JSONError.unexpectedCharacter.at(position) }
        position += 1
        return key
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for offset in 0..<count {
            guard position < input.count else { throw JSONError.unexpectedEnd.at(position) }
            guard input[position] == start[offset] else { throw JSONError.unexpectedCharacter.at(position) }
            position += 1
        }
    }
}

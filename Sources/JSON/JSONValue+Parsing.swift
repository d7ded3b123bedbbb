extension JSONValue {
    /// Parses JSON text (strict RFC 8259: exactly one value with optional
    /// surrounding whitespace; nesting limited to ``maximumDepth``).
    public init(parsing text: String) throws(JSONError) {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONError) -> JSONValue in try JSONParser.parse(buffer) }
        }
        self = try result.get()
    }

    /// Parses JSON from UTF-8 bytes (`[UInt8]`, `ArraySlice<UInt8>`,
    /// `UnsafeRawBufferPointer`, …). Error offsets are relative to the first byte.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONError) {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) -> JSONValue in try JSONParser.parse(buffer) }
        }
        if let contiguous {
            self = try contiguous.get()
        } else {
            let array = Array(bytes)
            let result = array.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONError) -> JSONValue in try JSONParser.parse(buffer) }
            }
            self = try result.get()
        }
    }
}

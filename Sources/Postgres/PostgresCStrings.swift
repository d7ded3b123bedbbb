/// NUL-terminated copies of Swift strings for libpq's `const char * const *` arguments (internal).
enum PostgresCStrings {
    /// Calls `body` with one C string per element (nil stays nil) followed by a nil terminator,
    /// freeing the copies afterwards. Each string is copied once, straight from its UTF-8 storage.
    ///
    /// - Throws: ``PostgresError/Code/invalidArgument`` (SQLSTATE 22021) if a string contains a
    ///   NUL byte, which a C string would silently truncate; `describe` names it by index.
    static func with<R>(
        _ strings: [String?],
        describe: (Int) -> String,
        query: String? = nil,
        _ body: ([UnsafePointer<CChar>?]) throws(PostgresError) -> R
    ) throws(PostgresError) -> R {
        var copies: [UnsafeMutablePointer<CChar>?] = []
        copies.reserveCapacity(strings.count + 1)
        defer {
            for copy in copies { copy?.deallocate() }
        }
        for (index, string) in strings.enumerated() {
            guard var string else {
                copies.append(nil)
                continue
            }
            let copy = string.withUTF8 { bytes -> UnsafeMutablePointer<CChar>? in
                if bytes.contains(0) { return nil }
                let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
                if let base = bytes.baseAddress {
                    raw.copyMemory(from: base, byteCount: bytes.count)
                }
                raw.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
                return raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
            }
            guard let copy else {
                throw PostgresError.nulByte(in: describe(index), query: query)
            }
            copies.append(copy)
        }
        copies.append(nil)
        return try body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

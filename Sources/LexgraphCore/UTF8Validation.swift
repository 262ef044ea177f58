/// Checking that a user's file is UTF-8 before anything decodes it: Swift's
/// `String(decoding:as:)` turns every invalid byte into U+FFFD without a word, so a
/// Latin-1 file would load with its accented letters silently replaced.
public enum UTF8Validation {
    /// Where the first byte that is not part of valid UTF-8 lies.
    public struct Position: Sendable, Equatable {
        /// 0-based byte offset in the input.
        public var offset: Int
        /// 1-based line.
        public var line: Int
        /// 1-based column, in characters (Unicode scalars) before it on its line.
        public var column: Int
        /// The offending byte.
        public var byte: UInt8

        public init(offset: Int, line: Int, column: Int, byte: UInt8) {
            self.offset = offset; self.line = line; self.column = column; self.byte = byte
        }
    }

    /// Nil when `bytes` is valid UTF-8 (overlong forms, surrogates and code points past
    /// U+10FFFF are invalid, as in RFC 3629), else the first invalid byte.
    public static func firstInvalid(in bytes: UnsafeBufferPointer<UInt8>) -> Position? {
        let n = bytes.count
        var i = 0
        while i < n {
            // ASCII runs, 8 bytes at a time.
            while i + 8 <= n {
                let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < n else { break }
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return position(of: i, in: bytes)
            }
            guard i + length <= n else { return position(of: i, in: bytes) }
            let b1 = bytes[i + 1]
            guard b1 >= low && b1 <= high else { return position(of: i, in: bytes) }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return position(of: i, in: bytes) }
            i += length
        }
        return nil
    }

    public static func firstInvalid(in bytes: [UInt8]) -> Position? {
        bytes.withUnsafeBufferPointer { firstInvalid(in: $0) }
    }

    /// The line and column of byte `offset` (the bytes before it are valid UTF-8).
    static func position(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Position {
        var line = 1, lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
        var column = 1
        for i in lineStart..<offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return Position(offset: offset, line: line, column: column, byte: bytes[offset])
    }

    /// The message for an invalid byte (its place goes in the error's location).
    public static func message(_ p: Position) -> String {
        let hex = String(p.byte, radix: 16, uppercase: true)
        return "invalid UTF-8: byte 0x\(hex.count == 1 ? "0" + hex : hex) at byte offset \(p.offset); the file must be UTF-8 (convert it first, e.g. `iconv -f LATIN1 -t UTF-8`)"
    }
}

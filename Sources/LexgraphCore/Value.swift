/// A property value as the graph stores it and queries return it. Mirrors JSON plus
/// the int/float distinction Cypher needs (`1` and `1.0` are different values).
/// Dates travel as `.string("YYYY-MM-DD")`; the ontology says which strings are dates.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([Value])
    case map([String: Value])

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var intValue: Int64? { if case .int(let i) = self { return i } else { return nil } }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
}

// MARK: - JSON text

extension Value {
    /// Compact JSON. Map keys are sorted so equal values serialize identically (the
    /// store compares serialized properties to report what a re-load changed).
    public var jsonText: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    public func writeJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            if d.isNaN || d.isInfinite { out += "null"; return }
            // Keep a fractional part so the value reads back as a float.
            if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) + ".0" } else { out += String(d) }
        case .string(let s): Value.writeJSONString(s, into: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeJSON(into: &out)
            }
            out += "]"
        case .map(let dict):
            out += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Value.writeJSONString(key, into: &out)
                out += ":"
                dict[key]!.writeJSON(into: &out)
            }
            out += "}"
        }
    }

    static func writeJSONString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Parses one JSON document. Integers without fraction or exponent become `.int`.
    public static func parseJSON(_ text: String) throws -> Value {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    public static func parseJSON(bytes: [UInt8]) throws -> Value {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }
}

/// A JSON syntax error with the byte column where it was found.
public struct JSONError: LexgraphError {
    public var location: SourceLocation?
    public var message: String
}

struct JSONParser {
    let bytes: [UInt8]
    var pos = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws -> Value {
        skipSpace()
        let v = try parseValue(depth: 0)
        skipSpace()
        guard pos == bytes.count else { throw fail("unexpected trailing characters") }
        return v
    }

    func fail(_ message: String) -> JSONError {
        JSONError(location: SourceLocation(column: pos + 1), message: "invalid JSON: \(message)")
    }

    mutating func skipSpace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 {
            pos += 1
        }
    }

    mutating func parseValue(depth: Int) throws -> Value {
        guard depth < 512 else { throw fail("nesting too deep") }
        guard pos < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            var dict: [String: Value] = [:]
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return .map(dict) }
            while true {
                skipSpace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let keyStart = pos
                let key = try parseString()
                // A repeated key is refused: keeping either value silently would let two
                // readers of the same line disagree (RFC 8259 leaves the choice open).
                if dict[key] != nil {
                    pos = keyStart
                    throw fail("duplicate key \(Value.string(key).jsonText) in an object")
                }
                skipSpace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                pos += 1
                skipSpace()
                dict[key] = try parseValue(depth: depth + 1)
                skipSpace()
                guard pos < bytes.count else { throw fail("unterminated object") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .map(dict) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            pos += 1
            var items: [Value] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .list(items) }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard pos < bytes.count else { throw fail("unterminated array") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .list(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): try expectWord("NaN"); return .float(.nan) // Python's json.dumps writes NaN
        default:
            return try parseNumber()
        }
    }

    mutating func expectWord(_ word: String) throws {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else {
            throw fail("unexpected character")
        }
        pos += w.count
    }

    mutating func parseNumber() throws -> Value {
        let start = pos
        var isFloat = false
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        while pos < bytes.count {
            let b = bytes[pos]
            if b >= 48 && b <= 57 { pos += 1 }
            else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || (b == UInt8(ascii: "-") && pos > start) {
                isFloat = true; pos += 1
            } else { break }
        }
        guard pos > start else { throw fail("unexpected character") }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        guard !text.isEmpty else { throw fail("unexpected character") }
        // An integer past 64 bits becomes the nearest float, as in most JSON readers (RFC
        // 8259 promises no more than a double): Hugging Face writes `model_max_length` as
        // int(1e30) into tokenizer configs. A number past the double's range has no
        // nearest value and is refused rather than read as infinity.
        if !isFloat, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { throw fail("bad number \(text)") }
        guard d.isFinite else {
            pos = start
            throw fail("number \(text) is out of the range of a 64-bit float")
        }
        return .float(d)
    }

    mutating func parseString() throws -> String {
        pos += 1 // opening quote
        var out = [UInt8]()
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                pos += 1
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), pos + 6 <= bytes.count,
                       bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(b)
            pos += 1
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard pos + 4 <= bytes.count else { throw fail("bad \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 65...70: d = UInt32(b - 55)
            case 97...102: d = UInt32(b - 87)
            default: throw fail("bad \\u escape")
            }
            v = v * 16 + d
            pos += 1
        }
        return v
    }
}

import GRDB
import PostgresNIO

/// The server-side prepared statements of one connection, one per statement text and
/// argument types, so a statement sent again is neither parsed nor analysed again (and
/// after five runs the server may keep a generic plan, as it does for psql's PREPARE).
///
/// postgres-nio names a prepared statement but lets the server infer its parameters'
/// types, where a one-off statement declares them from the values bound (int8, float8,
/// text). An inferred type may differ (`$1 + 1` infers int4, `$1 * 2.0` numeric), so the
/// text prepared carries the bound types as casts (`($1::int8)`): the server then types
/// each parameter exactly as for a one-off statement, and the results are the same.
/// NULL arguments stay uncast (inferred, as they are for a one-off statement); a blob
/// argument is not prepared.
struct PreparedStatements {
    static let capacity = 128

    private var statements: [String: PreparedQuery] = [:]
    private var arrival: [String] = []

    /// The statement prepared for `key` (`typedText`), if any.
    func statement(_ key: String) -> PreparedQuery? { statements[key] }

    /// Keeps `statement` for `key`; returns the one it drops to stay within `capacity`
    /// (to be closed on the server).
    mutating func keep(_ statement: PreparedQuery, for key: String) -> PreparedQuery? {
        statements[key] = statement
        arrival.append(key)
        guard arrival.count > PreparedStatements.capacity else { return nil }
        return statements.removeValue(forKey: arrival.removeFirst())
    }

    mutating func removeAll() {
        statements = [:]
        arrival = []
    }

    /// `sql` with every parameter cast to the type its argument is bound as, or nil when
    /// an argument cannot be prepared (a blob).
    static func typedText(_ sql: String, _ arguments: [DatabaseValue]) -> String? {
        var types: [String?] = []
        for value in arguments {
            switch value.storage {
            case .null: types.append(nil)
            case .int64: types.append("int8")
            case .double: types.append("float8")
            case .string: types.append("text")
            case .blob: return nil
            }
        }
        if types.allSatisfy({ $0 == nil }) { return sql }
        return castingParameters(sql) { n in n >= 1 && n <= types.count ? types[n - 1] : nil }
    }

    /// The values as a prepared statement's binds.
    static func binds(_ arguments: [DatabaseValue]) -> [PostgresData] {
        arguments.map { value in
            switch value.storage {
            case .null: return .null
            case .int64(let i): return PostgresData(int64: i)
            case .double(let d): return PostgresData(double: d)
            case .string(let s): return PostgresData(string: s)
            case .blob: return .null  // never prepared (typedText)
            }
        }
    }

    /// Rewrites each parameter `$n` outside literals, quoted names, dollar quotes and
    /// comments as `($n::TYPE)` when `type(n)` names one.
    static func castingParameters(_ sql: String, _ type: (Int) -> String?) -> String {
        let s = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count + 64)
        var i = 0
        func isWord(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 36 || c >= 128 }
        func copy(until end: Int) { out.append(contentsOf: s[i..<min(end, s.count)]); i = min(end, s.count) }
        while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "'"):
                // A string; E'...' also escapes with backslashes.
                let escapes = i > 0 && (s[i - 1] == UInt8(ascii: "E") || s[i - 1] == UInt8(ascii: "e")) && (i < 2 || !isWord(s[i - 2]))
                var j = i + 1
                while j < s.count {
                    if escapes && s[j] == UInt8(ascii: "\\") { j += 2; continue }
                    if s[j] == UInt8(ascii: "'") {
                        if j + 1 < s.count && s[j + 1] == UInt8(ascii: "'") { j += 2; continue }
                        break
                    }
                    j += 1
                }
                copy(until: j + 1)
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < s.count {
                    if s[j] == UInt8(ascii: "\"") {
                        if j + 1 < s.count && s[j + 1] == UInt8(ascii: "\"") { j += 2; continue }
                        break
                    }
                    j += 1
                }
                copy(until: j + 1)
            case UInt8(ascii: "-") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "-"):
                var j = i
                while j < s.count && s[j] != 10 { j += 1 }
                copy(until: j)
            case UInt8(ascii: "/") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "*"):
                var j = i + 2, depth = 1
                while j < s.count && depth > 0 {
                    if s[j] == UInt8(ascii: "*") && j + 1 < s.count && s[j + 1] == UInt8(ascii: "/") { depth -= 1; j += 2; continue }
                    if s[j] == UInt8(ascii: "/") && j + 1 < s.count && s[j + 1] == UInt8(ascii: "*") { depth += 1; j += 2; continue }
                    j += 1
                }
                copy(until: j)
            case UInt8(ascii: "$") where i == 0 || !isWord(s[i - 1]):
                var j = i + 1
                while j < s.count && s[j] >= 48 && s[j] <= 57 { j += 1 }
                if j > i + 1 {
                    // A parameter.
                    let number = Int(String(decoding: s[(i + 1)..<j], as: UTF8.self)) ?? 0
                    if let name = type(number) {
                        out.append(UInt8(ascii: "("))
                        copy(until: j)
                        out.append(contentsOf: Array("::\(name))".utf8))
                    } else {
                        copy(until: j)
                    }
                    continue
                }
                // A dollar quote: $tag$ ... $tag$.
                while j < s.count && isWord(s[j]) && s[j] != 36 { j += 1 }
                guard j < s.count && s[j] == 36 else { copy(until: i + 1); continue }
                let tag = Array(s[i...j])
                var k = j + 1
                while k + tag.count <= s.count && Array(s[k..<(k + tag.count)]) != tag { k += 1 }
                copy(until: k + tag.count)
            default:
                copy(until: i + 1)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

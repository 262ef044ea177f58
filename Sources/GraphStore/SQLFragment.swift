import GRDB

/// One argument of a statement: a value known when the SQL is built, or a slot the
/// caller fills when it runs the statement (the query compiler's variables bound by an
/// earlier clause: the same SQL runs once per input row with another id there).
public enum SQLArgument: Sendable, Equatable {
    case value(DatabaseValue)
    case slot(String)
}

/// A piece of SQL that carries its own arguments, in the order they occur in its text.
///
/// Built by interpolation, in the manner of GRDB's `SQL` literal:
/// `"\(sql: alias).type = \(bind: type)"`. `\(fragment)` splices another fragment with
/// its arguments, `\(sql: text)` splices trusted SQL text (aliases, column names, SQL a
/// dialect wrote), `\(bind: value)` and `\(slot: name)` add an argument. A plain
/// `\(string)` does not compile: every piece of text says whether it is SQL or a value.
///
/// Why not GRDB's `SQL`: it cannot hold a slot filled per run, it renders only `?`
/// placeholders (PostgreSQL numbers them: `$1`), and it needs a `Database` to render.
/// An argument's place is kept as a marker character in `text` until `rendered(for:)`
/// writes the dialect's placeholder there; the marker never occurs in SQL a dialect or
/// the compiler writes (a value that contains it travels as an argument, not as text).
public struct SQLFragment: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The placeholder marker inside `text`.
    static let marker: Character = "\u{1}"
    static let markerByte: UInt8 = 1

    public private(set) var text: String
    public private(set) var arguments: [SQLArgument]

    public init() {
        text = ""
        arguments = []
    }

    /// Trusted SQL text without arguments.
    public init(sql: String) {
        text = sql
        arguments = []
    }

    public init(stringLiteral value: String) { self.init(sql: value) }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        arguments = stringInterpolation.arguments
    }

    /// One bound value.
    public static func bind(_ value: (any DatabaseValueConvertible)?) -> SQLFragment {
        var f = SQLFragment()
        f.text.append(marker)
        f.arguments.append(.value(value?.databaseValue ?? .null))
        return f
    }

    /// One slot, filled when the statement runs.
    public static func slot(_ name: String) -> SQLFragment {
        var f = SQLFragment()
        f.text.append(marker)
        f.arguments.append(.slot(name))
        return f
    }

    public var isEmpty: Bool { text.isEmpty }

    public static func + (lhs: SQLFragment, rhs: SQLFragment) -> SQLFragment {
        var out = lhs
        out += rhs
        return out
    }

    public static func += (lhs: inout SQLFragment, rhs: SQLFragment) {
        lhs.text += rhs.text
        lhs.arguments += rhs.arguments
    }

    /// The text with `?` for each argument (tests, messages).
    public var description: String { String(text.map { $0 == SQLFragment.marker ? "?" : $0 }) }

    /// The statement for `dialect`: the text with the dialect's placeholders (numbered
    /// from `firstArgument`, 1-based) and the arguments in that order.
    public func rendered(for dialect: any SQLDialect, firstArgument: Int = 1) -> (sql: String, arguments: [SQLArgument]) {
        guard !arguments.isEmpty else { return (text, []) }
        if dialect.placeholdersArePositional {
            // SQLite: every placeholder is the same `?` (the per-query path: one copy of
            // the bytes, the marker and `?` both being single ASCII bytes).
            var source = text
            let sql = source.withUTF8 { bytes in
                String(unsafeUninitializedCapacity: bytes.count) { out in
                    for i in 0..<bytes.count { out[i] = bytes[i] == SQLFragment.markerByte ? UInt8(ascii: "?") : bytes[i] }
                    return bytes.count
                }
            }
            return (sql, arguments)
        }
        var sql = ""
        sql.reserveCapacity(text.utf8.count + 2 * arguments.count)
        var n = firstArgument
        for c in text {
            if c == SQLFragment.marker {
                sql += dialect.placeholder(n)
                n += 1
            } else {
                sql.append(c)
            }
        }
        return (sql, arguments)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var arguments: [SQLArgument] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + 8 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// Another fragment, with its arguments.
        public mutating func appendInterpolation(_ fragment: SQLFragment) {
            text += fragment.text
            arguments += fragment.arguments
        }

        /// Trusted SQL text (an alias, a column, SQL a dialect wrote).
        public mutating func appendInterpolation(sql: String) { text += sql }

        /// A bound value.
        public mutating func appendInterpolation(bind value: (any DatabaseValueConvertible)?) {
            text.append(SQLFragment.marker)
            arguments.append(.value(value?.databaseValue ?? .null))
        }

        /// A slot, filled when the statement runs.
        public mutating func appendInterpolation(slot name: String) {
            text.append(SQLFragment.marker)
            arguments.append(.slot(name))
        }
    }
}

extension Array where Element == SQLFragment {
    /// The fragments joined by trusted SQL `separator`, arguments in order.
    public func joined(separator: String) -> SQLFragment {
        if count == 1 { return self[0] }
        var out = SQLFragment()
        for (i, f) in enumerated() {
            if i > 0 { out += SQLFragment(sql: separator) }
            out += f
        }
        return out
    }
}

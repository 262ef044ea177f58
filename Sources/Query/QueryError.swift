import LexgraphCore

/// Everything that can go wrong with a query, from a typo to a timeout. `kind` says at
/// which stage it failed (the openCypher TCK's error classes map onto it), `code` names
/// the precise condition (TCK detail codes such as `UndefinedVariable`), and `snippet`
/// is the query line with a caret under the spot, shown by `description`.
public struct QueryError: LexgraphError, Equatable {
    public enum Kind: String, Sendable {
        /// Cannot be parsed, or is semantically wrong (unknown variable, label, ...): compile time.
        case syntax = "SyntaxError"
        /// A value of the wrong type at run time (e.g. `1 + 'a'`... where not allowed).
        case type = "TypeError"
        /// A bad argument value at run time (e.g. a negative LIMIT from a parameter).
        case argument = "ArgumentError"
        /// A parameter the query uses but the caller did not give.
        case parameterMissing = "ParameterMissing"
        /// A write in read-only mode.
        case readOnly = "ReadOnly"
        /// The result grew past the row limit.
        case rowLimit = "RowLimit"
        /// The query ran past its time limit and was interrupted.
        case timeout = "Timeout"
        /// The query needed more memory than its memory limit.
        case memoryLimit = "MemoryLimit"
        /// The caller cancelled the query while it ran (`QueryCancellation`).
        case cancelled = "Cancelled"
        /// Anything the store reported while running the query.
        case runtime = "RuntimeError"
        /// Valid openCypher this dialect does not support (yet).
        case unsupported = "Unsupported"
    }

    public var kind: Kind
    public var code: String
    public var location: SourceLocation?
    public var message: String
    /// The offending query line and a caret line under the column, when known.
    public var snippet: String?

    public init(_ kind: Kind, _ code: String, _ message: String, at position: SourcePosition? = nil, in source: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        if let position {
            location = SourceLocation(line: position.line, column: position.column)
            if let source { snippet = QueryError.caret(source: source, at: position) }
        }
    }

    /// This error at `position` in `source`, unless it already has a place (a limit
    /// reached deep inside, reported where the query asked for the work).
    func placed(at position: SourcePosition, in source: String) -> QueryError {
        guard location == nil else { return self }
        var placed = self
        placed.location = SourceLocation(line: position.line, column: position.column)
        placed.snippet = QueryError.caret(source: source, at: position)
        return placed
    }

    public var description: String {
        var text = message
        if let location, !location.description.isEmpty { text = "\(location): \(message)" }
        if let snippet { text += "\n" + snippet }
        return text
    }

    /// The source line `position` points into and a `^` under its column. A long line
    /// (a generated query can be a megabyte on one line) is cut to `window` characters
    /// around the column, the cuts marked `...`.
    static func caret(source: String, at position: SourcePosition, window: Int = 120) -> String? {
        guard position.line >= 1 else { return nil }
        var lineNumber = 1
        var found: Substring?
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if lineNumber == position.line { found = line; break }
            lineNumber += 1
        }
        guard let found else { return nil }
        let chars = Array(found)
        var column = max(0, position.column - 1)
        var shown = chars[...]
        var prefix = "", suffix = ""
        if chars.count > window {
            let start = min(max(0, column - window / 2), max(0, chars.count - window))
            let end = min(chars.count, start + window)
            shown = chars[start..<end]
            if start > 0 { prefix = "..."; column = column - start + 3 } else { column -= start }
            if end < chars.count { suffix = "..." }
        }
        return "  " + prefix + String(shown) + suffix + "\n  " + String(repeating: " ", count: max(0, column)) + "^"
    }
}

/// A line and column (both 1-based) in the query text.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public var description: String { "\(line):\(column)" }
}

import Foundation
import LexgraphCore
import Yams

/// The limits on a curator's YAML file (ontology document, update, recipe) and reading
/// one. A YAML file is parsed whole into a node tree, so its size bounds the time and
/// memory a parse takes; nesting is bounded because the tree is built recursively (a
/// file of 100,000 `[` would overflow the stack).
public enum YAMLInput {
    /// The default size cap: 4 MiB, a hundred times the largest file in the project.
    public static let defaultMaxBytes = 4 * 1024 * 1024
    /// Set to a number of bytes to change the size cap.
    public static let maxBytesVariable = "LEXGRAPH_MAX_YAML_BYTES"
    /// The deepest nesting accepted (counting indentation columns, block `-` entries and
    /// open flow brackets on a line, an upper bound of the real depth).
    public static let maxNesting = 256

    /// The size cap in force: `$LEXGRAPH_MAX_YAML_BYTES` or `defaultMaxBytes`.
    public static func limit() throws -> TextFile.Limit {
        var bytes = defaultMaxBytes
        if let text = ProcessInfo.processInfo.environment[maxBytesVariable], !text.isEmpty {
            guard let n = Int(text), n > 0 else {
                throw OntologyError(message: "\(maxBytesVariable) must be a positive number of bytes, got '\(text.prefix(40))'")
            }
            bytes = n
        }
        return TextFile.Limit(bytes: bytes, howToRaise: "set \(maxBytesVariable) to a number of bytes to change the cap")
    }

    /// The text of a YAML file, capped in size and checked to be UTF-8; errors are
    /// `OntologyError`s naming `displayName` (default: the path).
    public static func read(path: String, displayName: String? = nil, what: String = "YAML file") throws -> String {
        try TextFile.read(path: path, displayName: displayName, what: what, limit: try limit()) { location, message in
            OntologyError(location: location, message: message)
        }
    }

    /// Refuses text over the size cap or nested deeper than `maxNesting` before Yams
    /// sees it.
    static func check(_ text: String, file: String) throws {
        let limit = try limit()
        let size = text.utf8.count
        if size > limit.bytes {
            throw OntologyError(location: SourceLocation(file: file), message: TextFile.sizeMessage(size, what: "YAML text", limit: limit))
        }
        if let line = deepLine(text) {
            throw OntologyError(location: SourceLocation(file: file, line: line),
                                message: "YAML nested deeper than \(maxNesting) levels (or indented past \(maxNesting) columns)")
        }
    }

    /// The first line whose nesting may exceed `maxNesting`: its indentation plus its
    /// block sequence dashes plus the flow brackets open on it (quoted text and comments
    /// skipped). Never below the real depth, so a file it accepts cannot nest deeper.
    static func deepLine(_ text: String) -> Int? {
        var line = 1, flow = 0
        var indent = 0, dashes = 0, atIndent = true
        var quote: UInt8? = nil, escaped = false, comment = false
        var previous: UInt8 = 0x0A
        for b in text.utf8 {
            if b == 0x0A {
                line += 1; indent = 0; dashes = 0; atIndent = true; comment = false
                if quote == nil { previous = b }
                continue
            }
            if comment { continue }
            if let q = quote {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") && q == UInt8(ascii: "\"") { escaped = true } else if b == q { quote = nil }
                previous = b
                continue
            }
            let startsToken = previous == 0x0A || previous == 0x20 || previous == 0x09 || previous == UInt8(ascii: "[")
                || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",") || previous == UInt8(ascii: "-")
            if b == 0x20 {
                if atIndent { indent += 1 }
            } else if b == UInt8(ascii: "-") {
                if atIndent || previous == 0x20 { dashes += 1 }
            } else if b == UInt8(ascii: "#") {
                if previous == 0x0A || previous == 0x20 || previous == 0x09 { comment = true; continue }
            } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                if startsToken { quote = b }
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                flow += 1
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                flow = max(0, flow - 1)
            }
            if b != 0x20 && b != UInt8(ascii: "-") { atIndent = false }
            if indent + dashes + flow > maxNesting { return line }
            previous = b
        }
        return nil
    }

    /// A Yams error as one short positioned message: never the whole document (Yams'
    /// own descriptions carry it), at most the offending line, truncated.
    static func error(_ error: YamlError, text: String, file: String) -> OntologyError {
        func textOf(_ n: Int) -> Substring? {
            var current = 1
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if current == n { return line }
                current += 1
            }
            return nil
        }
        func located(_ line: Int, _ column: Int, _ message: String) -> OntologyError {
            var full = message
            if let source = lineText(text: textOf(line)) { full += " (line: \(source))" }
            return OntologyError(location: SourceLocation(file: file, line: line, column: column), message: full)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let where_ = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return located(mark.line, mark.column, "YAML syntax error: \(problem)\(where_)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().prefix(3).map { "'\($0.prefix(60))'" }.joined(separator: ", ")
            return located(context.mark.line, context.mark.column, "duplicate key \(keys) in one mapping (each key may appear once)")
        case .reader(let problem, let offset, _, _):
            var line = 1, column = 1
            if let offset {
                for c in text.prefix(offset) { if c == "\n" { line += 1; column = 1 } else { column += 1 } }
            }
            return located(line, column, "YAML reader error: \(problem)")
        default:
            return OntologyError(location: SourceLocation(file: file), message: "YAML error: \(String(describing: error).prefix(200))")
        }
    }

    /// A source line for an error message: trimmed, at most 80 characters.
    static func lineText(text: Substring?) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        return trimmed.count > 80 ? String(trimmed.prefix(77)) + "..." : trimmed
    }
}

import Foundation
import LexgraphCore
import Yams

/// The limits on a curator's YAML file (ontology document, update, recipe) and reading
/// one. A YAML file is parsed whole into a node tree, so its size bounds the time and
/// memory a parse takes (the number of keys with it); nesting is bounded by libyaml.
public enum YAMLInput {
    /// The default size cap: 4 MiB, a hundred times the largest file in the project.
    public static let defaultMaxBytes = 4 * 1024 * 1024
    /// Set to a number of bytes to change the size cap.
    public static let maxBytesVariable = "LEXGRAPH_MAX_YAML_BYTES"
    /// The deepest nesting libyaml (vendored by Yams) accepts; deeper is an error.
    public static let maxNesting = 1000

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

    /// Refuses text over the size cap before Yams sees it.
    static func check(_ text: String, file: String) throws {
        let limit = try limit()
        let size = text.utf8.count
        if size > limit.bytes {
            throw OntologyError(location: SourceLocation(file: file), message: TextFile.sizeMessage(size, what: "YAML text", limit: limit))
        }
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
            // libyaml's own wording names a C function the user cannot call.
            if problem.hasPrefix("Maximum nesting level") {
                return located(mark.line, mark.column, "YAML nested deeper than \(maxNesting) levels")
            }
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

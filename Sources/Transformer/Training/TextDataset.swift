import Foundation
import LexgraphCore

/// One item of a fine-tuning or evaluation file: a text (or a text pair) and its label
/// names, with the line it came from so errors and predictions can point back to it.
public struct LabeledText: Sendable, Equatable {
    public var text: String
    public var pair: String?
    /// One name for classification, any number (possibly none) for multi-label.
    public var labels: [String]
    /// An identifier from the file's id field, when it has one.
    public var id: String?
    /// 1-based line in the file.
    public var line: Int

    public init(text: String, pair: String? = nil, labels: [String], id: String? = nil, line: Int) {
        self.text = text; self.pair = pair; self.labels = labels; self.id = id; self.line = line
    }
}

/// Which columns (TSV) or keys (JSONL) hold the text, the optional second text, the
/// label(s) and an optional identifier.
public struct TextDatasetFields: Sendable, Equatable, Codable {
    public var text: String
    public var pair: String?
    public var label: String
    public var id: String?

    public init(text: String = "text", pair: String? = nil, label: String = "label", id: String? = nil) {
        self.text = text; self.pair = pair; self.label = label; self.id = id
    }
}

/// Reads labeled texts from JSON Lines (`.jsonl`, one object per line) or TSV (`.tsv`, a
/// header row naming the columns, tab-separated, no quoting). Labels: a string or integer
/// for classification; for multi-label a JSON list (JSONL), or in TSV a cell holding a JSON
/// list or names separated by `|` (empty: no label). Every problem names file and line.
public enum TextDataset {
    /// Separator of label names inside one TSV cell for multi-label files.
    public static let tsvLabelSeparator: Character = "|"

    public static func load(path: String, fields: TextDatasetFields, multiLabel: Bool, requireLabels: Bool = true) throws -> [LabeledText] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TransformerError("cannot read dataset file", file: path)
        }
        guard let content = String(data: data, encoding: .utf8) else {
            throw TransformerError("dataset file is not valid UTF-8", file: path)
        }
        // "\r\n" is one Character in Swift, so both line ends are matched explicitly.
        var lines = content.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }
        let items: [LabeledText]
        if path.lowercased().hasSuffix(".tsv") {
            items = try loadTSV(lines, path: path, fields: fields, multiLabel: multiLabel, requireLabels: requireLabels)
        } else if path.lowercased().hasSuffix(".jsonl") || path.lowercased().hasSuffix(".json") {
            items = try loadJSONL(lines, path: path, fields: fields, multiLabel: multiLabel, requireLabels: requireLabels)
        } else {
            throw TransformerError("unknown dataset format: use a .jsonl or .tsv file", file: path)
        }
        guard !items.isEmpty else { throw TransformerError("dataset has no rows", file: path) }
        return items
    }

    static func loadJSONL(_ lines: [Substring], path: String, fields: TextDatasetFields, multiLabel: Bool, requireLabels: Bool) throws -> [LabeledText] {
        var items: [LabeledText] = []
        for (i, raw) in lines.enumerated() {
            let line = i + 1
            guard !raw.allSatisfy(\.isWhitespace) else { continue }
            let value: Value
            do { value = try Value.parseJSON(String(raw)) } catch {
                throw TransformerError("line is not valid JSON: \(error)", file: path, line: line)
            }
            guard case .map(let object) = value else { throw TransformerError("line is not a JSON object", file: path, line: line) }
            func string(_ key: String, required: Bool) throws -> String? {
                switch object[key] {
                case nil, .null?:
                    if required { throw TransformerError("missing field \"\(key)\"", file: path, line: line) }
                    return nil
                case .string(let s)?: return s
                case .int(let n)?: return String(n)
                case let other?: throw TransformerError("field \"\(key)\" must be a string, found \(other.jsonText)", file: path, line: line)
                }
            }
            let text = try string(fields.text, required: true) ?? ""
            let pair = try fields.pair.flatMap { try string($0, required: true) }
            let id = try fields.id.flatMap { try string($0, required: false) }
            var labels: [String] = []
            switch object[fields.label] {
            case nil, .null?:
                if requireLabels { throw TransformerError("missing label field \"\(fields.label)\"", file: path, line: line) }
            case .list(let list)?:
                guard multiLabel else {
                    throw TransformerError("label field \"\(fields.label)\" is a list; use the multilabel task for several labels", file: path, line: line)
                }
                labels = try list.map { try labelName($0, path: path, line: line) }
            case let single?:
                labels = [try labelName(single, path: path, line: line)]
            }
            items.append(LabeledText(text: text, pair: pair, labels: labels, id: id, line: line))
        }
        return items
    }

    static func labelName(_ value: Value, path: String, line: Int) throws -> String {
        switch value {
        case .string(let s) where !s.isEmpty: return s
        case .int(let n): return String(n)
        case .bool(let b): return b ? "true" : "false"
        default: throw TransformerError("label \(value.jsonText) must be a non-empty string or an integer", file: path, line: line)
        }
    }

    static func loadTSV(_ lines: [Substring], path: String, fields: TextDatasetFields, multiLabel: Bool, requireLabels: Bool) throws -> [LabeledText] {
        guard let header = lines.first else { return [] }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        func column(_ name: String) throws -> Int {
            guard let i = columns.firstIndex(of: name) else {
                throw TransformerError("no column \"\(name)\" in the header (columns: \(columns.joined(separator: ", ")))", file: path, line: 1)
            }
            return i
        }
        let textColumn = try column(fields.text)
        let pairColumn = try fields.pair.map(column)
        let idColumn = try fields.id.map(column)
        let labelColumn: Int?
        if requireLabels { labelColumn = try column(fields.label) } else { labelColumn = columns.firstIndex(of: fields.label) }
        var items: [LabeledText] = []
        for (i, raw) in lines.enumerated().dropFirst() {
            let line = i + 1
            guard !raw.isEmpty else { continue }
            let cells = raw.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == columns.count else {
                throw TransformerError("row has \(cells.count) tab-separated cells, the header has \(columns.count)", file: path, line: line)
            }
            var labels: [String] = []
            if let labelColumn {
                let cell = cells[labelColumn].trimmingCharacters(in: .whitespaces)
                if multiLabel {
                    if cell.hasPrefix("[") {
                        guard case .list(let list)? = try? Value.parseJSON(cell) else {
                            throw TransformerError("label cell \(cell.debugDescription) is not a JSON list", file: path, line: line)
                        }
                        labels = try list.map { try labelName($0, path: path, line: line) }
                    } else {
                        labels = cell.split(separator: tsvLabelSeparator).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    }
                } else {
                    guard !cell.isEmpty else { throw TransformerError("empty label in column \"\(fields.label)\"", file: path, line: line) }
                    labels = [cell]
                }
            }
            items.append(LabeledText(text: cells[textColumn], pair: pairColumn.map { cells[$0] }, labels: labels,
                                     id: idColumn.map { cells[$0] }, line: line))
        }
        return items
    }
}

extension TransformerError {
    /// An error at a line of a file (datasets).
    init(_ message: String, file: String, line: Int) {
        self.init(message, file: file)
        location?.line = line
    }
}

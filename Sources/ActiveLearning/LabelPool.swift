import Foundation
import LexgraphCore
import Transformer

/// One unlabelled example: its identifier (the file's id field, else its line number),
/// its text and the line it came from.
public struct PoolItem: Sendable, Equatable {
    public var id: String
    public var text: String
    public var line: Int
}

/// The unlabelled pool of a curator session, read from JSON Lines (`{"text": ..., "id": ...}`)
/// or TSV (a header naming a `text` column and optionally an `id` column).
///
/// Duplicates are handled before anything is proposed: two rows with the same id are an
/// error naming both lines (which one is meant cannot be guessed); a text repeated under
/// another id is dropped, keeping the first, and `duplicates` says which lines went, so the
/// curator never labels the same text twice.
public struct LabelPool: Sendable {
    public let path: String
    public let items: [PoolItem]
    /// Dropped rows: (line, the line of the first copy of its text).
    public let duplicates: [(line: Int, firstLine: Int)]
    private let index: [String: Int]

    public init(path: String, items: [PoolItem], duplicates: [(line: Int, firstLine: Int)] = []) throws {
        var index: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            if let j = index[item.id] {
                throw ActiveLearningError("id \"\(item.id)\" is used twice in the pool (lines \(items[j].line) and \(item.line))", file: path, line: item.line)
            }
            index[item.id] = i
        }
        self.path = path; self.items = items; self.duplicates = duplicates; self.index = index
    }

    public var count: Int { items.count }

    public func position(of id: String) -> Int? { index[id] }

    /// Reads and checks the pool file: an empty pool, a row without text and a repeated id
    /// are errors naming the file (and line); repeated texts are dropped (see `duplicates`).
    public static func load(path: String, textField: String = "text", idField: String = "id") throws -> LabelPool {
        guard let data = FileManager.default.contents(atPath: path) else { throw ActiveLearningError("cannot read the pool file", file: path) }
        guard let content = String(data: data, encoding: .utf8) else { throw ActiveLearningError("the pool file is not valid UTF-8", file: path) }
        let lines = content.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }.filter { !$0.allSatisfy(\.isWhitespace) }
        let isTSV = path.lowercased().hasSuffix(".tsv")
        guard lines.count > (isTSV ? 1 : 0) else { throw ActiveLearningError("the pool is empty: no examples to label", file: path) }
        var id: String? = idField
        if isTSV, let header = lines.first, !header.split(separator: "\t", omittingEmptySubsequences: false).contains(Substring(idField)) { id = nil }
        let rows: [LabeledText]
        do {
            // No label field is read: a pool may carry labels, which the curator does not see.
            rows = try TextDataset.load(path: path, fields: TextDatasetFields(text: textField, label: "\u{1}", id: id), multiLabel: true,
                                        requireLabels: false)
        } catch let error as TransformerError {
            throw ActiveLearningError(error.message, file: error.location?.file ?? path, line: error.location?.line)
        }
        var items: [PoolItem] = [], duplicates: [(line: Int, firstLine: Int)] = []
        var firstLineOfText: [String: Int] = [:]
        for row in rows {
            let text = row.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ActiveLearningError("empty text in field \"\(textField)\"", file: path, line: row.line) }
            if let first = firstLineOfText[text] { duplicates.append((row.line, first)); continue }
            firstLineOfText[text] = row.line
            items.append(PoolItem(id: row.id ?? String(row.line), text: row.text, line: row.line))
        }
        return try LabelPool(path: path, items: items, duplicates: duplicates)
    }

    /// The message about dropped duplicate texts (nil when there were none): which lines
    /// went and which line each repeats, the first 10 by name.
    public var duplicateMessage: String? {
        guard !duplicates.isEmpty else { return nil }
        let named = duplicates.prefix(10).map { "line \($0.line) repeats line \($0.firstLine)" }.joined(separator: ", ")
        return "\(path): \(duplicates.count) duplicate text\(duplicates.count == 1 ? "" : "s") dropped from the pool (\(named)\(duplicates.count > 10 ? ", ..." : ""))"
    }

    /// A fingerprint of the ids and texts, kept in the state folder so a session is never
    /// resumed over another pool.
    public var checksum: String {
        Checksum.sha256Hex(items.map { $0.id + "\u{1}" + $0.text }.joined(separator: "\u{0}"))
    }
}

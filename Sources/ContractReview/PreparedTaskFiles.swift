import Foundation
import LexgraphCore

/// The files `lexgraph clauses prepare` writes for one task (and fold): what `lexgraph
/// finetune` trains on and what the peer scripts read.
///
/// - `train.jsonl`, `dev.jsonl`, `test.jsonl`: one object per item,
///   `{"id": "clause:cuad:17", "label": [...], "text": "..."}`; `label` is a string for
///   clause types and a sorted list (possibly empty) for CUAD and UNFAIR-ToS. Clause-type
///   texts lose their leading heading (`ClauseHeading`) unless headings are kept.
/// - `task.json`: `{"task", "fold" (or null), "keep_headings", "labels" (every label name
///   of the task, sorted), "counts" {"train", "dev", "test"}, "data" (absolute path of the
///   source file), "split_file", "masking" (what was masked, or null)}`.
///
/// With `masked` (`clauses prepare --mask`), every text is replaced by its masked form
/// before it is written: personal data never reaches the files a model trains on.
public struct PreparedTaskFiles: Sendable {
    public let corpus: ClauseCorpus
    public let splits: ClauseSplits
    public let keepHeadings: Bool
    /// The absolute paths recorded in task.json.
    public let dataPath: String
    public let splitFilePath: String
    /// Masked texts by item id (the text `text(of:)` gives, masked) and the masking's
    /// description for task.json; nil when the texts are written as they are.
    public private(set) var masked: (texts: [String: String], description: String)?

    public init(corpus: ClauseCorpus, splits: ClauseSplits, keepHeadings: Bool, dataPath: String, splitFilePath: String) {
        self.corpus = corpus; self.splits = splits; self.keepHeadings = keepHeadings
        self.dataPath = dataPath; self.splitFilePath = splitFilePath
    }

    /// These files with every written text masked by `mask`, applied once per item in
    /// the order train, dev, test (so a consistent masker numbers what it finds in that
    /// order). Returns the count of replacements by entity type.
    public mutating func mask(description: String, _ mask: (String) -> (text: String, replaced: [String])) -> [String: Int] {
        var texts: [String: String] = [:]
        var counts: [String: Int] = [:]
        for split in ClauseSplitName.allCases {
            for item in splits.items(split, of: corpus) where texts[item.id] == nil {
                let result = mask(text(of: item))
                texts[item.id] = result.text
                for type in result.replaced { counts[type, default: 0] += 1 }
            }
        }
        masked = (texts, description)
        return counts
    }

    public static let fileNames = ["train.jsonl", "dev.jsonl", "test.jsonl", "task.json"]

    /// The text an item is trained and scored on.
    public func text(of item: ClauseItem) -> String {
        if let masked = masked?.texts[item.id] { return masked }
        return corpus.task == .clauseTypes && !keepHeadings ? ClauseHeading.removing(from: item.text) : item.text
    }

    /// One JSON Lines record.
    public func jsonLine(_ item: ClauseItem) -> String {
        let label: Value = corpus.task.isMultiLabel ? .list(item.labels.map(Value.string)) : .string(item.labels.first ?? "")
        return Value.map(["id": .string(item.id), "text": .string(text(of: item)), "label": label]).jsonText
    }

    /// task.json's object.
    public var taskDescription: Value {
        let counts = splits.counts
        return .map([
            "task": .string(corpus.task.rawValue),
            "fold": splits.fold.map { Value.int(Int64($0)) } ?? .null,
            "keep_headings": .bool(keepHeadings),
            "labels": .list(corpus.labelNames.map(Value.string)),
            "counts": .map(Dictionary(uniqueKeysWithValues: ClauseSplitName.allCases.map { ($0.rawValue, Value.int(Int64(counts[$0] ?? 0))) })),
            "data": .string(dataPath),
            "split_file": .string(splitFilePath),
            "masking": masked.map { Value.string($0.description) } ?? .null,
        ])
    }

    /// Writes the four files into `folder` (created if needed). Each is written beside its
    /// final name and renamed only when all four are complete, so a failure leaves no
    /// half-written set (an older set in the folder stays as it was).
    public func write(to folder: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ContractReviewError("the output path is a file, not a folder", file: folder)
        }
        do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw ContractReviewError("cannot create the output folder: \(error.localizedDescription)", file: folder)
        }
        let dir = URL(fileURLWithPath: folder)
        let tag = ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        var written: [(partial: URL, final: URL)] = []
        defer { for w in written { try? fm.removeItem(at: w.partial) } }
        func put(_ name: String, _ text: String) throws {
            let final = dir.appendingPathComponent(name)
            let partial = dir.appendingPathComponent(name + tag)
            written.append((partial, final))
            do { try Data(text.utf8).write(to: partial) } catch {
                throw ContractReviewError("cannot write: \(error.localizedDescription)", file: final.path)
            }
        }
        for split in ClauseSplitName.allCases {
            var text = ""
            for item in splits.items(split, of: corpus) { text += jsonLine(item); text += "\n" }
            try put("\(split.rawValue).jsonl", text)
        }
        try put("task.json", taskDescription.jsonText + "\n")
        for w in written where rename(w.partial.path, w.final.path) != 0 {
            throw ContractReviewError("cannot move the finished file into place: \(String(cString: strerror(errno)))", file: w.final.path)
        }
    }
}

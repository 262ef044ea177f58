import Foundation
import LexgraphCore

/// `DIR/task.json`, as `lexgraph clauses prepare` writes it beside the task's
/// train/dev/test JSONL files.
public struct PreparedClauseTask: Sendable, Equatable {
    public var task: ClauseTask
    public var fold: Int?
    public var keepHeadings: Bool
    /// Every label name of the task, sorted.
    public var labels: [String]
    public var counts: [String: Int]
    /// The source file and the split file the items came from.
    public var data: String?
    public var splitFile: String?
    public var directory: String

    public init(task: ClauseTask, fold: Int? = nil, keepHeadings: Bool = false, labels: [String], counts: [String: Int] = [:],
                data: String? = nil, splitFile: String? = nil, directory: String) {
        self.task = task; self.fold = fold; self.keepHeadings = keepHeadings; self.labels = labels; self.counts = counts
        self.data = data; self.splitFile = splitFile; self.directory = directory
    }

    public static let fileName = "task.json"

    /// The path of one split's file: `DIR/train.jsonl`, `DIR/dev.jsonl`, `DIR/test.jsonl`.
    public func path(of split: String) -> String { directory + "/" + split + ".jsonl" }

    /// The labels the task scores: for unfair-tos without "Other", which is no label.
    public var scoredLabels: [String] { task == .unfairTOS ? labels.filter { $0 != ClauseTask.unfairOtherLabel } : labels }

    /// Reads `directory/task.json`; every problem names the file (and the key).
    public static func read(directory: String) throws -> PreparedClauseTask {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw ContractReviewError("no task.json: not a folder written by `lexgraph clauses prepare`", file: path)
        }
        let text = try TextFile.read(path: path, what: "task file", limit: .init(bytes: 16 << 20, howToRaise: "it is written by `lexgraph clauses prepare`; regenerate it"),
                                     error: { ContractReviewError($1, file: $0.file, line: $0.line) })
        let value: Value
        do { value = try Value.parseJSON(text) } catch { throw ContractReviewError("not valid JSON: \(error)", file: path) }
        guard case .map(let object) = value else { throw ContractReviewError("not a JSON object", file: path) }
        func bad(_ key: String, _ expected: String) -> ContractReviewError {
            ContractReviewError("\"\(key)\" must be \(expected), found \(object[key]?.jsonText ?? "nothing")", file: path)
        }
        guard case .string(let name)? = object["task"] else { throw bad("task", "a task name") }
        guard let task = ClauseTask(rawValue: name) else {
            throw ContractReviewError("unknown task \"\(name)\" (known: \(ClauseTask.allCases.map(\.rawValue).joined(separator: ", ")))", file: path)
        }
        var fold: Int?
        switch object["fold"] {
        case nil, .null?: fold = nil
        case .int(let k)?: fold = Int(k)
        default: throw bad("fold", "an integer or null")
        }
        var keepHeadings = false
        switch object["keep_headings"] {
        case nil, .null?: keepHeadings = false
        case .bool(let b)?: keepHeadings = b
        default: throw bad("keep_headings", "true or false")
        }
        guard case .list(let list)? = object["labels"] else { throw bad("labels", "a list of label names") }
        let labels = try list.map { item -> String in
            guard case .string(let s) = item, !s.isEmpty else { throw bad("labels", "a list of label names") }
            return s
        }
        guard !labels.isEmpty else { throw bad("labels", "a non-empty list of label names") }
        var counts: [String: Int] = [:]
        if case .map(let m)? = object["counts"] {
            for (k, v) in m { if case .int(let n) = v { counts[k] = Int(n) } }
        }
        func string(_ key: String) -> String? { if case .string(let s)? = object[key] { return s } else { return nil } }
        return PreparedClauseTask(task: task, fold: fold, keepHeadings: keepHeadings, labels: labels, counts: counts,
                                  data: string("data"), splitFile: string("split_file"), directory: directory)
    }
}

import Foundation
import GraphStore

/// One item of a clause task: a clause text and its labels, with the data records it came
/// from. A CUAD or UNFAIR-ToS text that occurs in several rows is one item.
public struct ClauseItem: Sendable, Equatable {
    /// The graph key of the item's first row (`clause:cuad:17`).
    public var id: String
    /// Every data record (1-based, header excluded) holding this text, ascending.
    public var rows: [Int]
    /// The file line the first row starts on, for messages.
    public var line: Int
    public var text: String
    /// Sorted label names: exactly one for clause types; for CUAD the categories with a
    /// Yes row for this text, for UNFAIR-ToS the labels other than "Other" (both may be empty).
    public var labels: [String]

    public init(id: String, rows: [Int], line: Int, text: String, labels: [String]) {
        self.id = id; self.rows = rows; self.line = line; self.text = text; self.labels = labels
    }
}

/// A clause task's source file read into items, in the order of their first rows. Read
/// with GraphStore's `RecordReader`, the reader the contracts recipe uses, so row numbers
/// are the recipe's `_row` and graph keys match (quoted CSV for the clause corpus; TSV
/// without quoting for CUAD and UNFAIR-ToS).
public struct ClauseCorpus: Sendable {
    public let task: ClauseTask
    /// The file read, as given.
    public let path: String
    public let items: [ClauseItem]
    /// Every label name of the task, sorted (for UNFAIR-ToS without "Other").
    public let labelNames: [String]
    /// The number of data records in the file.
    public let recordCount: Int
    /// For each record (index `row - 1`), the index of its item in `items`.
    public let itemIndexOfRow: [Int]
    /// For each record (index `row - 1`), the file line it starts on.
    public let lineOfRow: [Int]

    /// Reads `task`'s file at `path` (e.g. DATA/clauses/cuad.tsv). A missing file, a
    /// missing column or an empty text or label is an error naming the file (and line).
    public static func load(_ task: ClauseTask, path: String) throws -> ClauseCorpus {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ContractReviewError("no \(task.rawValue) data file here (\(task.dataFile) of the shared data)", file: path)
        }
        var builder = Builder(task: task, path: path)
        try RecordReader.read(path: path, displayName: path, format: task.format) { record in
            try builder.add(record)
        }
        return try builder.finish()
    }

    /// The columns each task's file must have.
    static func columns(of task: ClauseTask) -> (text: String, label: String) {
        switch task {
        case .clauseTypes: return ("clause_text", "clause_type")
        case .cuad: return ("text", "category")
        case .unfairTOS: return ("text", "label")
        }
    }

    /// Accumulates records into items, grouping rows by exact text for the multi-label tasks.
    struct Builder {
        let task: ClauseTask
        let path: String
        var items: [ClauseItem] = []
        var labelSets: [Set<String>] = []
        var itemOfText: [String: Int] = [:]
        var itemIndexOfRow: [Int] = []
        var lineOfRow: [Int] = []
        var labelNames = Set<String>()
        var checkedHeader = false

        init(task: ClauseTask, path: String) { self.task = task; self.path = path }

        mutating func add(_ record: SourceRecord) throws {
            let (textColumn, labelColumn) = ClauseCorpus.columns(of: task)
            if !checkedHeader {
                var needed = [textColumn, labelColumn]
                if task == .cuad { needed.append("label") }
                if let missing = needed.first(where: { !record.hasField($0) }) {
                    throw ContractReviewError("no column '\(missing)' (the \(task.rawValue) file has \(needed.joined(separator: ", ")); found \(record.fieldNames.joined(separator: ", ")))",
                                              file: path, line: 1)
                }
                checkedHeader = true
            }
            guard let text = record.text(textColumn) else {
                throw ContractReviewError("record \(record.row) has an empty '\(textColumn)'", file: path, line: record.line)
            }
            guard let label = record.text(labelColumn) else {
                throw ContractReviewError("record \(record.row) has an empty '\(labelColumn)'", file: path, line: record.line)
            }
            var positive = true
            switch task {
            case .clauseTypes:
                break
            case .cuad:
                switch record.text("label") {
                case "Yes"?: positive = true
                case "No"?: positive = false
                case let other: throw ContractReviewError("record \(record.row): label must be Yes or No, got '\(other ?? "")'", file: path, line: record.line)
                }
            case .unfairTOS:
                positive = label != ClauseTask.unfairOtherLabel
            }
            // Every CUAD category is a label of the task, even one with only No rows.
            if task != .unfairTOS || positive { labelNames.insert(label) }
            let index: Int
            if task.isMultiLabel, let existing = itemOfText[text] {
                index = existing
                items[index].rows.append(record.row)
            } else {
                index = items.count
                items.append(ClauseItem(id: task.key(row: record.row), rows: [record.row], line: record.line, text: text, labels: []))
                labelSets.append([])
                if task.isMultiLabel { itemOfText[text] = index }
            }
            if positive { labelSets[index].insert(label) }
            itemIndexOfRow.append(index)
            lineOfRow.append(record.line)
        }

        func finish() throws -> ClauseCorpus {
            guard !items.isEmpty else { throw ContractReviewError("no records", file: path) }
            var done = items
            for i in done.indices { done[i].labels = labelSets[i].sorted() }
            return ClauseCorpus(task: task, path: path, items: done, labelNames: labelNames.sorted(),
                                recordCount: itemIndexOfRow.count, itemIndexOfRow: itemIndexOfRow, lineOfRow: lineOfRow)
        }
    }
}

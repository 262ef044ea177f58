import Foundation
import GraphStore

/// Where an item goes: training, model selection (thresholds, early stopping) or the score.
public enum ClauseSplitName: String, CaseIterable, Sendable {
    case train, dev, test
}

/// A task's committed split (graphs/contracts/splits/, written by
/// tools/make_clause_splits.py) applied to its corpus: one split per item.
///
/// The file is `row,split` (train/dev/test) or, for a fold task, `row,fold` (1...5), one
/// line per data record. It must name every record of the data file exactly once, only
/// records the file has, and give every row of one item (one text) the same split: a
/// split that leaked a text across train and test would inflate every score. Each
/// violation is an error naming the split file and line.
public struct ClauseSplits: Sendable {
    /// The split of each item, by index into the corpus's items.
    public let splitOfItem: [ClauseSplitName]
    /// The test fold (fold tasks only).
    public let fold: Int?

    /// The items of one split, in corpus order.
    public func items(_ split: ClauseSplitName, of corpus: ClauseCorpus) -> [ClauseItem] {
        corpus.items.indices.filter { splitOfItem[$0] == split }.map { corpus.items[$0] }
    }

    /// The number of items of each split.
    public var counts: [ClauseSplitName: Int] {
        var counts: [ClauseSplitName: Int] = [:]
        for s in ClauseSplitName.allCases { counts[s] = 0 }
        for s in splitOfItem { counts[s, default: 0] += 1 }
        return counts
    }

    /// For a fold task and test fold `k`: test is fold k, dev fold (k % 5) + 1, train the rest.
    public static func split(ofFold itemFold: Int, testFold k: Int) -> ClauseSplitName {
        if itemFold == k { return .test }
        if itemFold == k % ClauseTask.foldCount + 1 { return .dev }
        return .train
    }

    /// Reads the split file at `path` for `corpus`. `fold` is required for a fold task
    /// (1...5) and refused for the others.
    public static func load(path: String, corpus: ClauseCorpus, fold: Int? = nil) throws -> ClauseSplits {
        let task = corpus.task
        if task.usesFolds {
            guard let fold else { throw ContractReviewError("\(task.rawValue) is scored by \(ClauseTask.foldCount)-fold cross-validation: give the test fold (1...\(ClauseTask.foldCount))") }
            guard (1...ClauseTask.foldCount).contains(fold) else { throw ContractReviewError("the test fold must be in 1...\(ClauseTask.foldCount), got \(fold)") }
        } else if let fold {
            throw ContractReviewError("\(task.rawValue) has a fixed train/dev/test split, not folds (got fold \(fold))")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ContractReviewError("no split file here (tools/make_clause_splits.py writes it)", file: path)
        }
        let column = task.usesFolds ? "fold" : "split"
        var valueOfRow = [String?](repeating: nil, count: corpus.recordCount)
        var lineOfRow = [Int](repeating: 0, count: corpus.recordCount)
        var splitOfItem = [ClauseSplitName?](repeating: nil, count: corpus.items.count)
        var rowOfItem = [Int](repeating: 0, count: corpus.items.count)
        var checkedHeader = false
        try RecordReader.read(path: path, displayName: path, format: .csv) { record in
            if !checkedHeader {
                guard record.fieldNames == ["row", column] else {
                    throw ContractReviewError("the header must be 'row,\(column)', got '\(record.fieldNames.joined(separator: ","))'", file: path, line: 1)
                }
                checkedHeader = true
            }
            let rowText = record.text("row") ?? ""
            guard let row = Int(rowText), row >= 1, row <= corpus.recordCount else {
                throw ContractReviewError("row '\(rowText)' is not a record of \(corpus.path) (1...\(corpus.recordCount))", file: path, line: record.line)
            }
            if valueOfRow[row - 1] != nil {
                throw ContractReviewError("row \(row) is assigned twice (first at line \(lineOfRow[row - 1]))", file: path, line: record.line)
            }
            let value = record.text(column) ?? ""
            let split: ClauseSplitName
            if let fold {
                guard let itemFold = Int(value), (1...ClauseTask.foldCount).contains(itemFold) else {
                    throw ContractReviewError("fold must be 1...\(ClauseTask.foldCount), got '\(value)'", file: path, line: record.line)
                }
                split = ClauseSplits.split(ofFold: itemFold, testFold: fold)
            } else {
                guard let s = ClauseSplitName(rawValue: value) else {
                    throw ContractReviewError("split must be train, dev or test, got '\(value)'", file: path, line: record.line)
                }
                split = s
            }
            valueOfRow[row - 1] = value
            lineOfRow[row - 1] = record.line
            let item = corpus.itemIndexOfRow[row - 1]
            if splitOfItem[item] != nil {
                let first = rowOfItem[item]
                if valueOfRow[first - 1] != value {
                    throw ContractReviewError("row \(row) has the same text as row \(first) (line \(lineOfRow[first - 1])) but \(column) \(value), not \(valueOfRow[first - 1]!): a text must not be in two splits",
                                              file: path, line: record.line)
                }
            } else {
                splitOfItem[item] = split
                rowOfItem[item] = row
            }
        }
        guard checkedHeader else { throw ContractReviewError("the split file is empty", file: path) }
        let missing = valueOfRow.indices.filter { valueOfRow[$0] == nil }
        if let first = missing.first {
            let more = missing.count > 1 ? " and \(missing.count - 1) more" : ""
            throw ContractReviewError("covers \(corpus.recordCount - missing.count) of the \(corpus.recordCount) records of \(corpus.path): no \(column) for row \(first + 1) (\(corpus.path):\(corpus.lineOfRow[first]))\(more)",
                                      file: path)
        }
        return ClauseSplits(splitOfItem: splitOfItem.map { $0! }, fold: fold)
    }
}

import Foundation
import LexgraphCore
import Transformer

/// Fixture reading and a tiny fine-tuned clause model for the ContractReview tests.
enum ClauseTestSupport {
    /// The package root (this file is Tests/ContractReviewTests/ClauseTestSupport.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func list(_ v: Value?) -> [Value] { if case .list(let items)? = v { return items } else { return [] } }
    static func map(_ v: Value) -> [String: Value] { if case .map(let m) = v { return m } else { return [:] } }
    static func doubles(_ v: Value?) -> [Double] { list(v).compactMap(\.doubleValue) }
    static func doubles(_ v: Value) -> [Double] { doubles(Optional(v)) }
    static func ints(_ v: Value?) -> [Int] { list(v).compactMap { $0.intValue.map(Int.init) } }
    static func ints(_ v: Value) -> [Int] { ints(Optional(v)) }

    /// A fresh temporary folder; the caller removes it.
    static func temporaryDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "lexgraph-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func readJSON(_ path: String) throws -> [String: Value] {
        guard case .map(let m) = try Value.parseJSON(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) else {
            throw Failure(description: "\(path) is not a JSON object")
        }
        return m
    }
}

/// Clause-like texts whose labels are the trigger words they contain, a random tiny BERT
/// over their vocabulary, prepared task folders in `lexgraph clauses prepare`'s format,
/// and runs trained on them by `FineTuneRun` (a few updates: seconds at most).
enum TinyClauses {
    /// Word -> label (unfair-tos style names, with spaces).
    static let triggers = [("arbitration", "Arbitration"), ("court", "Jurisdiction"), ("liability", "Limitation of liability")]
    static let fillers = ["the", "a", "party", "shall", "may", "not", "under", "this", "section", "notice", "term", "year",
                          "law", "state", "right", "claim", "fee", "day", "governing", "choice", "of", "notices"]
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + triggers.map(\.0) + fillers

    /// Items of 3...10 filler words plus each trigger with probability 0.35.
    static func multiLabel(_ count: Int, seed: UInt64, allowed: Set<String>? = nil) -> [(text: String, labels: [String])] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var words = (0..<(3 + Int(rng.next() % 8))).map { _ in fillers[Int(rng.next() % UInt64(fillers.count))] }
            var labels: [String] = []
            for (word, label) in triggers where rng.next() % 100 < 35 && (allowed?.contains(label) ?? true) {
                words.insert(word, at: Int(rng.next() % UInt64(words.count + 1)))
                labels.append(label)
            }
            return (words.joined(separator: " "), labels.sorted())
        }
    }

    /// Single-label items: type i % types.count, signalled by its own word.
    static func singleLabel(_ count: Int, seed: UInt64, types: [(word: String, type: String)]) -> [(text: String, labels: [String])] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            var words = (0..<(3 + Int(rng.next() % 8))).map { _ in fillers[Int(rng.next() % UInt64(fillers.count))] }
            let t = types[i % types.count]
            words.insert(t.word, at: Int(rng.next() % UInt64(words.count + 1)))
            return (words.joined(separator: " "), [t.type])
        }
    }

    /// A base encoder folder without a head: config, weights, vocab.txt.
    static func baseModel(in dir: String) throws -> String {
        let modelDir = dir + "/model"
        let config = BertConfig(vocabSize: vocabulary.count, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32,
                                maxPositionEmbeddings: 32, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1)
        try BertModel(config: config, seed: 21).saveCheckpoint(directory: modelDir)
        try Data((vocabulary.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: modelDir + "/vocab.txt"))
        return modelDir
    }

    /// DIR/task.json and DIR/{train,dev,test}.jsonl; ids `clause:tiny:{n}`.
    static func prepare(_ dir: String, task: String, labels: [String], multiLabel: Bool, fold: Int? = nil,
                        splits: [(String, [(text: String, labels: [String])])]) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var n = 0
        var counts: [String: Value] = [:]
        for (split, items) in splits {
            var out = ""
            for item in items {
                n += 1
                let label: Value = multiLabel ? .list(item.labels.map(Value.string)) : .string(item.labels[0])
                out += Value.map(["id": .string("clause:tiny:\(n)"), "text": .string(item.text), "label": label]).jsonText + "\n"
            }
            try Data(out.utf8).write(to: URL(fileURLWithPath: dir + "/\(split).jsonl"))
            counts[split] = .int(Int64(items.count))
        }
        let info: Value = .map(["task": .string(task), "fold": fold.map { .int(Int64($0)) } ?? .null, "keep_headings": .bool(false),
                                "labels": .list(labels.sorted().map(Value.string)), "counts": .map(counts),
                                "data": .string("/nowhere/\(task)"), "split_file": .string("/nowhere/split.csv")])
        try Data(info.jsonText.utf8).write(to: URL(fileURLWithPath: dir + "/task.json"))
    }

    /// Fine-tunes the base model on DIR/train.jsonl with DIR/dev.jsonl as dev set.
    static func train(model: String, prepared: String, run: String, task: FineTuneTask, epochs: Int = 3) throws {
        var options = FineTuneOptions(task: task)
        options.epochs = epochs; options.batchSize = 4; options.learningRate = 3e-3; options.maxLength = 12; options.seed = 5
        let inputs = FineTuneInputs(modelDirectory: model, trainPath: prepared + "/train.jsonl", devPath: prepared + "/dev.jsonl",
                                    fields: TextDatasetFields(id: "id"))
        try FineTuneRun(inputs: inputs, options: options, directory: run).run(resume: false)
    }
}

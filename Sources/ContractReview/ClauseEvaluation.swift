import Foundation
import LexgraphCore
import Sealing
import Tokenizers
import Transformer

/// `lexgraph clauses eval`: scores a fine-tuning run's checkpoint on a prepared clause
/// task. Predicts the dev and test files with RUN/checkpoint, tunes per-label thresholds
/// on dev (multi-label), computes the task's metrics (`ClauseScoring`) on test (and on
/// dev, where the thresholds were chosen: optimistic, for reference), and writes
/// RUN/test_metrics.json and RUN/test_predictions.jsonl.
///
/// The checkpoint is loaded as the run saved it (`BertModel.load` on RUN/checkpoint, head
/// and problem type from its config); before scoring, its dev probabilities are checked
/// against the run's own RUN/dev_predictions.jsonl when both come from the same dev
/// file, so a checkpoint that no longer reproduces its run is an error, not a wrong score.
public struct ClauseEvaluation {
    public var task: PreparedClauseTask
    public var runDirectory: String
    /// Families of the clause types (clause-types only; without, no family accuracy).
    public var families: ClauseFamilies?
    public var batchSize = 32

    public init(task: PreparedClauseTask, runDirectory: String, families: ClauseFamilies? = nil) {
        self.task = task; self.runDirectory = runDirectory; self.families = families
    }

    public static let metricsFile = "test_metrics.json"
    public static let predictionsFile = "test_predictions.jsonl"
    /// Largest difference tolerated between a dev probability recomputed here and the
    /// run's saved one (rounded to 1e-6 there; partial fine-tuning computes dev from a
    /// cache, so the float sums may differ in the last bits).
    static let reproductionTolerance = 1e-3

    /// One split's items, model outputs and scores.
    public struct Split: Sendable {
        public var items: [LabeledText]
        /// Label indices (into the task's scored labels) per item.
        public var gold: [[Int]]
        /// Probabilities per item over the task's scored labels (softmax or sigmoid).
        public var probabilities: [[Double]]
        /// Items longer than the run's max length, cut to it as in training.
        public var truncated: Int
        public var scores: ClauseScores
    }

    public struct Result: Sendable {
        public var task: PreparedClauseTask
        public var runDirectory: String
        public var labels: [String]
        public var maxLength: Int
        public var dev: Split
        public var test: Split
        /// Per-label thresholds tuned on dev (multi-label).
        public var thresholds: [Double]?
        /// Whether dev probabilities were checked against the run's dev predictions.
        public var devReproduced: Bool
        public var familyGraph: String?
        public var seconds: Double
    }

    /// Loads, predicts and scores; writes nothing (`write` does).
    public func run(log: (String) -> Void = { _ in }) throws -> Result {
        let start = Date()
        let record = try FineTuneRun.record(ofRun: runDirectory)
        let configPath = runDirectory + "/config.json"
        guard (record.options.task == .multilabel) == task.task.isMultiLabel else {
            throw ContractReviewError("the run was trained with --task \(record.options.task.rawValue) but \(task.task.rawValue) is "
                                      + (task.task.isMultiLabel ? "multi-label (train with --task multilabel)" : "single-label (train with --task classify)"),
                                      file: configPath)
        }
        let labels = task.scoredLabels
        let column = try Self.columns(task: labels, model: record.labels, taskFile: task.directory + "/" + PreparedClauseTask.fileName, configPath: configPath)
        let familyNames = try families.map { try $0.families(of: labels) }

        let checkpoint = runDirectory + "/checkpoint"
        let tokenizer = try TokenizerFolder.load(directory: checkpoint)
        let model = try BertModel.load(directory: checkpoint, initializeMissingHead: false)
        guard let head = model.head, head.numLabels == record.labels.count else {
            throw ContractReviewError("the checkpoint's head has \(model.head?.numLabels ?? 0) outputs but the run has \(record.labels.count) labels",
                                      file: checkpoint + "/model.safetensors")
        }
        var fields = record.inputs.fields
        if fields.id == nil { fields.id = "id" }

        // Both files are read and their labels checked before any prediction.
        func load(_ split: String) throws -> (path: String, items: [LabeledText], gold: [[Int]]) {
            let path = task.path(of: split)
            guard FileManager.default.fileExists(atPath: path) else {
                throw ContractReviewError("no \(split) file: the task folder lacks it (`lexgraph clauses prepare` writes train, dev and test)", file: path)
            }
            var items = try TextDataset.load(path: path, fields: fields, multiLabel: task.task.isMultiLabel)
            let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
            var gold: [[Int]] = []
            for i in items.indices {
                if task.task == .unfairTOS { items[i].labels.removeAll { $0 == ClauseTask.unfairOtherLabel } }
                gold.append(try items[i].labels.map { name in
                    guard let l = index[name] else {
                        throw ContractReviewError("label \"\(name)\" is not one the model knows (the run's \(record.labels.count) labels: "
                                                  + Self.listed(record.labels.names) + "; \(configPath))", file: path, line: items[i].line)
                    }
                    return l
                })
            }
            return (path, items, gold)
        }

        func predict(_ split: String, _ data: (path: String, items: [LabeledText], gold: [[Int]]))
            throws -> (items: [LabeledText], gold: [[Int]], probabilities: [[Double]], truncated: Int) {
            let (path, items) = (data.path, data.items)
            let encoded = try EncodedExample.encode(items, tokenizer: tokenizer, maxLength: record.options.maxLength, labels: record.labels, path: path)
            let full = try tokenizer.encodeBatch(items.map(\.text), pairs: items.allSatisfy { $0.pair != nil } ? items.map { $0.pair ?? "" } : nil, options: EncodeOptions())
            let truncated = full.filter { $0.ids.count > record.options.maxLength }.count
            let logits = try model.predictLogits(encoded, batchSize: batchSize, padTokenId: tokenizer.padId)
            var probabilities: [[Double]] = []
            probabilities.reserveCapacity(logits.count)
            for (item, row) in zip(items, logits) {
                guard row.allSatisfy(\.isFinite) else {
                    throw ContractReviewError("the model's output is not finite for this item (the checkpoint's weights are broken)", file: path, line: item.line)
                }
                let p = task.task.isMultiLabel ? row.map { 1 / (1 + exp(-Double($0))) } : Self.softmax(row)
                probabilities.append(column.map { p[$0] })
            }
            log("\(split): \(items.count) items scored" + (truncated > 0 ? " (\(truncated) longer than \(record.options.maxLength) tokens, cut as in training)" : ""))
            return (items, data.gold, probabilities, truncated)
        }

        let devData = try load("dev"), testData = try load("test")
        let dev = try predict("dev", devData)
        let devReproduced = try checkReproduction(record: record, devPath: devData.path, items: dev.items, probabilities: dev.probabilities, labels: labels)
        let test = try predict("test", testData)
        let thresholds = task.task.isMultiLabel
            ? ClauseMetrics.tunedThresholds(gold: dev.gold.map(Set.init), scores: dev.probabilities, labelCount: labels.count) : nil
        func scored(_ s: (items: [LabeledText], gold: [[Int]], probabilities: [[Double]], truncated: Int)) -> Split {
            Split(items: s.items, gold: s.gold, probabilities: s.probabilities, truncated: s.truncated,
                  scores: ClauseScoring.score(task: task.task, labels: labels, gold: s.gold, probabilities: s.probabilities,
                                              thresholds: thresholds, families: familyNames))
        }
        return Result(task: task, runDirectory: runDirectory, labels: labels, maxLength: record.options.maxLength,
                      dev: scored(dev), test: scored(test), thresholds: thresholds, devReproduced: devReproduced,
                      familyGraph: families?.source, seconds: Date().timeIntervalSince(start))
    }

    /// For each task label, its output index in the model. The two label sets must be
    /// the same: a task label the model lacks could never be predicted, a model label the
    /// task lacks could be predicted but never scored.
    static func columns(task labels: [String], model: LabelSet, taskFile: String, configPath: String) throws -> [Int] {
        let missing = labels.filter { model.index(of: $0) == nil }
        guard missing.isEmpty else {
            throw ContractReviewError("the run's model has no output for \(missing.count) label(s) of the task (\(taskFile)): "
                                      + listed(missing) + "; train it on this task's train file", file: configPath)
        }
        let extra = Set(model.names).subtracting(labels).sorted()
        guard extra.isEmpty else {
            throw ContractReviewError("the run's model has \(extra.count) label(s) the task (\(taskFile)) does not have: " + listed(extra)
                                      + "; it was trained on another task", file: configPath)
        }
        return labels.map { model.index(of: $0)! }
    }

    static func listed(_ names: [String], limit: Int = 8) -> String {
        names.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ") + (names.count > limit ? ", ... (\(names.count) in all)" : "")
    }

    static func softmax(_ row: [Float]) -> [Double] {
        let m = Double(row.max() ?? 0)
        let e = row.map { exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Compares dev probabilities with RUN/dev_predictions.jsonl when the run was
    /// trained with this dev file; returns whether it compared.
    func checkReproduction(record: FineTuneRun.Record, devPath: String, items: [LabeledText], probabilities: [[Double]], labels: [String]) throws -> Bool {
        let saved = runDirectory + "/dev_predictions.jsonl"
        guard let runDev = record.inputs.devPath, Self.samePath(runDev, devPath), FileManager.default.fileExists(atPath: saved) else { return false }
        // Sealed when the run was trained under an artifact key.
        guard let data = try SealedFiles.read(saved) else { throw ContractReviewError("cannot read the run's dev predictions", file: saved) }
        let text = try TextFile.decode(data, file: saved, error: { ContractReviewError($1, file: $0.file, line: $0.line) })
        var byLine: [Int: [Double]] = [:]
        for (i, line) in text.split(separator: "\n").enumerated() {
            guard case .map(let row)? = try? Value.parseJSON(String(line)), let number = row["line"]?.intValue,
                  case .map(let scores)? = row["scores"] else {
                throw ContractReviewError("not a prediction line (line, scores)", file: saved, line: i + 1)
            }
            byLine[Int(number)] = labels.map { scores[$0]?.doubleValue ?? .nan }
        }
        for (item, p) in zip(items, probabilities) {
            guard let expected = byLine[item.line] else {
                throw ContractReviewError("the run's dev predictions have no line \(item.line) of the dev file: the file changed since training", file: saved)
            }
            for (l, (a, b)) in zip(p, expected).enumerated() where !(abs(a - b) <= Self.reproductionTolerance) {
                throw ContractReviewError("the checkpoint does not reproduce the run's dev predictions: \(devPath) line \(item.line), label \"\(labels[l])\": "
                                          + String(format: "%.6f here, %.6f saved", a, b)
                                          + "; the checkpoint cannot be loaded as it was trained (a head or pooling setting not in its config?)", file: saved)
            }
        }
        return true
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        func normal(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        return normal(a) == normal(b)
    }

    // MARK: - Output

    /// Writes RUN/test_predictions.jsonl, then RUN/test_metrics.json (each whole or not
    /// at all).
    public static func write(_ result: Result) throws {
        var lines = ""
        for (i, item) in result.test.items.enumerated() {
            lines += predictionLine(item: item, gold: result.test.gold[i], probabilities: result.test.probabilities[i], result: result).jsonText + "\n"
        }
        // Sealed, like the run's other predictions, when an artifact key is configured.
        try SealedFiles.write(Data(lines.utf8), to: result.runDirectory + "/" + predictionsFile)
        try writeFile(metricsJSON(result).jsonText + "\n", to: result.runDirectory + "/" + metricsFile)
    }

    /// One test item: id, line, gold and predicted label names, and its scores (every
    /// label's for multi-label; the ten best for clause types).
    static func predictionLine(item: LabeledText, gold: [Int], probabilities p: [Double], result: Result) -> Value {
        var fields: [String: Value] = ["line": .int(Int64(item.line)), "gold": .list(gold.map { .string(result.labels[$0]) })]
        if let id = item.id { fields["id"] = .string(id) }
        if let thresholds = result.thresholds {
            fields["predicted"] = .list(p.indices.filter { p[$0] >= thresholds[$0] }.map { .string(result.labels[$0]) })
            fields["scores"] = .map(Dictionary(uniqueKeysWithValues: zip(result.labels, p).map { ($0, Value.float($1)) }))
        } else {
            fields["predicted"] = .list([.string(result.labels[ClauseMetrics.argmax(p)])])
            let top = p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }.prefix(10)
            fields["top"] = .list(top.map { .map(["label": .string(result.labels[$0]), "score": .float(p[$0])]) })
        }
        return .map(fields)
    }

    /// test_metrics.json: what was scored and with what, the test metrics (and dev's),
    /// thresholds, per-label details.
    public static func metricsJSON(_ r: Result) -> Value {
        func metrics(_ s: ClauseScores) -> Value { .map(s.metrics.mapValues { Value.float($0) }) }
        var out: [String: Value] = [
            "task": .string(r.task.task.rawValue),
            "fold": r.task.fold.map { .int(Int64($0)) } ?? .null,
            "keep_headings": .bool(r.task.keepHeadings),
            "data": .string(absolute(r.task.directory)),
            "run": .string(absolute(r.runDirectory)),
            "max_length": .int(Int64(r.maxLength)),
            "counts": .map(["dev": .int(Int64(r.dev.items.count)), "test": .int(Int64(r.test.items.count))]),
            "truncated": .map(["dev": .int(Int64(r.dev.truncated)), "test": .int(Int64(r.test.truncated))]),
            "metrics": metrics(r.test.scores),
            "dev_metrics": metrics(r.dev.scores),
            "per_label": .list(r.test.scores.perLabel.map(\.json)),
            "thresholds": r.thresholds.map { .map(Dictionary(uniqueKeysWithValues: zip(r.labels, $0).map { ($0, Value.float($1)) })) } ?? .null,
            "dev_reproduced": .bool(r.devReproduced),
            "seconds": .float((r.seconds * 1000).rounded() / 1000),
        ]
        if r.task.task == .cuad {
            out["worst"] = .map(r.test.scores.worstLabels.mapValues(Value.string))
            out["unscored"] = .list(r.test.scores.unscored.map(Value.string))
        }
        if r.task.task == .clauseTypes { out["family_graph"] = r.familyGraph.map(Value.string) ?? .null }
        return .map(out)
    }

    /// A table for people: each metric on test and dev, then (multi-label) each label.
    public static func table(_ r: Result) -> String {
        func cell(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var out = "\(r.task.task.rawValue)" + (r.task.fold.map { " fold \($0)" } ?? "")
            + ": test \(r.test.items.count) items, dev \(r.dev.items.count); run \(r.runDirectory)\n"
        let names = ClauseScoring.metricNames(r.task.task)
        let width = max(22, (names.map(\.count).max() ?? 0) + 2)
        out += pad("metric", width) + pad("test", 9) + "dev\n"
        for name in names {
            var line = pad(name, width) + pad(cell(r.test.scores.metrics[name]), 9) + cell(r.dev.scores.metrics[name])
            if let worst = r.test.scores.worstLabels[name] { line += "   worst: \(worst)" }
            out += line + "\n"
        }
        if r.task.task == .clauseTypes, r.test.scores.metrics["family_accuracy"] == nil {
            out += "(no family accuracy: pass --db with the contracts graph)\n"
        }
        if !r.test.scores.unscored.isEmpty {
            out += "not scored (no test positive): " + r.test.scores.unscored.joined(separator: ", ") + "\n"
        }
        if r.task.task.isMultiLabel {
            let labelWidth = max(10, (r.test.scores.perLabel.map(\.label.count).max() ?? 0) + 2)
            out += "\n" + pad("label", labelWidth) + pad("support", 9) + pad("threshold", 11) + pad("f1", 8)
                + (r.task.task == .cuad ? pad("aupr", 8) + "p@80%r" : "") + "\n"
            for row in r.test.scores.perLabel {
                out += pad(row.label, labelWidth) + pad(String(row.support), 9) + pad(row.threshold.map { String(format: "%.4f", $0) } ?? "-", 11)
                    + pad(cell(row.f1), 8) + (r.task.task == .cuad ? pad(cell(row.averagePrecision), 8) + cell(row.precisionAtRecall80) : "") + "\n"
            }
        }
        if r.test.truncated + r.dev.truncated > 0 {
            out += "\n\(r.test.truncated) test and \(r.dev.truncated) dev items are longer than \(r.maxLength) tokens and were cut to it, as in training\n"
        }
        return out
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)).standardizedFileURL.path
    }

    static func writeFile(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ContractReviewError("cannot write: \(error.localizedDescription)", file: path)
        }
    }
}

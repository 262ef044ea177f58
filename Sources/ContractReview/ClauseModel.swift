import Foundation
import LexgraphCore
import Tokenizers
import Transformer

/// A clause classifier from an ordinary `lexgraph finetune` run folder: `RUN/checkpoint`
/// (weights, Hugging Face config with `id2label` and `problem_type`, tokenizer files) and
/// the run's `lexgraph_finetune` record (the token limit it trained with, its training
/// file). A checkpoint folder itself is accepted too.
///
/// - Single-label runs (`classify`, softmax) label clause types; multi-label runs
///   (`multilabel`, a sigmoid per label) flag unfair terms.
/// - Per-label thresholds come from `RUN/test_metrics.json` (`thresholds`: an object
///   label -> number, or a list in label order) when the file has them, else 0.5.
/// - Whether the model saw headings: `keep_headings` in the `task.json` beside the run's
///   training file (`lexgraph clauses prepare` writes it); without one, no headings.
/// - Texts longer than the run's token limit are scored in overlapping windows
///   (`TokenWindows`), never cut: the windows' logits are averaged, then turned into
///   probabilities (softmax for single-label, a sigmoid per label for multi-label).
public final class ClauseModel {
    public enum Kind: String, Sendable { case singleLabel = "single-label", multiLabel = "multi-label" }

    /// What the reviewer reports about the model.
    public struct Description: Sendable, Equatable {
        public var run: String
        public var kind: Kind
        public var labels: Int
        public var maxLength: Int
        public var withHeadings: Bool
        /// Where the thresholds came from (`RUN/test_metrics.json`), nil for the default 0.5.
        public var thresholdsFile: String?
    }

    /// One text's scores: a probability per label (`labels` order) and how many windows
    /// of the token limit the text took.
    public struct Scores: Sendable, Equatable {
        public var probabilities: [Float]
        public var windows: Int
    }

    public let run: String
    public let checkpoint: String
    public let labels: [String]
    public let kind: Kind
    public let maxLength: Int
    public let thresholds: [Float]
    public let thresholdsFile: String?
    public let withHeadings: Bool
    let model: BertModel
    let tokenizer: BertTokenizer

    public var description: Description {
        Description(run: run, kind: kind, labels: labels.count, maxLength: maxLength, withHeadings: withHeadings, thresholdsFile: thresholdsFile)
    }

    public init(run: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: run, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ContractReviewError("no model run folder (a `lexgraph finetune` run folder with checkpoint/)", file: run)
        }
        let checkpoint: String
        if fm.fileExists(atPath: run + "/checkpoint/model.safetensors") {
            checkpoint = run + "/checkpoint"
        } else if fm.fileExists(atPath: run + "/model.safetensors") {
            checkpoint = run
        } else {
            throw ContractReviewError("not a model run folder: no checkpoint/model.safetensors (a `lexgraph finetune` run folder has one once an epoch has finished)", file: run)
        }
        self.run = run
        self.checkpoint = checkpoint
        let configPath = checkpoint + "/config.json"
        guard let data = fm.contents(atPath: configPath) else { throw ContractReviewError("cannot read the model config", file: configPath) }
        guard case .map(let config)? = try? Value.parseJSON(bytes: [UInt8](data)) else {
            throw ContractReviewError("the model config is not a JSON object", file: configPath)
        }
        switch config["problem_type"]?.stringValue {
        case "single_label_classification"?: kind = .singleLabel
        case "multi_label_classification"?: kind = .multiLabel
        case let other:
            throw ContractReviewError("problem_type is \(other.map { "\"\($0)\"" } ?? "missing"); a clause model is a classify or multilabel run", file: configPath)
        }
        guard case .map(let id2label)? = config["id2label"] else { throw ContractReviewError("no id2label: the model's labels are unknown", file: configPath) }
        var names = [String?](repeating: nil, count: id2label.count)
        for (key, value) in id2label {
            guard let i = Int(key), names.indices.contains(i), let name = value.stringValue else {
                throw ContractReviewError("id2label must map 0..<\(id2label.count) to names, found \"\(key)\": \(value.jsonText)", file: configPath)
            }
            names[i] = name
        }
        labels = names.map { $0 ?? "" }
        let record = config["lexgraph_finetune"]
        var maxLength = 512
        if case .map(let r)? = record, case .map(let options)? = r["options"], let n = options["maxLength"]?.intValue { maxLength = Int(n) }
        var withHeadings = false
        if case .map(let r)? = record, case .map(let inputs)? = r["inputs"], let train = inputs["trainPath"]?.stringValue {
            let taskPath = (train as NSString).deletingLastPathComponent + "/task.json"
            if let taskData = fm.contents(atPath: taskPath), case .map(let task)? = try? Value.parseJSON(bytes: [UInt8](taskData)) {
                withHeadings = task["keep_headings"]?.boolValue ?? false
            }
        }
        self.withHeadings = withHeadings
        model = try BertModel.load(directory: checkpoint)
        guard let head = model.head, head.numLabels == labels.count else {
            throw ContractReviewError("the weights have \(model.head?.numLabels ?? 0) outputs but id2label names \(labels.count) labels", file: configPath)
        }
        self.maxLength = min(maxLength, model.config.maxPositionEmbeddings)
        guard self.maxLength >= 3 else { throw ContractReviewError("token limit \(self.maxLength) leaves no room for text", file: configPath) }
        tokenizer = try BertTokenizer.load(directory: checkpoint)
        (thresholds, thresholdsFile) = try Self.readThresholds(run: run, labels: labels)
    }

    static func readThresholds(run: String, labels: [String]) throws -> ([Float], String?) {
        let path = run + "/test_metrics.json"
        let defaults = [Float](repeating: 0.5, count: labels.count)
        guard let data = FileManager.default.contents(atPath: path) else { return (defaults, nil) }
        guard case .map(let metrics)? = try? Value.parseJSON(bytes: [UInt8](data)) else {
            throw ContractReviewError("not a JSON object", file: path)
        }
        switch metrics["thresholds"] {
        case nil, .null?:
            return (defaults, nil)
        case .map(let byLabel)?:
            var out = defaults
            for (name, value) in byLabel {
                guard let i = labels.firstIndex(of: name) else {
                    throw ContractReviewError("thresholds name \"\(name)\", which is not among the model's labels", file: path)
                }
                guard let t = value.doubleValue, (0...1).contains(t) else {
                    throw ContractReviewError("threshold of \"\(name)\" must be a number in [0, 1], got \(value.jsonText)", file: path)
                }
                out[i] = Float(t)
            }
            return (out, path)
        case .list(let list)?:
            guard list.count == labels.count else {
                throw ContractReviewError("thresholds list has \(list.count) numbers for \(labels.count) labels", file: path)
            }
            return (try list.map { v in
                guard let t = v.doubleValue, (0...1).contains(t) else { throw ContractReviewError("threshold \(v.jsonText) is not a number in [0, 1]", file: path) }
                return Float(t)
            }, path)
        case let other?:
            throw ContractReviewError("thresholds must be an object or a list, got \(other.jsonText.prefix(60))", file: path)
        }
    }

    /// Scores every text (batched; over-long texts in windows).
    public func score(_ texts: [String]) throws -> [Scores] {
        let encodings = try tokenizer.encodeBatch(texts, options: EncodeOptions(addSpecialTokens: false))
        let plan = TokenWindows(contentIds: encodings.map(\.ids), maxLength: maxLength, cls: tokenizer.clsId, sep: tokenizer.sepId)
        let logits = try predictLongestFirst(plan.examples)
        return plan.windowsOfText.map { range in
            // The windows' mean logits, as Transformer's TextWindows combines them.
            var mean = [Float](repeating: 0, count: labels.count)
            for row in logits[range] { for j in mean.indices { mean[j] += row[j] / Float(range.count) } }
            switch kind {
            case .singleLabel:
                let m = mean.max() ?? 0
                let e = mean.map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                return Scores(probabilities: e.map { $0 / s }, windows: range.count)
            case .multiLabel:
                return Scores(probabilities: mean.map { 1 / (1 + Foundation.exp(-$0)) }, windows: range.count)
            }
        }
    }
}

extension ClauseModel {
    /// Logits of `examples` in batches of similar length, the longest batch first: the
    /// model's workspace is then allocated once, for the largest batch, and every later
    /// (shorter) batch is carved from it again; in ascending order each batch outgrew the
    /// last one and allocated anew (on the 45,000-character benchmark that was most of
    /// the process's system time).
    func predictLongestFirst(_ examples: [EncodedExample], batchSize: Int = 32) throws -> [[Float]] {
        var out = [[Float]](repeating: [], count: examples.count)
        let n = labels.count
        for indices in LengthBucketing.sortedBatches(lengths: examples.map(\.length), batchSize: batchSize).reversed() {
            let batch = try BatchCollation.batch(indices.map { examples[$0] }, padTokenId: tokenizer.padId)
            let logits = try model.logits(batch)
            for (row, i) in indices.enumerated() { out[i] = Array(logits[row * n ..< (row + 1) * n]) }
        }
        return out
    }
}

/// Long texts as overlapping windows of the model's token limit: each window is
/// `[CLS]` + up to `maxLength - 2` tokens + `[SEP]`; consecutive windows overlap by a
/// quarter of a window (so no token sits only at a window's cut) and the last one ends at
/// the text's end. The overlap is kept small because every overlapping token costs a
/// second pass. These are the windows of Transformer's windowed prediction (`TextWindows`)
/// with this stride; `ClauseModel.score` is the one caller to switch to it.
struct TokenWindows {
    var examples: [EncodedExample] = []
    /// The rows of `examples` that belong to each text.
    var windowsOfText: [Range<Int>] = []

    init(contentIds: [[Int32]], maxLength: Int, cls: Int32, sep: Int32) {
        let width = maxLength - 2
        for ids in contentIds {
            let first = examples.count
            for start in Self.starts(count: ids.count, width: width) {
                let slice = ids[start..<min(start + width, ids.count)]
                let row = [cls] + slice + [sep]
                examples.append(EncodedExample(ids: row, typeIds: [Int32](repeating: 0, count: row.count), labels: []))
            }
            windowsOfText.append(first..<examples.count)
        }
    }

    static func starts(count: Int, width: Int) -> [Int] {
        guard count > width else { return [0] }
        let stride = max(width - width / 4, 1)
        var starts = Array(Swift.stride(from: 0, to: count - width, by: stride))
        starts.append(count - width)
        return starts
    }
}

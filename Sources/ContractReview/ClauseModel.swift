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
    let tokenizer: any TextTokenizer

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
        tokenizer = try TokenizerFolder.load(directory: checkpoint)
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
        let encodings = try tokenizer.encodeBatch(texts, pairs: nil, options: EncodeOptions(truncation: .doNotTruncate))
        let examples = encodings.map { EncodedExample(ids: $0.ids, typeIds: $0.typeIds, labels: []) }
        // Windows overlap by a quarter of a window, not Transformer's default half: every
        // overlapping token costs a second pass, and a quarter keeps each cut inside
        // another window.
        let span = maxLength - 2
        let windows = try TextWindows(maxLength: maxLength, stride: max(span - span / 4, 1))
        return try model.windowLogits(examples, windows: windows, padTokenId: tokenizer.padId).map { rows in
            // The windows' mean logits, as Transformer's TextWindows combines them.
            var mean = [Float](repeating: 0, count: labels.count)
            for row in rows { for j in mean.indices { mean[j] += row[j] / Float(rows.count) } }
            switch kind {
            case .singleLabel:
                let m = mean.max() ?? 0
                let e = mean.map { Foundation.exp($0 - m) }
                let s = e.reduce(0, +)
                return Scores(probabilities: e.map { $0 / s }, windows: rows.count)
            case .multiLabel:
                return Scores(probabilities: mean.map { 1 / (1 + Foundation.exp(-$0)) }, windows: rows.count)
            }
        }
    }
}

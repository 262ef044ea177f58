import Foundation
import LexgraphCore
import Sealing
import Tokenizers

/// What a run trains on: the base model folder, the data files and their fields.
public struct FineTuneInputs: Sendable, Equatable, Codable {
    public var modelDirectory: String
    public var trainPath: String
    public var devPath: String?
    public var fields: TextDatasetFields
    /// What replaced personal data in the texts before they reached the tokenizer (the
    /// masking policy, described), or nil when the texts were used as they are. A resume
    /// must mask the same way: it is part of the inputs.
    public var masking: String?

    public init(modelDirectory: String, trainPath: String, devPath: String?, fields: TextDatasetFields, masking: String? = nil) {
        self.modelDirectory = modelDirectory; self.trainPath = trainPath; self.devPath = devPath; self.fields = fields
        self.masking = masking
    }
}

/// A fine-tuning run in a folder:
/// - `config.json`: the model's Hugging Face config with the task's labels (`id2label`,
///   `problem_type`), `lexgraph_pooling` for a mean-pooling head, plus `lexgraph_finetune`
///   (inputs, options, labels, class weights);
/// - `metrics.jsonl` (one line per epoch) and `summary.md`;
/// - `checkpoint/`: the best epoch by the dev metric (the last without a dev set) as a
///   folder `transformers` loads (`BertForSequenceClassification`), tokenizer files copied;
///   a LoRA run saves its adapters merged into the base there, and the adapters themselves
///   in `checkpoint/adapter/` (peft's layout, onto the base model folder);
/// - `dev_predictions.jsonl`: that checkpoint's predictions on the dev set;
/// with an artifact key configured, every `.safetensors` file and `dev_predictions.jsonl`
/// are sealed (`SealedFiles`);
/// - `state/`: the latest weights (a LoRA run: the base and `state/adapter/`),
///   `optimizer.safetensors`, `trainer_state.json` and `run_state.json`, from which `resume`
///   continues after the last finished epoch.
public struct FineTuneRun {
    public let inputs: FineTuneInputs
    public let options: FineTuneOptions
    public let directory: String
    /// Masks one text (and pair text) of the train and dev files before tokenization;
    /// required when `inputs.masking` is set. It returns the masked text and the kinds of
    /// what it replaced, for the run's log.
    public var maskText: ((String) -> (text: String, replaced: [String]))?
    /// Frozen-layer caches shared with other runs of the same base model (a study's trials).
    public var sharedCaches: FrozenLayerCaches?

    public init(inputs: FineTuneInputs, options: FineTuneOptions, directory: String,
                maskText: ((String) -> (text: String, replaced: [String]))? = nil) {
        self.inputs = inputs; self.options = options; self.directory = directory; self.maskText = maskText
    }

    var checkpointDirectory: String { directory + "/checkpoint" }
    var stateDirectory: String { directory + "/state" }

    /// The JSON saved under `lexgraph_finetune` in `config.json`: what the run trained
    /// on, with which options, and its labels in head order.
    public struct Record: Codable, Equatable, Sendable {
        public var inputs: FineTuneInputs
        public var options: FineTuneOptions
        public var labels: LabelSet
        /// The loss weights per label the run computed from its training set (absent when
        /// unweighted); a resumed run uses these.
        public var classWeights: [Float]?
    }

    /// The record of the finished or running run in `directory`, for commands that use
    /// its checkpoint (`directory/checkpoint`, a folder `BertModel.load` reads).
    public static func record(ofRun directory: String) throws -> Record {
        let path = directory + "/config.json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw TransformerError("no config.json: not a run folder written by `lexgraph finetune`", file: path)
        }
        return try readRecord(path)
    }

    /// A dev evaluation between epoch ends, where a call with `stopAtStep` stopped.
    public struct InterimEvaluation: Codable, Equatable, Sendable {
        /// Updates done when evaluated.
        public var step: Int
        public var dev: [String: Double]
    }

    /// The file under `state/` holding the interim evaluations, by step.
    public static let interimFile = "interim_metrics.json"

    /// The interim evaluations saved in the run folder `directory` (none: empty).
    public static func interimEvaluations(ofRun directory: String) throws -> [InterimEvaluation] {
        let path = directory + "/state/" + interimFile
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try readJSON(path)
    }

    /// Trains (or, with `resume`, continues) and returns every epoch's metrics so far.
    /// `log` receives one-line notes; `progress` makes a display for each epoch.
    /// `epochLimit` ends this call after that many epochs, `stopAtStep` once that many
    /// updates are done (the run stays resumable). Stopped by `stopAtStep` inside an
    /// epoch, the run evaluates on dev there (`interimEvaluations`; the checkpoint stays
    /// the best epoch's) and saves its state, from which a resumed run goes on exactly as
    /// an uninterrupted one.
    @discardableResult
    public func run(resume: Bool, epochLimit: Int? = nil, stopAtStep: Int? = nil, log: (String) -> Void = { _ in },
                    progress: ((String, Int, Int) -> ProgressBar)? = nil) throws -> [EpochMetrics] {
        let tokenizer = try TokenizerFolder.load(directory: inputs.modelDirectory)
        let multi = options.task == .multilabel
        var trainItems = try TextDataset.load(path: inputs.trainPath, fields: inputs.fields, multiLabel: multi)
        var devItems = try inputs.devPath.map { try TextDataset.load(path: $0, fields: inputs.fields, multiLabel: multi) }
        if let masking = inputs.masking {
            guard let maskText else { throw TransformerError("the run masks its texts (\(masking)) but was given no masker", file: directory) }
            var replaced: [String: Int] = [:]
            func masked(_ items: [LabeledText]) -> [LabeledText] {
                items.map { item in
                    var item = item
                    let text = maskText(item.text)
                    item.text = text.text
                    for kind in text.replaced { replaced[kind, default: 0] += 1 }
                    if let pair = item.pair {
                        let p = maskText(pair)
                        item.pair = p.text
                        for kind in p.replaced { replaced[kind, default: 0] += 1 }
                    }
                    return item
                }
            }
            trainItems = masked(trainItems)
            devItems = devItems.map(masked)
            log("masked the train and dev texts before tokenization (\(masking)): "
                + (replaced.isEmpty ? "nothing found" : replaced.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        }

        let labels: LabelSet
        var savedWeights: [Float]? = nil
        let configPath = directory + "/config.json"
        if resume {
            let record = try Self.readRecord(configPath)
            guard record.inputs == inputs else { throw TransformerError("resume: the model, data files or fields differ from the run's (\(record.inputs))", file: configPath) }
            guard record.options == options else { throw TransformerError("resume: the training options differ from the run's (\(record.options))", file: configPath) }
            labels = record.labels
            guard (record.classWeights != nil) == (options.classWeighting != .none) else {
                throw TransformerError("resume: the run's record \(record.classWeights == nil ? "has no" : "has") class weights but its class weighting is \(options.classWeighting.rawValue)",
                                       file: configPath)
            }
            savedWeights = record.classWeights
        } else {
            if FileManager.default.fileExists(atPath: configPath) {
                throw TransformerError("run folder already holds a run; pass resume to continue it or choose another folder", file: directory)
            }
            labels = try LabelSet(collecting: trainItems)
        }
        let train = try EncodedExample.encode(trainItems, tokenizer: tokenizer, maxLength: options.maxLength, labels: labels, path: inputs.trainPath)
        let dev = try devItems.map { try EncodedExample.encode($0, tokenizer: tokenizer, maxLength: options.maxLength, labels: labels, path: inputs.devPath ?? "") }

        if resume {
            // A finished run needs no model and no cache.
            let saved: TrainingHistory = try readJSON(stateDirectory + "/" + TrainingLoop.historyFile)
            let position: TrainingPosition = try readJSON(stateDirectory + "/" + TrainingLoop.stateFile)
            if saved.stopped || position.epoch >= options.epochs {
                log("the run is already finished (\(saved.history.count) epoch(s))")
                return saved.history
            }
            if let stopAtStep, position.step >= stopAtStep { return saved.history }
        }
        let cacheStart = Date()
        let tuner: FineTuner
        if resume {
            tuner = try FineTuner.resume(from: stateDirectory, examples: train, options: options, padTokenId: tokenizer.padId, classWeights: savedWeights,
                                         sharedCaches: sharedCaches)
            log("resumed at epoch \(tuner.position.epoch + 1), update \(tuner.position.step)")
        } else {
            let model = try BertModel.load(directory: inputs.modelDirectory, head: options.head(labelCount: labels.count), seed: options.seed,
                                           dropoutRate: options.dropoutRate)
            tuner = try FineTuner(model: model, examples: train, options: options, padTokenId: tokenizer.padId, sharedCaches: sharedCaches)
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw TransformerError("cannot create run folder: \(error.localizedDescription)", file: directory)
            }
            try writeConfig(model: model, labels: labels, classWeights: tuner.classWeights, to: configPath)
            if let lora = model.adapters {
                let total = model.parameters.scalarCount
                log("LoRA adapters: rank \(lora.config.rank), alpha \(lora.config.alpha), dropout \(lora.config.dropout) on "
                    + lora.config.targets.map(\.modulePath).joined(separator: ", ") + " of every layer; \(lora.parameterCount) trainable parameters "
                    + "with the classifier copy (" + String(format: "%.2f%%", 100 * Double(lora.parameterCount) / Double(total)) + " of \(total))")
            }
            if let w = tuner.classWeights {
                log("class weights (\(options.task == .classify ? "cross-entropy weight" : "BCE pos_weight")): "
                    + zip(labels.names, w).map { "\($0) \(String(format: "%.3g", $1))" }.joined(separator: ", "))
            }
        }
        let devCache = try dev.flatMap { try tuner.makeCache(for: $0) }
        if options.freezeLayers > 0 {
            log(String(format: "cached the output of %d frozen layers for %d examples in %.1f s (%.1f MB)", options.freezeLayers,
                       train.count + (dev?.count ?? 0), Date().timeIntervalSince(cacheStart),
                       Double((tuner.cache?.floatCount ?? 0) + (devCache?.floatCount ?? 0)) * 4 / 1e6))
        }

        var predictions: [[Float]] = []
        var bar: ProgressBar?
        var hooks = EpochHooks()
        if let dev {
            hooks.evaluate = { _ in
                predictions = try tuner.predict(dev, cache: devCache)
                return Self.metrics(task: options.task, gold: dev.map(\.labels), logits: predictions, labelCount: labels.count)
            }
        }
        hooks.onBest = { _ in
            try saveCheckpoint(tuner.model, labels: labels, classWeights: tuner.classWeights)
            if let devItems { try writePredictions(items: devItems, logits: predictions, labels: labels) }
        }
        hooks.progress = { epoch, steps, done in
            bar = progress?("epoch \(epoch + 1)/\(options.epochs)", steps, done)
            return bar.map { bar in { bar.update(done: $0.stepInEpoch, loss: $0.loss, examples: $0.examples) } }
        }
        hooks.afterEpoch = { metrics in
            bar?.finish(note: metrics.dev.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: " "))
            try TrainingRunFiles.appendLine(try TrainingRunFiles.metricsLine(metrics), to: directory + "/metrics.jsonl")
            try tuner.saveState(to: stateDirectory)
            try writeSummary(tuner.loop.record, labels: labels)
        }
        try tuner.loop.train(epochLimit: epochLimit, stepLimit: stopAtStep.map { max(0, $0 - tuner.position.step) }, hooks: hooks)
        if let stopAtStep, tuner.position.step == stopAtStep, tuner.position.batchesDone > 0, !tuner.isFinished {
            // Stopped inside an epoch: evaluate here, recorded before the state is saved (a
            // process killed in between redoes the updates and writes the same evaluation).
            var interim = try Self.interimEvaluations(ofRun: directory).filter { $0.step != stopAtStep }
            if let dev {
                let logits = try tuner.predict(dev, cache: devCache)
                interim.append(InterimEvaluation(step: stopAtStep, dev: Self.metrics(task: options.task, gold: dev.map(\.labels), logits: logits, labelCount: labels.count)))
                do { try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true) } catch {
                    throw TransformerError("cannot create the state folder: \(error.localizedDescription)", file: stateDirectory)
                }
                try writeJSON(interim.sorted { $0.step < $1.step }, to: stateDirectory + "/" + Self.interimFile)
            }
            try tuner.saveState(to: stateDirectory)
            log("stopped at update \(stopAtStep) (epoch \(tuner.position.epoch + 1), \(tuner.position.batchesDone) of \(tuner.batchesPerEpoch) batches)"
                + (interim.last.map { " dev " + $0.dev.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: " ") } ?? ""))
        }
        if tuner.loop.record.stopped {
            log("early stop: no better dev \(options.task.selectionMetric) for \(tuner.loop.record.epochsWithoutImprovement) epoch(s)")
        }
        return tuner.loop.record.history
    }

    /// Dev metrics from logits: accuracy and macro-F1 (classify), micro- and macro-F1 of
    /// sigmoid > 0.5 (multilabel).
    public static func metrics(task: FineTuneTask, gold: [[Int]], logits: [[Float]], labelCount: Int) -> [String: Double] {
        switch task {
        case .classify:
            let g = gold.map { $0.first ?? -1 }, p = logits.map(argmax)
            return ["accuracy": ClassificationMetrics.accuracy(gold: g, predicted: p), "macro_f1": ClassificationMetrics.macroF1(gold: g, predicted: p)]
        case .multilabel:
            let f = ClassificationMetrics.multiLabelF1(gold: gold.map(Set.init), predicted: logits.map(predictedSet), labelCount: labelCount)
            return ["micro_f1": f.micro, "macro_f1": f.macro]
        }
    }

    static func argmax(_ row: [Float]) -> Int { row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0 }
    static func predictedSet(_ row: [Float]) -> Set<Int> { Set(row.indices.filter { row[$0] > 0 }) }  // sigmoid > 0.5

    // MARK: - Files

    /// The HF config with the task's label names, the head's pooling and our record.
    func writeConfig(model: BertModel, labels: LabelSet, classWeights: [Float]?, to path: String) throws {
        var config = model.config
        config.numLabels = labels.count
        config.problemType = options.task.problemType.rawValue
        config.headPooling = options.pooling == .mean ? .mean : nil
        guard case .map(var fields) = config.json(architecture: config.architecture.classifierClass) else { return }
        fields["id2label"] = .map(Dictionary(uniqueKeysWithValues: labels.names.enumerated().map { ("\($0)", Value.string($1)) }))
        fields["label2id"] = .map(Dictionary(uniqueKeysWithValues: labels.names.enumerated().map { ($1, Value.int(Int64($0))) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        fields["lexgraph_finetune"] = try Value.parseJSON(bytes: [UInt8](encoder.encode(Record(inputs: inputs, options: options, labels: labels,
                                                                                                classWeights: classWeights))))
        do { try Data(Value.map(fields).jsonText.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TransformerError("cannot write config: \(error.localizedDescription)", file: path)
        }
    }

    static func readRecord(_ path: String) throws -> Record {
        guard let data = FileManager.default.contents(atPath: path) else { throw TransformerError("no run to resume: cannot read config", file: path) }
        guard case .map(let fields)? = try? Value.parseJSON(bytes: [UInt8](data)), let record = fields["lexgraph_finetune"] else {
            throw TransformerError("config has no \"lexgraph_finetune\" record: not a lexgraph fine-tuning run", file: path)
        }
        do { return try JSONDecoder().decode(Record.self, from: Data(record.jsonText.utf8)) } catch {
            throw TransformerError("unreadable \"lexgraph_finetune\" record: \(error)", file: path)
        }
    }

    /// Weights + our config + the base model's tokenizer files; with adapters, the adapters
    /// (`checkpoint/adapter`) and the weights with them merged, so every reader of a
    /// checkpoint loads it as it loads any other.
    func saveCheckpoint(_ model: BertModel, labels: LabelSet, classWeights: [Float]?) throws {
        if let lora = model.adapters {
            try lora.save(directory: checkpointDirectory + "/" + FineTuner.adapterFolder, baseModel: inputs.modelDirectory)
            try model.mergedCopy().saveCheckpoint(directory: checkpointDirectory)
        } else {
            try model.saveCheckpoint(directory: checkpointDirectory)
        }
        try writeConfig(model: model, labels: labels, classWeights: classWeights, to: checkpointDirectory + "/config.json")
        try TrainingRunFiles.copyTokenizerFiles(from: inputs.modelDirectory, to: checkpointDirectory)
    }

    func writePredictions(items: [LabeledText], logits: [[Float]], labels: LabelSet) throws {
        var out = ""
        for (item, row) in zip(items, logits) {
            var fields: [String: Value] = ["line": .int(Int64(item.line)), "gold": .list(item.labels.map { .string($0) })]
            if let id = item.id { fields["id"] = .string(id) }
            let scores: [Double]
            switch options.task {
            case .classify:
                let m = row.max() ?? 0
                let e = row.map { exp(Double($0 - m)) }, s = e.reduce(0, +)
                scores = e.map { $0 / s }
                fields["predicted"] = .string(labels.names[Self.argmax(row)])
            case .multilabel:
                scores = row.map { 1 / (1 + exp(-Double($0))) }
                fields["predicted"] = .list(Self.predictedSet(row).sorted().map { .string(labels.names[$0]) })
            }
            fields["scores"] = .map(Dictionary(uniqueKeysWithValues: zip(labels.names, scores).map { ($0, Value.float(($1 * 1e6).rounded() / 1e6)) }))
            out += Value.map(fields).jsonText + "\n"
        }
        let path = directory + "/dev_predictions.jsonl"
        do { try SealedFiles.write(Data(out.utf8), to: path) } catch let error as SealingError {
            throw TransformerError("cannot write predictions: \(error.message)", file: path)
        }
    }

    func writeSummary(_ state: TrainingHistory, labels: LabelSet) throws {
        let keys = Array(Set(state.history.flatMap(\.dev.keys))).sorted()
        var md = "# Fine-tuning run\n\n"
        md += "- model: `\(inputs.modelDirectory)`, task: \(options.task.rawValue), \(labels.count) labels\n"
        md += "- train: `\(inputs.trainPath)`" + (inputs.devPath.map { ", dev: `\($0)`" } ?? "") + "\n"
        md += "- epochs \(options.epochs), lr \(options.learningRate)\(options.headLearningRate.map { " (head \($0))" } ?? ""), batch \(options.batchSize) × \(options.accumulationSteps), max length \(options.maxLength), frozen layers \(options.freezeLayers), seed \(options.seed)\n"
        if let lora = options.lora {
            md += "- LoRA: rank \(lora.rank), alpha \(lora.alpha), dropout \(lora.dropout), targets " + lora.targets.map(\.modulePath).joined(separator: ", ")
                + (lora.rankStabilized ? ", rank-stabilized" : "") + "; `checkpoint/` holds them merged, `checkpoint/adapter/` the adapters\n"
        }
        if let best = state.bestEpoch, let metric = state.bestMetric {
            md += "- best: epoch \(best), dev \(options.task.selectionMetric) \(String(format: "%.4f", metric))" + (state.stopped ? " (stopped early)" : "") + "\n"
        }
        md += "\n| epoch | step | train loss | " + keys.map { "dev \($0)" }.joined(separator: " | ") + (keys.isEmpty ? "" : " | ") + "seconds |\n"
        md += "|---|---|---|" + String(repeating: "---|", count: keys.count) + "---|\n"
        for m in state.history {
            md += "| \(m.epoch)\(m.best ? " *" : "") | \(m.step) | \(String(format: "%.4f", m.trainLoss)) | "
                + keys.map { String(format: "%.4f", m.dev[$0] ?? .nan) }.joined(separator: " | ") + (keys.isEmpty ? "" : " | ")
                + String(format: "%.1f", m.seconds) + " |\n"
        }
        let path = directory + "/summary.md"
        do { try Data(md.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TransformerError("cannot write summary: \(error.localizedDescription)", file: path)
        }
    }
}

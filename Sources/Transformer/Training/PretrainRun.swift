import Foundation
import Tokenizers

/// A masked-language-modelling (domain-adaptive pretraining) run in a folder:
/// - `pretrain.json`: inputs, options, corpus sizes and the held-out perplexity before training;
/// - `metrics.jsonl` (one line per epoch: train loss, held-out loss and perplexity) and `summary.md`;
/// - `model/`: the epoch with the lowest held-out perplexity as a folder `transformers` loads
///   as `BertForMaskedLM` (tokenizer files copied, the pooler kept in `pooler.safetensors`
///   so `lexgraph finetune --model RUN/model` fine-tunes from it);
/// - `state/`: the latest weights, optimizer moments, position and history, saved after
///   every epoch (and every `saveEvery` updates), from which `resume` continues exactly.
///
/// Texts are tokenized whole and cut into windows of `maxLength` tokens without overlap;
/// held-out perplexity is measured on the first `evalWindows` held-out windows under masks
/// fixed by the seed, so every evaluation of the run scores the same tokens.
public struct PretrainRun {
    public let inputs: PretrainInputs
    public let options: PretrainOptions
    public let directory: String

    public static let recordFile = "pretrain.json"
    /// The dev metric the loop maximizes: minus the held-out perplexity.
    public static let selectionMetric = "neg_perplexity"

    public init(inputs: PretrainInputs, options: PretrainOptions, directory: String) {
        self.inputs = inputs; self.options = options; self.directory = directory
    }

    var modelDirectory: String { directory + "/model" }
    var stateDirectory: String { directory + "/state" }

    /// What `pretrain.json` holds.
    public struct Record: Codable, Equatable, Sendable {
        public var inputs: PretrainInputs
        public var options: PretrainOptions
        public var trainDocuments: Int
        public var trainWindows: Int
        public var heldOutDocuments: Int
        public var heldOutWindowsScored: Int
        /// Held-out loss and perplexity of the base model.
        public var before: MaskedLMPerplexity
    }

    /// What a call did: the base model's perplexity and every finished epoch's metrics.
    public struct Outcome {
        public var before: MaskedLMPerplexity
        public var history: [EpochMetrics]
        /// This call ended on its step limit with the run unfinished (resumable).
        public var paused: Bool
        /// The lowest held-out perplexity of the finished epochs, if any.
        public var best: Double? { history.compactMap { $0.dev["heldout_perplexity"] }.min() }
    }

    /// Trains (or, with `resume`, continues). `train` and `heldOut` are the corpus texts
    /// (`inputs` names their files for the record). `stepLimit` ends this call after that
    /// many updates, saving the state; `saveEvery` saves it every that many updates too.
    public func run(train: [String], heldOut: [String], resume: Bool, stepLimit: Int? = nil, saveEvery: Int? = nil,
                    log: @escaping (String) -> Void = { _ in }, progress: ((String, Int, Int) -> ProgressBar)? = nil) throws -> Outcome {
        let recordPath = directory + "/" + Self.recordFile
        guard !train.isEmpty else { throw TransformerError("the training corpus has no text", file: inputs.trainPath) }
        guard !heldOut.isEmpty else { throw TransformerError("the held-out corpus has no text: perplexity cannot be measured", file: inputs.heldOutPath) }
        if let stepLimit, stepLimit < 1 { throw TransformerError("the step limit must be at least 1, got \(stepLimit)") }
        if let saveEvery, saveEvery < 1 { throw TransformerError("saving every N updates needs N >= 1, got \(saveEvery)") }
        var saved: Record?
        if resume {
            let record: Record = try readJSON(recordPath)
            guard record.inputs == inputs else { throw TransformerError("resume: the model or corpus files differ from the run's (\(record.inputs))", file: recordPath) }
            guard record.options == options else { throw TransformerError("resume: the training options differ from the run's (\(record.options))", file: recordPath) }
            saved = record
        } else if FileManager.default.fileExists(atPath: recordPath) {
            throw TransformerError("run folder already holds a run; pass resume to continue it or choose another folder", file: directory)
        }

        let tokenizer = try BertTokenizer.load(directory: inputs.modelDirectory)
        let (model, headLoaded) = resume ? try MaskedLanguageModel.load(directory: stateDirectory, seed: options.seed)
                                         : try MaskedLanguageModel.load(directory: inputs.modelDirectory, seed: options.seed)
        try options.validate(maxPositions: model.config.maxPositionEmbeddings)
        guard tokenizer.vocabulary.count <= model.config.vocabSize else {
            throw TransformerError("the tokenizer has \(tokenizer.vocabulary.count) tokens but the model's vocab_size is \(model.config.vocabSize)", file: inputs.modelDirectory)
        }
        if !resume && !headLoaded { log("the base model has no MLM head: initialized from seed \(options.seed) (as transformers does)") }
        let masker = try WholeWordMasker(vocabulary: try MaskingVocabulary(tokenizer.vocabulary), probability: options.maskProbability)

        let encodeStart = Date()
        let trainWindows = try Self.windows(train, tokenizer: tokenizer, maxLength: options.maxLength)
        var heldOutWindows = try Self.windows(heldOut, tokenizer: tokenizer, maxLength: options.maxLength)
        if let n = options.evalWindows { heldOutWindows = Array(heldOutWindows.prefix(n)) }
        log(String(format: "corpus: %d texts -> %d training windows (%d tokens), %d held-out windows scored; tokenized in %.1f s",
                   train.count, trainWindows.count, trainWindows.map(\.length).reduce(0, +), heldOutWindows.count, Date().timeIntervalSince(encodeStart)))

        let perplexity = { try model.perplexity(heldOutWindows, masker: masker, seed: options.seed, padTokenId: tokenizer.padId) }
        let record: Record
        if let saved {
            record = saved
        } else {
            let start = Date()
            let before = try perplexity()
            log(String(format: "held-out perplexity before training: %.3f (%d masked tokens, %.1f s)", before.perplexity, before.maskedTokens,
                       Date().timeIntervalSince(start)))
            record = Record(inputs: inputs, options: options, trainDocuments: train.count, trainWindows: trainWindows.count,
                            heldOutDocuments: heldOut.count, heldOutWindowsScored: heldOutWindows.count, before: before)
            try TrainingRunFiles.createFolder(directory, what: "run folder")
            try writeJSON(record, to: recordPath)
        }
        guard record.trainWindows == trainWindows.count, record.heldOutWindowsScored == heldOutWindows.count else {
            throw TransformerError("resume: the corpus gives \(trainWindows.count) training and \(heldOutWindows.count) held-out windows, the run had \(record.trainWindows) and \(record.heldOutWindowsScored)",
                                   file: recordPath)
        }

        let objective = MaskedLanguageModelObjective(model: model, examples: trainWindows, masker: masker, dropout: true, seed: options.seed,
                                                     padTokenId: tokenizer.padId)
        let loop = try TrainingLoop(objective: objective,
                                    groups: [ParameterGroup(name: "model", parameters: model.parameters, learningRate: options.learningRate,
                                                            weightDecay: options.weightDecay, frozen: model.unusedParameterNames)],
                                    settings: options.trainingSettings)
        if resume {
            try loop.restoreState(from: stateDirectory)
            if loop.isFinished {
                log("the run is already finished (\(loop.record.history.count) epoch(s), \(loop.position.step) updates)")
                return Outcome(before: record.before, history: loop.record.history, paused: false)
            }
            log("resumed at epoch \(loop.position.epoch + 1), update \(loop.position.step) of \(loop.totalSteps)")
        } else {
            log("training: \(loop.totalSteps) updates (\(loop.stepsPerEpoch) per epoch) of \(options.batchSize)×\(options.accumulationSteps) windows")
        }

        let saveState = {
            try model.save(directory: stateDirectory, tokenizerFrom: nil)
            try loop.saveState(to: stateDirectory)
        }
        var bar: ProgressBar?
        var hooks = EpochHooks()
        hooks.evaluate = { _ in
            let p = try perplexity()
            return ["heldout_loss": p.loss, "heldout_perplexity": p.perplexity, Self.selectionMetric: -p.perplexity]
        }
        hooks.onBest = { _ in try model.save(directory: modelDirectory, tokenizerFrom: inputs.modelDirectory) }
        hooks.progress = { epoch, steps, done in
            bar = progress?("epoch \(epoch + 1)/\(options.epochs)", min(steps, loop.totalSteps - (loop.position.step - done)), done)
            return { report in
                bar?.update(done: report.stepInEpoch, loss: report.loss, examples: report.examples)
                // Mid-epoch saves only: an epoch's end is saved after its evaluation (afterEpoch).
                if let saveEvery, report.globalStep % saveEvery == 0, loop.position.batchesDone != 0, !loop.isFinished {
                    do { try saveState() } catch { log("warning: could not save the state at update \(report.globalStep): \(error)") }
                }
            }
        }
        hooks.afterEpoch = { metrics in
            bar?.finish(note: String(format: "held-out perplexity %.3f", metrics.dev["heldout_perplexity"] ?? .nan))
            bar = nil
            try TrainingRunFiles.appendLine(try TrainingRunFiles.metricsLine(metrics), to: directory + "/metrics.jsonl")
            try saveState()
            try writeSummary(record, history: loop.record)
        }
        try loop.train(stepLimit: stepLimit, hooks: hooks)
        let paused = !loop.isFinished && loop.position.batchesDone != 0
        if paused {
            bar?.finish(note: "paused")
            try saveState()
            log("stopped after update \(loop.position.step) of \(loop.totalSteps) (the step limit); resume continues the run")
        }
        return Outcome(before: record.before, history: loop.record.history, paused: paused)
    }

    /// Each text tokenized whole, then cut into windows of at most `maxLength` tokens.
    static func windows(_ texts: [String], tokenizer: BertTokenizer, maxLength: Int) throws -> [EncodedExample] {
        let encoded = try tokenizer.encodeBatch(texts, options: EncodeOptions(truncation: .doNotTruncate)).map {
            EncodedExample(ids: $0.ids, typeIds: $0.typeIds, labels: [])
        }
        let cutter = try TextWindows(maxLength: maxLength, stride: maxLength - 2)
        return try encoded.flatMap { try cutter.windows(of: $0) }.filter { $0.length > 2 }
    }

    func writeSummary(_ record: Record, history: TrainingHistory) throws {
        let o = options, before = record.before.perplexity
        var md = "# Masked-language-model pretraining run\n\n"
        md += "- model: `\(inputs.modelDirectory)`\n- corpus: `\(inputs.trainPath)` (\(record.trainDocuments) texts, \(record.trainWindows) windows), "
        md += "held out: `\(inputs.heldOutPath)` (\(record.heldOutDocuments) texts, \(record.heldOutWindowsScored) windows scored)\n"
        md += "- epochs \(o.epochs)" + (o.maxSteps.map { ", max steps \($0)" } ?? "") + ", lr \(o.learningRate), batch \(o.batchSize) × \(o.accumulationSteps), "
        md += "max length \(o.maxLength), masking \(o.maskProbability) (whole words), seed \(o.seed)\n"
        md += String(format: "- held-out perplexity before training: %.3f (loss %.4f over %d masked tokens)\n", before, record.before.loss, record.before.maskedTokens)
        if let best = history.bestEpoch, let m = history.bestMetric {
            md += String(format: "- best: epoch %d, perplexity %.3f (%+.1f%%), saved in `model/`\n", best, -m, (-m / before - 1) * 100)
        }
        md += "\n| epoch | step | train loss | held-out loss | held-out perplexity | change | seconds |\n|---|---|---|---|---|---|---|\n"
        for m in history.history {
            let p = m.dev["heldout_perplexity"] ?? .nan
            md += String(format: "| %d%@ | %d | %.4f | %.4f | %.3f | %+.1f%% | %.1f |\n", m.epoch, m.best ? " *" : "", m.step, m.trainLoss,
                         m.dev["heldout_loss"] ?? .nan, p, (p / before - 1) * 100, m.seconds)
        }
        try TrainingRunFiles.write(md, to: directory + "/summary.md", what: "summary")
    }
}

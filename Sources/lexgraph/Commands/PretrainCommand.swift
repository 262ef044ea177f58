import ArgumentParser
import Foundation
import GraphStore
import PretrainingCorpus
import Tensor
import Transformer

/// `lexgraph pretrain`: domain-adaptive (continued masked-language-model) pretraining of
/// a BERT encoder on a legal corpus, into a run folder whose `model/` fine-tunes like any
/// base model.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Continue masked-language-model pretraining of a BERT encoder on a legal corpus.",
        discussion: """
        The corpus is a folder with train.jsonl and heldout.jsonl (one {"text": ...} object a line). \
        --data builds it from the shared data first (SCOTUS facts, clause corpora, ECHR articles, \
        contracts, leaving out every downstream test text) into --corpus, or RUN/corpus. Texts are \
        cut into windows of --max-length tokens; 15% of the words are masked (80% [MASK], 10% a \
        random token, 10% kept). Held-out perplexity is measured before training and after each \
        epoch on the same masked tokens; RUN/model is the best epoch as a BertForMaskedLM folder \
        (pass it to `lexgraph finetune --model`). --stop-after N ends the call after N updates and \
        --resume continues the run exactly where it stopped.
        """
    )

    @Option(name: .long, help: "Base model folder (default: $LEXGRAPH_MODEL or models/all-minilm-l6-v2).")
    var model: String?
    @Option(name: .long, help: "Corpus folder with train.jsonl and heldout.jsonl (with --data: where to build it; default RUN/corpus).")
    var corpus: String?
    @Option(name: .long, help: "Build the corpus from this shared data folder first.")
    var data: String?
    @Option(name: .long, help: "Run folder to write.")
    var out: String
    @Option(name: .long, help: "Epochs over the corpus.")
    var epochs = 1
    @Option(name: .long, help: "End the run after this many updates (the schedule decays over them).")
    var maxSteps: Int?
    @Option(name: .long, help: "Peak learning rate (AdamW).")
    var lr: Float = 5e-5
    @Option(name: .long, help: "Windows per micro-batch.")
    var batchSize = 16
    @Option(name: [.customLong("accumulate"), .customLong("accumulation")], help: "Micro-batches per optimizer update (gradient accumulation).")
    var accumulate = 1
    @Option(name: .long, help: "Tokens per window, special tokens included.")
    var maxLength = 128
    @Option(name: .long, help: "Share of words masked.")
    var maskProbability: Float = 0.15
    @Option(name: .long, help: "Share of updates spent on linear warm-up.")
    var warmupRatio = 0.06
    @Option(name: .long, help: "AdamW decoupled weight decay.")
    var weightDecay: Float = 0.01
    @Option(name: .long, help: "Clip the global gradient norm to this (0: no clipping).")
    var maxGradNorm: Float = 1
    @Option(name: .long, help: "Held-out windows scored for perplexity (0: all).")
    var evalWindows = 512
    @Option(name: .long, help: "Also save the resumable state every N updates (it is saved after every epoch).")
    var saveEvery: Int?
    @Option(name: .long, help: "End this call after N updates, state saved (--resume continues).")
    var stopAfter: Int?
    @Option(name: .long, help: "Seed for the MLM head's initialization, window order, masks and dropout.")
    var seed: UInt64 = 42
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?
    @OptionGroup var masking: TrainingMaskOptions
    @Flag(name: .long, help: "Continue the run in --out.")
    var resume = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if maxGradNorm < 0 { throw ValidationError("--max-grad-norm must not be negative, got \(maxGradNorm)") }
        if evalWindows < 0 { throw ValidationError("--eval-windows must not be negative, got \(evalWindows)") }
        if let saveEvery, saveEvery < 1 { throw ValidationError("--save-every must be at least 1, got \(saveEvery)") }
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1, got \(stopAfter)") }
        if corpus == nil && data == nil { throw ValidationError("pass --corpus DIR (train.jsonl, heldout.jsonl) or --data DIR to build it") }
        if resume && data != nil { throw ValidationError("--resume reads the run's corpus: pass --corpus, not --data") }
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        let modelPath = try ModelPath.setting(model).require("model folder", folder: true)
        let log = { (line: String) in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let corpusFolder = corpus ?? out + "/corpus"
        if let data {
            let dataPath = try PathSetting(data, option: "--data", variable: "LEXGRAPH_DATA", default: "../shared/data").require("data folder", folder: true)
            guard let root = BuildCatalog.projectRoot() else {
                throw CLIError("cannot find graphs/contracts/splits (the downstream test folds to leave out): run lexgraph from the project folder or set LEXGRAPH_ROOT")
            }
            let built = try PretrainingCorpus.build(.init(dataFolder: PathSetting.absolute(dataPath), splitsRoot: root.path))
            try built.write(to: corpusFolder)
            log("corpus: \(built.train.count) training and \(built.heldOut.count) held-out texts written to \(corpusFolder)")
        }
        let trainPath = corpusFolder + "/" + PretrainingCorpus.trainFile, heldOutPath = corpusFolder + "/" + PretrainingCorpus.heldOutFile
        var train = try PretrainingCorpus.read(path: trainPath).map(\.text), heldOut = try PretrainingCorpus.read(path: heldOutPath).map(\.text)
        let masker = try masking.masker()
        if let masker {
            var replaced: [String: Int] = [:]
            func masked(_ texts: [String]) -> [String] {
                texts.map { text in
                    let m = masker.mask(text)
                    for kind in m.replaced { replaced[kind, default: 0] += 1 }
                    return m.text
                }
            }
            train = masked(train)
            heldOut = masked(heldOut)
            log("masked the corpus texts before tokenization (\(masker.description)): \(TrainingMaskOptions.summary(replaced))")
        }

        var options = PretrainOptions()
        options.epochs = epochs; options.maxSteps = maxSteps; options.learningRate = lr; options.batchSize = batchSize
        options.accumulationSteps = accumulate; options.maxLength = maxLength; options.seed = seed; options.warmupRatio = warmupRatio
        options.weightDecay = weightDecay; options.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        options.maskProbability = maskProbability; options.evalWindows = evalWindows > 0 ? evalWindows : nil
        let inputs = PretrainInputs(modelDirectory: PathSetting.absolute(modelPath), trainPath: PathSetting.absolute(trainPath),
                                    heldOutPath: PathSetting.absolute(heldOutPath), masking: masker?.description)
        let outcome = try PretrainRun(inputs: inputs, options: options, directory: out).run(
            train: train, heldOut: heldOut, resume: resume, stepLimit: stopAfter, saveEvery: saveEvery, log: log,
            progress: { title, total, done in ProgressBar(title: title, total: total, done: done) })
        let before = outcome.before.perplexity
        var line = String(format: "held-out perplexity: before %.3f", before)
        if let best = outcome.best { line += String(format: ", best %.3f (%+.1f%%)", best, (best / before - 1) * 100) }
        Console.text(line)
        if outcome.paused { Console.text("paused: continue with --resume") }
        Console.text("run folder: \(out) (\(outcome.history.count) epoch(s)\(outcome.history.isEmpty ? "" : "; model in \(out)/model"))")
    }
}

import ArgumentParser
import Foundation
import LexgraphCore
import Tensor
import Transformer

/// `lexgraph finetune`: fine-tunes a BERT encoder with a classification head on a JSONL
/// or TSV file and writes a run folder (config, metrics per epoch, best checkpoint, dev
/// predictions, resumable state). Progress goes to stderr.
struct FineTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a BERT encoder for text classification (single- or multi-label).",
        discussion: """
        Data: .jsonl (one object per line) or .tsv (header row). Multi-label labels are a JSON list, \
        or in TSV a '|'-separated cell. --freeze-layers k keeps the embeddings and the bottom k layers \
        fixed and computes their output once (the fast option on CPU); k = the model's depth trains \
        the head only, over final states computed once. --pooling mean puts the head on the mean of \
        the tokens' last hidden states (as sentence-transformers embeds) instead of the [CLS] pooler. \
        --class-weight balanced weights the loss by label rarity in the training set: cross-entropy \
        weight n/(C*n_c), or for multilabel BCE pos_weight n_neg/n_pos (at most 100). --lora-rank r \
        trains low-rank adapters (peft LoRA) on the attention projections (--lora-targets attention+ffn: \
        the feed-forward ones too) and the classifier, with the base frozen; the run saves them in \
        checkpoint/adapter/ (peft's layout) and merged into checkpoint/. LoRA runs every layer, so it \
        cannot be combined with --freeze-layers. --resume continues the run in --out after its last \
        finished epoch; it needs the same data and options.
        """
    )

    @OptionGroup var data: FineTuneDataOptions
    @Option(name: .long, help: "Dev file for metrics, best checkpoint and early stopping.")
    var dev: String?
    @Option(name: .long, help: "Epochs.")
    var epochs = 3
    @Option(name: .long, help: "Peak learning rate (AdamW).")
    var lr: Float = 5e-5
    @Option(name: .long, help: "Peak learning rate of the classifier, as its own AdamW group (default: --lr).")
    var headLearningRate: Float?
    @Option(name: .long, help: "Examples per micro-batch.")
    var batchSize = 16
    @Option(name: .long, help: "Micro-batches per optimizer update (gradient accumulation).")
    var accumulate = 1
    @Option(name: .long, help: "Token limit per input, special tokens included.")
    var maxLength = 128
    @Option(name: .long, help: "Freeze the embeddings and this many bottom layers, caching their output (the depth: head only).")
    var freezeLayers = 0
    @Option(name: .long, help: "Head pooling: cls (BERT pooler on [CLS]) or mean (mean of the last hidden states).")
    var pooling: HeadPooling = .cls
    @Option(name: .long, help: "Loss weights by label frequency: none or balanced.")
    var classWeight: ClassWeighting = .none
    @Option(name: .long, help: "Stop after this many epochs without a better dev metric.")
    var patience: Int?
    @Option(name: .long, help: "Seed for head initialization, batch order and dropout.")
    var seed: UInt64 = 42
    @Option(name: .long, help: "Share of updates spent on linear warm-up.")
    var warmupRatio = 0.1
    @Option(name: .long, help: "AdamW decoupled weight decay.")
    var weightDecay: Float = 0.01
    @Option(name: .long, help: "Clip the global gradient norm to this (0: no clipping).")
    var maxGradNorm: Float = 1
    @Option(name: .long, help: "Train LoRA adapters of this rank (and the classifier) instead of every parameter.")
    var loraRank: Int?
    @Option(name: .long, help: "LoRA alpha: the adapters' output is scaled by alpha/rank (default 8, peft's).")
    var loraAlpha: Double?
    @Option(name: .long, help: "Dropout on the adapters' input during training (default 0, peft's).")
    var loraDropout: Double?
    @Option(name: .long, help: "Layers LoRA adapts: attention (query, key, value, output) or attention+ffn.")
    var loraTargets: LoRATargetChoice?
    @OptionGroup var masking: TrainingMaskOptions
    @Option(name: .long, help: "BLAS threads (default: $LEXGRAPH_BLAS_THREADS or 1).")
    var threads: Int?
    @Option(name: .long, help: "Run folder to write.")
    var out: String
    @Flag(name: .long, help: "Continue the run in --out.")
    var resume = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if maxGradNorm < 0 { throw ValidationError("--max-grad-norm must not be negative, got \(maxGradNorm)") }
        if loraRank == nil {
            let given = [("--lora-alpha", loraAlpha != nil), ("--lora-dropout", loraDropout != nil), ("--lora-targets", loraTargets != nil)]
            if let (name, _) = given.first(where: \.1) { throw ValidationError("\(name) needs --lora-rank (LoRA is off without a rank)") }
        }
    }

    func run() throws {
        if let threads { BLAS.threadCount = threads }
        var options = FineTuneOptions(task: data.task)
        options.epochs = epochs; options.learningRate = lr; options.headLearningRate = headLearningRate; options.batchSize = batchSize; options.accumulationSteps = accumulate
        options.maxLength = maxLength; options.freezeLayers = freezeLayers; options.patience = patience; options.seed = seed
        options.warmupRatio = warmupRatio; options.weightDecay = weightDecay; options.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        options.pooling = pooling; options.classWeighting = classWeight
        if let loraRank {
            let peft = LoRAConfig()
            options.lora = LoRAConfig(rank: loraRank, alpha: loraAlpha ?? peft.alpha, dropout: loraDropout ?? peft.dropout,
                                      targets: (loraTargets ?? .attention).targets)
        }
        var inputs = try data.inputs(dev: dev)
        let masker = try masking.masker()
        inputs.masking = masker?.description
        let stderr = FileHandle.standardError
        let history = try FineTuneRun(inputs: inputs, options: options, directory: out, maskText: masker?.mask).run(
            resume: resume, log: { stderr.write(Data(($0 + "\n").utf8)) },
            progress: { title, total, done in ProgressBar(title: title, total: total, done: done) })
        if let last = history.last {
            Console.text("run folder: \(out) (\(history.count) epoch(s); last train loss \(String(format: "%.4f", last.trainLoss)))")
        }
    }
}

/// `--lora-targets`: which dense layers of every encoder layer get adapters.
enum LoRATargetChoice: String, CaseIterable, ExpressibleByArgument {
    case attention
    case attentionAndFeedForward = "attention+ffn"

    var targets: [LoRATarget] { self == .attention ? LoRATarget.attention : LoRATarget.attentionAndFeedForward }
}

extension FineTuneTask: ExpressibleByArgument {}
extension HeadPooling: ExpressibleByArgument {}
extension ClassWeighting: ExpressibleByArgument {}

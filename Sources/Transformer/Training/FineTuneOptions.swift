/// What a fine-tuning run learns to predict.
public enum FineTuneTask: String, Sendable, Codable, CaseIterable {
    /// One label per text: softmax head, cross-entropy; metrics accuracy and macro-F1.
    case classify
    /// Any set of labels per text: sigmoid head, binary cross-entropy; micro- and macro-F1.
    case multilabel

    public var problemType: ProblemType { self == .classify ? .singleLabelClassification : .multiLabelClassification }

    /// The dev metric early stopping and "best checkpoint" follow.
    public var selectionMetric: String { self == .classify ? "macro_f1" : "micro_f1" }
}

/// Every setting of a fine-tuning run (saved in the run folder; a resumed run must use
/// the same ones). Defaults follow the Hugging Face Trainer where it has one.
public struct FineTuneOptions: Sendable, Equatable, Codable {
    public var task: FineTuneTask
    public var epochs: Int = 3
    public var learningRate: Float = 5e-5
    /// The classifier's own peak rate (a second AdamW group, same schedule shape); nil
    /// trains it at `learningRate` with everything else.
    public var headLearningRate: Float?
    public var batchSize: Int = 16
    /// Micro-batches whose gradients are averaged into one optimizer update.
    public var accumulationSteps: Int = 1
    /// Token limit per input, special tokens included (longest-first truncation).
    public var maxLength: Int = 128
    /// Bottom encoder layers (and embeddings) kept frozen; > 0 caches their outputs once.
    /// The model's depth freezes the whole encoder: only the head (and, pooling [CLS], the
    /// pooler) trains, over final hidden states computed once.
    public var freezeLayers: Int = 0
    /// Epochs without a better dev metric before stopping; nil trains every epoch.
    public var patience: Int?
    public var seed: UInt64 = 42
    /// Share of all updates spent warming the learning rate up from 0.
    public var warmupRatio: Double = 0.1
    public var weightDecay: Float = 0.01
    /// Global gradient-norm clip; nil disables clipping.
    public var maxGradNorm: Float? = 1
    /// Hidden and attention dropout from the model config during training.
    public var dropout: Bool = true
    /// The hidden, attention and classifier dropout probability, replacing the model
    /// config's (saved into the run's config.json, as transformers would); nil keeps them.
    public var dropoutRate: Double?
    /// Batches per length bucket (see `LengthBucketing`).
    public var bucketBatches: Int = 50
    /// How the head pools the encoder's output ([CLS] pooler, or the tokens' mean).
    public var pooling: HeadPooling = .cls
    /// Loss weights from the training set's label frequencies (`ClassWeights`).
    public var classWeighting: ClassWeighting = .none
    /// Low-rank adapters to train with the base frozen (peft LoRA; the classifier trains
    /// too, as peft's `modules_to_save`); nil fine-tunes every parameter.
    public var lora: LoRAConfig?

    public init(task: FineTuneTask) { self.task = task }

    /// Reads saved options; settings added after a run was saved take their defaults, so
    /// older run folders still resume.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        task = try c.decode(FineTuneTask.self, forKey: .task)
        epochs = try c.decode(Int.self, forKey: .epochs)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        headLearningRate = try c.decodeIfPresent(Float.self, forKey: .headLearningRate)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        accumulationSteps = try c.decode(Int.self, forKey: .accumulationSteps)
        maxLength = try c.decode(Int.self, forKey: .maxLength)
        freezeLayers = try c.decode(Int.self, forKey: .freezeLayers)
        patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        seed = try c.decode(UInt64.self, forKey: .seed)
        warmupRatio = try c.decode(Double.self, forKey: .warmupRatio)
        weightDecay = try c.decode(Float.self, forKey: .weightDecay)
        maxGradNorm = try c.decodeIfPresent(Float.self, forKey: .maxGradNorm)
        dropout = try c.decode(Bool.self, forKey: .dropout)
        dropoutRate = try c.decodeIfPresent(Double.self, forKey: .dropoutRate)
        bucketBatches = try c.decode(Int.self, forKey: .bucketBatches)
        pooling = try c.decodeIfPresent(HeadPooling.self, forKey: .pooling) ?? .cls
        classWeighting = try c.decodeIfPresent(ClassWeighting.self, forKey: .classWeighting) ?? .none
        lora = try c.decodeIfPresent(LoRAConfig.self, forKey: .lora)
    }

    /// The head these options train, for `labelCount` labels.
    public func head(labelCount: Int) -> ClassificationHeadSpec {
        ClassificationHeadSpec(numLabels: labelCount, problemType: task.problemType, pooling: pooling)
    }

    /// The loop settings these options train with: the best epoch by the task's selection
    /// metric, one global clipping norm.
    public var trainingSettings: TrainingSettings {
        var s = TrainingSettings(epochs: epochs, batchSize: batchSize, seed: seed)
        s.accumulationSteps = accumulationSteps
        s.warmupRatio = warmupRatio
        s.clipping = maxGradNorm.map { .global(maxNorm: $0) } ?? .none
        s.bucketBatches = bucketBatches
        s.selectionMetric = task.selectionMetric
        s.patience = patience
        return s
    }

    /// Rejects settings no run can use, naming the option and its value.
    public func validate(layers: Int) throws {
        func fail(_ s: String) -> TransformerError { TransformerError("fine-tuning option " + s) }
        guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("learning rate must be positive, got \(learningRate)") }
        if let headLearningRate, !(headLearningRate > 0 && headLearningRate.isFinite) {
            throw fail("head learning rate must be positive, got \(headLearningRate)")
        }
        guard batchSize >= 1 else { throw fail("batch size must be at least 1, got \(batchSize)") }
        guard accumulationSteps >= 1 else { throw fail("accumulation steps must be at least 1, got \(accumulationSteps)") }
        guard maxLength >= 3 else { throw fail("max length must be at least 3 (room for [CLS] text [SEP]), got \(maxLength)") }
        guard (0...layers).contains(freezeLayers) else {
            throw fail("freeze layers must be in 0...\(layers) for this model (\(layers): every layer, only the head trains), got \(freezeLayers)")
        }
        if let patience, patience < 1 { throw fail("patience must be at least 1, got \(patience)") }
        guard (0...1).contains(warmupRatio) else { throw fail("warm-up ratio must be in [0, 1], got \(warmupRatio)") }
        if let dropoutRate, !(0..<1).contains(dropoutRate) { throw fail("dropout rate must be in [0, 1), got \(dropoutRate)") }
        guard weightDecay >= 0 else { throw fail("weight decay must not be negative, got \(weightDecay)") }
        if let maxGradNorm, !(maxGradNorm > 0) { throw fail("max gradient norm must be positive, got \(maxGradNorm)") }
        if let lora {
            // The frozen-layer cache runs the bottom layers once, without adapters; LoRA adapts every layer.
            guard freezeLayers == 0 else {
                throw fail("LoRA rank \(lora.rank) cannot be combined with freeze layers \(freezeLayers): adapters train in every layer, "
                           + "which a frozen-layer cache skips; use one or the other")
            }
            try lora.validate()
        }
    }
}

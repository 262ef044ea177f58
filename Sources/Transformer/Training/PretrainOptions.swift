/// What a pretraining run reads: the base encoder folder and the corpus files.
public struct PretrainInputs: Sendable, Equatable, Codable {
    public var modelDirectory: String
    public var trainPath: String
    public var heldOutPath: String
    /// What replaced personal data in the corpus texts before tokenization (the masking
    /// policy, described), or nil; a resume must mask the same way.
    public var masking: String?

    public init(modelDirectory: String, trainPath: String, heldOutPath: String, masking: String? = nil) {
        self.modelDirectory = modelDirectory; self.trainPath = trainPath; self.heldOutPath = heldOutPath; self.masking = masking
    }
}

/// Every setting of a masked-language-modelling run (saved in the run folder; a resumed
/// run must use the same ones). Defaults follow the Hugging Face `run_mlm` example where
/// it has one (lr 5e-5, 15% masking, weight decay as fine-tuning's).
public struct PretrainOptions: Sendable, Equatable, Codable {
    public var epochs = 1
    /// Updates after which the run ends (the schedule decays over these); nil: every epoch.
    public var maxSteps: Int?
    public var learningRate: Float = 5e-5
    /// Windows per micro-batch.
    public var batchSize = 16
    public var accumulationSteps = 1
    /// Tokens per window, [CLS] and [SEP] included: longer texts are cut into windows.
    public var maxLength = 128
    public var seed: UInt64 = 42
    public var warmupRatio = 0.06
    public var weightDecay: Float = 0.01
    /// Global gradient-norm clip; nil disables clipping.
    public var maxGradNorm: Float? = 1
    /// Share of words chosen for masking (then 80% [MASK], 10% random, 10% kept).
    public var maskProbability: Float = 0.15
    /// Held-out windows scored for perplexity (the first ones in corpus order); nil: all.
    public var evalWindows: Int? = 512

    public init() {}

    /// Text tokens from one window's start to the next: windows tile a text without overlap.
    public var windowStride: Int { maxLength - 2 }

    /// The loop settings: best epoch by held-out perplexity (the metric is its negation,
    /// as the loop keeps the highest).
    public var trainingSettings: TrainingSettings {
        var s = TrainingSettings(epochs: epochs, batchSize: batchSize, seed: seed)
        s.accumulationSteps = accumulationSteps
        s.warmupRatio = warmupRatio
        s.clipping = maxGradNorm.map { .global(maxNorm: $0) } ?? .none
        s.selectionMetric = PretrainRun.selectionMetric
        s.maxSteps = maxSteps
        return s
    }

    /// Rejects settings no run can use, naming the option and its value.
    public func validate(maxPositions: Int) throws {
        func fail(_ s: String) -> TransformerError { TransformerError("pretraining option " + s) }
        guard epochs >= 1 else { throw fail("epochs must be at least 1, got \(epochs)") }
        if let maxSteps, maxSteps < 1 { throw fail("max steps must be at least 1, got \(maxSteps)") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("learning rate must be positive, got \(learningRate)") }
        guard batchSize >= 1 else { throw fail("batch size must be at least 1, got \(batchSize)") }
        guard accumulationSteps >= 1 else { throw fail("accumulation steps must be at least 1, got \(accumulationSteps)") }
        guard (3...maxPositions).contains(maxLength) else {
            throw fail("max length must be in 3...\(maxPositions) (the model's max_position_embeddings), got \(maxLength)")
        }
        guard (0...1).contains(warmupRatio) else { throw fail("warm-up ratio must be in [0, 1], got \(warmupRatio)") }
        guard weightDecay >= 0 else { throw fail("weight decay must not be negative, got \(weightDecay)") }
        if let maxGradNorm, !(maxGradNorm > 0) { throw fail("max gradient norm must be positive, got \(maxGradNorm)") }
        guard maskProbability > 0, maskProbability <= 1 else { throw fail("mask probability must be in (0, 1], got \(maskProbability)") }
        if let evalWindows, evalWindows < 1 { throw fail("held-out windows must be at least 1, got \(evalWindows)") }
    }
}

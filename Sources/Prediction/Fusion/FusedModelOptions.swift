/// Settings of a `FusedOutcomeModel`, saved with it. Defaults are sized for a 2-core
/// machine: the bottom encoder layers frozen and cached once, only the top layer, the
/// pooler and the head trained.
public struct FusedModelOptions: Sendable, Codable, Equatable {
    public var fusion: FusionMode = .segment
    /// The graph-feature head (features + seed embeddings MLP) on or off.
    public var graphHead: Bool = true
    public var headFusion: HeadFusion = .concat
    /// Tokens per case, special tokens and graph context included.
    public var maxLength: Int = 256
    /// Most tokens of graph context (segment B or K-BERT branches).
    public var contextTokens: Int = 96
    /// Encoder layers trained, from the top; the ones below are frozen and their outputs
    /// cached once per case (the cache depends on the fusion mode's inputs). All layers when
    /// it is at least the encoder's depth; 0 freezes the whole encoder (the cache then holds
    /// the last layer's [CLS] row, and only the pooler and the head train).
    public var trainableTopLayers: Int = 1
    public var epochs: Int = 3
    /// Epochs without a better dev ROC AUC before training stops.
    public var patience: Int = 2
    public var encoderLearningRate: Double = 4e-5
    public var headLearningRate: Double = 1e-3
    /// Share of all updates spent warming the learning rates up (then linear decay to 0).
    public var warmupFraction: Double = 0.1
    public var weightDecay: Double = 0.01
    public var maxGradNorm: Double = 1
    public var batchSize: Int = 16
    public var seed: UInt64 = 42
    /// OpenBLAS threads while fitting and predicting.
    public var blasThreads: Int = 2
    /// Whether grounding may seed from the case's own opinion's citations (written at
    /// decision time, so off by default); must agree with the grounder's options.
    public var includeOwnCitations: Bool = false
    /// A seed node needs this many training cases to get its own embedding row.
    public var seedMinimumCount: Int = 2
    public var embeddingSize: Int = 8
    public var mlpHidden: Int = 64

    public init() {}

    /// Checks ranges, naming the offending option.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw PredictionError("fused model option \(what)") } }
        try check(maxLength >= 8, "max length must be at least 8, got \(maxLength)")
        try check(contextTokens >= 0, "context tokens must be >= 0, got \(contextTokens)")
        try check(trainableTopLayers >= 0, "trainable top layers must be >= 0, got \(trainableTopLayers)")
        try check(epochs >= 1, "epochs must be at least 1, got \(epochs)")
        try check(patience >= 1, "patience must be at least 1, got \(patience)")
        try check(encoderLearningRate >= 0 && headLearningRate >= 0, "learning rates must be >= 0, got \(encoderLearningRate) and \(headLearningRate)")
        try check((0...1).contains(warmupFraction), "warm-up fraction must be in [0, 1], got \(warmupFraction)")
        try check(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
        try check(blasThreads >= 1, "BLAS threads must be at least 1, got \(blasThreads)")
        try check(embeddingSize >= 1 && mlpHidden >= 1, "head sizes must be positive, got embedding \(embeddingSize), MLP \(mlpHidden)")
    }
}

/// What a fit is doing, for a progress display.
public struct FusionProgress: Sendable {
    public enum Phase: String, Sendable { case grounding, caching, training, evaluating }
    public var phase: Phase
    /// 1-based epoch during training and dev evaluation.
    public var epoch: Int?
    public var done: Int
    public var total: Int
    /// Mean training loss so far in the epoch.
    public var loss: Double?

    public init(phase: Phase, epoch: Int? = nil, done: Int, total: Int, loss: Double? = nil) {
        self.phase = phase; self.epoch = epoch; self.done = done; self.total = total; self.loss = loss
    }
}

/// Parameters that AdamW updates at one learning rate and weight decay, as a torch
/// optimizer's param group: e.g. a pretrained encoder at a small rate and a new head at a
/// large one. Each group keeps its own moments; every group follows the same warm-up and
/// decay shape, scaled to its own base rate.
public struct ParameterGroup {
    public var name: String
    public var parameters: ParameterSet
    public var learningRate: Float
    public var weightDecay: Float
    /// Parameters of the set the optimizer leaves untouched (no decay, no moments): frozen
    /// layers, or a pooler a mean-pooling head never reads.
    public var frozen: Set<String>

    public init(name: String, parameters: ParameterSet, learningRate: Float, weightDecay: Float = 0.01, frozen: Set<String> = []) {
        self.name = name; self.parameters = parameters; self.learningRate = learningRate
        self.weightDecay = weightDecay; self.frozen = frozen
    }
}

/// How gradients are clipped before each update (`torch.nn.utils.clip_grad_norm_`).
public enum GradientClipping: Sendable, Equatable {
    case none
    /// One norm over every group's gradients, as a single `clip_grad_norm_` call over all
    /// parameters.
    case global(maxNorm: Float)
    /// Each group clipped by its own norm (one `clip_grad_norm_` call per group).
    case perGroup(maxNorm: Float)
}

/// Everything about a run's schedule that is not the model: epochs, batches, warm-up,
/// clipping, early stopping.
public struct TrainingSettings: Sendable, Equatable {
    public var epochs: Int
    /// Examples per micro-batch.
    public var batchSize: Int
    /// Micro-batches whose gradients are averaged into one update.
    public var accumulationSteps: Int = 1
    /// Share of all updates spent warming the learning rate up from 0 (then linear decay to
    /// 0), rounded as `warmupRounding` says: up by default, as the Hugging Face Trainer does
    /// (`math.ceil(total * warmup_ratio)`).
    public var warmupRatio: Double = 0.1
    public var warmupRounding: FloatingPointRoundingRule = .up
    public var clipping: GradientClipping = .global(maxNorm: 1)
    /// AdamW's moment decay rates and denominator epsilon (torch's defaults).
    public var adamBeta1: Float = 0.9
    public var adamBeta2: Float = 0.999
    public var adamEpsilon: Float = 1e-8
    /// Seeds the epochs' example order.
    public var seed: UInt64 = 42
    /// Batches per length bucket (see `LengthBucketing`).
    public var bucketBatches: Int = 50
    /// The dev metric (higher is better) that picks the best epoch and drives early stopping.
    public var selectionMetric: String?
    /// Epochs without a better dev metric before stopping; nil trains every epoch.
    public var patience: Int?
    /// Optimizer updates after which the run ends, mid-epoch if need be (the Hugging Face
    /// Trainer's `max_steps`): the schedule then warms up and decays over
    /// min(epochs × updates per epoch, maxSteps) updates. nil: every epoch in full.
    public var maxSteps: Int?

    public init(epochs: Int, batchSize: Int, seed: UInt64 = 42) {
        self.epochs = epochs; self.batchSize = batchSize; self.seed = seed
    }
}

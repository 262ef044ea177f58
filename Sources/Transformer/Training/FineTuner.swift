import Foundation
import Tensor

/// The loss of sequence classification over tokenized examples, for `TrainingLoop`: dynamic
/// padding per micro-batch, optional loss weights per label, and, with a frozen-layer
/// cache, a forward pass that starts above the frozen layers. Dropout masks come from
/// (seed, update number), so a resumed run draws the masks an uninterrupted one would.
public final class ClassificationObjective: TrainingObjective {
    public let model: BertModel
    public let examples: [EncodedExample]
    public let cache: FrozenLayerCache?
    public let classWeights: [Float]?
    public let problem: ProblemType
    public let dropout: Bool
    public let seed: UInt64
    public let padTokenId: Int32
    public let exampleLengths: [Int]

    public init(model: BertModel, examples: [EncodedExample], cache: FrozenLayerCache?, classWeights: [Float]?, problem: ProblemType,
                dropout: Bool, seed: UInt64, padTokenId: Int32) {
        self.model = model; self.examples = examples; self.cache = cache; self.classWeights = classWeights
        self.problem = problem; self.dropout = dropout; self.seed = seed; self.padTokenId = padTokenId
        exampleLengths = examples.map(\.length)
    }

    public func prepareUpdate(_ update: Int) {
        model.rng = SeededGenerator(seed: derivedSeed(seed, stream: 0xD209, index: update))
    }

    public func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        let items = indices.map { examples[$0] }
        let batch = try BatchCollation.batch(items, padTokenId: padTokenId)
        let targets = try BatchCollation.targets(items, problem: problem, labelCount: model.head?.numLabels ?? 0)
        let input = cache?.layerInput(for: indices, sequenceLength: batch.sequenceLength)
        return try model.lossAndBackward(batch, labels: targets, dropout: dropout, lossScale: lossScale, from: input, classWeights: classWeights).loss
    }
}

/// Fine-tuning a sequence-classification model from `FineTuneOptions`: sets up the
/// `ClassificationObjective` (class weights from label frequencies, `classWeighting`) and
/// the one `TrainingLoop` that trains it. With `freezeLayers` k > 0 it runs partial
/// fine-tuning: the frozen bottom layers' outputs are cached once and only the layers above
/// train (k = depth: the head only). With `lora` it attaches low-rank adapters (unless the
/// model already carries the same ones, as a resumed run's does) and trains only them and
/// the classifier copy.
public final class FineTuner {
    public let options: FineTuneOptions
    public let objective: ClassificationObjective
    public let loop: TrainingLoop
    let sharedCaches: FrozenLayerCaches?

    public var model: BertModel { objective.model }
    public var examples: [EncodedExample] { objective.examples }
    /// The frozen-layer outputs of `examples` (partial fine-tuning only).
    public var cache: FrozenLayerCache? { objective.cache }
    /// The loss weights per label (`ClassWeights`), nil when unweighted.
    public var classWeights: [Float]? { objective.classWeights }
    public var padTokenId: Int32 { objective.padTokenId }
    public var position: TrainingPosition { loop.position }
    public var stepsPerEpoch: Int { loop.stepsPerEpoch }
    public var batchesPerEpoch: Int { loop.batchesPerEpoch }
    public var isFinished: Bool { loop.isFinished }

    /// `classWeights` are the loss weights to use (a resumed run passes the ones it saved);
    /// nil computes them from `examples` as `options.classWeighting` says.
    /// `sharedCaches` supplies (and keeps) the frozen-layer cache across runs of one base model.
    public init(model: BertModel, examples: [EncodedExample], options: FineTuneOptions, padTokenId: Int32 = 0, classWeights: [Float]? = nil,
                sharedCaches: FrozenLayerCaches? = nil) throws {
        try options.validate(layers: model.config.numHiddenLayers)
        try model.checkFreezable(belowLayer: options.freezeLayers)
        guard model.head?.problemType == options.task.problemType else {
            throw TransformerError("the \(options.task.rawValue) task needs a \(options.task.problemType.rawValue) head, the model has \(model.head.map { $0.problemType.rawValue } ?? "none")")
        }
        guard let head = model.head, head.pooling == options.pooling else {
            throw TransformerError("the options ask for \(options.pooling.rawValue) pooling, the model's head pools \(model.head?.pooling.rawValue ?? "nothing")")
        }
        guard !examples.isEmpty else { throw TransformerError("no training examples") }
        if let classWeights {
            guard options.classWeighting != .none else { throw TransformerError("class weights given to a run whose class weighting is none") }
            guard classWeights.count == head.numLabels else { throw TransformerError("\(classWeights.count) class weights for a head of \(head.numLabels) labels") }
        }
        self.options = options
        switch (options.lora, model.adapters?.config) {
        case (let wanted?, nil): try model.attachLoRA(wanted, seed: derivedSeed(options.seed, stream: 0x10A, index: 0))
        case (let wanted?, let attached?) where wanted != attached:
            throw TransformerError("the model's LoRA adapters (\(attached)) differ from the options' (\(wanted))")
        case (nil, _?): throw TransformerError("the model has LoRA adapters attached but the options fine-tune every parameter")
        default: break
        }
        // A mean-pooling head never uses the pooler: without this, weight decay alone would shrink it.
        // (Adapters leave the pooler out of the trainable set anyway.)
        var frozen = head.pooling == .mean && options.lora == nil ? model.poolerParameterNames : []
        var cache: FrozenLayerCache?
        if options.freezeLayers > 0 {
            frozen.formUnion(model.parameterNames(belowLayer: options.freezeLayers))
            let batch = max(options.batchSize, 32)
            cache = try sharedCaches?.cache(model: model, examples: examples, layer: options.freezeLayers, batchSize: batch, padTokenId: padTokenId)
                ?? FrozenLayerCache(model: model, examples: examples, layer: options.freezeLayers, batchSize: batch, padTokenId: padTokenId)
        }
        self.sharedCaches = sharedCaches
        objective = ClassificationObjective(model: model, examples: examples, cache: cache,
                                            classWeights: classWeights ?? ClassWeights.compute(options.classWeighting, task: options.task, examples: examples, labelCount: head.numLabels),
                                            problem: options.task.problemType, dropout: options.dropout, seed: options.seed, padTokenId: padTokenId)
        let trainable = model.trainableParameters
        var groups = [ParameterGroup(name: "model", parameters: trainable, learningRate: options.learningRate, weightDecay: options.weightDecay, frozen: frozen)]
        if let headRate = options.headLearningRate {
            // The classifier as its own group over the same parameter set: each group
            // freezes what the other trains (the loop zeroes and clips a shared set once).
            let names = Set(trainable.parameters.map(\.name)), head = Set(names.filter { $0.hasPrefix("classifier.") })
            groups[0].frozen.formUnion(head)
            groups.append(ParameterGroup(name: "head", parameters: trainable, learningRate: headRate, weightDecay: options.weightDecay,
                                         frozen: names.subtracting(head)))
        }
        loop = try TrainingLoop(objective: objective, groups: groups, settings: options.trainingSettings)
    }

    /// One optimizer update (see `TrainingLoop.step`).
    @discardableResult
    public func step() throws -> StepReport { try loop.step() }

    /// Trains to the end of the epoch in progress (see `TrainingLoop.trainEpoch`).
    public func trainEpoch(onStep: ((StepReport) -> Void)? = nil) throws -> [Float] { try loop.trainEpoch(onStep: onStep) }

    /// Logits `[labels]` per example of `items`, in their order (evaluation mode).
    /// Partial fine-tuning evaluates from a cache of the items' frozen-layer outputs.
    public func predict(_ items: [EncodedExample], cache itemCache: FrozenLayerCache? = nil, batchSize: Int = 32) throws -> [[Float]] {
        try model.predictLogits(items, cache: itemCache, batchSize: batchSize, padTokenId: padTokenId)
    }

    /// A frozen-layer cache for other examples (dev sets), or nil for full fine-tuning.
    public func makeCache(for items: [EncodedExample]) throws -> FrozenLayerCache? {
        guard options.freezeLayers > 0 else { return nil }
        return try sharedCaches?.cache(model: model, examples: items, layer: options.freezeLayers, batchSize: 32, padTokenId: padTokenId)
            ?? FrozenLayerCache(model: model, examples: items, layer: options.freezeLayers, padTokenId: padTokenId)
    }

    // MARK: - Saving and resuming

    /// Writes the weights (`config.json`, `model.safetensors`; with adapters, the frozen base
    /// there and the adapters in `adapter/`) and the loop's state (optimizer moments and
    /// step, position, history) into `directory`.
    public func saveState(to directory: String) throws {
        try model.saveCheckpoint(directory: directory)
        try model.adapters?.save(directory: directory + "/" + Self.adapterFolder, baseModel: directory)
        try loop.saveState(to: directory)
    }

    /// The subfolder of a saved state or checkpoint holding the LoRA adapters (peft layout).
    public static let adapterFolder = "adapter"

    /// Continues a run saved by `saveState`: loads its weights (and adapters), builds the
    /// tuner (and its cache) with the same options and `classWeights` (the run's saved ones;
    /// nil computes them again from `examples`), then restores the loop's state.
    public static func resume(from directory: String, examples: [EncodedExample], options: FineTuneOptions, padTokenId: Int32 = 0,
                              classWeights: [Float]? = nil, sharedCaches: FrozenLayerCaches? = nil) throws -> FineTuner {
        let weights = try SafetensorsFile(path: directory + "/model.safetensors")
        let classifierName = try BertConfig(contentsOf: directory + "/config.json").architecture.fileName("classifier.weight")
        guard let classifier = weights.entry(classifierName), classifier.shape.count == 2 else {
            throw TransformerError("saved state has no \(classifierName) to resume from", file: weights.path)
        }
        let model = try BertModel.load(directory: directory, head: options.head(labelCount: classifier.shape[0]), initializeMissingHead: false,
                                       dropoutRate: options.dropoutRate)
        if options.lora != nil { try model.loadLoRA(directory: directory + "/" + adapterFolder) }
        let tuner = try FineTuner(model: model, examples: examples, options: options, padTokenId: padTokenId, classWeights: classWeights,
                                  sharedCaches: sharedCaches)
        try tuner.loop.restoreState(from: directory)
        return tuner
    }
}

extension BertModel {
    /// Logits per example in evaluation mode, batched by length (least padding) and
    /// returned in the examples' order; `cache` starts the encoder above frozen layers.
    /// The longest batch runs first: the workspace is then allocated once, for the largest
    /// batch, and every later (shorter) batch reuses it; in ascending order each batch
    /// outgrows the last and allocates anew. Each batch is the same either way, so are
    /// the logits.
    public func predictLogits(_ items: [EncodedExample], cache: FrozenLayerCache? = nil, batchSize: Int = 32, padTokenId: Int32 = 0) throws -> [[Float]] {
        guard let head else { throw TransformerError("model has no classification head") }
        var out = [[Float]](repeating: [], count: items.count)
        for indices in LengthBucketing.sortedBatches(lengths: items.map(\.length), batchSize: batchSize).reversed() {
            let batch = try BatchCollation.batch(indices.map { items[$0] }, padTokenId: padTokenId)
            let logits = try self.logits(batch, from: cache?.layerInput(for: indices, sequenceLength: batch.sequenceLength))
            for (row, i) in indices.enumerated() { out[i] = Array(logits[row * head.numLabels ..< (row + 1) * head.numLabels]) }
        }
        return out
    }
}

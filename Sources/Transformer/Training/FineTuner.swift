import Foundation
import Tensor

/// Where a fine-tuning run stands between optimizer updates; saved as `trainer_state.json`
/// so a resumed run continues with the same batch, the same dropout masks and the same
/// learning rate it would have used.
public struct TrainingPosition: Sendable, Equatable, Codable {
    /// The epoch in progress (0-based).
    public var epoch = 0
    /// Micro-batches of that epoch already trained.
    public var batchesDone = 0
    /// Optimizer updates done so far.
    public var step = 0
    /// Mean loss of each update of the epoch in progress.
    public var epochLosses: [Float] = []

    public init() {}
}

/// What one optimizer update did, for progress display and logs.
public struct StepReport: Sendable {
    public let epoch: Int
    public let stepInEpoch: Int
    public let stepsPerEpoch: Int
    public let globalStep: Int
    public let loss: Float
    public let learningRate: Float
    public let examples: Int
}

/// The fine-tuning loop over tokenized examples: length-bucketed, dynamically padded
/// micro-batches; gradient accumulation; global-norm clipping; AdamW with decoupled weight
/// decay under a linear warm-up/decay schedule; loss weights by label frequency
/// (`classWeighting`); and, with `freezeLayers` k > 0, partial fine-tuning that caches the
/// frozen bottom layers once and trains only the layers above (k = depth: the head only).
///
/// Deterministic: the epoch order comes from (seed, epoch) and dropout masks from
/// (seed, update number), so a run restored from `saveState` continues bit for bit.
public final class FineTuner {
    public let model: BertModel
    public let options: FineTuneOptions
    public let optimizer: AdamW
    public let schedule: LinearWarmupSchedule
    public let examples: [EncodedExample]
    /// The frozen-layer outputs of `examples` (partial fine-tuning only).
    public let cache: FrozenLayerCache?
    public let padTokenId: Int32
    /// The loss weights per label (`ClassWeights`), nil when unweighted.
    public let classWeights: [Float]?
    public let batchesPerEpoch: Int
    public let stepsPerEpoch: Int
    public private(set) var position = TrainingPosition()
    private var plan: [[Int]]?

    public var totalSteps: Int { stepsPerEpoch * options.epochs }
    public var isFinished: Bool { position.epoch >= options.epochs }
    public var labelCount: Int { model.head?.numLabels ?? 0 }

    /// `classWeights` are the loss weights to use (a resumed run passes the ones it saved);
    /// nil computes them from `examples` as `options.classWeighting` says.
    public init(model: BertModel, examples: [EncodedExample], options: FineTuneOptions, padTokenId: Int32 = 0, classWeights: [Float]? = nil) throws {
        try options.validate(layers: model.config.numHiddenLayers)
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
        self.model = model
        self.options = options
        self.examples = examples
        self.padTokenId = padTokenId
        self.classWeights = classWeights ?? ClassWeights.compute(options.classWeighting, task: options.task, examples: examples, labelCount: head.numLabels)
        optimizer = AdamW(parameters: model.parameters, weightDecay: options.weightDecay)
        // A mean-pooling head never uses the pooler: without this, weight decay alone would shrink it.
        if head.pooling == .mean { optimizer.frozenParameters = model.poolerParameterNames }
        if options.freezeLayers > 0 {
            optimizer.frozenParameters.formUnion(model.parameterNames(belowLayer: options.freezeLayers))
            cache = try FrozenLayerCache(model: model, examples: examples, layer: options.freezeLayers, batchSize: max(options.batchSize, 32), padTokenId: padTokenId)
        } else {
            cache = nil
        }
        batchesPerEpoch = (examples.count + options.batchSize - 1) / options.batchSize
        stepsPerEpoch = (batchesPerEpoch + options.accumulationSteps - 1) / options.accumulationSteps
        let total = stepsPerEpoch * options.epochs
        schedule = LinearWarmupSchedule(baseLearningRate: options.learningRate,
                                        warmupSteps: Int((Double(total) * options.warmupRatio).rounded(.up)), totalSteps: total)
    }

    /// The micro-batches (example indices) of the epoch in progress.
    public var epochPlan: [[Int]] {
        if let plan { return plan }
        let p = LengthBucketing.plan(lengths: examples.map(\.length), batchSize: options.batchSize, seed: options.seed,
                                     epoch: position.epoch, bucketBatches: options.bucketBatches)
        plan = p
        return p
    }

    /// One optimizer update from the next `accumulationSteps` micro-batches of the epoch
    /// (fewer at its end), each weighted equally. Returns what it did.
    @discardableResult
    public func step() throws -> StepReport {
        guard !isFinished else { throw TransformerError("training is finished: all \(options.epochs) epochs are done") }
        let plan = epochPlan
        let group = plan[position.batchesDone..<min(position.batchesDone + options.accumulationSteps, plan.count)]
        model.rng = SeededGenerator(seed: derivedSeed(options.seed, stream: 0xD209, index: position.step))
        model.parameters.zeroGrad()
        var loss: Float = 0, count = 0
        for indices in group {
            let items = indices.map { examples[$0] }
            let batch = try BatchCollation.batch(items, padTokenId: padTokenId)
            let targets = try BatchCollation.targets(items, problem: options.task.problemType, labelCount: labelCount)
            let input = cache?.layerInput(for: indices, sequenceLength: batch.sequenceLength)
            let result = try model.lossAndBackward(batch, labels: targets, dropout: options.dropout, lossScale: 1 / Float(group.count), from: input,
                                                   classWeights: classWeights)
            loss += result.loss / Float(group.count)
            count += items.count
        }
        if let maxGradNorm = options.maxGradNorm { clipGradientNorm(model.parameters, maxNorm: maxGradNorm) }
        let learningRate = schedule.learningRate(atStep: optimizer.step)
        optimizer.update(learningRate: learningRate)
        let report = StepReport(epoch: position.epoch, stepInEpoch: position.epochLosses.count + 1, stepsPerEpoch: stepsPerEpoch,
                                globalStep: optimizer.step, loss: loss, learningRate: learningRate, examples: count)
        position.step = optimizer.step
        position.batchesDone += group.count
        position.epochLosses.append(loss)
        if position.batchesDone >= plan.count {
            position.epoch += 1
            position.batchesDone = 0
            position.epochLosses = []
            self.plan = nil
        }
        return report
    }

    /// Trains to the end of the epoch in progress (the rest of it, after a resume) and
    /// returns the loss of every update of that epoch.
    public func trainEpoch(onStep: ((StepReport) -> Void)? = nil) throws -> [Float] {
        let epoch = position.epoch
        var losses = position.epochLosses
        while !isFinished && position.epoch == epoch {
            let report = try step()
            losses.append(report.loss)
            onStep?(report)
        }
        return losses
    }

    /// Logits `[labels]` per example of `items`, in their order (evaluation mode).
    /// Partial fine-tuning evaluates from a cache of the items' frozen-layer outputs.
    public func predict(_ items: [EncodedExample], cache itemCache: FrozenLayerCache? = nil, batchSize: Int = 32) throws -> [[Float]] {
        try model.predictLogits(items, cache: itemCache, batchSize: batchSize, padTokenId: padTokenId)
    }

    /// A frozen-layer cache for other examples (dev sets), or nil for full fine-tuning.
    public func makeCache(for items: [EncodedExample]) throws -> FrozenLayerCache? {
        options.freezeLayers > 0 ? try FrozenLayerCache(model: model, examples: items, layer: options.freezeLayers, padTokenId: padTokenId) : nil
    }

    // MARK: - Saving and resuming

    public static let optimizerFile = "optimizer.safetensors"
    public static let stateFile = "trainer_state.json"

    /// Writes the weights (`config.json`, `model.safetensors`), the optimizer moments and
    /// step, and the training position into `directory`.
    public func saveState(to directory: String) throws {
        try model.saveCheckpoint(directory: directory)
        try optimizer.save(to: directory + "/" + Self.optimizerFile)
        try writeJSON(position, to: directory + "/" + Self.stateFile)
    }

    /// Continues a run saved by `saveState`: loads its weights, builds the tuner (and its
    /// cache) with the same options and `classWeights` (the run's saved ones; nil computes
    /// them again from `examples`), then restores the optimizer and position.
    public static func resume(from directory: String, examples: [EncodedExample], options: FineTuneOptions, padTokenId: Int32 = 0,
                              classWeights: [Float]? = nil) throws -> FineTuner {
        let weights = try SafetensorsFile(path: directory + "/model.safetensors")
        guard let classifier = weights.entry("classifier.weight"), classifier.shape.count == 2 else {
            throw TransformerError("saved state has no classifier.weight to resume from", file: weights.path)
        }
        let model = try BertModel.load(directory: directory, head: options.head(labelCount: classifier.shape[0]), initializeMissingHead: false)
        let tuner = try FineTuner(model: model, examples: examples, options: options, padTokenId: padTokenId, classWeights: classWeights)
        try tuner.optimizer.load(from: directory + "/" + optimizerFile)
        let position: TrainingPosition = try readJSON(directory + "/" + stateFile)
        guard position.step == tuner.optimizer.step else {
            throw TransformerError("trainer state is at update \(position.step) but the optimizer state at \(tuner.optimizer.step)", file: directory + "/" + stateFile)
        }
        guard position.batchesDone < tuner.batchesPerEpoch || position.batchesDone == 0 else {
            throw TransformerError("trainer state has \(position.batchesDone) batches done of an epoch of \(tuner.batchesPerEpoch): the training data differ from the saved run",
                                   file: directory + "/" + stateFile)
        }
        tuner.position = position
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

/// Pretty, key-sorted JSON (`JSONEncoder`): floats print in their shortest exact form.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do { try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        throw TransformerError("cannot write JSON: \(error.localizedDescription)", file: path)
    }
}

func readJSON<T: Decodable>(_ path: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else { throw TransformerError("cannot read file", file: path) }
    do { return try JSONDecoder().decode(T.self, from: data) } catch {
        throw TransformerError("unreadable JSON: \(error)", file: path)
    }
}

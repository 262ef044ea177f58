import Foundation
import Grounding
import Tensor
import Transformer

extension FusedOutcomeModel {
    /// Grounds the cases (in parallel; the grounder keeps each case's grounding for the
    /// run), builds the seed vocabulary and feature standardization from the training cases
    /// only, caches the frozen bottom layers (through `runCache` when set, so later folds
    /// reuse them), then trains with AdamW (encoder and head at their own rates, shared
    /// warm-up/decay) on length-bucketed batches, evaluating dev after each epoch and
    /// keeping the best dev ROC AUC's weights. Every fit starts from the encoder weights the
    /// model was made with and a fresh head.
    public func fit(train: [TrainingExample], dev: [TrainingExample]) throws {
        guard !train.isEmpty else { throw PredictionError("fused model: no training cases") }
        BLAS.threadCount = options.blasThreads
        restore(encoder.parameters, initialEncoderWeights)
        encoder.rng = SeededGenerator(seed: options.seed)

        let all = train.map(\.query) + dev.map(\.query)
        var groundings: [CaseGrounding] = []
        for start in stride(from: 0, to: all.count, by: 256) {
            groundings += try grounder.groundings(for: Array(all[start..<min(start + 256, all.count)]))
            progress?(FusionProgress(phase: .grounding, done: groundings.count, total: all.count))
        }
        let trainGroundings = Array(groundings[..<train.count])
        vocabulary = SeedVocabulary(training: trainGroundings, minimumCount: options.seedMinimumCount)
        standardizer = FeatureStandardizer(training: trainGroundings.map(\.features.values))
        head = try GraphFeatureHead(shape: headShape, seed: options.seed)
        let trainCases = try zip(train, trainGroundings).map { try prepare($0.query, grounding: $1) }
        let devCases = try zip(dev, groundings[train.count...]).map { try prepare($0.query, grounding: $1) }
        let trainLabels = train.map(\.label), devLabels = dev.map(\.label)

        // Partial fine-tuning: freeze and cache everything below the trained top layers.
        let cacheLayer = frozenLayerCount
        try encoder.checkFreezable(belowLayer: cacheLayer)
        var trainCache: FrozenLayerCache?, devCache: FrozenLayerCache?
        if cacheLayer > 0 {
            let cache = runCache ?? FusedRunCache()
            let states = try frozenStates(all, trainCases + devCases, cache: cache)
            trainCache = states.subset(0..<train.count)
            devCache = states.subset(train.count..<all.count)
        }

        let objective = FusedTrainingObjective(model: self, cases: trainCases, labels: trainLabels, states: trainCache)
        var settings = TrainingSettings(epochs: options.epochs, batchSize: options.batchSize, seed: options.seed)
        settings.warmupRatio = options.warmupFraction
        // Rounded to the nearest update (not up, as fine-tuning does): the measured ablation rows used this rule.
        settings.warmupRounding = .toNearestOrAwayFromZero
        settings.clipping = .perGroup(maxNorm: Float(options.maxGradNorm))
        settings.selectionMetric = "roc_auc"
        settings.patience = options.patience
        let loop = try TrainingLoop(objective: objective, groups: [
            ParameterGroup(name: "encoder", parameters: encoder.parameters, learningRate: Float(options.encoderLearningRate),
                           weightDecay: Float(options.weightDecay), frozen: encoder.parameterNames(belowLayer: cacheLayer)),
            ParameterGroup(name: "head", parameters: self.head.parameters, learningRate: Float(options.headLearningRate), weightDecay: Float(options.weightDecay)),
        ], settings: settings)

        history = []
        var best: (encoder: [Float], head: [Float])?
        var epochStart = Date(), lossSum = 0.0, seen = 0
        var hooks = EpochHooks()
        hooks.progress = { epoch, steps, _ in
            epochStart = Date(); lossSum = 0; seen = 0
            return { report in
                lossSum += Double(report.loss) * Double(report.examples); seen += report.examples
                self.progress?(FusionProgress(phase: .training, epoch: epoch + 1, done: report.stepInEpoch, total: steps, loss: lossSum / Double(seen)))
            }
        }
        if !devCases.isEmpty {
            hooks.evaluate = { epoch in
                self.progress?(FusionProgress(phase: .evaluating, epoch: epoch, done: 0, total: devCases.count))
                let p = try self.cachedProbabilities(devCases, states: devCache)
                var metrics: [String: Double] = [:]
                let losses: [Double] = zip(p, devLabels).map { p, y in -log(max(1e-12, y ? p : 1 - p)) }
                metrics["loss"] = losses.reduce(0, +) / Double(p.count)
                metrics["accuracy"] = Metrics.accuracy(labels: devLabels, predicted: p.map { $0 >= decisionThreshold })
                // A one-class dev set has no AUC: the epoch then counts as the best.
                metrics["roc_auc"] = Metrics.rocAUC(labels: devLabels, scores: p)
                self.progress?(FusionProgress(phase: .evaluating, epoch: epoch, done: devCases.count, total: devCases.count))
                return metrics
            }
        }
        hooks.onBest = { _ in best = (snapshot(self.encoder.parameters), snapshot(self.head.parameters)) }
        hooks.afterEpoch = { m in
            self.history.append(EpochRecord(epoch: m.epoch, trainLoss: lossSum / Double(max(seen, 1)), devLoss: m.dev["loss"],
                                            devAccuracy: m.dev["accuracy"], devAUC: m.dev["roc_auc"], seconds: Date().timeIntervalSince(epochStart), best: false))
        }
        try loop.train(hooks: hooks)
        if let best {
            restore(encoder.parameters, best.encoder)
            restore(head.parameters, best.head)
            for i in history.indices { history[i].best = history[i].epoch == loop.record.bestEpoch }
        }
    }

    /// The frozen-layer states of `cases` (of `queries`) from `cache`, computing the ones
    /// it does not hold yet.
    func frozenStates(_ queries: [PredictionQuery], _ cases: [PreparedCase], cache: FusedRunCache) throws -> FrozenLayerCache {
        try cache.states(Array(zip(queries, cases.map(\.encoded))).map { (query: $0, input: $1) }, encoder: encoder,
                         layer: frozenLayerCount, batchSize: max(options.batchSize, 32), padTokenId: tokenizer.padId) { done, total in
            self.progress?(FusionProgress(phase: .caching, done: done, total: total))
        }
    }

    /// The encoder batch of `cases` (at `indices` of `states`) and, with frozen states, the
    /// input of the first trained layer. After the last layer only [CLS] matters (the pooler
    /// reads nothing else), so the batch is then one token per case: no padding and no
    /// K-BERT visibility bias to build for every step.
    func encoderInput(_ cases: [PreparedCase], indices: [Int], states: FrozenLayerCache?) throws -> (BertBatch, LayerInput?) {
        guard let states else { return (try batch(cases), nil) }
        if states.layer == encoder.config.numHiddenLayers {
            let tokens = try BertBatch(sequences: cases.map { Array($0.encoded.ids.prefix(1)) }, padTokenId: tokenizer.padId)
            return (tokens, states.layerInput(for: indices, sequenceLength: 1))
        }
        let padded = try batch(cases)
        return (padded, states.layerInput(for: indices, sequenceLength: padded.sequenceLength))
    }

    /// Probabilities in evaluation mode, starting from the frozen states when there are some.
    func cachedProbabilities(_ cases: [PreparedCase], states cache: FrozenLayerCache?) throws -> [Double] {
        guard let cache else { return try probabilities(cases) }
        var out = [Double](repeating: 0, count: cases.count)
        for indices in LengthBucketing.sortedBatches(lengths: cases.map(\.encoded.length), batchSize: options.batchSize) {
            let subset = indices.map { cases[$0] }
            let (batch, input) = try encoderInput(subset, indices: indices, states: cache)
            let z = try logits(subset, dropout: false, from: input, batch: batch)
            for (row, i) in indices.enumerated() { out[i] = sigmoid(z[row]) }
        }
        return out
    }
}

func snapshot(_ set: ParameterSet) -> [Float] { Array(UnsafeBufferPointer(start: set.values.base, count: set.values.count)) }

func restore(_ set: ParameterSet, _ values: [Float]) {
    values.withUnsafeBufferPointer { set.values.base.update(from: $0.baseAddress!, count: min(values.count, set.values.count)) }
}

/// The fused model's loss for `TrainingLoop`: binary cross-entropy of the outcome logit over
/// a micro-batch of prepared cases, back through the graph-feature head and the trained
/// encoder layers (from the frozen states when there are some). Dropout draws from the
/// encoder's generator, seeded once per fit, as the fused model always has.
final class FusedTrainingObjective: TrainingObjective {
    let model: FusedOutcomeModel
    let cases: [PreparedCase]
    let labels: [Bool]
    let states: FrozenLayerCache?
    let exampleLengths: [Int]

    init(model: FusedOutcomeModel, cases: [PreparedCase], labels: [Bool], states: FrozenLayerCache?) {
        self.model = model; self.cases = cases; self.labels = labels; self.states = states
        exampleLengths = cases.map(\.encoded.length)
    }

    func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        let subset = indices.map { cases[$0] }
        let (batch, input) = try model.encoderInput(subset, indices: indices, states: states)
        let z = try model.logits(subset, dropout: true, from: input, batch: batch)
        var dLogits = [Float](repeating: 0, count: z.count)
        let loss = try z.withUnsafeBufferPointer { zp in
            try Loss.binaryCrossEntropyWithLogits(logits: zp.baseAddress!, targets: indices.map { labels[$0] ? 1 : 0 }, dLogits: &dLogits)
        }
        if lossScale != 1 { for i in dLogits.indices { dLogits[i] *= lossScale } }
        let dPooled = try model.head.backward(dLogits: dLogits)
        try model.encoder.backward(dLastHidden: nil, dPooled: dPooled)
        return loss
    }
}

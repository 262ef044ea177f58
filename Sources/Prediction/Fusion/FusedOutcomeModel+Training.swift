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
        var trainCache: FoldLayerStates?, devCache: FoldLayerStates?
        if cacheLayer > 0 {
            let cache = runCache ?? FusedRunCache()
            let states = try frozenStates(all, trainCases + devCases, cache: cache)
            trainCache = states.cases(0..<train.count)
            devCache = states.cases(train.count..<all.count)
        }

        let encoderOptimizer = AdamW(parameters: encoder.parameters, weightDecay: Float(options.weightDecay))
        encoderOptimizer.frozenParameters = encoder.parameterNames(belowLayer: cacheLayer)
        let headOptimizer = AdamW(parameters: head.parameters, weightDecay: Float(options.weightDecay))
        let stepsPerEpoch = (trainCases.count + options.batchSize - 1) / options.batchSize
        let totalSteps = stepsPerEpoch * options.epochs
        let warmup = Int((Double(totalSteps) * options.warmupFraction).rounded())
        let encoderSchedule = LinearWarmupSchedule(baseLearningRate: Float(options.encoderLearningRate), warmupSteps: warmup, totalSteps: totalSteps)
        let headSchedule = LinearWarmupSchedule(baseLearningRate: Float(options.headLearningRate), warmupSteps: warmup, totalSteps: totalSteps)

        history = []
        var best: (epoch: Int, auc: Double, encoder: [Float], head: [Float])?
        let lengths = trainCases.map(\.encoded.length)
        encoder.parameters.zeroGrad(); head.parameters.zeroGrad()
        for epoch in 1...options.epochs {
            let start = Date()
            var lossSum = 0.0, seen = 0
            let plan = LengthBucketing.plan(lengths: lengths, batchSize: options.batchSize, seed: options.seed, epoch: epoch - 1)
            for (b, indices) in plan.enumerated() {
                let cases = indices.map { trainCases[$0] }
                let (batch, input) = try encoderInput(cases, indices: indices, states: trainCache)
                let z = try logits(cases, dropout: true, from: input, batch: batch)
                var dLogits = [Float](repeating: 0, count: z.count)
                let loss = try z.withUnsafeBufferPointer { zp in
                    try Loss.binaryCrossEntropyWithLogits(logits: zp.baseAddress!, targets: indices.map { trainLabels[$0] ? 1 : 0 }, dLogits: &dLogits)
                }
                let dPooled = try head.backward(dLogits: dLogits)
                try encoder.backward(dLastHidden: nil, dPooled: dPooled)
                clipGradientNorm(encoder.parameters, maxNorm: Float(options.maxGradNorm))
                clipGradientNorm(head.parameters, maxNorm: Float(options.maxGradNorm))
                encoderOptimizer.update(learningRate: encoderSchedule.learningRate(atStep: encoderOptimizer.step))
                headOptimizer.update(learningRate: headSchedule.learningRate(atStep: headOptimizer.step))
                encoder.parameters.zeroGrad(); head.parameters.zeroGrad()
                lossSum += Double(loss) * Double(indices.count); seen += indices.count
                progress?(FusionProgress(phase: .training, epoch: epoch, done: b + 1, total: plan.count, loss: lossSum / Double(seen)))
            }

            var record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(max(seen, 1)), seconds: 0, best: false)
            if !devCases.isEmpty {
                progress?(FusionProgress(phase: .evaluating, epoch: epoch, done: 0, total: devCases.count))
                let p = try cachedProbabilities(devCases, states: devCache)
                record.devLoss = zip(p, devLabels).map { p, y in -log(max(1e-12, y ? p : 1 - p)) }.reduce(0, +) / Double(p.count)
                record.devAccuracy = Metrics.accuracy(labels: devLabels, predicted: p.map { $0 >= decisionThreshold })
                record.devAUC = Metrics.rocAUC(labels: devLabels, scores: p)
                progress?(FusionProgress(phase: .evaluating, epoch: epoch, done: devCases.count, total: devCases.count))
            }
            record.seconds = Date().timeIntervalSince(start)
            // Without dev (or a one-class dev) the last epoch is kept.
            let score = record.devAUC ?? Double(epoch)
            if best == nil || score > best!.auc {
                best = (epoch, score, snapshot(encoder.parameters), snapshot(head.parameters))
            }
            history.append(record)
            if let best, epoch - best.epoch >= options.patience { break }
        }
        if let best {
            restore(encoder.parameters, best.encoder)
            restore(head.parameters, best.head)
            for i in history.indices { history[i].best = history[i].epoch == best.epoch }
        }
    }

    /// The frozen-layer states of `cases` (of `queries`) from `cache`, computing the ones
    /// it does not hold yet.
    func frozenStates(_ queries: [PredictionQuery], _ cases: [PreparedCase], cache: FusedRunCache) throws -> FoldLayerStates {
        try cache.states(Array(zip(queries, cases.map(\.encoded))).map { (query: $0, input: $1) }, encoder: encoder,
                         layer: frozenLayerCount, batchSize: max(options.batchSize, 32), padTokenId: tokenizer.padId) { done, total in
            self.progress?(FusionProgress(phase: .caching, done: done, total: total))
        }
    }

    /// The encoder batch of `cases` (at `indices` of `states`) and, with frozen states, the
    /// input of the first trained layer. After the last layer only [CLS] matters (the pooler
    /// reads nothing else), so the batch is then one token per case: no padding and no
    /// K-BERT visibility bias to build for every step.
    func encoderInput(_ cases: [PreparedCase], indices: [Int], states: FoldLayerStates?) throws -> (BertBatch, LayerInput?) {
        guard let states else { return (try batch(cases), nil) }
        if states.layer == encoder.config.numHiddenLayers {
            let tokens = try BertBatch(sequences: cases.map { Array($0.encoded.ids.prefix(1)) }, padTokenId: tokenizer.padId)
            return (tokens, states.layerInput(for: indices, sequenceLength: 1))
        }
        let padded = try batch(cases)
        return (padded, states.layerInput(for: indices, sequenceLength: padded.sequenceLength))
    }

    /// Probabilities in evaluation mode, starting from the frozen states when there are some.
    func cachedProbabilities(_ cases: [PreparedCase], states cache: FoldLayerStates?) throws -> [Double] {
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

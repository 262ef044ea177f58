import Foundation
import Tensor

/// Where a run stands between optimizer updates; saved as `trainer_state.json` so a
/// resumed run continues with the same batch and the same learning rate it would have used.
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
    /// The first group's learning rate for this update.
    public let learningRate: Float
    /// Norm of all gradients before clipping.
    public let gradientNorm: Float
    public let examples: Int
}

/// One finished epoch: training loss, dev metrics, and whether it was the best so far.
public struct EpochMetrics: Sendable, Equatable, Codable {
    public var epoch: Int
    public var step: Int
    /// Mean of the epoch's update losses.
    public var trainLoss: Double
    public var firstUpdateLoss: Double
    public var lastUpdateLoss: Double
    /// Wall time of the epoch's training (evaluation not included).
    public var seconds: Double
    public var dev: [String: Double]
    /// True when this epoch's dev metric was the best so far (every epoch without a dev set).
    public var best: Bool
}

/// The finished epochs and the early-stopping state; saved as `run_state.json`.
public struct TrainingHistory: Sendable, Equatable, Codable {
    public var history: [EpochMetrics] = []
    public var bestMetric: Double?
    public var bestEpoch: Int?
    public var epochsWithoutImprovement = 0
    /// Early stopping ended the run before its last epoch.
    public var stopped = false

    public init() {}
}

/// What the epoch loop calls back into: dev evaluation, keeping the best weights, saving,
/// and progress display. Every hook is optional.
public struct EpochHooks {
    /// Dev metrics after epoch `epoch` (1-based); nil (no hook, or a nil result) when there
    /// is no dev set: every epoch then counts as the best, so the last is kept.
    public var evaluate: ((Int) throws -> [String: Double]?)?
    /// The epoch just finished is the best so far: keep its weights.
    public var onBest: ((EpochMetrics) throws -> Void)?
    /// After each epoch's bookkeeping (history updated): write files, logs.
    public var afterEpoch: ((EpochMetrics) throws -> Void)?
    /// A per-update callback for the epoch starting, given (0-based epoch, updates per
    /// epoch, updates of it already done after a resume).
    public var progress: ((Int, Int, Int) -> ((StepReport) -> Void)?)?

    public init(evaluate: ((Int) throws -> [String: Double]?)? = nil, onBest: ((EpochMetrics) throws -> Void)? = nil,
                afterEpoch: ((EpochMetrics) throws -> Void)? = nil, progress: ((Int, Int, Int) -> ((StepReport) -> Void)?)? = nil) {
        self.evaluate = evaluate; self.onBest = onBest; self.afterEpoch = afterEpoch; self.progress = progress
    }
}

/// The one training loop every model in Lexgraph trains with: length-bucketed micro-batches
/// in a seeded order per epoch; gradient accumulation; gradient clipping; AdamW with
/// decoupled weight decay over parameter groups, each at its own rate under one linear
/// warm-up/decay schedule; per-epoch dev evaluation with best-epoch selection and early
/// stopping; and saved state (optimizer moments, position, history) from which a run
/// resumes exactly where it stopped.
///
/// Deterministic: the epoch order comes from (seed, epoch), and an objective that seeds its
/// dropout in `prepareUpdate` from the update number makes a resumed run bit for bit the
/// uninterrupted one.
public final class TrainingLoop {
    public let objective: any TrainingObjective
    public let settings: TrainingSettings
    public let groups: [ParameterGroup]
    public let optimizers: [AdamW]
    public let schedules: [LinearWarmupSchedule]
    public let batchesPerEpoch: Int
    public let stepsPerEpoch: Int
    public internal(set) var position = TrainingPosition()
    public internal(set) var record = TrainingHistory()
    private var plan: [[Int]]?

    /// Updates of the whole run: every epoch's, or `settings.maxSteps` if fewer.
    public var totalSteps: Int { min(stepsPerEpoch * settings.epochs, settings.maxSteps ?? .max) }
    /// Every epoch trained, `settings.maxSteps` updates done, or early stopping ended the run.
    public var isFinished: Bool { position.epoch >= settings.epochs || position.step >= totalSteps || record.stopped }

    public init(objective: any TrainingObjective, groups: [ParameterGroup], settings: TrainingSettings) throws {
        func fail(_ s: String) -> TransformerError { TransformerError("training setting " + s) }
        guard settings.epochs >= 1 else { throw fail("epochs must be at least 1, got \(settings.epochs)") }
        guard settings.batchSize >= 1 else { throw fail("batch size must be at least 1, got \(settings.batchSize)") }
        guard settings.accumulationSteps >= 1 else { throw fail("accumulation steps must be at least 1, got \(settings.accumulationSteps)") }
        guard (0...1).contains(settings.warmupRatio) else { throw fail("warm-up ratio must be in [0, 1], got \(settings.warmupRatio)") }
        if let patience = settings.patience, patience < 1 { throw fail("patience must be at least 1, got \(patience)") }
        if let maxSteps = settings.maxSteps, maxSteps < 1 { throw fail("max steps must be at least 1, got \(maxSteps)") }
        switch settings.clipping {
        case .global(let n), .perGroup(let n): guard n > 0 else { throw fail("max gradient norm must be positive, got \(n)") }
        case .none: break
        }
        guard !groups.isEmpty else { throw TransformerError("training needs at least one parameter group") }
        for g in groups {
            guard g.learningRate >= 0, g.learningRate.isFinite else { throw fail("learning rate of group \"\(g.name)\" must be >= 0, got \(g.learningRate)") }
            guard g.weightDecay >= 0 else { throw fail("weight decay of group \"\(g.name)\" must not be negative, got \(g.weightDecay)") }
        }
        let n = objective.exampleLengths.count
        guard n > 0 else { throw TransformerError("no training examples") }
        self.objective = objective
        self.settings = settings
        self.groups = groups
        optimizers = groups.map { g in
            let o = AdamW(parameters: g.parameters, beta1: settings.adamBeta1, beta2: settings.adamBeta2, eps: settings.adamEpsilon,
                          weightDecay: g.weightDecay)
            o.frozenParameters = g.frozen
            return o
        }
        batchesPerEpoch = (n + settings.batchSize - 1) / settings.batchSize
        stepsPerEpoch = Self.stepsPerEpoch(examples: n, batchSize: settings.batchSize, accumulationSteps: settings.accumulationSteps)
        let total = min(stepsPerEpoch * settings.epochs, settings.maxSteps ?? .max)
        let warmup = Int((Double(total) * settings.warmupRatio).rounded(settings.warmupRounding))
        schedules = groups.map { LinearWarmupSchedule(baseLearningRate: $0.learningRate, warmupSteps: warmup, totalSteps: total) }
    }

    /// Optimizer updates per epoch over `examples` training examples (the last micro-batch
    /// and the last update of an epoch may be short).
    public static func stepsPerEpoch(examples: Int, batchSize: Int, accumulationSteps: Int) -> Int {
        ((examples + batchSize - 1) / batchSize + accumulationSteps - 1) / accumulationSteps
    }

    /// The micro-batches (example indices) of the epoch in progress.
    public var epochPlan: [[Int]] {
        if let plan { return plan }
        let p = LengthBucketing.plan(lengths: objective.exampleLengths, batchSize: settings.batchSize, seed: settings.seed,
                                     epoch: position.epoch, bucketBatches: settings.bucketBatches)
        plan = p
        return p
    }

    /// One optimizer update from the next `accumulationSteps` micro-batches of the epoch
    /// (fewer at its end), each weighted equally. Returns what it did.
    @discardableResult
    public func step() throws -> StepReport {
        guard !isFinished else {
            let why = record.stopped ? "early stopping ended it" : position.epoch >= settings.epochs ? "all \(settings.epochs) epochs are done" : "all \(totalSteps) updates are done"
            throw TransformerError("training is finished: \(why)")
        }
        let plan = epochPlan
        let micro = plan[position.batchesDone..<min(position.batchesDone + settings.accumulationSteps, plan.count)]
        objective.prepareUpdate(position.step)
        for set in parameterSets { set.zeroGrad() }
        var loss: Float = 0, count = 0
        for indices in micro {
            loss += try objective.accumulateGradients(examples: indices, lossScale: 1 / Float(micro.count)) / Float(micro.count)
            count += indices.count
        }
        let norm = clipGradients()
        let rates = zip(optimizers, schedules).map { $1.learningRate(atStep: $0.step) }
        for (optimizer, rate) in zip(optimizers, rates) { optimizer.update(learningRate: rate) }
        let report = StepReport(epoch: position.epoch, stepInEpoch: position.epochLosses.count + 1, stepsPerEpoch: stepsPerEpoch,
                                globalStep: optimizers[0].step, loss: loss, learningRate: rates[0], gradientNorm: norm, examples: count)
        position.step = optimizers[0].step
        position.batchesDone += micro.count
        position.epochLosses.append(loss)
        if position.batchesDone >= plan.count {
            position.epoch += 1
            position.batchesDone = 0
            position.epochLosses = []
            self.plan = nil
        }
        return report
    }

    /// The groups' parameter sets, each once: groups may share a set and split it by their
    /// `frozen` names (a head at its own rate), and a shared set's gradients must be zeroed,
    /// counted in the norm and clipped once, not once per group.
    var parameterSets: [ParameterSet] {
        var seen = Set<ObjectIdentifier>()
        return groups.map(\.parameters).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// Clips as `settings.clipping` says; returns the norm of all gradients before clipping.
    func clipGradients() -> Float {
        func joint(_ norms: [Float]) -> Float { norms.count == 1 ? norms[0] : norms.map { $0 * $0 }.reduce(0, +).squareRoot() }
        switch settings.clipping {
        case .none:
            return joint(parameterSets.map { Float($0.gradientNorm()) })
        case .perGroup(let maxNorm):
            return joint(parameterSets.map { clipGradientNorm($0, maxNorm: maxNorm) })
        case .global(let maxNorm):
            if parameterSets.count == 1 { return clipGradientNorm(parameterSets[0], maxNorm: maxNorm) }
            let norm = joint(parameterSets.map { Float($0.gradientNorm()) })
            let coefficient = maxNorm / (norm + 1e-6)
            if coefficient < 1 { for set in parameterSets { Kernels.scale(set.grads.base, count: set.grads.count, by: coefficient) } }
            return norm
        }
    }

    /// Trains to the end of the epoch in progress (the rest of it, after a resume), or
    /// until update `stopAtStep` is done, and returns the loss of every update of that
    /// epoch so far.
    public func trainEpoch(stopAtStep: Int? = nil, onStep: ((StepReport) -> Void)? = nil) throws -> [Float] {
        let epoch = position.epoch
        var losses = position.epochLosses
        while position.epoch == epoch && !isFinished && position.step < (stopAtStep ?? .max) {
            let report = try step()
            losses.append(report.loss)
            onStep?(report)
        }
        return losses
    }

    /// Trains epoch after epoch until the run is finished (or `epochLimit` epochs were
    /// trained in this call; the run stays resumable). After each epoch: dev metrics, the
    /// best-epoch choice by `settings.selectionMetric` (an epoch whose metrics lack it counts
    /// as the best, so the latest is kept), early stopping after `settings.patience` epochs
    /// without improvement, then `afterEpoch`. `stepLimit` ends the call after that many
    /// updates, mid-epoch if need be (no epoch bookkeeping then: save the state, and a
    /// resumed loop finishes the epoch). Returns the epochs this call finished.
    @discardableResult
    public func train(epochLimit: Int? = nil, stepLimit: Int? = nil, hooks: EpochHooks = EpochHooks()) throws -> [EpochMetrics] {
        var trained: [EpochMetrics] = []
        let stopAtStep = stepLimit.map { position.step + $0 }
        while !isFinished && trained.count < (epochLimit ?? Int.max) && position.step < (stopAtStep ?? .max) {
            let epoch = position.epoch
            let onStep = hooks.progress?(epoch, stepsPerEpoch, position.epochLosses.count)
            let start = Date()
            let losses = try trainEpoch(stopAtStep: stopAtStep, onStep: onStep)
            // The step limit ended the call inside the epoch.
            if position.epoch == epoch && !isFinished { break }
            var metrics = EpochMetrics(epoch: epoch + 1, step: position.step, trainLoss: losses.map(Double.init).reduce(0, +) / Double(max(losses.count, 1)),
                                       firstUpdateLoss: Double(losses.first ?? 0), lastUpdateLoss: Double(losses.last ?? 0),
                                       seconds: Date().timeIntervalSince(start), dev: [:], best: false)
            if let dev = try hooks.evaluate?(epoch + 1) {
                metrics.dev = dev
                if let name = settings.selectionMetric, let score = dev[name] {
                    if record.bestMetric.map({ score > $0 }) ?? true {
                        record.bestMetric = score
                        metrics.best = true
                    }
                } else {
                    metrics.best = true
                }
            } else {
                metrics.best = true
            }
            if metrics.best {
                record.bestEpoch = epoch + 1
                record.epochsWithoutImprovement = 0
                try hooks.onBest?(metrics)
            } else {
                record.epochsWithoutImprovement += 1
                if let patience = settings.patience, record.epochsWithoutImprovement >= patience { record.stopped = true }
            }
            record.history.append(metrics)
            trained.append(metrics)
            try hooks.afterEpoch?(metrics)
        }
        return trained
    }

    // MARK: - Saving and resuming

    public static let stateFile = "trainer_state.json"
    public static let historyFile = "run_state.json"

    /// The optimizer file of group `index`: `optimizer.safetensors` for the first group (the
    /// only one of most runs), `optimizer.<name>.safetensors` for the others.
    public func optimizerFile(_ index: Int) -> String {
        index == 0 ? "optimizer.safetensors" : "optimizer.\(groups[index].name).safetensors"
    }

    /// Writes every group's optimizer moments and step, the position and the history into
    /// `directory` (the weights are the objective's to save).
    public func saveState(to directory: String) throws {
        for (i, optimizer) in optimizers.enumerated() { try optimizer.save(to: directory + "/" + optimizerFile(i)) }
        try writeJSON(position, to: directory + "/" + Self.stateFile)
        try writeJSON(record, to: directory + "/" + Self.historyFile)
    }

    /// Restores what `saveState` wrote, into a loop built over the same data and settings.
    public func restoreState(from directory: String) throws {
        for (i, optimizer) in optimizers.enumerated() { try optimizer.load(from: directory + "/" + optimizerFile(i)) }
        let statePath = directory + "/" + Self.stateFile
        let saved: TrainingPosition = try readJSON(statePath)
        guard optimizers.allSatisfy({ $0.step == saved.step }) else {
            throw TransformerError("trainer state is at update \(saved.step) but the optimizer state at \(optimizers.map { String($0.step) }.joined(separator: ", "))", file: statePath)
        }
        guard saved.batchesDone < batchesPerEpoch || saved.batchesDone == 0 else {
            throw TransformerError("trainer state has \(saved.batchesDone) batches done of an epoch of \(batchesPerEpoch): the training data differ from the saved run",
                                   file: statePath)
        }
        position = saved
        plan = nil
        record = try readJSON(directory + "/" + Self.historyFile)
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

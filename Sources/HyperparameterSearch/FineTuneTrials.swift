import Foundation
import Transformer

/// Trials as `lexgraph finetune` runs: trial i is a `FineTuneRun` folder `trials/NNN`
/// under the study folder with the command's options and the trial's hyperparameters.
/// A budget of r epochs (fractions allowed) is ⌊r·S⌋ updates of a trial with S updates
/// per epoch; a trial stopped inside an epoch is evaluated on dev there. A promoted trial
/// resumes its folder's saved state (weights, optimizer moments, position) and trains
/// only the updates it lacks; a trial killed mid-job restarts from its last saved point
/// (an epoch's end or a rung's). The learning-rate schedule spans the trial's `epochs`
/// (the space's, or max_epochs), so a rung is a point on the way, not a shorter run.
/// Trials freezing the same bottom layers share one frozen-layer cache (`caches`).
public final class FineTuneTrials: TrialTrainer {
    public let inputs: FineTuneInputs
    public let base: FineTuneOptions
    public let directory: String
    public let maxEpochs: Int
    /// The frozen-layer caches every trial of this study shares (one base model).
    public let caches = FrozenLayerCaches()
    let log: (String) -> Void
    let progress: ((String, Int, Int) -> ProgressBar)?
    /// Epochs this object may still finish before it stops as a killed process would
    /// (after an epoch's state is saved); nil: no limit. For tests of resuming.
    public var epochAllowance: Int?
    private var trainCount: Int?

    public init(inputs: FineTuneInputs, base: FineTuneOptions, directory: String, maxEpochs: Int, log: @escaping (String) -> Void = { _ in },
                progress: ((String, Int, Int) -> ProgressBar)? = nil) {
        self.inputs = inputs; self.base = base; self.directory = directory; self.maxEpochs = maxEpochs; self.log = log; self.progress = progress
    }

    public func folder(_ trial: Int) -> String { directory + "/trials/" + String(format: "%03d", trial) }

    /// The options trial `params` trains with.
    public func options(_ params: Hyperparameters) -> FineTuneOptions {
        var o = base
        o.epochs = maxEpochs
        return Hyperparameter.options(o, with: params)
    }

    /// Optimizer updates per epoch of a trial with `options`.
    public func stepsPerEpoch(_ options: FineTuneOptions) throws -> Int {
        let n = try trainCount ?? TextDataset.load(path: inputs.trainPath, fields: inputs.fields, multiLabel: options.task == .multilabel).count
        trainCount = n
        return TrainingLoop.stepsPerEpoch(examples: n, batchSize: options.batchSize, accumulationSteps: options.accumulationSteps)
    }

    public func train(trial: Int, params: Hyperparameters, epochs: Double) throws -> TrialProgress {
        let options = options(params)
        let dir = folder(trial), fm = FileManager.default
        let perEpoch = try stepsPerEpoch(options)
        let target = min(SearchSpace.steps(epochs: epochs, stepsPerEpoch: perEpoch), options.epochs * perEpoch)
        var saved = try Self.savedState(dir)
        if saved == nil, fm.fileExists(atPath: dir) {
            // Killed before its first state was saved: nothing to continue.
            try fm.removeItem(atPath: dir)
        }
        if (saved?.step ?? 0) < target && saved?.history.stopped != true {
            let finished = saved?.history.history.count ?? 0
            if let allowance = epochAllowance, allowance <= 0 {
                throw SearchError("stopped: the epoch allowance is spent (trial \(trial) at update \(saved?.step ?? 0) of \(target))")
            }
            try fm.createDirectory(atPath: directory + "/trials", withIntermediateDirectories: true)
            var run = FineTuneRun(inputs: inputs, options: options, directory: dir)
            run.sharedCaches = caches
            let all = try run.run(resume: saved != nil, epochLimit: epochAllowance, stopAtStep: target, log: log, progress: progress)
            epochAllowance = epochAllowance.map { $0 - (all.count - finished) }
            saved = try Self.savedState(dir)
            if (saved?.step ?? 0) < target && saved?.history.stopped != true {
                throw SearchError("stopped: the epoch allowance is spent (trial \(trial) at update \(saved?.step ?? 0) of \(target))")
            }
        }
        guard let saved else { throw SearchError("trial \(trial) saved no state", file: dir) }
        // The best dev metric within the budget: every epoch's end up to it, and the
        // evaluation at the budget itself when that falls inside an epoch.
        let metric = options.task.selectionMetric
        let reached = min(saved.step, target)
        let atEpochs = saved.history.history.filter { $0.step <= reached }.compactMap { $0.dev[metric] }
        let atRung = try FineTuneRun.interimEvaluations(ofRun: dir).filter { $0.step == reached }.compactMap { $0.dev[metric] }
        guard let best = (atEpochs + atRung).max() else { throw SearchError("trial \(trial) has no dev \(metric): the search selects on a dev set", file: dir) }
        return TrialProgress(metric: best, trainedEpochs: Double(saved.step) / Double(perEpoch))
    }

    /// The saved position (updates done) and history of the run in `dir` (nil: no saved state).
    static func savedState(_ dir: String) throws -> (step: Int, history: TrainingHistory)? {
        let historyPath = dir + "/state/" + TrainingLoop.historyFile, positionPath = dir + "/state/" + TrainingLoop.stateFile
        guard let data = FileManager.default.contents(atPath: historyPath), let position = FileManager.default.contents(atPath: positionPath) else { return nil }
        do {
            return (try JSONDecoder().decode(TrainingPosition.self, from: position).step, try JSONDecoder().decode(TrainingHistory.self, from: data))
        } catch {
            throw SearchError("unreadable run state: \(error)", file: dir + "/state")
        }
    }
}

import Foundation
import Transformer

/// Trials as `lexgraph finetune` runs: trial i is a `FineTuneRun` folder `trials/NNN`
/// under the study folder with the command's options and the trial's hyperparameters.
/// A promoted trial resumes its folder's saved state (weights, optimizer moments,
/// position) and trains only the epochs it lacks; a trial killed mid-epoch restarts from
/// its last finished epoch. The learning-rate schedule spans the trial's `epochs` (the
/// space's, or max_epochs), so a rung is a point on the way, not a shorter run.
public final class FineTuneTrials: TrialTrainer {
    public let inputs: FineTuneInputs
    public let base: FineTuneOptions
    public let directory: String
    public let maxEpochs: Int
    let log: (String) -> Void
    let progress: ((String, Int, Int) -> ProgressBar)?
    /// Epochs this object may still train before it stops as a killed process would
    /// (after an epoch's state is saved); nil: no limit. For tests of resuming.
    public var epochAllowance: Int?

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

    public func train(trial: Int, params: Hyperparameters, epochs: Int) throws -> TrialProgress {
        let options = options(params)
        let dir = folder(trial), fm = FileManager.default
        let target = min(epochs, options.epochs)
        var history = try Self.savedHistory(dir)
        if history == nil, fm.fileExists(atPath: dir) {
            // Killed before its first epoch was saved: nothing to continue.
            try fm.removeItem(atPath: dir)
        }
        let done = history?.count ?? 0
        if done < target {
            var limit = target - done
            if let allowance = epochAllowance {
                guard allowance > 0 else { throw SearchError("stopped: the epoch allowance is spent (trial \(trial) at epoch \(done) of \(target))") }
                limit = min(limit, allowance)
            }
            try fm.createDirectory(atPath: directory + "/trials", withIntermediateDirectories: true)
            let run = FineTuneRun(inputs: inputs, options: options, directory: dir)
            let all = try run.run(resume: history != nil, epochLimit: limit, log: log, progress: progress)
            epochAllowance = epochAllowance.map { $0 - (all.count - done) }
            history = all
            if all.count < target { throw SearchError("stopped: the epoch allowance is spent (trial \(trial) at epoch \(all.count) of \(target))") }
        }
        let metric = options.task.selectionMetric
        let best = (history ?? []).prefix(target).compactMap { $0.dev[metric] }.max()
        guard let best else { throw SearchError("trial \(trial) has no dev \(metric): the search selects on a dev set", file: dir) }
        return TrialProgress(metric: best, trainedEpochs: history?.count ?? 0)
    }

    /// Every finished epoch of the run in `dir` (nil: no saved state).
    static func savedHistory(_ dir: String) throws -> [EpochMetrics]? {
        let path = dir + "/state/" + TrainingLoop.historyFile
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONDecoder().decode(TrainingHistory.self, from: data).history } catch {
            throw SearchError("unreadable run state: \(error)", file: path)
        }
    }
}

import Foundation
import Transformer

/// What a study needs from training: train a trial on until it has trained `epochs`
/// epochs in all (fractions allowed; continuing its saved state, never starting over) and
/// report the best dev metric within those epochs.
public protocol TrialTrainer: AnyObject {
    func train(trial: Int, params: Hyperparameters, epochs: Double) throws -> TrialProgress
}

public struct TrialProgress: Sendable, Equatable {
    /// The best dev metric over the epochs asked for (the selection metric; higher is better).
    public var metric: Double
    /// Epochs the trial has trained in all, fractions included (its own `epochs` may stop
    /// it below the rung's, and a rung's updates round down).
    public var trainedEpochs: Double
    public init(metric: Double, trainedEpochs: Double) { self.metric = metric; self.trainedEpochs = trainedEpochs }
}

/// ASHA (or, for comparison, every configuration of an all-choice space at the full
/// budget) over a `TrialTrainer`, one job at a time, with every decision and result in a
/// `StudyStore`: running the same study again continues it, a job that was running
/// first, and redoes nothing finished.
public final class Study {
    public enum Mode: String, Sendable, Codable { case asha, grid }

    public let space: SearchSpace
    public let mode: Mode
    public let store: StudyStore
    public let trainer: any TrialTrainer
    /// The warm-up ratio of trials whose space does not search one (for `after_warmup`).
    public let baseWarmupRatio: Double
    let log: (String) -> Void

    /// Opens (or starts) the study in `store`; `task` describes what trials train on (the
    /// data files' digests included): a study made for another space or task is refused.
    /// `baseWarmupRatio` is the trials' warm-up ratio where the space does not search it
    /// (it is part of `task`, and places rung 0 of an `after_warmup` space).
    public init(space: SearchSpace, mode: Mode, task: String, store: StudyStore, trainer: any TrialTrainer,
                baseWarmupRatio: Double = FineTuneOptions(task: .classify).warmupRatio, log: @escaping (String) -> Void = { _ in }) throws {
        if mode == .grid, space.grid == nil {
            throw SearchError("a grid search needs a space of choices only; log_uniform, uniform and int ranges have no grid")
        }
        self.space = space; self.mode = mode; self.store = store; self.trainer = trainer; self.baseWarmupRatio = baseWarmupRatio; self.log = log
        let spaceText = Self.canonical(space)
        let fingerprint = Self.digest(mode.rawValue + "\n" + spaceText + "\n" + task)
        if let saved = try store.fingerprint() {
            guard saved != fingerprint else { return }
            let stored = try store.description()
            let what = stored.space != spaceText ? "the search space file" : stored.mode != mode.rawValue ? "the mode (asha or grid)" : "the task (model, data files or their contents, fixed options)"
            throw SearchError("cannot resume: \(what) changed since the study began; use a new --out folder or restore the original "
                              + "(study: \(stored.mode), space \(stored.space))", file: store.path)
        }
        try store.create(fingerprint: fingerprint, mode: mode.rawValue, space: spaceText, task: task)
    }

    /// Epochs of each rung (fractions allowed): ASHA's, or the full budget alone for a grid.
    public var rungs: [Double] { mode == .grid ? [Double(space.maxEpochs)] : space.rungs(baseWarmupRatio: baseWarmupRatio) }

    /// Runs (or continues) the study to its end; returns every job.
    @discardableResult
    public func run() throws -> [StudyStore.JobRow] {
        let asha = ASHA(reductionFactor: space.reductionFactor, rungCount: rungs.count, trials: mode == .grid ? space.grid?.count ?? 0 : space.trials)
        while true {
            let jobs = try store.jobs(), trials = try store.trials()
            guard let job = jobs.first(where: { !$0.finished }) else {
                let results = jobs.map { ASHA.Result(trial: $0.trial, rung: $0.rung, metric: $0.metric ?? -.infinity) }
                switch asha.next(results: results, started: trials.count) {
                case nil: return jobs
                case .start?:
                    let id = trials.count
                    try store.begin(trial: id, params: mode == .grid ? space.grid![id] : space.configuration(id), rung: 0, epochs: rungs[0])
                case .promote(let trial, let rung)?:
                    try store.begin(trial: trial, params: nil, rung: rung, epochs: rungs[rung])
                }
                continue
            }
            guard let params = trials[job.trial] else { throw SearchError("job \(job.seq) names trial \(job.trial), which the study does not hold", file: store.path) }
            let before = jobs.filter { $0.trial == job.trial && $0.finished }.compactMap(\.trainedEpochs).max() ?? 0.0
            log("trial \(job.trial) rung \(job.rung) (\(SearchSpace.epochText(job.epochs)) epoch(s)): " + Self.describe(params))
            let start = Date()
            let progress = try trainer.train(trial: job.trial, params: params, epochs: job.epochs)
            let metric = progress.metric.isNaN ? -.infinity : progress.metric
            try store.finish(seq: job.seq, metric: metric, cost: progress.trainedEpochs - before, trainedEpochs: progress.trainedEpochs,
                             seconds: Date().timeIntervalSince(start))
            log("trial \(job.trial) rung \(job.rung): dev \(String(format: "%.4f", metric)) after \(SearchSpace.epochText(progress.trainedEpochs)) epoch(s)")
        }
    }

    /// The best trial of the highest rung any trial reached (ties: the earlier trial).
    public static func winner(_ jobs: [StudyStore.JobRow]) -> StudyStore.JobRow? {
        let done = jobs.filter(\.finished)
        guard let top = done.map(\.rung).max() else { return nil }
        return done.filter { $0.rung == top }.max { ($0.metric ?? -.infinity, -$0.trial) < ($1.metric ?? -.infinity, -$1.trial) }
    }

    public static func describe(_ params: Hyperparameters) -> String {
        params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    static func canonical<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? ""
    }

    /// FNV-1a, 64 bits, in hex: enough to tell one study's inputs from another's.
    public static func digest<S: Sequence>(bytes: S) -> String where S.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    static func digest(_ text: String) -> String { digest(bytes: text.utf8) }
}

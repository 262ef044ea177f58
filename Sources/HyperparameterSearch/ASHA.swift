/// The promotion rule of asynchronous successive halving (ASHA; Li et al., "A System for
/// Massively Parallel Hyperparameter Tuning", MLSys 2020, arXiv:1810.05934, Algorithm 2),
/// run one job at a time: look for a promotable trial from the highest rung down, a trial
/// among the best ⌊n/η⌋ of the n results of rung k that has not yet gone to rung k+1; with
/// none, start a new configuration at rung 0, until `trials` have been started. Ties in
/// the metric go to the earlier trial.
public struct ASHA: Sendable {
    public var reductionFactor: Int
    public var rungCount: Int
    public var trials: Int

    public init(reductionFactor: Int, rungCount: Int, trials: Int) {
        self.reductionFactor = reductionFactor; self.rungCount = rungCount; self.trials = trials
    }

    /// What to run next.
    public enum Job: Equatable, Sendable {
        /// Train trial `trial` on to rung `rung`.
        case promote(trial: Int, rung: Int)
        /// Start a new configuration at rung 0.
        case start
    }

    /// One finished job: `trial` reached `rung` with dev metric `metric`.
    public struct Result: Equatable, Sendable {
        public var trial: Int, rung: Int, metric: Double
        public init(trial: Int, rung: Int, metric: Double) { self.trial = trial; self.rung = rung; self.metric = metric }
    }

    /// The next job given every finished result and the number of trials started; nil
    /// when the study is done.
    public func next(results: [Result], started: Int) -> Job? {
        for k in stride(from: rungCount - 2, through: 0, by: -1) {
            let rung = results.filter { $0.rung == k }.sorted { ($0.metric, -$0.trial) > ($1.metric, -$1.trial) }
            let promoted = Set(results.filter { $0.rung == k + 1 }.map(\.trial))
            if let t = rung.prefix(rung.count / reductionFactor).first(where: { !promoted.contains($0.trial) }) {
                return .promote(trial: t.trial, rung: k + 1)
            }
        }
        return started < trials ? .start : nil
    }
}

import Foundation
import Transformer

/// How one hyperparameter is drawn.
public enum Distribution: Sendable, Equatable, Codable {
    /// One of the listed values, each equally likely.
    case choice([ParameterValue])
    /// exp of a uniform draw over [log low, log high] (learning rates).
    case logUniform(low: Double, high: Double)
    /// Uniform over [low, high].
    case uniform(low: Double, high: Double)
    /// An integer in low...high, each equally likely.
    case intRange(low: Int, high: Int)

    func sample(_ kind: Hyperparameter.Kind, _ rng: inout SeededGenerator) -> ParameterValue {
        switch self {
        case .choice(let values): return values[Int(rng.next() % UInt64(values.count))]
        case .logUniform(let lo, let hi): return .real(exp(log(lo) + unit(&rng) * (log(hi) - log(lo))))
        case .uniform(let lo, let hi): return .real(lo + unit(&rng) * (hi - lo))
        case .intRange(let lo, let hi): return .int(lo + Int(rng.next() % UInt64(hi - lo + 1)))
        }
    }

    private func unit(_ rng: inout SeededGenerator) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
}

/// What a study searches and how: the ASHA settings (`search:`) and one distribution per
/// hyperparameter (`space:`), read from a YAML or JSON file:
///
///     search: {trials: 9, reduction_factor: 3, after_warmup: 0.6, max_epochs: 9, seed: 0}
///     space:
///       learning_rate: {log_uniform: [1.0e-4, 1.0e-2]}
///       batch_size: {choice: [16, 32]}
///       epochs: {int: [3, 9]}
///       dropout: {uniform: [0.0, 0.2]}
///
/// Hyperparameters the space leaves out keep the command's (or `FineTuneOptions`') value.
/// The resource is epochs, fractions allowed: a trial with S updates per epoch stops for a
/// rung of r epochs after ⌊r·S⌋ updates, mid-epoch if need be.
public struct SearchSpace: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var distribution: Distribution
        public init(name: String, distribution: Distribution) { self.name = name; self.distribution = distribution }
    }

    /// Configurations ASHA samples (a grid search tries every one instead).
    public var trials: Int
    public var reductionFactor: Int = 3
    /// Rung 0's budget in epochs (fractions allowed), unless `afterWarmup` is set.
    public var minEpochs: Double = 1
    /// Rung 0 at the end of the latest warm-up of any configuration plus this many epochs:
    /// a trial judged inside its warm-up has barely trained at its learning rate, so its
    /// rank says little (a high rate looks no better than a low one there).
    public var afterWarmup: Double?
    /// The top rung's budget, in epochs.
    public var maxEpochs: Int
    public var seed: UInt64 = 0
    /// In the file's order.
    public var entries: [Entry]

    public init(trials: Int, reductionFactor: Int = 3, minEpochs: Double = 1, afterWarmup: Double? = nil, maxEpochs: Int, seed: UInt64 = 0,
                entries: [Entry]) {
        self.trials = trials; self.reductionFactor = reductionFactor; self.minEpochs = minEpochs; self.afterWarmup = afterWarmup
        self.maxEpochs = maxEpochs; self.seed = seed; self.entries = entries
    }

    /// The epoch (fractions allowed) at which the latest warm-up of any configuration ends:
    /// the largest warm-up ratio (the space's, or `baseWarmupRatio` where it does not
    /// search one) times the largest `epochs` (the space's, or max_epochs) — each trial's
    /// schedule spans its own epochs.
    public func warmupEnd(baseWarmupRatio: Double) -> Double {
        func largest(_ name: String) -> Double? {
            switch entries.first(where: { $0.name == name })?.distribution {
            case .choice(let v)?: v.map(\.double).max()
            case .uniform(_, let hi)?, .logUniform(_, let hi)?: hi
            case .intRange(_, let hi)?: Double(hi)
            case nil: nil
            }
        }
        return (largest("warmup_ratio") ?? baseWarmupRatio) * (largest("epochs") ?? Double(maxEpochs))
    }

    /// The rung budgets in epochs: r0·η^k below max_epochs, then max_epochs, with r0 =
    /// min_epochs or the warm-up's end plus after_warmup (`tools/asha_reference.py`).
    public func rungs(baseWarmupRatio: Double) -> [Double] {
        var r: [Double] = [], e = afterWarmup.map { warmupEnd(baseWarmupRatio: baseWarmupRatio) + $0 } ?? minEpochs
        while e < Double(maxEpochs) { r.append(e); e *= Double(reductionFactor) }
        return r + [Double(maxEpochs)]
    }

    /// The updates after which a trial with `stepsPerEpoch` updates per epoch has trained
    /// `epochs` epochs: ⌊epochs·S⌋ (at least 1; the epsilon keeps 4.35·20 at 87).
    public static func steps(epochs: Double, stepsPerEpoch: Int) -> Int {
        max(1, Int((epochs * Double(stepsPerEpoch) + 1e-9).rounded(.down)))
    }

    /// Configuration `index` of the study: a draw seeded by (seed, index), so it does not
    /// depend on how many were drawn before. A space of choices only draws without
    /// replacement: configuration i is grid point i of a seeded shuffle of the grid.
    public func configuration(_ index: Int) -> Hyperparameters {
        if let grid, !grid.isEmpty {
            var rng = SeededGenerator(seed: derivedSeed(seed, stream: 0x7A5B, index: 0))
            var order = Array(grid.indices)
            order.shuffle(using: &rng)
            return grid[order[index % grid.count]]
        }
        var rng = SeededGenerator(seed: derivedSeed(seed, stream: 0x7A5C, index: index))
        var out: Hyperparameters = [:]
        for e in entries { out[e.name] = e.distribution.sample(Hyperparameter.named(e.name)?.kind ?? .real, &rng) }
        return out
    }

    /// Every combination when each entry is a choice (nil otherwise), the first entry's
    /// values varying slowest.
    public var grid: [Hyperparameters]? {
        var out: [Hyperparameters] = [[:]]
        for e in entries {
            guard case .choice(let values) = e.distribution else { return nil }
            out = out.flatMap { partial in values.map { v in partial.merging([e.name: v]) { $1 } } }
        }
        return out
    }
}

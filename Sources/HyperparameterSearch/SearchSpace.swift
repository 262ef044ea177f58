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
///     search: {trials: 9, reduction_factor: 3, min_epochs: 1, max_epochs: 9, seed: 0}
///     space:
///       learning_rate: {log_uniform: [1.0e-4, 1.0e-2]}
///       batch_size: {choice: [16, 32]}
///       epochs: {int: [3, 9]}
///       dropout: {choice: [true, false]}
///
/// Hyperparameters the space leaves out keep the command's (or `FineTuneOptions`') value.
public struct SearchSpace: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var distribution: Distribution
        public init(name: String, distribution: Distribution) { self.name = name; self.distribution = distribution }
    }

    /// Configurations ASHA samples (a grid search tries every one instead).
    public var trials: Int
    public var reductionFactor: Int = 3
    /// The smallest and the largest budget of a trial, in epochs: rung k trains
    /// min_epochs · η^k epochs, and the top rung max_epochs.
    public var minEpochs: Int = 1
    public var maxEpochs: Int
    public var seed: UInt64 = 0
    /// In the file's order.
    public var entries: [Entry]

    public init(trials: Int, reductionFactor: Int = 3, minEpochs: Int = 1, maxEpochs: Int, seed: UInt64 = 0, entries: [Entry]) {
        self.trials = trials; self.reductionFactor = reductionFactor; self.minEpochs = minEpochs; self.maxEpochs = maxEpochs
        self.seed = seed; self.entries = entries
    }

    /// The rung budgets in epochs: min_epochs · η^k below max_epochs, then max_epochs.
    public var rungs: [Int] {
        var r: [Int] = [], e = minEpochs
        while e < maxEpochs { r.append(e); e *= reductionFactor }
        return r + [maxEpochs]
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

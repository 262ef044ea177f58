import Foundation
import LexgraphCore
import Transformer

/// Active learning replayed on labelled data: the train split is the pool (its labels are
/// revealed only when a strategy asks for them), the dev split scores each round's model.
/// Every seed starts all strategies from the same random initial batch, so the curves
/// differ only by what each strategy picked.
public struct SimulationSettings: Sendable {
    public var strategies: [QueryStrategy]
    public var seeds: [UInt64]
    /// Batches queried after the initial one.
    public var rounds: Int
    public var k: Int
    /// Size of the random initial batch (default k).
    public var initial: Int?
    public var head = EmbeddingHeadSettings()

    public init(strategies: [QueryStrategy], seeds: [UInt64], rounds: Int, k: Int, initial: Int? = nil) {
        self.strategies = strategies; self.seeds = seeds; self.rounds = rounds; self.k = k; self.initial = initial
    }
}

/// One round of one strategy and seed.
public struct CurvePoint: Sendable, Equatable {
    public var strategy: QueryStrategy
    public var seed: UInt64
    public var round: Int
    public var labels: Int
    public var macroF1: Double
    /// Training the head, scoring the pool and picking the next batch.
    public var seconds: Double
}

/// Labelled vectors: one split's embeddings and class indices.
public struct LabelledVectors: Sendable {
    public var embeddings: EmbeddingMatrix
    public var labels: [Int]
    public init(embeddings: EmbeddingMatrix, labels: [Int]) { self.embeddings = embeddings; self.labels = labels }
}

public struct SimulationResult: Sendable {
    public var points: [CurvePoint]
    /// The same head trained on every train label, per seed (dev macro-F1).
    public var fullDataF1: [Double]
    public var trainCount: Int
    public var classCount: Int
    public var settings: SimulationSettings

    public var meanFullDataF1: Double { fullDataF1.reduce(0, +) / Double(max(fullDataF1.count, 1)) }
}

public enum Simulation {
    public static func run(train: LabelledVectors, dev: LabelledVectors, classes: Int, settings: SimulationSettings,
                           progress: ((String) -> Void)? = nil) throws -> SimulationResult {
        guard settings.k > 0 else { throw ActiveLearningError("--k must be at least 1, got \(settings.k)") }
        guard settings.rounds >= 1 else { throw ActiveLearningError("--rounds must be at least 1, got \(settings.rounds)") }
        guard !settings.seeds.isEmpty else { throw ActiveLearningError("at least one seed is needed") }
        guard !settings.strategies.isEmpty else { throw ActiveLearningError("at least one strategy is needed") }
        guard train.embeddings.count > 0 else { throw ActiveLearningError("the train split is empty") }
        guard dev.embeddings.count > 0 else { throw ActiveLearningError("the dev split is empty") }
        var points: [CurvePoint] = []
        var full: [Double] = []
        let all = Array(0..<train.embeddings.count)
        for seed in settings.seeds {
            var head = settings.head
            head.seed = seed
            let model = try EmbeddingHead.fit(train.embeddings.values, features: train.embeddings.dimension, rows: all, labels: train.labels,
                                              classes: classes, settings: head)
            full.append(score(model, dev))
            progress?("seed \(seed): full data (\(all.count) labels) macro-F1 \(String(format: "%.3f", full.last!))")
            let initial = try QuerySelection.select(.random, k: settings.initial ?? settings.k, candidates: all, seed: seed)
            for strategy in settings.strategies {
                var labelled = initial
                var isLabelled = Set(initial)
                for round in 0...settings.rounds {
                    let start = Date()
                    let model = try EmbeddingHead.fit(train.embeddings.values, features: train.embeddings.dimension, rows: labelled,
                                                      labels: labelled.map { train.labels[$0] }, classes: classes, settings: head)
                    var next: [Int] = []
                    let candidates = all.filter { !isLabelled.contains($0) }
                    if round < settings.rounds, !candidates.isEmpty {
                        let probabilities = strategy.usesModel ? model.probabilities(train.embeddings.values, rows: candidates) : nil
                        next = try QuerySelection.select(strategy, k: settings.k, candidates: candidates, probabilities: probabilities,
                                                         embeddings: train.embeddings, labelled: labelled, seed: seed &+ UInt64(round + 1))
                    }
                    let seconds = Date().timeIntervalSince(start)
                    points.append(CurvePoint(strategy: strategy, seed: seed, round: round, labels: labelled.count, macroF1: score(model, dev), seconds: seconds))
                    labelled += next
                    isLabelled.formUnion(next)
                }
                let last = points.last!
                progress?("seed \(seed) \(strategy.rawValue): \(last.labels) labels, macro-F1 \(String(format: "%.3f", last.macroF1))")
            }
        }
        return SimulationResult(points: points, fullDataF1: full, trainCount: train.embeddings.count, classCount: classes, settings: settings)
    }

    /// Dev macro-F1 (scikit-learn's definition) of the head's best class.
    static func score(_ model: EmbeddingHead, _ dev: LabelledVectors) -> Double {
        let predicted = model.probabilities(dev.embeddings.values, rows: Array(0..<dev.embeddings.count)).map(CuratorSession.argmax)
        return ClassificationMetrics.macroF1(gold: dev.labels, predicted: predicted)
    }
}

/// What the learning curves say, per strategy: the normalized area under the mean curve,
/// the labels needed to reach a share of the full-data score, and the time per round.
public struct StrategySummary: Sendable, Equatable {
    public var strategy: QueryStrategy
    /// Mean over seeds of each seed's area under macro-F1 against labels, divided by the
    /// label range: the average macro-F1 over the curve, in [0, 1].
    public var area: Double
    public var areaStandardDeviation: Double
    /// The first label count where the mean curve reaches `target` (nil: never).
    public var labelsToTarget: Int?
    public var target: Double
    public var finalF1: Double
    public var secondsPerRound: Double
}

extension SimulationResult {
    /// The mean curve of one strategy over the seeds: (labels, mean macro-F1).
    public func meanCurve(_ strategy: QueryStrategy) -> [(labels: Int, f1: Double)] {
        let mine = points.filter { $0.strategy == strategy }
        let rounds = Set(mine.map(\.round)).sorted()
        return rounds.map { r in
            let at = mine.filter { $0.round == r }
            return (at[0].labels, at.map(\.macroF1).reduce(0, +) / Double(at.count))
        }
    }

    /// Trapezoid area under (labels, F1) divided by the label range.
    public static func normalizedArea(_ curve: [(labels: Int, f1: Double)]) -> Double {
        guard curve.count > 1, let first = curve.first, let last = curve.last, last.labels > first.labels else { return curve.first?.f1 ?? 0 }
        var area = 0.0
        for (a, b) in zip(curve, curve.dropFirst()) { area += Double(b.labels - a.labels) * (a.f1 + b.f1) / 2 }
        return area / Double(last.labels - first.labels)
    }

    public func summary(targetShare: Double = 0.95) -> [StrategySummary] {
        let target = targetShare * meanFullDataF1
        return settings.strategies.map { s in
            let areas = settings.seeds.map { seed in
                Self.normalizedArea(points.filter { $0.strategy == s && $0.seed == seed }.map { ($0.labels, $0.macroF1) })
            }
            let mean = areas.reduce(0, +) / Double(areas.count)
            let sd = areas.count > 1 ? (areas.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(areas.count - 1)).squareRoot() : 0
            let curve = meanCurve(s)
            let mine = points.filter { $0.strategy == s }
            return StrategySummary(strategy: s, area: mean, areaStandardDeviation: sd, labelsToTarget: curve.first { $0.f1 >= target }?.labels,
                                   target: target, finalF1: curve.last?.f1 ?? 0,
                                   secondsPerRound: mine.map(\.seconds).reduce(0, +) / Double(max(mine.count, 1)))
        }
    }
}

import LexgraphCore

/// When more labels stop paying: stabilizing predictions (Bloodgood and Vijay-Shanker,
/// CoNLL 2009, "A Method for Stopping Active Learning Based on Stabilizing Predictions and
/// the Need for User-Adjustable Stopping"). A stop set of unlabelled examples is held back;
/// after each retraining the new model's predictions on it are compared with the previous
/// model's by Cohen's kappa, and labelling stops once the mean kappa of the last `window`
/// rounds reaches `threshold` (the paper's defaults: 3 rounds, 0.99). The stop set needs no
/// labels, so the rule works during real curation, not only in simulation.
public struct StabilizingPredictions: Sendable, Equatable, Codable {
    public var window = 3
    public var threshold = 0.99
    /// Kappa between each model and the one before it, oldest first.
    public var agreements: [Double] = []
    /// The latest model's predicted class on each stop-set example.
    public var lastPredictions: [Int]?

    public init(window: Int = 3, threshold: Double = 0.99) { self.window = window; self.threshold = threshold }

    /// The stop set: up to `size` pool positions, a seeded sample (sorted).
    public static func stopSet(poolSize: Int, size: Int = 1000, seed: UInt64) -> [Int] {
        var order = Array(0..<poolSize)
        var rng = SplitMix64(seed: seed ^ 0x5709_5E7)
        let n = min(size, poolSize)
        for i in 0..<n { order.swapAt(i, i + rng.below(poolSize - i)) }
        return order.prefix(n).sorted()
    }

    /// Records a new model's stop-set predictions.
    public mutating func record(_ predictions: [Int]) {
        if let last = lastPredictions, last.count == predictions.count { agreements.append(Self.kappa(last, predictions)) }
        lastPredictions = predictions
    }

    /// Mean kappa over the last `window` rounds (nil until there are that many).
    public var recentAgreement: Double? {
        guard agreements.count >= window else { return nil }
        return agreements.suffix(window).reduce(0, +) / Double(window)
    }

    public var shouldStop: Bool { (recentAgreement ?? 0) >= threshold }

    /// Cohen's kappa of two label sequences: (p_o − p_e) / (1 − p_e). When chance agreement
    /// is already 1 (both predict one and the same class everywhere) it is 1 if they agree.
    public static func kappa(_ a: [Int], _ b: [Int]) -> Double {
        let n = Double(a.count)
        guard n > 0 else { return 1 }
        var agree = 0.0
        var countA: [Int: Double] = [:], countB: [Int: Double] = [:]
        for (x, y) in zip(a, b) {
            if x == y { agree += 1 }
            countA[x, default: 0] += 1; countB[y, default: 0] += 1
        }
        let po = agree / n
        let pe = countA.reduce(0.0) { $0 + $1.value * (countB[$1.key] ?? 0) } / (n * n)
        if pe >= 1 { return po >= 1 ? 1 : 0 }
        return (po - pe) / (1 - pe)
    }
}

import Foundation
import LexgraphCore

/// How the next batch of examples to label is chosen from the unlabelled pool.
///
/// The uncertainty strategies score each candidate from the current model's class
/// probabilities (Settles 2009, "Active Learning Literature Survey", §3.1) and take the
/// k highest; equal scores keep pool order, so a pick is the same on every run.
/// `kcenter` ignores the model and spreads the batch over the embedding space.
public enum QueryStrategy: String, CaseIterable, Sendable, Codable {
    /// A seeded uniform sample: the baseline every other strategy is measured against.
    case random
    /// 1 − max_c p(c): the examples whose best class is least probable.
    case leastConfidence = "least-confidence"
    /// p(best) − p(second): the smallest gap first ("breaking ties", Scheffer et al. 2001).
    case margin
    /// −Σ p log p over all classes: the flattest distributions first.
    case entropy
    /// k-center greedy over the embeddings (Sener and Savarese 2018, "Active Learning for
    /// Convolutional Neural Networks: A Core-Set Approach"): repeatedly the example farthest
    /// (Euclidean) from everything labelled or already picked, so the batch covers the pool.
    case kcenter

    /// Whether the strategy reads the model's probabilities.
    public var usesModel: Bool { self == .leastConfidence || self == .margin || self == .entropy }

    /// The informativeness of one probability row: higher is picked first.
    public func score(_ p: [Float]) -> Double {
        switch self {
        case .leastConfidence:
            return 1 - Double(p.max() ?? 0)
        case .margin:
            var first = -Float.infinity, second = -Float.infinity
            for x in p {
                if x > first { second = first; first = x } else if x > second { second = x }
            }
            return p.count < 2 ? 0 : -Double(first - second)
        case .entropy:
            return -p.reduce(0.0) { $0 + ($1 > 0 ? Double($1) * log(Double($1)) : 0) }
        case .random, .kcenter:
            return 0
        }
    }
}

/// The next batch for one strategy. Candidates are pool indices; the result is at most k
/// of them, in the order they were picked.
public enum QuerySelection {
    /// - probabilities: one row per candidate (same order), needed by the uncertainty strategies.
    /// - embeddings: the whole pool's vectors, needed by `kcenter`.
    /// - labelled: pool indices already labelled (`kcenter` keeps away from them).
    /// - seed: for `random`, and for `kcenter`'s first pick when nothing is labelled yet.
    public static func select(_ strategy: QueryStrategy, k: Int, candidates: [Int], probabilities: [[Float]]? = nil,
                              embeddings: EmbeddingMatrix? = nil, labelled: [Int] = [], seed: UInt64) throws -> [Int] {
        guard k > 0 else { throw ActiveLearningError("k must be at least 1, got \(k)") }
        let k = min(k, candidates.count)
        guard k > 0 else { return [] }
        switch strategy {
        case .random:
            var order = candidates
            var rng = SplitMix64(seed: seed)
            for i in 0..<k {
                let j = i + rng.below(order.count - i)
                order.swapAt(i, j)
            }
            return Array(order.prefix(k))
        case .leastConfidence, .margin, .entropy:
            guard let probabilities, probabilities.count == candidates.count else {
                throw ActiveLearningError("\(strategy.rawValue) needs one probability row per candidate")
            }
            let scores = probabilities.map(strategy.score)
            let order = candidates.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : candidates[$0] < candidates[$1] }
            return order.prefix(k).map { candidates[$0] }
        case .kcenter:
            guard let embeddings else { throw ActiveLearningError("kcenter needs the pool's embeddings") }
            return KCenterGreedy.select(k: k, candidates: candidates, labelled: labelled, embeddings: embeddings, seed: seed)
        }
    }
}

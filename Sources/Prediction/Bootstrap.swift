import LexgraphCore
/// Percentile bootstrap intervals for the metrics: resample the scored cases with
/// replacement (seeded, so every run and every model sees the same resamples: the
/// intervals of models scored on the same cases are paired), recompute each metric, and
/// take the 2.5th and 97.5th percentiles (linear interpolation between order statistics,
/// as numpy's default `percentile`). Resamples in which a metric is undefined (AUC with a
/// single class) are skipped for that metric.
public struct Bootstrap: Sendable {
    public var resamples: Int
    public var seed: UInt64
    public var confidence: Double

    public init(resamples: Int = 1000, seed: UInt64 = 20_240_501, confidence: Double = 0.95) {
        self.resamples = resamples
        self.seed = seed
        self.confidence = confidence
    }

    /// Lower and upper bounds per metric.
    public func intervals(labels: [Bool], probabilities: [Double], threshold: Double = decisionThreshold) throws -> [Metric: ClosedRange<Double>] {
        try intervals(labels: labels, probabilities: probabilities, predicted: probabilities.map { $0 >= threshold })
    }

    /// Intervals when each case's predicted label is given (resampled with its case).
    public func intervals(labels: [Bool], probabilities: [Double], predicted: [Bool]) throws -> [Metric: ClosedRange<Double>] {
        try Metrics.validate(labels: labels, probabilities: probabilities)
        guard predicted.count == labels.count else { throw PredictionError("\(labels.count) labels but \(predicted.count) predicted labels") }
        var rng = SplitMix64(seed: seed)
        var samples: [Metric: [Double]] = [:]
        let n = labels.count
        var y = [Bool](repeating: false, count: n)
        var p = [Double](repeating: 0, count: n)
        var yhat = [Bool](repeating: false, count: n)
        for _ in 0..<resamples {
            for i in 0..<n {
                let j = Int(rng.next() % UInt64(n))
                y[i] = labels[j]
                p[i] = probabilities[j]
                yhat[i] = predicted[j]
            }
            for (metric, value) in try Metrics.all(labels: y, probabilities: p, predicted: yhat) {
                samples[metric, default: []].append(value)
            }
        }
        let alpha = (1 - confidence) / 2
        var out: [Metric: ClosedRange<Double>] = [:]
        for (metric, values) in samples where !values.isEmpty {
            let sorted = values.sorted()
            out[metric] = Bootstrap.percentile(sorted, alpha)...Bootstrap.percentile(sorted, 1 - alpha)
        }
        return out
    }

    /// The q-quantile (0...1) of sorted values, numpy's default linear method.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}

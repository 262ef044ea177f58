/// A reliability diagram's data: predicted probabilities in `binCount` equal-width bins
/// over [0, 1] with edges i/binCount, a probability on an inner edge falling in the lower
/// bin (bin 0 holds 0 <= p <= 0.1, bin i holds i/10 < p <= (i+1)/10), exactly as
/// scikit-learn's `calibration_curve(y, p, n_bins=10, strategy="uniform")` bins them.
/// Empty bins are left out, as scikit-learn leaves them out.
public struct CalibrationCurve: Sendable, Equatable {
    public struct Bin: Sendable, Equatable {
        /// Bin number, 0 ..< binCount.
        public var index: Int
        public var count: Int
        /// Mean predicted probability in the bin (`prob_pred`).
        public var meanPredicted: Double
        /// Share of positive outcomes in the bin (`prob_true`).
        public var fractionPositive: Double
    }

    public var binCount: Int
    /// The non-empty bins, in order.
    public var bins: [Bin]

    /// Probabilities outside [0, 1] are clamped into the end bins (scikit-learn refuses
    /// them; callers validate first).
    public init(labels: [Bool], probabilities: [Double], binCount: Int = 10) {
        let bins = max(1, binCount)
        self.binCount = bins
        // Inner edges as numpy.linspace computes them (i * step), so a probability on an
        // edge lands in the same bin as in scikit-learn.
        let step = 1.0 / Double(bins)
        let edges = (1..<bins).map { Double($0) * step }
        var count = [Int](repeating: 0, count: bins)
        var sumP = [Double](repeating: 0, count: bins)
        var sumY = [Double](repeating: 0, count: bins)
        for i in 0..<min(labels.count, probabilities.count) {
            let p = probabilities[i]
            var b = 0
            while b < edges.count, edges[b] < p { b += 1 }
            count[b] += 1
            sumP[b] += p
            sumY[b] += labels[i] ? 1 : 0
        }
        self.bins = (0..<bins).filter { count[$0] > 0 }.map { b in
            Bin(index: b, count: count[b], meanPredicted: sumP[b] / Double(count[b]), fractionPositive: sumY[b] / Double(count[b]))
        }
    }

    /// Expected calibration error: the sum over non-empty bins of
    /// (bin size / n) * |fraction positive - mean predicted|.
    public var expectedCalibrationError: Double {
        let n = Double(bins.reduce(0) { $0 + $1.count })
        guard n > 0 else { return 0 }
        return bins.reduce(0) { $0 + Double($1.count) / n * abs($1.fractionPositive - $1.meanPredicted) }
    }
}

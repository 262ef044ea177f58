/// The ROC curve of binary scores, point for point as scikit-learn's
/// `roc_curve(y, score, drop_intermediate=False)` gives it: one point per distinct
/// score (highest first, cases with equal scores taken together), preceded by (0, 0)
/// at threshold +infinity. The tests compare it with scikit-learn on a fixture.
public struct ROCCurve: Sendable, Equatable {
    public var falsePositiveRates: [Double]
    public var truePositiveRates: [Double]
    /// The score at or above which a case counts as positive at each point
    /// (`+infinity` first).
    public var thresholds: [Double]

    /// Nil when the labels hold one class only (a rate would divide by zero).
    public init?(labels: [Bool], scores: [Double]) {
        guard labels.count == scores.count, labels.contains(true), labels.contains(false) else { return nil }
        // Descending by score; a stable sort keeps the order of equal scores irrelevant,
        // since equal scores are merged into one point.
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tps: [Double] = [0], fps: [Double] = [0], thresholds: [Double] = [.infinity]
        var tp = 0.0, fp = 0.0
        for (k, i) in order.enumerated() {
            if labels[i] { tp += 1 } else { fp += 1 }
            let lastOfTie = k + 1 == order.count || scores[order[k + 1]] != scores[i]
            if lastOfTie {
                tps.append(tp); fps.append(fp); thresholds.append(scores[i])
            }
        }
        falsePositiveRates = fps.map { $0 / fp }
        truePositiveRates = tps.map { $0 / tp }
        self.thresholds = thresholds
    }

    /// Area under the curve by the trapezoidal rule (scikit-learn's `auc` of the curve,
    /// which equals `roc_auc_score`).
    public var area: Double {
        var sum = 0.0
        for k in 1..<falsePositiveRates.count {
            sum += (falsePositiveRates[k] - falsePositiveRates[k - 1]) * (truePositiveRates[k] + truePositiveRates[k - 1]) / 2
        }
        return sum
    }
}

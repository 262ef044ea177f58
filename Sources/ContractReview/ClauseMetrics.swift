import Reports
import Transformer

/// The scores of the clause tasks, each defined as scikit-learn defines it (the tests
/// check them against tools/make_clause_metric_fixtures.py's fixture). Accuracy, macro-F1
/// and multi-label micro/macro-F1 are `ClassificationMetrics`' (one definition for the
/// fine-tuner and here); the rest is ranking and thresholding that only these tasks need.
public enum ClauseMetrics {
    /// Share of items whose gold class is among their `k` highest scores, ranked as
    /// sklearn's `top_k_accuracy_score` ranks them (a stable sort, reversed: among equal
    /// scores the higher class index comes first).
    public static func topKAccuracy(gold: [Int], scores: [[Double]], k: Int) -> Double {
        guard !gold.isEmpty else { return 0 }
        var hits = 0
        for (g, row) in zip(gold, scores) where (0..<row.count).contains(g) {
            // Classes ranked above g: higher score, or equal score and higher index.
            let above = row.indices.filter { row[$0] > row[g] || (row[$0] == row[g] && $0 > g) }.count
            if above < k { hits += 1 }
        }
        return Double(hits) / Double(gold.count)
    }

    /// Share of items whose predicted class is in the gold class's family; `family[c]`
    /// names class c's family.
    public static func familyAccuracy(gold: [Int], predicted: [Int], family: [String]) -> Double {
        guard !gold.isEmpty else { return 0 }
        let hits = zip(gold, predicted).filter { family[$0] == family[$1] }.count
        return Double(hits) / Double(gold.count)
    }

    /// The predicted class of each row: the first of the tied highest scores (numpy's
    /// `argmax`, the fine-tuner's choice).
    public static func argmax(_ row: [Double]) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }

    // MARK: - Ranking one label (CUAD retrieval)

    /// Cumulative true and false positives when every item scoring at least `threshold`
    /// is predicted positive, one point per distinct score from the highest (sklearn's
    /// `_binary_clf_curve`).
    static func curve(labels: [Bool], scores: [Double]) -> [(threshold: Double, tp: Int, fp: Int)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points: [(threshold: Double, tp: Int, fp: Int)] = []
        var tp = 0, fp = 0, i = 0
        while i < order.count {
            let t = scores[order[i]]
            while i < order.count, scores[order[i]] == t {
                if labels[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append((t, tp, fp))
        }
        return points
    }

    /// sklearn's `average_precision_score`: the sum over distinct thresholds, from the
    /// highest, of (recall gained) × precision there. Undefined (nil) without a positive,
    /// where sklearn warns and answers 0.
    public static func averagePrecision(labels: [Bool], scores: [Double]) -> Double? {
        let positives = labels.filter { $0 }.count
        guard positives > 0 else { return nil }
        var sum = 0.0, previousRecall = 0.0
        for p in curve(labels: labels, scores: scores) {
            let recall = Double(p.tp) / Double(positives)
            sum += (recall - previousRecall) * Double(p.tp) / Double(p.tp + p.fp)
            previousRecall = recall
        }
        return sum
    }

    /// The best precision among the thresholds whose recall is at least `recall` (the
    /// points of sklearn's `precision_recall_curve`); nil without a positive.
    public static func precisionAtRecall(_ recall: Double, labels: [Bool], scores: [Double]) -> Double? {
        let positives = labels.filter { $0 }.count
        guard positives > 0 else { return nil }
        var best: Double?
        for p in curve(labels: labels, scores: scores) where Double(p.tp) / Double(positives) >= recall {
            let precision = Double(p.tp) / Double(p.tp + p.fp)
            if best.map({ precision > $0 }) ?? true { best = precision }
        }
        return best
    }

    // MARK: - Multi-label decisions

    /// The threshold for one label: the dev score that, used as `score >= threshold`,
    /// gives the label's best dev F1; between equal F1 the larger threshold. A label
    /// without dev positives keeps `fallback` (the model's own boundary: 0.5 for
    /// probabilities). F1 values are compared exactly, as fractions.
    public static func tunedThreshold(labels: [Bool], scores: [Double], fallback: Double) -> Double {
        let positives = labels.filter { $0 }.count
        guard positives > 0 else { return fallback }
        var best = fallback
        var bestF1: (numerator: Int, denominator: Int) = (0, 1)
        var first = true
        for p in curve(labels: labels, scores: scores) {
            // F1 = 2tp / (predicted + actual positives); visited from the largest threshold.
            let f1 = (2 * p.tp, p.tp + p.fp + positives)
            if first || f1.0 * bestF1.denominator > bestF1.numerator * f1.1 {
                best = p.threshold; bestF1 = f1; first = false
            }
        }
        return best
    }

    /// `tunedThreshold` for each of `labelCount` labels; `gold[i]` holds item i's labels.
    public static func tunedThresholds(gold: [Set<Int>], scores: [[Double]], labelCount: Int, fallback: Double = 0.5) -> [Double] {
        (0..<labelCount).map { l in
            tunedThreshold(labels: gold.map { $0.contains(l) }, scores: scores.map { $0[l] }, fallback: fallback)
        }
    }

    /// The labels whose score reaches their threshold, per item.
    public static func predictedSets(scores: [[Double]], thresholds: [Double]) -> [Set<Int>] {
        scores.map { row in Set(row.indices.filter { row[$0] >= thresholds[$0] }) }
    }

    /// The label sets with "Other" as label `labelCount` for each empty set (LexGLUE's
    /// UNFAIR-ToS convention: a text with no unfair label is an Other text, and a
    /// prediction of no label predicts Other).
    public static func withOther(_ sets: [Set<Int>], labelCount: Int) -> [Set<Int>] {
        sets.map { $0.isEmpty ? [labelCount] : $0 }
    }

    /// Micro- and macro-F1 over the `labelCount` labels plus Other (`withOther`), as
    /// sklearn's `f1_score` over the indicator matrix with the extra column.
    public static func f1WithOther(gold: [Set<Int>], predicted: [Set<Int>], labelCount: Int) -> (micro: Double, macro: Double) {
        ClassificationMetrics.multiLabelF1(gold: withOther(gold, labelCount: labelCount), predicted: withOther(predicted, labelCount: labelCount),
                                           labelCount: labelCount + 1)
    }

    /// Expected calibration error over every (item, label) probability pooled, in 10
    /// equal-width bins (`Reports.CalibrationCurve`, sklearn's `calibration_curve` binning).
    public static func pooledCalibrationError(gold: [Set<Int>], probabilities: [[Double]], bins: Int = 10) -> Double {
        var outcomes: [Bool] = [], pooled: [Double] = []
        for (g, row) in zip(gold, probabilities) {
            for (l, p) in row.enumerated() { outcomes.append(g.contains(l)); pooled.append(p) }
        }
        return CalibrationCurve(labels: outcomes, probabilities: pooled, binCount: bins).expectedCalibrationError
    }
}

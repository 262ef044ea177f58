import Reports
import Transformer

/// The scores every evaluation reports, defined as scikit-learn defines them (the tests
/// check them against it on a committed fixture):
/// - accuracy of the predicted labels (P >= the model's threshold, `decisionThreshold` by default);
/// - macro-F1: the unweighted mean of the two classes' F1 = 2TP / (2TP + FP + FN), over
///   the classes present in the labels or the predictions (sklearn `average="macro"`);
/// - ROC AUC: the Mann-Whitney statistic with tied scores given their average rank (equal
///   to sklearn's trapezoidal `roc_auc_score`); undefined (nil) with one class only;
/// - Brier score: mean squared difference between probability and outcome;
/// - ECE (expected calibration error): 10 equal-width probability bins with edges i/10;
///   a probability on an inner edge falls in the lower bin (bin 0 holds 0 <= p <= 0.1,
///   bin i holds i/10 < p <= (i+1)/10), as sklearn's `calibration_curve(strategy=
///   "uniform")` bins them; the sum over non-empty bins of
///   (bin size / n) * |mean outcome - mean probability|.
public enum Metric: String, CaseIterable, Sendable, Codable {
    case accuracy
    case macroF1 = "macro_f1"
    case rocAUC = "roc_auc"
    case brier
    case ece
}

public enum Metrics {
    /// All metrics of one set of predictions; a metric that is undefined is absent.
    public static func all(labels: [Bool], probabilities: [Double], threshold: Double = decisionThreshold) throws -> [Metric: Double] {
        try all(labels: labels, probabilities: probabilities, predicted: probabilities.map { $0 >= threshold })
    }

    /// All metrics, accuracy and macro-F1 of the given predicted labels (a model that chose
    /// its threshold per fold predicts each case at its fold's threshold).
    public static func all(labels: [Bool], probabilities: [Double], predicted: [Bool]) throws -> [Metric: Double] {
        try validate(labels: labels, probabilities: probabilities)
        guard predicted.count == labels.count else { throw PredictionError("\(labels.count) labels but \(predicted.count) predicted labels") }
        var out: [Metric: Double] = [
            .accuracy: accuracy(labels: labels, predicted: predicted),
            .macroF1: macroF1(labels: labels, predicted: predicted),
            .brier: brier(labels: labels, probabilities: probabilities),
            .ece: expectedCalibrationError(labels: labels, probabilities: probabilities),
        ]
        out[.rocAUC] = rocAUC(labels: labels, scores: probabilities)
        return out
    }

    /// Same count, at least one case, every probability finite and in [0, 1].
    public static func validate(labels: [Bool], probabilities: [Double]) throws {
        guard labels.count == probabilities.count else {
            throw PredictionError("\(labels.count) labels but \(probabilities.count) probabilities")
        }
        guard !labels.isEmpty else { throw PredictionError("no cases to score") }
        if let bad = probabilities.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw PredictionError("probability \(probabilities[bad]) of case \(bad) is not in [0, 1]")
        }
    }

    /// scikit-learn's `accuracy_score` (the shared definition in `ClassificationMetrics`).
    public static func accuracy(labels: [Bool], predicted: [Bool]) -> Double {
        ClassificationMetrics.accuracy(gold: labels.map(classIndex), predicted: predicted.map(classIndex))
    }

    /// scikit-learn's macro `f1_score` over the classes present (`ClassificationMetrics`).
    public static func macroF1(labels: [Bool], predicted: [Bool]) -> Double {
        ClassificationMetrics.macroF1(gold: labels.map(classIndex), predicted: predicted.map(classIndex))
    }

    private static func classIndex(_ label: Bool) -> Int { label ? 1 : 0 }

    public static func rocAUC(labels: [Bool], scores: [Double]) -> Double? {
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositive = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for k in start...end where labels[order[k]] { rankSumPositive += averageRank }
            start = end + 1
        }
        let p = Double(positives), n = Double(negatives)
        return (rankSumPositive - p * (p + 1) / 2) / (p * n)
    }

    public static func brier(labels: [Bool], probabilities: [Double]) -> Double {
        var sum = 0.0
        for i in labels.indices {
            let d = probabilities[i] - (labels[i] ? 1 : 0)
            sum += d * d
        }
        return sum / Double(labels.count)
    }

    /// The binning is `Reports.CalibrationCurve`'s (the reliability diagram's), so the
    /// ECE and the plotted bins agree.
    public static func expectedCalibrationError(labels: [Bool], probabilities: [Double], bins: Int = 10) -> Double {
        CalibrationCurve(labels: labels, probabilities: probabilities, binCount: bins).expectedCalibrationError
    }
}

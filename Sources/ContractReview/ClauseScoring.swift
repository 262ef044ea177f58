import LexgraphCore
import Transformer

/// One label's figures on a split.
public struct ClauseLabelScore: Sendable, Equatable {
    public var label: String
    /// Items whose gold labels include it.
    public var support: Int
    /// Items predicted with it (argmax, or score at or above the threshold).
    public var predicted: Int?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var threshold: Double?
    /// cuad: average precision and precision at 80% recall (nil without a positive).
    public var averagePrecision: Double?
    public var precisionAtRecall80: Double?

    public var json: Value {
        var m: [String: Value] = ["label": .string(label), "support": .int(Int64(support))]
        if let predicted { m["predicted"] = .int(Int64(predicted)) }
        for (key, value) in [("precision", precision), ("recall", recall), ("f1", f1), ("threshold", threshold)] {
            if let value { m[key] = .float(value) }
        }
        if support > 0 || averagePrecision != nil {
            m["aupr"] = averagePrecision.map(Value.float) ?? .null
            m["p_at_r80"] = precisionAtRecall80.map(Value.float) ?? .null
        }
        return .map(m)
    }
}

/// A task's figures on one split: the metrics by name, per-label details, and for cuad
/// the worst categories and the categories left unscored (no positive in the split).
public struct ClauseScores: Sendable, Equatable {
    public var metrics: [String: Double]
    public var perLabel: [ClauseLabelScore]
    /// cuad: the category behind each "worst" metric.
    public var worstLabels: [String: String] = [:]
    /// cuad: categories without a positive, which AUPR and P@80%R cannot score.
    public var unscored: [String] = []
}

/// The clause tasks' metrics from gold labels and model probabilities, one definition
/// for `lexgraph clauses eval` (the peer script computes the same with scikit-learn):
/// - clause-types: accuracy, top5, family_accuracy (with a family per label), macro_f1;
/// - cuad: per category average precision (`aupr`) and precision at recall >= 0.8
///   (`p_at_r80`), mean and worst over the categories with a positive; with thresholds,
///   micro_f1 and macro_f1_labels at them (context, not the task's figure);
/// - unfair-tos: macro_f1 and micro_f1 over the labels plus Other (LexGLUE's way), ece over
///   every (item, label) probability; micro_f1_labels and macro_f1_labels (the eight
///   unfair labels alone) beside.
public enum ClauseScoring {
    /// The level of `p_at_r80`.
    public static let recallLevel = 0.8

    /// The metrics a task reports, in table order.
    public static func metricNames(_ task: ClauseTask) -> [String] {
        switch task {
        case .clauseTypes: return ["accuracy", "top5", "family_accuracy", "macro_f1"]
        case .cuad: return ["aupr_mean", "aupr_worst", "p_at_r80_mean", "p_at_r80_worst", "micro_f1", "macro_f1_labels"]
        case .unfairTOS: return ["macro_f1", "micro_f1", "ece", "micro_f1_labels", "macro_f1_labels"]
        }
    }

    /// `gold[i]`: item i's label indices into `labels` (exactly one for clause-types);
    /// `probabilities[i][l]`: softmax (clause-types) or sigmoid probabilities; `thresholds`
    /// per label (multi-label); `families[l]`: label l's family (clause-types, optional).
    public static func score(task: ClauseTask, labels: [String], gold: [[Int]], probabilities: [[Double]],
                             thresholds: [Double]? = nil, families: [String]? = nil) -> ClauseScores {
        switch task {
        case .clauseTypes: return singleLabel(labels: labels, gold: gold.map { $0.first ?? -1 }, probabilities: probabilities, families: families)
        case .cuad, .unfairTOS: return multiLabel(task: task, labels: labels, gold: gold.map(Set.init), probabilities: probabilities, thresholds: thresholds)
        }
    }

    static func singleLabel(labels: [String], gold: [Int], probabilities: [[Double]], families: [String]?) -> ClauseScores {
        let predicted = probabilities.map(ClauseMetrics.argmax)
        var metrics = [
            "accuracy": ClassificationMetrics.accuracy(gold: gold, predicted: predicted),
            "top5": ClauseMetrics.topKAccuracy(gold: gold, scores: probabilities, k: 5),
            "macro_f1": ClassificationMetrics.macroF1(gold: gold, predicted: predicted),
        ]
        if let families { metrics["family_accuracy"] = ClauseMetrics.familyAccuracy(gold: gold, predicted: predicted, family: families) }
        let perLabel = labels.indices.map { l in
            counted(labels[l], gold: gold.map { $0 == l }, predicted: predicted.map { $0 == l }, threshold: nil)
        }
        return ClauseScores(metrics: metrics, perLabel: perLabel)
    }

    static func multiLabel(task: ClauseTask, labels: [String], gold: [Set<Int>], probabilities: [[Double]], thresholds: [Double]?) -> ClauseScores {
        var metrics: [String: Double] = [:]
        var perLabel: [ClauseLabelScore] = []
        let predicted = thresholds.map { ClauseMetrics.predictedSets(scores: probabilities, thresholds: $0) }
        for l in labels.indices {
            let g = gold.map { $0.contains(l) }
            var row = predicted.map { p in counted(labels[l], gold: g, predicted: p.map { $0.contains(l) }, threshold: thresholds?[l]) }
                ?? ClauseLabelScore(label: labels[l], support: g.filter { $0 }.count)
            if task == .cuad {
                let s = probabilities.map { $0[l] }
                row.averagePrecision = ClauseMetrics.averagePrecision(labels: g, scores: s)
                row.precisionAtRecall80 = ClauseMetrics.precisionAtRecall(recallLevel, labels: g, scores: s)
            }
            perLabel.append(row)
        }
        var worstLabels: [String: String] = [:]
        var unscored: [String] = []
        if task == .cuad {
            let scored = perLabel.filter { $0.averagePrecision != nil }
            unscored = perLabel.filter { $0.averagePrecision == nil }.map(\.label)
            for (name, value) in [("aupr", \ClauseLabelScore.averagePrecision), ("p_at_r80", \ClauseLabelScore.precisionAtRecall80)] {
                let values = scored.compactMap { $0[keyPath: value] }
                guard !values.isEmpty else { continue }
                metrics[name + "_mean"] = values.reduce(0, +) / Double(values.count)
                // The first of equally bad categories, in label order.
                let worst = scored.min { ($0[keyPath: value] ?? 0) < ($1[keyPath: value] ?? 0) }!
                metrics[name + "_worst"] = worst[keyPath: value]
                worstLabels[name + "_worst"] = worst.label
            }
        }
        if let predicted {
            let f1 = ClassificationMetrics.multiLabelF1(gold: gold, predicted: predicted, labelCount: labels.count)
            metrics["micro_f1"] = f1.micro
            metrics["macro_f1_labels"] = f1.macro
            if task == .unfairTOS {
                // LexGLUE's convention (and the published figures'): Other is a ninth label
                // in both averages; the average over the eight alone is kept beside.
                let other = ClauseMetrics.f1WithOther(gold: gold, predicted: predicted, labelCount: labels.count)
                metrics["macro_f1"] = other.macro
                metrics["micro_f1"] = other.micro
                metrics["micro_f1_labels"] = f1.micro
                perLabel.append(counted(ClauseTask.unfairOtherLabel, gold: gold.map(\.isEmpty), predicted: predicted.map(\.isEmpty), threshold: nil))
            }
        }
        if task == .unfairTOS { metrics["ece"] = ClauseMetrics.pooledCalibrationError(gold: gold, probabilities: probabilities) }
        return ClauseScores(metrics: metrics, perLabel: perLabel, worstLabels: worstLabels, unscored: unscored)
    }

    /// Support, predictions, precision, recall and F1 (sklearn's, 0 when undefined).
    static func counted(_ label: String, gold: [Bool], predicted: [Bool], threshold: Double?) -> ClauseLabelScore {
        var tp = 0, fp = 0, fn = 0
        for (g, p) in zip(gold, predicted) {
            if g && p { tp += 1 } else if p { fp += 1 } else if g { fn += 1 }
        }
        return ClauseLabelScore(label: label, support: tp + fn, predicted: tp + fp,
                                precision: tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp),
                                recall: tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn),
                                f1: ClassificationMetrics.f1(tp: tp, fp: fp, fn: fn), threshold: threshold)
    }
}

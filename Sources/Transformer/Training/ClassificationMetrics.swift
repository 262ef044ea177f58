/// Evaluation metrics with scikit-learn's definitions (`accuracy_score`, `f1_score` with
/// `zero_division=0`): a class's F1 is 2·tp / (2·tp + fp + fn), 0 when that is 0/0.
public enum ClassificationMetrics {
    /// Share of items whose predicted class is the gold class.
    public static func accuracy(gold: [Int], predicted: [Int]) -> Double {
        guard !gold.isEmpty else { return 0 }
        return Double(zip(gold, predicted).filter { $0 == $1 }.count) / Double(gold.count)
    }

    /// Unweighted mean of per-class F1 over the classes present in `gold` or `predicted`
    /// (as scikit-learn chooses the labels when none are given).
    public static func macroF1(gold: [Int], predicted: [Int]) -> Double {
        let classes = Set(gold).union(predicted)
        guard !classes.isEmpty else { return 0 }
        var total = 0.0
        // In label order: a Set's order differs between instances, and with it the sum's rounding.
        for c in classes.sorted() {
            var tp = 0, fp = 0, fn = 0
            for (g, p) in zip(gold, predicted) {
                if p == c && g == c { tp += 1 } else if p == c { fp += 1 } else if g == c { fn += 1 }
            }
            total += f1(tp: tp, fp: fp, fn: fn)
        }
        return total / Double(classes.count)
    }

    /// Micro-F1 (counts pooled over all labels) and macro-F1 (mean over all `labelCount`
    /// labels) of multi-label predictions given as label-index sets per item.
    public static func multiLabelF1(gold: [Set<Int>], predicted: [Set<Int>], labelCount: Int) -> (micro: Double, macro: Double) {
        var tp = [Int](repeating: 0, count: labelCount), fp = tp, fn = tp
        for (g, p) in zip(gold, predicted) {
            for l in 0..<labelCount {
                switch (g.contains(l), p.contains(l)) {
                case (true, true): tp[l] += 1
                case (false, true): fp[l] += 1
                case (true, false): fn[l] += 1
                case (false, false): break
                }
            }
        }
        let micro = f1(tp: tp.reduce(0, +), fp: fp.reduce(0, +), fn: fn.reduce(0, +))
        let macro = labelCount == 0 ? 0 : (0..<labelCount).map { f1(tp: tp[$0], fp: fp[$0], fn: fn[$0]) }.reduce(0, +) / Double(labelCount)
        return (micro, macro)
    }

    /// One class's F1 from its counts (0 when undefined).
    public static func f1(tp: Int, fp: Int, fn: Int) -> Double {
        let denominator = 2 * tp + fp + fn
        return denominator == 0 ? 0 : Double(2 * tp) / Double(denominator)
    }
}

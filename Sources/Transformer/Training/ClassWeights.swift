/// Whether a fine-tuning run weights its loss by how rare each label is in the training set.
public enum ClassWeighting: String, Sendable, Codable, CaseIterable {
    /// Every example and label counts the same (the plain mean loss).
    case none
    /// Rare labels count more (`ClassWeights.balanced` / `ClassWeights.positiveWeights`),
    /// so a head on imbalanced labels (most texts "Other") cannot settle on the majority.
    case balanced
}

/// Per-label loss weights computed from training examples, in the form the losses take
/// (`BertModel.lossAndBackward(classWeights:)`).
public enum ClassWeights {
    /// The largest multi-label positive weight: a label with 3 positives among 3,000 texts
    /// would otherwise weigh ~1,000 and its gradient swamp every other label's (and a few
    /// noisy positives make it unstable). 100 still balances a 1% label fully.
    public static let maxPositiveWeight: Float = 100

    /// The weights `weighting` gives `examples` for `task`: nil for `.none`; else one per
    /// label, `balanced` (classify) or `positiveWeights` (multilabel).
    public static func compute(_ weighting: ClassWeighting, task: FineTuneTask, examples: [EncodedExample], labelCount: Int) -> [Float]? {
        switch (weighting, task) {
        case (.none, _): return nil
        case (.balanced, .classify): return balanced(examples, classCount: labelCount)
        case (.balanced, .multilabel): return positiveWeights(examples, labelCount: labelCount)
        }
    }

    /// Single-label "balanced" weights as scikit-learn's `compute_class_weight` computes them:
    /// w_c = n / (C·n_c) for n examples, C classes, n_c examples of class c (so the weighted
    /// examples of every class sum to the same n/C). A class no example has gets 1: it is
    /// never a target, so its weight never enters the loss (scikit-learn refuses such a
    /// class list).
    public static func balanced(_ examples: [EncodedExample], classCount: Int) -> [Float] {
        balanced(labels: examples.map(\.labels), classCount: classCount)
    }

    /// `balanced` over label lists (one class per row), for heads that train on other rows.
    public static func balanced(labels: [[Int]], classCount: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classCount)
        for l in labels { for c in l where (0..<classCount).contains(c) { counts[c] += 1 } }
        let n = Double(counts.reduce(0, +)), classes = Double(classCount)
        return counts.map { $0 == 0 ? 1 : Float(n / (classes * Double($0))) }
    }

    /// Multi-label positive weights as torch's `BCEWithLogitsLoss(pos_weight:)` takes them:
    /// p_j = n_neg_j / n_pos_j (positives then weigh as much, in total, as negatives),
    /// capped at `maxPositiveWeight`; a label without positives gets 1.
    public static func positiveWeights(_ examples: [EncodedExample], labelCount: Int) -> [Float] {
        positiveWeights(labels: examples.map(\.labels), labelCount: labelCount)
    }

    /// `positiveWeights` over label sets (the positive labels of each row).
    public static func positiveWeights(labels: [[Int]], labelCount: Int) -> [Float] {
        var positives = [Int](repeating: 0, count: labelCount)
        for row in labels { for l in Set(row) where (0..<labelCount).contains(l) { positives[l] += 1 } }
        return positives.map { p in
            p == 0 ? 1 : min(Float(Double(labels.count - p) / Double(p)), maxPositiveWeight)
        }
    }
}

import Foundation
import Transformer

/// A linear classifier over sparse feature rows (TF-IDF n-grams, optionally with a dense
/// sentence embedding appended as more columns): softmax cross-entropy for one label per
/// row, a sigmoid and binary cross-entropy per label for multi-label rows. Trained by the
/// one `TrainingLoop` (AdamW, warm-up and linear decay, seeded batch order) through
/// `SparseLinearObjective`; the weights start at zero, so the convex fit is the same on
/// every run with the same data and settings.
public final class SparseLinearHead {
    public let features: Int
    public let classes: Int
    public let multiLabel: Bool
    /// `classifier.weight` `[features, classes]` (a feature's class weights side by side,
    /// as a sparse row reads them) and `classifier.bias` `[classes]`.
    public let parameters: ParameterSet

    public init(features: Int, classes: Int, multiLabel: Bool) {
        self.features = features; self.classes = classes; self.multiLabel = multiLabel
        parameters = ParameterSet([("classifier.weight", [features, classes]), ("classifier.bias", [classes])])
    }

    var weight: Parameter { parameters.parameters[0] }
    var bias: Parameter { parameters.parameters[1] }

    /// Logits of row `i` of `rows`, `[classes]`.
    public func logits(_ rows: SparseRows, _ i: Int) -> [Float] {
        let w = weight.value.data, b = bias.value.data
        var z = (0..<classes).map { b[$0] }
        let (ix, vs) = rows.row(i)
        for (j, v) in zip(ix, vs) {
            let column = Int(j)
            let row = w + column * classes
            for c in 0..<classes { z[c] += v * row[c] }
        }
        return z
    }

    /// Probabilities per row: softmax (single-label) or sigmoids (multi-label).
    public func probabilities(_ rows: SparseRows) -> [[Double]] {
        (0..<rows.count).map { i in
            let z = logits(rows, i).map(Double.init)
            if multiLabel { return z.map { 1 / (1 + exp(-$0)) } }
            let m = z.max() ?? 0
            let e = z.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }

    /// Fits a new head. `labels` holds one class index per row (single-label) or the set of
    /// positive labels per row (multi-label). `balanced` weighs classes as scikit-learn's
    /// "balanced" (single-label) or gives BCE a `pos_weight` n_neg/n_pos capped at 100.
    public static func fit(_ rows: SparseRows, labels: [[Int]], classes: Int, multiLabel: Bool,
                           settings: SparseLinearSettings) throws -> SparseLinearHead {
        guard rows.count == labels.count else { throw ContractReviewError("\(labels.count) label rows for \(rows.count) feature rows") }
        guard rows.count > 0 else { throw ContractReviewError("no training rows for the linear head") }
        for (i, l) in labels.enumerated() {
            if !multiLabel && l.count != 1 { throw ContractReviewError("training row \(i + 1) has \(l.count) labels; a single-label head needs one") }
            if let bad = l.first(where: { !(0..<classes).contains($0) }) { throw ContractReviewError("training row \(i + 1) has label index \(bad) outside 0..<\(classes)") }
        }
        let head = SparseLinearHead(features: rows.columns, classes: classes, multiLabel: multiLabel)
        var classWeights: [Float]?, positiveWeights: [Float]?
        if settings.balanced {
            var counts = [Int](repeating: 0, count: classes)
            for l in labels { for c in l { counts[c] += 1 } }
            if multiLabel {
                positiveWeights = counts.map { $0 == 0 ? 1 : min(100, Float(rows.count - $0) / Float($0)) }
            } else {
                let present = counts.filter { $0 > 0 }.count
                classWeights = counts.map { $0 == 0 ? 0 : Float(rows.count) / Float(present * $0) }
            }
        }
        let objective = SparseLinearObjective(head: head, rows: rows, labels: labels, classWeights: classWeights, positiveWeights: positiveWeights)
        var training = TrainingSettings(epochs: settings.epochs, batchSize: settings.batchSize, seed: settings.seed)
        training.warmupRatio = 0.1
        training.clipping = .none
        let loop = try TrainingLoop(objective: objective,
                                    groups: [ParameterGroup(name: "head", parameters: head.parameters, learningRate: settings.learningRate,
                                                            weightDecay: settings.weightDecay)],
                                    settings: training)
        try loop.train()
        return head
    }
}

/// How `SparseLinearHead.fit` trains.
public struct SparseLinearSettings: Sendable, Equatable {
    public var learningRate: Float = 0.05
    public var weightDecay: Float = 0
    public var batchSize = 64
    public var epochs = 10
    public var balanced = false
    public var seed: UInt64 = 42

    public init() {}
}

/// `SparseLinearHead`'s loss for `TrainingLoop`: the mean cross-entropy (or BCE) of one
/// micro-batch; forward and backward touch only the columns present in its rows.
public final class SparseLinearObjective: TrainingObjective {
    let head: SparseLinearHead
    let rows: SparseRows
    let labels: [[Int]]
    let classWeights: [Float]?
    let positiveWeights: [Float]?
    public let exampleLengths: [Int]

    init(head: SparseLinearHead, rows: SparseRows, labels: [[Int]], classWeights: [Float]?, positiveWeights: [Float]?) {
        self.head = head; self.rows = rows; self.labels = labels
        self.classWeights = classWeights; self.positiveWeights = positiveWeights
        // One length for every row: batches are plain seeded shuffles.
        exampleLengths = Array(repeating: 1, count: rows.count)
    }

    public func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        let b = indices.count, c = head.classes
        var z = [Float](); z.reserveCapacity(b * c)
        for i in indices { z += head.logits(rows, i) }
        var dz = [Float](repeating: 0, count: b * c)
        let loss: Float = try z.withUnsafeBufferPointer { zp in
            try dz.withUnsafeMutableBufferPointer { dp in
                if head.multiLabel {
                    var targets = [Float](repeating: 0, count: b * c)
                    for (r, i) in indices.enumerated() { for l in labels[i] { targets[r * c + l] = 1 } }
                    return try Loss.binaryCrossEntropyWithLogits(logits: zp.baseAddress!, targets: targets, positiveWeights: positiveWeights,
                                                                 dLogits: dp.baseAddress!)
                }
                return try Loss.crossEntropy(logits: zp.baseAddress!, rows: b, classes: c, labels: indices.map { labels[$0][0] },
                                             classWeights: classWeights, dLogits: dp.baseAddress!)
            }
        }
        let dw = head.weight.grad.data, db = head.bias.grad.data
        for (r, i) in indices.enumerated() {
            let (ix, vs) = rows.row(i)
            for k in 0..<c { db[k] += dz[r * c + k] * lossScale }
            for (j, v) in zip(ix, vs) {
                let row = dw + Int(j) * c
                for k in 0..<c { row[k] += dz[r * c + k] * lossScale * v }
            }
        }
        return loss
    }
}

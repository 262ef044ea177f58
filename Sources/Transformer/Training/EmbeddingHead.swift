import Foundation
import Tensor

/// A softmax classifier over fixed feature vectors: the head of a model whose encoder is
/// frozen and whose pooled sentence embeddings were computed once (`SentenceEmbedder`).
/// Head-only fine-tuning without the encoder in the loop: each training example is one
/// row of a cached `[n, features]` matrix, so a whole fit costs a few matrix products and
/// active learning can retrain it every round in well under a second.
///
/// Trained by `TrainingLoop` through `EmbeddingHeadObjective` (AdamW, the linear
/// warm-up/decay schedule, seeded batch order); the weights start at zero, so with the
/// same rows, labels and settings a fit is the same on every run (the loss is convex, so
/// no random start is needed).
public final class EmbeddingHead {
    public let features: Int
    public let classes: Int
    /// `classifier.weight` `[classes, features]` and `classifier.bias` `[classes]`.
    public let parameters: ParameterSet

    public init(features: Int, classes: Int) {
        self.features = features; self.classes = classes
        parameters = ParameterSet([("classifier.weight", [classes, features]), ("classifier.bias", [classes])])
    }

    var weight: Parameter { parameters.parameters[0] }
    var bias: Parameter { parameters.parameters[1] }

    /// Logits `[rows.count, classes]` of the matrix rows `rows` of `matrix` (`[n, features]`).
    public func logits(_ matrix: [Float], rows: [Int]) -> [Float] {
        logits(stacked: gather(matrix, rows: rows, features: features), count: rows.count)
    }

    func logits(stacked x: [Float], count: Int) -> [Float] {
        var y = [Float](repeating: 0, count: count * classes)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                Linear.forward(x: xp.baseAddress!, rows: count, inFeatures: features, outFeatures: classes,
                               weight: weight.value.data, bias: bias.value.data, y: yp.baseAddress!)
            }
        }
        return y
    }

    /// Softmax probabilities, one row per requested matrix row.
    public func probabilities(_ matrix: [Float], rows: [Int]) -> [[Float]] {
        let z = logits(matrix, rows: rows)
        return (0..<rows.count).map { r in
            let row = z[(r * classes)..<((r + 1) * classes)]
            let m = row.max() ?? 0
            let e = row.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }

    /// Fits a new head on `labels` (class indices) of matrix rows `rows` with
    /// `TrainingLoop`. The loss is cross-entropy, class-weighted as scikit-learn's
    /// "balanced" when `settings.balanced` (rare classes count as much as common ones).
    public static func fit(_ matrix: [Float], features: Int, rows: [Int], labels: [Int], classes: Int,
                           settings: EmbeddingHeadSettings) throws -> EmbeddingHead {
        guard rows.count == labels.count else { throw TransformerError("\(labels.count) labels for \(rows.count) rows") }
        guard !rows.isEmpty else { throw TransformerError("no labelled examples to train the head on") }
        let head = EmbeddingHead(features: features, classes: classes)
        let weights = settings.balanced
            ? ClassWeights.balanced(labels.map { EncodedExample(ids: [], typeIds: [], labels: [$0]) }, classCount: classes) : nil
        let objective = EmbeddingHeadObjective(head: head, matrix: matrix, rows: rows, labels: labels, classWeights: weights)
        var training = TrainingSettings(epochs: settings.epochs(examples: rows.count), batchSize: settings.batchSize, seed: settings.seed)
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

/// How `EmbeddingHead.fit` trains: a budget of optimizer updates rather than a number of
/// epochs, so a head on 10 labels and one on 4,000 both get enough updates to converge
/// (epochs = ceil(updates / batches per epoch), within `epochRange`).
public struct EmbeddingHeadSettings: Sendable, Equatable {
    public var learningRate: Float = 0.2
    public var weightDecay: Float = 0
    public var batchSize = 32
    public var updates = 5000
    public var epochRange = 3...200
    public var balanced = true
    public var seed: UInt64 = 42

    public init() {}

    public func epochs(examples: Int) -> Int {
        let perEpoch = max(1, (examples + batchSize - 1) / batchSize)
        return min(max((updates + perEpoch - 1) / perEpoch, epochRange.lowerBound), epochRange.upperBound)
    }
}

/// `EmbeddingHead`'s loss for `TrainingLoop`: cross-entropy of the head's logits over the
/// cached rows of one micro-batch; only the head has gradients.
public final class EmbeddingHeadObjective: TrainingObjective {
    let head: EmbeddingHead
    let matrix: [Float]
    let rows: [Int]
    let labels: [Int]
    let classWeights: [Float]?
    public let exampleLengths: [Int]

    public init(head: EmbeddingHead, matrix: [Float], rows: [Int], labels: [Int], classWeights: [Float]? = nil) {
        self.head = head; self.matrix = matrix; self.rows = rows; self.labels = labels; self.classWeights = classWeights
        // Every example is one vector: one length, so batches are plain seeded shuffles.
        exampleLengths = Array(repeating: 1, count: rows.count)
    }

    public func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        let b = indices.count, c = head.classes, d = head.features
        let x = gather(matrix, rows: indices.map { rows[$0] }, features: d)
        var logits = head.logits(stacked: x, count: b)
        var dLogits = [Float](repeating: 0, count: b * c)
        let loss = try logits.withUnsafeMutableBufferPointer { z in
            try dLogits.withUnsafeMutableBufferPointer { dz in
                try Loss.crossEntropy(logits: z.baseAddress!, rows: b, classes: c, labels: indices.map { labels[$0] },
                                      classWeights: classWeights, dLogits: dz.baseAddress!)
            }
        }
        if lossScale != 1 { for i in dLogits.indices { dLogits[i] *= lossScale } }
        dLogits.withUnsafeBufferPointer { dz in
            x.withUnsafeBufferPointer { xp in
                Linear.backward(dy: dz.baseAddress!, x: xp.baseAddress!, rows: b, inFeatures: d, outFeatures: c,
                                weight: head.weight.value.data, dWeight: head.weight.grad.data, dBias: head.bias.grad.data, dx: nil)
            }
        }
        return loss
    }
}

/// Rows `rows` of a row-major `[n, features]` matrix, stacked.
func gather(_ matrix: [Float], rows: [Int], features d: Int) -> [Float] {
    var x = [Float](repeating: 0, count: rows.count * d)
    for (r, i) in rows.enumerated() { for k in 0..<d { x[r * d + k] = matrix[i * d + k] } }
    return x
}

import Foundation
import Tensor
import Transformer

/// A linear classifier over sparse feature rows (TF-IDF n-grams, optionally with a dense
/// sentence embedding appended as more columns). `SparseLinearSettings.solver` picks how
/// it is fitted: one-vs-rest binary problems solved to a tolerance by `BinaryLinearSolvers`
/// (an L2-loss SVM as scikit-learn's `LinearSVC`, or L2 logistic regression), or the one
/// `TrainingLoop` (AdamW, softmax cross-entropy for one label per row, a sigmoid and BCE
/// per label for several) through `SparseLinearObjective`. Weights start at zero, so a fit
/// is the same on every run with the same data and settings.
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

    /// How the convex solvers ended (nil for AdamW).
    public internal(set) var report: SparseLinearSolveReport?

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
    /// "balanced" (single-label) or gives BCE a `pos_weight` n_neg/n_pos capped at 100; the
    /// convex solvers (`settings.solver`) fit one binary problem per class (one-vs-rest, as
    /// liblinear), a class's positives weighted by its weight, its negatives by 1.
    public static func fit(_ rows: SparseRows, labels: [[Int]], classes: Int, multiLabel: Bool,
                           settings: SparseLinearSettings) throws -> SparseLinearHead {
        guard rows.count == labels.count else { throw ContractReviewError("\(labels.count) label rows for \(rows.count) feature rows") }
        guard rows.count > 0 else { throw ContractReviewError("no training rows for the linear head") }
        for (i, l) in labels.enumerated() {
            if !multiLabel && l.count != 1 { throw ContractReviewError("training row \(i + 1) has \(l.count) labels; a single-label head needs one") }
            if let bad = l.first(where: { !(0..<classes).contains($0) }) { throw ContractReviewError("training row \(i + 1) has label index \(bad) outside 0..<\(classes)") }
        }
        let head = SparseLinearHead(features: rows.columns, classes: classes, multiLabel: multiLabel)
        // The one home of the loss weights (`ClassWeights`): scikit-learn's "balanced" for
        // one label per row, BCE's pos_weight n_neg/n_pos (capped) per label for several.
        let classWeights = settings.balanced && !multiLabel ? ClassWeights.balanced(labels: labels, classCount: classes) : nil
        let positiveWeights = settings.balanced && multiLabel ? ClassWeights.positiveWeights(labels: labels, labelCount: classes) : nil
        if settings.solver != .adamw {
            head.report = try head.solve(rows, labels: labels, settings: settings, positiveCost: classWeights ?? positiveWeights)
            return head
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

/// How `SparseLinearHead.fit` fits the head.
public enum SparseLinearSolver: String, CaseIterable, Sendable {
    /// L2-loss linear SVM by dual coordinate descent (`BinaryLinearSolvers.squaredHingeSVM`).
    case svm
    /// L2-regularized logistic regression by L-BFGS (`BinaryLinearSolvers.logisticRegression`).
    case logistic
    /// The training loop's AdamW on softmax cross-entropy / BCE (a few epochs, not to convergence).
    case adamw
}

/// How `SparseLinearHead.fit` trains.
public struct SparseLinearSettings: Sendable, Equatable {
    public var solver = SparseLinearSolver.adamw
    /// Inverse regularization strength of the convex solvers (scikit-learn's C).
    public var c = 1.0
    /// Stopping tolerance of the convex solvers (scikit-learn's `tol`, same meaning).
    public var tolerance = 1e-4
    public var maxIterations = 1000
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

/// How a convex fit ended: the most passes / iterations any class needed and the classes
/// that hit the iteration limit before the tolerance.
public struct SparseLinearSolveReport: Sendable, Equatable {
    public var maxIterations: Int
    public var unconverged: [Int]
}

extension SparseLinearHead {
    /// One-vs-rest: class c's problem has its rows positive, every other row negative;
    /// positives cost C·positiveCost[c], negatives C (liblinear's weighted C).
    func solve(_ rows: SparseRows, labels: [[Int]], settings: SparseLinearSettings, positiveCost: [Float]?) throws -> SparseLinearSolveReport {
        guard settings.c > 0, settings.tolerance > 0 else {
            throw ContractReviewError("the linear head needs C > 0 and a tolerance > 0, got C \(settings.c), tolerance \(settings.tolerance)")
        }
        let w = weight.value.data, b = bias.value.data
        // The classes' problems are independent: `Parallel` spreads them over the
        // configured threads (`--threads`); each writes only its own column and slot.
        let outcome = UnsafeMutableBufferPointer<(iterations: Int, converged: Bool)>.allocate(capacity: classes)
        defer { outcome.deallocate() }
        Parallel.chunks(classes, grain: 1) { _, range in
            for c in range {
                let positive = labels.map { $0.contains(c) }
                let problem = BinaryLinearProblem(rows: rows, positive: positive, costPositive: settings.c * Double(positiveCost?[c] ?? 1),
                                                  costNegative: settings.c)
                let solution = settings.solver == .svm
                    ? BinaryLinearSolvers.squaredHingeSVM(problem, tolerance: settings.tolerance, maxPasses: settings.maxIterations, seed: settings.seed)
                    : BinaryLinearSolvers.logisticRegression(problem, tolerance: settings.tolerance, maxIterations: settings.maxIterations)
                for (j, v) in solution.weights.enumerated() where v != 0 { w[j * classes + c] = Float(v) }
                b[c] = Float(solution.bias)
                outcome[c] = (solution.iterations, solution.converged)
            }
        }
        let report = SparseLinearSolveReport(maxIterations: outcome.map(\.iterations).max() ?? 0,
                                             unconverged: (0..<classes).filter { !outcome[$0].converged })
        return report
    }
}

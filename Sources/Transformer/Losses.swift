import Foundation
import Tensor

/// Mean-reduced losses of the classification heads, each returning the loss and writing
/// dLoss/dLogits. Accumulation is in Double; formulas follow PyTorch's
/// `CrossEntropyLoss`, `BCEWithLogitsLoss` and `MSELoss` with reduction "mean".
public enum Loss {
    /// Label value that is skipped, as PyTorch's `ignore_index`.
    public static let ignoreIndex = -100

    /// Softmax cross-entropy over `classes` per row, averaged over rows whose label is not
    /// `ignoreIndex`. With `classWeights` (one per class, torch's `weight`), row i counts
    /// w[y_i] times: loss = Σ w[y_i]·l_i / Σ w[y_i], a weighted mean as torch reduces it.
    public static func crossEntropy(logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: [Int],
                                    classWeights: [Float]? = nil, dLogits: UnsafeMutablePointer<Float>) throws -> Float {
        guard labels.count == rows else { throw TransformerError("\(labels.count) labels for a batch of \(rows)") }
        for (i, y) in labels.enumerated() where y != ignoreIndex && !(0..<classes).contains(y) {
            throw TransformerError("label[\(i)] = \(y) is outside 0..<\(classes)")
        }
        if let w = classWeights {
            guard w.count == classes else { throw TransformerError("\(w.count) class weights for \(classes) classes") }
            for (c, x) in w.enumerated() where !(x >= 0 && x.isFinite) { throw TransformerError("class weight[\(c)] = \(x) must be a finite number >= 0") }
        }
        // Unweighted, every weight is exactly 1 and the sum the count: the same arithmetic as a plain mean.
        let weightOf = { (y: Int) in Double(classWeights?[y] ?? 1) }
        let counted = labels.filter { $0 != ignoreIndex }.count
        let weightSum = labels.filter { $0 != ignoreIndex }.map(weightOf).reduce(0, +)
        var total = 0.0
        for r in 0..<rows {
            let z = logits + r * classes, d = dLogits + r * classes
            guard labels[r] != ignoreIndex, counted > 0, weightSum > 0 else { d.update(repeating: 0, count: classes); continue }
            let w = weightOf(labels[r])
            var m = -Float.infinity
            for j in 0..<classes { m = max(m, z[j]) }
            var s = 0.0
            for j in 0..<classes { s += exp(Double(z[j] - m)) }
            let logSum = log(s) + Double(m)
            total += w * (logSum - Double(z[labels[r]]))
            for j in 0..<classes {
                let p = exp(Double(z[j]) - logSum)
                d[j] = Float(w * (p - (j == labels[r] ? 1 : 0)) / weightSum)
            }
        }
        return counted == 0 || weightSum == 0 ? 0 : Float(total / weightSum)
    }

    /// Mean softmax cross-entropy of `rows` rows over a wide class axis (the MLM head's
    /// vocabulary), every row labelled, vectorized in Float (`Kernels.softmaxCrossEntropy`):
    /// `crossEntropy` above, exact in Double, is kept for the classification heads, whose
    /// few classes cost nothing, while over 30k classes its scalar loop is a large part of a
    /// training step. Overwrites `logits` with `lossScale`·dLoss/dLogits when `gradient`.
    public static func wideCrossEntropy(logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int, labels: [Int32], gradient: Bool,
                                        lossScale: Float = 1) throws -> Float {
        guard labels.count == rows else { throw TransformerError("\(labels.count) labels for a batch of \(rows)") }
        for (i, y) in labels.enumerated() where !(0..<classes).contains(Int(y)) {
            throw TransformerError("label[\(i)] = \(y) is outside 0..<\(classes)")
        }
        guard rows > 0 else { return 0 }
        var losses = [Double](repeating: 0, count: rows)
        labels.withUnsafeBufferPointer { y in
            Kernels.softmaxCrossEntropy(logits, rows: rows, n: classes, labels: y.baseAddress!,
                                        gradientScale: gradient ? lossScale / Float(rows) : nil, losses: &losses)
        }
        return Float(losses.reduce(0, +) / Double(rows))
    }

    /// Sigmoid + binary cross-entropy per element (targets in [0, 1]), averaged over all
    /// elements. `positiveWeights` (torch's `pos_weight`, one per label, broadcast over the
    /// rows of a row-major `[rows, labels]` block) scales the positive term:
    /// l = −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))].
    public static func binaryCrossEntropyWithLogits(logits: UnsafePointer<Float>, targets: [Float], positiveWeights: [Float]? = nil,
                                                    dLogits: UnsafeMutablePointer<Float>) throws -> Float {
        let n = targets.count
        for (i, y) in targets.enumerated() where !(y >= 0 && y <= 1) {
            throw TransformerError("multi-label target[\(i)] = \(y) is outside [0, 1]")
        }
        if let pw = positiveWeights {
            guard !pw.isEmpty, n % pw.count == 0 else { throw TransformerError("\(pw.count) positive weights do not divide \(n) multi-label targets into rows") }
            for (j, x) in pw.enumerated() where !(x >= 0 && x.isFinite) { throw TransformerError("positive weight[\(j)] = \(x) must be a finite number >= 0") }
        }
        var total = 0.0
        for i in 0..<n {
            let x = Double(logits[i]), y = Double(targets[i])
            let sigmoid = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
            if let pw = positiveWeights {
                // torch's stable form: (1 − y)·x + (1 + (p − 1)·y)·(log1p(e^−|x|) + max(−x, 0)).
                let p = Double(pw[i % pw.count])
                total += (1 - y) * x + (1 + (p - 1) * y) * (log1p(exp(-abs(x))) + max(-x, 0))
                dLogits[i] = Float((sigmoid * (p * y + 1 - y) - p * y) / Double(n))
            } else {
                total += max(x, 0) - x * y + log1p(exp(-abs(x)))
                dLogits[i] = Float((sigmoid - y) / Double(n))
            }
        }
        return Float(total / Double(n))
    }

    /// Mean squared error over all elements.
    public static func meanSquaredError(predictions: UnsafePointer<Float>, targets: [Float], dPredictions: UnsafeMutablePointer<Float>) throws -> Float {
        let n = targets.count
        for (i, y) in targets.enumerated() where !y.isFinite { throw TransformerError("regression target[\(i)] = \(y) is not finite") }
        var total = 0.0
        for i in 0..<n {
            let diff = Double(predictions[i]) - Double(targets[i])
            total += diff * diff
            dPredictions[i] = Float(2 * diff / Double(n))
        }
        return Float(total / Double(n))
    }
}

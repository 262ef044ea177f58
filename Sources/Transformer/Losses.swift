import Foundation

/// Mean-reduced losses of the classification heads, each returning the loss and writing
/// dLoss/dLogits. Accumulation is in Double; formulas follow PyTorch's
/// `CrossEntropyLoss`, `BCEWithLogitsLoss` and `MSELoss` with reduction "mean".
public enum Loss {
    /// Label value that is skipped, as PyTorch's `ignore_index`.
    public static let ignoreIndex = -100

    /// Softmax cross-entropy over `classes` per row, averaged over rows whose label is not
    /// `ignoreIndex`.
    public static func crossEntropy(logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: [Int],
                                    dLogits: UnsafeMutablePointer<Float>) throws -> Float {
        guard labels.count == rows else { throw TransformerError("\(labels.count) labels for a batch of \(rows)") }
        for (i, y) in labels.enumerated() where y != ignoreIndex && !(0..<classes).contains(y) {
            throw TransformerError("label[\(i)] = \(y) is outside 0..<\(classes)")
        }
        let counted = labels.filter { $0 != ignoreIndex }.count
        var total = 0.0
        for r in 0..<rows {
            let z = logits + r * classes, d = dLogits + r * classes
            guard labels[r] != ignoreIndex, counted > 0 else { d.update(repeating: 0, count: classes); continue }
            var m = -Float.infinity
            for j in 0..<classes { m = max(m, z[j]) }
            var s = 0.0
            for j in 0..<classes { s += exp(Double(z[j] - m)) }
            let logSum = log(s) + Double(m)
            total += logSum - Double(z[labels[r]])
            for j in 0..<classes {
                let p = exp(Double(z[j]) - logSum)
                d[j] = Float((p - (j == labels[r] ? 1 : 0)) / Double(counted))
            }
        }
        return counted == 0 ? 0 : Float(total / Double(counted))
    }

    /// Sigmoid + binary cross-entropy per element (targets in [0, 1]), averaged over all elements.
    public static func binaryCrossEntropyWithLogits(logits: UnsafePointer<Float>, targets: [Float], dLogits: UnsafeMutablePointer<Float>) throws -> Float {
        let n = targets.count
        for (i, y) in targets.enumerated() where !(y >= 0 && y <= 1) {
            throw TransformerError("multi-label target[\(i)] = \(y) is outside [0, 1]")
        }
        var total = 0.0
        for i in 0..<n {
            let x = Double(logits[i]), y = Double(targets[i])
            total += max(x, 0) - x * y + log1p(exp(-abs(x)))
            let sigmoid = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
            dLogits[i] = Float((sigmoid - y) / Double(n))
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Kernels {
    /// Softmax cross-entropy of each row of `z` (`[rows, n]` logits) against `labels[r]`,
    /// in place and vectorized, for wide rows (a vocabulary): `losses[r]` gets
    /// logsumexp(z_r) − z_r[label] and, with `gradientScale` s, the row becomes
    /// s·(softmax(z_r) − onehot(label)); without it the row is left as exp(z_r − max).
    ///
    /// Stable: exponentials are taken after subtracting the row's maximum. The sum of the
    /// exponentials is kept in eight Float lanes flushed into a Double every 512 elements,
    /// so its rounding error stays near Float's 6e-8 whatever the width. Rows are split over
    /// `BLAS.threadCount` workers (each row by one thread: results do not depend on it).
    public static func softmaxCrossEntropy(_ z: UnsafeMutablePointer<Float>, rows: Int, n: Int, labels: UnsafePointer<Int32>,
                                           gradientScale: Float?, losses: UnsafeMutablePointer<Double>) {
        Parallel.chunks(rows, grain: Parallel.grain(rowLength: n)) { _, range in
            for r in range {
                let s = z + r * n, label = Int(labels[r])
                var maxes = V(repeating: -.infinity)
                forEachVector(n) { i, k in maxes = pointwiseMax(maxes, load(s, i, k, fill: -.infinity)) }
                let m = maxes.max()
                let target = s[label]
                var total = 0.0, lanes = V(repeating: 0)
                var i = 0
                while i < n {
                    let end = min(i + 512, n)
                    forEachVector(end - i) { j, k in
                        var e = VectorMath.exp(load(s + i, j, k) - m)
                        if k < 8 { for t in k..<8 { e[t] = 0 } }
                        lanes += e
                        store(e, s + i, j, k)
                    }
                    total += Double(lanes.sum())
                    lanes = V(repeating: 0)
                    i = end
                }
                losses[r] = log(total) + Double(m) - Double(target)
                guard let gradientScale else { continue }
                let factor = Float(Double(gradientScale) / total)
                forEachVector(n) { j, k in store(load(s, j, k) * factor, s, j, k) }
                s[label] -= gradientScale
            }
        }
    }
}

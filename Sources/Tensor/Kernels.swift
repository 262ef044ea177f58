/// Fused element-wise kernels of a BERT layer, forward and backward, over raw row-major
/// buffers. Each works in place where it can so the workspace stays small.
public enum Kernels {
    typealias V = VectorMath.V

    /// Applies `body` to 8 floats at a time, padding the tail.
    @inline(__always)
    static func forEachVector(_ n: Int, _ body: (Int, Int) -> Void) {
        var i = 0
        while i + 8 <= n { body(i, 8); i += 8 }
        if i < n { body(i, n - i) }
    }

    // MARK: GELU (exact, erf-based, as BERT's "gelu")

    /// `u += bias` (per column), then `g = GELU(u)`; `u` keeps the pre-activation for backward.
    public static func biasGELU(_ u: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, cols: Int, out g: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let ur = u + r * cols, gr = g + r * cols
            forEachVector(cols) { i, k in
                var x = k == 8 ? VectorMath.load(ur + i) : VectorMath.loadPartial(ur + i, k)
                if let bias { x += k == 8 ? VectorMath.load(bias + i) : VectorMath.loadPartial(bias + i, k) }
                let y = x * VectorMath.normalCDF(x)
                if k == 8 { VectorMath.store(x, ur + i); VectorMath.store(y, gr + i) }
                else { VectorMath.storePartial(x, ur + i, k); VectorMath.storePartial(y, gr + i, k) }
            }
        }
    }

    /// `du = dg · GELU'(u)` with GELU'(x) = Φ(x) + x·φ(x). `du` may alias `dg`.
    public static func geluBackward(_ dg: UnsafePointer<Float>, u: UnsafePointer<Float>, count: Int, du: UnsafeMutablePointer<Float>) {
        let invSqrt2Pi: Float = 0.398_942_280_401_432_7
        forEachVector(count) { i, k in
            let x = k == 8 ? VectorMath.load(u + i) : VectorMath.loadPartial(u + i, k)
            let d = k == 8 ? VectorMath.load(dg + i) : VectorMath.loadPartial(dg + i, k)
            let pdf = invSqrt2Pi * VectorMath.exp(-0.5 * x * x)
            let r = d * (VectorMath.normalCDF(x) + x * pdf)
            if k == 8 { VectorMath.store(r, du + i) } else { VectorMath.storePartial(r, du + i, k) }
        }
    }

    // MARK: Softmax over attention scores

    /// Row-wise softmax of `scores[rows, n]` in place. Keys with `keyVisible[j] == 0` get
    /// probability exactly 0; `bias` (same shape as one row block, `[rows, n]`) is added
    /// before the max, as an additive attention mask would be.
    public static func maskedSoftmax(_ scores: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                                     keyVisible: UnsafePointer<Float>?, bias: UnsafePointer<Float>?) {
        for r in 0..<rows {
            let s = scores + r * n
            if let bias {
                let b = bias + r * n
                for j in 0..<n { s[j] += b[j] }
            }
            var maxValue = -Float.infinity
            for j in 0..<n where keyVisible == nil || keyVisible![j] != 0 { maxValue = max(maxValue, s[j]) }
            if !maxValue.isFinite {  // nothing visible (or all −inf): an all-zero row
                s.update(repeating: 0, count: n)
                continue
            }
            var sum = V(repeating: 0)
            forEachVector(n) { i, k in
                let x = k == 8 ? VectorMath.load(s + i) : VectorMath.loadPartial(s + i, k, fill: -.infinity)
                var e = VectorMath.exp(x - maxValue)
                if k < 8 { for t in k..<8 { e[t] = 0 } }
                if let keyVisible {
                    let m = k == 8 ? VectorMath.load(keyVisible + i) : VectorMath.loadPartial(keyVisible + i, k)
                    e = e.replacing(with: 0, where: m .== 0)
                }
                sum += e
                if k == 8 { VectorMath.store(e, s + i) } else { VectorMath.storePartial(e, s + i, k) }
            }
            let inv = 1 / sum.sum()
            for j in 0..<n { s[j] *= inv }
        }
    }

    /// Softmax backward in place: `d ← p ⊙ (d − Σ_j d_j p_j)` per row, times `scale`.
    public static func softmaxBackward(_ d: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, rows: Int, n: Int, scale: Float) {
        for r in 0..<rows {
            let dr = d + r * n, pr = probs + r * n
            var dot: Float = 0
            for j in 0..<n { dot += dr[j] * pr[j] }
            for j in 0..<n { dr[j] = scale * pr[j] * (dr[j] - dot) }
        }
    }

    // MARK: LayerNorm

    /// `out = (x − mean)·rstd·γ + β` per row; saves mean and rstd for backward.
    /// Statistics are accumulated in Double (two passes) to match PyTorch closely.
    public static func layerNormForward(_ x: UnsafePointer<Float>, rows: Int, cols: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                        eps: Float, out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * cols, or = out + r * cols
            var sum: Double = 0
            for j in 0..<cols { sum += Double(xr[j]) }
            let mu = sum / Double(cols)
            var sq: Double = 0
            for j in 0..<cols { let d = Double(xr[j]) - mu; sq += d * d }
            let rs = 1 / (sq / Double(cols) + Double(eps)).squareRoot()
            let m = Float(mu), s = Float(rs)
            for j in 0..<cols { or[j] = (xr[j] - m) * s * gamma[j] + beta[j] }
            mean[r] = m
            rstd[r] = s
        }
    }

    /// LayerNorm backward: `dx` is overwritten; `dGamma`, `dBeta` are accumulated.
    public static func layerNormBackward(_ dOut: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                         gamma: UnsafePointer<Float>, rows: Int, cols: Int,
                                         dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>) {
        let invN = 1 / Float(cols)
        for r in 0..<rows {
            let dy = dOut + r * cols, xr = x + r * cols, dxr = dx + r * cols
            let m = mean[r], s = rstd[r]
            var meanD: Float = 0, meanDX: Float = 0
            for j in 0..<cols {
                let xhat = (xr[j] - m) * s
                let dn = dy[j] * gamma[j]
                meanD += dn
                meanDX += dn * xhat
                dGamma[j] += dy[j] * xhat
                dBeta[j] += dy[j]
            }
            meanD *= invN
            meanDX *= invN
            for j in 0..<cols {
                let xhat = (xr[j] - m) * s
                dxr[j] = (dy[j] * gamma[j] - meanD - xhat * meanDX) * s
            }
        }
    }

    // MARK: Small helpers

    /// `out = a + b` (out may alias a or b).
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    /// `y += x`.
    public static func accumulate(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// `x *= s`.
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by s: Float) {
        for i in 0..<count { x[i] *= s }
    }

    /// `x *= m` element-wise (dropout masks hold 0 or 1/(1−p)).
    public static func multiply(_ x: UnsafeMutablePointer<Float>, by m: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] *= m[i] }
    }

    /// `out = a ⊙ b` (out may alias a or b).
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = a[i] * b[i] }
    }

    /// `into[c] += Σ_r x[r, c]` (bias gradients).
    public static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let xr = x + r * cols
            for c in 0..<cols { into[c] += xr[c] }
        }
    }

    /// `y = tanh(y)` in place (pooler), scalar libm-free via exp: tanh = 1 − 2/(e^{2x}+1).
    public static func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count) { i, k in
            let x = k == 8 ? VectorMath.load(y + i) : VectorMath.loadPartial(y + i, k)
            let e = VectorMath.exp(2 * x)
            let t = 1 - 2 / (e + 1)
            if k == 8 { VectorMath.store(t, y + i) } else { VectorMath.storePartial(t, y + i, k) }
        }
    }

    /// Σ x², accumulated in Double (gradient norms).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var acc = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let v = SIMD8<Double>(VectorMath.load(x + i))
            acc += v * v
            i += 8
        }
        var s = acc.sum()
        while i < count { s += Double(x[i]) * Double(x[i]); i += 1 }
        return s
    }
}

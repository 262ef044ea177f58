/// Fused element-wise kernels of a BERT layer, forward and backward, over raw row-major
/// buffers. Each works in place where it can so the workspace stays small.
///
/// Threading: the kernels over whole `[rows, cols]` activations split their rows (column
/// sums: their columns) over `BLAS.threadCount` workers through `Parallel`, so each row or
/// column is still computed by one thread in one order and the result does not depend on
/// the thread count. The per-head kernels (`maskedSoftmax`, `softmaxBackward`) are serial:
/// callers run them inside a parallel loop over (batch item, head) pairs.
public enum Kernels {
    typealias V = VectorMath.V

    /// Applies `body` to 8 floats at a time, padding the tail.
    @inline(__always)
    static func forEachVector(_ n: Int, _ body: (Int, Int) -> Void) {
        var i = 0
        while i + 8 <= n { body(i, 8); i += 8 }
        if i < n { body(i, n - i) }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int, _ k: Int, fill: Float = 0) -> V {
        k == 8 ? VectorMath.load(p + i) : VectorMath.loadPartial(p + i, k, fill: fill)
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ k: Int) {
        if k == 8 { VectorMath.store(v, p + i) } else { VectorMath.storePartial(v, p + i, k) }
    }

    /// Dropout keep flags (0 or 1) as floats scaled by `scale` (1/(1−p)): exactly the
    /// 0 or 1/(1−p) a float mask would hold.
    @inline(__always)
    static func keepFactors(_ m: UnsafePointer<UInt8>, _ i: Int, _ k: Int, scale: Float) -> V {
        var bytes = SIMD8<UInt8>(repeating: 0)
        if k == 8 {
            bytes = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD8<UInt8>.self)
        } else {
            for t in 0..<k { bytes[t] = m[i + t] }
        }
        return V(bytes) * scale
    }

    /// Grain for element-wise loops over flat buffers.
    static let elementGrain = 32_768

    // MARK: GELU (exact, erf-based, as BERT's "gelu")

    /// `u += bias` (per column), then `g = GELU(u)`; `u` keeps the pre-activation for backward.
    public static func biasGELU(_ u: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, cols: Int, out g: UnsafeMutablePointer<Float>) {
        Parallel.chunks(rows, grain: Parallel.grain(rowLength: cols)) { _, range in
            for r in range {
                let ur = u + r * cols, gr = g + r * cols
                forEachVector(cols) { i, k in
                    var x = load(ur, i, k)
                    if let bias { x += load(bias, i, k) }
                    let y = x * VectorMath.normalCDF(x)
                    store(x, ur, i, k)
                    store(y, gr, i, k)
                }
            }
        }
    }

    /// `du = dg · GELU'(u)` with GELU'(x) = Φ(x) + x·φ(x). `du` may alias `dg`.
    public static func geluBackward(_ dg: UnsafePointer<Float>, u: UnsafePointer<Float>, count: Int, du: UnsafeMutablePointer<Float>) {
        let invSqrt2Pi: Float = 0.398_942_280_401_432_7
        Parallel.chunks(count, grain: elementGrain) { _, range in
            let o = range.lowerBound
            forEachVector(range.count) { i, k in
                let x = load(u + o, i, k), d = load(dg + o, i, k)
                let pdf = invSqrt2Pi * VectorMath.exp(-0.5 * x * x)
                store(d * (VectorMath.normalCDF(x) + x * pdf), du + o, i, k)
            }
        }
    }

    // MARK: GELU, tanh approximation (HF "gelu_new", ALBERT's default)

    /// `u += bias` (per column), then `g = ½u(1 + tanh(√(2/π)(u + 0.044715u³)))`, written as
    /// `u·σ(2z)` (½(1 + tanh z) = σ(2z)) so one vector exp serves; `u` keeps the pre-activation.
    public static func biasGELUTanh(_ u: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, cols: Int,
                                    out g: UnsafeMutablePointer<Float>) {
        Parallel.chunks(rows, grain: Parallel.grain(rowLength: cols)) { _, range in
            for r in range {
                let ur = u + r * cols, gr = g + r * cols
                forEachVector(cols) { i, k in
                    var x = load(ur, i, k)
                    if let bias { x += load(bias, i, k) }
                    store(x, ur, i, k)
                    store(x * tanhGELUGate(x).gate, gr, i, k)
                }
            }
        }
    }

    /// `du = dg · d/du[u·σ(2z)] = dg · (σ + u·σ(1−σ)·2z')` with z' = √(2/π)(1 + 3·0.044715u²).
    /// `du` may alias `dg`.
    public static func geluTanhBackward(_ dg: UnsafePointer<Float>, u: UnsafePointer<Float>, count: Int, du: UnsafeMutablePointer<Float>) {
        Parallel.chunks(count, grain: elementGrain) { _, range in
            let o = range.lowerBound
            forEachVector(range.count) { i, k in
                let x = load(u + o, i, k), d = load(dg + o, i, k)
                let (s, dz) = tanhGELUGate(x)
                store(d * (s + x * s * (1 - s) * 2 * dz), du + o, i, k)
            }
        }
    }

    /// σ(2z) for z = √(2/π)(x + 0.044715x³), and dz/dx.
    @inline(__always)
    static func tanhGELUGate(_ x: VectorMath.V) -> (gate: VectorMath.V, dz: VectorMath.V) {
        let c: Float = 0.797_884_560_802_865_4, a: Float = 0.044_715
        let x2 = x * x
        let z = c * (x + a * x2 * x)
        return (1 / (1 + VectorMath.exp(-2 * z)), c * (1 + 3 * a * x2))
    }

    // MARK: Softmax over attention scores (serial: one head per call)

    /// Row-wise softmax of `scores[rows, n]` in place. Keys with `keyVisible[j] == 0` get
    /// probability exactly 0; `bias` (same shape as one row block, `[rows, n]`) is added
    /// before the max, as an additive attention mask would be.
    public static func maskedSoftmax(_ scores: UnsafeMutablePointer<Float>, rows: Int, n: Int,
                                     keyVisible: UnsafePointer<Float>?, bias: UnsafePointer<Float>?) {
        for r in 0..<rows {
            let s = scores + r * n
            // Pass 1: add the bias, take the max over visible keys.
            var maxes = V(repeating: -.infinity)
            forEachVector(n) { i, k in
                var x = load(s, i, k)
                if let bias {
                    x += load(bias + r * n, i, k)
                    store(x, s, i, k)
                }
                var candidate = k == 8 ? x : load(s, i, k, fill: -.infinity)
                if let keyVisible { candidate = candidate.replacing(with: -.infinity, where: load(keyVisible, i, k) .== 0) }
                maxes = pointwiseMax(maxes, candidate)
            }
            let maxValue = maxes.max()
            if !maxValue.isFinite {  // nothing visible (or all −inf): an all-zero row
                s.update(repeating: 0, count: n)
                continue
            }
            // Pass 2: exponentials (masked keys exactly 0) and their sum.
            var sum = V(repeating: 0)
            forEachVector(n) { i, k in
                var e = VectorMath.exp(load(s, i, k, fill: -.infinity) - maxValue)
                if k < 8 { for t in k..<8 { e[t] = 0 } }
                if let keyVisible { e = e.replacing(with: 0, where: load(keyVisible, i, k) .== 0) }
                sum += e
                store(e, s, i, k)
            }
            // Pass 3: normalize.
            let inv = 1 / sum.sum()
            forEachVector(n) { i, k in store(load(s, i, k) * inv, s, i, k) }
        }
    }

    /// Softmax backward in place: `d ← scale · p ⊙ (d − Σ_j d_j p_j)` per row. With
    /// `keepMask`, `d` is first multiplied by the attention-dropout factors (flag × `keepScale`).
    public static func softmaxBackward(_ d: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, rows: Int, n: Int, scale: Float,
                                       keepMask: UnsafePointer<UInt8>? = nil, keepScale: Float = 1) {
        for r in 0..<rows {
            let dr = d + r * n, pr = probs + r * n
            var dots = V(repeating: 0)
            forEachVector(n) { i, k in
                var x = load(dr, i, k)
                if let keepMask {
                    x *= keepFactors(keepMask + r * n, i, k, scale: keepScale)
                    store(x, dr, i, k)
                }
                dots += x * load(pr, i, k)
            }
            let dot = dots.sum()
            forEachVector(n) { i, k in
                let p = load(pr, i, k)
                store(scale * p * (load(dr, i, k) - dot), dr, i, k)
            }
        }
    }

    // MARK: LayerNorm

    /// Mean and 1/std of one row, accumulated in Double (two passes) to match PyTorch closely.
    @inline(__always)
    static func rowStatistics(_ x: UnsafePointer<Float>, cols: Int, eps: Float) -> (mean: Float, rstd: Float) {
        var sums = SIMD8<Double>(repeating: 0)
        forEachVector(cols) { i, k in sums += SIMD8<Double>(load(x, i, k)) }
        let mu = sums.sum() / Double(cols)
        var squares = SIMD8<Double>(repeating: 0)
        let muV = SIMD8<Double>(repeating: mu)
        forEachVector(cols) { i, k in
            var d = SIMD8<Double>(load(x, i, k)) - muV
            if k < 8 { for t in k..<8 { d[t] = 0 } }
            squares += d * d
        }
        let rs = 1 / (squares.sum() / Double(cols) + Double(eps)).squareRoot()
        return (Float(mu), Float(rs))
    }

    /// `out = (x − mean)·rstd·γ + β` of one row.
    @inline(__always)
    static func normalizeRow(_ x: UnsafePointer<Float>, cols: Int, mean m: Float, rstd s: Float,
                             gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        forEachVector(cols) { i, k in store((load(x, i, k) - m) * s * load(gamma, i, k) + load(beta, i, k), out, i, k) }
    }

    /// `out = (x − mean)·rstd·γ + β` per row; saves mean and rstd for backward.
    public static func layerNormForward(_ x: UnsafePointer<Float>, rows: Int, cols: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                        eps: Float, out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        Parallel.chunks(rows, grain: Parallel.grain(rowLength: cols)) { _, range in
            for r in range {
                let (m, s) = rowStatistics(x + r * cols, cols: cols, eps: eps)
                normalizeRow(x + r * cols, cols: cols, mean: m, rstd: s, gamma: gamma, beta: beta, out: out + r * cols)
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// The end of a BERT sub-layer in one pass over each row: `y ← (y + bias) ⊙ dropout + residual`
    /// (kept in `y`, LayerNorm's input for backward), then `out = LayerNorm(y)` with mean and
    /// rstd saved. `keepMask` holds dropout keep flags, scaled by `keepScale`; nil means no dropout.
    public static func residualLayerNorm(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                         keepMask: UnsafePointer<UInt8>?, keepScale: Float, residual: UnsafePointer<Float>,
                                         rows: Int, cols: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
                                         out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        Parallel.chunks(rows, grain: Parallel.grain(rowLength: cols)) { _, range in
            for r in range {
                let yr = y + r * cols, xr = residual + r * cols
                forEachVector(cols) { i, k in
                    var v = load(yr, i, k)
                    if let bias { v += load(bias, i, k) }
                    if let keepMask { v *= keepFactors(keepMask + r * cols, i, k, scale: keepScale) }
                    store(v + load(xr, i, k), yr, i, k)
                }
                let (m, s) = rowStatistics(yr, cols: cols, eps: eps)
                normalizeRow(yr, cols: cols, mean: m, rstd: s, gamma: gamma, beta: beta, out: out + r * cols)
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// LayerNorm backward: `dx` is overwritten; `dGamma`, `dBeta` are accumulated (skipped
    /// when nil: a frozen LayerNorm). With
    /// `maskedDx`, it also receives `dx ⊙ dropout` (keep flags × `keepScale`): the gradient
    /// of the dropped-out branch that fed the residual sum, while `dx` itself is the
    /// residual's gradient. `maskedDx` may alias `dOut`.
    public static func layerNormBackward(_ dOut: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                         gamma: UnsafePointer<Float>, rows: Int, cols: Int,
                                         dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?,
                                         keepMask: UnsafePointer<UInt8>? = nil, keepScale: Float = 1, maskedDx: UnsafeMutablePointer<Float>? = nil) {
        // γ and β gradients first (maskedDx may overwrite dOut): column sums over rows,
        // split by columns so each is summed in row order.
        if let dGamma, let dBeta { Parallel.chunks(cols, grain: columnGrain(rows: rows)) { _, columns in
            for r in 0..<rows {
                let dy = dOut + r * cols, xr = x + r * cols
                let m = mean[r], s = rstd[r]
                for j in columns {
                    dGamma[j] += dy[j] * ((xr[j] - m) * s)
                    dBeta[j] += dy[j]
                }
            }
        } }
        let invN = 1 / Float(cols)
        Parallel.chunks(rows, grain: Parallel.grain(rowLength: cols)) { _, range in
            for r in range {
                let dy = dOut + r * cols, xr = x + r * cols, dxr = dx + r * cols
                let m = mean[r], s = rstd[r]
                var sumD = V(repeating: 0), sumDX = V(repeating: 0)
                forEachVector(cols) { i, k in
                    let xhat = (load(xr, i, k) - m) * s
                    let dn = load(dy, i, k) * load(gamma, i, k)
                    sumD += dn
                    sumDX += dn * xhat
                }
                let meanD = sumD.sum() * invN, meanDX = sumDX.sum() * invN
                forEachVector(cols) { i, k in
                    let xhat = (load(xr, i, k) - m) * s
                    let g = (load(dy, i, k) * load(gamma, i, k) - meanD - xhat * meanDX) * s
                    store(g, dxr, i, k)
                    if let maskedDx, let keepMask {
                        store(g * keepFactors(keepMask + r * cols, i, k, scale: keepScale), maskedDx + r * cols, i, k)
                    }
                }
            }
        }
        if let maskedDx, keepMask == nil { maskedDx.update(from: dx, count: rows * cols) }
    }

    /// Columns per chunk for a column-wise pass over `rows` rows (≥ 32K elements a chunk).
    @inline(__always)
    static func columnGrain(rows: Int) -> Int { max(8, elementGrain / max(rows, 1)) }

    // MARK: Small helpers

    /// `out = a + b` (out may alias a or b).
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        Parallel.chunks(count, grain: elementGrain) { _, range in
            for i in range { out[i] = a[i] + b[i] }
        }
    }

    /// `y += x`.
    public static func accumulate(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        Parallel.chunks(count, grain: elementGrain) { _, range in
            for i in range { y[i] += x[i] }
        }
    }

    /// `x *= s`.
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by s: Float) {
        Parallel.chunks(count, grain: elementGrain) { _, range in
            for i in range { x[i] *= s }
        }
    }

    /// `x *= m` element-wise (dropout masks hold 0 or 1/(1−p)).
    public static func multiply(_ x: UnsafeMutablePointer<Float>, by m: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count, grain: elementGrain) { _, range in
            for i in range { x[i] *= m[i] }
        }
    }

    /// `out = a ⊙ b` (out may alias a or b).
    public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        Parallel.chunks(count, grain: elementGrain) { _, range in
            for i in range { out[i] = a[i] * b[i] }
        }
    }

    /// `out = x ⊙ keep flags × scale` (dropout with a byte mask of 0/1 flags; out may alias x).
    /// Serial: per-head callers already run in parallel.
    public static func multiply(_ x: UnsafePointer<Float>, byKeepMask m: UnsafePointer<UInt8>, scale: Float, count: Int, out: UnsafeMutablePointer<Float>) {
        forEachVector(count) { i, k in store(load(x, i, k) * keepFactors(m, i, k, scale: scale), out, i, k) }
    }

    /// `into[c] += Σ_r x[r, c]` (bias gradients), split by columns so each sum keeps row order.
    public static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into: UnsafeMutablePointer<Float>) {
        Parallel.chunks(cols, grain: columnGrain(rows: rows)) { _, columns in
            for r in 0..<rows {
                let xr = x + r * cols
                for c in columns { into[c] += xr[c] }
            }
        }
    }

    /// `y = tanh(y)` in place (pooler), scalar libm-free via exp: tanh = 1 − 2/(e^{2x}+1).
    public static func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count) { i, k in
            let e = VectorMath.exp(2 * load(y, i, k))
            store(1 - 2 / (e + 1), y, i, k)
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

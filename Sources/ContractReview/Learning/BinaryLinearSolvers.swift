import Foundation
import LexgraphCore

/// One binary L2-regularized linear problem over sparse rows: row i is positive or not, and
/// its loss is weighted by `costPositive` or `costNegative` (C times a class weight).
public struct BinaryLinearProblem {
    public let rows: SparseRows
    public let positive: [Bool]
    public let costPositive: Double
    public let costNegative: Double

    public init(rows: SparseRows, positive: [Bool], costPositive: Double, costNegative: Double) {
        precondition(positive.count == rows.count, "\(positive.count) targets for \(rows.count) rows")
        self.rows = rows; self.positive = positive; self.costPositive = costPositive; self.costNegative = costNegative
    }

    func sign(_ i: Int) -> Double { positive[i] ? 1 : -1 }
    func cost(_ i: Int) -> Double { positive[i] ? costPositive : costNegative }

    /// w·x_i over the sparse entries of row i.
    @inline(__always) func dot(_ w: UnsafePointer<Double>, _ i: Int) -> Double {
        var s = 0.0
        for k in rows.offsets[i]..<rows.offsets[i + 1] { s += w[Int(rows.indices[k])] * Double(rows.values[k]) }
        return s
    }
}

/// A solved binary problem: decision value w·x + bias.
public struct BinaryLinearSolution: Sendable {
    public var weights: [Double]
    public var bias: Double
    /// Passes over the data (dual coordinate descent) or L-BFGS iterations.
    public var iterations: Int
    /// Whether the stopping tolerance was reached before the iteration limit.
    public var converged: Bool
}

/// Convex solvers for `BinaryLinearProblem`, each run to a stated tolerance from w = 0.
public enum BinaryLinearSolvers {
    /// L2-regularized L2-loss (squared hinge) linear SVM,
    /// min_w ½‖w‖² + Σ_i C_i max(0, 1 − y_i w·x_i)², by liblinear's dual coordinate descent
    /// with shrinking (Hsieh et al. 2008; liblinear solver 1, scikit-learn's `LinearSVC`).
    /// The intercept is liblinear's: a constant column `biasFeature` (scikit-learn's
    /// `intercept_scaling`, 1) whose weight is regularized like the others.
    /// Stops when the projected gradient's spread max − min over a full pass is at most
    /// `tolerance` (liblinear's criterion; scikit-learn's `tol`, 1e-4 by default). The
    /// coordinate order is a seeded shuffle, so the dual path differs from liblinear's but
    /// the primal optimum it converges to is the same unique w.
    public static func squaredHingeSVM(_ p: BinaryLinearProblem, biasFeature: Double = 1, tolerance: Double = 1e-4,
                                       maxPasses: Int = 1000, seed: UInt64 = 42) -> BinaryLinearSolution {
        let l = p.rows.count, n = p.rows.columns
        var w = [Double](repeating: 0, count: n)
        var b = 0.0
        var alpha = [Double](repeating: 0, count: l)
        let diag = (0..<l).map { 0.5 / p.cost($0) }
        var qd = [Double](repeating: 0, count: l)
        for i in 0..<l {
            var s = biasFeature * biasFeature
            for k in p.rows.offsets[i]..<p.rows.offsets[i + 1] { let v = Double(p.rows.values[k]); s += v * v }
            qd[i] = diag[i] + s
        }
        var index = Array(0..<l)
        var activeSize = l
        // The projected gradient's bounds of the previous pass, for shrinking; only rows at
        // α = 0 are shrunk (the L2 loss has no upper bound on α).
        var pgMaxOld = Double.infinity
        var rng = SplitMix64(seed: seed)
        var pass = 0, converged = false
        let offsets = p.rows.offsets, indices = p.rows.indices, values = p.rows.values
        w.withUnsafeMutableBufferPointer { wp in
            while pass < maxPasses {
                var pgMaxNew = -Double.infinity, pgMinNew = Double.infinity
                if activeSize > 1 {
                    for s in 0..<(activeSize - 1) {
                        let j = s + Int(rng.next() % UInt64(activeSize - s))
                        index.swapAt(s, j)
                    }
                }
                var s = 0
                while s < activeSize {
                    let i = index[s]
                    let yi = p.sign(i)
                    var g = b * biasFeature
                    for k in offsets[i]..<offsets[i + 1] { g += wp[Int(indices[k])] * Double(values[k]) }
                    g = yi * g - 1 + alpha[i] * diag[i]
                    var pg = 0.0
                    if alpha[i] == 0 {
                        if g > pgMaxOld {
                            activeSize -= 1
                            index.swapAt(s, activeSize)
                            continue
                        } else if g < 0 {
                            pg = g
                        }
                    } else {
                        pg = g
                    }
                    pgMaxNew = max(pgMaxNew, pg); pgMinNew = min(pgMinNew, pg)
                    if abs(pg) > 1e-12 {
                        let old = alpha[i]
                        alpha[i] = max(alpha[i] - g / qd[i], 0)
                        let d = (alpha[i] - old) * yi
                        for k in offsets[i]..<offsets[i + 1] { wp[Int(indices[k])] += d * Double(values[k]) }
                        b += d * biasFeature
                    }
                    s += 1
                }
                pass += 1
                if pgMaxNew - pgMinNew <= tolerance {
                    if activeSize == l { converged = true; break }
                    // Converged on the active set: check once more over every row.
                    activeSize = l; pgMaxOld = .infinity
                    continue
                }
                pgMaxOld = pgMaxNew <= 0 ? .infinity : pgMaxNew
            }
        }
        return BinaryLinearSolution(weights: w, bias: b * biasFeature, iterations: pass, converged: converged)
    }

    /// L2-regularized logistic regression, min_{w,b} ½‖w‖² + Σ_i C_i log(1 + exp(−y_i(w·x_i + b))),
    /// the intercept b not regularized (scikit-learn's `LogisticRegression(solver="lbfgs")`),
    /// by L-BFGS (10 correction pairs, backtracking Armijo line search). Stops when the
    /// largest gradient component of the objective divided by Σ_i C_i (the mean loss, as
    /// scikit-learn scales it) is at most `tolerance`, or, as scipy's L-BFGS-B does for
    /// scikit-learn, when a step lowers that scaled objective by at most 64 ε relative
    /// (double precision can do no better; counted as converged).
    public static func logisticRegression(_ p: BinaryLinearProblem, tolerance: Double = 1e-4, maxIterations: Int = 1000,
                                          history: Int = 10) -> BinaryLinearSolution {
        let l = p.rows.count, n = p.rows.columns + 1  // the last coordinate is the intercept
        let costs = (0..<l).map(p.cost), signs = (0..<l).map(p.sign)
        let scale = 1 / max(costs.reduce(0, +), .leastNormalMagnitude)
        // f(x)·scale and its gradient; x = [w, b].
        func evaluate(_ x: [Double], _ g: inout [Double]) -> Double {
            var f = 0.0
            for j in 0..<(n - 1) { g[j] = x[j]; f += 0.5 * x[j] * x[j] }
            g[n - 1] = 0
            x.withUnsafeBufferPointer { xp in
                for i in 0..<l {
                    let z = signs[i] * (p.dot(xp.baseAddress!, i) + xp[n - 1])
                    // log(1 + e^(−z)) and its derivative −σ(−z), without overflow.
                    let loss = z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z))
                    f += costs[i] * loss
                    let d = -costs[i] * signs[i] / (1 + exp(z))
                    for k in p.rows.offsets[i]..<p.rows.offsets[i + 1] { g[Int(p.rows.indices[k])] += d * Double(p.rows.values[k]) }
                    g[n - 1] += d
                }
            }
            for j in 0..<n { g[j] *= scale }
            return f * scale
        }
        var x = [Double](repeating: 0, count: n)
        var g = [Double](repeating: 0, count: n)
        var f = evaluate(x, &g)
        var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rho: [Double] = []
        var iteration = 0, converged = false
        var gNew = g, xNew = x
        while iteration < maxIterations {
            if (g.map(abs).max() ?? 0) <= tolerance { converged = true; break }
            // Two-loop recursion: d = −H·g.
            var q = g
            var a = [Double](repeating: 0, count: sHistory.count)
            for k in stride(from: sHistory.count - 1, through: 0, by: -1) {
                a[k] = rho[k] * dot(sHistory[k], q)
                axpy(-a[k], yHistory[k], &q)
            }
            if let sl = sHistory.last, let yl = yHistory.last {
                let gamma = dot(sl, yl) / dot(yl, yl)
                for j in 0..<n { q[j] *= gamma }
            } else {
                let norm = sqrt(dot(g, g))
                for j in 0..<n { q[j] /= max(norm, 1) }
            }
            for k in 0..<sHistory.count {
                let beta = rho[k] * dot(yHistory[k], q)
                axpy(a[k] - beta, sHistory[k], &q)
            }
            var direction = q.map { -$0 }
            var slope = dot(g, direction)
            if !(slope < 0) {  // not a descent direction (numerical): restart from steepest descent
                sHistory.removeAll(); yHistory.removeAll(); rho.removeAll()
                direction = g.map { -$0 }; slope = -dot(g, g)
            }
            var step = 1.0, fNew = f, accepted = false
            for _ in 0..<60 {
                for j in 0..<n { xNew[j] = x[j] + step * direction[j] }
                fNew = evaluate(xNew, &gNew)
                if fNew <= f + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            iteration += 1
            if !accepted { break }
            if (f - fNew) / max(abs(f), abs(fNew), 1) <= 64 * Double.ulpOfOne {
                swap(&x, &xNew); f = fNew; converged = true
                break
            }
            var sv = [Double](repeating: 0, count: n), yv = [Double](repeating: 0, count: n)
            for j in 0..<n { sv[j] = xNew[j] - x[j]; yv[j] = gNew[j] - g[j] }
            let sy = dot(sv, yv)
            if sy > 1e-12 * dot(yv, yv) {
                if sHistory.count == history { sHistory.removeFirst(); yHistory.removeFirst(); rho.removeFirst() }
                sHistory.append(sv); yHistory.append(yv); rho.append(1 / sy)
            }
            swap(&x, &xNew); swap(&g, &gNew); f = fNew
        }
        if !converged, (g.map(abs).max() ?? 0) <= tolerance { converged = true }
        return BinaryLinearSolution(weights: Array(x[0..<(n - 1)]), bias: x[n - 1], iterations: iteration, converged: converged)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for j in a.indices { s += a[j] * b[j] }
        return s
    }

    static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for j in x.indices { y[j] += a * x[j] }
    }
}

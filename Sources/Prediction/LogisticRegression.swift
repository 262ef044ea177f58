import Foundation

/// A feature vector stored sparsely: one-hot encodings leave most entries zero.
public struct SparseVector: Sendable, Hashable {
    public var indices: [Int]
    public var values: [Double]

    public init(indices: [Int] = [], values: [Double] = []) {
        self.indices = indices
        self.values = values
    }

    public init(dense: [Double]) {
        self.init()
        for (i, v) in dense.enumerated() where v != 0 { append(i, v) }
    }

    public mutating func append(_ index: Int, _ value: Double) {
        indices.append(index)
        values.append(value)
    }

    /// The dot product with dense weights; entries beyond `w` count as zero weight.
    public func dot(_ w: [Double]) -> Double {
        var s = 0.0
        for k in indices.indices where indices[k] >= 0 && indices[k] < w.count { s += values[k] * w[indices[k]] }
        return s
    }
}

/// L2-regularised logistic regression fit by Newton's method (iteratively reweighted least
/// squares) with a Cholesky solve and backtracking line search: deterministic and exact to
/// machine precision, which the tests use to compare with scikit-learn.
///
/// Minimises, as scikit-learn's `LogisticRegression(penalty="l2", C=C)` does with the
/// lbfgs solver, `C * sum_i logloss(y_i, sigmoid(w.x_i + b)) + ||w||^2 / 2`; the intercept
/// `b` is not penalised.
public struct LogisticRegression: Sendable {
    public var c: Double
    public var maxIterations: Int
    /// Convergence: stop when the largest gradient component is below this.
    public var gradientTolerance: Double
    public private(set) var weights: [Double] = []
    public private(set) var intercept: Double = 0
    public private(set) var iterations = 0

    public init(c: Double = 1.0, maxIterations: Int = 100, gradientTolerance: Double = 1e-9) {
        self.c = c
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
    }

    /// A fitted regression restored from saved parameters (a run folder's model).
    public init(c: Double, weights: [Double], intercept: Double) {
        self.init(c: c)
        self.weights = weights
        self.intercept = intercept
    }

    public mutating func fit(rows: [SparseVector], labels: [Bool], featureCount p: Int) throws {
        guard rows.count == labels.count, !rows.isEmpty else {
            throw PredictionError("logistic regression needs as many labels as rows and at least one row (got \(rows.count) rows, \(labels.count) labels)")
        }
        guard c > 0, c.isFinite else { throw PredictionError("logistic regression C must be positive, got \(c)") }
        for (r, row) in rows.enumerated() {
            if let bad = row.indices.first(where: { $0 < 0 || $0 >= p }) {
                throw PredictionError("row \(r) has feature index \(bad) outside 0..<\(p)")
            }
            if let bad = row.values.first(where: { !$0.isFinite }) {
                throw PredictionError("row \(r) has a non-finite feature value \(bad)")
            }
        }
        let y = labels.map { $0 ? 1.0 : 0.0 }
        // Parameters θ = (w_0 ... w_{p-1}, b).
        var theta = [Double](repeating: 0, count: p + 1)
        var objective = self.objective(theta, rows, y, p)
        iterations = 0
        for iteration in 1...max(1, maxIterations) {
            iterations = iteration
            let (gradient, hessian) = derivatives(theta, rows, y, p)
            if gradient.map(abs).max() ?? 0 < gradientTolerance { break }
            guard let step = LogisticRegression.choleskySolve(hessian, gradient, p + 1) else {
                throw PredictionError("logistic regression: Hessian not positive definite at iteration \(iteration)")
            }
            // Newton decrement g·H⁻¹g: twice the predicted decrease. Once it is at rounding
            // level the optimum is reached to machine precision (the gradient itself may
            // stay above the tolerance because of rounding in its sums).
            let decrement = zip(gradient, step).reduce(0) { $0 + $1.0 * $1.1 }
            if decrement < 1e-15 * max(1, abs(objective)) { break }
            var t = 1.0
            var accepted = false
            for _ in 0..<50 {
                let candidate = zip(theta, step).map { $0 - t * $1 }
                let value = self.objective(candidate, rows, y, p)
                if value <= objective {
                    theta = candidate
                    objective = value
                    accepted = true
                    break
                }
                t /= 2
            }
            if !accepted { break }
        }
        weights = Array(theta[0..<p])
        intercept = theta[p]
    }

    public func probability(_ row: SparseVector) -> Double {
        LogisticRegression.sigmoid(row.dot(weights) + intercept)
    }

    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// log(1 + exp(z)), without overflow.
    static func softplus(_ z: Double) -> Double {
        z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
    }

    private func margin(_ theta: [Double], _ row: SparseVector, _ p: Int) -> Double {
        var s = theta[p]
        for k in row.indices.indices { s += row.values[k] * theta[row.indices[k]] }
        return s
    }

    private func objective(_ theta: [Double], _ rows: [SparseVector], _ y: [Double], _ p: Int) -> Double {
        var loss = 0.0
        for (i, row) in rows.enumerated() {
            let z = margin(theta, row, p)
            // logloss = log(1 + e^z) - y z
            loss += LogisticRegression.softplus(z) - y[i] * z
        }
        var penalty = 0.0
        for j in 0..<p { penalty += theta[j] * theta[j] }
        return c * loss + penalty / 2
    }

    /// Gradient and Hessian (row-major, (p+1)²) of the objective at θ.
    private func derivatives(_ theta: [Double], _ rows: [SparseVector], _ y: [Double], _ p: Int) -> ([Double], [Double]) {
        let d = p + 1
        var g = [Double](repeating: 0, count: d)
        var h = [Double](repeating: 0, count: d * d)
        for (i, row) in rows.enumerated() {
            let s = LogisticRegression.sigmoid(margin(theta, row, p))
            let r = c * (s - y[i])
            let w = c * s * (1 - s)
            let idx = row.indices + [p]
            let val = row.values + [1]
            for a in idx.indices {
                g[idx[a]] += r * val[a]
                let base = idx[a] * d
                let wa = w * val[a]
                for b in idx.indices { h[base + idx[b]] += wa * val[b] }
            }
        }
        for j in 0..<p {
            g[j] += theta[j]
            h[j * d + j] += 1
        }
        return (g, h)
    }

    /// Solves A x = b for a symmetric positive-definite A (row-major n×n); nil if A is not.
    static func choleskySolve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let ok = l.withUnsafeMutableBufferPointer { l -> Bool in
            a.withUnsafeBufferPointer { a in
                for i in 0..<n {
                    for j in 0...i {
                        var s = a[i * n + j]
                        let ri = i * n, rj = j * n
                        for k in 0..<j { s -= l[ri + k] * l[rj + k] }
                        if i == j {
                            guard s > 0 else { return false }
                            l[ri + i] = s.squareRoot()
                        } else {
                            l[ri + j] = s / l[rj + j]
                        }
                    }
                }
                return true
            }
        }
        guard ok else { return nil }
        var z = b
        for i in 0..<n {
            var s = z[i]
            for k in 0..<i { s -= l[i * n + k] * z[k] }
            z[i] = s / l[i * n + i]
        }
        var x = z
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
        return x
    }
}

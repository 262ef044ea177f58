import Foundation
import Tensor
import XCTest

/// The Tensor module's GEMM wrappers and vector kernels against straightforward Double loops.
final class KernelTests: XCTestCase {
    func testGemmAllTransposesAndStrides() {
        var rng = SystemRandomNumberGenerator()
        let m = 5, n = 7, k = 3
        for transA in [false, true] {
            for transB in [false, true] {
                let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
                let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
                var c = [Float](repeating: 1, count: m * n)
                BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 2, a: a, lda: transA ? m : k,
                          b: b, ldb: transB ? k : n, beta: 0.5, c: &c, ldc: n)
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k {
                            let av = transA ? a[p * m + i] : a[i * k + p]
                            let bv = transB ? b[j * k + p] : b[p * n + j]
                            s += Double(av) * Double(bv)
                        }
                        XCTAssertEqual(c[i * n + j], Float(2 * s + 0.5), accuracy: 1e-5)
                    }
                }
            }
        }
    }

    func testThreadCountSetting() {
        let before = BLAS.threadCount
        BLAS.threadCount = 2
        XCTAssertEqual(BLAS.threadCount, 2)
        BLAS.threadCount = before
        XCTAssertEqual(BLAS.threadCount, before)
        if ProcessInfo.processInfo.environment[BLAS.threadsEnvironmentVariable] == nil {
            XCTAssertEqual(BLAS.environmentThreadCount, 1, "default is one BLAS thread")
        }
    }

    func testVectorExpAndGELU() {
        var worstExp: Double = 0
        for x in stride(from: -80.0, through: 80.0, by: 0.37) {
            let xf = Float(x)
            let v = VectorMath.exp(VectorMath.V(repeating: xf))[0]
            worstExp = max(worstExp, abs(Double(v) / exp(Double(xf)) - 1))
        }
        XCTAssertLessThan(worstExp, 5e-7)
        let xs: [Float] = (0..<200).map { Float($0 - 100) * 0.07 }
        var u = xs, g = [Float](repeating: 0, count: xs.count)
        Kernels.biasGELU(&u, bias: nil, rows: 1, cols: xs.count, out: &g)
        for (i, x) in xs.enumerated() {
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            XCTAssertEqual(Double(g[i]), exact, accuracy: 2e-7 * max(1, abs(Double(x))))
        }
        let ones = [Float](repeating: 1, count: xs.count)
        var d = [Float](repeating: 0, count: xs.count)
        Kernels.geluBackward(ones, u: xs, count: xs.count, du: &d)
        for (i, x) in xs.enumerated() {
            let xd = Double(x)
            let exact = 0.5 * (1 + erf(xd / 2.0.squareRoot())) + xd * exp(-xd * xd / 2) / (2 * Double.pi).squareRoot()
            XCTAssertEqual(Double(d[i]), exact, accuracy: 5e-7)
        }
    }

    func testMaskedSoftmaxWithBias() {
        var s: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0.5, -1]  // 12 columns crosses one SIMD tail
        let visible: [Float] = [1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0]
        let bias: [Float] = [0, 0, 0, -10000, 0.5, 0, 0, 0, 0, 0, 0, 0]
        let original = s
        Kernels.maskedSoftmax(&s, rows: 1, n: 12, keyVisible: visible, bias: bias)
        var z = 0.0
        var e = [Double](repeating: 0, count: 12)
        for j in 0..<12 where visible[j] == 1 { e[j] = exp(Double(original[j] + bias[j])); z += e[j] }
        for j in 0..<12 { XCTAssertEqual(Double(s[j]), e[j] / z, accuracy: 1e-6) }
        XCTAssertEqual(s[2], 0)
        XCTAssertEqual(s[11], 0)
    }

    func testLayerNormBackwardMatchesFiniteDifferences() {
        let cols = 10
        let x: [Float] = (0..<cols).map { Float(sin(Double($0) * 1.3)) * 2 + 0.3 }
        let gamma: [Float] = (0..<cols).map { 1 + 0.1 * Float($0) }
        let beta: [Float] = (0..<cols).map { 0.05 * Float($0) }
        let w: [Float] = (0..<cols).map { Float(cos(Double($0))) }  // loss = Σ w·LN(x)
        func loss(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: cols), mean: Float = 0, rstd: Float = 0
            Kernels.layerNormForward(x, rows: 1, cols: cols, gamma: gamma, beta: beta, eps: 1e-5, out: &out, mean: &mean, rstd: &rstd)
            return zip(out, w).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var out = [Float](repeating: 0, count: cols), mean: Float = 0, rstd: Float = 0
        Kernels.layerNormForward(x, rows: 1, cols: cols, gamma: gamma, beta: beta, eps: 1e-5, out: &out, mean: &mean, rstd: &rstd)
        var dx = [Float](repeating: 0, count: cols), dg = [Float](repeating: 0, count: cols), db = [Float](repeating: 0, count: cols)
        Kernels.layerNormBackward(w, x: x, mean: &mean, rstd: &rstd, gamma: gamma, rows: 1, cols: cols, dx: &dx, dGamma: &dg, dBeta: &db)
        for i in 0..<cols {
            var xp = x, xm = x
            xp[i] += 1e-2; xm[i] -= 1e-2
            XCTAssertEqual(Double(dx[i]), (loss(xp) - loss(xm)) / 2e-2, accuracy: 2e-3)
            XCTAssertEqual(db[i], w[i], accuracy: 1e-7)
            XCTAssertEqual(dg[i], w[i] * (x[i] - mean) * rstd, accuracy: 1e-5)
        }
    }
}

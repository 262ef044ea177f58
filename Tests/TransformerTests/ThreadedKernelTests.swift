import Foundation
import Tensor
import Transformer
import XCTest

/// The threaded paths (kernels split over rows or columns, GEMMs split over blocks of C,
/// attention over (batch item, head) pairs) against the same calls on one thread, and the
/// fused kernels against the separate steps they replace. Sizes are chosen so that every
/// call really splits at 2 threads.
final class ThreadedKernelTests: XCTestCase {
    var savedThreads = 1
    override func setUp() { savedThreads = BLAS.threadCount }
    override func tearDown() { BLAS.threadCount = savedThreads }

    func random(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in (rng.nextUnitFloat() * 2 - 1) * scale }
    }

    func keepFlags(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in rng.nextUnitFloat() < 0.1 ? 0 : 1 }
    }

    /// Runs `body` at 1 and at 2 threads and returns both results.
    func atOneAndTwoThreads<T>(_ body: () -> T) -> (T, T) {
        BLAS.threadCount = 1
        let one = body()
        BLAS.threadCount = 2
        let two = body()
        return (one, two)
    }

    let rows = 512, cols = 384

    func testRowKernelsAreIdenticalAtAnyThreadCount() {
        let n = rows * cols
        let x = random(n, seed: 1, scale: 3), bias = random(cols, seed: 2), gamma = random(cols, seed: 3), beta = random(cols, seed: 4)
        let (gelu1, gelu2) = atOneAndTwoThreads { () -> [Float] in
            var u = x, g = [Float](repeating: 0, count: n)
            Kernels.biasGELU(&u, bias: bias, rows: rows, cols: cols, out: &g)
            var du = [Float](repeating: 0, count: n)
            Kernels.geluBackward(g, u: u, count: n, du: &du)
            return u + g + du
        }
        XCTAssertEqual(gelu1, gelu2)
        let (ln1, ln2) = atOneAndTwoThreads { () -> [Float] in
            var out = [Float](repeating: 0, count: n), mean = [Float](repeating: 0, count: rows), rstd = mean
            Kernels.layerNormForward(x, rows: rows, cols: cols, gamma: gamma, beta: beta, eps: 1e-12, out: &out, mean: &mean, rstd: &rstd)
            var dx = [Float](repeating: 0, count: n), dg = [Float](repeating: 0, count: cols), db = dg
            Kernels.layerNormBackward(out, x: x, mean: mean, rstd: rstd, gamma: gamma, rows: rows, cols: cols, dx: &dx, dGamma: &dg, dBeta: &db)
            var sums = [Float](repeating: 0, count: cols)
            Kernels.addColumnSums(x, rows: rows, cols: cols, into: &sums)
            return out + mean + rstd + dx + dg + db + sums
        }
        XCTAssertEqual(ln1, ln2)
    }

    func testSplitGemmMatchesSerialGemm() {
        let m = 512, k = 384, n = 256
        let a = random(m * k, seed: 5), b = random(k * n, seed: 6)
        for (transA, transB) in [(false, false), (false, true), (true, false)] {
            var serial = [Float](repeating: 0.5, count: m * n)
            BLAS.gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: transA ? m : k,
                            b: b, ldb: transB ? k : n, beta: 1, c: &serial, ldc: n)
            BLAS.threadCount = 2
            var split = [Float](repeating: 0.5, count: m * n)
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: transA ? m : k,
                      b: b, ldb: transB ? k : n, beta: 1, c: &split, ldc: n)
            // Wide C (columns split) too: the transposed shape.
            var wideSerial = [Float](repeating: 0, count: n * m), wideSplit = wideSerial
            BLAS.gemmSerial(transA: true, transB: true, m: n, n: m, k: k, a: b, lda: n, b: a, ldb: k, c: &wideSerial, ldc: m)
            BLAS.gemm(transA: true, transB: true, m: n, n: m, k: k, a: b, lda: n, b: a, ldb: k, c: &wideSplit, ldc: m)
            BLAS.threadCount = 1
            let worst = zip(serial, split).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-5, "transA \(transA) transB \(transB)")
            XCTAssertLessThanOrEqual(zip(wideSerial, wideSplit).map { abs($0 - $1) }.max() ?? 0, 1e-5)
        }
    }

    func testResidualLayerNormEqualsSeparateSteps() {
        let n = rows * cols, keep: Float = 1 / 0.9
        let y = random(n, seed: 7, scale: 2), x = random(n, seed: 8), bias = random(cols, seed: 9)
        let gamma = random(cols, seed: 10), beta = random(cols, seed: 11), flags = keepFlags(n, seed: 12)
        // Separate: y + bias, times a float mask, plus the residual, then LayerNorm.
        var sum = [Float](repeating: 0, count: n)
        for r in 0..<rows { for c in 0..<cols { let i = r * cols + c; sum[i] = (y[i] + bias[c]) * (flags[i] == 0 ? 0 : keep) + x[i] } }
        var expected = [Float](repeating: 0, count: n), mean = [Float](repeating: 0, count: rows), rstd = mean
        Kernels.layerNormForward(sum, rows: rows, cols: cols, gamma: gamma, beta: beta, eps: 1e-12, out: &expected, mean: &mean, rstd: &rstd)
        let (fused1, fused2) = atOneAndTwoThreads { () -> [Float] in
            var yy = y, out = [Float](repeating: 0, count: n), m = [Float](repeating: 0, count: rows), s = m
            Kernels.residualLayerNorm(&yy, bias: bias, keepMask: flags, keepScale: keep, residual: x, rows: rows, cols: cols,
                                      gamma: gamma, beta: beta, eps: 1e-12, out: &out, mean: &m, rstd: &s)
            return yy + out + m + s
        }
        XCTAssertEqual(fused1, fused2)
        XCTAssertEqual(Array(fused1[0..<n]), sum)
        XCTAssertEqual(Array(fused1[n..<(2 * n)]), expected)
    }

    func testMaskedLayerNormBackwardEqualsSeparateMask() {
        let n = rows * cols, keep: Float = 1 / 0.9
        let x = random(n, seed: 13, scale: 2), dOut = random(n, seed: 14), gamma = random(cols, seed: 15), flags = keepFlags(n, seed: 16)
        var out = [Float](repeating: 0, count: n), mean = [Float](repeating: 0, count: rows), rstd = mean
        Kernels.layerNormForward(x, rows: rows, cols: cols, gamma: gamma, beta: gamma, eps: 1e-12, out: &out, mean: &mean, rstd: &rstd)
        var dx = [Float](repeating: 0, count: n), dg = [Float](repeating: 0, count: cols), db = dg
        Kernels.layerNormBackward(dOut, x: x, mean: mean, rstd: rstd, gamma: gamma, rows: rows, cols: cols, dx: &dx, dGamma: &dg, dBeta: &db)
        let maskedExpected = (0..<n).map { dx[$0] * (flags[$0] == 0 ? 0 : keep) }
        BLAS.threadCount = 2
        // maskedDx aliasing dOut, as the layer backward uses it.
        var d = dOut, dx2 = [Float](repeating: 0, count: n), dg2 = [Float](repeating: 0, count: cols), db2 = dg2
        d.withUnsafeMutableBufferPointer { dp in
            Kernels.layerNormBackward(dp.baseAddress!, x: x, mean: mean, rstd: rstd, gamma: gamma, rows: rows, cols: cols,
                                      dx: &dx2, dGamma: &dg2, dBeta: &db2, keepMask: flags, keepScale: keep, maskedDx: dp.baseAddress!)
        }
        XCTAssertEqual(dx2, dx)
        XCTAssertEqual(dg2, dg)
        XCTAssertEqual(db2, db)
        XCTAssertEqual(d, maskedExpected)
    }

    func testSoftmaxBackwardWithKeepMaskEqualsFloatMask() {
        let t = 40, keep: Float = 1 / 0.9
        var probs = random(t * t, seed: 17, scale: 4)
        Kernels.maskedSoftmax(&probs, rows: t, n: t, keyVisible: nil, bias: nil)
        let d = random(t * t, seed: 18), flags = keepFlags(t * t, seed: 19)
        var expected = (0..<(t * t)).map { d[$0] * (flags[$0] == 0 ? 0 : keep) }
        Kernels.softmaxBackward(&expected, probs: probs, rows: t, n: t, scale: 0.25)
        var fused = d
        Kernels.softmaxBackward(&fused, probs: probs, rows: t, n: t, scale: 0.25, keepMask: flags, keepScale: keep)
        XCTAssertEqual(fused, expected)
    }

    /// A whole training step (dropout, padding) and an inference forward at 1 and 2 threads.
    func testModelStepMatchesAcrossThreadCounts() throws {
        let config = BertConfig(vocabSize: 100, hiddenSize: 128, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 512,
                                maxPositionEmbeddings: 64, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1)
        var sequences: [[Int32]] = []
        for i in 0..<8 {
            var ids: [Int32] = []
            for j in 0..<(40 + 3 * i) { ids.append(Int32(2 + (i * 7 + j * 13) % 97)) }
            sequences.append(ids)
        }
        let batch = try BertBatch(sequences: sequences)
        let labels = Labels.classes((0..<8).map { $0 % 2 })
        func step() throws -> (loss: Float, grads: [Float], hidden: [Float]) {
            let model = try BertModel(config: config, head: ClassificationHeadSpec(numLabels: 2, problemType: .singleLabelClassification), seed: 4)
            model.rng = SeededGenerator(seed: 9)
            let loss = try model.lossAndBackward(batch, labels: labels, dropout: true).loss
            let grads = Array(UnsafeBufferPointer(start: model.parameters.grads.base, count: model.parameterCount))
            let trained = try model.forward(batch).lastHiddenState.toArray()
            let inference = try BertModel(config: config, seed: 4)
            let hidden = try inference.forward(batch, forBackward: false).lastHiddenState.toArray()
            XCTAssertEqual(hidden, trained, "an inference-only workspace computes the same forward")
            XCTAssertThrowsError(try inference.backward(dLastHidden: nil, dPooled: nil), "no backward after an inference-only forward")
            return (loss, grads, hidden)
        }
        BLAS.threadCount = 1
        let one = try step()
        BLAS.threadCount = 2
        let two = try step()
        XCTAssertEqual(one.loss, two.loss, accuracy: 1e-6)
        let scale = one.grads.map(abs).max() ?? 1
        XCTAssertLessThanOrEqual(zip(one.grads, two.grads).map { abs($0 - $1) }.max() ?? 0, 1e-5 * scale)
        XCTAssertLessThanOrEqual(zip(one.hidden, two.hidden).map { abs($0 - $1) }.max() ?? 0, 1e-5)
    }
}

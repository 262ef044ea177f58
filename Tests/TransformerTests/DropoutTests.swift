import Foundation
import Tensor
import Transformer
import XCTest

/// Inverted dropout: a unit is dropped with probability p and a kept one is scaled by
/// exactly 1/(1−p), so the expected activation is unchanged; backward goes through the
/// same mask the forward drew.
final class DropoutTests: XCTestCase {
    /// Drop rate within 4.5 standard deviations of p; kept values exactly 1/(1−p); the
    /// byte mask draws the same units as the float mask from the same generator.
    func testMaskRateAndScale() {
        let n = 200_000
        for p: Float in [0.1, 0.25, 0.5] {
            let mask = UnsafeMutablePointer<Float>.allocate(capacity: n), flags = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            defer { mask.deallocate(); flags.deallocate() }
            var rng = SeededGenerator(seed: 7), same = SeededGenerator(seed: 7)
            Dropout.fillMask(mask, count: n, p: p, rng: &rng)
            Dropout.fillKeepMask(flags, count: n, p: p, rng: &same)
            let dropped = (0..<n).filter { mask[$0] == 0 }.count
            let rate = Double(dropped) / Double(n), sigma = (Double(p) * Double(1 - p) / Double(n)).squareRoot()
            XCTAssertEqual(rate, Double(p), accuracy: 4.5 * sigma, "drop rate at p = \(p)")
            let keep = 1 / (1 - p)
            XCTAssertTrue((0..<n).allSatisfy { mask[$0] == 0 || mask[$0] == keep }, "kept units scaled by 1/(1-p) at p = \(p)")
            XCTAssertTrue((0..<n).allSatisfy { (mask[$0] == 0) == (flags[$0] == 0) && flags[$0] <= 1 }, "same draws at p = \(p)")
            // The mean of the mask is 1: the expected activation is unchanged.
            let mean = (0..<n).reduce(0.0) { $0 + Double(mask[$1]) } / Double(n)
            XCTAssertEqual(mean, 1, accuracy: 4.5 * sigma / Double(1 - p), "mean of the mask at p = \(p)")
        }
    }

    /// The byte-mask kernels scale kept units by `keepScale` and zero dropped ones, in the
    /// fused forward (bias + dropout + residual + LayerNorm) and in the LayerNorm backward
    /// that hands the dropped-out branch its gradient.
    func testFusedKernelsApplyTheSameMaskForwardAndBackward() {
        let rows = 3, cols = 37, n = rows * cols, p: Float = 0.3, scale = 1 / (1 - p)
        var rng = SeededGenerator(seed: 11)
        let y = (0..<n).map { _ in rng.nextNormal() }, bias = (0..<cols).map { _ in rng.nextNormal() }
        let residual = (0..<n).map { _ in rng.nextNormal() }, gamma = (0..<cols).map { _ in 1 + 0.1 * rng.nextNormal() }
        let beta = (0..<cols).map { _ in rng.nextNormal() }, dOut = (0..<n).map { _ in rng.nextNormal() }
        var flags = [UInt8](repeating: 0, count: n)
        flags.withUnsafeMutableBufferPointer { Dropout.fillKeepMask($0.baseAddress!, count: n, p: p, rng: &rng) }
        XCTAssertTrue(flags.contains(0) && flags.contains(1))

        var sum = y, out = [Float](repeating: 0, count: n), mean = [Float](repeating: 0, count: rows), rstd = mean
        Kernels.residualLayerNorm(&sum, bias: bias, keepMask: flags, keepScale: scale, residual: residual, rows: rows, cols: cols,
                                  gamma: gamma, beta: beta, eps: 1e-12, out: &out, mean: &mean, rstd: &rstd)
        for i in 0..<n {
            let expected = (y[i] + bias[i % cols]) * (flags[i] == 1 ? scale : 0) + residual[i]
            XCTAssertEqual(sum[i], expected, accuracy: 1e-6 * max(1, abs(expected)), "dropout in the residual sum at \(i)")
        }

        var dx = [Float](repeating: 0, count: n), dGamma = [Float](repeating: 0, count: cols), dBeta = dGamma
        var masked = [Float](repeating: 0, count: n)
        Kernels.layerNormBackward(dOut, x: sum, mean: mean, rstd: rstd, gamma: gamma, rows: rows, cols: cols, dx: &dx,
                                  dGamma: &dGamma, dBeta: &dBeta, keepMask: flags, keepScale: scale, maskedDx: &masked)
        for i in 0..<n {
            XCTAssertEqual(masked[i], dx[i] * (flags[i] == 1 ? scale : 0), accuracy: 1e-6 * max(1, abs(dx[i])), "masked gradient at \(i)")
        }

        var product = [Float](repeating: 0, count: n)
        Kernels.multiply(y, byKeepMask: flags, scale: scale, count: n, out: &product)
        XCTAssertEqual(product, (0..<n).map { y[$0] * (flags[$0] == 1 ? scale : 0) })
    }

    /// In the model: with no encoder layer the output is the embeddings' LayerNorm after
    /// dropout, so each unit is either 0 or the deterministic value × 1/(1−p), at rate p;
    /// and the embedding LayerNorm's β gradient under an all-ones upstream gradient counts,
    /// per column, exactly the units the forward kept, each × 1/(1−p): backward used the
    /// forward's mask.
    func testModelDropoutScalesAndBackwardUsesTheForwardMask() throws {
        let p = 0.25
        let config = BertConfig(vocabSize: 50, hiddenSize: 64, numHiddenLayers: 0, numAttentionHeads: 4, intermediateSize: 32,
                                maxPositionEmbeddings: 32, hiddenDropoutProb: p, attentionProbsDropoutProb: 0)
        let model = try BertModel(config: config, seed: 3)
        let batch = try BertBatch(sequences: (0..<4).map { b in (0..<16).map { Int32(($0 * 7 + b * 3) % 50) } })
        let plain = try model.forward(batch, dropout: false).lastHiddenState.toArray()
        model.rng = SeededGenerator(seed: 99)
        let dropped = try model.forward(batch, dropout: true).lastHiddenState.toArray()
        let keep = 1 / (1 - Float(p))
        var zeros = 0
        for (a, b) in zip(plain, dropped) {
            if b == 0 { zeros += 1 } else { XCTAssertEqual(b, a * keep, accuracy: 1e-6 * max(1, abs(b))) }
        }
        let n = Double(plain.count), sigma = (p * (1 - p) / n).squareRoot()
        XCTAssertEqual(Double(zeros) / n, p, accuracy: 4.5 * sigma, "drop rate")

        model.parameters.zeroGrad()
        try model.backward(dLastHidden: Tensor(shape: [plain.count], values: [Float](repeating: 1, count: plain.count)), dPooled: nil)
        let dBeta = try XCTUnwrap(model.parameters["embeddings.LayerNorm.bias"]).grad.toArray()
        let h = config.hiddenSize
        for j in 0..<h {
            let kept = stride(from: j, to: dropped.count, by: h).filter { dropped[$0] != 0 }.count
            XCTAssertEqual(dBeta[j], Float(kept) * keep, accuracy: 1e-4, "column \(j)")
        }
    }
}

import Tensor
import Transformer
import XCTest

/// The MLM head's vectorized Float loss against the exact Double `Loss.crossEntropy` (itself
/// checked against torch by HeadReferenceTests): loss and every gradient element, over a
/// vocabulary-wide row, with logits far from 0 (stability), and at several thread counts.
final class WideCrossEntropyTests: XCTestCase {
    func testMatchesTheDoubleLossAndGradientOnWideRows() throws {
        let rows = 5, classes = 30_522
        var g = SeededGenerator(seed: 3)
        var logits = (0..<(rows * classes)).map { _ in Float(g.nextUnitFloat() * 8 - 4) }
        for j in 0..<classes { logits[classes + j] += 900 }       // row 1: every logit ~900
        for j in 0..<classes { logits[2 * classes + j] -= 900 }   // row 2: every logit ~-900
        logits[3 * classes + 17] = 60                             // row 3: one logit dominates
        let labels: [Int32] = [0, 30_521, 12_345, 17, 4]
        var reference = [Float](repeating: 0, count: rows * classes)
        let expected = try Loss.crossEntropy(logits: logits, rows: rows, classes: classes, labels: labels.map(Int.init), dLogits: &reference)
        let saved = BLAS.threadCount
        defer { BLAS.threadCount = saved }
        for threads in [1, 2] {
            BLAS.threadCount = threads
            var work = logits
            let loss = try Loss.wideCrossEntropy(logits: &work, rows: rows, classes: classes, labels: labels, gradient: true, lossScale: 0.5)
            XCTAssertEqual(loss, expected, accuracy: 1e-6 * max(1, abs(expected)), "threads \(threads)")
            for i in work.indices where abs(work[i] - 0.5 * reference[i]) > 1e-5 * abs(0.5 * reference[i]) + 1e-10 {
                XCTFail("threads \(threads): gradient[\(i / classes)][\(i % classes)] = \(work[i]), exact \(0.5 * reference[i])")
                break
            }
            var lossOnly = logits
            XCTAssertEqual(try Loss.wideCrossEntropy(logits: &lossOnly, rows: rows, classes: classes, labels: labels, gradient: false), loss)
        }
    }

    func testBadLabelsAreErrors() {
        var logits = [Float](repeating: 0, count: 6)
        XCTAssertThrowsError(try Loss.wideCrossEntropy(logits: &logits, rows: 2, classes: 3, labels: [0, 3], gradient: true)) {
            XCTAssertTrue("\($0)".contains("label[1] = 3 is outside 0..<3"), "\($0)")
        }
        XCTAssertThrowsError(try Loss.wideCrossEntropy(logits: &logits, rows: 2, classes: 3, labels: [0], gradient: true))
    }
}

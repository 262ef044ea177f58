import Tensor
import Transformer
import XCTest

/// A model reuses its workspace memory across batch shapes (length-bucketed training
/// changes the shape at almost every step). A pass on reused memory must be exactly the
/// pass a model with fresh memory makes: same loss, logits and gradients, bit for bit.
final class WorkspaceReuseTests: XCTestCase {
    func batch(_ examples: [EncodedExample]) throws -> BertBatch {
        try BertBatch(sequences: examples.map { $0.ids }, padTokenId: 0)
    }

    func values(_ t: Tensor) -> [Float] { Array(UnsafeBufferPointer(start: t.data, count: t.count)) }

    func gradients(_ model: BertModel) -> [Float] {
        Array(UnsafeBufferPointer(start: model.parameters.grads.base, count: model.parameters.scalarCount))
    }

    func testPassesOnReusedMemoryEqualFreshOnes() throws {
        let examples = try TinyTask.examples(12, seed: 5)
        let long = try batch(Array(examples[0..<6]))            // the largest shape first
        let short = try batch(Array(examples[6..<9]))
        let middle = try batch(Array(examples[9..<12]))
        XCTAssertGreaterThan(long.sequenceLength * long.batchSize, short.sequenceLength * short.batchSize)
        let labels = { (b: BertBatch) in Labels.classes((0..<b.batchSize).map { $0 % TinyTask.topics.count }) }

        let reused = try TinyTask.model(seed: 3)
        reused.rng = SeededGenerator(seed: 9)
        for shape in [long, short, middle, short] {
            reused.parameters.zeroGrad()
            let seedBefore = reused.rng
            let got = try reused.lossAndBackward(shape, labels: labels(shape), dropout: true)
            let fresh = try TinyTask.model(seed: 3)
            fresh.rng = seedBefore
            let want = try fresh.lossAndBackward(shape, labels: labels(shape), dropout: true)
            XCTAssertEqual(got.loss, want.loss)
            XCTAssertEqual(got.logits, want.logits)
            XCTAssertEqual(gradients(reused), gradients(fresh))
            // Inference on the training memory too.
            XCTAssertEqual(try values(reused.forward(shape).pooledOutput), try values(fresh.forward(shape).pooledOutput))
        }
    }
}

import Foundation
import Tensor
import Transformer
import XCTest

/// AdamW (two parameter groups, as the HF Trainer makes them), the warm-up/decay schedule
/// and global-norm clipping against torch on the tiny model.
final class OptimizerReferenceTests: XCTestCase {
    func adamSettings(_ meta: [String: Any]) throws -> (lr: Float, b1: Float, b2: Float, eps: Float, wd: Float) {
        let a = try XCTUnwrap(meta["adamw"] as? [String: Any])
        let betas = try XCTUnwrap(a["betas"] as? [Double])
        return (Float(try XCTUnwrap(a["lr"] as? Double)), Float(betas[0]), Float(betas[1]),
                Float(try XCTUnwrap(a["eps"] as? Double)), Float(try XCTUnwrap(a["weight_decay"] as? Double)))
    }

    func compareWeights(_ model: BertModel, prefix: String, what: String) throws {
        let ref = try Fixtures.tensors("tiny_reference.safetensors")
        var cmp = Comparison()
        for p in model.parameters.parameters {
            cmp.check(p.name, p.value.data, try ref.tensor("\(prefix).\(TinyBertReferenceTests.torchName(p))"), abs: 1e-5)
        }
        cmp.assertPassed(what)
    }

    func testOneAdamWStepMatchesTorch() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let s = try adamSettings(meta)
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let labels = try XCTUnwrap(meta["labels"] as? [Int])
        model.parameters.zeroGrad()
        try model.lossAndBackward(try Fixtures.batch(meta), labels: .classes(labels))
        let adam = AdamW(parameters: model.parameters, beta1: s.b1, beta2: s.b2, eps: s.eps, weightDecay: s.wd)
        adam.update(learningRate: s.lr)
        try compareWeights(model, prefix: "adamw_step1", what: "weights after one AdamW step")
    }

    /// The training loop itself (one example per epoch, so one update per epoch) against
    /// torch's loop: the loss before each update, the gradient norm clipping saw, the
    /// scheduled learning rate, and the weights after the last update.
    func testScheduledClippedLoopMatchesTorch() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let s = try adamSettings(meta)
        let reference = try XCTUnwrap(meta["loop"] as? [String: Any])
        let rates = try XCTUnwrap(reference["learning_rates"] as? [Double])
        let norms = try XCTUnwrap(reference["grad_norms"] as? [Double])
        let losses = try XCTUnwrap(reference["losses"] as? [Double])
        let maxNorm = Float(try XCTUnwrap(reference["max_grad_norm"] as? Double))
        let total = try XCTUnwrap(reference["total_steps"] as? Int), warmup = try XCTUnwrap(reference["warmup_steps"] as? Int)
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let objective = FixedBatchObjective(model: model, batch: try Fixtures.batch(meta), labels: .classes(try XCTUnwrap(meta["labels"] as? [Int])))
        var settings = TrainingSettings(epochs: total, batchSize: 1)
        settings.warmupRatio = Double(warmup) / Double(total)
        settings.clipping = .global(maxNorm: maxNorm)
        settings.adamBeta1 = s.b1; settings.adamBeta2 = s.b2; settings.adamEpsilon = s.eps
        let loop = try TrainingLoop(objective: objective, groups: [ParameterGroup(name: "model", parameters: model.parameters, learningRate: s.lr, weightDecay: s.wd)],
                                    settings: settings)
        for step in 0..<rates.count {
            let report = try loop.step()
            XCTAssertEqual(Double(report.loss), losses[step], accuracy: 1e-5, "loss before update \(step)")
            XCTAssertEqual(Double(report.gradientNorm), norms[step], accuracy: 1e-4 * norms[step], "gradient norm at step \(step)")
            XCTAssertEqual(Double(report.learningRate), rates[step], accuracy: 1e-9, "learning rate at step \(step)")
        }
        XCTAssertLessThan(Float(model.parameters.gradientNorm()), maxNorm * 1.0001, "gradients were clipped")
        try compareWeights(model, prefix: "loop_final", what: "weights after \(rates.count) scheduled, clipped AdamW steps")
    }
}

/// One fixed batch, the loop's single example.
final class FixedBatchObjective: TrainingObjective {
    let model: BertModel, batch: BertBatch, labels: Labels
    init(model: BertModel, batch: BertBatch, labels: Labels) { self.model = model; self.batch = batch; self.labels = labels }
    var exampleLengths: [Int] { [batch.sequenceLength] }
    func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        try model.lossAndBackward(batch, labels: labels, lossScale: lossScale).loss
    }
}

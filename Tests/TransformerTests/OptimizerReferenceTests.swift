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

    func testScheduledClippedLoopMatchesTorch() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let s = try adamSettings(meta)
        let loop = try XCTUnwrap(meta["loop"] as? [String: Any])
        let rates = try XCTUnwrap(loop["learning_rates"] as? [Double])
        let norms = try XCTUnwrap(loop["grad_norms"] as? [Double])
        let losses = try XCTUnwrap(loop["losses"] as? [Double])
        let maxNorm = Float(try XCTUnwrap(loop["max_grad_norm"] as? Double))
        let schedule = LinearWarmupSchedule(baseLearningRate: s.lr, warmupSteps: try XCTUnwrap(loop["warmup_steps"] as? Int),
                                            totalSteps: try XCTUnwrap(loop["total_steps"] as? Int))
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let adam = AdamW(parameters: model.parameters, beta1: s.b1, beta2: s.b2, eps: s.eps, weightDecay: s.wd)
        let batch = try Fixtures.batch(meta)
        let labels = try XCTUnwrap(meta["labels"] as? [Int])
        for step in 0..<rates.count {
            model.parameters.zeroGrad()
            let result = try model.lossAndBackward(batch, labels: .classes(labels))
            XCTAssertEqual(Double(result.loss), losses[step], accuracy: 1e-5, "loss before update \(step)")
            let norm = clipGradientNorm(model.parameters, maxNorm: maxNorm)
            XCTAssertEqual(Double(norm), norms[step], accuracy: 1e-4 * norms[step], "gradient norm at step \(step)")
            let lr = schedule.learningRate(atStep: adam.step)
            XCTAssertEqual(Double(lr), rates[step], accuracy: 1e-9, "learning rate at step \(step)")
            adam.update(learningRate: lr)
        }
        XCTAssertLessThan(Float(model.parameters.gradientNorm()), maxNorm * 1.0001, "gradients were clipped")
        try compareWeights(model, prefix: "loop_final", what: "weights after \(rates.count) scheduled, clipped AdamW steps")
    }
}

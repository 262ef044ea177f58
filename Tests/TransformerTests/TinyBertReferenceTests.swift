import Foundation
import Tensor
import Transformer
import XCTest

/// A 2-layer random BertForSequenceClassification against PyTorch: logits, losses and the
/// gradient of every parameter (dropout off), for each head type and with an additive
/// attention bias; AdamW and a scheduled, clipped training loop.
///
/// Gradient tolerance: |Δ| ≤ 1e-4·|ref| + 1e-6 per element (the absolute term covers
/// gradients that are zero or near zero, where float rounding dominates).
final class TinyBertReferenceTests: XCTestCase {
    static let gradRel: Float = 1e-4, gradAbs: Float = 1e-6

    func loadTiny() throws -> BertModel { try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false) }

    /// The torch name of a parameter in BertForSequenceClassification.
    static func torchName(_ p: Parameter) -> String { p.name.hasPrefix("classifier.") ? p.name : "bert." + p.name }

    func checkLossAndGradients(tag: String, labels: Labels, bias: [Float]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try loadTiny()
        let meta = try Fixtures.json("tiny_reference.json")
        let ref = try Fixtures.tensors("tiny_reference.safetensors")
        let batch = try Fixtures.batch(meta, bias: bias)
        model.parameters.zeroGrad()
        let result = try model.lossAndBackward(batch, labels: labels)
        let expectedLoss = try XCTUnwrap(meta["\(tag)_loss"] as? Double)
        XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "\(tag) loss", file: file, line: line)
        print("[\(tag)] loss \(result.loss) vs \(expectedLoss): |Δ| = \(abs(Double(result.loss) - expectedLoss))")
        var cmp = Comparison()
        cmp.check("\(tag).logits", result.logits, try ref.tensor("\(tag).logits"), abs: 1e-5, rel: 1e-4)
        cmp.assertPassed("\(tag) logits", file: file, line: line)
        var grads = Comparison()
        XCTAssertEqual(model.parameters.parameters.count, 41)
        for p in model.parameters.parameters {
            grads.check(p.name, p.grad.data, try ref.tensor("\(tag).grad.\(Self.torchName(p))"), abs: Self.gradAbs, rel: Self.gradRel)
        }
        grads.assertPassed("\(tag) gradients of all \(model.parameters.parameters.count) parameters", file: file, line: line)
    }

    func testSingleLabelCrossEntropyGradients() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        try checkLossAndGradients(tag: "single", labels: .classes(try XCTUnwrap(meta["labels"] as? [Int])))
    }

    func testMultiLabelBCEGradients() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let model = try loadTiny()
        XCTAssertEqual(model.head?.problemType, .singleLabelClassification)
        let targets = try XCTUnwrap(meta["multi_label_targets"] as? [Double]).map(Float.init)
        try checkLossAndGradients(tag: "multi", labels: .multiLabel(targets), head: .multiLabelClassification)
    }

    func testRegressionMSEGradients() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let targets = try XCTUnwrap(meta["regression_targets"] as? [Double]).map(Float.init)
        try checkLossAndGradients(tag: "regression", labels: .regression(targets), head: .regression)
    }

    /// The additive [B, T, T] bias matches torch given it as an extended 4D attention mask.
    func testAttentionBiasMatchesExtendedMask() throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let ref = try Fixtures.tensors("tiny_reference.safetensors")
        let bias = try ref.tensor("attention_bias").toArray()
        let model = try loadTiny()
        let out = try model.forward(try Fixtures.batch(meta, bias: bias))
        var cmp = Comparison()
        cmp.check("bias.last_hidden_state", out.lastHiddenState.data, try ref.tensor("bias.last_hidden_state"), abs: 1e-5)
        cmp.assertPassed("attention bias hidden states")
        // Without the bias the states differ, so the bias really is applied.
        let plain = try model.forward(try Fixtures.batch(meta)).lastHiddenState
        var differs: Float = 0
        let expected = try ref.tensor("bias.last_hidden_state")
        for i in 0..<expected.count { differs = max(differs, abs(plain[i] - expected[i])) }
        XCTAssertGreaterThan(differs, 1e-2)
        try checkLossAndGradients(tag: "bias", labels: .classes(try XCTUnwrap(meta["labels"] as? [Int])), bias: bias)
    }
}

extension TinyBertReferenceTests {
    /// Same as above with the checkpoint's head re-typed to `head`.
    func checkLossAndGradients(tag: String, labels: Labels, head problem: ProblemType, file: StaticString = #filePath, line: UInt = #line) throws {
        let meta = try Fixtures.json("tiny_reference.json")
        let ref = try Fixtures.tensors("tiny_reference.safetensors")
        let model = try BertModel.load(directory: Fixtures.tinyModel, head: ClassificationHeadSpec(numLabels: 3, problemType: problem), initializeMissingHead: false)
        let batch = try Fixtures.batch(meta)
        model.parameters.zeroGrad()
        let result = try model.lossAndBackward(batch, labels: labels)
        let expectedLoss = try XCTUnwrap(meta["\(tag)_loss"] as? Double)
        XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "\(tag) loss", file: file, line: line)
        print("[\(tag)] loss \(result.loss) vs \(expectedLoss): |Δ| = \(abs(Double(result.loss) - expectedLoss))")
        var grads = Comparison()
        grads.check("\(tag).logits", result.logits, try ref.tensor("\(tag).logits"), abs: 1e-5, rel: 1e-4)
        for p in model.parameters.parameters {
            grads.check(p.name, p.grad.data, try ref.tensor("\(tag).grad.\(Self.torchName(p))"), abs: Self.gradAbs, rel: Self.gradRel)
        }
        grads.assertPassed("\(tag) logits and gradients of all \(model.parameters.parameters.count) parameters", file: file, line: line)
    }
}

import Foundation
import Tensor
import Transformer
import XCTest

/// The fine-tuning head extensions against PyTorch (tools/make_head_fixtures.py): a
/// mean-pooling head (sentence-transformers pooling, then the classifier) and the
/// class-weighted losses (CrossEntropyLoss(weight:), BCEWithLogitsLoss(pos_weight:)) on the
/// 2-layer tiny-bert: logits, loss and every parameter's gradient; the weights themselves
/// against scikit-learn's compute_class_weight and torch's pos_weight recipe.
///
/// Tolerance as TinyBertReferenceTests: |Δ| ≤ 1e-4·|ref| + 1e-6 per gradient element.
final class HeadReferenceTests: XCTestCase {
    static let gradRel: Float = 1e-4, gradAbs: Float = 1e-6

    /// tiny-bert's weights under a head of the given kind (its classifier was saved for
    /// [CLS] pooling, so a mean head is built and filled rather than loaded as a checkpoint).
    func tiny(_ problem: ProblemType, pooling: HeadPooling) throws -> BertModel {
        let folder = try CheckpointFolder(directory: Fixtures.tinyModel)
        let model = try BertModel(config: folder.config, head: ClassificationHeadSpec(numLabels: 3, problemType: problem, pooling: pooling))
        try model.loadWeights(from: folder.weights, initializeMissingHead: false)
        return model
    }

    func batch() throws -> BertBatch { try Fixtures.batch(try Fixtures.json("tiny_reference.json")) }

    /// Loss, logits and all gradients of `model` on the fixture batch against case `tag`;
    /// the parameters torch left without a gradient must have exactly zero here.
    func check(_ tag: String, model: BertModel, labels: Labels, classWeights: [Float]?, from input: LayerInput? = nil,
               onlyHead: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        let meta = try Fixtures.json("head_reference.json")
        let ref = try Fixtures.tensors("head_reference.safetensors")
        model.parameters.zeroGrad()
        let result = try model.lossAndBackward(try batch(), labels: labels, from: input, classWeights: classWeights)
        let expectedLoss = try XCTUnwrap(meta["\(tag)_loss"] as? Double)
        XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "\(tag) loss", file: file, line: line)
        print("[\(tag)] loss \(result.loss) vs \(expectedLoss): |Δ| = \(abs(Double(result.loss) - expectedLoss))")
        var cmp = Comparison()
        cmp.check("\(tag).logits", result.logits, try ref.tensor("\(tag).logits"), abs: 1e-5, rel: 1e-4)
        let noGrad = Set(try XCTUnwrap(meta["\(tag)_no_grad"] as? [String]))
        var compared = 0, none = 0
        for p in model.parameters.parameters {
            let name = TinyBertReferenceTests.torchName(p)
            if noGrad.contains(name) || (onlyHead && !p.name.hasPrefix("classifier.")) {
                XCTAssertTrue((0..<p.grad.count).allSatisfy { p.grad[$0] == 0 }, "\(tag): \(p.name) must get no gradient", file: file, line: line)
                none += 1
                continue
            }
            cmp.check(p.name, p.grad.data, try ref.tensor("\(tag).grad.\(name)"), abs: Self.gradAbs, rel: Self.gradRel)
            compared += 1
        }
        cmp.assertPassed("\(tag) logits and gradients of \(compared) parameters (\(none) without any)", file: file, line: line)
    }

    func testMeanPoolingHeadMatchesTorch() throws {
        let meta = try Fixtures.json("head_reference.json")
        XCTAssertEqual(meta["mean_single_no_grad"] as? [String], ["bert.pooler.dense.weight", "bert.pooler.dense.bias"])
        try check("mean_single", model: try tiny(.singleLabelClassification, pooling: .mean),
                  labels: .classes(try XCTUnwrap(meta["labels"] as? [Int])), classWeights: nil)
    }

    func testBalancedClassWeightsAndWeightedCrossEntropyMatchTorch() throws {
        let meta = try Fixtures.json("head_reference.json")
        let train = try XCTUnwrap(meta["train_classes"] as? [Int]).map { EncodedExample(ids: [2, 3], typeIds: [0, 0], labels: [$0]) }
        let weights = ClassWeights.balanced(train, classCount: 3)
        let sklearn = try XCTUnwrap(meta["class_weights"] as? [Double])
        for (w, s) in zip(weights, sklearn) { XCTAssertEqual(Double(w), s, accuracy: 1e-6 * s) }
        XCTAssertEqual(ClassWeights.compute(.balanced, task: .classify, examples: train, labelCount: 3), weights)
        XCTAssertNil(ClassWeights.compute(.none, task: .classify, examples: train, labelCount: 3))
        try check("cls_weighted", model: try tiny(.singleLabelClassification, pooling: .cls),
                  labels: .classes(try XCTUnwrap(meta["labels"] as? [Int])), classWeights: weights)
    }

    func testPositiveWeightsAndWeightedBCEMatchTorch() throws {
        let meta = try Fixtures.json("head_reference.json")
        let rows = try XCTUnwrap(meta["train_multi_label_targets"] as? [[Double]])
        let train = rows.map { row in EncodedExample(ids: [2, 3], typeIds: [0, 0], labels: row.indices.filter { row[$0] == 1 }) }
        let weights = ClassWeights.positiveWeights(train, labelCount: 3)
        XCTAssertEqual(weights.map(Double.init), try XCTUnwrap(meta["pos_weight"] as? [Double]), "n_neg/n_pos; capped at 100; 1 without positives")
        XCTAssertEqual(Double(ClassWeights.maxPositiveWeight), try XCTUnwrap(meta["max_pos_weight"] as? Double))
        let targets = try XCTUnwrap(meta["multi_label_targets"] as? [Double]).map(Float.init)
        try check("mean_pos", model: try tiny(.multiLabelClassification, pooling: .mean), labels: .multiLabel(targets), classWeights: weights)
    }

    /// Head-only training: from cached final hidden states (a `LayerInput` at the model's
    /// depth) the classifier gets torch's gradient and nothing below it gets any.
    func testHeadOnlyFromCachedFinalStatesMatchesTorch() throws {
        let meta = try Fixtures.json("head_reference.json")
        let model = try tiny(.singleLabelClassification, pooling: .mean)
        let batch = try batch()
        let states = try model.hiddenStates(batch, belowLayer: model.config.numHiddenLayers)
        try check("mean_single", model: model, labels: .classes(try XCTUnwrap(meta["labels"] as? [Int])), classWeights: nil,
                  from: LayerInput(layer: model.config.numHiddenLayers, hiddenStates: states), onlyHead: true)
    }

    func testWeightedCrossEntropyWithIgnoredRowMatchesTorch() throws {
        let meta = try Fixtures.json("head_reference.json")
        let ref = try Fixtures.tensors("head_reference.safetensors")
        let logits = try ref.tensor("ce_ignore.logits")
        let weights = try XCTUnwrap(meta["class_weights"] as? [Double]).map(Float.init)
        var d = [Float](repeating: .nan, count: logits.count)
        let loss = try Loss.crossEntropy(logits: logits.data, rows: 4, classes: 3, labels: try XCTUnwrap(meta["ce_ignore_labels"] as? [Int]),
                                         classWeights: weights, dLogits: &d)
        let expected = try XCTUnwrap(meta["ce_ignore_loss"] as? Double)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-6 * expected)
        var cmp = Comparison()
        cmp.check("ce_ignore.dlogits", d, try ref.tensor("ce_ignore.dlogits"), abs: 1e-7, rel: 1e-5)
        cmp.assertPassed("weighted cross-entropy with ignore_index")
    }

    func testPositiveWeightBCEIsStableOnLargeLogits() throws {
        let meta = try Fixtures.json("head_reference.json")
        let ref = try Fixtures.tensors("head_reference.safetensors")
        let logits = try ref.tensor("bce_extreme.logits")
        var d = [Float](repeating: .nan, count: logits.count)
        let loss = try Loss.binaryCrossEntropyWithLogits(logits: logits.data, targets: try ref.tensor("bce_extreme.targets").toArray(),
                                                         positiveWeights: try ref.tensor("bce_extreme.pos_weight").toArray(), dLogits: &d)
        let expected = try XCTUnwrap(meta["bce_extreme_loss"] as? Double)
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-6 * expected)
        var cmp = Comparison()
        cmp.check("bce_extreme.dlogits", d, try ref.tensor("bce_extreme.dlogits"), abs: 1e-7, rel: 1e-5)
        cmp.assertPassed("pos_weight BCE on logits up to ±30")
    }

    func testWeightsAreCheckedAgainstTheHead() throws {
        let model = try tiny(.singleLabelClassification, pooling: .cls)
        XCTAssertThrowsError(try model.lossAndBackward(try batch(), labels: .classes([0, 2, 1]), classWeights: [1, 2])) {
            XCTAssertTrue("\($0)".contains("2 class weights for 3 classes"), "\($0)")
        }
        XCTAssertThrowsError(try model.lossAndBackward(try batch(), labels: .classes([0, 2, 1]), classWeights: [1, -2, 1])) {
            XCTAssertTrue("\($0)".contains("class weight[1] = -2.0 must be a finite number >= 0"), "\($0)")
        }
    }
}

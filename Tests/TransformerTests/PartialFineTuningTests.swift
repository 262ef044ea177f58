import Foundation
import Tensor
import Transformer
import XCTest

/// Partial fine-tuning: starting the encoder at layer k from cached frozen-layer outputs
/// must give the top layers, pooler and head exactly the gradients full backprop gives
/// them, compute none below (also with every layer frozen), and the optimizer must leave
/// frozen parameters untouched.
final class PartialFineTuningTests: XCTestCase {
    func testCachedFrozenLayersGiveTheFullModelsGradientsForTheTopLayers() throws {
        let examples = try TinyTask.examples(7, seed: 3)  // ragged lengths: padding is exercised
        let indices = Array(examples.indices)
        let batch = try BatchCollation.batch(examples)
        let labels = try BatchCollation.targets(examples, problem: .singleLabelClassification, labelCount: 3)
        XCTAssertGreaterThan(Set(examples.map(\.length)).count, 3)
        for frozen in 1...3 {  // 3: every layer frozen, only the pooler and the head train
            let model = try TinyTask.model(layers: 3)
            model.parameters.zeroGrad()
            let full = try model.lossAndBackward(batch, labels: labels)
            let fullGrads = Array(UnsafeBufferPointer(start: model.parameters.grads.base, count: model.parameterCount))

            // The cache is built in its own (length-sorted) batches, so padding differs from `batch`.
            let cache = try FrozenLayerCache(model: model, examples: examples, layer: frozen, batchSize: 3)
            model.parameters.zeroGrad()
            let partial = try model.lossAndBackward(batch, labels: labels, from: cache.layerInput(for: indices, sequenceLength: batch.sequenceLength))
            XCTAssertEqual(partial.loss, full.loss, accuracy: 1e-6 * max(1, abs(full.loss)))
            for (a, b) in zip(partial.logits, full.logits) { XCTAssertEqual(a, b, accuracy: 1e-5) }

            let frozenNames = model.parameterNames(belowLayer: frozen)
            XCTAssertEqual(frozenNames.count, 5 + 16 * frozen, "embeddings (5 tensors) and 16 per frozen layer")
            var worstRelative: Float = 0, compared = 0
            for p in model.parameters.parameters {
                let offset = p.grad.offset
                if frozenNames.contains(p.name) {
                    XCTAssertTrue((0..<p.grad.count).allSatisfy { p.grad[$0] == 0 }, "\(p.name) is frozen but got a gradient")
                    continue
                }
                if p.name.hasSuffix("attention.self.key.bias") {
                    // Softmax ignores the per-row constant q·b_k adds to the scores: the true
                    // gradient is 0 and both passes leave only round-off.
                    let worst = (0..<p.grad.count).map { max(abs(p.grad[$0]), abs(fullGrads[offset + $0])) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-9, p.name)
                    continue
                }
                let scale = (0..<p.grad.count).map { abs(fullGrads[offset + $0]) }.max() ?? 0
                XCTAssertGreaterThan(scale, 0, "\(p.name) has a zero full gradient; the comparison would be empty")
                for i in 0..<p.grad.count {
                    let diff = abs(p.grad[i] - fullGrads[offset + i])
                    worstRelative = max(worstRelative, diff / scale)
                    compared += 1
                }
            }
            XCTAssertLessThan(worstRelative, 1e-5, "frozen \(frozen): worst |Δgrad| / max|grad| per tensor")
            print("[partial k=\(frozen)] \(compared) gradients compared, worst relative difference \(worstRelative)")
        }
    }

    func testOptimizerLeavesFrozenParametersUntouched() throws {
        let model = try TinyTask.model(layers: 3)
        let before = TinyTask.values(model)
        var options = FineTuneOptions(task: .classify)
        options.freezeLayers = 2
        options.batchSize = 4
        options.learningRate = 1e-3
        let tuner = try FineTuner(model: model, examples: try TinyTask.examples(12, seed: 5), options: options)
        try tuner.step()
        try tuner.step()
        let frozen = model.parameterNames(belowLayer: 2)
        for p in model.parameters.parameters {
            let changed = (0..<p.value.count).contains { p.value[$0] != before[p.value.offset + $0] }
            XCTAssertEqual(changed, !frozen.contains(p.name), p.name)
        }
    }

    func testLayerInputShapeIsChecked() throws {
        let model = try TinyTask.model(layers: 3)
        let batch = try BertBatch(sequences: [[2, 5, 3]])
        XCTAssertThrowsError(try model.forward(batch, from: LayerInput(layer: 1, hiddenStates: Tensor(shape: [1, 4, 16])))) {
            XCTAssertTrue("\($0)".contains("hidden states have shape [1, 4, 16], the batch needs [1, 3, 16]"), "\($0)")
        }
        XCTAssertThrowsError(try model.forward(batch, from: LayerInput(layer: 4, hiddenStates: Tensor(shape: [1, 3, 16])))) {
            XCTAssertTrue("\($0)".contains("starts at layer 4"), "\($0)")
        }
        XCTAssertThrowsError(try FrozenLayerCache(model: model, examples: try TinyTask.examples(2, seed: 1), layer: 4)) {
            XCTAssertTrue("\($0)".contains("can freeze 1...3 layers"), "\($0)")
        }
    }
}

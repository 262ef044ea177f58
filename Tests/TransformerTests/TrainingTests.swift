import Foundation
import Tensor
import Transformer
import XCTest

/// Properties of training that need no peer: accumulation equals a full batch, dropout is
/// seeded, the schedule's shape, input validation, and that a few steps fit a tiny task.
final class TrainingTests: XCTestCase {
    func tinyModel(seed: UInt64 = 1) throws -> BertModel {
        let config = BertConfig(vocabSize: 30, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 32,
                                maxPositionEmbeddings: 16, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1)
        return try BertModel(config: config, head: ClassificationHeadSpec(numLabels: 2, problemType: .singleLabelClassification), seed: seed)
    }

    func testGradientAccumulationEqualsFullBatch() throws {
        let model = try tinyModel()
        let batch = try BertBatch(sequences: [[2, 4, 6, 3], [2, 5, 3], [2, 7, 8, 9], [2, 11, 3]])
        let labels = [0, 1, 1, 0]
        model.parameters.zeroGrad()
        try model.lossAndBackward(batch, labels: .classes(labels))
        let full = Tensor(shape: [model.parameterCount])
        full.data.update(from: model.parameters.grads.base, count: full.count)
        model.parameters.zeroGrad()
        try model.lossAndBackward(try batch.slice(0..<2), labels: .classes(Array(labels[0..<2])), lossScale: 0.5)
        try model.lossAndBackward(try batch.slice(2..<4), labels: .classes(Array(labels[2..<4])), lossScale: 0.5)
        var worst: Float = 0
        for i in 0..<full.count { worst = max(worst, abs(full[i] - model.parameters.grads.base[i])) }
        XCTAssertLessThan(worst, 1e-6)
    }

    func testDropoutIsSeededAndOffInEvaluation() throws {
        let model = try tinyModel()
        let batch = try BertBatch(sequences: [[2, 4, 6, 3]])
        let eval1 = try model.logits(batch), eval2 = try model.logits(batch)
        XCTAssertEqual(eval1, eval2)
        model.rng = SeededGenerator(seed: 5)
        let train1 = try model.lossAndBackward(batch, labels: .classes([1]), dropout: true).logits
        model.rng = SeededGenerator(seed: 5)
        let train2 = try model.lossAndBackward(batch, labels: .classes([1]), dropout: true).logits
        XCTAssertEqual(train1, train2)
        XCTAssertNotEqual(train1, eval1)
    }

    func testScheduleWarmsUpAndDecays() {
        let s = LinearWarmupSchedule(baseLearningRate: 1, warmupSteps: 2, totalSteps: 6)
        XCTAssertEqual((0...7).map { s.learningRate(atStep: $0) }, [0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0])
    }

    func testTrainerFitsATinyTask() throws {
        let model = try tinyModel(seed: 3)
        // The label is which of two tokens follows [CLS]; both halves hold one of each.
        let batch = try BertBatch(sequences: [[2, 4, 4, 3], [2, 5, 5, 3], [2, 4, 6, 3], [2, 5, 7, 3]])
        let labels = Labels.classes([0, 1, 0, 1])
        func evaluationLoss() throws -> Float {
            defer { model.parameters.zeroGrad() }
            return try model.lossAndBackward(batch, labels: labels, dropout: false).loss
        }
        let before = try evaluationLoss()
        let trainer = Trainer(model: model, optimizer: AdamW(parameters: model.parameters, weightDecay: 0.01),
                              schedule: LinearWarmupSchedule(baseLearningRate: 1e-2, warmupSteps: 2, totalSteps: 40), accumulationSteps: 2)
        for step in 0..<80 {
            try trainer.step(try batch.slice((step % 2) * 2 ..< (step % 2) * 2 + 2), labels: .classes([0, 1]))
        }
        XCTAssertEqual(trainer.optimizer.step, 40, "one update per two micro-batches")
        let after = try evaluationLoss()
        XCTAssertLessThan(after, 0.1 * before, "evaluation loss falls from \(before) to \(after)")
    }

    func testBadInputsAreErrorsNotCrashes() throws {
        let model = try tinyModel()
        XCTAssertThrowsError(try model.forward(try BertBatch(sequences: [[2, 30, 3]]))) {
            XCTAssertTrue("\($0)".contains("input_ids[0][1] = 30 is outside the vocabulary 0..<30"), "\($0)")
        }
        XCTAssertThrowsError(try model.forward(try BertBatch(sequences: [[2, 3]], tokenTypes: [[0, 2]]))) {
            XCTAssertTrue("\($0)".contains("token_type_ids[0][1] = 2"), "\($0)")
        }
        XCTAssertThrowsError(try model.forward(try BertBatch(sequences: [[Int32](repeating: 1, count: 17)]))) {
            XCTAssertTrue("\($0)".contains("exceeds max_position_embeddings 16"), "\($0)")
        }
        XCTAssertThrowsError(try BertBatch(batchSize: 2, sequenceLength: 3, inputIds: [1, 2, 3])) {
            XCTAssertTrue("\($0)".contains("input_ids has 3 values"), "\($0)")
        }
        XCTAssertThrowsError(try model.lossAndBackward(try BertBatch(sequences: [[2, 3]]), labels: .classes([2]))) {
            XCTAssertTrue("\($0)".contains("label[0] = 2 is outside 0..<2"), "\($0)")
        }
        XCTAssertThrowsError(try model.lossAndBackward(try BertBatch(sequences: [[2, 3]]), labels: .regression([1, 2]))) {
            XCTAssertTrue("\($0)".contains("do not fit"), "\($0)")
        }
        XCTAssertThrowsError(try BertModel(config: model.config).backward(dLastHidden: nil, dPooled: nil)) {
            XCTAssertTrue("\($0)".contains("before forward"), "\($0)")
        }
    }
}

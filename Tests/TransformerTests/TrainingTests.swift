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

    func testLoopFitsATinyTaskWithAccumulation() throws {
        let model = try tinyModel(seed: 3)
        // The label is which of two tokens follows [CLS]; both halves hold one of each.
        let objective = RowsObjective(model: model, rows: [[2, 4, 4, 3], [2, 5, 5, 3], [2, 4, 6, 3], [2, 5, 7, 3]], labels: [0, 1, 0, 1])
        let batch = try BertBatch(sequences: objective.rows)
        func evaluationLoss() throws -> Float {
            defer { model.parameters.zeroGrad() }
            return try model.lossAndBackward(batch, labels: .classes(objective.labels), dropout: false).loss
        }
        let before = try evaluationLoss()
        var settings = TrainingSettings(epochs: 40, batchSize: 2, seed: 7)
        settings.accumulationSteps = 2
        let loop = try TrainingLoop(objective: objective, groups: [ParameterGroup(name: "model", parameters: model.parameters, learningRate: 1e-2)],
                                    settings: settings)
        XCTAssertEqual(loop.stepsPerEpoch, 1, "two micro-batches of two make one update")
        let epochs = try loop.train()
        XCTAssertEqual(epochs.count, 40)
        XCTAssertEqual(loop.position.step, 40)
        XCTAssertEqual(objective.microBatches, 80)
        let after = try evaluationLoss()
        XCTAssertLessThan(after, 0.1 * before, "evaluation loss falls from \(before) to \(after)")
    }

    func testGroupsTrainAtTheirOwnRatesAndFrozenParametersStay() throws {
        let model = try tinyModel(seed: 4)
        let objective = RowsObjective(model: model, rows: [[2, 4, 3], [2, 5, 3]], labels: [0, 1])
        let frozen = model.parameterNames(belowLayer: 1)
        let before = Array(UnsafeBufferPointer(start: model.parameters.values.base, count: model.parameterCount))
        let loop = try TrainingLoop(objective: objective,
                                    groups: [ParameterGroup(name: "model", parameters: model.parameters, learningRate: 1e-2, frozen: frozen)],
                                    settings: TrainingSettings(epochs: 2, batchSize: 2))
        try loop.train()
        func moved(_ p: Parameter) -> Bool { (0..<p.value.count).contains { p.value.data[$0] != before[p.value.offset + $0] } }
        for p in model.parameters.parameters where frozen.contains(p.name) { XCTAssertFalse(moved(p), "frozen \(p.name) moved") }
        for name in ["classifier.weight", "encoder.layer.1.output.dense.weight"] {
            XCTAssertTrue(moved(try XCTUnwrap(model.parameters.parameters.first { $0.name == name })), "\(name) trained")
        }
        // A second group over another set keeps its own moments and rate: at rate 0 it stays.
        let other = try tinyModel(seed: 5)
        let otherBefore = Array(UnsafeBufferPointer(start: other.parameters.values.base, count: other.parameterCount))
        let two = try TrainingLoop(objective: objective, groups: [ParameterGroup(name: "model", parameters: model.parameters, learningRate: 1e-2),
                                                                  ParameterGroup(name: "idle", parameters: other.parameters, learningRate: 0)],
                                   settings: TrainingSettings(epochs: 1, batchSize: 1))
        try two.train()
        XCTAssertEqual(two.optimizers.map(\.step), [2, 2])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: other.parameters.values.base, count: other.parameterCount)), otherBefore)
    }

    func testEarlyStoppingKeepsTheBestEpochAndStopsAfterPatience() throws {
        let model = try tinyModel(seed: 6)
        let objective = RowsObjective(model: model, rows: [[2, 4, 3], [2, 5, 3]], labels: [0, 1])
        var settings = TrainingSettings(epochs: 10, batchSize: 2)
        settings.selectionMetric = "score"
        settings.patience = 2
        let loop = try TrainingLoop(objective: objective, groups: [ParameterGroup(name: "model", parameters: model.parameters, learningRate: 1e-3)],
                                    settings: settings)
        let scores = [0.5, 0.7, 0.6, 0.7, 0.65, 0.9]
        var bests: [Int] = []
        let hooks = EpochHooks(evaluate: { ["score": scores[$0 - 1]] }, onBest: { bests.append($0.epoch) })
        let first = try loop.train(epochLimit: 1, hooks: hooks)
        XCTAssertEqual(first.map(\.epoch), [1], "the epoch limit ends the call, not the run")
        XCTAssertFalse(loop.isFinished)
        try loop.train(hooks: hooks)
        XCTAssertEqual(loop.record.history.map(\.epoch), [1, 2, 3, 4], "stops after two epochs without a better score (a tie is no better)")
        XCTAssertEqual(bests, [1, 2])
        XCTAssertEqual(loop.record.bestEpoch, 2)
        XCTAssertEqual(loop.record.bestMetric, 0.7)
        XCTAssertTrue(loop.record.stopped)
        XCTAssertTrue(loop.isFinished)
        XCTAssertThrowsError(try loop.step()) { XCTAssertTrue("\($0)".contains("early stopping ended it"), "\($0)") }
    }

    func testBadSettingsAreNamed() throws {
        let model = try tinyModel()
        let objective = RowsObjective(model: model, rows: [[2, 4, 3]], labels: [0])
        let group = ParameterGroup(name: "model", parameters: model.parameters, learningRate: 1e-3)
        func message(_ settings: TrainingSettings, groups: [ParameterGroup]? = nil, objective o: RowsObjective? = nil) -> String {
            do { _ = try TrainingLoop(objective: o ?? objective, groups: groups ?? [group], settings: settings); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(TrainingSettings(epochs: 0, batchSize: 1)).contains("epochs must be at least 1, got 0"))
        XCTAssertTrue(message(TrainingSettings(epochs: 1, batchSize: 0)).contains("batch size must be at least 1, got 0"))
        var s = TrainingSettings(epochs: 1, batchSize: 1)
        s.clipping = .global(maxNorm: 0)
        XCTAssertTrue(message(s).contains("max gradient norm must be positive, got 0"))
        s = TrainingSettings(epochs: 1, batchSize: 1)
        s.warmupRatio = 1.5
        XCTAssertTrue(message(s).contains("warm-up ratio must be in [0, 1], got 1.5"))
        var bad = group
        bad.learningRate = -1
        XCTAssertTrue(message(TrainingSettings(epochs: 1, batchSize: 1), groups: [bad]).contains("learning rate of group \"model\" must be >= 0, got -1"))
        XCTAssertTrue(message(TrainingSettings(epochs: 1, batchSize: 1), groups: []).contains("at least one parameter group"))
        XCTAssertTrue(message(TrainingSettings(epochs: 1, batchSize: 1), objective: RowsObjective(model: model, rows: [], labels: [])).contains("no training examples"))
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

/// Sequence classification over a few token rows, counting the micro-batches it trained.
final class RowsObjective: TrainingObjective {
    let model: BertModel
    let rows: [[Int32]]
    let labels: [Int]
    var microBatches = 0

    init(model: BertModel, rows: [[Int32]], labels: [Int]) { self.model = model; self.rows = rows; self.labels = labels }

    var exampleLengths: [Int] { rows.map(\.count) }

    func prepareUpdate(_ update: Int) { model.rng = SeededGenerator(seed: UInt64(update)) }

    func accumulateGradients(examples indices: [Int], lossScale: Float) throws -> Float {
        microBatches += 1
        return try model.lossAndBackward(try BertBatch(sequences: indices.map { rows[$0] }), labels: .classes(indices.map { labels[$0] }),
                                         dropout: true, lossScale: lossScale).loss
    }
}

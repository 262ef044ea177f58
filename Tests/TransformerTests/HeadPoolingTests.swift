import Foundation
import Tensor
import Transformer
import XCTest

/// The mean-pooling head on top of the model's other parts: its logits are the classifier
/// on `SentenceEmbedding.meanPooled` states; a checkpoint records the pooling in
/// config.json and loads back predicting the same; a head asked for with another pooling
/// than the saved classifier's is refused; the pooler never trains under mean pooling.
final class HeadPoolingTests: XCTestCase {
    func meanModel(layers: Int = 2) throws -> BertModel {
        try BertModel(config: TinyTask.config(layers: layers),
                      head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification, pooling: .mean), seed: 4)
    }

    func testMeanHeadIsTheClassifierOnMeanPooledStates() throws {
        let model = try meanModel()
        let batch = try BatchCollation.batch(try TinyTask.examples(5, seed: 2))
        let logits = try model.logits(batch)
        let pooled = SentenceEmbedding.meanPooled(try model.forward(batch).lastHiddenState.clone(), attentionMask: batch.attentionMask)
        let w = try XCTUnwrap(model.parameters["classifier.weight"]).value, b = try XCTUnwrap(model.parameters["classifier.bias"]).value
        let h = model.config.hiddenSize
        for i in 0..<batch.batchSize {
            for c in 0..<3 {
                var z = b[c]
                for k in 0..<h { z += w[c * h + k] * pooled[i * h + k] }
                XCTAssertEqual(logits[i * 3 + c], z, accuracy: 1e-5)
            }
        }
    }

    func testCheckpointRecordsMeanPoolingAndReloadsPredictingTheSame() throws {
        let dir = try TinyTask.temporaryDirectory("mean-ckpt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try meanModel()
        try model.saveCheckpoint(directory: dir + "/mean")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/mean/config.json"))) as? [String: Any])
        XCTAssertEqual(config["lexgraph_pooling"] as? String, "mean")
        let reloaded = try BertModel.load(directory: dir + "/mean", initializeMissingHead: false)
        XCTAssertEqual(reloaded.head, model.head)
        let items = try TinyTask.examples(7, seed: 3)
        XCTAssertEqual(try reloaded.predictLogits(items), try model.predictLogits(items))

        // A [CLS] checkpoint keeps the HF config as it was: no key.
        try TinyTask.model(layers: 2).saveCheckpoint(directory: dir + "/cls")
        let clsConfig = try String(contentsOfFile: dir + "/cls/config.json", encoding: .utf8)
        XCTAssertFalse(clsConfig.contains("lexgraph_pooling"), clsConfig)
        XCTAssertEqual(try BertModel.load(directory: dir + "/cls").head?.pooling, .cls)

        // Loading a trained classifier under the other pooling is refused, naming both.
        XCTAssertThrowsError(try BertModel.load(directory: dir + "/mean", head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification))) {
            XCTAssertTrue("\($0)".contains("classifier was trained with mean pooling (config \"lexgraph_pooling\"), a cls-pooling head was asked for"), "\($0)")
        }
        XCTAssertThrowsError(try BertModel.load(directory: dir + "/cls", head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification,
                                                                                                      pooling: .mean))) {
            XCTAssertTrue("\($0)".contains("trained with cls pooling"), "\($0)")
        }
        let bad = try String(contentsOfFile: dir + "/mean/config.json", encoding: .utf8).replacingOccurrences(of: "\"mean\"", with: "\"max\"")
        try Data(bad.utf8).write(to: URL(fileURLWithPath: dir + "/mean/config.json"))
        XCTAssertThrowsError(try BertModel.load(directory: dir + "/mean")) {
            XCTAssertTrue("\($0)".contains("config \"lexgraph_pooling\" must be one of \"cls\", \"mean\", found \"max\""), "\($0)")
        }
    }

    func testPoolerNeitherGetsGradientsNorChangesUnderMeanPooling() throws {
        for freeze in [0, 3] {  // full fine-tuning, and head only (every layer frozen)
            let model = try BertModel(config: TinyTask.config(layers: 3),
                                      head: ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification, pooling: .mean), seed: 6)
            let before = TinyTask.values(model)
            var options = FineTuneOptions(task: .classify)
            options.pooling = .mean; options.freezeLayers = freeze; options.batchSize = 4; options.learningRate = 1e-3
            let tuner = try FineTuner(model: model, examples: try TinyTask.examples(12, seed: 5), options: options)
            XCTAssertEqual(tuner.cache?.layer, freeze == 0 ? nil : 3)
            try tuner.step()
            try tuner.step()
            for p in model.parameters.parameters {
                let changed = (0..<p.value.count).contains { p.value[$0] != before[p.value.offset + $0] }
                let trains = p.name.hasPrefix("classifier.") || (freeze == 0 && !p.name.hasPrefix("pooler."))
                XCTAssertEqual(changed, trains, "freeze \(freeze): \(p.name)")
                if p.name.hasPrefix("pooler.") { XCTAssertTrue((0..<p.grad.count).allSatisfy { p.grad[$0] == 0 }, p.name) }
            }
        }
    }

    func testOptionsAndHeadMustAgreeOnPooling() throws {
        var options = FineTuneOptions(task: .classify)
        options.pooling = .mean
        XCTAssertThrowsError(try FineTuner(model: try TinyTask.model(), examples: try TinyTask.examples(4, seed: 1), options: options)) {
            XCTAssertTrue("\($0)".contains("the options ask for mean pooling, the model's head pools cls"), "\($0)")
        }
        options.freezeLayers = 4
        XCTAssertThrowsError(try FineTuner(model: try meanModel(layers: 3), examples: try TinyTask.examples(4, seed: 1), options: options)) {
            XCTAssertTrue("\($0)".contains("freeze layers must be in 0...3 for this model"), "\($0)")
        }
    }
}

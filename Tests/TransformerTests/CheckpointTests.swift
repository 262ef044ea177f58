import Foundation
import Tensor
import Transformer
import XCTest
import TestRequirements

/// Loading HF folders (names with and without `bert.`), load errors, and saving a folder
/// that loads back identically.
final class CheckpointTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexgraph-tf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testConfigOfMiniLM() throws {
        let path = Fixtures.miniLM + "/config.json"
        try TestRequirements.requireFile(path, "MiniLM config (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let c = try BertConfig(contentsOf: path)
        XCTAssertEqual([c.vocabSize, c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize, c.maxPositionEmbeddings, c.typeVocabSize],
                       [30522, 384, 6, 12, 1536, 512, 2])
        XCTAssertEqual(c.hiddenAct, "gelu")
        XCTAssertEqual(c.layerNormEps, 1e-12)
        XCTAssertEqual(c.hiddenDropoutProb, 0.1)
        XCTAssertEqual(c.attentionProbsDropoutProb, 0.1)
        XCTAssertNil(c.numLabels)
    }

    func testConfigErrorsNameTheField() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/config.json"
        try Data(#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 4}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try BertConfig(contentsOf: path)) { XCTAssertTrue("\($0)".contains("not a multiple of num_attention_heads 3"), "\($0)") }
        try Data(#"{"vocab_size": 10, "hidden_size": 8}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try BertConfig(contentsOf: path)) { XCTAssertTrue("\($0)".contains("missing \"num_hidden_layers\""), "\($0)") }
        try Data(#"{"vocab_size": "many"}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try BertConfig(contentsOf: path)) {
            XCTAssertTrue("\($0)".hasPrefix(path) && "\($0)".contains("\"vocab_size\" must be a positive integer, found \"many\""), "\($0)")
        }
    }

    func testSaveAndReloadRoundTrip() throws {
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let dir = try temporaryDirectory()
        try model.saveCheckpoint(directory: dir)
        let file = try SafetensorsFile(path: dir + "/model.safetensors")
        XCTAssertNotNil(file.entry("bert.encoder.layer.1.output.LayerNorm.weight"))
        XCTAssertNotNil(file.entry("classifier.bias"))
        let config = try BertConfig(contentsOf: dir + "/config.json")
        XCTAssertEqual(config.numLabels, 3)
        XCTAssertEqual(config.problemType, "single_label_classification")
        let reloaded = try BertModel.load(directory: dir, initializeMissingHead: false)
        XCTAssertEqual(reloaded.head, model.head)
        XCTAssertEqual(reloaded.config.hiddenSize, model.config.hiddenSize)
        for (a, b) in zip(model.parameters.parameters, reloaded.parameters.parameters) {
            XCTAssertEqual(a.name, b.name)
            XCTAssertEqual(a.value.toArray(), b.value.toArray(), a.name)
        }
        let batch = try BertBatch(sequences: [[2, 5, 9, 3], [2, 7, 3]])
        XCTAssertEqual(try model.logits(batch), try reloaded.logits(batch))
    }

    /// Unprefixed names (as the MiniLM folder has) load into the same parameters.
    func testUnprefixedNamesLoad() throws {
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let dir = try temporaryDirectory()
        var tensors = model.namedTensors(bertPrefix: false).filter { !$0.name.hasPrefix("classifier.") }
        tensors.append((name: "embeddings.position_ids", tensor: Tensor(shape: [1, 4])))  // an ignorable buffer
        try SafetensorsWriter.write(tensors, to: dir + "/w.safetensors")
        let encoder = try BertModel(config: model.config)
        try encoder.loadWeights(from: try SafetensorsFile(path: dir + "/w.safetensors"))
        XCTAssertEqual(encoder.parameters["encoder.layer.0.attention.self.key.weight"]?.value.toArray(),
                       model.parameters["encoder.layer.0.attention.self.key.weight"]?.value.toArray())
    }

    func testMissingExtraAndMisShapedTensorsAreNamed() throws {
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let dir = try temporaryDirectory()
        let path = dir + "/w.safetensors"
        let all = model.namedTensors()

        try SafetensorsWriter.write(all.filter { $0.name != "bert.pooler.dense.bias" }, to: path)
        XCTAssertThrowsError(try model.loadWeights(from: try SafetensorsFile(path: path))) {
            XCTAssertTrue("\($0)".contains("missing 1 tensor(s): \"pooler.dense.bias\" [32]"), "\($0)")
            XCTAssertTrue("\($0)".hasPrefix(path), "\($0)")
        }

        try SafetensorsWriter.write(all + [(name: "bert.encoder.layer.9.output.dense.weight", tensor: Tensor(shape: [2, 2]))], to: path)
        XCTAssertThrowsError(try model.loadWeights(from: try SafetensorsFile(path: path))) {
            XCTAssertTrue("\($0)".contains("unexpected tensor(s) the model has no place for: \"bert.encoder.layer.9.output.dense.weight\" [2, 2]"), "\($0)")
        }

        let misShaped = all.map { $0.name == "bert.encoder.layer.1.intermediate.dense.weight" ? (name: $0.name, tensor: Tensor(shape: [32, 64])) : $0 }
        try SafetensorsWriter.write(misShaped, to: path)
        XCTAssertThrowsError(try model.loadWeights(from: try SafetensorsFile(path: path))) {
            XCTAssertTrue("\($0)".contains("\"bert.encoder.layer.1.intermediate.dense.weight\" has shape [32, 64] in the file but the model expects [64, 32]"), "\($0)")
        }

        // A base encoder file gives a head its random initialization unless that is refused.
        try SafetensorsWriter.write(all.filter { !$0.name.hasPrefix("classifier.") }, to: path)
        XCTAssertNoThrow(try model.loadWeights(from: try SafetensorsFile(path: path)))
        XCTAssertThrowsError(try model.loadWeights(from: try SafetensorsFile(path: path), initializeMissingHead: false)) {
            XCTAssertTrue("\($0)".contains("\"classifier.weight\" [3, 32]"), "\($0)")
        }
    }
}

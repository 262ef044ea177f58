import Foundation
import LexgraphCore
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

    /// A copy of the tiny HF folder whose config.json has `changes` applied.
    func tinyFolder(_ changes: [String: Any]) throws -> String {
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Fixtures.tinyModel + "/model.safetensors", toPath: dir + "/model.safetensors")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.tinyModel + "/config.json"))) as? [String: Any])
        for (k, v) in changes { config[k] = v }
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/config.json"))
        return dir
    }

    /// A config is checked against the weights' header before anything is allocated: an
    /// absurd value is refused with its key, its value and the file; a value the weights
    /// contradict is refused with the key, the tensor and both shapes. Before this check,
    /// `vocab_size: 100000000` allocated 150 GB for the embedding and aborted.
    func testConfigIsCheckedAgainstTheWeightsBeforeAllocating() throws {
        var dir = try tinyFolder(["vocab_size": 100_000_000])
        XCTAssertThrowsError(try BertModel.load(directory: dir)) {
            XCTAssertEqual("\($0)", "\(dir)/config.json: config \"vocab_size\" is 100000000, more than 4194304, the most a BERT-family encoder here may have")
        }
        dir = try tinyFolder(["vocab_size": 4_000_000])
        XCTAssertThrowsError(try BertModel.load(directory: dir)) {
            XCTAssertEqual("\($0)", "\(dir)/config.json: vocab_size 4000000 does not match the weights in \(dir)/model.safetensors: "
                           + "tensor \"bert.embeddings.word_embeddings.weight\" has shape [99, 32], the config implies [4000000, 32]")
        }
        dir = try tinyFolder(["intermediate_size": 128])
        XCTAssertThrowsError(try CheckpointFolder(directory: dir)) {
            XCTAssertTrue("\($0)".contains("intermediate_size 128 does not match the weights in \(dir)/model.safetensors: tensor \"bert.encoder.layer.0.intermediate.dense.weight\" has shape [64, 32], the config implies [128, 32]"), "\($0)")
        }
        dir = try tinyFolder(["max_position_embeddings": 1_000_000])
        XCTAssertThrowsError(try CheckpointFolder(directory: dir)) {
            XCTAssertTrue("\($0)".contains("max_position_embeddings 1000000 does not match the weights in \(dir)/model.safetensors: tensor \"bert.embeddings.position_embeddings.weight\" has shape [64, 32]"), "\($0)")
        }
        dir = try tinyFolder(["num_hidden_layers": 1000])
        XCTAssertThrowsError(try BertModel.load(directory: dir)) {
            XCTAssertEqual("\($0)", "\(dir)/config.json: num_hidden_layers 1000 does not match the weights in \(dir)/model.safetensors: "
                           + "they hold 2 layer(s), encoder.layer.0 to encoder.layer.1")
        }
        dir = try tinyFolder(["hidden_size": 64, "num_attention_heads": 4])
        XCTAssertThrowsError(try BertModel.load(directory: dir)) { XCTAssertTrue("\($0)".contains("hidden_size 64 does not match the weights"), "\($0)") }
        dir = try tinyFolder(["position_embedding_type": "relative_key"])
        XCTAssertThrowsError(try BertModel.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("config \"position_embedding_type\" \"relative_key\" is not supported"), "\($0)")
        }
        XCTAssertNoThrow(try CheckpointFolder(directory: try tinyFolder([:])))
    }

    /// Sizes each within their limits can still multiply out beyond any machine: the model
    /// refuses them before allocating (this used to abort the process).
    func testModelLargerThanMemoryIsRefusedBeforeAllocating() {
        let config = BertConfig(vocabSize: 4_000_000, hiddenSize: 65_536, numHiddenLayers: 2, numAttentionHeads: 1, intermediateSize: 262_144)
        XCTAssertThrowsError(try BertModel(config: config)) {
            XCTAssertTrue("\($0)".contains("vocab_size 4000000, hidden_size 65536") && "\($0)".contains("more than this machine's"), "\($0)")
        }
    }

    /// Format parity with Hugging Face, without Python: tiny-bert was written by
    /// transformers' `save_pretrained` (tools/make_model_fixtures.py). Saving the same weights
    /// with `saveCheckpoint` must give the same tensor names, dtypes and shapes, the same
    /// safetensors metadata, and a config.json whose every key HF wrote with a value that
    /// decides the model is there with the same value. HF's bookkeeping keys we do not
    /// write are listed with the value HF wrote, which is also what HF assumes when a key
    /// is absent; a new key in a regenerated fixture fails here until it is looked at.
    func testSavedCheckpointHasHuggingFaceFormat() throws {
        let model = try BertModel.load(directory: Fixtures.tinyModel, initializeMissingHead: false)
        let dir = try temporaryDirectory()
        try model.saveCheckpoint(directory: dir)

        let ours = try SafetensorsFile(path: dir + "/model.safetensors"), theirs = try SafetensorsFile(path: Fixtures.tinyModel + "/model.safetensors")
        XCTAssertEqual(ours.metadata, theirs.metadata)
        XCTAssertEqual(Set(ours.entries.map(\.name)), Set(theirs.entries.map(\.name)))
        for e in theirs.entries {
            let mine = try XCTUnwrap(ours.entry(e.name), e.name)
            XCTAssertEqual(mine.dtype, e.dtype, e.name)
            XCTAssertEqual(mine.shape, e.shape, e.name)
            XCTAssertEqual(try ours.tensor(e.name).toArray(), try theirs.tensor(e.name).toArray(), e.name)
        }

        func config(_ path: String) throws -> [String: Value] {
            guard case .map(let m) = try Value.parseJSON(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) else { throw TransformerError("not an object") }
            return m
        }
        let mine = try config(dir + "/config.json"), hf = try config(Fixtures.tinyModel + "/config.json")
        let hfBookkeeping: [String: Value] = [
            "add_cross_attention": .bool(false), "bos_token_id": .null, "eos_token_id": .null, "classifier_dropout": .null,
            "dtype": .string("float32"), "is_decoder": .bool(false), "tie_word_embeddings": .bool(true), "use_cache": .bool(true),
        ]
        for (key, value) in hf where key != "transformers_version" {
            if let expected = hfBookkeeping[key] {
                XCTAssertEqual(value, expected, "HF wrote \(key) = \(value.jsonText); check whether saveCheckpoint must write it")
                XCTAssertTrue(mine[key] == nil || mine[key] == value, key)
            } else {
                XCTAssertEqual(mine[key], value, "config key \(key)")
            }
        }
        XCTAssertEqual(Set(mine.keys).subtracting(hf.keys), [], "keys HF does not write")
    }

    /// A base encoder (no head) is saved with unprefixed names, as the MiniLM folder HF
    /// wrote has them.
    func testSavedEncoderHasTheNamesOfTheHuggingFaceFolder() throws {
        try TestRequirements.requireFile(Fixtures.miniLM + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let model = try BertModel.load(directory: Fixtures.miniLM)
        let dir = try temporaryDirectory()
        try model.saveCheckpoint(directory: dir)
        let ours = try SafetensorsFile(path: dir + "/model.safetensors"), theirs = try SafetensorsFile(path: Fixtures.miniLM + "/model.safetensors")
        XCTAssertEqual(ours.metadata, theirs.metadata)
        let floats = theirs.entries.filter { $0.dtype == .f32 }
        XCTAssertEqual(Set(ours.entries.map(\.name)), Set(floats.map(\.name)))
        for e in floats { XCTAssertEqual(ours.entry(e.name)?.shape, e.shape, e.name) }
    }
}

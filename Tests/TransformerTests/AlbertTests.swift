import Foundation
import LexgraphCore
import Tensor
import TestRequirements
import Transformer
import XCTest

/// ALBERT beyond the reference logits and gradients (EncoderFamilyReferenceTests): the
/// shared layer is one parameter set, the activation is a config value checked against
/// transformers, and what ALBERT cannot do is refused by name.
final class AlbertTests: XCTestCase {
    static let folder = EncoderFamilyReferenceTests.folder(.albert)

    /// The model holds as many scalars as transformers' (the per-parameter gradients the
    /// peer wrote): one layer's weights, not one set per use, so gradients, AdamW moments
    /// and the checkpoint hold it once.
    func testSharedLayerIsOneParameterSet() throws {
        let model = try BertModel.load(directory: Self.folder, initializeMissingHead: false)
        XCTAssertEqual(model.config.numHiddenLayers, 3)
        XCTAssertTrue(model.config.architecture.sharesLayers)
        let ref = try SafetensorsFile(path: EncoderFamilyReferenceTests.directory + "/albert_reference.safetensors")
        let peerScalars = ref.entries.filter { $0.name.hasPrefix("single.grad.") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
        XCTAssertEqual(model.parameterCount, peerScalars)
        let names = model.parameters.parameters.map(\.name)
        XCTAssertEqual(names.filter { $0.hasPrefix("encoder.layer.0.") }.count, 16)
        XCTAssertFalse(names.contains { $0.hasPrefix("encoder.layer.1.") }, "\(names)")
        XCTAssertEqual(model.parameters["embeddings.word_embeddings.weight"]?.shape, [99, 16])
        XCTAssertEqual(model.parameters["encoder.embedding_hidden_mapping_in.weight"]?.shape, [32, 16])
    }

    /// `hidden_act` "gelu" on the same weights gives transformers' logits with the exact
    /// GELU (`single.gelu_logits`), which differ from the gelu_new ones.
    func testActivationIsAConfigValue() throws {
        let model = try BertModel.load(directory: Self.folder, initializeMissingHead: false)
        XCTAssertEqual(model.config.hiddenAct, "gelu_new")
        var config = model.config
        config.hiddenAct = "gelu"
        let exact = try BertModel(config: config, head: model.head, seed: 0)
        exact.parameters.values.base.update(from: model.parameters.values.base, count: model.parameterCount)
        let (batch, _) = try EncoderFamilyReferenceTests.batch(try EncoderFamilyReferenceTests.meta(.albert), "single")
        let ref = try SafetensorsFile(path: EncoderFamilyReferenceTests.directory + "/albert_reference.safetensors")
        let logits = try exact.logits(batch)
        var c = Comparison()
        c.check("single.gelu_logits", logits, try ref.tensor("single.gelu_logits"), abs: 1e-5, rel: 1e-4)
        c.assertPassed("ALBERT logits with hidden_act gelu")
        // The tiny model's pre-activations are too small for the two to differ in its logits;
        // at |x| ~ 2 they do: the tanh kernel follows HF's NewGELUActivation formula there.
        let x: [Float] = [-3, -2, -0.5, 0.7, 2, 3]
        let u = Tensor(shape: [1, 6]), g = Tensor(shape: [1, 6]), e = Tensor(shape: [1, 6])
        for (i, v) in x.enumerated() { u[i] = v }
        Kernels.biasGELUTanh(u.data, bias: nil, rows: 1, cols: 6, out: g.data)
        Kernels.biasGELU(u.data, bias: nil, rows: 1, cols: 6, out: e.data)
        for (i, v) in x.enumerated() {
            let d = Double(v), expected = 0.5 * d * (1 + tanh((2 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d)))
            XCTAssertEqual(Double(g[i]), expected, accuracy: 1e-6, "gelu_new(\(v))")
        }
        XCTAssertGreaterThan(abs(g[4] - e[4]), 5e-5, "gelu and gelu_new differ at 2 (by about 1e-4)")
    }

    /// Layer groups other than one shared layer, and activations other than GELU, are
    /// refused naming the key and the config file.
    func testConfigRefusals() throws {
        let base = #""model_type": "albert", "vocab_size": 9, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16"#
        func error(_ extra: String) -> String {
            do {
                _ = try BertConfig(json: try Value.parseJSON(bytes: Array("{\(base)\(extra)}".utf8)), path: "albert/config.json")
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(error(#", "num_hidden_groups": 2"#).contains(#"config "num_hidden_groups" is 2, only 1 is supported"#), error(#", "num_hidden_groups": 2"#))
        XCTAssertTrue(error(#", "num_hidden_groups": 2"#).contains("albert/config.json"))
        XCTAssertTrue(error(#", "inner_group_num": 3"#).contains(#"config "inner_group_num" is 3, only 1 is supported"#), error(#", "inner_group_num": 3"#))
        XCTAssertTrue(error(#", "hidden_act": "relu""#).contains(#"hidden_act "relu" is not supported (one of "gelu", "gelu_new", "gelu_pytorch_tanh""#),
                      error(#", "hidden_act": "relu""#))
        XCTAssertTrue(error(#", "embedding_size": 0"#).contains(#"config "embedding_size" must be a positive integer, found 0"#), error(#", "embedding_size": 0"#))
        // AlbertConfig's defaults: embedding_size 128, gelu_new, no hidden/attention dropout, classifier dropout 0.1.
        let defaults = try BertConfig(json: try Value.parseJSON(bytes: Array("{\(base)}".utf8)), path: "c.json")
        XCTAssertEqual(defaults.embeddingSize, 128)
        XCTAssertEqual(defaults.hiddenAct, "gelu_new")
        XCTAssertEqual(defaults.hiddenDropoutProb, 0)
        XCTAssertEqual(defaults.attentionProbsDropoutProb, 0)
        XCTAssertEqual(defaults.classifierDropout, 0.1)
    }

    /// An embedding table narrower in the file than `embedding_size` says is reported
    /// against that key, before anything is allocated.
    func testEmbeddingSizeMismatchNamesTheKey() throws {
        let dir = try TinyTask.temporaryDirectory("albert-mismatch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["model.safetensors", "config.json"] { try FileManager.default.copyItem(atPath: Self.folder + "/" + name, toPath: dir + "/" + name) }
        let config = try String(contentsOfFile: dir + "/config.json", encoding: .utf8).replacingOccurrences(of: #""embedding_size": 16"#, with: #""embedding_size": 24"#)
        try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BertModel.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("embedding_size 24 does not match the weights"), "\($0)")
        }
    }

    /// A folder in `AlbertForMaskedLM`'s layout (no pooler, the `predictions.*` MLM head)
    /// loads as an encoder under a new classifier: the MLM head is skipped and the pooler
    /// initialized, as transformers does; every encoder weight is the file's.
    func testMaskedLMLayoutLoadsForFineTuning() throws {
        let dir = try TinyTask.temporaryDirectory("albert-mlm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.folder + "/config.json", toPath: dir + "/config.json")
        let source = try BertModel.load(directory: Self.folder, initializeMissingHead: false)
        var tensors = source.namedTensors().filter { !$0.name.hasPrefix("albert.pooler.") && !$0.name.hasPrefix("classifier.") }
        tensors += [(name: "predictions.dense.weight", tensor: Tensor(shape: [16, 32])), (name: "predictions.bias", tensor: Tensor(shape: [99])),
                    (name: "predictions.LayerNorm.weight", tensor: Tensor(shape: [16]))]
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: dir + "/model.safetensors")
        let model = try BertModel.load(directory: dir, head: ClassificationHeadSpec(numLabels: 2, problemType: .singleLabelClassification))
        for name in ["embeddings.word_embeddings.weight", "encoder.embedding_hidden_mapping_in.weight", "encoder.layer.0.output.dense.weight"] {
            XCTAssertEqual(try XCTUnwrap(model.parameters[name]).value.toArray(), try XCTUnwrap(source.parameters[name]).value.toArray(), name)
        }
        XCTAssertNotEqual(try XCTUnwrap(model.parameters["pooler.dense.weight"]).value.toArray(), [Float](repeating: 0, count: 32 * 32), "pooler initialized")
    }

    /// `lexgraph model info` names the architecture and its sharing.
    func testModelInfo() throws {
        let info = try LexgraphBinary.run(["model", "info", Self.folder])
        XCTAssertEqual(info.status, 0, "\(info)")
        XCTAssertTrue(info.stdout.contains("architecture: albert (AlbertForSequenceClassification layout)"), info.stdout)
        XCTAssertTrue(info.stdout.contains("shared layer: one layer's weights run 3 times; embeddings 16 wide, projected to 32"), info.stdout)
        XCTAssertTrue(info.stdout.contains("act gelu_new"), info.stdout)
    }

    /// Freezing some of ALBERT's layers would freeze the weights the layers above train;
    /// none or all is fine. LoRA (peft's BERT module names) and MLM pretraining (BERT's
    /// head) refuse ALBERT by name.
    func testUnsupportedTrainingIsRefused() throws {
        let model = try BertModel.load(directory: Self.folder)
        XCTAssertThrowsError(try model.checkFreezable(belowLayer: 1)) {
            XCTAssertTrue("\($0)".contains("freeze layers 1 is not possible on albert: its 3 layers share one set of weights"), "\($0)")
        }
        XCTAssertNoThrow(try model.checkFreezable(belowLayer: 0))
        XCTAssertNoThrow(try model.checkFreezable(belowLayer: 3))
        // Freezing every layer freezes the shared layer and the embedding projection.
        XCTAssertTrue(model.parameterNames(belowLayer: 3).isSuperset(of: ["encoder.layer.0.output.dense.weight", "encoder.embedding_hidden_mapping_in.weight"]))
        XCTAssertThrowsError(try model.attachLoRA(LoRAConfig(rank: 2, alpha: 4, dropout: 0, targets: LoRATarget.attention))) {
            XCTAssertTrue("\($0)".contains("LoRA adapters are supported on BERT encoders only, this model is albert"), "\($0)")
        }
        XCTAssertThrowsError(try MaskedLanguageModel.load(directory: Self.folder)) {
            XCTAssertTrue("\($0)".contains("MLM pretraining supports BERT checkpoints only, this one is albert"), "\($0)")
        }
    }
}

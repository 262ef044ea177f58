import Foundation
import LexgraphCore
import Tensor
import Transformer
import XCTest

/// Longformer sequence classification against PyTorch/transformers
/// (tools/make_longformer_fixtures.py, Tests/Fixtures/encoders): attention windows 8 and 4
/// over lengths that are not multiples of them, padding, the default global token (<s>)
/// and explicit global tokens (1 to 3 per row, in and out of each other's windows):
/// logits, loss, last hidden states and the gradient of every parameter, the global
/// projections included.
///
/// Gradient tolerance as for BERT: |Δ| ≤ 1e-4·|ref| + 1e-6 per element.
final class LongformerReferenceTests: XCTestCase {
    static let folder = EncoderFamilyReferenceTests.directory + "/tiny-longformer"

    static func meta() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: EncoderFamilyReferenceTests.directory + "/longformer_reference.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The fixture batch `tag`, with its global attention mask where the peer was given one.
    static func batch(_ meta: [String: Any], _ tag: String) throws -> (BertBatch, [Int]) {
        let part = try XCTUnwrap(meta[tag] as? [String: Any])
        let ids = try XCTUnwrap(part["input_ids"] as? [[Int]]), mask = try XCTUnwrap(part["attention_mask"] as? [[Int]])
        let global = (part["global_attention_mask"] as? [[Int]])?.flatMap { $0.map(Int32.init) }
        let batch = try BertBatch(batchSize: ids.count, sequenceLength: ids[0].count, inputIds: ids.flatMap { $0.map(Int32.init) },
                                  attentionMask: mask.flatMap { $0.map(Float.init) }, globalAttentionMask: global)
        return (batch, try XCTUnwrap(part["labels"] as? [Int]))
    }

    func check(tag: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try BertModel.load(directory: Self.folder, initializeMissingHead: false)
        XCTAssertEqual(model.config.architecture, .longformer, file: file, line: line)
        XCTAssertEqual(model.config.attentionWindow, [8, 4], file: file, line: line)
        let meta = try Self.meta()
        let ref = try SafetensorsFile(path: EncoderFamilyReferenceTests.directory + "/longformer_reference.safetensors")
        let (batch, labels) = try Self.batch(meta, tag)
        XCTAssertNotEqual(batch.sequenceLength % 8, 0, "the fixture exercises lengths transformers must pad", file: file, line: line)

        let hidden = try model.forward(batch).lastHiddenState
        var states = Comparison()
        states.check("\(tag).last_hidden_state", hidden.data, try ref.tensor("\(tag).last_hidden_state"), abs: 1e-5, rel: 1e-4)
        states.assertPassed("longformer \(tag) last hidden states", file: file, line: line)

        model.parameters.zeroGrad()
        let result = try model.lossAndBackward(batch, labels: .classes(labels))
        let expectedLoss = try XCTUnwrap((meta[tag] as? [String: Any])?["loss"] as? Double)
        XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "longformer \(tag) loss", file: file, line: line)
        var logits = Comparison()
        logits.check("\(tag).logits", result.logits, try ref.tensor("\(tag).logits"), abs: 1e-5, rel: 1e-4)
        logits.assertPassed("longformer \(tag) logits", file: file, line: line)

        let names = model.namedTensors().map(\.name)
        XCTAssertEqual(Set(names), Set(try XCTUnwrap(meta["parameters"] as? [String])), "parameter names", file: file, line: line)
        XCTAssertTrue(names.contains("longformer.encoder.layer.1.attention.self.value_global.weight"), file: file, line: line)
        var grads = Comparison()
        for (p, name) in zip(model.parameters.parameters, names) {
            grads.check(name, p.grad.data, try ref.tensor("\(tag).grad.\(name)"), abs: TinyBertReferenceTests.gradAbs, rel: TinyBertReferenceTests.gradRel)
        }
        grads.assertPassed("longformer \(tag) gradients of all \(names.count) parameters", file: file, line: line)
    }

    /// Global attention on <s> only, as `LongformerForSequenceClassification` sets it.
    func testDefaultGlobalToken() throws { try check(tag: "single") }
    /// Sentence pairs with 1 to 3 global tokens per row (rows hold different counts).
    func testExplicitGlobalTokens() throws { try check(tag: "global") }

    /// A saved folder has transformers' class, config keys, tensor names and bytes, and
    /// reloads to the same config and logits. (tools/check_checkpoint_with_hf.py loads such a
    /// folder in transformers.)
    func testSavedFolderReloadsIdentically() throws {
        let dir = try TinyTask.temporaryDirectory("longformer-save")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try BertModel.load(directory: Self.folder, initializeMissingHead: false)
        try model.saveCheckpoint(directory: dir)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any])
        XCTAssertEqual(config["model_type"] as? String, "longformer")
        XCTAssertEqual(config["architectures"] as? [String], ["LongformerForSequenceClassification"])
        XCTAssertEqual(config["attention_window"] as? [Int], [8, 4])
        let original = try SafetensorsFile(path: Self.folder + "/model.safetensors")
        let saved = try SafetensorsFile(path: dir + "/model.safetensors")
        XCTAssertEqual(Set(saved.entries.map(\.name)), Set(original.entries.map(\.name)))
        for e in original.entries { XCTAssertEqual(try saved.tensor(e.name).toArray(), try original.tensor(e.name).toArray(), e.name) }
        let reloaded = try BertModel.load(directory: dir, initializeMissingHead: false)
        var expected = model.config
        expected.problemType = "single_label_classification"
        XCTAssertEqual(reloaded.config, expected)
        let (batch, _) = try Self.batch(try Self.meta(), "global")
        XCTAssertEqual(try reloaded.logits(batch), try model.logits(batch))
    }

    /// The attention a layer keeps grows linearly in the sequence length (banded rows, not
    /// T×T): at 4,096 tokens and window 512 it is under a fifth of BERT's matrix, and
    /// doubling the length doubles it.
    func testAttentionMemoryIsLinear() throws {
        var config = try BertModel.load(directory: Self.folder).config
        config.attentionWindow = [512, 512]
        let at4k = config.attentionFloatsPerHead(sequenceLength: 4096, globalTokens: 1)
        XCTAssertLessThan(at4k, 4096 * 4096 / 5)
        XCTAssertEqual(Double(config.attentionFloatsPerHead(sequenceLength: 8192, globalTokens: 1)) / Double(at4k), 2, accuracy: 0.01)
    }

    /// Bad windows and inputs are refused naming the key or the input.
    func testConfigAndInputErrors() throws {
        func config(_ window: String) throws -> BertConfig {
            let json = #"{"model_type": "longformer", "vocab_size": 9, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16, "attention_window": \#(window)}"#
            return try BertConfig(json: try Value.parseJSON(bytes: Array(json.utf8)), path: "c.json")
        }
        XCTAssertEqual(try config("6").attentionWindow, [6, 6])
        XCTAssertEqual(try config("[4, 8]").attentionWindow, [4, 8])
        XCTAssertThrowsError(try config("7")) { XCTAssertTrue("\($0)".contains("\"attention_window\" must be a positive even integer"), "\($0)") }
        XCTAssertThrowsError(try config("[4, 0]")) { XCTAssertTrue("\($0)".contains("\"attention_window\"[1] must be a positive even integer"), "\($0)") }
        XCTAssertThrowsError(try config("[4]")) { XCTAssertTrue("\($0)".contains("lists 1 windows for num_hidden_layers 2"), "\($0)") }

        let model = try BertModel.load(directory: Self.folder)
        let biased = try BertBatch(batchSize: 1, sequenceLength: 3, inputIds: [0, 7, 2], attentionBias: [Float](repeating: 0, count: 9))
        XCTAssertThrowsError(try model.logits(biased)) { XCTAssertTrue("\($0)".contains("not supported by Longformer"), "\($0)") }
        XCTAssertThrowsError(try BertBatch(batchSize: 1, sequenceLength: 3, inputIds: [0, 7, 2], globalAttentionMask: [1, 2, 0])) {
            XCTAssertTrue("\($0)".contains("global_attention_mask[0][1] = 2 is not 0 or 1"), "\($0)")
        }
        let roberta = try BertModel.load(directory: EncoderFamilyReferenceTests.folder(.roberta))
        let global = try BertBatch(batchSize: 1, sequenceLength: 3, inputIds: [0, 7, 2], globalAttentionMask: [1, 0, 0])
        XCTAssertThrowsError(try roberta.logits(global)) { XCTAssertTrue("\($0)".contains("global_attention_mask is a Longformer input"), "\($0)") }
    }
}

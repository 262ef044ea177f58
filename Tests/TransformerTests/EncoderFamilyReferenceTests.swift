import Foundation
import LexgraphCore
import Tensor
import Transformer
import XCTest

/// DistilBERT, RoBERTa and ALBERT sequence classifiers against PyTorch/transformers
/// (tools/make_encoder_fixtures.py, Tests/Fixtures/encoders): logits, loss, last hidden
/// states and the gradient of every parameter, for single sentences and for sentence
/// pairs in each architecture's layout (dropout off); the folder lexgraph saves carries
/// transformers' tensor names and config keys.
///
/// Gradient tolerance as for BERT: |Δ| ≤ 1e-4·|ref| + 1e-6 per element.
final class EncoderFamilyReferenceTests: XCTestCase {
    static let directory = Fixtures.packageRoot + "/Tests/Fixtures/encoders"

    static func folder(_ architecture: EncoderArchitecture) -> String { directory + "/tiny-\(architecture.rawValue)" }

    static func meta(_ architecture: EncoderArchitecture) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/\(architecture.rawValue)_reference.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The fixture batch `tag` (ids, mask and, where the peer passed them, ALBERT's token types).
    static func batch(_ meta: [String: Any], _ tag: String) throws -> (BertBatch, [Int]) {
        let part = try XCTUnwrap(meta[tag] as? [String: Any])
        let ids = try XCTUnwrap(part["input_ids"] as? [[Int]]), mask = try XCTUnwrap(part["attention_mask"] as? [[Int]])
        let types = (part["token_type_ids"] as? [[Int]])?.flatMap { $0.map(Int32.init) }
        let batch = try BertBatch(batchSize: ids.count, sequenceLength: ids[0].count, inputIds: ids.flatMap { $0.map(Int32.init) },
                                  tokenTypeIds: types, attentionMask: mask.flatMap { $0.map(Float.init) })
        return (batch, try XCTUnwrap(part["labels"] as? [Int]))
    }

    func check(_ architecture: EncoderArchitecture, tag: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try BertModel.load(directory: Self.folder(architecture), initializeMissingHead: false)
        XCTAssertEqual(model.config.architecture, architecture, file: file, line: line)
        let meta = try Self.meta(architecture)
        let ref = try SafetensorsFile(path: Self.directory + "/\(architecture.rawValue)_reference.safetensors")
        let (batch, labels) = try Self.batch(meta, tag)

        let hidden = try model.forward(batch).lastHiddenState
        var states = Comparison()
        states.check("\(tag).last_hidden_state", hidden.data, try ref.tensor("\(tag).last_hidden_state"), abs: 1e-5, rel: 1e-4)
        states.assertPassed("\(architecture) \(tag) last hidden states", file: file, line: line)

        model.parameters.zeroGrad()
        let result = try model.lossAndBackward(batch, labels: .classes(labels))
        let expectedLoss = try XCTUnwrap((meta[tag] as? [String: Any])?["loss"] as? Double)
        XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "\(architecture) \(tag) loss", file: file, line: line)
        var logits = Comparison()
        logits.check("\(tag).logits", result.logits, try ref.tensor("\(tag).logits"), abs: 1e-5, rel: 1e-4)
        logits.assertPassed("\(architecture) \(tag) logits", file: file, line: line)

        // Every parameter, under the name transformers gives it, and no more or fewer.
        let names = model.namedTensors().map(\.name)
        XCTAssertEqual(Set(names), Set(try XCTUnwrap(meta["parameters"] as? [String])), "parameter names", file: file, line: line)
        var grads = Comparison()
        for (p, name) in zip(model.parameters.parameters, names) {
            grads.check(name, p.grad.data, try ref.tensor("\(tag).grad.\(name)"), abs: TinyBertReferenceTests.gradAbs, rel: TinyBertReferenceTests.gradRel)
        }
        grads.assertPassed("\(architecture) \(tag) gradients of all \(names.count) parameters", file: file, line: line)
    }

    func testDistilBertSingleSentences() throws { try check(.distilbert, tag: "single") }
    func testDistilBertPairs() throws { try check(.distilbert, tag: "pair") }
    func testRobertaSingleSentences() throws { try check(.roberta, tag: "single") }
    func testRobertaPairs() throws { try check(.roberta, tag: "pair") }
    /// ALBERT: 3 uses of one shared layer (its gradient is their sum), embeddings 16 wide
    /// projected to 32, gelu_new; the pairs carry token types 0/1.
    func testAlbertSingleSentences() throws { try check(.albert, tag: "single") }
    func testAlbertPairs() throws { try check(.albert, tag: "pair") }

    /// A saved folder has the HF class, `model_type` and the tensor names and bytes of the
    /// transformers-written one it was loaded from, and reloads to the same logits.
    /// (tools/check_checkpoint_with_hf.py loads such a folder in transformers.)
    func testSavedFolderKeepsTransformersLayout() throws {
        for architecture in [EncoderArchitecture.distilbert, .roberta, .albert] {
            let dir = try TinyTask.temporaryDirectory("encoder-save")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let model = try BertModel.load(directory: Self.folder(architecture), initializeMissingHead: false)
            try model.saveCheckpoint(directory: dir)
            let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any])
            XCTAssertEqual(config["model_type"] as? String, architecture.rawValue)
            XCTAssertEqual(config["architectures"] as? [String], [architecture.classifierClass])
            let original = try SafetensorsFile(path: Self.folder(architecture) + "/model.safetensors")
            let saved = try SafetensorsFile(path: dir + "/model.safetensors")
            XCTAssertEqual(Set(saved.entries.map(\.name)), Set(original.entries.map(\.name)), "\(architecture) tensor names")
            for e in original.entries {
                XCTAssertEqual(try saved.tensor(e.name).toArray(), try original.tensor(e.name).toArray(), "\(architecture) \(e.name)")
            }
            let reloaded = try BertModel.load(directory: dir, initializeMissingHead: false)
            var expected = model.config
            expected.problemType = "single_label_classification"  // saved with the head, as for BERT
            XCTAssertEqual(reloaded.config, expected)
            let (batch, _) = try Self.batch(try Self.meta(architecture), "pair")
            XCTAssertEqual(try reloaded.logits(batch), try model.logits(batch))
        }
    }

    /// DistilBERT has no token types: the segment ids a pair tokenizer gives change nothing.
    /// RoBERTa has one, so a second segment id is refused naming where it is.
    func testTokenTypes() throws {
        let meta = try Self.meta(.distilbert)
        let (batch, _) = try Self.batch(meta, "pair")
        let typed = try BertBatch(batchSize: batch.batchSize, sequenceLength: batch.sequenceLength, inputIds: batch.inputIds,
                                  tokenTypeIds: batch.inputIds.indices.map { Int32($0 % batch.sequenceLength > 4 ? 1 : 0) },
                                  attentionMask: batch.attentionMask)
        let distil = try BertModel.load(directory: Self.folder(.distilbert))
        XCTAssertEqual(try distil.logits(typed), try distil.logits(batch))

        let roberta = try BertModel.load(directory: Self.folder(.roberta))
        XCTAssertThrowsError(try roberta.logits(typed)) {
            XCTAssertTrue("\($0)".contains("token_type_ids[0][5] = 1 is outside 0..<1"), "\($0)")
        }
    }

    /// LoRA (peft's BERT module names) and MLM pretraining are BERT-only: they refuse the
    /// other architectures by name rather than train something peft or HF would misread.
    func testLoRAAndPretrainingRefuseOtherArchitectures() throws {
        let distil = try BertModel.load(directory: Self.folder(.distilbert))
        XCTAssertThrowsError(try distil.attachLoRA(LoRAConfig(rank: 2, alpha: 4, dropout: 0, targets: LoRATarget.attention))) {
            XCTAssertTrue("\($0)".contains("LoRA adapters are supported on BERT encoders only, this model is distilbert"), "\($0)")
        }
        XCTAssertThrowsError(try MaskedLanguageModel.load(directory: Self.folder(.roberta))) {
            XCTAssertTrue("\($0)".contains("MLM pretraining supports BERT checkpoints only, this one is roberta"), "\($0)")
        }
    }

    /// RoBERTa's positions start past pad_token_id, so the longest sequence is
    /// max_position_embeddings − pad_token_id − 1; an unknown `model_type` is refused by name.
    func testConfigLimits() throws {
        let roberta = try BertModel.load(directory: Self.folder(.roberta))
        XCTAssertEqual(roberta.config.padTokenId, 1)
        let fits = try BertBatch(batchSize: 1, sequenceLength: 64, inputIds: [Int32](repeating: 7, count: 64))
        XCTAssertNoThrow(try roberta.logits(fits))
        let tooLong = try BertBatch(batchSize: 1, sequenceLength: 65, inputIds: [Int32](repeating: 7, count: 65))
        XCTAssertThrowsError(try roberta.logits(tooLong)) {
            XCTAssertTrue("\($0)".contains("sequence length 65 exceeds the 64 positions past pad_token_id in max_position_embeddings 66"), "\($0)")
        }
        XCTAssertThrowsError(try BertConfig(json: try Value.parseJSON(bytes: Array(#"{"model_type": "gpt2", "vocab_size": 9}"#.utf8)), path: "c.json")) {
            XCTAssertTrue("\($0)".contains("config \"model_type\" \"gpt2\" is not supported"), "\($0)")
        }
    }
}

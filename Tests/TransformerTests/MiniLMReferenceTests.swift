import Foundation
import Tensor
import Transformer
import XCTest
import TestRequirements

/// The real all-MiniLM-L6-v2 against PyTorch/transformers on a padded batch of legal
/// sentences (one a sentence pair), token ids from the HF tokenizer.
final class MiniLMReferenceTests: XCTestCase {
    func testHiddenStatesPoolerAndMeanPoolingMatchPyTorch() throws {
        let dir = Fixtures.miniLM
        try TestRequirements.requireFile(dir + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let model = try BertModel.load(directory: dir)
        XCTAssertNil(model.head)
        XCTAssertEqual(model.config.hiddenSize, 384)
        XCTAssertEqual(model.config.numHiddenLayers, 6)

        let meta = try Fixtures.json("minilm_reference.json")
        let reference = try Fixtures.tensors("minilm_reference.safetensors")
        let batch = try Fixtures.batch(meta)
        XCTAssertTrue(batch.attentionMask.contains(0), "fixture batch should be padded")
        XCTAssertTrue(batch.tokenTypeIds.contains(1), "fixture batch should hold a sentence pair")

        let out = try model.forward(batch)
        var cmp = Comparison()
        cmp.check("last_hidden_state", out.lastHiddenState.data, try reference.tensor("last_hidden_state"), abs: 1e-4)
        cmp.check("pooler_output", out.pooledOutput.data, try reference.tensor("pooler_output"), abs: 1e-4)
        let mean = SentenceEmbedding.meanPooled(out.lastHiddenState, attentionMask: batch.attentionMask)
        cmp.check("mean_pooled", mean.data, try reference.tensor("mean_pooled"), abs: 1e-4)
        cmp.assertPassed("MiniLM vs PyTorch")
    }

    /// A sequence alone gives the same states as its (unpadded) positions in a padded batch.
    func testPaddingDoesNotChangeRealTokens() throws {
        let dir = Fixtures.miniLM
        try TestRequirements.requireFile(dir + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let model = try BertModel.load(directory: dir)
        let meta = try Fixtures.json("minilm_reference.json")
        let batch = try Fixtures.batch(meta)
        let padded = try model.forward(batch).lastHiddenState.clone()
        let t = batch.sequenceLength, h = model.config.hiddenSize
        let row = 2  // the shortest sentence
        let n = Int(batch.attentionMask[row * t ..< (row + 1) * t].reduce(0, +))
        let alone = try BertBatch(sequences: [Array(batch.inputIds[row * t ..< row * t + n])])
        let single = try model.forward(alone).lastHiddenState
        var worst: Float = 0
        for i in 0..<(n * h) { worst = max(worst, abs(single[i] - padded[row * t * h + i])) }
        XCTAssertLessThan(worst, 1e-5)
    }
}

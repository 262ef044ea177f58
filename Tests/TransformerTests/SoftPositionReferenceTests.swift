import Foundation
import Tensor
import Transformer
import XCTest

/// K-BERT inputs against Hugging Face `BertModel` (tools/make_fusion_fixtures.py): explicit
/// soft position ids and a [B, T, T] visibility matrix, given to us as an additive bias of
/// (1 − visible) · −10000; hidden states, pooler output and every parameter's gradient.
final class SoftPositionReferenceTests: XCTestCase {
    static let directory = Fixtures.packageRoot + "/Tests/Fixtures/fusion"

    func load() throws -> (BertModel, BertBatch, [String: Any], SafetensorsFile) {
        let model = try BertModel.load(directory: Self.directory + "/tiny-bert")
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/kbert_reference.json"))
        let meta = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ref = try SafetensorsFile(path: Self.directory + "/kbert_reference.safetensors")
        let ids = try Fixtures.int32Matrix(meta, "input_ids")
        let rows = try XCTUnwrap(meta["input_ids"] as? [[Int]])
        let vis = try XCTUnwrap(meta["visibility"] as? [[[Int]]])
        let bias = vis.flatMap { $0.flatMap { $0.map { Float(1 - $0) * -10000 } } }
        let batch = try BertBatch(batchSize: rows.count, sequenceLength: rows[0].count, inputIds: ids,
                                  tokenTypeIds: try Fixtures.int32Matrix(meta, "token_type_ids"),
                                  attentionBias: bias, positionIds: try Fixtures.int32Matrix(meta, "position_ids"))
        return (model, batch, meta, ref)
    }

    func testHiddenStatesAndGradientsMatchTorch() throws {
        let (model, batch, _, ref) = try load()
        XCTAssertNotNil(batch.positionIds)
        let out = try model.forward(batch)
        var cmp = Comparison()
        cmp.check("last_hidden_state", out.lastHiddenState.data, try ref.tensor("last_hidden_state"), abs: 1e-4)
        cmp.check("pooler_output", out.pooledOutput.data, try ref.tensor("pooler_output"), abs: 1e-4)
        cmp.assertPassed("soft positions + visibility forward")

        model.parameters.zeroGrad()
        try model.backward(dLastHidden: try ref.tensor("R"), dPooled: try ref.tensor("S"))
        var grads = Comparison()
        for p in model.parameters.parameters {
            grads.check(p.name, p.grad.data, try ref.tensor("grad." + p.name), abs: 1e-5, rel: 1e-4)
        }
        grads.assertPassed("gradients of all \(model.parameters.parameters.count) parameters")
        // The position table's gradient lands on the soft ids: row 5 (never a default id
        // of row 0's text but used by branches) must be non-zero.
        let dPos = try XCTUnwrap(model.parameters["embeddings.position_embeddings.weight"]).grad
        XCTAssertGreaterThan((0..<32).map { abs(dPos[5 * 32 + $0]) }.max() ?? 0, 0)
    }

    func testDefaultPositionsDifferFromSoftOnes() throws {
        let (model, batch, _, ref) = try load()
        let plain = try BertBatch(batchSize: batch.batchSize, sequenceLength: batch.sequenceLength, inputIds: batch.inputIds,
                                  tokenTypeIds: batch.tokenTypeIds, attentionBias: batch.attentionBias)
        let out = try model.forward(plain)
        let expected = try ref.tensor("last_hidden_state")
        let maxDiff = (0..<expected.count).map { abs(out.lastHiddenState[$0] - expected[$0]) }.max() ?? 0
        XCTAssertGreaterThan(maxDiff, 1e-2, "position ids must change the output")
    }

    func testPositionIdOutsideTheTableIsAnError() throws {
        let (model, batch, _, _) = try load()
        var ids = try XCTUnwrap(batch.positionIds)
        ids[13] = 40  // max_position_embeddings is 40
        let bad = try BertBatch(batchSize: batch.batchSize, sequenceLength: batch.sequenceLength, inputIds: batch.inputIds,
                                attentionBias: batch.attentionBias, positionIds: ids)
        XCTAssertThrowsError(try model.forward(bad)) { error in
            XCTAssertTrue("\(error)".contains("position_ids[1][3] = 40"), "\(error)")
        }
        XCTAssertThrowsError(try BertBatch(batchSize: 1, sequenceLength: 2, inputIds: [1, 2], positionIds: [0]))
        // slice carries the ids.
        XCTAssertEqual(try batch.slice(1..<2).positionIds, Array(try XCTUnwrap(batch.positionIds)[10..<20]))
    }
}

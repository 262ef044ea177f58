import Foundation
import Tensor
import TestRequirements
import Transformer
import XCTest

/// `lexgraph model longformer` (a BERT folder made into a Longformer, as the Longformer
/// authors made theirs from RoBERTa) and `lexgraph finetune --model FOLDER` on the result.
final class LongformerConversionTests: XCTestCase {
    /// The converted folder is a `LongformerModel` with the positions repeated out, global
    /// projections equal to the local ones and the window in every layer; on a sequence
    /// inside the window, with global attention on [CLS], it computes what the BERT source did.
    func testConvertBertFolder() throws {
        let dir = try TinyTask.temporaryDirectory("longformer-convert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        let out = dir + "/long"
        let run = try LexgraphBinary.run(["model", "longformer", inputs.modelDirectory, out, "--max-positions", "80", "--attention-window", "8"])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("wrote \(out): longformer from bert"), run.stdout)
        XCTAssertTrue(run.stdout.contains("80 positions (max_position_embeddings 81), attention window 8 in 2 layers"), run.stdout)
        XCTAssertTrue(run.stdout.contains("tokenizer: vocab.txt"), run.stdout)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as? [String: Any])
        XCTAssertEqual(config["model_type"] as? String, "longformer")
        XCTAssertEqual(config["architectures"] as? [String], ["LongformerModel"])
        XCTAssertEqual(config["attention_window"] as? [Int], [8, 8])
        XCTAssertEqual(config["max_position_embeddings"] as? Int, 81)

        let source = try BertModel.load(directory: inputs.modelDirectory)
        let long = try BertModel.load(directory: out)
        let file = try SafetensorsFile(path: out + "/model.safetensors")
        for l in 0..<2 {
            for proj in ["query", "key", "value"] {
                // A bare LongformerModel (architectures above) saves its tensors unprefixed, as HF does.
                let p = "encoder.layer.\(l).attention.self."
                XCTAssertEqual(try file.tensor(p + proj + "_global.weight").toArray(), try file.tensor(p + proj + ".weight").toArray())
            }
        }
        // Position k of the source (32 rows) is row 1 + k (pad 0), repeated out to 80.
        let old = try XCTUnwrap(source.parameters["embeddings.position_embeddings.weight"]).value.toArray()
        let new = try XCTUnwrap(long.parameters["embeddings.position_embeddings.weight"]).value.toArray()
        let h = source.config.hiddenSize
        for k in [0, 5, 31, 32, 70] { XCTAssertEqual(Array(new[(1 + k) * h ..< (2 + k) * h]), Array(old[(k % 32) * h ..< (k % 32 + 1) * h]), "position \(k)") }

        let batch = try BertBatch(batchSize: 2, sequenceLength: 5, inputIds: [2, 7, 9, 11, 3, 2, 12, 8, 6, 3])
        let expected = try source.forward(batch).lastHiddenState.toArray()
        let got = try long.forward(batch).lastHiddenState.toArray()
        for (i, (a, b)) in zip(got, expected).enumerated() { XCTAssertEqual(a, b, accuracy: 1e-5, "hidden[\(i)]") }

        let refused = try LexgraphBinary.run(["model", "longformer", inputs.modelDirectory, dir + "/odd", "--attention-window", "7"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("attention window 7 must be a positive even number"), refused.stderr)
    }

    /// `lexgraph finetune --model FOLDER` on a converted Longformer: sequences longer than the
    /// window train through the one loop; the checkpoint is a
    /// `LongformerForSequenceClassification` folder that `lexgraph tag` reads.
    func testFineTuneLongformerFolder() throws {
        let dir = try TinyTask.temporaryDirectory("finetune-longformer")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try TinyTask.runInputs(dir)
        let base = try BertModel.load(directory: inputs.modelDirectory).convertedToLongformer(maxPositions: 64, attentionWindow: 4)
        try base.saveCheckpoint(directory: inputs.modelDirectory)  // replaces the BERT runInputs wrote; vocab.txt stays

        let args = ["finetune", "--model", inputs.modelDirectory, "--train", inputs.trainPath, "--dev", try XCTUnwrap(inputs.devPath),
                    "--task", "classify", "--id-field", "id", "--epochs", "2", "--lr", "5e-3", "--batch-size", "4", "--max-length", "24",
                    "--out", dir + "/run"]
        let run = try LexgraphBinary.run(args)
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains("run folder: \(dir)/run (2 epoch(s)"), run.stdout)
        let checkpoint = dir + "/run/checkpoint"
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json"))) as? [String: Any])
        XCTAssertEqual(saved["model_type"] as? String, "longformer")
        XCTAssertEqual(saved["architectures"] as? [String], ["LongformerForSequenceClassification"])
        XCTAssertEqual(saved["attention_window"] as? [Int], [4, 4])
        let names = Set(try SafetensorsFile(path: checkpoint + "/model.safetensors").entries.map(\.name))
        XCTAssertTrue(names.isSuperset(of: ["classifier.dense.weight", "classifier.out_proj.weight",
                                            "longformer.encoder.layer.1.attention.self.key_global.weight"]), "\(names.sorted())")
        let trained = try BertModel.load(directory: checkpoint)
        XCTAssertEqual(trained.head?.numLabels, 3)
        for name in ["encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query_global.weight"] {
            XCTAssertNotEqual(try XCTUnwrap(trained.parameters[name]).value.toArray(), try XCTUnwrap(base.parameters[name]).value.toArray(), name)
        }

        try Data("{\"text\": \"the court may not\", \"id\": \"a\"}\n".utf8).write(to: URL(fileURLWithPath: dir + "/tag.jsonl"))
        let tag = try LexgraphBinary.run(["tag", dir + "/tag.jsonl", "--types-model", dir + "/run", "--top", "3"])
        XCTAssertEqual(tag.status, 0, "\(tag)")
    }
}

import Foundation
import Tensor
import Tokenizers
import Transformer
import XCTest
import TestRequirements

/// Fine-tuning the real all-MiniLM-L6-v2 on 64 real CUAD clauses drives the training loss
/// down: partial fine-tuning (embeddings and 4 bottom layers frozen and cached once), the
/// top 2 layers, pooler and a fresh 4-way head trained on clause categories.
final class MiniLMFineTuneTests: XCTestCase {
    static let categories = ["Audit Rights", "Cap On Liability", "Governing Law", "Insurance"]

    /// The shared data folder: `LEXGRAPH_DATA` or `<root>/../shared/data`.
    static var dataDirectory: String {
        ProcessInfo.processInfo.environment["LEXGRAPH_DATA"] ?? Fixtures.packageRoot + "/../shared/data"
    }

    func testFineTuningMiniLMOnCUADClausesDrivesTrainingLossDown() throws {
        let dir = Fixtures.miniLM
        try TestRequirements.requireFile(dir + "/model.safetensors", "MiniLM (run tools/setup.sh or set LEXGRAPH_MODEL)")
        let path = Self.dataDirectory + "/clauses/cuad.tsv"
        try TestRequirements.requireFile(path, "CUAD clauses (shared data; set LEXGRAPH_DATA)")

        // The first 16 clauses of each of 4 categories, in file order.
        let rows = try TextDataset.load(path: path, fields: TextDatasetFields(text: "text", label: "category"), multiLabel: false)
        var taken: [String: Int] = [:]
        let items = rows.filter { row in
            guard let c = row.labels.first, Self.categories.contains(c), taken[c, default: 0] < 16 else { return false }
            taken[c, default: 0] += 1
            return true
        }
        XCTAssertEqual(items.count, 64)
        let labels = try LabelSet(collecting: items)
        XCTAssertEqual(labels.names, Self.categories)
        let examples = try EncodedExample.encode(items, tokenizer: try BertTokenizer.load(directory: dir), maxLength: 48, labels: labels, path: path)

        var options = FineTuneOptions(task: .classify)
        options.epochs = 4; options.batchSize = 8; options.learningRate = 1e-3; options.freezeLayers = 4
        options.maxLength = 48; options.seed = 13; options.warmupRatio = 0.1
        let start = Date()
        let model = try BertModel.load(directory: dir, head: ClassificationHeadSpec(numLabels: 4, problemType: .singleLabelClassification), seed: options.seed)
        let tuner = try FineTuner(model: model, examples: examples, options: options)
        let setup = Date().timeIntervalSince(start)
        var epochLoss: [Double] = [], seconds: [Double] = []
        while !tuner.isFinished {
            let t0 = Date()
            let losses = try tuner.trainEpoch()
            seconds.append(Date().timeIntervalSince(t0))
            epochLoss.append(losses.map(Double.init).reduce(0, +) / Double(losses.count))
        }
        let logits = try tuner.predict(examples, cache: tuner.cache)
        let accuracy = ClassificationMetrics.accuracy(gold: examples.map { $0.labels[0] }, predicted: logits.map { r in r.indices.max { r[$0] < r[$1] } ?? 0 })
        print("[MiniLM CUAD] load+cache \(String(format: "%.2f", setup)) s; epoch mean losses \(epochLoss.map { String(format: "%.4f", $0) }); "
              + "seconds per epoch \(seconds.map { String(format: "%.2f", $0) }); train accuracy \(accuracy)")
        XCTAssertEqual(tuner.position.step, 32, "8 batches of 8 per epoch, 4 epochs")
        XCTAssertGreaterThan(epochLoss[0], 1.0, "a fresh 4-way head starts near ln 4")
        XCTAssertLessThan(epochLoss[3], 0.5 * epochLoss[0], "the last epoch's mean loss falls well below the first's")
    }
}

import Foundation
import Tokenizers
import Transformer

extension FineTuneTrials {
    /// Copies the winning trial's run folder to `destination` (replacing what is there),
    /// a folder like any `lexgraph finetune` writes; with `testPath`, scores its
    /// checkpoint on that file (only now, after the search) into `test_metrics.json`.
    @discardableResult
    public func writeWinner(trial: Int, to destination: String, testPath: String?) throws -> [String: Double]? {
        let fm = FileManager.default
        do {
            if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
            try fm.copyItem(atPath: folder(trial), toPath: destination)
        } catch {
            throw SearchError("cannot write the winner's run folder: \(error.localizedDescription)", file: destination)
        }
        guard let testPath else { return nil }
        let record = try FineTuneRun.record(ofRun: destination)
        let checkpoint = destination + "/checkpoint"
        let model = try BertModel.load(directory: checkpoint, head: record.options.head(labelCount: record.labels.count), initializeMissingHead: false)
        let tokenizer = try TokenizerFolder.load(directory: checkpoint)
        let items = try TextDataset.load(path: testPath, fields: record.inputs.fields, multiLabel: record.options.task == .multilabel)
        let test = try EncodedExample.encode(items, tokenizer: tokenizer, maxLength: record.options.maxLength, labels: record.labels, path: testPath)
        let logits = try model.predictLogits(test, padTokenId: tokenizer.padId)
        let metrics = FineTuneRun.metrics(task: record.options.task, gold: test.map(\.labels), logits: logits, labelCount: record.labels.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = destination + "/test_metrics.json"
        struct TestMetrics: Encodable { var test: String, trial: Int, metrics: [String: Double] }
        do { try encoder.encode(TestMetrics(test: testPath, trial: trial, metrics: metrics)).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw SearchError("cannot write the test metrics: \(error.localizedDescription)", file: path)
        }
        return metrics
    }
}

import Foundation
import Tensor
import Tokenizers
import Transformer
import XCTest

/// The run folder end to end on a tiny model folder: files written, checkpoint loadable
/// and agreeing with the saved predictions, early stopping, and a run interrupted after
/// one epoch and resumed matching an uninterrupted run.
final class FineTuneRunTests: XCTestCase {
    func makeInputs(_ dir: String, train: [LabeledText] = TinyTask.items(24, seed: 1)) throws -> FineTuneInputs {
        try TinyTask.runInputs(dir, train: train)
    }

    func options() -> FineTuneOptions {
        var o = FineTuneOptions(task: .classify)
        o.epochs = 3; o.batchSize = 4; o.learningRate = 3e-3; o.maxLength = 24; o.seed = 5
        return o
    }

    func testRunFolderHoldsConfigMetricsCheckpointAndPredictions() throws {
        let dir = try TinyTask.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try makeInputs(dir)
        let out = dir + "/run"
        var logged: [String] = []
        let history = try FineTuneRun(inputs: inputs, options: options(), directory: out).run(resume: false, progress: { title, total, done in
            ProgressBar(title: title, total: total, done: done, isTerminal: false, logInterval: 0, write: { logged.append($0) })
        })
        XCTAssertEqual(history.count, 3)
        XCTAssertEqual(history.map(\.step), [6, 12, 18])
        XCTAssertTrue(logged.contains { $0.hasPrefix("epoch 3/3 [####################] 6/6 loss ") && $0.contains("macro_f1") }, "\(logged.suffix(2))")

        let fm = FileManager.default
        for file in ["config.json", "metrics.jsonl", "summary.md", "dev_predictions.jsonl", "checkpoint/config.json", "checkpoint/model.safetensors",
                     "checkpoint/vocab.txt", "state/model.safetensors", "state/optimizer.safetensors", "state/trainer_state.json"] {
            XCTAssertTrue(fm.fileExists(atPath: out + "/" + file), file)
        }
        let metricLines = try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metricLines.count, 3)
        XCTAssertTrue(metricLines[0].contains("\"train_loss\""), String(metricLines[0]))
        let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
        XCTAssertTrue(summary.contains("| epoch | step | train loss | dev accuracy | dev macro_f1 | seconds |"), summary)

        // The HF config names the labels; the checkpoint loads with its head and reproduces the predictions.
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/checkpoint/config.json"))) as? [String: Any])
        XCTAssertEqual(config["id2label"] as? [String: String], ["0": "contract", "1": "court", "2": "statute"])
        XCTAssertEqual(config["problem_type"] as? String, "single_label_classification")
        XCTAssertEqual(config["architectures"] as? [String], ["BertForSequenceClassification"])
        let best = try XCTUnwrap(history.last(where: \.best))
        let checkpoint = try BertModel.load(directory: out + "/checkpoint")
        XCTAssertEqual(checkpoint.head, ClassificationHeadSpec(numLabels: 3, problemType: .singleLabelClassification))
        let devItems = try TextDataset.load(path: try XCTUnwrap(inputs.devPath), fields: inputs.fields, multiLabel: false)
        let dev = try EncodedExample.encode(devItems, tokenizer: try BertTokenizer.load(directory: out + "/checkpoint"), maxLength: 24,
                                            labels: try LabelSet(names: TinyTask.topics))
        let logits = try checkpoint.predictLogits(dev)
        let predictions = try String(contentsOfFile: out + "/dev_predictions.jsonl", encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(predictions.count, 9)
        var correct = 0
        for (row, p) in zip(logits, predictions) {
            let argmax = row.indices.max { row[$0] < row[$1] } ?? 0
            XCTAssertEqual(p["predicted"] as? String, TinyTask.topics[argmax])
            if (p["gold"] as? [String]) == [TinyTask.topics[argmax]] { correct += 1 }
        }
        XCTAssertEqual(Double(correct) / 9, try XCTUnwrap(best.dev["accuracy"]), accuracy: 1e-12, "saved metrics are the checkpoint's")
        print("[run folder] epochs: " + history.map { "loss \($0.trainLoss) dev \($0.dev)" }.joined(separator: "; "))
    }

    func testInterruptedAndResumedRunEqualsAnUninterruptedRun() throws {
        let dir = try TinyTask.temporaryDirectory("run-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try makeInputs(dir)
        let straight = try FineTuneRun(inputs: inputs, options: options(), directory: dir + "/a").run(resume: false)
        let run = FineTuneRun(inputs: inputs, options: options(), directory: dir + "/b")
        XCTAssertEqual(try run.run(resume: false, epochLimit: 1).count, 1)
        XCTAssertThrowsError(try run.run(resume: false)) { XCTAssertTrue("\($0)".contains("already holds a run"), "\($0)") }
        var changed = options()
        changed.learningRate = 1e-3
        XCTAssertThrowsError(try FineTuneRun(inputs: inputs, options: changed, directory: dir + "/b").run(resume: true)) {
            XCTAssertTrue("\($0)".contains("training options differ"), "\($0)")
        }
        let resumed = try run.run(resume: true)
        var notes: [String] = []
        XCTAssertEqual(try run.run(resume: true, log: { notes.append($0) }).map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(notes, ["the run is already finished (3 epoch(s))"])
        XCTAssertEqual(resumed.map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(resumed.map(\.dev), straight.map(\.dev))
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/a/checkpoint/model.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/b/checkpoint/model.safetensors"))
        XCTAssertEqual(a, b, "same checkpoint bytes")
    }

    func testEarlyStoppingEndsTheRunWhenTheDevMetricStallsAndKeepsTheBest() throws {
        let dir = try TinyTask.temporaryDirectory("run-stop")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inputs = try makeInputs(dir)
        var o = options()
        o.epochs = 12; o.patience = 1; o.learningRate = 1e-6  // too small to move the dev metric
        let history = try FineTuneRun(inputs: inputs, options: o, directory: dir + "/run").run(resume: false)
        XCTAssertEqual(history.count, 2, "epoch 2 does not beat epoch 1, patience 1 stops there")
        XCTAssertEqual(history.map(\.best), [true, false])
    }

    /// Head-only training (every layer frozen) with mean pooling and balanced class weights
    /// on imbalanced data: the record holds the weights, the checkpoint records the pooling
    /// and, reloaded without any cache, predicts what the run saved; an interrupted and
    /// resumed run equals an uninterrupted one.
    func testHeadOnlyMeanPooledBalancedRunRecordsResumesAndReloads() throws {
        let dir = try TinyTask.temporaryDirectory("run-head")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let train = TinyTask.items(30, seed: 1).enumerated().filter { $0.offset % 3 != 2 || $0.offset < 9 }.map(\.element)  // few "statute"
        let inputs = try makeInputs(dir, train: train)
        var o = options()
        o.freezeLayers = 2; o.pooling = .mean; o.classWeighting = .balanced; o.epochs = 4; o.learningRate = 5e-3
        var notes: [String] = []
        let straight = try FineTuneRun(inputs: inputs, options: o, directory: dir + "/a").run(resume: false, log: { notes.append($0) })
        XCTAssertTrue(notes.contains { $0.hasPrefix("cached the output of 2 frozen layers for") }, "\(notes)")
        let counts = TinyTask.topics.map { t in train.filter { $0.labels == [t] }.count }
        XCTAssertEqual(counts, [10, 10, 3])
        let expected = counts.map { Float(Double(train.count) / (3 * Double($0))) }
        XCTAssertTrue(notes.contains("class weights (cross-entropy weight): contract 0.767, court 0.767, statute 2.56"), "\(notes)")

        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/a/checkpoint/config.json"))) as? [String: Any])
        XCTAssertEqual(config["lexgraph_pooling"] as? String, "mean")
        let record = try XCTUnwrap(config["lexgraph_finetune"] as? [String: Any])
        XCTAssertEqual((record["classWeights"] as? [Double])?.map(Float.init), expected)
        let savedOptions = try XCTUnwrap(record["options"] as? [String: Any])
        XCTAssertEqual(savedOptions["pooling"] as? String, "mean")
        XCTAssertEqual(savedOptions["classWeighting"] as? String, "balanced")

        // The checkpoint alone (no cache) gives the saved dev predictions.
        let checkpoint = try BertModel.load(directory: dir + "/a/checkpoint")
        XCTAssertEqual(checkpoint.head?.pooling, .mean)
        let devItems = try TextDataset.load(path: try XCTUnwrap(inputs.devPath), fields: inputs.fields, multiLabel: false)
        let dev = try EncodedExample.encode(devItems, tokenizer: try BertTokenizer.load(directory: dir + "/a/checkpoint"), maxLength: 24,
                                            labels: try LabelSet(names: TinyTask.topics))
        let logits = try checkpoint.predictLogits(dev)
        let lines = try String(contentsOfFile: dir + "/a/dev_predictions.jsonl", encoding: .utf8).split(separator: "\n")
        for (row, line) in zip(logits, lines) {
            let p = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let scores = try XCTUnwrap(p["scores"] as? [String: Double])
            let e = row.map { exp(Double($0 - (row.max() ?? 0))) }
            for (c, name) in TinyTask.topics.enumerated() { XCTAssertEqual(scores[name] ?? -1, e[c] / e.reduce(0, +), accuracy: 2e-6) }
        }

        let run = FineTuneRun(inputs: inputs, options: o, directory: dir + "/b")
        XCTAssertEqual(try run.run(resume: false, epochLimit: 2).count, 2)
        var unweighted = o
        unweighted.classWeighting = .none
        XCTAssertThrowsError(try FineTuneRun(inputs: inputs, options: unweighted, directory: dir + "/b").run(resume: true)) {
            XCTAssertTrue("\($0)".contains("training options differ"), "\($0)")
        }
        let resumed = try run.run(resume: true)
        XCTAssertEqual(resumed.map(\.trainLoss), straight.map(\.trainLoss))
        XCTAssertEqual(resumed.map(\.dev), straight.map(\.dev))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/a/checkpoint/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/b/checkpoint/model.safetensors")), "same checkpoint bytes")
        print("[head-only mean balanced] " + straight.map { "loss \($0.trainLoss) dev \($0.dev)" }.joined(separator: "; "))
    }

    /// Runs saved before pooling and class weighting existed still resume: the options
    /// decode with their defaults.
    func testOptionsSavedWithoutTheNewerSettingsDecodeWithDefaults() throws {
        var o = options()
        o.patience = 2
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(o)) as? [String: Any])
        XCTAssertNotNil(json.removeValue(forKey: "pooling"))
        XCTAssertNotNil(json.removeValue(forKey: "classWeighting"))
        let decoded = try JSONDecoder().decode(FineTuneOptions.self, from: JSONSerialization.data(withJSONObject: json))
        XCTAssertEqual(decoded, o)
        XCTAssertEqual(decoded.pooling, .cls)
        XCTAssertEqual(decoded.classWeighting, ClassWeighting.none)
    }
}

import Foundation
import GraphStore
import LexgraphCore
import Tokenizers
import Transformer
import XCTest
import ContractReview

/// `ClauseEvaluation` on tiny runs trained here: the files it writes, and its figures
/// against the same figures recomputed from the checkpoint independently (predictions
/// made here, F1s counted here; the metric functions themselves are checked against
/// scikit-learn in ClauseMetricsTests).
final class ClauseEvaluationTests: XCTestCase {
    let unfairLabels = ["Arbitration", "Jurisdiction", "Limitation of liability"]

    /// A prepared unfair-tos folder and a multilabel run trained on it.
    func unfairRun(_ dir: String) throws -> (prepared: String, run: String) {
        let prepared = dir + "/unfair", run = dir + "/run"
        try TinyClauses.prepare(prepared, task: "unfair-tos", labels: unfairLabels + ["Other"], multiLabel: true, fold: 2, splits: [
            ("train", TinyClauses.multiLabel(48, seed: 1)), ("dev", TinyClauses.multiLabel(20, seed: 2)), ("test", TinyClauses.multiLabel(25, seed: 3)),
        ])
        try TinyClauses.train(model: try TinyClauses.baseModel(in: dir), prepared: prepared, run: run, task: .multilabel)
        return (prepared, run)
    }

    /// Sigmoid probabilities of a split, predicted here from the checkpoint.
    func probabilities(run: String, file: String, maxLength: Int = 12) throws -> (items: [LabeledText], p: [[Double]]) {
        let items = try TextDataset.load(path: file, fields: TextDatasetFields(id: "id"), multiLabel: true)
        let labels = try LabelSet(names: unfairLabels)
        let tokenizer = try BertTokenizer.load(directory: run + "/checkpoint")
        let model = try BertModel.load(directory: run + "/checkpoint")
        let logits = try model.predictLogits(try EncodedExample.encode(items, tokenizer: tokenizer, maxLength: maxLength, labels: labels))
        return (items, logits.map { $0.map { 1 / (1 + exp(-Double($0))) } })
    }

    func testUnfairTermsMetricsFileMatchesAnIndependentRecomputation() throws {
        let dir = try ClauseTestSupport.temporaryDirectory("clause-eval")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (prepared, run) = try unfairRun(dir)
        let result = try ClauseEvaluation(task: try PreparedClauseTask.read(directory: prepared), runDirectory: run).run()
        try ClauseEvaluation.write(result)
        XCTAssertTrue(result.devReproduced, "the run's dev file is the task's: its saved dev predictions are checked")

        let json = try ClauseTestSupport.readJSON(run + "/test_metrics.json")
        XCTAssertEqual(json["task"]?.stringValue, "unfair-tos")
        XCTAssertEqual(json["fold"]?.intValue, 2)
        XCTAssertEqual(json["dev_reproduced"]?.boolValue, true)
        let counts = ClauseTestSupport.map(try XCTUnwrap(json["counts"]))
        XCTAssertEqual(counts["dev"]?.intValue, 20)
        XCTAssertEqual(counts["test"]?.intValue, 25)
        let metrics = ClauseTestSupport.map(try XCTUnwrap(json["metrics"]))
        XCTAssertEqual(Set(metrics.keys), ["macro_f1", "micro_f1", "ece", "micro_f1_labels", "macro_f1_labels"])
        let thresholdMap = ClauseTestSupport.map(try XCTUnwrap(json["thresholds"]))
        XCTAssertEqual(Set(thresholdMap.keys), Set(unfairLabels))

        // Recomputed: thresholds tuned on dev, F1s counted on test.
        let dev = try probabilities(run: run, file: prepared + "/dev.jsonl")
        let test = try probabilities(run: run, file: prepared + "/test.jsonl")
        let index = Dictionary(uniqueKeysWithValues: unfairLabels.enumerated().map { ($1, $0) })
        let devGold = dev.items.map { Set($0.labels.map { index[$0]! }) }
        let testGold = test.items.map { Set($0.labels.map { index[$0]! }) }
        let thresholds = ClauseMetrics.tunedThresholds(gold: devGold, scores: dev.p, labelCount: 3)
        for (l, name) in unfairLabels.enumerated() {
            XCTAssertEqual(thresholdMap[name]?.doubleValue ?? .nan, thresholds[l], accuracy: 1e-6, name)
        }
        var tp = [Int](repeating: 0, count: 4), fp = tp, fn = tp
        var predictedSets: [Set<Int>] = []
        for (gold, row) in zip(testGold, test.p) {
            var predicted = Set((0..<3).filter { row[$0] >= thresholds[$0] })
            predictedSets.append(predicted)
            var g = gold
            if g.isEmpty { g = [3] }
            if predicted.isEmpty { predicted = [3] }
            for l in 0..<4 {
                switch (g.contains(l), predicted.contains(l)) {
                case (true, true): tp[l] += 1
                case (false, true): fp[l] += 1
                case (true, false): fn[l] += 1
                default: break
                }
            }
        }
        let f1: [Double] = (0..<4).map { l -> Double in
            let denominator: Int = 2 * tp[l] + fp[l] + fn[l]
            return denominator == 0 ? 0 : Double(2 * tp[l]) / Double(denominator)
        }
        XCTAssertEqual(metrics["macro_f1"]?.doubleValue ?? .nan, f1.reduce(0, +) / 4, accuracy: 1e-9)
        XCTAssertEqual(metrics["macro_f1_labels"]?.doubleValue ?? .nan, f1.prefix(3).reduce(0, +) / 3, accuracy: 1e-9)
        let t: Int = tp[0] + tp[1] + tp[2], p: Int = fp[0] + fp[1] + fp[2], n: Int = fn[0] + fn[1] + fn[2]
        XCTAssertEqual(metrics["micro_f1_labels"]?.doubleValue ?? .nan, Double(2 * t) / Double(2 * t + p + n), accuracy: 1e-9)
        // The headline micro-F1 counts Other as a fourth label here (LexGLUE's way).
        let t4: Int = t + tp[3], p4: Int = p + fp[3], n4: Int = n + fn[3]
        XCTAssertEqual(metrics["micro_f1"]?.doubleValue ?? .nan, Double(2 * t4) / Double(2 * t4 + p4 + n4), accuracy: 1e-9)
        XCTAssertEqual(metrics["ece"]?.doubleValue ?? .nan, ClauseMetrics.pooledCalibrationError(gold: testGold, probabilities: test.p), accuracy: 1e-6)
        let perLabel = ClauseTestSupport.list(json["per_label"]).map(ClauseTestSupport.map)
        XCTAssertEqual(perLabel.map { $0["label"]?.stringValue ?? "" }, unfairLabels + ["Other"])
        XCTAssertEqual(perLabel.map { $0["support"]?.intValue ?? -1 }, (0..<4).map { Int64(tp[$0] + fn[$0]) })

        // One prediction line per test item, in file order, with the same decisions.
        let lines = try String(contentsOfFile: run + "/test_predictions.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, test.items.count)
        for (i, line) in lines.enumerated() {
            let row = ClauseTestSupport.map(try Value.parseJSON(String(line)))
            XCTAssertEqual(row["id"]?.stringValue, test.items[i].id)
            XCTAssertEqual(row["line"]?.intValue, Int64(test.items[i].line))
            XCTAssertEqual(Set(ClauseTestSupport.list(row["predicted"]).compactMap(\.stringValue)), Set(predictedSets[i].map { unfairLabels[$0] }), "line \(i + 1)")
            XCTAssertEqual(ClauseTestSupport.list(row["gold"]).compactMap(\.stringValue), test.items[i].labels)
        }
        // The table shows every metric and every label.
        let table = ClauseEvaluation.table(result)
        for word in ["macro_f1", "micro_f1", "ece", "Arbitration", "Limitation of liability", "Other", "unfair-tos fold 2"] {
            XCTAssertTrue(table.contains(word), "table lacks \(word):\n\(table)")
        }
    }

    func testCUADRetrievalScoresEachCategoryAndLeavesOutOnesWithoutPositives() throws {
        let dir = try ClauseTestSupport.temporaryDirectory("clause-eval-cuad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (prepared, run) = try unfairRun(dir)
        // The same texts as a cuad task, whose test set has no "Limitation of liability".
        let cuad = dir + "/cuad"
        try TinyClauses.prepare(cuad, task: "cuad", labels: unfairLabels, multiLabel: true, splits: [
            ("train", TinyClauses.multiLabel(48, seed: 1)), ("dev", TinyClauses.multiLabel(20, seed: 2)),
            ("test", TinyClauses.multiLabel(30, seed: 4, allowed: ["Arbitration", "Jurisdiction"])),
        ])
        let result = try ClauseEvaluation(task: try PreparedClauseTask.read(directory: cuad), runDirectory: run).run()
        XCTAssertFalse(result.devReproduced, "another folder's dev file: nothing to compare with")
        _ = prepared
        let test = try probabilities(run: run, file: cuad + "/test.jsonl")
        var aps: [Double] = [], pars: [Double] = []
        for l in 0..<2 {
            let gold = test.items.map { $0.labels.contains(unfairLabels[l]) }
            aps.append(try XCTUnwrap(ClauseMetrics.averagePrecision(labels: gold, scores: test.p.map { $0[l] })))
            pars.append(try XCTUnwrap(ClauseMetrics.precisionAtRecall(0.8, labels: gold, scores: test.p.map { $0[l] })))
        }
        let m = result.test.scores.metrics
        XCTAssertEqual(m["aupr_mean"] ?? .nan, (aps[0] + aps[1]) / 2, accuracy: 1e-9)
        XCTAssertEqual(m["aupr_worst"] ?? .nan, aps.min()!, accuracy: 1e-9)
        XCTAssertEqual(m["p_at_r80_mean"] ?? .nan, (pars[0] + pars[1]) / 2, accuracy: 1e-9)
        XCTAssertEqual(m["p_at_r80_worst"] ?? .nan, pars.min()!, accuracy: 1e-9)
        XCTAssertEqual(result.test.scores.worstLabels["aupr_worst"], unfairLabels[aps[0] <= aps[1] ? 0 : 1])
        XCTAssertEqual(result.test.scores.unscored, ["Limitation of liability"])
        XCTAssertNil(m["ece"], "ECE is the unfair-terms task's")
        let json = ClauseEvaluation.metricsJSON(result)
        guard case .map(let object) = json else { return XCTFail("not an object") }
        XCTAssertEqual(ClauseTestSupport.list(object["unscored"]).compactMap(\.stringValue), ["Limitation of liability"])
    }

    func testClauseTypesScoreFamiliesFromTheGraph() throws {
        let dir = try ClauseTestSupport.temporaryDirectory("clause-eval-types")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let types = [(word: "governing", type: "governing-law"), (word: "choice", type: "choice-of-law"), (word: "notices", type: "notices")]
        let prepared = dir + "/types", run = dir + "/run"
        try TinyClauses.prepare(prepared, task: "clause-types", labels: types.map(\.type), multiLabel: false, splits: [
            ("train", TinyClauses.singleLabel(36, seed: 1, types: types)), ("dev", TinyClauses.singleLabel(12, seed: 2, types: types)),
            ("test", TinyClauses.singleLabel(21, seed: 3, types: types)),
        ])
        try TinyClauses.train(model: try TinyClauses.baseModel(in: dir), prepared: prepared, run: run, task: .classify, epochs: 1)
        let store = try ClauseFamiliesTests.graph(families: ["governing-law": "governing-law", "choice-of-law": "governing-law", "notices": "notices"])
        let result = try ClauseEvaluation(task: try PreparedClauseTask.read(directory: prepared), runDirectory: run,
                                          families: try ClauseFamilies(store: store)).run()
        try ClauseEvaluation.write(result)

        // Recomputed from the checkpoint: softmax argmax, family of gold and predicted type.
        let items = try TextDataset.load(path: prepared + "/test.jsonl", fields: TextDatasetFields(id: "id"), multiLabel: false)
        let labels = try LabelSet(names: types.map(\.type).sorted())
        let model = try BertModel.load(directory: run + "/checkpoint")
        let logits = try model.predictLogits(try EncodedExample.encode(items, tokenizer: try BertTokenizer.load(directory: run + "/checkpoint"),
                                                                        maxLength: 12, labels: labels))
        let family = ["choice-of-law": "g", "governing-law": "g", "notices": "n"]
        var right = 0, sameFamily = 0
        for (item, row) in zip(items, logits) {
            let predicted = labels.names[row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!]
            if predicted == item.labels[0] { right += 1 }
            if family[predicted] == family[item.labels[0]] { sameFamily += 1 }
        }
        let json = try ClauseTestSupport.readJSON(run + "/test_metrics.json")
        let metrics = ClauseTestSupport.map(try XCTUnwrap(json["metrics"]))
        XCTAssertEqual(Set(metrics.keys), ["accuracy", "top5", "family_accuracy", "macro_f1"])
        XCTAssertEqual(metrics["accuracy"]?.doubleValue ?? .nan, Double(right) / 21, accuracy: 1e-9)
        XCTAssertEqual(metrics["family_accuracy"]?.doubleValue ?? .nan, Double(sameFamily) / 21, accuracy: 1e-9)
        XCTAssertEqual(metrics["top5"]?.doubleValue, 1, "three types: the gold one is always among the best five")
        XCTAssertEqual(json["thresholds"], .null)
        let first = try XCTUnwrap(try String(contentsOfFile: run + "/test_predictions.jsonl", encoding: .utf8).split(separator: "\n").first)
        XCTAssertEqual(ClauseTestSupport.list(ClauseTestSupport.map(try Value.parseJSON(String(first)))["top"]).count, 3)
    }

    func testUnknownLabelNamesFileLineAndLabel() throws {
        let dir = try ClauseTestSupport.temporaryDirectory("clause-eval-unknown")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (prepared, run) = try unfairRun(dir)
        var lines = try String(contentsOfFile: prepared + "/test.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = #"{"id": "x", "text": "the court shall", "label": ["Jurisdiction", "Price change"]}"#
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: prepared + "/test.jsonl"))
        XCTAssertThrowsError(try ClauseEvaluation(task: try PreparedClauseTask.read(directory: prepared), runDirectory: run).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(prepared + "/test.jsonl:3: label \"Price change\" is not one the model knows"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/test_metrics.json"), "nothing written on an error")
    }

    func testTaskLabelTheModelLacksIsAnError() throws {
        let dir = try ClauseTestSupport.temporaryDirectory("clause-eval-lacks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (prepared, run) = try unfairRun(dir)
        var task = try PreparedClauseTask.read(directory: prepared)
        task.labels.append("Unilateral change")
        XCTAssertThrowsError(try ClauseEvaluation(task: task, runDirectory: run).run()) { error in
            XCTAssertTrue("\(error)".contains("has no output for 1 label(s) of the task") && "\(error)".contains("\"Unilateral change\""), "\(error)")
        }
        task.task = .clauseTypes
        XCTAssertThrowsError(try ClauseEvaluation(task: task, runDirectory: run).run()) { error in
            XCTAssertTrue("\(error)".contains("trained with --task multilabel but clause-types is single-label"), "\(error)")
        }
    }

    func testCheckpointThatDoesNotReproduceItsRunIsAnError() throws {
        let dir = try ClauseTestSupport.temporaryDirectory("clause-eval-repro")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (prepared, run) = try unfairRun(dir)
        // Another checkpoint in the run folder: the dev predictions no longer match.
        let other = try BertModel.load(directory: run + "/checkpoint")
        for p in other.parameters.parameters where p.name.hasPrefix("classifier.bias") { p.value.fill(3) }
        try other.saveCheckpoint(directory: run + "/checkpoint")
        XCTAssertThrowsError(try ClauseEvaluation(task: try PreparedClauseTask.read(directory: prepared), runDirectory: run).run()) { error in
            XCTAssertTrue("\(error)".contains("the checkpoint does not reproduce the run's dev predictions"), "\(error)")
        }
    }
}

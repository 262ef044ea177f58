import Foundation
import Grounding
import LexgraphCore
import Prediction
import XCTest

/// Run folders: a whole training run on the synthetic graph written and read back, the
/// crash-safe `.partial` protocol, refusal to overwrite, and clear errors for missing or
/// corrupt folders.
final class RunFolderTests: XCTestCase {
    func config(_ plan: RunPlan = .splitFull) -> RunConfig {
        RunConfig(modelKind: "graph-logistic", plan: plan,
                  options: ["fusion": .string("segment"), "epochs": .int(3), "learning_rate": .float(5e-5), "graph_head": .bool(true),
                            "nested": .map(["a": .list([.int(1), .string("x"), .null])])],
                  dataPath: "/data", databasePath: "/tmp/g.sqlite", encoderPath: "models/all-minilm-l6-v2", seed: 7,
                  created: "2026-11-29T15:00:00Z")
    }

    func testTrainingRunRoundTrip() throws {
        let built = try SyntheticCaseGraph.build()
        let root = SyntheticCaseGraph.temporaryFolder("runs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/glr"
        let writer = try RunFolderWriter(path: path, overwrite: false)
        var steps: [EvaluationProgress] = []
        let outcome = try RunTraining(config: config(), evaluator: Evaluator(bootstrap: Bootstrap(resamples: 50)))
            .run(dataset: built.dataset, grounder: CaseGrounder(graph: built.graph), writer: writer, progress: { steps.append($0) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        XCTAssertEqual(steps.filter { $0.phase == .finished }.map(\.model), ["majority", "past-outcome", "scdb-logistic", "graph-logistic"])

        let folder = try RunFolder(existing: path)
        XCTAssertEqual(folder.name, "glr")
        XCTAssertEqual(try folder.config(), config())
        XCTAssertEqual(try folder.epochs(), [])
        for file in ["config.json", "epochs.jsonl", "predictions-dev.csv", "predictions-test.csv", "evaluation.json", "evaluation.txt",
                     "model/graph-logistic.json", "report.md", "roc.svg", "calibration.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.file(file)), file)
        }
        // The test predictions read back exactly, every model on the same 20 cases.
        let stored = try folder.predictions(.test)
        XCTAssertEqual(stored.map(\.model), ["majority", "past-outcome", "scdb-logistic", "graph-logistic"])
        for (model, predictions) in stored {
            XCTAssertEqual(predictions, outcome.evaluation.predictions[model], model)
            XCTAssertEqual(predictions.count, 20)
        }
        XCTAssertEqual(try folder.predictions(.dev).first?.predictions.count, 10)
        // The saved model reproduces the stored test probabilities.
        let model = try RunModels.load(kind: "graph-logistic", directory: folder.modelDirectory, grounder: CaseGrounder(graph: built.graph))
        let test = built.dataset.folds(.fixed(.full))[0].test
        XCTAssertEqual(try model.predictProbabilities(test.map(\.query)), stored[3].predictions.map(\.probability))

        let report = try String(contentsOfFile: folder.file("report.md"), encoding: .utf8)
        for needle in ["## Threshold", "72.4%", "graph-logistic", "scdb-logistic", "![ROC curves](roc.svg)", "## Sample explained test predictions",
                       "closed form"] {
            XCTAssertTrue(report.contains(needle), needle)
        }

        // Refused without --overwrite; replaced with it.
        XCTAssertThrowsError(try RunFolderWriter(path: path, overwrite: false)) {
            XCTAssertTrue("\($0)".contains("already exists") && "\($0)".contains("--overwrite"), "\($0)")
        }
        let again = try RunFolderWriter(path: path, overwrite: true)
        try again.write(config: config(.walkForward))
        // Until commit, the old run is still the run.
        XCTAssertEqual(try RunFolder(existing: path).config().plan, .splitFull)
        try again.commit()
        XCTAssertEqual(try RunFolder(existing: path).config().plan, .walkForward)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
    }

    func testComparisonNeedsTheSameCases() throws {
        let built = try SyntheticCaseGraph.build()
        let root = SyntheticCaseGraph.temporaryFolder("cmp")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func train(_ name: String, _ dataset: CaseDataset) throws -> RunFolder {
            try RunTraining(config: config(), evaluator: Evaluator(bootstrap: Bootstrap(resamples: 20)))
                .run(dataset: dataset, grounder: CaseGrounder(graph: built.graph), writer: try RunFolderWriter(path: root + "/" + name, overwrite: false)).folder
        }
        let a = try train("a", built.dataset)
        let b = try train("b", built.dataset)
        let comparison = try RunComparison.load([a, b])
        XCTAssertEqual(comparison.models.map(\.model), ["majority", "past-outcome", "scdb-logistic", "a", "b"])
        XCTAssertEqual(comparison.caseCount, 20)
        let scores = try Evaluator(bootstrap: Bootstrap(resamples: 20)).scores(of: comparison.models)
        XCTAssertEqual(scores[3].metrics, scores[4].metrics)

        // A run tested on fewer cases cannot join the table.
        let fewer = CaseDataset(cases: built.dataset.cases.filter { $0.input.term != 2003 }, pastOutcomes: built.dataset.pastOutcomes)
        let c = try train("c", fewer)
        XCTAssertThrowsError(try RunComparison.load([a, c])) {
            XCTAssertTrue("\($0)".contains("runs a and c were tested on different cases"), "\($0)")
        }
    }

    func testMissingAndCorruptRunFolders() throws {
        let root = SyntheticCaseGraph.temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: root) }
        XCTAssertThrowsError(try RunFolder(existing: root + "/nothing")) { XCTAssertTrue("\($0)".contains("no run folder at"), "\($0)") }
        XCTAssertThrowsError(try RunFolder(existing: root)) { XCTAssertTrue("\($0)".contains("not a run folder"), "\($0)") }

        let writer = try RunFolderWriter(path: root + "/unfinished", overwrite: false)
        try writer.write(config: config())
        XCTAssertThrowsError(try RunFolder(existing: root + "/unfinished")) { XCTAssertTrue("\($0)".contains("did not complete"), "\($0)") }

        try FileManager.default.createDirectory(atPath: root + "/corrupt", withIntermediateDirectories: true)
        try Data(#"{"model_kind": "graph-logistic", "task": "scotus-outcome", "plan": "split_sideways"}"#.utf8)
            .write(to: URL(fileURLWithPath: root + "/corrupt/config.json"))
        XCTAssertThrowsError(try RunFolder(existing: root + "/corrupt").config()) {
            XCTAssertTrue("\($0)".contains("config.json") && "\($0)".contains("corrupt run config"), "\($0)")
        }

        // A key given twice (JSONDecoder would silently keep one) is refused at its line.
        try FileManager.default.createDirectory(atPath: root + "/repeated", withIntermediateDirectories: true)
        try Data("{\n  \"model_kind\": \"graph-logistic\",\n  \"seed\": 7,\n  \"seed\": 8\n}\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/repeated/config.json"))
        XCTAssertThrowsError(try RunFolder(existing: root + "/repeated").config()) {
            XCTAssertEqual("\($0)", "\(root)/repeated/config.json:4:3: corrupt run config: invalid JSON: duplicate key \"seed\" in an object")
        }
    }

    func testUnknownModelKind() throws {
        let built = try SyntheticCaseGraph.build()
        var c = config()
        c.modelKind = "oracle"
        XCTAssertThrowsError(try RunModels.make(config: c, grounder: CaseGrounder(graph: built.graph))) {
            XCTAssertEqual(($0 as? PredictionError)?.message, "unknown model kind 'oracle' (known: graph-logistic, fused-transformer, classical-blend)")
        }
        XCTAssertThrowsError(try RunModels.load(kind: "oracle", directory: "/nonexistent", grounder: CaseGrounder(graph: built.graph)))
    }

    func testPredictionsCSVRejectsMalformedRows() throws {
        let root = SyntheticCaseGraph.temporaryFolder("csv")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/p.csv"
        try "model,case_line,term,usid,label,probability\nm,3,2011,\"1,2\",1,0.25\nm,4,2011,,2,0.5\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PredictionsCSV.read(path: path)) { XCTAssertTrue("\($0)".hasPrefix(path + ":3"), "\($0)") }
        let rows = [ScoredPrediction(caseLine: 3, term: 2011, usid: "1,2", label: true, probability: 0.1 + 0.2, threshold: 0.29)]
        try PredictionsCSV.text([("m", rows)]).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try PredictionsCSV.read(path: path).first?.predictions, rows)
        XCTAssertEqual(try PredictionsCSV.read(path: path).first?.predictions.first?.predicted, true)
        // A threshold outside [0, 1] is named at its line.
        try "\(PredictionsCSV.header.joined(separator: ","))\nm,3,2011,,1,0.25,1.5\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PredictionsCSV.read(path: path)) { XCTAssertTrue("\($0)".hasPrefix(path + ":2"), "\($0)") }
    }

    /// Runs saved before models chose their own thresholds have no threshold column: their
    /// predictions read back at 0.5, as they were scored.
    func testPredictionsCSVWithoutThresholdReadsAtOneHalf() throws {
        let root = SyntheticCaseGraph.temporaryFolder("csv-old")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/p.csv"
        try "model,case_line,term,usid,label,probability\nm,3,2011,,1,0.5\nm,4,2011,,0,0.25\n".write(toFile: path, atomically: true, encoding: .utf8)
        let read = try XCTUnwrap(PredictionsCSV.read(path: path).first?.predictions)
        XCTAssertEqual(read.map(\.threshold), [decisionThreshold, decisionThreshold])
        XCTAssertEqual(read.map(\.predicted), [true, false])
    }
}

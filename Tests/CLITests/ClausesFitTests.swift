import Foundation
import TestRequirements
import XCTest

/// `lexgraph clauses fit` end to end on a tiny prepared clause-types folder whose items
/// carry hand-made embeddings (in `lexgraph embed`'s output format): each method's output,
/// the files it writes, and its errors.
final class ClausesFitTests: XCTestCase {
    static let types = [("qqa", "amendment"), ("qqb", "amendments"), ("qqc", "notices")]
    static let fillers = ["the", "party", "shall", "may", "notice", "law", "term", "this", "agreement", "writing"]

    /// DIR/prep (task.json, train/dev/test.jsonl) and DIR/emb/{split}.jsonl.
    func makeTask(multiLabel: Bool = false) throws -> (prepared: URL, embeddings: [String]) {
        let dir = try CLI.temporaryFolder(self)
        let prepared = dir.appendingPathComponent("prep"), emb = dir.appendingPathComponent("emb")
        for folder in [prepared, emb] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        var id = 0, files: [String] = []
        for (split, count) in [("train", 24), ("dev", 9), ("test", 9)] {
            var lines: [String] = [], vectors: [String] = []
            for i in 0..<count {
                id += 1
                let t = i % 3
                var words = (0..<(3 + (i * 7 + id) % 4)).map { Self.fillers[($0 * 3 + id) % Self.fillers.count] }
                words.insert(Self.types[t].0, at: (i + id) % (words.count + 1))
                let label: Any = multiLabel ? [Self.types[t].1] : Self.types[t].1
                let object: [String: Any] = ["id": "clause:clause-corpus:\(id)", "text": words.joined(separator: " "), "label": label]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self))
                var v = [0.0, 0.0, 0.0]
                v[t] = 1; v[(t + 1) % 3] = Double(id % 5) * 0.05
                vectors.append("{\"line\":\(i + 1),\"id\":\"clause:clause-corpus:\(id)\",\"embedding\":[\(v.map { "\($0)" }.joined(separator: ","))]}")
            }
            try (lines.joined(separator: "\n") + "\n").write(to: prepared.appendingPathComponent("\(split).jsonl"), atomically: true, encoding: .utf8)
            let file = emb.appendingPathComponent("\(split).jsonl")
            try (vectors.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        let task: [String: Any] = ["task": multiLabel ? "unfair-tos" : "clause-types", "fold": multiLabel ? 1 : NSNull(), "keep_headings": false,
                                   "labels": Self.types.map(\.1) + (multiLabel ? ["Other"] : []),
                                   "counts": ["train": 24, "dev": 9, "test": 9], "data": "/nowhere/x", "split_file": "/nowhere/y"]
        try JSONSerialization.data(withJSONObject: task, options: .sortedKeys).write(to: prepared.appendingPathComponent("task.json"))
        return (prepared, files)
    }

    func embeddingArguments(_ files: [String]) -> [String] { files.flatMap { ["--embeddings", $0] } }

    func testEachMethodPrintsItsScoresAndWritesItsFiles() throws {
        let (prepared, files) = try makeTask()
        let out = prepared.deletingLastPathComponent()
        let cases: [(method: String, extra: [String], tried: Int)] = [
            ("knn", ["--k", "1,3", "--temperature", "0.05"], 2),
            ("centroid", [], 3),
            ("tfidf", ["--c", "0.3,1"], 2),  // the default solver: the SVM, to tolerance
            ("hybrid", ["--solver", "adamw", "--epochs", "40", "--batch-size", "8", "--lr", "0.1", "--alpha", "1"], 1),
            ("hybrid", ["--c", "0.3,1", "--alpha", "0.5,2"], 4),  // the SVM on TF-IDF + α·embedding, α × C on dev
        ]
        var tfidfFeatures: Int?
        for (n, c) in cases.enumerated() {
            let run = out.appendingPathComponent("run-\(n)-" + c.method)
            let json = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", c.method, "--out", run.path, "--format", "json"]
                                   + (c.method == "tfidf" ? [] : embeddingArguments(files)) + c.extra)
            XCTAssertEqual(json.status, 0, "\(c.method): \(json)")
            XCTAssertEqual(json.lines.count, 1, "one JSON object: \(json)")
            XCTAssertTrue(json.stderr.contains("chosen on dev (accuracy "), "\(json)")
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["task"] as? String, "clause-types")
            let metrics = try XCTUnwrap(object["metrics"] as? [String: Double])
            XCTAssertEqual(metrics["accuracy"], 1, "\(c.method): \(metrics)")
            XCTAssertEqual(metrics["top5"], 1)
            let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("test_metrics.json"))) as? NSDictionary)
            XCTAssertEqual(saved, object as NSDictionary)
            let predictions = try String(contentsOf: run.appendingPathComponent("test_predictions.jsonl"), encoding: .utf8)
            XCTAssertEqual(predictions.split(separator: "\n").count, 9)
            let fit = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("fit.json"))) as? [String: Any])
            XCTAssertEqual(fit["method"] as? String, c.method)
            XCTAssertEqual(fit["selected_on"] as? String, "dev accuracy")
            XCTAssertEqual((fit["tried"] as? [Any])?.count, c.tried, "\(c.method): \(fit)")
            let chosen = try XCTUnwrap(fit["chosen"] as? [String: Any])
            if c.method == "tfidf" {
                XCTAssertEqual(chosen["solver"] as? String, "svm")
                XCTAssertEqual(chosen["unconverged_classes"] as? Int, 0, "\(chosen)")
                XCTAssertEqual(chosen["min_df"] as? Int, 1, "the peer's TF-IDF by default")
                tfidfFeatures = chosen["features"] as? Int
            }
            if c.method == "hybrid" && c.extra.contains("adamw") { XCTAssertEqual(chosen["solver"] as? String, "adamw") }
            if c.method == "hybrid" && !c.extra.contains("adamw") {
                XCTAssertEqual(chosen["solver"] as? String, "svm")
                XCTAssertEqual(chosen["features"] as? Int, tfidfFeatures.map { $0 + 3 }, "the TF-IDF columns and 3 embedding columns")
                let grid = try XCTUnwrap(fit["tried"] as? [[String: Any]]).map { [$0["alpha"] as? Double, $0["C"] as? Double] }
                XCTAssertEqual(grid, [[0.5, 0.3], [0.5, 1], [2, 0.3], [2, 1]], "every α × C setting is in fit.json")
                XCTAssertEqual(chosen["unconverged_classes"] as? Int, 0, "\(chosen)")
            }
        }
        // The table names each metric with test and dev columns.
        let table = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "centroid", "--out", out.appendingPathComponent("t").path]
                                + embeddingArguments(files))
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.stdout.hasPrefix("clause-types: test 9 items, dev 9; run "), "\(table)")
        XCTAssertTrue(table.stdout.contains("\naccuracy              1.000    1.000"), "\(table)")
    }

    func testTfidfAndHybridTagMultiLabelTasks() throws {
        let (prepared, files) = try makeTask(multiLabel: true)
        let run = prepared.deletingLastPathComponent().appendingPathComponent("hybrid")
        let json = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "hybrid", "--out", run.path, "--format", "json",
                                "--solver", "logistic", "--c", "1", "--alpha", "0.5,1"] + embeddingArguments(files))
        XCTAssertEqual(json.status, 0, "\(json)")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let metrics = try XCTUnwrap(object["metrics"] as? [String: Double])
        XCTAssertEqual(Set(metrics.keys), ["macro_f1", "micro_f1", "ece", "micro_f1_labels", "macro_f1_labels"])
        XCTAssertEqual(metrics["micro_f1_labels"], 1, "\(metrics)")
        XCTAssertEqual(Set(try XCTUnwrap(object["thresholds"] as? [String: Double]).keys), Set(Self.types.map(\.1)))
        let fit = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("fit.json"))) as? [String: Any])
        XCTAssertEqual(fit["selected_on"] as? String, "dev macro_f1")
        XCTAssertEqual((fit["tried"] as? [[String: Any]])?.compactMap { $0["alpha"] as? Double }, [0.5, 1])
    }

    /// `lexgraph embed` reads a prepared multi-label file (label lists) and writes one
    /// vector per item, by id, as `clauses fit --embeddings` reads them.
    func testEmbedWritesVectorsOfPreparedMultiLabelFiles() throws {
        let (prepared, _) = try makeTask(multiLabel: true)
        let model = prepared.deletingLastPathComponent().appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/model/tiny-bert")
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixture.appendingPathComponent(name), to: model.appendingPathComponent(name))
        }
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + Self.types.map(\.0) + Self.fillers
        try (words + (0..<(99 - words.count)).map { "w\($0)" }).joined(separator: "\n").appending("\n")
            .write(to: model.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["embed", prepared.appendingPathComponent("train.jsonl").path, "--model", model.path, "--max-length", "16"])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertEqual(run.lines.count, 24)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["id"] as? String, "clause:clause-corpus:1")
        let vector = try XCTUnwrap(first["embedding"] as? [Double])
        XCTAssertFalse(vector.isEmpty)
        XCTAssertEqual(vector.map { $0 * $0 }.reduce(0, +), 1, accuracy: 1e-4, "normalized")
    }

    func testErrorsNameWhatIsMissing() throws {
        let (prepared, files) = try makeTask()
        let out = prepared.deletingLastPathComponent().appendingPathComponent("x").path
        let noEmbeddings = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "knn", "--out", out])
        XCTAssertEqual(noEmbeddings.status, 64, "\(noEmbeddings)")
        XCTAssertTrue(noEmbeddings.stderr.contains("--method knn needs --embeddings"), "\(noEmbeddings)")
        let badK = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "knn", "--out", out, "--k", "5,x"] + embeddingArguments(files))
        XCTAssertEqual(badK.status, 64, "\(badK)")
        XCTAssertTrue(badK.stderr.contains("--k must be a comma-separated list of numbers, got \"5,x\""), "\(badK)")
        let badC = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "tfidf", "--out", out, "--c", "1,0"])
        XCTAssertEqual(badC.status, 64, "\(badC)")
        XCTAssertTrue(badC.stderr.contains("--c values must be positive, got 1,0"), "\(badC)")
        let noGraph = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "family", "--out", out,
                                   "--db", prepared.appendingPathComponent("none.sqlite").path] + embeddingArguments(files))
        XCTAssertEqual(noGraph.status, 1, "\(noGraph)")
        XCTAssertTrue(noGraph.stderr.hasPrefix("lexgraph: error: no graph database at \(prepared.path)/none.sqlite"), "\(noGraph)")
        let partial = try CLI.run(["clauses", "fit", "--data", prepared.path, "--method", "knn", "--out", out] + embeddingArguments(Array(files.prefix(2))))
        XCTAssertEqual(partial.status, 1, "\(partial)")
        XCTAssertTrue(partial.stderr.contains("\(prepared.path)/test.jsonl:1: 9 item(s) have no embedding"), "\(partial)")
        let (multi, multiFiles) = try makeTask(multiLabel: true)
        let wrongTask = try CLI.run(["clauses", "fit", "--data", multi.path, "--method", "knn", "--out", out] + embeddingArguments(multiFiles))
        XCTAssertEqual(wrongTask.status, 1, "\(wrongTask)")
        XCTAssertTrue(wrongTask.stderr.contains("--method knn scores single-label clause types; for unfair-tos use tfidf or hybrid"), "\(wrongTask)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written on an error")
    }
}

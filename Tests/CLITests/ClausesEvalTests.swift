import Foundation
import TestRequirements
import XCTest

/// `lexgraph clauses eval` end to end: a run made by `lexgraph finetune` on the tiny BERT
/// fixture (Tests/Fixtures/model/tiny-bert, with a vocabulary written here), scored on a
/// prepared unfair-tos folder; its output formats, files and errors.
final class ClausesEvalTests: XCTestCase {
    static let labels = ["Arbitration", "Jurisdiction", "Limitation of liability"]
    static let triggers = ["arbitration", "court", "liability"]

    /// A prepared folder and a one-epoch run trained on it: unfair-tos (multi-label over
    /// the three labels), or with `types` clause-types (each text's first trigger's
    /// label, lowercased as a type name).
    func makeRun(types: Bool = false) throws -> (prepared: URL, run: URL) {
        let dir = try CLI.temporaryFolder(self)
        let fm = FileManager.default
        let model = dir.appendingPathComponent("model"), prepared = dir.appendingPathComponent("prep")
        try fm.createDirectory(at: model, withIntermediateDirectories: true)
        try fm.createDirectory(at: prepared, withIntermediateDirectories: true)
        let fixture = CLI.root.appendingPathComponent("Tests/Fixtures/model/tiny-bert")
        for name in ["config.json", "model.safetensors"] {
            try fm.copyItem(at: fixture.appendingPathComponent(name), to: model.appendingPathComponent(name))
        }
        // The fixture's vocabulary size is 99: special tokens, the trigger words, fillers.
        let fillers = (0..<(99 - 5 - Self.triggers.count)).map { "w\($0)" }
        try (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + Self.triggers + fillers).joined(separator: "\n")
            .appending("\n").write(to: model.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        var id = 0
        for (split, count) in [("train", 32), ("dev", 12), ("test", 14)] {
            var lines: [String] = []
            for i in 0..<count {
                id += 1
                var words = (0..<(3 + (i * 7 + id) % 5)).map { fillers[($0 * 13 + id * 5) % fillers.count] }
                var labels: [String] = []
                for (l, word) in Self.triggers.enumerated() where (i + l) % 3 == 0 || (i >> l) & 1 == 1 && i % 4 == 1 {
                    words.insert(word, at: (i + l) % (words.count + 1))
                    labels.append(Self.labels[l])
                }
                if types && labels.isEmpty {
                    words.append(Self.triggers[i % 3])
                    labels = [Self.labels[i % 3]]
                }
                let label: Any = types ? Self.typeName(labels[0]) : labels
                let object: [String: Any] = ["id": "clause:unfair-tos:\(id)", "text": words.joined(separator: " "), "label": label]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: .sortedKeys), as: UTF8.self))
            }
            try (lines.joined(separator: "\n") + "\n").write(to: prepared.appendingPathComponent("\(split).jsonl"), atomically: true, encoding: .utf8)
        }
        let task: [String: Any] = ["task": types ? "clause-types" : "unfair-tos", "fold": types ? NSNull() : 1, "keep_headings": false,
                                   "labels": types ? Self.labels.map(Self.typeName) : Self.labels + ["Other"],
                                   "counts": ["train": 32, "dev": 12, "test": 14], "data": "/nowhere/unfair_tos.tsv", "split_file": "/nowhere/unfair_tos.csv"]
        try JSONSerialization.data(withJSONObject: task, options: .sortedKeys).write(to: prepared.appendingPathComponent("task.json"))
        let run = dir.appendingPathComponent("run")
        let train = try CLI.run(["finetune", "--model", model.path, "--train", prepared.appendingPathComponent("train.jsonl").path,
                                 "--dev", prepared.appendingPathComponent("dev.jsonl").path, "--task", types ? "classify" : "multilabel", "--id-field", "id",
                                 "--epochs", "1", "--batch-size", "8", "--max-length", "16", "--out", run.path])
        guard train.status == 0 else { throw CLI.Failure(description: "finetune failed: \(train)") }
        return (prepared, run)
    }

    static func typeName(_ label: String) -> String { label.lowercased().replacingOccurrences(of: " ", with: "-") }

    func testJSONAndTableOutputsAndTheFilesWritten() throws {
        let (prepared, run) = try makeRun()
        let json = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path, "--format", "json"])
        XCTAssertEqual(json.status, 0, "\(json)")
        XCTAssertEqual(json.lines.count, 1, "one JSON object: \(json)")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["task"] as? String, "unfair-tos")
        XCTAssertEqual(object["fold"] as? Int, 1)
        XCTAssertEqual(object["dev_reproduced"] as? Bool, true)
        let metrics = try XCTUnwrap(object["metrics"] as? [String: Double])
        XCTAssertEqual(Set(metrics.keys), ["macro_f1", "micro_f1", "ece", "micro_f1_labels", "macro_f1_labels"])
        for (name, value) in metrics { XCTAssertTrue((0...1).contains(value), "\(name) \(value)") }
        XCTAssertEqual(Set(try XCTUnwrap(object["thresholds"] as? [String: Double]).keys), Set(Self.labels))
        XCTAssertEqual((object["per_label"] as? [[String: Any]])?.compactMap { $0["label"] as? String }, Self.labels + ["Other"])
        // The file holds what was printed.
        let saved = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("test_metrics.json"))) as? NSDictionary)
        XCTAssertEqual(saved, object as NSDictionary)
        let predictions = try CLI.jsonLines(String(contentsOf: run.appendingPathComponent("test_predictions.jsonl"), encoding: .utf8))
        XCTAssertEqual(predictions.count, 14)
        XCTAssertEqual(predictions.first?["id"] as? String, "clause:unfair-tos:45")
        XCTAssertEqual(Set((predictions.first?["scores"] as? [String: Double] ?? [:]).keys), Set(Self.labels))

        let table = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path])
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.lines.first?.hasPrefix("unfair-tos fold 1: test 14 items, dev 12") == true, "\(table)")
        XCTAssertTrue(table.lines.contains { $0.hasPrefix("metric") && $0.contains("test") && $0.contains("dev") }, "\(table)")
        for name in ["macro_f1", "micro_f1", "ece"] { XCTAssertTrue(table.lines.contains { $0.hasPrefix(name + " ") }, "\(name): \(table)") }
        for label in Self.labels + ["Other"] { XCTAssertTrue(table.lines.contains { $0.hasPrefix(label + " ") }, "\(label): \(table)") }
    }

    func testUnknownLabelIsAnErrorNamingFileLineAndLabel() throws {
        let (prepared, run) = try makeRun()
        let test = prepared.appendingPathComponent("test.jsonl")
        var lines = try String(contentsOf: test, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = #"{"id": "x", "label": ["Arbitration", "Choice of law"], "text": "w1 arbitration w2"}"#
        try (lines.joined(separator: "\n") + "\n").write(to: test, atomically: true, encoding: .utf8)
        let r = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path])
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.hasPrefix("lexgraph: error: \(test.path):2: label \"Choice of law\" is not one the model knows (the run's 3 labels: "
                                         + "\"Arbitration\", \"Jurisdiction\", \"Limitation of liability\""), "\(r)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("test_metrics.json").path))
    }

    func testWrongTaskAndMissingFolderAreErrors() throws {
        let (prepared, run) = try makeRun()
        let wrong = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path, "--task", "cuad"])
        XCTAssertEqual(wrong.status, 64, "\(wrong)")
        XCTAssertTrue(wrong.stderr.hasPrefix("lexgraph: error: --task cuad but \(prepared.path)/task.json is a unfair-tos task"), "\(wrong)")
        let missing = try CLI.run(["clauses", "eval", "--data", run.path, "--run", run.path])
        XCTAssertEqual(missing.status, 1, "\(missing)")
        XCTAssertTrue(missing.stderr.hasPrefix("lexgraph: error: \(run.path)/task.json: no task.json: not a folder written by `lexgraph clauses prepare`"), "\(missing)")
    }

    func testClauseTypesFamiliesNeedTheGraph() throws {
        let (prepared, run) = try makeRun(types: true)
        // Only the default database path, absent here: scored without family accuracy, and said so.
        let elsewhere = try CLI.temporaryFolder(self)
        let plain = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path, "--format", "json"], in: elsewhere)
        XCTAssertEqual(plain.status, 0, "\(plain)")
        XCTAssertTrue(plain.stderr.contains("no graph database at var/lexgraph.sqlite (the default, relative to "), "\(plain)")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(try XCTUnwrap(object["metrics"] as? [String: Double]).keys), ["accuracy", "top5", "macro_f1"])
        XCTAssertTrue(object["thresholds"] is NSNull)
        // A database named with --db must hold the families.
        let missing = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path, "--db", elsewhere.appendingPathComponent("none.sqlite").path])
        XCTAssertEqual(missing.status, 1, "\(missing)")
        XCTAssertTrue(missing.stderr.hasPrefix("lexgraph: error: no graph database at \(elsewhere.path)/none.sqlite"), "\(missing)")
        let db = try LexgraphBinary.oneCaseDatabase(for: self)
        let without = try CLI.run(["clauses", "eval", "--data", prepared.path, "--run", run.path, "--db", db])
        XCTAssertEqual(without.status, 1, "\(without)")
        XCTAssertTrue(without.stderr.hasPrefix("lexgraph: error: \(db): 3 clause type(s) have no family: \"arbitration\", \"jurisdiction\", "
                                               + "\"limitation-of-liability\"; the graph has no IN_FAMILY edges"), "\(without)")
    }
}
